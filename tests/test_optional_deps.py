"""An optional integration whose package is missing raises ModuleNotFoundError.

``pytest.importorskip`` (pytest >= 9) and ``except ModuleNotFoundError`` treat only a
missing module as "not installed": an integration that raised a plain ImportError when its
package was absent broke every test that skips without it (seen on a machine without dask).
A package that is present but fails to import keeps a plain ImportError.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from _helpers import run_python

# (what the user imports or calls, the package it needs, a phrase of our message)
CASES = [
    ("import turboinit.dask", "dask", "turboinit.dask needs dask"),
    ("import turboinit.torch", "torch", "turboinit.torch needs PyTorch"),
    ("import turboinit.jax", "jax", "turboinit.jax needs JAX"),
    ("import turboinit.keras", "keras", "turboinit.keras needs Keras 3"),
    ("turboinit.uniform(2, seed=0, dtype='bfloat16')", "ml_dtypes", "needs the ml_dtypes"),
]


def _import_error(setup: str, statement: str) -> tuple[str, str]:
    """In a fresh interpreter, after ``setup``: the type and message of the ImportError
    ``statement`` raises."""
    code = f"""
import sys
{setup}
import turboinit
try:
    {statement}
except ImportError as exc:
    print(type(exc).__name__, "|", exc)
"""
    proc = run_python(code)
    assert proc.returncode == 0, proc.stderr
    kind, _, message = proc.stdout.strip().partition(" | ")
    return kind, message


@pytest.mark.parametrize(("statement", "package", "phrase"), CASES, ids=[c[1] for c in CASES])
def test_missing_package_is_module_not_found(statement: str, package: str, phrase: str) -> None:
    # as if the package were not installed
    kind, message = _import_error(f"sys.modules[{package!r}] = None", statement)
    assert kind == "ModuleNotFoundError", (kind, message)
    assert phrase in message


def test_importorskip_skips_a_missing_integration() -> None:
    code = """
import sys
sys.modules["dask"] = None
import pytest
try:
    pytest.importorskip("turboinit.dask")
except pytest.skip.Exception as exc:
    print("skipped:", exc)
"""
    proc = run_python(code)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("skipped:"), proc.stdout + proc.stderr


def test_a_broken_package_stays_import_error(tmp_path: Path) -> None:
    broken = tmp_path / "dask"
    broken.mkdir()
    (broken / "__init__.py").write_text("raise ImportError('dask is broken here')\n")
    kind, message = _import_error(f"sys.path.insert(0, {str(tmp_path)!r})", "import turboinit.dask")
    assert kind == "ImportError", (kind, message)
    assert "dask is broken here" in message
