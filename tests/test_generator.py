"""turboinit.random.Generator: distributions, the integers sampler and its
counter layout, state and replay, pickling, spawning, threads, determinism.

Statistical tests use fixed seeds and fail only below p = 1e-4 (KS and
chi-square), or beyond 5 standard errors (moments, bit frequencies)."""

from __future__ import annotations

import copy
import pickle
import threading
from typing import Any

import numpy as np
import pytest

import turboinit
from turboinit import _core
from turboinit.random import Generator, default_rng, philox4x32

stats = pytest.importorskip("scipy.stats")

P_MIN = 1e-4
N = 100_000
M32 = 0xFFFFFFFF


def ks_p(x: np.ndarray, cdf: Any) -> float:
    return float(stats.kstest(np.asarray(x, np.float64).ravel(), cdf).pvalue)


def chi2_p(counts: np.ndarray) -> float:
    return float(stats.chisquare(counts).pvalue)


def moments_ok(x: np.ndarray, mean: float, std: float) -> None:
    """Sample mean and variance within 5 standard errors (normal data)."""
    x = np.asarray(x, np.float64).ravel()
    n = x.size
    assert abs(x.mean() - mean) < 5 * std / np.sqrt(n)
    assert abs(x.var() - std**2) < 5 * std**2 * np.sqrt(2.0 / n)


# ---- floats ------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_random_is_uniform(dtype: Any) -> None:
    x = default_rng(1).random(N, dtype=dtype)
    assert x.dtype == dtype and x.min() >= 0 and x.max() < 1
    assert ks_p(x, "uniform") > P_MIN


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_standard_normal(dtype: Any) -> None:
    x = default_rng(2).standard_normal(N, dtype=dtype)
    assert ks_p(x, "norm") > P_MIN


