"""Generator.choice with ``p`` (src/turboinit/random/_bulk.py, cpp/samplers/choice.cpp).

With replacement the C++ guide-table search must give exactly what NumPy's
``min(searchsorted(cdf, u, side="right"), n - 1)`` gives on the same cdf and
the same uniforms (those ``random(size)`` returns for the same seed): every
test here computes that reference with NumPy and compares all the bits.
Without replacement the ``k`` smallest keys chosen by partition must be
``argsort(keys, kind="stable")[:k]``, ties and infinite keys included.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import turboinit as ti
from turboinit import _core
from turboinit.random import default_rng
from turboinit.random._bulk import _PARTITION_BELOW, _first_k


def reference(seed: int, p: Any, size: Any) -> np.ndarray:
    """NumPy's inversion (Generator.choice) of the cdf at our uniforms."""
    probs = np.asarray(p, dtype=np.float64)
    cdf = np.cumsum(probs)
    cdf /= cdf[-1]
    u = np.asarray(default_rng(seed).random(size))
    return np.minimum(np.searchsorted(cdf, u, side="right"), probs.size - 1)


def _normalised(w: np.ndarray) -> np.ndarray:
    out: np.ndarray = w / w.sum()
    return out


def _probability_vectors() -> list[tuple[str, np.ndarray]]:
    g = np.random.default_rng(123)
    tiny_then_big = np.full(5000, 1e-12)  # 4999 cdf values below 5e-9: one crowded bucket
    tiny_then_big[-1] = 1.0 - tiny_then_big[:-1].sum()
    geometric = _normalised(2.0 ** -np.arange(1.0, 80.0))
    zipf = _normalised(1.0 / np.arange(1.0, 2**16 + 2) ** 1.3)
    sparse = np.zeros(3000)
    sparse[g.choice(3000, 17, replace=False)] = g.random(17)
    return [
        ("four", np.array([0.1, 0.2, 0.3, 0.4])),
        ("one", np.array([1.0])),
        ("two", np.array([0.5, 0.5])),
        ("zeros at the ends and inside", np.array([0.0, 0.25, 0.0, 0.0, 0.75, 0.0])),
        ("a single non-zero", np.array([0.0, 0.0, 1.0, 0.0])),
        ("tiny probabilities", np.array([1e-300, 1e-20, 5e-17, 0.5, 0.5 - 5e-17])),
        ("sum 1 + 1e-9", np.array([0.3, 0.3, 0.4 + 1e-9])),
        ("sum 1 - 1e-9", np.array([0.3, 0.3, 0.4 - 1e-9])),
        ("uniform 1000", np.full(1000, 1e-3)),
        ("2**10 + 1 values", _normalised(g.random(1025))),
        ("tiny then big", tiny_then_big),
        ("geometric", geometric),
        ("zipf 2**16 + 1", zipf),
        ("sparse", _normalised(sparse)),
        ("10**6 values", _normalised(g.random(10**6))),
    ]


PROBS = _probability_vectors()


@pytest.mark.parametrize(("name", "p"), PROBS, ids=[n for n, _ in PROBS])
def test_choice_p_equals_numpy_searchsorted(name: str, p: np.ndarray) -> None:
    size = 200_003  # several parallel chunks
    ours = default_rng(7).choice(p.size, size, p=p)
    assert ours.dtype == np.int64 and ours.shape == (size,)
    assert np.array_equal(ours, reference(7, p, size)), name
    assert (p[ours] > 0).all()  # a zero repeats a cdf value: never the first one above u


@pytest.mark.parametrize("size", [1, 5, 100, 70_000])
def test_choice_p_few_draws_from_many(size: int) -> None:
    """The table has min(n, size) buckets: few draws search long buckets by bisection."""
    p = _normalised(np.random.default_rng(4).random(10**6) ** 4)
    assert np.array_equal(default_rng(6).choice(p.size, size, p=p), reference(6, p, size))


@pytest.mark.parametrize("size", [None, (), 1, 7, (3, 4, 5), (2, 0, 3), (1, 1)])
def test_choice_p_shapes_and_scalars(size: Any) -> None:
    p = np.array([0.2, 0.0, 0.5, 0.3])
    ours = default_rng(8).choice(4, size, p=p)
    ref = reference(8, p, () if size is None else size)
    if size is None:
        assert type(ours) is int and ours == int(ref)
        return
    assert isinstance(ours, np.ndarray) and ours.dtype == np.int64
    assert ours.shape == ref.shape and np.array_equal(ours, ref)


