"""Generator.choice without replacement with ``p`` (src/turboinit/random/_bulk.py).

The ``k`` smallest keys chosen by partition must be ``argsort(keys,
kind="stable")[:k]``, ties and infinite keys included.
"""

from __future__ import annotations

import numpy as np
import pytest

from turboinit.random import default_rng
from turboinit.random._bulk import _PARTITION_BELOW, _first_k

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
