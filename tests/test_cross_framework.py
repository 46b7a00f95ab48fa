"""The same (seed, stream, shape, dtype) gives the same bits through turboinit,
turboinit.torch, turboinit.keras and turboinit.jax.

Each case names the NumPy-API call and its twin in every adapter; the adapters
whose framework is installed are compared with the NumPy API byte for byte
(Keras on the backend tests/conftest.py chose).  The shapes are 2-D where fans
matter (PyTorch's (out, in) and Keras/JAX's (in, out) then give the same fans
for the symmetric rules) and square for the fan_in rules.  The docs page's
PyTorch-and-Flax model (docs/_examples/torch_and_flax.py) runs and asserts
that its weights are equal.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pytest

import turboinit as ti

ROOT = Path(__file__).resolve().parents[1]
SEED, STREAM = 1234, "encoder.0.weight"


def _have(name: str) -> bool:
    return importlib.util.find_spec(name) is not None


def _torch(fn: str, *args: Any, seeded: bool = True) -> Callable[..., np.ndarray]:
    def run(shape: tuple[int, ...], dtype: str) -> np.ndarray:
        import torch

        import turboinit.torch as tt

        t = torch.empty(shape, dtype=getattr(torch, dtype))
        kw = {"generator": SEED, "stream": STREAM} if seeded else {}
        getattr(tt, fn)(t, *args, **kw)
        if dtype == "bfloat16":
            import ml_dtypes

            return t.float().numpy().astype(ml_dtypes.bfloat16)
        return t.numpy()

    return run


def _keras(cls: str, *args: Any, seeded: bool = True) -> Callable[..., np.ndarray]:
    def run(shape: tuple[int, ...], dtype: str) -> np.ndarray:
        import keras

        import turboinit.keras as tk

        kw = {"seed": SEED, "stream": STREAM} if seeded else {}
        x = getattr(tk, cls)(*args, **kw)(shape, dtype)
        if keras.backend.backend() == "torch":
            t = x.detach().cpu()
            out = t.float().numpy() if dtype == "bfloat16" else t.numpy()
        else:
            out = np.asarray(x).astype(np.float32) if dtype == "bfloat16" else np.asarray(x)
        if dtype == "bfloat16":
            import ml_dtypes

            out = out.astype(ml_dtypes.bfloat16)
        return out

    return run


def _jax(fn: str, *args: Any, seeded: bool = True, **kw: Any) -> Callable[..., np.ndarray]:
    def run(shape: tuple[int, ...], dtype: str) -> np.ndarray:
        import jax

        from turboinit.jax import initializers as tj

        init = getattr(tj, fn)(*args, stream=STREAM, **kw) if seeded else getattr(tj, fn)
        return np.asarray(init(jax.random.key(SEED), shape, dtype))

    return run


# name -> (NumPy API (shape, dtype) -> array, {framework: adapter call}, shape)
CASES: dict[str, tuple[Callable[..., np.ndarray], dict[str, Callable[..., np.ndarray]], tuple]] = {
    "normal": (
        lambda sh, dt: ti.normal(sh, 0.0, 0.02, seed=SEED, stream=STREAM, dtype=dt),
        {
            "torch": _torch("normal_", 0.0, 0.02),
            "keras": _keras("RandomNormal", 0.0, 0.02),
            "jax": _jax("normal", 0.02),
        },
        (24, 40, 3),
    ),
    "uniform": (
        lambda sh, dt: ti.uniform(sh, 0.0, 0.5, seed=SEED, stream=STREAM, dtype=dt),
        {
            "torch": _torch("uniform_", 0.0, 0.5),
            "keras": _keras("RandomUniform", 0.0, 0.5),
            "jax": _jax("uniform", 0.5),
        },
        (24, 40, 3),
    ),
    "truncated_normal": (
        lambda sh, dt: ti.truncated_normal(
            sh, 0.0, 0.25, -2.0, 2.0, seed=SEED, stream=STREAM, dtype=dt
        ),
        {
            "torch": _torch("trunc_normal_", 0.0, 0.25, -0.5, 0.5),  # absolute bounds
            "keras": _keras("TruncatedNormal", 0.0, 0.25),
            "jax": _jax("truncated_normal", 0.25),
        },
        (24, 40, 3),
    ),
    "glorot_uniform": (
        lambda sh, dt: ti.glorot_uniform(sh, seed=SEED, stream=STREAM, dtype=dt),
        {
            "torch": _torch("xavier_uniform_"),
            "keras": _keras("GlorotUniform"),
            "jax": _jax("glorot_uniform"),
        },
        (24, 40),
    ),
    "glorot_normal_truncated": (
        lambda sh, dt: ti.glorot_normal(sh, truncated=True, seed=SEED, stream=STREAM, dtype=dt),
        {"keras": _keras("GlorotNormal"), "jax": _jax("glorot_normal")},
        (24, 40),
    ),
    "he_uniform": (
        lambda sh, dt: ti.he_uniform(sh, seed=SEED, stream=STREAM, dtype=dt),
        {
            "torch": _torch("kaiming_uniform_"),
            "keras": _keras("HeUniform"),
            "jax": _jax("he_uniform"),
        },
        (32, 32),
    ),
    "he_normal_truncated": (
        lambda sh, dt: ti.he_normal(sh, truncated=True, seed=SEED, stream=STREAM, dtype=dt),
        {"keras": _keras("HeNormal"), "jax": _jax("he_normal")},
        (32, 32),
    ),
    "lecun_normal_truncated": (
        lambda sh, dt: ti.lecun_normal(sh, truncated=True, seed=SEED, stream=STREAM, dtype=dt),
        {"keras": _keras("LecunNormal"), "jax": _jax("lecun_normal")},
        (32, 32),
    ),
    "orthogonal": (
        lambda sh, dt: ti.orthogonal(sh, 2.0, seed=SEED, stream=STREAM, dtype=dt),
        {
            "torch": _torch("orthogonal_", 2.0),
            "keras": _keras("Orthogonal", 2.0),
            "jax": _jax("orthogonal", 2.0),
        },
        (24, 40),
    ),
    "zeros": (
        lambda sh, dt: ti.zeros(sh, dtype=dt),
        {
            "torch": _torch("zeros_", seeded=False),
            "keras": _keras("Zeros", seeded=False),
            "jax": _jax("zeros", seeded=False),
        },
        (5, 7),
    ),
    "identity": (
        lambda sh, dt: ti.identity(sh, 1.0, dtype=dt),
        {"torch": _torch("eye_", seeded=False), "keras": _keras("Identity", seeded=False)},
        (5, 7),
    ),
}


@pytest.mark.parametrize("dtype", ["float32", "float16", "bfloat16"])
@pytest.mark.parametrize(
    ("name", "framework"), [(n, f) for n, case in CASES.items() for f in case[1]]
)
def test_same_bits_in_every_framework(name: str, framework: str, dtype: str) -> None:
    reference, adapters, shape = CASES[name]
    if not _have(framework):
        pytest.skip(f"{framework} is not installed")
    if dtype == "bfloat16":
        pytest.importorskip("ml_dtypes")
    want = reference(shape, dtype)
    got = adapters[framework](shape, dtype)
    assert got.dtype == want.dtype and got.shape == want.shape
    assert got.tobytes() == want.tobytes()


def test_docs_example_torch_and_flax_start_equal() -> None:
    for name in ("torch", "jax", "flax"):
        pytest.importorskip(name)
    script = ROOT / "docs" / "_examples" / "torch_and_flax.py"
    proc = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "weights equal bit for bit" in proc.stdout
