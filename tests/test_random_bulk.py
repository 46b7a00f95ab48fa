"""The bulk methods of turboinit.random.Generator (src/turboinit/random/_bulk.py,
cpp/simd/bulk-inl.hpp): distributions, determinism, NumPy's argument rules.

Statistical tests use fixed seeds and reject at p = 1e-6: a KS test for the
continuous distributions, a chi-square test (bins merged to >= 20 expected
counts) for the discrete ones, and the sample mean and variance within 5
standard errors (two-sided normal p ~ 6e-7) where the fourth moment is finite.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pytest

import turboinit as ti
from turboinit import _core
from turboinit.random import default_rng

stats = pytest.importorskip("scipy.stats")

P_MIN = 1e-6
N = 200_000

# (method, args, kwargs, scipy distribution)
CONTINUOUS: list[tuple[str, tuple[Any, ...], dict[str, Any], Any]] = [
    ("standard_exponential", (), {}, stats.expon()),
    ("standard_exponential", (), {"dtype": np.float32}, stats.expon()),
    ("exponential", (2.0,), {}, stats.expon(scale=2.0)),
    ("laplace", (1.0, 2.0), {}, stats.laplace(1.0, 2.0)),
    ("logistic", (1.0, 2.0), {}, stats.logistic(1.0, 2.0)),
    ("gumbel", (1.0, 2.0), {}, stats.gumbel_r(1.0, 2.0)),
    ("standard_cauchy", (), {}, stats.cauchy()),
    ("rayleigh", (2.0,), {}, stats.rayleigh(scale=2.0)),
    ("lognormal", (0.5, 0.8), {}, stats.lognorm(s=0.8, scale=math.exp(0.5))),
    ("weibull", (1.5,), {}, stats.weibull_min(1.5)),
    ("weibull", (0.3,), {}, stats.weibull_min(0.3)),
    ("pareto", (5.0,), {}, stats.lomax(5.0)),
    ("pareto", (0.5,), {}, stats.lomax(0.5)),
    ("power", (3.0,), {}, stats.powerlaw(3.0)),
    ("power", (0.2,), {}, stats.powerlaw(0.2)),
    ("standard_gamma", (0.05,), {}, stats.gamma(0.05)),
    ("standard_gamma", (0.7,), {}, stats.gamma(0.7)),
    ("standard_gamma", (1.0,), {}, stats.gamma(1.0)),
    ("standard_gamma", (2.5,), {}, stats.gamma(2.5)),
    ("standard_gamma", (2.5,), {"dtype": np.float32}, stats.gamma(2.5)),
    ("standard_gamma", (0.7,), {"dtype": np.float32}, stats.gamma(0.7)),
    ("standard_gamma", (1e4,), {}, stats.gamma(1e4)),
    ("gamma", (2.0, 3.0), {}, stats.gamma(2.0, scale=3.0)),
    ("chisquare", (3.0,), {}, stats.chi2(3.0)),
    ("beta", (0.5, 0.5), {}, stats.beta(0.5, 0.5)),
    ("beta", (2.0, 6.0), {}, stats.beta(2.0, 6.0)),
    ("beta", (0.2, 3.0), {}, stats.beta(0.2, 3.0)),
    ("standard_t", (10.0,), {}, stats.t(10.0)),
    ("standard_t", (1.5,), {}, stats.t(1.5)),
]

DISCRETE: list[tuple[str, tuple[Any, ...], Any]] = [
    ("geometric", (0.25,), stats.geom(0.25)),
    ("geometric", (0.9,), stats.geom(0.9)),
    ("geometric", (1e-3,), stats.geom(1e-3)),
    ("poisson", (0.5,), stats.poisson(0.5)),
    ("poisson", (4.0,), stats.poisson(4.0)),
    ("poisson", (9.99,), stats.poisson(9.99)),
    ("poisson", (10.0,), stats.poisson(10.0)),
    ("poisson", (57.3,), stats.poisson(57.3)),
    ("poisson", (1e4,), stats.poisson(1e4)),
    ("binomial", (20, 0.3), stats.binom(20, 0.3)),
    ("binomial", (5, 0.99), stats.binom(5, 0.99)),
    ("binomial", (100, 0.3), stats.binom(100, 0.3)),
    ("binomial", (1000, 0.7), stats.binom(1000, 0.7)),
    ("binomial", (10**6, 0.5), stats.binom(10**6, 0.5)),
]


def moments_ok(x: np.ndarray, dist: Any) -> None:
    """Mean and variance within 5 standard errors, where the fourth moment is finite."""
    mean, var, kurt = (float(v) for v in dist.stats(moments="mvk"))
    if not (math.isfinite(var) and math.isfinite(kurt)):
        return
    x = np.asarray(x, np.float64)
    n = x.size
    assert abs(x.mean() - mean) < 5 * math.sqrt(var / n), (x.mean(), mean)
    assert abs(x.var() - var) < 5 * var * math.sqrt((kurt + 2) / n), (x.var(), var)


def discrete_p(x: np.ndarray, dist: Any) -> float:
    """Chi-square p-value of integer samples against a scipy discrete distribution,
    with the tails and small bins merged so that every bin expects >= 20."""
    lo, hi = int(dist.ppf(1e-5)), int(dist.ppf(1 - 1e-5))
    ks = np.arange(lo, hi + 1)
    expected = dist.pmf(ks) * x.size
    expected[0] = dist.cdf(lo) * x.size
    expected[-1] = dist.sf(hi - 1) * x.size
    counts = np.bincount(np.clip(x, lo, hi) - lo, minlength=ks.size).astype(np.float64)
    obs, exp, o, e = [], [], 0.0, 0.0
    for c, m in zip(counts, expected):
        o, e = o + c, e + m
        if e >= 20:
            obs.append(o)
            exp.append(e)
            o, e = 0.0, 0.0
    obs[-1] += o
    exp[-1] += e
    exp_a = np.array(exp) * (x.size / sum(exp))
    return float(stats.chisquare(obs, exp_a).pvalue)


@pytest.mark.parametrize(("method", "args", "kwargs", "dist"), CONTINUOUS)
def test_continuous_distribution(method: str, args: tuple, kwargs: dict, dist: Any) -> None:
    x = getattr(default_rng(11), method)(*args, size=N, **kwargs)
    assert x.shape == (N,) and x.dtype == kwargs.get("dtype", np.float64)
    assert np.isfinite(x).all()
    assert stats.kstest(x.astype(np.float64), dist.cdf).pvalue > P_MIN
    moments_ok(x, dist)


@pytest.mark.parametrize(("method", "args", "dist"), DISCRETE)
def test_discrete_distribution(method: str, args: tuple, dist: Any) -> None:
    x = getattr(default_rng(12), method)(*args, size=N)
    assert x.shape == (N,) and x.dtype == np.int64
    assert discrete_p(x, dist) > P_MIN
    moments_ok(x, dist)


def test_dirichlet() -> None:
    alpha = np.array([0.5, 1.0, 3.0])
    x = default_rng(13).dirichlet(alpha, N)
    assert x.shape == (N, 3)
    assert np.allclose(x.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    for j, a in enumerate(alpha):  # marginals are Beta(a_j, sum - a_j)
        dist = stats.beta(a, alpha.sum() - a)
        assert stats.kstest(x[:, j], dist.cdf).pvalue > P_MIN
        moments_ok(x[:, j], dist)
    tiny = default_rng(13).dirichlet([1e-3, 2e-3], 1000)  # no 0/0
    assert np.isfinite(tiny).all() and np.allclose(tiny.sum(axis=1), 1.0)


def test_bytes() -> None:
    rng = default_rng(14)
    b = rng.bytes(N)
    assert isinstance(b, bytes) and len(b) == N
    counts = np.bincount(np.frombuffer(b, np.uint8), minlength=256)
    assert stats.chisquare(counts).pvalue > P_MIN
    assert default_rng(14).bytes(7) == b[:7]  # a prefix of a longer draw
    assert rng.bytes(0) == b""


@pytest.mark.parametrize("length", [1, 3, 4, 5, 4099, (5 << 20) + 3])
def test_bytes_are_the_little_endian_raw_words(length: int) -> None:
    # The definition bytes() keeps while it writes into the new bytes object in
    # place: the words _core.bits gives for ceil(length / 4) elements, from the
    # blocks the same call reserves (5 MiB: also the huge-page hint's path).
    rng = default_rng(15)
    words = -(-length // 4)
    k0, k1, offset = rng._reserve(words, 4)
    buf = np.empty(words, np.uint32)
    _core.bits(buf, (words,), (0,), (words,), k0, k1, offset)
    expected = buf.astype("<u4").tobytes()[:length]
    assert default_rng(15).bytes(length) == expected


def test_bytes_allocates_before_it_reserves() -> None:
    # A MemoryError leaves the stream as it was: the object exists before reserve().
    def reserve() -> tuple[int, int, int]:
        raise AssertionError("reserve() ran before the allocation succeeded")

    with pytest.raises(MemoryError):
        _core.bits_bytes(1 << 62, reserve)
    rng = default_rng(16)
    state = rng.bit_generator.state
    with pytest.raises(MemoryError, match="size: cannot allocate"):
        rng.bytes(1 << 62)
    assert rng.bit_generator.state == state


# ---- parameters: arrays, broadcasting, scalars -----------------------------------------

# (method, scalar args): each parameter becomes an array in the test below
CALLS: list[tuple[str, tuple[Any, ...]]] = [
    ("exponential", (2.0,)),
    ("laplace", (1.0, 2.0)),
    ("logistic", (1.0, 2.0)),
    ("gumbel", (1.0, 2.0)),
    ("rayleigh", (2.0,)),
    ("lognormal", (0.5, 0.8)),
    ("weibull", (1.5,)),
    ("pareto", (3.0,)),
    ("power", (3.0,)),
    ("geometric", (0.3,)),
    ("standard_gamma", (0.7,)),
    ("gamma", (2.0, 3.0)),
    ("chisquare", (3.0,)),
    ("beta", (0.5, 2.0)),
    ("standard_t", (4.0,)),
    ("poisson", (4.0,)),
    ("poisson", (40.0,)),
    ("binomial", (20, 0.3)),
    ("binomial", (500, 0.6)),
]


@pytest.mark.parametrize(("method", "args"), CALLS)
def test_array_parameters_give_the_scalar_values(method: str, args: tuple) -> None:
    """A parameter array equal to a scalar everywhere gives the same bits, and
    broadcasting follows NumPy (size=None: the parameters' shape)."""
    want = getattr(default_rng(3), method)(*args, size=(50, 4))
    as_arrays = tuple(np.full((4,), a) for a in args)
    got = getattr(default_rng(3), method)(*as_arrays, size=(50, 4))
    assert got.dtype == want.dtype and np.array_equal(got, want)
    shaped = getattr(default_rng(3), method)(*(np.full((2, 3), a) for a in args))
    assert shaped.shape == (2, 3)
    one = getattr(default_rng(3), method)(*args)
    assert isinstance(one, int if want.dtype == np.int64 else float)
    with pytest.raises(ValueError):
        getattr(default_rng(3), method)(*as_arrays, size=(3,))


def test_parameter_arrays_vary_per_element() -> None:
    rng = default_rng(4)
    scale = np.array([1.0, 10.0, 100.0])
    x = rng.exponential(scale, size=(N, 3))
    assert np.allclose(x.mean(axis=0) / scale, 1.0, atol=0.02)
    lam = np.array([0.5, 30.0])
    k = rng.poisson(lam, size=(N, 2))
    assert np.allclose(k.mean(axis=0) / lam, 1.0, atol=0.02)
    a = np.array([0.3, 3.0])
    g = rng.standard_gamma(a, size=(N, 2))
    assert np.allclose(g.mean(axis=0) / a, 1.0, atol=0.02)
    n = np.array([10, 1000])
    p = np.array([[0.2], [0.9]])
    b = rng.binomial(n, p, size=(2, 2))
    assert b.shape == (2, 2) and (b <= n).all()


def test_edge_parameters_as_numpy() -> None:
    rng = default_rng(5)
    assert rng.standard_gamma(0.0) == 0.0
    assert math.isnan(rng.standard_gamma(np.nan))
    assert rng.standard_gamma(np.inf) == np.inf
    assert rng.weibull(0.0) == 0.0
    assert rng.exponential(0.0) == 0.0
    assert rng.geometric(1.0) == 1
    assert rng.poisson(0.0) == 0
    assert rng.binomial(0, 0.5) == 0
    assert rng.binomial(10, 1.0) == 10 and rng.binomial(10, 0.0) == 0
    assert rng.binomial(10.7, 0.5) <= 10  # n truncated to int64, as NumPy
    assert rng.geometric(1e-300) == 2**63 - 1
    assert math.isnan(rng.exponential(np.nan))
    assert math.isnan(rng.beta(np.nan, 1.0))
    assert np.isnan(rng.dirichlet([np.nan, 1.0])).all()
    assert rng.dirichlet([], 0).shape == (0, 0)
    assert rng.exponential(size=0).shape == (0,)
    assert rng.poisson(np.zeros((0, 3))).shape == (0, 3)


# ---- NumPy's argument checks ---------------------------------------------------------

BAD: list[tuple[str, tuple[Any, ...]]] = [
    ("exponential", (-1.0,)),
    ("exponential", (-0.0,)),
    ("exponential", ([1.0, -1.0],)),
    ("exponential", ("a",)),
    ("standard_gamma", (-1.0,)),
    ("gamma", (1.0, -1.0)),
    ("gamma", (-1.0, 1.0)),
    ("beta", (0.0, 1.0)),
    ("beta", (1.0, -1.0)),
    ("chisquare", (0.0,)),
    ("standard_t", (0.0,)),
    ("laplace", (0.0, -1.0)),
    ("laplace", (0.0, -0.0)),
    ("logistic", (0.0, -1.0)),
    ("gumbel", (0.0, -1.0)),
    ("lognormal", (0.0, -1.0)),
    ("rayleigh", (-1.0,)),
    ("weibull", (-1.0,)),
    ("pareto", (0.0,)),
    ("power", (0.0,)),
    ("geometric", (0.0,)),
    ("geometric", (1.5,)),
    ("geometric", (np.nan,)),
    ("poisson", (-1.0,)),
    ("poisson", (np.nan,)),
    ("poisson", (1e20,)),
    ("binomial", (-1, 0.5)),
    ("binomial", (10, 1.5)),
    ("binomial", (10, np.nan)),
    ("dirichlet", ([1.0, -1.0],)),
    ("standard_exponential", (None, np.float16)),
    ("standard_gamma", (1.0, None, np.int32)),
]


@pytest.mark.parametrize(("method", "args"), BAD)
def test_bad_input_raises_like_numpy(method: str, args: tuple) -> None:
    with pytest.raises(Exception) as theirs:
        getattr(np.random.default_rng(0), method)(*args)
    with pytest.raises(type(theirs.value)) as ours:
        getattr(default_rng(0), method)(*args)
    if isinstance(theirs.value, ValueError) and "convert" not in str(theirs.value):
        assert str(theirs.value) in str(ours.value)


def test_bad_input_consumes_no_counter() -> None:
    rng = default_rng(0)
    with pytest.raises(ValueError):
        rng.gamma(1.0, -1.0, size=10)
    assert rng.state["counter"] == 0


def test_out_and_dtype() -> None:
    out = np.empty((30, 7), np.float32)
    r = default_rng(6).standard_exponential(dtype=np.float32, out=out)
    assert r is out and np.array_equal(
        out, default_rng(6).standard_exponential(210, np.float32).reshape(30, 7)
    )
    f = np.empty((30, 7), np.float64, order="F")  # NumPy's standard_gamma wants C order
    with pytest.raises(ValueError, match="Supplied output array must be C-contiguous"):
        default_rng(6).standard_gamma(2.0, out=f)
    with pytest.raises(ValueError, match="Supplied output array must be C-contiguous"):
        np.random.default_rng(6).standard_gamma(2.0, out=f)
    with pytest.raises(TypeError):
        default_rng(6).standard_gamma(2.0, out=np.empty(3, np.float32))
    with pytest.raises(ValueError):
        default_rng(6).standard_exponential(method="fast")


# ---- determinism: threads, kernels, regions, prefixes ------------------------------------

SIZE = 200_003  # more than three parallel chunks


@pytest.mark.parametrize(("method", "args"), CALLS + [("standard_cauchy", ())])
def test_same_bits_for_threads_and_kernels(
    method: str, args: tuple, kernel: str, restore_threads: None
) -> None:
    results = []
    for nt in (1, 2):
        ti.set_num_threads(nt)
        results.append(getattr(default_rng(21), method)(*args, size=SIZE))
    _core.set_kernel("baseline")
    results.append(getattr(default_rng(21), method)(*args, size=SIZE))
    _core.set_kernel(kernel)
    assert all(np.array_equal(r, results[0]) for r in results[1:])


@pytest.mark.parametrize(("method", "args"), CALLS + [("standard_cauchy", ())])
def test_prefix_of_a_bigger_draw(method: str, args: tuple) -> None:
    """The layout depends only on the flat index: a smaller draw is a prefix."""
    big = getattr(default_rng(22), method)(*args, size=SIZE)
    small = getattr(default_rng(22), method)(*args, size=1000)
    assert np.array_equal(big[:1000], small)


@pytest.mark.parametrize("kind", range(18))
def test_core_regions(kind: int) -> None:
    """A region of the core's tensor equals the slice of the whole, parameter
    arrays included (one value per element of the region)."""
    shape, start, extent = (515, 301), (100, 37), (300, 200)
    n = shape[0] * shape[1]
    integer = kind in (10, 15, 16, 17)
    dt = np.int64 if integer else np.float64
    params = {
        7: (1.5, 0.0),
        8: (3.0, 0.0),
        9: (3.0, 0.0),
        10: (0.3, 0.0),
        11: (0.7, 2.0),
        12: (0.7, 0.0),
        13: (0.5, 2.0),
        14: (4.0, 0.0),
        15: (30.0, 0.0),
        16: (50.0, 0.4),
        17: (301.0, 0.0),
    }.get(kind, (1.0, 2.0))
    full = np.empty(shape, dt)
    _core.bulk(full, kind, 0, shape, (0, 0), shape, 1, 2, 64, *params)
    part = np.empty(extent, dt)
    _core.bulk(part, kind, 0, shape, start, extent, 1, 2, 64, *params)
    window = (slice(100, 400), slice(37, 237))
    assert np.array_equal(part, full[window])
    assert full.size == n
    if kind == 17:  # one slice length for the call
        assert (np.sort(full, axis=1) == np.arange(301)).all()
        return
    arrays = [np.full(shape, p)[window].ravel() for p in params]
    part2 = np.empty(extent, dt)
    _core.bulk(part2, kind, 0, shape, start, extent, 1, 2, 64, *arrays)
    assert np.array_equal(part2, full[window])
    with pytest.raises(ValueError):
        _core.bulk(part2, kind, 0, shape, start, extent, 1, 2, 64, np.ones(3), 0.0)


# Plain kinds (the uniform's layout, groups of 32 float64 / 64 float32 elements) and
# rejection kinds (one block per element), with parameters for each.
TILE_KINDS = [(0, 2.0, 0.0), (1, 1.0, 2.0), (6, 0.5, 0.8), (7, 1.5, 0.0), (10, 0.3, 0.0)]
TILE_KINDS += [(11, 0.7, 2.0), (13, 0.5, 2.0), (15, 30.0, 0.0), (16, 50.0, 0.4)]


@pytest.mark.parametrize(("kind", "a", "b"), TILE_KINDS)
def test_core_tiled_parameters(kind: int, a: float, b: float, restore_threads: None) -> None:
    """A tile (``tiled=True``: element j takes values[j % len]) gives the bits of the
    full array it repeats, on a region (whose runs of 300 start mid-tile) and across
    the parallel chunks of 2**16; a length that does not divide the region's size is
    refused."""
    shape, start, extent = (300, 2001), (7, 5), (290, 300)
    n = extent[0] * extent[1]  # 87000 = 8 * 29 * 375
    rng = np.random.default_rng(kind)
    dt = np.int64 if kind in (10, 15, 16) else np.float64
    got = np.empty(extent, dt)
    for m in (1, 8, 29, 1500):
        constant = kind in (10, 16)  # geometric p, binomial n and p: one value
        t0 = np.full(m, a) if constant else a * (0.5 + rng.random(m))
        t1 = np.full(m, b) if constant else b * (0.5 + rng.random(m))
        for nt in (1, 2):
            ti.set_num_threads(nt)
            want = np.empty(extent, dt)
            full = (np.tile(t0, n // m), np.tile(t1, n // m))
            _core.bulk(want, kind, 0, shape, start, extent, 3, 4, 64, *full)
            _core.bulk(got, kind, 0, shape, start, extent, 3, 4, 64, t0, t1, tiled=True)
            assert np.array_equal(got, want), (kind, m, nt)
    with pytest.raises(ValueError, match="p0"):
        _core.bulk(got, kind, 0, shape, start, extent, 3, 4, 64, np.ones(7), b, tiled=True)
    with pytest.raises(ValueError, match="p1"):
        _core.bulk(got, kind, 0, shape, start, extent, 3, 4, 64, a, np.ones(0), tiled=True)


@pytest.mark.parametrize("dt", [np.float64, np.float32])
def test_core_plain_kinds_at_every_offset(dt: type, kernel: str) -> None:
    """The plain kinds store whole groups straight from registers and the partial
    groups at either end through a stage: every (first, count) around the group
    boundaries gives the slice of one whole draw."""
    code = 1 if dt == np.float32 else 0
    kinds = [0] if dt == np.float32 else [0, 1, 4, 6, 9]
    for kind in kinds:
        n = 300
        full = np.empty(n, dt)
        _core.bulk(full, kind, code, (n,), (0,), (n,), 5, 6, 96, 1.5, 2.0)
        for first in (0, 1, 31, 32, 33, 63, 64, 65):
            for count in (0, 1, 7, 31, 32, 33, 64, 65, 150):
                part = np.empty(count, dt)
                _core.bulk(part, kind, code, (n,), (first,), (count,), 5, 6, 96, 1.5, 2.0)
                assert np.array_equal(part, full[first : first + count]), (kind, first, count)


def _dirichlet_in_numpy(alpha: np.ndarray, rows: int, offset: int) -> np.ndarray:
    """The gammas of the bulk kernel, normalised as the Python path used to."""
    k = alpha.size
    g = np.empty((rows, k))
    per_element = np.broadcast_to(alpha, (rows, k)).ravel()
    _core.bulk(g, 11, 0, (rows * k,), (0,), (rows * k,), 8, 9, offset, per_element, 1.0)
    total = g[:, 0].copy()
    for j in range(1, k):
        total += g[:, j]
    g /= total[:, None]
    return g


@pytest.mark.parametrize(
    ("alpha", "rows"),
    [([1.0], 5), ([0.5, 1.0, 2.0], 30_001), ([0.1, 3.0, 1e300, 7.5], 1000), ([2.0] * 70_000, 3)],
)
def test_core_dirichlet_bits(alpha: list, rows: int, kernel: str, restore_threads: None) -> None:
    """_core.dirichlet (gammas and row sums in parallel, row runs in cache; rows past
    2**16 elements: gammas then rows) gives the bits of the gammas summed in index
    order and divided, for any thread count."""
    al = np.array(alpha)
    want = _dirichlet_in_numpy(al, rows, 160)
    for nt in (1, 2):
        ti.set_num_threads(nt)
        got = np.empty((rows, al.size))
        _core.dirichlet(got, al, 8, 9, 160)
        assert np.array_equal(got, want), nt


def test_core_dirichlet_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="alpha"):
        _core.dirichlet(np.empty(4), np.ones((2, 2)), 1, 2, 0)
    with pytest.raises(ValueError, match="out"):
        _core.dirichlet(np.empty(7), np.ones(3), 1, 2, 0)
    with pytest.raises(ValueError, match="out"):
        _core.dirichlet(np.empty(3), np.ones(0), 1, 2, 0)
    with pytest.raises(TypeError, match="out"):
        _core.dirichlet(np.empty(6, np.float32), np.ones(3), 1, 2, 0)
    with pytest.raises(TypeError, match="out"):
        _core.dirichlet(np.empty(6, np.int64), np.ones(3), 1, 2, 0)
    with pytest.raises(OverflowError):
        _core.dirichlet(np.empty(64), np.ones(2), 1, 2, 2**64 - 1)
    _core.dirichlet(np.empty((0, 3)), np.ones(3), 1, 2, 0)  # nothing to do


def test_broadcast_parameters_are_tiles_with_the_full_bits() -> None:
    """A parameter broadcast along leading (or middle) axes gives the bits of the
    same parameter given at full size."""
    scale = np.array([[1.0], [10.0], [100.0]])  # (3, 1) against (5, 3, 4)
    want = default_rng(40).exponential(np.broadcast_to(scale, (5, 3, 4)).copy())
    assert np.array_equal(default_rng(40).exponential(scale, size=(5, 3, 4)), want)
    lam = np.array([0.5, 30.0, 4.0, 12.0])
    want = default_rng(41).poisson(np.broadcast_to(lam, (6, 4)).copy())
    assert np.array_equal(default_rng(41).poisson(lam, size=(6, 4)), want)
    a = np.array([0.5, 1.0, 2.0])
    want = default_rng(42).standard_gamma(np.broadcast_to(a, (7, 3)).copy())
    out = np.empty((7, 3))
    assert default_rng(42).standard_gamma(a, out=out) is out and np.array_equal(out, want)


def test_core_rejects_bad_kind_and_dtype() -> None:
    out = np.empty(4, np.float32)
    with pytest.raises(ValueError, match="kind"):
        _core.bulk(out, 99, 1, (4,), (0,), (4,), 1, 2, 0, 1.0, 1.0)
    with pytest.raises(ValueError, match="dtype"):
        _core.bulk(out, 1, 1, (4,), (0,), (4,), 1, 2, 0, 1.0, 1.0)
    with pytest.raises(OverflowError):
        _core.bulk(np.empty(64), 0, 0, (64,), (0,), (64,), 1, 2, 2**64 - 1, 1.0, 0.0)


# ---- permutations and choice -----------------------------------------------------------


@pytest.mark.parametrize("n", [0, 1, 2, 5, 1000, 2**16, 2**16 + 1, 300_001])
def test_permutation_is_a_permutation(n: int) -> None:
    x = default_rng(30).permutation(n)
    assert x.dtype == np.int64 and np.array_equal(np.sort(x), np.arange(n))


def _position_and_pair_p(perms: np.ndarray) -> tuple[float, float]:
    """Chi-square p-values of (position, value) counts and of the ordered pair
    of values at positions 0 and 1, over many permutations (rows)."""
    m, n = perms.shape
    counts = np.zeros((n, n))
    for i in range(n):
        counts[i] = np.bincount(perms[:, i], minlength=n)
    p_pos = float(stats.chisquare(counts.ravel()).pvalue)
    pairs = np.bincount(perms[:, 0] * n + perms[:, 1], minlength=n * n).reshape(n, n)
    off = pairs[~np.eye(n, dtype=bool)]
    assert pairs.trace() == 0
    return p_pos, float(stats.chisquare(off).pvalue)


def test_permutation_position_and_pair_uniformity_sorted_keys() -> None:
    perms = default_rng(31).permuted(np.tile(np.arange(7), (70_000, 1)), axis=1)
    p_pos, p_pair = _position_and_pair_p(perms)
    assert p_pos > P_MIN and p_pair > P_MIN


@pytest.mark.parametrize("n", [3, 10, 37])
def test_feistel_position_and_pair_uniformity(n: int) -> None:
    """The Feistel bijection itself, at lengths where it is easiest to see a bias:
    70 000 independent permutations (one per block) of a small range."""
    m = 70_000
    out = np.empty(m * n, np.int64)
    _core.bulk(out, 17, 0, (m * n,), (0,), (m * n,), 5, 6, 0, float(n), 0.0)
    perms = out.reshape(m, n)
    assert (np.sort(perms, axis=1) == np.arange(n)).all()
    p_pos, p_pair = _position_and_pair_p(perms)
    assert p_pos > P_MIN and p_pair > P_MIN


def test_feistel_adjacent_slices_are_independent() -> None:
    """Each slice's round keys come from its own Philox blocks: the values at
    position 0 of slices s and s + 1 (70 000 pairs of permutations of 10) fill
    the 10 x 10 grid evenly (chi-square at p = 1e-6)."""
    m, n = 140_000, 10
    out = np.empty(m * n, np.int64)
    _core.bulk(out, 17, 0, (m * n,), (0,), (m * n,), 7, 8, 0, float(n), 0.0)
    first = out.reshape(m, n)[:, 0]
    cells = first[0::2] * n + first[1::2]
    assert stats.chisquare(np.bincount(cells, minlength=n * n)).pvalue > P_MIN


@pytest.mark.parametrize("n", [1, 2, 37, 70_001, 2**20 + 12_345, 2**22 + 1])
def test_feistel_any_region_alone(n: int, kernel: str, restore_threads: None) -> None:
    """Any range of the flat index space of m slices is made alone with the bits
    of the whole, on one or two threads and on every kernel (the fast path of
    whole vectors and the lane-by-lane one agree)."""
    m = max(1, 300_000 // n)
    total = m * n

    def region(start: int, count: int) -> np.ndarray:
        out = np.empty(count, np.int64)
        _core.bulk(out, 17, 0, (total,), (start,), (count,), 5, 6, 7, float(n), 0.0)
        return out

    ti.set_num_threads(1)
    whole = region(0, total)
    assert (np.sort(whole.reshape(m, n), axis=1) == np.arange(n)).all()
    cuts = np.unique(np.r_[0, total, np.random.default_rng(n).integers(0, total, 9)])
    for a, b in zip(cuts[:-1], cuts[1:]):
        assert np.array_equal(region(int(a), int(b - a)), whole[a:b])
    ti.set_num_threads(2)
    assert np.array_equal(region(0, total), whole)
    _core.set_kernel("baseline")
    assert np.array_equal(region(0, total), whole)


@pytest.mark.parametrize("n", [2**32, 2**32 + 1, 2**40 + 5])
def test_feistel_long_ranges(n: int, kernel: str) -> None:
    """Past 2^32 positions (64-bit images): a region far out holds distinct values
    below n, the same on the baseline kernel."""
    start, count = n // 2 - 77, 5_000

    def region() -> np.ndarray:
        out = np.empty(count, np.int64)
        _core.bulk(out, 17, 0, (n,), (start,), (count,), 5, 6, 7, float(n), 0.0)
        return out

    out = region()
    _core.set_kernel("baseline")
    assert np.array_equal(out, region())
    assert len(np.unique(out)) == count and (out >= 0).all() and (out.astype(np.uint64) < n).all()


def test_feistel_long_permutation_statistics() -> None:
    """One long permutation: its values at the first 40 000 positions are
    uniform on [0, n) and consecutive pairs fill a 16 x 16 grid evenly."""
    n = 2**20 + 12_345
    x = default_rng(32).permutation(n)[:40_000]
    assert stats.kstest(x / n, "uniform").pvalue > P_MIN
    cells = (x[0::2] * 16 // n) * 16 + x[1::2] * 16 // n
    assert stats.chisquare(np.bincount(cells, minlength=256)).pvalue > P_MIN


def test_permutation_slices_are_made_alone() -> None:
    """A choice without replacement from a long population is a prefix of its
    permutation: the Feistel bijection computes just those positions."""
    n = 2**17 + 5
    full = default_rng(33).permutation(n)
    assert np.array_equal(default_rng(33).choice(n, 1000, replace=False), full[:1000])


def test_shuffle_permuted_and_arrays() -> None:
    rng = default_rng(34)
    x = np.arange(20).reshape(4, 5)
    y = rng.permutation(x, axis=1)
    assert np.array_equal(np.sort(y, axis=1), x) and y.shape == x.shape
    z = x.copy()
    rng.shuffle(z, axis=1)
    assert np.array_equal(np.sort(z, axis=1), x)
    lst = list(range(10))
    rng.shuffle(lst)
    assert sorted(lst) == list(range(10))
    w = rng.permuted(x, axis=0)
    assert np.array_equal(np.sort(w, axis=0), x)
    out = np.empty_like(x)
    assert rng.permuted(x, out=out) is out and sorted(out.ravel().tolist()) == list(range(20))
    with pytest.raises(NotImplementedError):
        rng.shuffle([1, 2, 3], axis=1)
    with pytest.raises(ValueError, match="same shape"):
        rng.permuted(x, out=np.empty((5, 4), x.dtype))


def test_choice_distributions() -> None:
    rng = default_rng(35)
    p = np.array([0.1, 0.2, 0.3, 0.4])
    x = rng.choice(4, size=N, p=p)
    assert stats.chisquare(np.bincount(x, minlength=4), p * N).pvalue > P_MIN
    u = rng.choice(7, size=N)
    assert stats.chisquare(np.bincount(u, minlength=7)).pvalue > P_MIN
    pairs = rng.choice(5, size=(N // 2, 2), replace=True)
    assert pairs.shape == (N // 2, 2)
    # Without replacement, with p: the first two picks follow successive sampling.
    m = 100_000
    many = np.stack([default_rng(1000 + s).choice(4, 2, replace=False, p=p) for s in range(2000)])
    expected = np.array(
        [[p[i] * p[j] / (1 - p[i]) if i != j else 0 for j in range(4)] for i in range(4)]
    )
    obs = np.bincount(many[:, 0] * 4 + many[:, 1], minlength=16).reshape(4, 4)
    off = ~np.eye(4, dtype=bool)
    assert stats.chisquare(obs[off], expected[off] * 2000).pvalue > P_MIN
    # Without replacement, no p: ordered pairs uniform over the 20 of them.
    ordered = default_rng(36).permuted(np.tile(np.arange(5), (m, 1)), axis=1)[:, :2]
    cells = np.bincount(ordered[:, 0] * 5 + ordered[:, 1], minlength=25)
    assert stats.chisquare(cells[cells > 0]).pvalue > P_MIN and (cells > 0).sum() == 20
    sub = default_rng(37).choice(10, 10, replace=False)
    assert sorted(sub.tolist()) == list(range(10))


def test_choice_of_arrays_and_scalars() -> None:
    rng = default_rng(38)
    assert isinstance(rng.choice(5), int)
    assert rng.choice([1.5, 2.5]) in (1.5, 2.5)
    a = np.arange(12).reshape(3, 4)
    assert rng.choice(a, 2, axis=1).shape == (3, 2)
    assert rng.choice(a, (2, 2)).shape == (2, 2, 4)
    assert rng.choice(0, size=0).shape == (0,)


CHOICE_BAD: list[tuple[tuple[Any, ...], dict[str, Any]]] = [
    ((0,), {}),
    (([],), {}),
    ((-3,), {}),
    ((2.5,), {}),
    ((5,), {"p": [[0.5, 0.5]]}),
    ((5,), {"p": [0.5, 0.5]}),
    ((3,), {"p": [-0.5, 1.0, 0.5]}),
    ((3,), {"p": [0.2, 0.2, 0.2]}),
    ((3,), {"p": [np.nan, 0.5, 0.5]}),
    ((3, 4), {"replace": False}),
    ((3, 2), {"replace": False, "p": [1.0, 0, 0]}),
]


@pytest.mark.parametrize(("args", "kwargs"), CHOICE_BAD)
def test_choice_bad_input_like_numpy(args: tuple, kwargs: dict) -> None:
    with pytest.raises(ValueError) as theirs:
        np.random.default_rng(0).choice(*args, **kwargs)
    with pytest.raises(ValueError) as ours:
        default_rng(0).choice(*args, **kwargs)
    assert str(theirs.value) in str(ours.value)


@pytest.mark.parametrize("n", [1000, 2**17 + 3])
def test_permutation_same_bits_for_threads_and_kernels(
    n: int, kernel: str, restore_threads: None
) -> None:
    results = []
    for nt in (1, 2):
        ti.set_num_threads(nt)
        results.append(default_rng(39).permutation(n))
        results.append(default_rng(39).choice(n, 50, replace=False, p=np.full(n, 1.0 / n)))
    _core.set_kernel("baseline")
    results.append(default_rng(39).permutation(n))
    _core.set_kernel(kernel)
    assert np.array_equal(results[0], results[2]) and np.array_equal(results[0], results[4])
    assert np.array_equal(results[1], results[3])


# ---- multinomial and multivariate normal ------------------------------------------------


def test_multinomial() -> None:
    p = np.array([0.2, 0.3, 0.5])
    x = default_rng(40).multinomial(30, p, size=N)
    assert x.shape == (N, 3) and x.dtype == np.int64 and (x.sum(axis=1) == 30).all()
    for j in range(3):  # marginals are Binomial(30, p_j)
        dist = stats.binom(30, p[j])
        assert discrete_p(x[:, j], dist) > P_MIN
        moments_ok(x[:, j], dist)
    cov = np.cov(x[:, 0], x[:, 1])[0, 1]  # -n p0 p1
    assert abs(cov + 30 * 0.2 * 0.3) < 0.05
    y = default_rng(40).multinomial([5, 50], [[0.5, 0.5], [0.1, 0.9]])
    assert y.shape == (2, 2) and y.sum(axis=1).tolist() == [5, 50]


@pytest.mark.parametrize(
    ("n", "pvals", "size"),
    [
        (30, [0.2, 0.3, 0.5], (999,)),
        ([[3], [40]], [0.25, 0.25, 0.5], (2, 5)),
        (9, [0.0, 1.0, 0.0, 0.0], (7,)),
        (12, [0.6, 0.4], (1,)),
    ],
)
def test_multinomial_shared_pvals_are_the_broadcast_ones(n: Any, pvals: Any, size: Any) -> None:
    # One pvals for every draw takes per-category float probabilities (and an int n
    # while it can); pvals broadcast to every draw take the array path: the same bits.
    shared = default_rng(42).multinomial(n, pvals, size=size)
    p = np.broadcast_to(np.asarray(pvals), tuple(size) + (len(pvals),))
    assert np.array_equal(shared, default_rng(42).multinomial(n, p, size=size))


def test_multivariate_normal() -> None:
    mean = np.array([1.0, -2.0, 0.5])
    a = np.array([[1.0, 0.0, 0.0], [0.5, 2.0, 0.0], [-0.3, 0.2, 0.7]])
    cov = a @ a.T
    for method in ("svd", "eigh", "cholesky"):
        x = default_rng(41).multivariate_normal(mean, cov, N, method=method)
        assert x.shape == (N, 3)
        # Each projection on a fixed direction is normal with the matching variance.
        for d in (np.array([1.0, 0.0, 0.0]), np.array([0.3, -1.0, 2.0])):
            proj = x @ d
            sd = math.sqrt(d @ cov @ d)
            assert stats.kstest(proj, stats.norm(d @ mean, sd).cdf).pvalue > P_MIN
        assert np.allclose(np.cov(x.T), cov, atol=0.05)
    one = default_rng(41).multivariate_normal([0.0, 0.0], np.eye(2))
    assert one.shape == (2,)


@pytest.mark.parametrize(
    ("method", "args", "kwargs"),
    [
        ("multinomial", (10, [-0.1, 1.1]), {}),
        ("multinomial", (-1, [0.5, 0.5]), {}),
        ("multinomial", (10, [np.nan, 0.5]), {}),
        ("multinomial", (10, []), {}),
        ("multivariate_normal", ([0], [[1, 0], [0, 1]]), {}),
        ("multivariate_normal", ([[0]], [[1]]), {}),
        ("multivariate_normal", ([0, 0], [[1, 2], [2, 1]]), {"check_valid": "raise"}),
        ("multivariate_normal", ([0, 0], [[1, 0], [0, 1]]), {"method": "x"}),
        ("multivariate_normal", ([0, 0], [[1, 0], [0, 1]]), {"check_valid": "x"}),
        ("multivariate_normal", ([0, 0], [1, 0]), {}),
    ],
)
def test_multivariate_bad_input_like_numpy(method: str, args: tuple, kwargs: dict) -> None:
    with pytest.raises(ValueError) as theirs:
        getattr(np.random.default_rng(0), method)(*args, **kwargs)
    with pytest.raises(ValueError) as ours:
        getattr(default_rng(0), method)(*args, **kwargs)
    assert str(theirs.value) in str(ours.value)


def test_multivariate_normal_warns_like_numpy() -> None:
    with pytest.warns(RuntimeWarning, match="positive-semidefinite"):
        default_rng(0).multivariate_normal([0, 0], [[1, 2], [2, 1]])


@pytest.mark.parametrize("method", ["multinomial", "multivariate_normal"])
def test_multivariate_same_bits_for_threads_and_kernels(
    method: str, kernel: str, restore_threads: None
) -> None:
    args = (50, [0.2, 0.3, 0.5]) if method == "multinomial" else ([0.0, 1.0], np.eye(2) * 2.0)
    results = []
    for nt in (1, 2):
        ti.set_num_threads(nt)
        results.append(getattr(default_rng(42), method)(*args, size=70_001))
    _core.set_kernel("baseline")
    results.append(getattr(default_rng(42), method)(*args, size=70_001))
    _core.set_kernel(kernel)
    assert all(np.array_equal(r, results[0]) for r in results[1:])


# ---- the covariance factor: turboinit's own, not LAPACK's ---------------------------------


def _spd(k: int, seed: int) -> np.ndarray:
    b = np.random.default_rng(seed).standard_normal((k, k + 2))
    return np.ascontiguousarray(b @ b.T / k)


@pytest.mark.parametrize("k", [1, 2, 3, 7, 33, 64])
@pytest.mark.parametrize("method", ["svd", "eigh", "cholesky"])
def test_covariance_factor_reproduces_cov(k: int, method: str) -> None:
    cov = _spd(k, k)
    f, w, status = _core.covariance_factor(cov, method)
    assert status == 0
    scale = np.abs(cov).max()
    # f^T f = cov to rounding: a few k ulps of the largest entry (backward stable methods).
    assert np.abs(f.T @ f - cov).max() <= 64 * k * np.finfo(float).eps * scale
    if method == "cholesky":
        assert np.array_equal(f, np.triu(f))  # L^T: upper triangular, as NumPy's factor_.T
        assert np.allclose(f.T, np.linalg.cholesky(cov), rtol=1e-10, atol=1e-12 * scale)
    elif method == "eigh":
        assert np.all(np.diff(w) >= 0)
        assert np.allclose(w, np.linalg.eigvalsh(cov), rtol=1e-10, atol=1e-12 * scale)
    else:
        assert np.all(np.diff(w) <= 0)
        assert np.allclose(w, np.linalg.svd(cov, compute_uv=False), rtol=1e-10, atol=1e-12 * scale)


def test_covariance_factor_has_numpys_law_off_the_happy_path() -> None:
    # With check_valid="ignore" NumPy still samples: the covariance of its output is
    # u s u^T (svd) or v |w| v^T (eigh); ours must be the same matrix.
    eps = 64 * np.finfo(float).eps
    for cov in (np.array([[1.0, 2.0], [2.0, 1.0]]), np.array([[1.0, 0.0], [5.0, 1.0]])):
        u, s, _vh = np.linalg.svd(cov)
        f, _, status = _core.covariance_factor(cov, "svd")
        assert status == 0 and np.allclose(f.T @ f, (u * s) @ u.T, rtol=eps, atol=eps)
        w, v = np.linalg.eigh(cov)  # reads the lower triangle, as ours does
        f, _, status = _core.covariance_factor(cov, "eigh")
        assert status == 0 and np.allclose(f.T @ f, (v * np.abs(w)) @ v.T, rtol=eps, atol=eps)


def test_covariance_factor_errors_like_numpy() -> None:
    not_pd = [[1.0, 2.0], [2.0, 1.0]]
    for rng in (np.random.default_rng(0), default_rng(0)):
        with pytest.raises(np.linalg.LinAlgError, match="Matrix is not positive definite"):
            rng.multivariate_normal([0.0, 0.0], not_pd, method="cholesky")
        with pytest.raises(np.linalg.LinAlgError, match="SVD did not converge"):
            rng.multivariate_normal([0.0, 0.0], [[np.nan, 0.0], [0.0, 1.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # NumPy passes a NaN eigenvalue: no warning
        x = default_rng(0).multivariate_normal([0.0, 0.0], [[np.nan, 0], [0, 1]], method="eigh")
    assert np.isnan(x).all()
    with pytest.raises(ValueError, match="method"):
        _core.covariance_factor(np.eye(2), "qr")
    with pytest.raises(TypeError, match="cov"):
        _core.covariance_factor(np.eye(3)[:, :2], "svd")


def test_check_valid_decides_as_numpy() -> None:
    rng = np.random.default_rng(8)
    b = rng.standard_normal((6, 6))
    q, _ = np.linalg.qr(b)
    cases = [
        b @ b.T,  # positive definite
        q @ np.diag([3.0, 2.0, 1.0, 0.5, 0.0, -1e-10]) @ q.T,  # -1e-10: within tol
        q @ np.diag([3.0, 2.0, 1.0, 0.5, 0.0, -1e-3]) @ q.T,  # clearly indefinite
        np.array([[1.0, 0.0], [5.0, 1.0]]),  # not symmetric
        np.array([[1.0, 1e-12], [0.0, 1.0]]),  # nearly symmetric
    ]
    seen_verdicts = set()
    for cov in cases:
        k = cov.shape[0]
        for method in ("svd", "eigh"):
            verdicts = []
            for gen in (np.random.default_rng(0), default_rng(0)):
                with warnings.catch_warnings(record=True) as seen:
                    warnings.simplefilter("always")
                    gen.multivariate_normal(np.zeros(k), cov, method=method)
                verdicts.append(any("semidefinite" in str(x.message) for x in seen))
            assert verdicts[0] == verdicts[1], (method, cov)
            seen_verdicts.add(verdicts[0])
    assert seen_verdicts == {True, False}  # the cases warn and pass


def test_covariance_factor_same_bits_for_any_thread_count(restore_threads: None) -> None:
    # k = 600 runs QL's rotations in parallel row blocks (n (m - l) >= 2**18).
    cov = _spd(600, 5)
    results = []
    for nt in (1, 2, 3):
        ti.set_num_threads(nt)
        results.append(_core.covariance_factor(cov, "eigh")[0].tobytes())
    assert results[0] == results[1] == results[2]


def test_bulk_docstring_examples() -> None:
    """The mixin's examples (tests/test_doctests.py sees only Generator's own methods)."""
    import doctest

    from turboinit.random._bulk import BulkMethods

    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    tests = finder.find(BulkMethods, "BulkMethods", globs={})
    for test in tests:
        runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.attempted > 30
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed (above)"


# ---- applying a permutation: take_rows ---------------------------------------------------


@pytest.mark.parametrize(
    "dtype", [np.int8, np.float16, np.float64, np.complex128, bool, [("a", "i4"), ("b", "f8")]]
)
@pytest.mark.parametrize("shape", [(0,), (1,), (70_001,), (5_000, 3), (300, 2, 7)])
def test_take_rows_is_numpy_take(dtype: Any, shape: tuple, restore_threads: None) -> None:
    """_core.take_rows gives np.take(src, idx, axis=0) for any row size, on one
    thread and on two."""
    src = np.zeros(shape, dtype)
    src.view(np.uint8).reshape(-1)[:] = np.arange(src.nbytes) % 251
    idx = default_rng(50).permutation(shape[0])
    for nt in (1, 2):
        ti.set_num_threads(nt)
        out = np.empty_like(src)
        _core.take_rows(src, idx, out)
        assert out.tobytes() == np.take(src, idx, axis=0).tobytes()


def test_take_rows_refuses_bad_input() -> None:
    src = np.arange(10.0)
    with pytest.raises(IndexError, match="idx"):
        _core.take_rows(src, np.array([0, 10], np.int64), np.empty(2))
    with pytest.raises(IndexError, match="idx"):
        _core.take_rows(src, np.array([-1], np.int64), np.empty(1))
    with pytest.raises(TypeError, match="src"):
        _core.take_rows(np.array([None, 1]), np.array([0], np.int64), np.empty(1, object))
    with pytest.raises(TypeError, match="out"):
        _core.take_rows(src, np.array([0], np.int64), np.empty(1, np.float32))
    with pytest.raises(TypeError, match="idx"):
        _core.take_rows(src, np.array([0], np.int32), np.empty(1))
    with pytest.raises(ValueError, match="out"):
        _core.take_rows(src, np.array([0, 1], np.int64), np.empty(3))
    with pytest.raises(ValueError, match="src"):
        _core.take_rows(src[::2], np.array([0], np.int64), np.empty(1))
    with pytest.raises(ValueError, match="overlap"):
        _core.take_rows(src, np.array([0, 1], np.int64), src[8:])
    with pytest.raises(ValueError, match="writeable"):
        ro = np.empty(1)
        ro.flags.writeable = False
        _core.take_rows(src, np.array([0], np.int64), ro)


@pytest.mark.parametrize("n", [10, 2**16 + 3])
def test_permutation_methods_apply_the_order(n: int) -> None:
    """permutation(array), shuffle and permuted(axis=None) put x[order] in place,
    order = permutation(len) from the same state, on the fast path (C-contiguous,
    no objects) and on NumPy's (a strided view, objects)."""
    x = np.arange(2 * n, dtype=np.float64).reshape(n, 2)
    order = default_rng(51).permutation(n)
    assert np.array_equal(default_rng(51).permutation(x), x[order])
    y = x.copy()
    default_rng(51).shuffle(y)
    assert np.array_equal(y, x[order])
    strided = np.arange(3 * n)[::3]
    assert np.array_equal(default_rng(51).permutation(strided), strided[order])
    objs = np.array([str(i) for i in range(n)], dtype=object)
    assert np.array_equal(default_rng(51).permutation(objs), objs[order])
    masked = np.ma.masked_array(np.arange(float(n)), mask=np.arange(n) % 3 == 0)
    default_rng(51).shuffle(masked)
    assert np.array_equal(masked.data, np.arange(float(n))[order])
    assert np.array_equal(masked.mask, (np.arange(n) % 3 == 0)[order])
    flat = np.arange(float(n))
    assert np.array_equal(default_rng(51).permuted(flat), flat[order])
    assert np.array_equal(default_rng(51).permuted(flat, out=np.empty(n)), flat[order])


@pytest.mark.parametrize("k", [1, 2, 3, 4, 5, 6, 7, 8, 9, 17, 64])
def test_affine_rows_is_einsum_plus_mean(k: int, restore_threads: None) -> None:
    """multivariate_normal's map z A + mu in C++ has the bits of NumPy's
    einsum("...i,ij->...j", optimize=False) + mu (products summed in index
    order), on one thread and on two: each row length the core unrolls (1-8)
    and the general loop (9 and more)."""
    rng = np.random.default_rng(k)
    z, a, mu = rng.standard_normal((3001, k)), rng.standard_normal((k, k)), rng.standard_normal(k)
    ref = np.einsum("...i,ij->...j", z, a, optimize=False) + mu
    for nt in (1, 2):
        ti.set_num_threads(nt)
        x = z.copy()
        _core.affine_rows(x, a, mu)
        assert np.array_equal(x, ref)


def test_affine_rows_refuses_bad_input() -> None:
    x, a, mu = np.zeros((4, 2)), np.eye(2), np.zeros(2)
    with pytest.raises(TypeError, match="x"):
        _core.affine_rows(x.astype(np.float32), a, mu)
    with pytest.raises(TypeError, match="x"):
        _core.affine_rows(np.zeros((4, 4))[:, ::2], a, mu)
    with pytest.raises(TypeError, match="a"):
        _core.affine_rows(x, np.eye(3), mu)
    with pytest.raises(TypeError, match="mu"):
        _core.affine_rows(x, a, np.zeros(3))
    ro = np.zeros((4, 2))
    ro.flags.writeable = False
    with pytest.raises(ValueError, match="writeable"):
        _core.affine_rows(ro, a, mu)