def test_choice_p_of_a_population_and_the_state_after() -> None:
    pop = ["a", "b", "c", "d"]
    p = [0.1, 0.2, 0.3, 0.4]
    rng = default_rng(9)
    one = rng.choice(pop, p=p)
    assert one == pop[int(reference(9, p, ()))]
    many = rng.choice(np.array(pop), (5, 2), p=p)
    # The draw used exactly the counters random() would have used: the next
    # call gives what follows random() too.
    twin = default_rng(9)
    twin.random()
    u = twin.random((5, 2))
    cdf = np.cumsum(p)
    cdf /= cdf[-1]
    assert np.array_equal(many, np.array(pop)[np.searchsorted(cdf, u, side="right")])
    assert rng.random() == twin.random()


@pytest.mark.parametrize("n", [1000, 10**5])
def test_choice_p_same_bits_for_threads_and_kernels(
    n: int, kernel: str, restore_threads: None
) -> None:
    p = _normalised(np.random.default_rng(n).random(n))
    results = []
    for nt in (1, 2):
        ti.set_num_threads(nt)
        results.append(default_rng(10).choice(n, 200_003, p=p))
    _core.set_kernel("baseline")
    results.append(default_rng(10).choice(n, 200_003, p=p))
    _core.set_kernel(kernel)
    assert all(np.array_equal(r, results[0]) for r in results[1:])
    assert np.array_equal(results[0], reference(10, p, 200_003))


def _uniforms(shape: tuple[int, ...], offset: int) -> np.ndarray:
    u = np.empty(shape)
    n = u.size
    _core.uniform(u.reshape(-1), 0, (n,), (0,), (n,), 1, 2, offset, 0.0, 1.0)
    return u


def _core_choice(cdf: np.ndarray, shape: tuple[int, ...], offset: int) -> np.ndarray:
    out = np.empty(shape, np.int64)
    n = out.size
    _core.choice(out.reshape(-1), cdf, (n,), (0,), (n,), 1, 2, offset)
    return out


def _boundary_cdfs(u: np.ndarray, pool: np.ndarray) -> list[np.ndarray]:
    """cdfs whose values are the very uniforms searched (ties u == cdf[i]),
    bucket edges j / 2^k and their neighbours, repeats, values beyond [0, 1)."""
    g = np.random.default_rng(5)
    picked = np.sort(np.concatenate([g.choice(pool, 700, replace=False), u[:50]]))
    edges = np.concatenate([np.arange(2**k) / 2**k for k in (1, 3, 10, 12)])
    near = np.concatenate([np.nextafter(edges, 2.0), np.nextafter(edges, -1.0)])
    return [
        np.sort(np.concatenate([picked, [1.0]])),
        np.sort(np.concatenate([picked, picked[::3], [1.0]])),  # repeated values
        np.sort(np.concatenate([picked, edges, near])),  # ends below 1: the clip matters
        np.sort(np.concatenate([edges, [1.0]])),
        np.sort(np.concatenate([near, [1.0]])),
        np.sort(np.concatenate([[-1.0, -0.0, 0.0, 0.0], picked, [1.5, np.inf]])),
        np.array([0.5]),
        np.array([0.0]),
        np.array([1.0]),
        np.array([0.25, 0.25, 0.25]),
        np.sort(g.random(5000) * 1e-6),  # everything in the first bucket
        np.concatenate([np.sort(g.random(4999) * 1e-6), [1.0]]),
    ]


@pytest.mark.parametrize("draws", [1, 2, 9, 5000, 200_003])
def test_core_choice_exact_at_ties_and_bucket_edges(draws: int) -> None:
    """The table has min(n, draws) buckets (rounded up to a power of two):
    a cdf value equal to a uniform, or to a bucket edge, must not move the
    answer by one."""
    u = _uniforms((draws,), 64)
    pool = _uniforms((200_003,), 64)
    for cdf in _boundary_cdfs(u, pool):
        expected = np.minimum(np.searchsorted(cdf, u, side="right"), cdf.size - 1)
        assert np.array_equal(_core_choice(cdf, (draws,), 64), expected), cdf[:8]


