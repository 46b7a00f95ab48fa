"""NumPy's ``numpy/random/tests/test_randomstate.py`` on turboinit.

Every test of NumPy's module runs with ``random`` = ``numpy.random`` whose
``RandomState`` and legacy functions are turboinit's, and ``MT19937`` =
``turboinit.random.Philox``; the skip list names those that assert MT19937's
exact values (``tests/numpy_suite.py``)."""

from __future__ import annotations

import pytest

suite = pytest.importorskip("numpy.random.tests.test_randomstate")

from numpy_suite import RANDOMSTATE_SKIPS as NUMPY_SKIPS  # noqa: E402
from numpy_suite import legacy_namespace  # noqa: E402

import turboinit.random as tr  # noqa: E402

suite.random = legacy_namespace()
suite.MT19937 = tr.Philox

from numpy.random.tests.test_randomstate import *  # noqa: E402, F403


def test_skip_list_names_exist() -> None:
    """Every skipped name is a test in NumPy's module (a renamed test is not lost)."""
    for name in NUMPY_SKIPS:
        obj = suite
        for part in name.split("::"):
            obj = getattr(obj, part, None)
        assert obj is not None, f"{name} is not in NumPy's test module"