def test_uniform_scalar_and_array_parameters() -> None:
    rng = default_rng(3)
    x = rng.uniform(-2.0, 5.0, N)
    assert x.min() >= -2 and x.max() < 5
    assert ks_p(x, stats.uniform(-2, 7).cdf) > P_MIN
    low, high = np.array([0.0, -10.0, 1e6]), np.array([[1.0], [2.0]]) + np.array([0.0, 0.0, 1e6])
    y = rng.uniform(low, high, size=(N // 6, 2, 3))
    b_low, b_high = np.broadcast_arrays(low, high)
    for i in range(2):
        for j in range(3):
            lo, hi = b_low[i, j], b_high[i, j]
            col = y[:, i, j]
            assert col.min() >= lo and col.max() < hi
            assert ks_p(col, stats.uniform(lo, hi - lo).cdf) > P_MIN


def test_normal_scalar_and_array_parameters() -> None:
    rng = default_rng(4)
    assert ks_p(rng.normal(3.0, 0.5, N), stats.norm(3.0, 0.5).cdf) > P_MIN
    loc, scale = np.array([-5.0, 0.0, 7.0]), np.array([[0.1], [3.0]])
    y = rng.normal(loc, scale, size=(N // 6, 2, 3))
    for i in range(2):
        for j in range(3):
            assert ks_p(y[:, i, j], stats.norm(loc[j], scale[i, 0]).cdf) > P_MIN


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_half_precision_normal_and_uniform(dtype: str) -> None:
    if dtype == "bfloat16":
        pytest.importorskip("ml_dtypes")
    rng = default_rng(5)
    x = rng.normal(1.0, 2.0, N, dtype=dtype)
    assert x.dtype.name == dtype
    moments_ok(x, 1.0, 2.0)
    u = rng.uniform(-1.0, 1.0, N, dtype=dtype).astype(np.float64)
    assert u.min() >= -1 and u.max() < 1
    assert abs(u.mean()) < 5 * np.sqrt(1 / 3 / N)
    ua = rng.uniform(np.array([-1.0, 10.0]), np.array([1.0, 12.0]), (N // 2, 2), dtype=dtype)
    ua = ua.astype(np.float64)
    assert ua[:, 0].min() >= -1 and ua[:, 0].max() < 1
    assert ua[:, 1].min() >= 10 and ua[:, 1].max() < 12


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("lower, upper", [(-2.0, 2.0), (0.5, np.inf), (-np.inf, -3.0), (6.0, 9.0)])
def test_truncated_normal(dtype: Any, lower: float, upper: float) -> None:
    rng = default_rng(6)
    x = rng.truncated_normal(1.0, 2.0, lower, upper, N, dtype=dtype)
    assert x.min() >= 1 + 2 * lower and x.max() <= 1 + 2 * upper
    assert ks_p(x, stats.truncnorm(lower, upper, loc=1.0, scale=2.0).cdf) > P_MIN


def test_truncated_normal_array_parameters() -> None:
    rng = default_rng(7)
    loc, scale = np.array([0.0, 50.0]), np.array([1.0, 0.02])
    y = rng.truncated_normal(loc, scale, -1.0, 3.0, size=(N // 2, 2))
    for j in range(2):
        col = y[:, j]
        assert col.min() >= loc[j] - scale[j] and col.max() <= loc[j] + 3 * scale[j]
        assert ks_p(col, stats.truncnorm(-1.0, 3.0, loc=loc[j], scale=scale[j]).cdf) > P_MIN


def test_normal_beyond_the_dtype_range_gives_inf_as_numpy() -> None:
    x = default_rng(8).normal(0.0, 1e308, 1000)
    assert np.isinf(x).any() and np.isfinite(x).any()
    h = default_rng(8).normal(0.0, 1e5, 1000, dtype="float16")
    assert np.isinf(h).any()


# ---- array parameters: the same bits as scalars ------------------------------------


def replay(rng: Generator, f1: Any, f2: Any) -> tuple[np.ndarray, np.ndarray]:
    s = rng.state
    a = f1()
    rng.state = s
    return a, f2()


@pytest.mark.parametrize("dtype", ["float64", "float32", "float16", "bfloat16"])
def test_array_parameters_match_scalar_parameters_bitwise(dtype: str) -> None:
    if dtype == "bfloat16":
        pytest.importorskip("ml_dtypes")
    rng = default_rng(9)
    shape = (300, 7)
    a, b = replay(
        rng,
        lambda: rng.normal(3.0, 2.0, shape, dtype=dtype),
        lambda: rng.normal(np.full(7, 3.0), [[2.0]], shape, dtype=dtype),
    )
    assert np.array_equal(a, b)
    a, b = replay(
        rng,
        lambda: rng.uniform(-3.0, 2.5, shape, dtype=dtype),
        lambda: rng.uniform(np.full((300, 1), -3.0), 2.5, shape, dtype=dtype),
    )
    assert np.array_equal(a, b)
    a, b = replay(
        rng,
        lambda: rng.truncated_normal(1.0, 0.5, -2.0, 2.0, shape, dtype=dtype),
        lambda: rng.truncated_normal(np.full(7, 1.0), 0.5, -2.0, 2.0, shape, dtype=dtype),
    )
    assert np.array_equal(a, b)


def test_fortran_out_is_filled_in_memory_order() -> None:
    rng = default_rng(10)
    f = np.empty((40, 30), order="F")
    a, b = replay(rng, lambda: rng.random(out=f), lambda: rng.random(1200))
    assert a is f and np.array_equal(f.ravel(order="K"), b)
    f32 = np.empty((40, 30), np.float32, order="F")
    a, b = replay(
        rng,
        lambda: rng.truncated_normal(np.zeros((40, 1)), 1.0, out=f32, dtype=np.float32),
        lambda: rng.truncated_normal(0.0, 1.0, size=1200, dtype=np.float32),
    )
    assert a is f32 and np.array_equal(f32.ravel(order="K"), b.reshape(30, 40).T.ravel(order="K"))


# ---- integers ----------------------------------------------------------------


def reference_integers(key: list[int], offset: int, n: int, low: int, span: int) -> list[int]:
    """The documented counter layout and Lemire's method, in plain Python."""
    wide = span >= 2**32
    c, bits, s = (2, 64, (span + 1) % 2**64) if wide else (4, 32, span + 1)
    values = []
    for i in range(n):
        g, r = divmod(i, 16 * c)
        block, k = offset + 16 * g + r % 16, r // 16
        attempt = 0
        while True:
            w = [int(v) for v in philox4x32([block & M32, block >> 32, attempt, 0], key)]
            x = (w[2 * k] << 32) | w[2 * k + 1] if wide else w[k]
            if s == 0:
                v = x
                break
            m = x * s
            v, lo = m >> bits, m & (2**bits - 1)
            if lo >= 2**bits % s:
                break
            attempt += 1
        values.append(low + v)
    return values


@pytest.mark.parametrize(
    "low, high, dtype",
    [
        (0, 2**31 + 1, np.int64),  # narrow, rejects almost half the candidates
        (-7, 3, np.int8),
        (0, 2**32, np.uint32),  # full 32-bit range: the word itself
        (-(2**63), 2**63 - 2**61 + 1, np.int64),  # wide, rejection rate ~ 1/7
        (0, 2**63 + 1, np.uint64),  # wide, rejects almost half
        (0, 2**64, np.uint64),  # full 64-bit range
    ],
)
def test_integers_known_answers_from_the_counter_layout(low: int, high: int, dtype: Any) -> None:
    rng = default_rng(11)
    rng.random(5)  # start at a non-zero counter
    state = rng.state
    x = rng.integers(low, high, size=150, dtype=dtype)
    expected = reference_integers(state["key"], state["counter"], 150, low, high - 1 - low)
    assert [int(v) for v in x] == expected


def test_integers_small_ranges_chi_square() -> None:
    rng = default_rng(12)
    for low, high, dtype in [(0, 7, np.int64), (-3, 4, np.int8), (10, 16, np.uint16)]:
        x = rng.integers(low, high, N, dtype=dtype)
        assert x.min() == low and x.max() == high - 1
        assert chi2_p(np.bincount((x - low).astype(np.int64), minlength=high - low)) > P_MIN
    x = rng.integers(-3, 3, N, dtype=np.int8, endpoint=True)
    assert chi2_p(np.bincount(x.astype(np.int64) + 3)) > P_MIN
    b = rng.integers(0, 2, N, dtype=bool)
    assert b.dtype == np.bool_ and chi2_p(np.bincount(b.astype(np.int64))) > P_MIN
    # array bounds: each column has its own range
    y = rng.integers([0, 5], [3, 12], size=(N // 2, 2))
    assert chi2_p(np.bincount(y[:, 0])) > P_MIN
    assert chi2_p(np.bincount(y[:, 1] - 5)) > P_MIN


@pytest.mark.parametrize("scale_bits", [30, 62])
@pytest.mark.parametrize("array_bounds", [False, True])
def test_integers_no_modulo_bias(scale_bits: int, array_bounds: bool) -> None:
    """Range s = 3 * 2**k: ``x % s`` would put half the mass in the first
    third, and ``(x * s) >> bits`` without rejection would put half of it
    on multiples of 3; both are far outside the chi-square tolerance."""
    s = 3 * 2**scale_bits
    rng = default_rng(13)
    high: Any = np.full(4, s, dtype=np.uint64) if array_bounds else s
    x = rng.integers(0, high, size=(N // 4, 4), dtype=np.uint64).ravel()
    assert chi2_p(np.bincount((x // (s // 3)).astype(np.int64), minlength=3)) > P_MIN
    assert chi2_p(np.bincount((x % 3).astype(np.int64), minlength=3)) > P_MIN


@pytest.mark.parametrize("dtype, low, high", [(np.uint64, 0, 2**64), (np.int64, -(2**63), 2**63)])
def test_integers_full_64_bit_range_bit_balance(dtype: Any, low: int, high: int) -> None:
    x = default_rng(14).integers(low, high, size=2**16, dtype=dtype).view(np.uint64)
    bits = (x[:, None] >> np.arange(64, dtype=np.uint64)) & np.uint64(1)
    z = (bits.sum(axis=0) - x.size / 2) / np.sqrt(x.size / 4)
    assert np.abs(z).max() < 5


def test_integers_huge_range_is_uniform() -> None:
    s = 10**19  # wide (> 2**32), not a power of two
    x = default_rng(15).integers(0, s, size=N, dtype=np.uint64)
    assert ks_p(x.astype(np.float64) / s, "uniform") > P_MIN


def test_integers_values_depend_on_the_range_not_the_dtype() -> None:
    rng = default_rng(16)
    results = []
    for dtype in [np.int8, np.int16, np.int32, np.int64, np.uint16, np.uint64]:
        low = 0 if np.dtype(dtype).kind == "u" else -50
        s = rng.state
        results.append(rng.integers(low, low + 100, size=500, dtype=dtype).astype(np.int64) - low)
        rng.state = s
    assert all(np.array_equal(r, results[0]) for r in results)


@pytest.mark.parametrize(
    "dtype", [np.int8, np.uint8, np.int32, np.uint32, np.int64, np.uint64, bool]
)
def test_integers_array_bounds_match_scalar_bounds(dtype: Any) -> None:
    info = np.iinfo(dtype) if dtype is not bool else None
    low, high = (0, 1) if info is None else (int(info.min), int(info.max))
    rng = default_rng(17)
    a, b = replay(
        rng,
        lambda: rng.integers(low, high, size=(50, 9), dtype=dtype, endpoint=True),
        lambda: rng.integers(np.full(9, low), high, size=(50, 9), dtype=dtype, endpoint=True),
    )
    assert np.array_equal(a, b)


def test_integers_per_element_ranges_mixed_narrow_and_wide() -> None:
    rng = default_rng(18)
    low = np.array([-5, 0, -(2**63)], dtype=np.int64)
    high = np.array([5, 2**40, 2**63 - 1], dtype=np.uint64)
    x = rng.integers(low, high, size=(20_000, 3), endpoint=True)
    for j in range(3):
        assert x[:, j].min() >= low[j] and int(x[:, j].max()) <= int(high[j])
    assert chi2_p(np.bincount(x[:, 0] + 5)) > P_MIN
    assert ks_p(x[:, 1] / 2.0**40, "uniform") > P_MIN


def test_integers_core_is_deterministic_across_kernels_threads_and_regions() -> None:
    kernels = turboinit.build_info()["kernels_supported"]
    before = turboinit.build_info()["kernel"]
    shape, n = (515, 301), 515 * 301  # > 2 parallel chunks
    start, extent = (100, 37), (300, 200)
    cases = [(0, 2**31), (2**62, 3 * 2**62 - 1), (5, 2**63 + 7), (0, 2**64 - 1)]  # (low, span)
    try:
        results: dict[Any, list[np.ndarray]] = {}
        for kernel in kernels:
            _core.set_kernel(kernel)
            for nt in (1, 2):
                turboinit.set_num_threads(nt)
                got = []
                for low, span in cases:
                    full = np.empty(shape, np.uint64)
                    _core.integers(full, 7, shape, (0, 0), shape, 1, 2, 48, low, span)
                    part = np.empty(extent, np.uint64)
                    _core.integers(part, 7, shape, start, extent, 1, 2, 48, low, span)
                    assert np.array_equal(part, full[100:400, 37:237])
                    spans = np.full(shape, span, np.uint64)
                    _core.integers_in_place(spans, 7, shape, (0, 0), shape, 1, 2, 48, span >= 2**32)
                    assert np.array_equal(spans + np.uint64(low), full)
                    got.append(full)
                results[kernel, nt] = got
        first = next(iter(results.values()))
        for got in results.values():
            assert all(np.array_equal(a, b) for a, b in zip(got, first))
        assert first[0].size == n
    finally:
        _core.set_kernel(before)
        turboinit.set_num_threads(None)


def test_integers_core_rejects_bad_spans_and_bounds() -> None:
    out = np.full(8, 2**32, np.uint64)
    with pytest.raises(ValueError, match="span"):
        _core.integers_in_place(out, 7, (8,), (0,), (8,), 1, 2, 0, False)
    with pytest.raises(ValueError, match="span"):
        _core.integers_in_place(np.full(8, 2, np.uint8), 8, (8,), (0,), (8,), 1, 2, 0, False)
    with pytest.raises(ValueError, match="high is out of bounds for int8"):
        _core.integers(np.empty(8, np.int8), 0, (8,), (0,), (8,), 1, 2, 0, 0, 128)
    with pytest.raises(ValueError, match="low is out of bounds for uint16"):
        _core.integers(np.empty(8, np.uint16), 5, (8,), (0,), (8,), 1, 2, 0, 2**16, 0)
    with pytest.raises(TypeError, match="item size"):
        _core.integers(np.empty(8, np.int32), 3, (8,), (0,), (8,), 1, 2, 0, 0, 5)


# ---- state, replay, counter ------------------------------------------------------


def test_consecutive_calls_differ_and_tile_one_call() -> None:
    rng = default_rng(19)
    a, b = rng.random(64, dtype=np.float32), rng.random(64, dtype=np.float32)
    assert not np.array_equal(a, b)
    # 64 float32 values fill one group of 16 blocks exactly: two calls = one call of 128
    assert np.array_equal(np.concatenate([a, b]), default_rng(19).random(128, dtype=np.float32))


def test_first_call_matches_the_functional_api() -> None:
    x = default_rng(20).standard_normal(1000, dtype=np.float32)
    assert np.array_equal(x, turboinit.normal(1000, seed=20))


@pytest.mark.parametrize(
    "call, blocks",
    [
        (lambda r: r.random(), 16),
        (lambda r: r.random(33), 32),  # float64: 2 per block -> 17 blocks -> 2 groups
        (lambda r: r.random(64, dtype=np.float32), 16),
        (lambda r: r.random(65, dtype=np.float32), 32),
        (lambda r: r.integers(10, size=64), 16),
        (lambda r: r.integers(2**40, size=33), 32),  # wide: 2 per block
        (lambda r: r.truncated_normal(size=17), 32),  # reserved for the 1-per-block proposals
        (lambda r: r.random(0), 0),
    ],
)
def test_counter_reservation(call: Any, blocks: int) -> None:
    rng = default_rng(21)
    call(rng)
    assert rng.state["counter"] == blocks


def test_failed_calls_do_not_advance_the_counter() -> None:
    rng = default_rng(22)
    for bad in [
        lambda: rng.integers(5, 5),
        lambda: rng.normal(0, -1, 10),
        lambda: rng.uniform(1e-10, 2e-10, 10, dtype="float16"),
        lambda: rng.truncated_normal(0, 1, 2, 1, 10),
        lambda: rng.random(10, dtype=np.int32),
    ]:
        with pytest.raises((ValueError, TypeError)):
            bad()
    assert rng.state["counter"] == 0


def test_state_replays() -> None:
    rng = default_rng(23)
    rng.normal(size=7)
    s = rng.state
    a = [
        rng.random(5),
        rng.integers(-3, 2**40, 9),
        rng.normal([1.0, 2.0], 3.0),
        rng.truncated_normal(),
    ]
    rng.state = s
    b = [
        rng.random(5),
        rng.integers(-3, 2**40, 9),
        rng.normal([1.0, 2.0], 3.0),
        rng.truncated_normal(),
    ]
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    other = default_rng(0)
    other.state = s  # the state carries the key, not only the counter
    assert np.array_equal(other.random(5), a[0])


def test_state_is_checked() -> None:
    rng = default_rng(24)
    good = rng.state
    for change, err in [
        ({"key": [1, 2]}, ValueError),
        ({"counter": -1}, ValueError),
        ({"counter": 2**64 + 1}, ValueError),
        ({"counter": 1.5}, TypeError),
        ({"bit_generator": "PCG64"}, ValueError),
        ({"seed_seq": {"entropy": 1}}, ValueError),
    ]:
        with pytest.raises(err):
            rng.state = {**good, **change}
    with pytest.raises(ValueError, match="missing"):
        rng.state = {"counter": 0}
    with pytest.raises(TypeError):
        rng.state = [1, 2]  # type: ignore[assignment]
    assert rng.state == good


def test_pickle_and_copy_round_trip() -> None:
    rng = default_rng(25)
    rng.random(3)
    clone = pickle.loads(pickle.dumps(rng))
    deep = copy.deepcopy(rng)
    assert clone.state == rng.state == deep.state
    x = rng.integers(100, size=10)
    assert np.array_equal(clone.integers(100, size=10), x)
    assert np.array_equal(deep.integers(100, size=10), x)
    assert [c.random() for c in clone.spawn(2)] == [c.random() for c in rng.spawn(2)]


def test_counter_overflow() -> None:
    rng = default_rng(26)
    rng.state = {**rng.state, "counter": 2**64 - 16}
    with pytest.raises(OverflowError, match="counter"):
        rng.integers(10, size=65)  # 17 blocks -> 32 reserved
    assert rng.state["counter"] == 2**64 - 16
    assert rng.integers(10, size=64).shape == (64,)  # exactly the last group
    assert rng.state["counter"] == 2**64
    assert rng.random(0).shape == (0,)
    with pytest.raises(OverflowError):
        rng.random()


def test_seed_sequence_and_spawn() -> None:
    ss = np.random.SeedSequence(1234)
    assert np.array_equal(default_rng(ss).random(4), default_rng(1234).random(4))
    parent = default_rng(27)
    children = parent.spawn(3)
    assert [c.seed_seq.spawn_key for c in children] == [(0,), (1,), (2,)]
    keys = {tuple(c.state["key"]) for c in children} | {tuple(parent.state["key"])}
    keys |= {tuple(default_rng(27 + i).state["key"]) for i in range(1, 4)}  # never seed + i
    assert len(keys) == 7
    later = parent.spawn(1)[0]  # spawning again continues, as in NumPy
    assert later.seed_seq.spawn_key == (3,)
    again = default_rng(27).spawn(3)
    assert all(np.array_equal(a.random(8), b.random(8)) for a, b in zip(children[:1], again[:1]))
    # independent streams: no correlation beyond 5 standard errors
    n = 50_000
    xs = [c.standard_normal(n) for c in children]
    for i in range(3):
        for j in range(i):
            assert abs(np.corrcoef(xs[i], xs[j])[0, 1]) < 5 / np.sqrt(n)
    with pytest.raises(ValueError):
        parent.spawn(-1)
    with pytest.raises(TypeError):
        parent.spawn(1.5)  # type: ignore[arg-type]


def test_threads_never_share_counter_blocks() -> None:
    rng, calls, workers = default_rng(28), 40, 8
    results: list[list[bytes]] = [[] for _ in range(workers)]
    start = threading.Barrier(workers)

    def work(i: int) -> None:
        start.wait()
        for _ in range(calls):
            results[i].append(rng.random(100).tobytes())

    threads = [threading.Thread(target=work, args=(i,)) for i in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    got = [r for rs in results for r in rs]
    sequential = default_rng(28)
    expected = [sequential.random(100).tobytes() for _ in range(calls * workers)]
    assert len(set(got)) == len(got) and set(got) == set(expected)
    assert rng.state["counter"] == sequential.state["counter"]


# ---- our extensions' errors ----------------------------------------------------------


def test_extension_errors() -> None:
    rng = default_rng(29)
    with pytest.raises(TypeError, match="dtype"):
        rng.normal(dtype=np.int32)
    with pytest.raises(TypeError, match="dtype"):
        rng.uniform(dtype="complex64")
    with pytest.raises(TypeError, match="lower"):
        rng.truncated_normal(lower=[-1.0, -2.0])
    with pytest.raises(ValueError, match="scale"):
        rng.truncated_normal(0.0, [1.0, -1.0])
    with pytest.raises(ValueError, match="loc"):
        rng.truncated_normal(np.nan)
    with pytest.raises(ValueError, match="lower"):
        rng.truncated_normal(0.0, 1.0, 1.0, 1.0)
    with pytest.raises(ValueError, match="no float16 value"):
        rng.uniform(1e-10, 2e-10, dtype="float16")
    with pytest.raises(ValueError, match="no float16 value"):
        rng.uniform([0.0, 1e-10], 2e-10, dtype="float16")
    with pytest.raises(OverflowError):
        rng.uniform(0.0, 1e39, dtype=np.float32)
    with pytest.raises(OverflowError):
        rng.uniform([0.0], 1e39, dtype=np.float32)
    with pytest.raises(OverflowError):
        rng.truncated_normal([0.0, 6e4], 1e4, -np.inf, np.inf, dtype="float16")
    with pytest.raises(TypeError, match="out"):
        rng.truncated_normal(out=np.empty(3, np.float32))
    with pytest.raises(ValueError, match="out"):
        rng.truncated_normal(out=np.empty((3, 4))[:, ::2])
    with pytest.raises(ValueError, match="size"):
        rng.truncated_normal(np.zeros(3), out=np.empty(4))
    with pytest.raises(TypeError, match="seed"):
        default_rng(np.random.default_rng(0))  # type: ignore[arg-type]
    assert rng.state["counter"] == 0