def test_core_choice_regions() -> None:
    """A region of the call equals the slice of the whole."""
    shape, start, extent = (515, 301), (100, 37), (300, 200)
    cdf = np.cumsum(np.full(37, 1 / 37))
    full = np.empty(shape, np.int64)
    _core.choice(full, cdf, shape, (0, 0), shape, 1, 2, 64)
    part = np.empty(extent, np.int64)
    _core.choice(part, cdf, shape, start, extent, 1, 2, 64)
    assert np.array_equal(part, full[100:400, 37:237])
    u = _uniforms(shape, 64)
    assert np.array_equal(full, np.minimum(np.searchsorted(cdf, u, side="right"), 36))


def test_core_choice_rejects_bad_arguments() -> None:
    out = np.empty(10, np.int64)
    cdf = np.array([0.5, 1.0])
    args = ((10,), (0,), (10,), 1, 2, 0)
    with pytest.raises(TypeError, match="out: must be int64"):
        _core.choice(np.empty(10), cdf, *args)
    with pytest.raises(TypeError, match="cdf"):
        _core.choice(out, cdf.astype(np.float32), *args)
    with pytest.raises(TypeError, match="cdf"):
        _core.choice(out, np.ones((2, 2)), *args)
    with pytest.raises(TypeError, match="cdf"):
        _core.choice(out, np.linspace(0, 1, 4)[::2], *args)
    with pytest.raises(ValueError, match="cdf: must hold at least one value"):
        _core.choice(out, np.empty(0), *args)
    with pytest.raises(ValueError, match="non-decreasing"):
        _core.choice(out, np.array([0.5, 0.4, 1.0]), *args)
    with pytest.raises(ValueError, match="NaN"):
        _core.choice(out, np.array([0.5, np.nan, 1.0]), *args)
    with pytest.raises(ValueError, match="NaN"):
        _core.choice(out, np.array([np.nan]), *args)
    with pytest.raises(ValueError, match="out"):
        _core.choice(np.empty(9, np.int64), cdf, *args)
    with pytest.raises(OverflowError):
        _core.choice(out, cdf, (10,), (0,), (10,), 1, 2, 2**64 - 1)


# ---- without replacement ------------------------------------------------------------------


def test_first_k_is_the_stable_argsort_prefix() -> None:
    g = np.random.default_rng(11)
    cases = [
        g.integers(0, 5, 300).astype(np.float64),  # many ties
        np.where(g.random(300) < 0.3, np.inf, g.integers(0, 50, 300)).astype(np.float64),
        np.where(g.random(300) < 0.1, np.nan, g.random(300)),
        np.full(64, np.inf),
        g.random(1000),
        np.concatenate([np.full(10, 2.0), np.full(10, 1.0)]),
    ]
    for keys in cases:
        ref = np.argsort(keys, kind="stable")
        for k in range(1, keys.size + 1):
            got = _first_k(keys, k)
            assert got.dtype == ref.dtype and np.array_equal(got, ref[:k]), (keys[:5], k)


@pytest.mark.parametrize("zeros", [False, True])
def test_choice_no_replace_p_equals_the_full_sort(zeros: bool) -> None:
    n = 100_000
    g = np.random.default_rng(12)
    w = g.random(n)
    if zeros:
        w[g.random(n) < 0.5] = 0.0
    p = w / w.sum()
    nonzero = int(np.count_nonzero(p))
    for k in (1, 2, 10, 1000, n // _PARTITION_BELOW - 1, n // _PARTITION_BELOW, nonzero):
        e = np.asarray(default_rng(13).standard_exponential(n))
        with np.errstate(divide="ignore"):
            expected = np.argsort(e / p, kind="stable")[:k]
        got = default_rng(13).choice(n, k, replace=False, p=p)
        assert np.array_equal(got, expected), k
        assert np.unique(got).size == k and (p[got] > 0).all()


def test_choice_no_replace_negative_zero_is_a_zero() -> None:
    """p = -0.0 passes NumPy's p >= 0 check; its key is +inf like a zero's
    (e / -0.0 = -inf would pick it first, always)."""
    p = np.array([-0.0, 0.5, 0.0, 0.5])
    for seed in range(20):
        got = default_rng(seed).choice(4, 2, replace=False, p=p)
        assert sorted(got.tolist()) == [1, 3]
