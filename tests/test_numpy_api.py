"""The whole of numpy.random on turboinit: the ``Philox`` BitGenerator, the
``Generator`` subclass, the legacy namespace, ``patch_numpy``, SciPy.

Statistical tests use fixed seeds and fail only below p = 1e-6 (KS)."""

from __future__ import annotations

import ctypes
import pickle
import threading
from typing import Any

import numpy as np
import pytest

import turboinit.random as tr
from turboinit import _core
from turboinit.random import Generator, Philox, RandomState, _compat, default_rng

P_MIN = 1e-6
BUFFER_WORDS = 1024
BUFFER_BLOCKS = 256


def raw_bits(seed: int, block: int, n: int) -> np.ndarray:
    """The raw-bits layout at ``block`` (docs/counter_layout.md), from the core."""
    k0, k1 = Philox(seed).key
    out = np.empty(n, np.uint32)
    _core.bits(out, (n,), (0,), (n,), k0, k1, block)
    return out


# ---- Philox: the BitGenerator ------------------------------------------------------


def test_philox_is_a_numpy_bit_generator() -> None:
    bg = Philox(1)
    assert isinstance(bg, np.random.BitGenerator)
    assert isinstance(bg.lock, type(threading.RLock()))
    g = np.random.Generator(bg)
    rs = np.random.RandomState(Philox(1))
    x = g.exponential(size=5)
    assert np.array_equal(x, np.random.Generator(Philox(1)).exponential(size=5))
    assert rs.poisson(3.0, 5).shape == (5,)
    assert isinstance(np.random.default_rng(Philox(2)), np.random.Generator)


def test_sequential_words_follow_the_counter_layout() -> None:
    bg = Philox(3)
    words = bg.random_raw(BUFFER_WORDS).view(np.uint32)  # 2048 words: two refills
    assert np.array_equal(words[:BUFFER_WORDS], raw_bits(3, 0, BUFFER_WORDS))
    assert np.array_equal(words[BUFFER_WORDS:], raw_bits(3, BUFFER_BLOCKS, BUFFER_WORDS))
    assert bg.state["state"]["counter"] == 2 * BUFFER_BLOCKS
    assert bg.state["buffer"] == {"block": BUFFER_BLOCKS, "position": BUFFER_WORDS}


def test_next_uint32_and_double_share_the_words() -> None:
    bg = Philox(4)
    iface = bg.ctypes
    w = raw_bits(4, 0, 8).astype(np.uint64)
    assert iface.next_uint32(iface.state) == w[0]
    assert iface.next_uint64(iface.state) == w[1] | (w[2] << np.uint64(32))
    d = iface.next_double(iface.state)
    assert d == float((w[3] | (w[4] << np.uint64(32))) >> np.uint64(11)) * 2.0**-53
    assert bg.random_raw() == w[5] | (w[6] << np.uint64(32))  # next_raw
    assert isinstance(iface.state_address, int) and ctypes.sizeof(ctypes.c_void_p) == 8


def test_sequential_draws_and_parallel_calls_share_the_counter() -> None:
    assert "vonmises" not in vars(Generator) and "vonmises" not in vars(tr._bulk.BulkMethods)
    rng = default_rng(5)
    a = rng.vonmises(0.0, 1.0, size=3)  # NumPy's code: one refill, blocks [0, 256)
    b = rng.random(100)  # parallel: reserves blocks [256, 256 + 64)
    c = rng.vonmises(0.0, 1.0, size=3)  # the same buffer, no new blocks
    assert rng.state["counter"] == BUFFER_BLOCKS + 64
    assert np.array_equal(b, default_rng(5).random(BUFFER_BLOCKS * 2 + 100)[-100:])
    # an interleaving replays exactly
    again = default_rng(5)
    assert np.array_equal(again.vonmises(0.0, 1.0, size=3), a)
    assert np.array_equal(again.random(100), b)
    assert np.array_equal(again.vonmises(0.0, 1.0, size=3), c)


def test_philox_state_round_trip_and_checks() -> None:
    bg = Philox(6)
    bg.random_raw(10)
    s = bg.state
    a = bg.random_raw(2000)
    bg.state = s
    assert np.array_equal(bg.random_raw(2000), a)
    for bad, err in [
        ({**s, "bit_generator": "PCG64"}, ValueError),
        ({**s, "state": {"key": [1], "counter": 0}}, ValueError),
        ({**s, "state": {"key": [1, 2], "counter": -1}}, ValueError),
        ({**s, "state": {"key": [1, 2], "counter": 1.5}}, TypeError),
        ({**s, "buffer": {"block": 2**64, "position": 0}}, ValueError),
        ({**s, "buffer": {"block": 0, "position": 1025}}, ValueError),
        ([1, 2], TypeError),
    ]:
        with pytest.raises(err):
            bg.state = bad  # type: ignore[assignment]
    bg.state = s
    assert bg.state == s


