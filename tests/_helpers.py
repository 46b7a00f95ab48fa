"""Helpers shared by the test modules (plain functions; fixtures live in conftest.py)."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

import turboinit as ti
from turboinit import _core

KERNELS: list[str] = list(_core.build_info()["kernels_supported"])
DISTRIBUTIONS = ("uniform", "normal", "truncated_normal")
# bfloat16 needs ml_dtypes (an optional dependency): its tests skip without it.
DTYPES = ("float64", "float32", "float16", "bfloat16")


def numpy_dtype(name: str) -> np.dtype:
    """The NumPy dtype of a turboinit dtype name (bfloat16 via ml_dtypes)."""
    if name == "bfloat16":
        ml_dtypes = pytest.importorskip("ml_dtypes")
        return np.dtype(ml_dtypes.bfloat16)
    return np.dtype(name)


def sampler(name: str):  # noqa: ANN201 - one of the three public samplers
    return getattr(ti, name)


def same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    """Equal shape, dtype and bytes (so -0.0 != 0.0 and NaN == NaN)."""
    return a.shape == b.shape and a.dtype == b.dtype and a.tobytes() == b.tobytes()


def on_every_kernel(make):  # noqa: ANN001, ANN201 - make() -> anything
    """``make()`` once per SIMD kernel of this CPU and build, in KERNELS' order; the
    active kernel is restored afterwards."""
    before = _core.build_info()["kernel"]
    try:
        out = []
        for k in KERNELS:
            _core.set_kernel(k)
            out.append(make())
        return out
    finally:
        _core.set_kernel(before)


def run_python(code: str, env: dict[str, str] | None = None, timeout: float = 120.0):
    """Run ``code`` in a fresh interpreter; returns the CompletedProcess."""
    full_env = dict(os.environ)
    if env:
        full_env.update(env)
    return subprocess.run(
        [sys.executable, "-c", code],
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
