"""NumPy's own tests of ``numpy.random`` run against turboinit.

``tests/test_numpy_suite_generator.py`` and ``tests/test_numpy_suite_randomstate.py``
import NumPy's test modules (shipped in NumPy's wheel), swap the generator
under test for ours, and re-export every test, so that a test NumPy adds
later runs here by default.  The tests that assert MT19937's exact values
(or other behaviour of MT19937 that turboinit's Philox does not have) are
skipped by name, each with its reason; ``tests/conftest.py`` applies the
skips.
"""

from __future__ import annotations

import types
from typing import Any

import numpy as np

import turboinit.random as tr

# Reasons, by kind.
MT_VALUES = "asserts MT19937's exact values (ours differ: another bit generator)"
MT_HASH = "asserts a hash of MT19937's output"
MT_STATE = "inspects MT19937's state (key, pos) or its legacy tuple"
MT_SEEDING = (
    "MT19937's legacy seeding (32-bit seed words); turboinit seeds through "
    "SeedSequence, which takes any non-negative ints"
)
MT_JUMP = "MT19937.jumped() (turboinit's Philox spawns instead)"

# Test names (Class::test or test, any parameters) -> reason.
GENERATOR_SKIPS: dict[str, str] = {}
RANDOMSTATE_SKIPS: dict[str, str] = {}


def legacy_namespace() -> types.SimpleNamespace:
    """``numpy.random`` with our legacy functions and ``RandomState`` in place."""
    names = {k: getattr(np.random, k) for k in dir(np.random) if not k.startswith("__")}
    names.update({k: getattr(tr, k) for k in tr._legacy.LEGACY_NAMES})
    names["RandomState"] = tr.RandomState
    names["get_bit_generator"] = tr.get_bit_generator
    names["set_bit_generator"] = tr.set_bit_generator
    return types.SimpleNamespace(**names)


def skip_reason(module: Any, nodeid: str) -> str | None:
    """The reason to skip a collected test of a suite module, or None."""
    skips = getattr(module, "NUMPY_SKIPS", None)
    if skips is None:
        return None
    name = nodeid.split("::", 1)[1]
    for key in (name, name.split("[", 1)[0]):
        if key in skips:
            return f"NumPy suite: {skips[key]}"
    return None
