"""The per-call fast paths (exact ``int``/``float``/``tuple`` arguments, memoised dtypes)
give what the general paths give: the same values, bits and errors.

Each test feeds one argument both as the exact builtin type, which takes the fast path,
and as a type that takes the general path (a NumPy scalar, a subclass, a list, an array),
and compares; edge values sit where a fast path could go wrong (-0.0, NaN with its sign
bit set, integers past float64, bool, which is an int subclass).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

import turboinit as ti
from turboinit._args import real
from turboinit.random import default_rng
from turboinit.random._params import float_param, negative, not_positive

# Every IEEE class: zeros of both signs, NaN of both signs, infinities, subnormals.
EDGE_FLOATS = [
    0.0, -0.0, 1.5, -1.5, math.inf, -math.inf, math.nan, -math.nan, 5e-324, -5e-324,
]  # fmt: skip


class _Float(float):
    """A float subclass: never the fast path (``type(x) is float`` is False)."""


class _Int(int):
    """An int subclass: never the fast path."""


def _same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or (
        a == b and math.copysign(1, a) == math.copysign(1, b)
    )


@pytest.mark.parametrize("x", EDGE_FLOATS)
def test_real_float_fast_path_matches_general(x: float) -> None:
    assert _same(real(x, "v"), real(_Float(x), "v"))
    assert _same(real(x, "v"), real(np.float64(x), "v"))


@pytest.mark.parametrize(
    "n", [0, 1, -7, 2**53 + 1, -(2**63), 2**1024 - 2**970 - 1, -(2**1024 - 2**970 - 1)]
)
def test_real_int_fast_path_matches_general(n: int) -> None:
    assert real(n, "v") == real(_Int(n), "v") == float(n)


@pytest.mark.parametrize("n", [2**1024 - 2**970, 10**400, -(10**400)])
def test_real_int_beyond_float64_names_the_argument(n: int) -> None:
    with pytest.raises(OverflowError, match=r"^mean: an integer of \d+ digits is beyond") as fast:
        real(n, "mean")
    with pytest.raises(OverflowError) as general:
        real(_Int(n), "mean")
    assert str(fast.value) == str(general.value)


def test_real_bool_is_still_one() -> None:
    assert real(True, "v") == 1.0 and type(real(True, "v")) is float


@pytest.mark.parametrize("sampler", ["normal", "uniform", "truncated_normal"])
def test_sampler_bits_same_for_exact_and_numpy_scalars(sampler: str) -> None:
    f = getattr(ti, sampler)
    args = (0.25, 1.5)
    a = f(33, *args, seed=3, stream="w")
    b = f(33, *(np.float32(v) for v in args), seed=3, stream="w")
    c = f(33, *(_Float(v) for v in args), seed=3, stream="w")
    assert a.tobytes() == b.tobytes() == c.tobytes()
    d = f(33, 0, 2, seed=3, stream="w")
    e = f(33, np.int64(0), _Int(2), seed=3, stream="w")
    assert d.tobytes() == e.tobytes()


def test_sampler_region_none_is_the_whole_tensor() -> None:
    whole = ti.normal((5, 7), seed=1)
    full_region = ti.normal((5, 7), seed=1, region=(slice(None), slice(None)))
    assert whole.tobytes() == full_region.tobytes()


@pytest.mark.parametrize("x", EDGE_FLOATS)
def test_negative_and_not_positive_match_numpy(x: float) -> None:
    assert negative(x) == bool(np.any(np.signbit(x) & ~np.isnan(x)))
    assert not_positive(x) == bool(np.any(np.less_equal(x, 0)))
    arr = np.array([x])
    assert negative(x) == negative(arr) and not_positive(x) == not_positive(arr)


@pytest.mark.parametrize("x", EDGE_FLOATS)
def test_float_param_fast_path(x: float) -> None:
    assert _same(float_param(x, "p"), float_param(_Float(x), "p"))


@pytest.mark.parametrize(
    ("low", "high", "exc", "match"),
    [
        (-1e308, 1e308, OverflowError, "high - low: the range is not a finite float64"),
        (math.nan, 1.0, OverflowError, "high - low: the range is not a finite float64"),
        (0.0, math.inf, OverflowError, "high - low: the range is not a finite float64"),
        (1.0, 0.0, ValueError, r"high - low < 0: need low <= high"),
    ],
)
def test_generator_uniform_scalar_checks_match_array_checks(
    low: float, high: float, exc: type, match: str
) -> None:
    rng = default_rng(0)
    with pytest.raises(exc, match=match):
        rng.uniform(low, high, 4)
    with pytest.raises(exc, match=match):
        rng.uniform(np.array([low]), np.array([high]), 1)
    assert rng.bit_generator.state["state"]["counter"] == 0  # nothing reserved


def test_generator_scalar_params_same_bits_as_numpy_scalars() -> None:
    for method, args in [("normal", (0.5, 2.0)), ("uniform", (-1.0, 3.0))]:
        a = getattr(default_rng(5), method)(*args, 17)
        b = getattr(default_rng(5), method)(*(np.float64(v) for v in args), 17)
        c = getattr(default_rng(5), method)(*(_Float(v) for v in args), 17)
        assert a.tobytes() == b.tobytes() == c.tobytes()
        s1, s2 = getattr(default_rng(5), method)(*args), getattr(default_rng(5), method)(*args)
        assert type(s1) is float and s1 == s2


@pytest.mark.parametrize("scale", [-0.0, -1.0, -math.inf])
def test_generator_negative_scale_refused(scale: float) -> None:
    rng = default_rng(0)
    with pytest.raises(ValueError, match="scale < 0"):
        rng.normal(0.0, scale, 3)
    with pytest.raises(ValueError, match="scale < 0"):
        rng.exponential(scale, 3)


def test_generator_nan_parameters_give_nan_as_numpy() -> None:
    rng = default_rng(0)
    assert np.isnan(rng.normal(0.0, math.nan, 4)).all()
    assert np.isnan(rng.normal(math.nan, 1.0, 4)).all()
    assert np.isnan(rng.normal(0.0, -math.nan, 4)).all()  # NaN passes the sign check


def test_integers_scalar_bounds_same_as_numpy_int_bounds() -> None:
    a = default_rng(2).integers(-5, 1000, 40)
    b = default_rng(2).integers(np.int64(-5), np.int16(1000), 40)
    c = default_rng(2).integers(_Int(-5), _Int(1000), 40)
    assert a.tobytes() == b.tobytes() == c.tobytes()


@pytest.mark.parametrize("low, high", [(True, 5), (0, True), (0, 1.0)])
def test_integers_non_int_bounds_take_the_general_path(low: Any, high: Any) -> None:
    a = default_rng(2).integers(low, high, 8)
    b = default_rng(2).integers(int(low), int(high), 8)
    assert a.tobytes() == b.tobytes()


def test_integers_dtype_memo_keeps_python_types() -> None:
    rng = default_rng(0)
    for _ in range(2):  # the second call reads the memo
        assert type(rng.integers(5, dtype=int)) is int
        assert type(rng.integers(2, dtype=bool)) is bool
        assert type(rng.integers(5)) is np.int64
        assert type(rng.integers(5, dtype="int8")) is np.int8
    with pytest.raises(TypeError, match="dtype: unsupported"):
        rng.integers(5, dtype="float32")
    with pytest.raises(TypeError, match="dtype: unsupported"):  # refusals are not memoised
        rng.integers(5, dtype="float32")


def test_integers_bounds_errors_unchanged() -> None:
    rng = default_rng(0)
    with pytest.raises(ValueError, match="^low >= high$"):
        rng.integers(5, 5)
    with pytest.raises(ValueError, match="^high <= 0$"):
        rng.integers(0)
    with pytest.raises(ValueError, match="^high is out of bounds for int8$"):
        rng.integers(0, 129, dtype=np.int8)
    with pytest.raises(ValueError, match="^low is out of bounds for uint8$"):
        rng.integers(-1, 5, dtype=np.uint8)


def test_fan_axes_fast_path_matches_sequences() -> None:
    shape = (3, 3, 8, 16)
    a = ti.compute_fans(shape, layout="jax", in_axis=-2, out_axis=-1, batch_axis=())
    b = ti.compute_fans(shape, layout="jax", in_axis=[-2], out_axis=np.int64(-1), batch_axis=[])
    assert a == b == (72, 144)
    with pytest.raises(TypeError, match="in_axis: expected an int or a sequence of ints, got bool"):
        ti.compute_fans(shape, layout="jax", in_axis=True)
    with pytest.raises(TypeError, match="in_axis: axes must be ints, got bool"):
        ti.compute_fans(shape, layout="jax", in_axis=(True,))


@pytest.mark.parametrize("param", [0.2, 0, 1, np.float32(0.2), _Float(0.2)])
def test_leaky_relu_gain_fast_path(param: float) -> None:
    assert ti.calculate_gain("leaky_relu", param) == math.sqrt(2.0 / (1 + float(param) ** 2))


@pytest.mark.parametrize("param", [True, "0.2", None])
def test_leaky_relu_gain_refusals_unchanged(param: Any) -> None:
    if param is None:
        assert ti.calculate_gain("leaky_relu", param) == math.sqrt(2.0 / (1 + 0.01**2))
        return
    with pytest.raises(ValueError, match="not a valid number"):
        ti.calculate_gain("leaky_relu", param)


def test_generator_out_checks_unchanged() -> None:
    rng = default_rng(0)
    swapped = np.empty(3, ">f8" if np.little_endian else "<f8")
    read_only = np.empty(3)
    read_only.flags.writeable = False
    cases = [
        (swapped, ValueError, "out: must be in native byte order"),
        (np.empty(3, np.float32), TypeError, "out: has dtype float32, expected float64"),
        (read_only, ValueError, "out: must be writeable"),
        (np.empty(6)[::2], ValueError, "out: must be C- or F-contiguous"),
    ]
    for out, exc, match in cases:
        with pytest.raises(exc, match=match):
            rng.random(out=out)
    # An equal dtype that is not the same object takes the full check, and passes.
    meta = np.empty((2, 3), dtype=np.dtype(np.float64, metadata={"k": 1}), order="F")
    assert rng.standard_normal(out=meta) is meta
    assert rng.bit_generator.state["state"]["counter"] == 16  # one group: the refusals took none


def test_binomial_bad_p_before_bad_n() -> None:
    g = default_rng(0)
    for n in (-1, np.int64(-1)):  # fast and general path: p is read first, as before
        with pytest.raises(ValueError, match="^p: could not convert"):
            g.binomial(n, "x")


SCALAR_CALLS = [
    ("random", (), {}),
    ("standard_normal", (), {}),
    ("uniform", (), {}),
    ("uniform", (-2.0, 3.0), {}),
    ("uniform", (1.0, 1.0), {}),
    ("uniform", (-1e308, 1e307), {}),
    ("normal", (), {}),
    ("normal", (5.0, 0.5), {}),
    ("normal", (-0.0, 0.0), {}),
    ("normal", (1e297, 1e297), {}),
    ("normal", (1e308, 1e308), {}),  # the general path (may overflow to inf)
    ("normal", (math.nan, 1.0), {}),
    ("normal", (0.0, math.inf), {}),
]


@pytest.mark.parametrize(("method", "args", "kwargs"), SCALAR_CALLS)
@pytest.mark.parametrize("size", [None, 1, 16, 4096, 4097])
def test_scalar_and_small_match_general(
    method: str, args: tuple[Any, ...], kwargs: dict[str, Any], size: Any
) -> None:
    # dtype="float64" (a string) and a tuple size take the general path.
    fast, general = _fast_matches_general(3, method, args, kwargs, {"dtype": "float64"}, size)
    assert (
        np.asarray(getattr(default_rng(3), method)(*args, size=size, **kwargs)).dtype == np.float64
    )
    assert fast.exponential(1.0, 5).tolist() == general.exponential(1.0, (5,)).tolist()


def _fast_matches_general(
    seed: int,
    method: str,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    general_kwargs: dict[str, Any],
    size: Any,
) -> tuple[Any, Any]:
    """Two calls of ``method`` at ``size`` (None or an int: the fast paths) give the
    values, types and counter use of the general path (a tuple size, plus
    ``general_kwargs``) from the same seed; returns both generators."""
    fast, general = default_rng(seed), default_rng(seed)
    for _ in range(2):
        x = getattr(fast, method)(*args, size=size, **kwargs)
        y = getattr(general, method)(
            *args, size=(1,) if size is None else (size,), **kwargs, **general_kwargs
        )
        if size is None:
            assert type(x) is type(y.item())  # int for the integer kinds, else float
            assert _same(float(x), float(y[0]))
        else:
            assert x.dtype == y.dtype and x.shape == y.shape
            np.testing.assert_array_equal(x, y)
    # The counter advanced alike: the state is equal.
    assert fast.bit_generator.state == general.bit_generator.state
    return fast, general


def test_scalar_errors_unchanged() -> None:
    g = default_rng(0)
    for method, args in (
        ("uniform", (1.0, 0.0)), ("uniform", (-1e308, 1e308)), ("uniform", (0.0, math.nan)),
        ("normal", (0.0, -0.0)), ("normal", (0.0, -1.0)),
    ):  # fmt: skip
        with pytest.raises((ValueError, OverflowError)) as fast:
            getattr(g, method)(*args)
        with pytest.raises((ValueError, OverflowError)) as general:
            getattr(g, method)(*args, size=1)
        assert type(fast.value) is type(general.value)
        assert str(fast.value) == str(general.value)


def test_reserve_at_the_counter_end() -> None:
    rng = default_rng(26)
    rng.state = {**rng.state, "counter": 2**64 - 32}
    bg = rng.bit_generator
    assert bg.reserve(16) == 2**64 - 32
    assert bg.reserve_keyed(16)[2] == 2**64 - 16
    assert bg.reserve(0) == 2**64 == rng.state["counter"]
    with pytest.raises(
        OverflowError, match=r"^counter: 1 more blocks .* \(at 18446744073709551616\)"
    ):
        bg.reserve(1)
    fresh = default_rng(26).bit_generator
    with pytest.raises(
        OverflowError, match=r"^counter: 36893488147419103232 more blocks .*\(at 0\)"
    ):
        fresh.reserve(2**65)
    assert fresh.reserve(2**64 - 1) == 0 and fresh.reserve(1) == 2**64 - 1
    with pytest.raises(ValueError, match="^blocks: must be >= 0"):
        fresh.reserve(-1)


@pytest.mark.parametrize(
    "args",
    [(10,), (0, 1), (-5, 5), (-(2**63), 2**63), (2**63 - 1, 2**63), (3, 2**40), (-(2**63), 0)],
)
def test_integers_scalar_is_the_one_element_array(args: tuple[int, ...]) -> None:
    a, b = default_rng(5), default_rng(5)
    for _ in range(3):
        x = a.integers(*args)
        y = b.integers(*args, size=(1,))
        assert type(x) is np.int64 and x == y[0]
    assert a.bit_generator.state == b.bit_generator.state


@pytest.mark.parametrize("args", [(0,), (-1,), (5, 5), (6, 5), (-(2**63) - 1, 0), (0, 2**63 + 1)])
def test_integers_scalar_errors_unchanged(args: tuple[int, ...]) -> None:
    g = default_rng(0)
    with pytest.raises(ValueError) as fast:
        g.integers(*args)
    with pytest.raises(ValueError) as general:
        g.integers(*args, size=1)
    assert str(fast.value) == str(general.value)


# ---- Generator's small-call path of the bulk methods (_bulk_small) ------------------------

# (method, parameters, keywords): every bulk method that takes only scalar parameters, and
# edge parameters where a fast path could differ from the general one.
_BULK_CALLS: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = [
    ("standard_exponential", (), {}),
    ("standard_exponential", (), {"dtype": np.float32}),
    ("exponential", (2.0,), {}),
    ("exponential", (0.0,), {}),
    ("exponential", (math.nan,), {}),
    ("laplace", (1.0, 2.0), {}),
    ("logistic", (1.0, 2.0), {}),
    ("gumbel", (1.0, 2.0), {}),
    ("standard_cauchy", (), {}),
    ("rayleigh", (2.0,), {}),
    ("lognormal", (0.5, 1.5), {}),
    ("weibull", (1.5,), {}),
    ("weibull", (0.0,), {}),
    ("pareto", (2.5,), {}),
    ("power", (2.5,), {}),
    ("geometric", (0.3,), {}),
    ("geometric", (1.0,), {}),
    ("standard_gamma", (0.7,), {}),
    ("standard_gamma", (2.5,), {"dtype": np.float32}),
    ("gamma", (2.5, 2.0), {}),
    ("chisquare", (3.0,), {}),
    ("beta", (0.5, 2.0), {}),
    ("standard_t", (4.0,), {}),
    ("poisson", (0.0,), {}),
    ("poisson", (4.0,), {}),
    ("poisson", (40.0,), {}),
    ("binomial", (10, 0.3), {}),
    ("binomial", (1000, 0.4), {}),
    ("binomial", (0, 0.3), {}),
    ("binomial", (2**62, 1.0), {}),
    ("binomial", (np.int64(20), 0.3), {}),
]


@pytest.mark.parametrize(("method", "params", "kwargs"), _BULK_CALLS)
@pytest.mark.parametrize("size", [None, 1, 16, 4096, 4097])
def test_bulk_small_path_matches_general(
    method: str, params: tuple[Any, ...], kwargs: dict[str, Any], size: Any
) -> None:
    # A tuple size (and an array out of a 1-tuple) takes the general path.
    fast, general = _fast_matches_general(7, method, params, kwargs, {}, size)
    assert fast.random() == general.random()
    np.testing.assert_array_equal(
        getattr(fast, method)(*params, 3, **kwargs),
        getattr(general, method)(*params, (3,), **kwargs),
    )


@pytest.mark.parametrize(
    ("method", "params", "exc", "message"),
    [
        ("exponential", (-1.0,), ValueError, "scale < 0"),
        ("exponential", (-0.0,), ValueError, "scale < 0"),
        ("poisson", (-1.0,), ValueError, "lam < 0 or lam is NaN"),
        ("poisson", (math.nan,), ValueError, "lam < 0 or lam is NaN"),
        ("poisson", (1e19,), ValueError, "lam value too large"),
        ("poisson", (1e300,), ValueError, "lam value too large"),
        ("beta", (0.0, 1.0), ValueError, "a <= 0"),
        ("geometric", (0.0,), ValueError, "p <= 0, p > 1 or p contains NaNs"),
        ("geometric", (math.nan,), ValueError, "p <= 0, p > 1 or p contains NaNs"),
        ("binomial", (-1, math.nan), ValueError, None),  # n first (NumPy checks p first)
        ("binomial", (-1, 0.5), ValueError, "n < 0"),
        ("binomial", (5, 1.5), ValueError, "p < 0, p > 1 or p is NaN"),
        ("binomial", (5, math.nan), ValueError, "p < 0, p > 1 or p is NaN"),
        ("binomial", (5, -0.1), ValueError, "p < 0, p > 1 or p is NaN"),
        ("gamma", ("x", 1.0), ValueError, None),
        ("exponential", ("2.0",), TypeError, None),
    ],
)
def test_bulk_scalar_errors_as_array_errors(
    method: str, params: tuple[Any, ...], exc: type[Exception], message: str | None
) -> None:
    rng = default_rng(0)
    before = rng.state["counter"]
    with pytest.raises(exc) as scalar:
        getattr(rng, method)(*params)
    if message is not None:
        assert str(scalar.value) == message
        # The same refusal for the parameters as arrays (the general checks) and in NumPy.
        with pytest.raises(exc, match=f"^{message}$"):
            getattr(rng, method)(*[np.array([p]) for p in params])
        with pytest.raises(exc, match=f"^{message}$"):
            getattr(np.random.default_rng(0), method)(*params)
    assert rng.state["counter"] == before  # nothing was reserved


@pytest.mark.parametrize("n", [2**63 - 1, 2**63, -(2**63), -(2**63) - 1, 2**70])
def test_binomial_int_edges_same_as_general_path(n: int) -> None:
    # A NumPy integer (or an object array) takes the general conversion.
    general_n = np.array(n, dtype=object) if not -(2**63) <= n < 2**64 else np.asarray(n)[()]
    outcomes = []
    for arg in (n, general_n):
        try:
            outcomes.append(("value", default_rng(0).binomial(arg, 0.0)))
        except (OverflowError, ValueError) as exc:
            outcomes.append((type(exc).__name__, str(exc)))
    assert outcomes[0] == outcomes[1]


@pytest.mark.parametrize("method", ["random", "standard_normal"])
@pytest.mark.parametrize(
    ("size", "exc"), [(-1, ValueError), (1.5, TypeError), (True, TypeError), ("3", TypeError)]
)
def test_random_small_path_size_errors_as_numpy(method: str, size: Any, exc: type) -> None:
    with pytest.raises(exc):
        getattr(default_rng(0), method)(size)
    with pytest.raises(exc):
        getattr(np.random.default_rng(0), method)(size)


def test_random_size_zero_and_out_take_the_general_path() -> None:
    rng = default_rng(0)
    before = rng.state["counter"]
    assert rng.random(0).shape == (0,) and rng.exponential(2.0, 0).shape == (0,)
    assert rng.state["counter"] == before
    out = np.empty(4)
    assert rng.random(out=out) is out
