"""Numerical edge cases: subnormal and huge scales, means at the dtype's
limits, 16-bit overflow, truncated-normal bounds one ulp apart, far and
unrepresentable bounds.

The rule under test: a call either gives finite values inside the documented
bounds, or raises (``OverflowError`` when values could round to infinity in
the output dtype, ``ValueError`` when no value of the dtype satisfies the
bounds).  ``Generator.normal`` is the documented exception: like NumPy it
gives ``inf`` for samples beyond the dtype's range.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np
import pytest
from _helpers import KERNELS, numpy_dtype, on_every_kernel, same_bits

import turboinit as ti
from turboinit.random import default_rng

F32_MAX = float(np.finfo(np.float32).max)
F64_MAX = float(np.finfo(np.float64).max)
F16_MAX = 65504.0
BF16_MAX = float.fromhex("0x1.fep127")
MAX = {"float64": F64_MAX, "float32": F32_MAX, "float16": F16_MAX, "bfloat16": BF16_MAX}
# The largest |z| of a standard normal sample (docstring of turboinit.normal).
ZMAX = {"float64": 8.5717, "float32": 6.6605, "float16": 6.6605, "bfloat16": 6.6605}


def f64(x: Any) -> np.ndarray:
    return np.asarray(x).astype(np.float64)


def upper_half_share(a: float, b: float) -> float:
    """The standard normal's mass on the upper half of [a, b] over its mass on
    [a, b]: both halves have width (b - a) / 2, so the ratio of their mean
    densities (a CDF difference would cancel to nothing over one float64 ulp)."""
    t = np.linspace(0.0, 0.5, 2001)
    lower = np.exp(-0.5 * (a + (b - a) * t) ** 2).mean()
    upper = np.exp(-0.5 * (a + (b - a) * (0.5 + t)) ** 2).mean()
    return float(upper / (upper + lower))


def next_up(value: float, dtype: str) -> float:
    dt = numpy_dtype(dtype)
    v = np.asarray(value).astype(dt)
    return float(np.nextafter(v, np.asarray(np.inf).astype(dt)).astype(np.float64))


# ---- subnormal and huge scales ----------------------------------------------------------

SUBNORMAL = {
    "float64": 5e-324 * 3,
    "float32": 2.0**-140,
    "float16": 2.0**-20,
    "bfloat16": 2.0**-130,
}


@pytest.mark.parametrize("name", ["normal", "truncated_normal"])
def test_subnormal_std_gives_finite_values_within_reach(name: str, dtype: str) -> None:
    std = SUBNORMAL[dtype]
    x = f64(getattr(ti, name)(20_000, 0.0, std, seed=1, dtype=dtype))
    assert np.isfinite(x).all()
    bound = (2.0 if name == "truncated_normal" else ZMAX[dtype]) * std
    # Rounding to the dtype moves a value by at most half its smallest subnormal step.
    tiny = {"float64": 5e-324, "float32": 2.0**-149, "float16": 2.0**-24, "bfloat16": 2.0**-133}[
        dtype
    ]
    assert (np.abs(x) <= bound + tiny).all()
    assert (x != 0).any(), "every sample flushed to zero"


@pytest.mark.parametrize("dtype", ["float64", "float32", "float16", "bfloat16"])
def test_subnormal_outputs_are_the_same_on_every_kernel(dtype: str) -> None:
    # A kernel running with flush-to-zero / denormals-are-zero would differ here.
    std = SUBNORMAL[dtype]
    results = on_every_kernel(
        lambda: (
            ti.normal(4096, 0.0, std, seed=2, dtype=dtype),
            ti.uniform(4096, 0.0, std, seed=2, dtype=dtype),
            ti.truncated_normal(4096, 0.0, std, 0.5, 3.0, seed=2, dtype=dtype),
        )
    )
    for other in results[1:]:
        for a, b in zip(results[0], other):
            assert same_bits(a, b)


def test_huge_std_up_to_the_dtype_limit(dtype: str) -> None:
    # Just inside: the largest sample fits.  Just outside: OverflowError.
    fits = MAX[dtype] / ZMAX[dtype] * 0.999
    x = f64(ti.normal(100_000, 0.0, fits, seed=3, dtype=dtype))
    assert np.isfinite(x).all() and np.abs(x).max() <= MAX[dtype]
    with pytest.raises(OverflowError, match="std"):
        ti.normal(10, 0.0, MAX[dtype] / ZMAX[dtype] * 1.01, seed=3, dtype=dtype)


# Calls on either side of the bfloat16 stores' never-subnormal guarantee
# (store_never_subnormal in cpp/samplers/distributions.cpp: |offset| >= 2**-100, or
# offset 0 and |scale| times the sampler's smallest nonzero |x| >= 2**-125), and
# clamp bounds that are subnormal.
EDGE_CALLS = [
    *(
        ("normal", (mean, std))
        for mean in (0.0, 2.0**-100, 2.0**-101, 1e-38, -1.5)
        for std in (2.0**-130, 2.0**-92, 2.0**-91, 2.0**-60, 1.0)
    ),
    *(
        ("uniform", bounds)
        for bounds in (
            (0.0, 2.0**-100),
            (0.0, 2.0**-101),
            (2.0**-100, 2.0**-99),
            (-(2.0**-110), 2.0**-110),
            (1e-39, 2e-38),
            (-1.0, 1.0),
        )
    ),
    *(
        ("truncated_normal", params)
        for params in (
            (0.0, 2.0**-91, -2.0, 2.0),
            (0.0, 2.0**-110, -2.0, 2.0),
            (0.0, 2.0**-60, -1e-30, 2.0),
            (0.0, 2.0**-90, 0.0, 3.0),
            (2.0**-100, 2.0**-120, -3.0, 3.0),
            (0.0, 2.0**-80, -10.0, 10.0),
            (0.0, 1e-30, 0.3, 0.31),
            (0.0, 2.0**-100, 2.0, 3.0),
        )
    ),
]


@pytest.mark.parametrize("name,params", EDGE_CALLS, ids=lambda v: str(v))
def test_bfloat16_near_subnormal_is_the_same_on_every_kernel(name: str, params: tuple) -> None:
    pytest.importorskip("ml_dtypes")
    out = on_every_kernel(lambda: getattr(ti, name)(1 << 14, *params, seed=6, dtype="bfloat16"))
    for other in out[1:]:
        assert same_bits(out[0], other), (name, params)


@pytest.mark.parametrize("std", [2.0**-130, 2.0**-120, 2.0**-100, 1.0, 5e37])
def test_bfloat16_is_the_float32_sample_rounded_once_on_every_kernel(std: float) -> None:
    # bfloat16 is float32 rounded to nearest even (ml_dtypes' rounding), subnormals kept:
    # the avx512bf16 kernel's vcvtneps2bf16 flushes subnormal inputs, so a vector holding
    # one takes the formula.  std 2**-120 mixes both in most vectors.
    ml_dtypes = pytest.importorskip("ml_dtypes")
    # (normal: no clamp; uniform's [low, high) clamps below high in each dtype)
    pairs = on_every_kernel(
        lambda: (
            ti.normal(1 << 15, 0.0, std, seed=4, dtype="float32"),
            ti.normal(1 << 15, 0.0, std, seed=4, dtype="bfloat16"),
        )
    )
    for k, (f, b) in zip(KERNELS, pairs):
        want = f.astype(ml_dtypes.bfloat16)
        assert (b.view(np.uint16) == want.view(np.uint16)).all(), (k, std)


# ---- means at the dtype's limits -----------------------------------------------------------


def test_mean_at_the_largest_value(dtype: str) -> None:
    m = MAX[dtype]
    for mean in (m, -m):
        assert (f64(ti.normal(8, mean, 0.0, seed=0, dtype=dtype)) == mean).all()
        assert (f64(ti.truncated_normal(8, mean, 0.0, seed=0, dtype=dtype)) == mean).all()
        assert (f64(ti.uniform(8, mean, mean, seed=0, dtype=dtype)) == mean).all()
    # A tiny std on top of the largest mean still rounds back to it.
    tiny = m * 2.0**-60
    x = f64(ti.normal(1000, m, tiny, seed=0, dtype=dtype))
    assert np.isfinite(x).all() and (x <= m).all()


@pytest.mark.parametrize("name", ["normal", "truncated_normal", "uniform"])
def test_mean_beyond_the_dtype_raises_overflow_error(name: str, dtype: str) -> None:
    # Regression: truncated_normal with std=0 returned inf for a mean beyond the dtype.
    beyond = {"float64": math.inf, "float32": 1e39, "float16": 70000.0, "bfloat16": 3.4e38}[dtype]
    if math.isinf(beyond):
        pytest.skip("every finite mean fits float64")
    out = np.full(4, 7, numpy_dtype(dtype))
    params = (beyond, beyond) if name == "uniform" else (beyond, 0.0)
    with pytest.raises(OverflowError):
        getattr(ti, name)(4, *params, seed=0, dtype=dtype, out=out)
    assert (f64(out) == 7).all(), "a refused call wrote into out="


def test_generator_truncated_normal_mean_beyond_the_dtype_raises(dtype: str) -> None:
    # Regression (scalar and array loc): was inf, with a RuntimeWarning on the array path.
    beyond = {"float64": None, "float32": 1e300, "float16": 1e6, "bfloat16": 1e300}[dtype]
    if beyond is None:
        pytest.skip("every finite loc fits float64")
    rng = default_rng(0)
    with pytest.raises(OverflowError):
        rng.truncated_normal(beyond, 0.0, size=3, dtype=dtype)
    with pytest.raises(OverflowError):
        rng.truncated_normal([beyond, 0.0], 0.0, size=2, dtype=dtype)
    assert rng.state["counter"] == 0


# ---- 16-bit overflow -------------------------------------------------------------------------

HALF = ["float16", "bfloat16"]
EPS_OF = {"float64": 2.0**-52, "float32": 2.0**-23, "float16": 2.0**-10, "bfloat16": 2.0**-7}
OVERFLOW_ALL = {
    "float32": float.fromhex("0x1.ffffffp127"),
    "float16": 65520.0,
    "bfloat16": float.fromhex("0x1.ffp127"),
}
# The smallest magnitude that rounds to infinity (round to nearest even).
OVERFLOW = {"float16": 65520.0, "bfloat16": float.fromhex("0x1.ffp127")}


@pytest.mark.parametrize("dtype", HALF)
def test_uniform_bounds_at_the_16_bit_overflow_threshold(dtype: str) -> None:
    t = OVERFLOW[dtype]
    x = f64(ti.uniform(10_000, 0.0, t, seed=4, dtype=dtype))
    assert np.isfinite(x).all() and x.max() <= MAX[dtype]
    for low, high in ((0.0, next_up_f64(t)), (-t, 0.0), (-2 * t, 2 * t)):
        with pytest.raises(OverflowError):
            ti.uniform(10, low, high, seed=4, dtype=dtype)


def next_up_f64(x: float) -> float:
    return float(np.nextafter(x, np.inf))


@pytest.mark.parametrize("dtype", HALF)
def test_16_bit_overflow_raises_everywhere(dtype: str) -> None:
    big = 1e5 if dtype == "float16" else 1e39
    calls: list[Callable[[], Any]] = [
        lambda: ti.normal(4, 0.0, big, seed=0, dtype=dtype),
        lambda: ti.normal(4, big, 1.0, seed=0, dtype=dtype),
        lambda: ti.uniform(4, 0.0, big, seed=0, dtype=dtype),
        lambda: ti.truncated_normal(4, 0.0, big, seed=0, dtype=dtype),
        lambda: ti.truncated_normal(4, 0.0, big / 4, -1.0, np.inf, seed=0, dtype=dtype),
        lambda: ti.truncated_normal(4, big, 0.0, seed=0, dtype=dtype),
        lambda: ti.constant(4, big, dtype=dtype),
        lambda: ti.relu_bias(4, big, dtype=dtype),
        lambda: ti.eye((2, 2), big, dtype=dtype),
        lambda: ti.dirac((2, 2, 3), gain=big, dtype=dtype),
        lambda: ti.sparse((4, 4), 0.5, big, seed=0, dtype=dtype),
        lambda: ti.variance_scaling((1, 1), big * big, seed=0, dtype=dtype, distribution="normal"),
        lambda: ti.variance_scaling((1, 1), big * big, seed=0, dtype=dtype, distribution="uniform"),
        lambda: ti.variance_scaling((1, 1), big * big, seed=0, dtype=dtype),
        lambda: ti.output_bias([big, big], dtype=dtype),
        lambda: default_rng(0).uniform(0.0, big, size=4, dtype=dtype),
        lambda: default_rng(0).uniform(0.0, [big, 1.0], size=2, dtype=dtype),
        lambda: default_rng(0).uniform([-big, 0.0], 0.0, size=2, dtype=dtype),
        lambda: default_rng(0).truncated_normal(0.0, big, size=4, dtype=dtype),
        lambda: default_rng(0).truncated_normal([0.0, 1.0], big, size=2, dtype=dtype),
        lambda: ti.orthogonal((3, 3), big, seed=0, dtype=dtype),
        lambda: ti.delta_orthogonal((1, 2, 2), big, seed=0, dtype=dtype),
    ]
    try:
        import torch

        import turboinit.torch as tt
    except ImportError:
        pass
    else:
        tdt = {"float16": torch.float16, "bfloat16": torch.bfloat16}[dtype]
        calls += [
            lambda: tt.uniform_(torch.empty(4, dtype=tdt), 0.0, big, generator=0),
            lambda: tt.normal_(torch.empty(4, dtype=tdt), 0.0, big, generator=0),
            lambda: tt.constant_(torch.empty(4, dtype=tdt), big),
            lambda: tt.orthogonal_(torch.empty(3, 3, dtype=tdt), big, generator=0),
            lambda: tt.sparse_(torch.empty(4, 4, dtype=tdt), 0.5, big, generator=0),
        ]
    for i, call in enumerate(calls):
        with pytest.raises(OverflowError):
            call()
            pytest.fail(f"call {i} did not raise")


@pytest.mark.parametrize("method", ["qr", "svd"])
def test_orthogonal_gain_up_to_the_dtype_limit(dtype: str, method: str) -> None:
    # |Q_ij| <= 1, so any gain that rounds to a finite value is accepted, and
    # must give finite values.  Regression: the QR path formed Q diag(gain)
    # through intermediates of a few times |gain| and returned inf/NaN for
    # gains near the largest float32/float64 (and so bfloat16) value.
    for gain in (MAX[dtype], MAX[dtype] / 3, -MAX[dtype] / 1.5):
        for shape in ((1, 1), (5, 3), (3, 5), (40, 70), (3, 2, 4)):
            if len(shape) == 3:
                if method == "svd":
                    continue
                x = f64(ti.delta_orthogonal(shape, gain, seed=1, dtype=dtype))
                m = x[(shape[0] - 1) // 2]  # the centre tap: (in, out), orthogonal columns
            else:
                x = f64(ti.orthogonal(shape, gain, seed=1, dtype=dtype, method=method))
                m = x
            assert np.isfinite(x).all() and np.abs(x).max() <= MAX[dtype], (gain, shape)
            small = (m if m.shape[0] <= m.shape[1] else m.T) / gain
            tol = 8 * max(small.shape) * EPS_OF[dtype]
            assert np.abs(small @ small.T - np.eye(small.shape[0])).max() <= tol, (gain, shape)
    if dtype != "float64":
        with pytest.raises(OverflowError, match="gain"):
            ti.orthogonal((3, 3), OVERFLOW_ALL[dtype], seed=1, dtype=dtype, method=method)


@pytest.mark.parametrize("dtype", HALF)
def test_generator_normal_gives_inf_beyond_the_dtype_as_documented(dtype: str) -> None:
    # Generator.normal follows NumPy (documented): no OverflowError, inf instead.
    big = 1e5 if dtype == "float16" else 1e39
    x = f64(default_rng(0).normal(0.0, big, size=1000, dtype=dtype))
    assert np.isinf(x).any() and not np.isnan(x).any()
    y = f64(default_rng(0).normal(0.0, [big, 1.0], size=(500, 2), dtype=dtype))
    assert np.isinf(y[:, 0]).any() and np.isfinite(y[:, 1]).all()


@pytest.mark.parametrize(
    "dtype, high", [("float16", 2048.0), ("bfloat16", 256.0), ("float32", 2.0**24)]
)
def test_high_is_never_returned_after_rounding(dtype: str, high: float) -> None:
    # In [high/2, high) the dtype's spacing is 1: a float32 sample near high
    # rounds up to high unless it is clamped.
    x = f64(ti.uniform(200_000, high / 2, high, seed=5, dtype=dtype))
    assert x.max() < high and x.min() >= high / 2
    g = f64(default_rng(5).uniform(high / 2, [high], size=(200_000, 1), dtype=dtype))
    assert g.max() < high


# ---- truncated normal: bounds one ulp apart ------------------------------------------------


@pytest.mark.parametrize("mean", [0.0, 1000.0, -3.0])
def test_bounds_one_ulp_apart(dtype: str, mean: float) -> None:
    # [mean + lower*std, mean + upper*std] holds exactly two adjacent values of the dtype.
    lo = float(np.asarray(mean + 1.0).astype(numpy_dtype(dtype)).astype(np.float64))
    hi = next_up(lo, dtype)
    n = 20_000
    for args in ((mean, 1.0, lo - mean, hi - mean), (mean, 0.5, 2 * (lo - mean), 2 * (hi - mean))):
        assert args[0] + args[2] * args[1] == lo and args[0] + args[3] * args[1] == hi
        x = f64(ti.truncated_normal(n, *args, seed=6, dtype=dtype))
        assert set(np.unique(x)) <= {lo, hi}
        # Samples round to the nearer value: hi takes the mass above the
        # midpoint, p = (Phi(b) - Phi(m)) / (Phi(b) - Phi(a)) in std units
        # (1/2 when the ulp is small against std, less when it is not, e.g.
        # bfloat16 at 1000 where the ulp is 4 std).  5 sigma of Binomial(n, p).
        p = upper_half_share(args[2], args[3])
        k = int((x == hi).sum())
        assert abs(k - n * p) <= 5 * math.sqrt(n * p * (1 - p)), (k, n * p)


@pytest.mark.parametrize("dtype", ["float64", "float32", "float16", "bfloat16"])
def test_bounds_between_two_adjacent_values_raise(dtype: str) -> None:
    lo = 1.0
    hi = next_up(lo, dtype)
    a, b = lo + (hi - lo) / 4, lo + (hi - lo) / 2
    if dtype == "float64":  # no float64 strictly between: go through std units instead
        pytest.skip("no float64 lies strictly between adjacent float64 values")
    out = np.full(3, 9, numpy_dtype(dtype))
    with pytest.raises(ValueError, match="no .* value lies"):
        ti.truncated_normal(3, 0.0, 1.0, a, b, seed=0, dtype=dtype, out=out)
    assert (f64(out) == 9).all()
    with pytest.raises(ValueError):
        default_rng(0).truncated_normal(0.0, 1.0, a, b, size=3, dtype=dtype)


def test_uniform_on_one_ulp(dtype: str) -> None:
    hi = next_up(1.0, dtype)
    x = f64(ti.uniform(1000, 1.0, hi, seed=7, dtype=dtype))
    assert (x == 1.0).all()


# ---- far bounds ---------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_bounds_at_plus_minus_1e30_std_units(dtype: str) -> None:
    # [-1e30, 1e30]: the plain normal.
    x = f64(ti.truncated_normal(100_000, 0.0, 1.0, -1e30, 1e30, seed=8, dtype=dtype))
    assert np.abs(x).max() <= ZMAX[dtype]
    assert abs(x.mean()) < 5 / math.sqrt(x.size) and abs(x.var() - 1) < 5 * math.sqrt(2 / x.size)
    # A tail at 1e30: every sample lies within 1/1e30 of the bound, i.e. on it
    # after rounding (the bound is rounded inwards, to the first value >= 1e30).
    first = (
        float(np.asarray(1e30).astype(dtype))
        if float(np.asarray(1e30).astype(dtype)) >= 1e30
        else next_up(1e30, dtype)
    )
    for lower, upper in ((1e30, np.inf), (1e30, 2e30)):
        t = f64(ti.truncated_normal(1000, 0.0, 1.0, lower, upper, seed=8, dtype=dtype))
        assert (t >= 1e30).all() and (t <= first * (1 + 1e-6)).all()
        m = f64(ti.truncated_normal(1000, 0.0, 1.0, -upper, -lower, seed=8, dtype=dtype))
        assert (m <= -1e30).all() and (m >= -first * (1 + 1e-6)).all()
    # Far bounds times a large std: a bound beyond the dtype leaves no value
    # (ValueError); bounds the samples could cross into inf: OverflowError.
    std = 1e10 if dtype == "float32" else 1e290
    with pytest.raises(ValueError, match="no .* value lies"):
        ti.truncated_normal(10, 0.0, std, 1e30, np.inf, seed=8, dtype=dtype)
    # Bounds far beyond the dtype that the samples cannot reach (zmax * std fits)
    # are the plain normal, as [-inf, inf] (this raised OverflowError; issue 13).
    wide = ti.truncated_normal(10, 0.0, std, -1e30, 1e30, seed=8, dtype=dtype)
    assert same_bits(wide, ti.truncated_normal(10, 0.0, std, -np.inf, np.inf, seed=8, dtype=dtype))


def test_bounds_whose_absolute_value_is_not_representable() -> None:
    # mean + lower*std and mean + upper*std round to the same float32: only 1.0 lies between.
    x = ti.truncated_normal(1000, 1.0, 1e-10, -1.0, 1.0, seed=9, dtype="float32")
    assert (x == 1.0).all()
    x = ti.truncated_normal(1000, 1.0, 1e-30, 0.0, 1.0, seed=9, dtype="float32")
    assert (x == 1.0).all()
    # mean + lower*std overflows float64 (-1e310): the lower side is unbounded in effect;
    # the interval holds 0, so the samples are normal draws, which reach 8.6 std units,
    # within float64 (this raised OverflowError, looking at the bound; issue 13).
    z = f64(ti.truncated_normal(1000, 0.0, 1e300, -1e10, 1.0, seed=9, dtype="float64"))
    assert np.isfinite(z).all() and (z >= -8.6e300).all() and (z <= 1e300).all()
    # An interval of tiny bounds in far std units on a tiny std: values stay inside.
    y = f64(ti.truncated_normal(1000, 0.0, 1e-300, 1e300, 2e300, seed=9, dtype="float64"))
    assert (y >= 1.0).all() and (y <= 2.0).all()


@pytest.mark.parametrize(
    ("dtype", "bound"),
    [("float16", 1e5), ("bfloat16", 1e39), ("float32", 1e39), ("float64", 1e308)],
)
def test_wide_finite_truncation_bounds(dtype, bound):
    # Bounds beyond the dtype that the samples cannot reach behave as +-inf:
    # they raised a spurious OverflowError (the check looked at the bounds only).
    if dtype == "bfloat16":
        pytest.importorskip("ml_dtypes")
    wide = ti.truncated_normal(1000, 0, 1, -bound, bound, seed=5, dtype=dtype)
    inf = ti.truncated_normal(1000, 0, 1, -np.inf, np.inf, seed=5, dtype=dtype)
    assert wide.tobytes() == inf.tobytes()
    one_sided = ti.truncated_normal(1000, 0, 1, 0.5, bound, seed=5, dtype=dtype)
    assert (
        one_sided.tobytes()
        == ti.truncated_normal(1000, 0, 1, 0.5, np.inf, seed=5, dtype=dtype).tobytes()
    )
    # samples that really can go beyond the dtype still raise
    big_std = float(np.finfo(np.float16).max) if dtype == "float16" else None
    if big_std is not None:
        with pytest.raises(OverflowError, match="std: truncated normal samples can reach"):
            ti.truncated_normal(3, 0, big_std, -bound, bound, seed=5, dtype=dtype)
