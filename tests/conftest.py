"""Shared fixtures: SIMD kernels, dtypes, thread settings.

Every fixture that changes process-wide state (the active kernel, the thread
count) restores it afterwards, so tests stay independent of their order.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator

import pytest
from _helpers import DISTRIBUTIONS, DTYPES, KERNELS, numpy_dtype

import turboinit as ti
from turboinit import _core

# Keras 3 imports TensorFlow unless KERAS_BACKEND names another backend, and the
# backend is fixed at the first `import keras`: choose one that is installed
# before any test module imports keras (tests/test_keras.py runs the other
# backends in subprocesses).
if "KERAS_BACKEND" not in os.environ:
    for _backend in ("jax", "torch"):
        if importlib.util.find_spec(_backend) is not None:
            os.environ["KERAS_BACKEND"] = _backend
            break


@pytest.fixture(params=KERNELS)
def kernel(request: pytest.FixtureRequest) -> Iterator[str]:
    """Each SIMD kernel this CPU supports, made active for one test."""
    before = _core.build_info()["kernel"]
    _core.set_kernel(request.param)
    assert _core.build_info()["kernel"] == request.param
    try:
        yield request.param
    finally:
        _core.set_kernel(before)


@pytest.fixture(params=DTYPES)
def dtype(request: pytest.FixtureRequest) -> str:
    """Each supported dtype by name (bfloat16 skipped without ml_dtypes)."""
    numpy_dtype(request.param)
    return request.param


@pytest.fixture(params=DISTRIBUTIONS)
def distribution(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def restore_threads() -> Iterator[None]:
    """Restore the default thread count after a test that changes it."""
    try:
        yield
    finally:
        ti.set_num_threads(None)