def test_philox_pickle_spawn_and_seeds() -> None:
    bg = Philox(7)
    bg.random_raw(3)
    clone = pickle.loads(pickle.dumps(bg))
    assert clone.state == bg.state and clone.seed_seq.entropy == 7
    assert np.array_equal(clone.random_raw(5), bg.random_raw(5))
    kids = bg.spawn(2)
    assert [type(k) for k in kids] == [Philox, Philox]
    assert kids[0].key != kids[1].key
    # any iterable of ints seeds, as a sequence does
    ref = Philox([1, 2, 3]).random_raw(4)
    for seed in (range(1, 4), (i for i in (1, 2, 3)), np.array([1, 2, 3]), (1, 2, 3)):
        assert np.array_equal(Philox(seed).random_raw(4), ref)  # type: ignore[arg-type]
    for bad, err in [(-1, ValueError), (1.5, TypeError), ("a", TypeError), ([1, -2], ValueError)]:
        with pytest.raises(err, match="seed"):
            Philox(bad)  # type: ignore[arg-type]


def test_counter_end_wraps_sequential_draws_only() -> None:
    bg = Philox(8)
    s = bg.state
    bg.state = {**s, "state": {**s["state"], "counter": 2**64 - 100}}
    x = bg.random_raw(600)  # cannot fit 256 blocks: starts again at block 0
    assert np.array_equal(x.view(np.uint32)[:BUFFER_WORDS], raw_bits(8, 0, BUFFER_WORDS))
    bg.state = {**s, "state": {**s["state"], "counter": 2**64 - 256}}
    bg.random_raw(1)
    assert bg.state["state"]["counter"] == 2**64
    with pytest.raises(OverflowError, match="counter"):
        bg.reserve(16)


# ---- Generator -------------------------------------------------------------------


def test_generator_is_a_numpy_generator_with_every_attribute() -> None:
    rng = default_rng(0)
    assert isinstance(rng, np.random.Generator)
    assert isinstance(rng.bit_generator, Philox)
    public = [n for n in dir(np.random.Generator) if not n.startswith("_")]
    assert len(public) >= 45
    assert all(hasattr(rng, n) for n in public)
    assert {r.name for r in _compat.generator_rows()} >= set(public)


# Every sampling method, with arguments, on both generators: same result type and shape.
CALLS: dict[str, tuple[tuple[Any, ...], dict[str, Any]]] = {
    "beta": ((2.0, 3.0), {}),
    "binomial": ((10, 0.5), {}),
    "bytes": ((7,), {}),
    "chisquare": ((3.0,), {}),
    "choice": (([1, 2, 3],), {}),
    "dirichlet": (([1.0, 2.0],), {}),
    "exponential": ((), {}),
    "f": ((3.0, 4.0), {}),
    "gamma": ((2.0,), {}),
    "geometric": ((0.3,), {}),
    "gumbel": ((), {}),
    "hypergeometric": ((10, 5, 7), {}),
    "laplace": ((), {}),
    "logistic": ((), {}),
    "lognormal": ((), {}),
    "logseries": ((0.5,), {}),
    "multinomial": ((10, [0.2, 0.8]), {}),
    "multivariate_hypergeometric": (([10, 5], 6), {}),
    "multivariate_normal": (([0.0, 1.0], [[1.0, 0.0], [0.0, 1.0]]), {}),
    "negative_binomial": ((5, 0.5), {}),
    "noncentral_chisquare": ((3.0, 2.0), {}),
    "noncentral_f": ((3.0, 4.0, 2.0), {}),
    "pareto": ((3.0,), {}),
    "poisson": ((), {}),
    "power": ((2.0,), {}),
    "rayleigh": ((), {}),
    "standard_cauchy": ((), {}),
    "standard_exponential": ((), {}),
    "standard_gamma": ((2.0,), {}),
    "standard_t": ((5.0,), {}),
    "triangular": ((0.0, 0.5, 1.0), {}),
    "vonmises": ((0.0, 1.0), {}),
    "wald": ((1.0, 2.0), {}),
    "weibull": ((1.5,), {}),
    "zipf": ((2.0,), {}),
}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_every_method_runs_like_numpy_and_replays(name: str) -> None:
    args, kwargs = CALLS[name]
    ours = getattr(default_rng(9), name)(*args, **kwargs)
    theirs = getattr(np.random.default_rng(9), name)(*args, **kwargs)
    assert type(ours) is type(theirs)
    assert np.shape(ours) == np.shape(theirs)
    assert np.array_equal(ours, getattr(default_rng(9), name)(*args, **kwargs))
    if name != "bytes":
        a = getattr(default_rng(9), name)(*args, size=(2, 3), **kwargs)
        b = getattr(np.random.default_rng(9), name)(*args, size=(2, 3), **kwargs)
        assert a.shape == b.shape and a.dtype == b.dtype


def test_sequential_methods_are_correct_on_our_words() -> None:
    stats = pytest.importorskip("scipy.stats")
    rng = default_rng(10)
    assert stats.kstest(rng.exponential(2.0, 200_000), stats.expon(scale=2.0).cdf).pvalue > P_MIN
    assert stats.kstest(rng.standard_gamma(0.5, 200_000), stats.gamma(0.5).cdf).pvalue > P_MIN
    u = rng.bit_generator.random_raw(100_000) / 2.0**64
    assert stats.kstest(u, "uniform").pvalue > P_MIN


