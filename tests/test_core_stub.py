"""The shipped stub of the compiled module matches the build."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def load_generator():
    path = ROOT / "scripts" / "gen_core_stub.py"
    spec = importlib.util.spec_from_file_location("gen_core_stub", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_core_stub_is_current() -> None:
    gen = load_generator()
    stub = ROOT / "src" / "turboinit" / "_core.pyi"
    if not stub.exists():
        pytest.fail("src/turboinit/_core.pyi is missing: run python scripts/gen_core_stub.py")
    assert stub.read_text() == gen.render(), "stale stub: run python scripts/gen_core_stub.py"


def test_core_stub_is_valid_python() -> None:
    stub = (ROOT / "src" / "turboinit" / "_core.pyi").read_text()
    compile(stub, "_core.pyi", "exec")