def test_generator_pickle_keeps_the_subclass_and_the_stream() -> None:
    rng = default_rng(11)
    rng.exponential(size=5)
    clone = pickle.loads(pickle.dumps(rng))
    assert type(clone) is Generator and clone.state == rng.state
    assert np.array_equal(clone.exponential(size=5), rng.exponential(size=5))
    assert np.array_equal(clone.random(5), rng.random(5))
    assert [type(c) for c in rng.spawn(2)] == [Generator, Generator]


def test_generator_of_a_foreign_bit_generator_is_refused() -> None:
    with pytest.raises(TypeError, match="seed"):
        Generator(np.random.PCG64(0))  # type: ignore[arg-type]


def test_scipy_takes_our_generator() -> None:
    stats = pytest.importorskip("scipy.stats")
    x = stats.norm.rvs(size=1000, random_state=default_rng(0))
    y = stats.norm.rvs(size=1000, random_state=default_rng(0))
    assert x.shape == (1000,) and np.array_equal(x, y)
    assert (
        stats.kstest(
            stats.gamma.rvs(2.0, size=50_000, random_state=default_rng(1)), stats.gamma(2.0).cdf
        ).pvalue
        > P_MIN
    )


# ---- the legacy namespace ------------------------------------------------------------


def test_every_numpy_random_function_is_here() -> None:
    names = [n for n in np.random.__all__ if n[0].islower() and n != "default_rng"]
    assert sorted(n for n in names if not hasattr(tr, n)) == []
    assert set(names) <= set(tr._legacy.LEGACY_NAMES) | {"default_rng"}
    assert isinstance(RandomState(0), np.random.RandomState)


def test_seed_makes_the_module_functions_reproducible() -> None:
    saved = tr.get_state()
    try:
        tr.seed(12)
        a = [tr.randn(3, 2), tr.rand(4), tr.randint(0, 9, 5), tr.poisson(3.0, 5), tr.choice(9, 3)]
        tr.seed(12)
        b = [tr.randn(3, 2), tr.rand(4), tr.randint(0, 9, 5), tr.poisson(3.0, 5), tr.choice(9, 3)]
        assert all(np.array_equal(x, y) for x, y in zip(a, b))
        # the module functions are those of RandomState(seed)
        rs = RandomState(12)
        assert np.array_equal(rs.randn(3, 2), a[0]) and np.array_equal(rs.rand(4), a[1])
        with pytest.raises(ValueError, match="MT19937"):
            tr.set_state(("MT19937", np.zeros(624, np.uint32), 0))  # type: ignore[arg-type]
    finally:
        tr.set_state(saved)


def test_module_functions_are_thread_safe() -> None:
    saved = tr.get_state()
    try:
        tr.seed(13)
        workers, calls = 4, 25
        got: list[list[bytes]] = [[] for _ in range(workers)]
        start = threading.Barrier(workers)

        def work(i: int) -> None:
            start.wait()
            for _ in range(calls):
                got[i].append(tr.randn(50).tobytes())
                got[i].append(tr.exponential(size=3).tobytes())

        threads = [threading.Thread(target=work, args=(i,)) for i in range(workers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        flat = [x for g in got for x in g]
        assert len(set(flat)) == len(flat) == 2 * workers * calls
    finally:
        tr.set_state(saved)


def test_patch_numpy_routes_and_undoes() -> None:
    original = np.random.randn
    with tr.patch_numpy() as patch:
        assert np.random.randn is tr.randn and np.random.seed is tr.seed
        np.random.seed(14)  # noqa: NPY002
        a = np.random.normal(size=3)  # noqa: NPY002
    assert np.random.randn is original
    assert isinstance(patch, tr.patch_numpy)
    tr.seed(14)
    assert np.array_equal(tr.normal(size=3), a)
    p = tr.patch_numpy()
    assert np.random.rand is tr.rand
    p.undo()
    assert np.random.rand is not tr.rand


def test_randomstate_seed_pickle_and_foreign_bit_generators() -> None:
    rs = RandomState(15)
    rs.standard_normal()
    rs.randn()
    clone = pickle.loads(pickle.dumps(rs))
    assert type(clone) is RandomState
    assert np.array_equal(clone.gamma(2.0, size=4), rs.gamma(2.0, size=4))
    assert np.array_equal(clone.randn(4), rs.randn(4))
    rs.seed([1, 2])
    x = rs.random_sample(3)
    rs.seed([1, 2])
    assert np.array_equal(rs.random_sample(3), x)
    mt = RandomState(np.random.MT19937(0))
    assert mt.random_sample() == np.random.RandomState(np.random.MT19937(0)).random_sample()
    with pytest.raises(TypeError, match="re-seed"):
        mt.seed(1)


def test_compat_table_lists_every_method() -> None:
    text = _compat.markdown()
    for name in [n for n in dir(np.random.Generator) if not n.startswith("_")]:
        assert f"| `{name}` |" in text
    rows = {r.name: r for r in _compat.generator_rows()}
    assert rows["random"].kind == "parallel" and rows["exponential"].defined_by in (
        "BulkMethods",
        "numpy.random.Generator",
    )
