"""Lint, format and type checks, run by the test command.

Each check runs the tool of the ``test`` extra (pyproject.toml) on the source tree:

* ``ruff check`` and ``ruff format --check`` on the whole repository;
* ``mypy --strict src/turboinit`` (the slowest: ~1 min cold, seconds with its cache, so it
  starts first and runs while the others do);
* ``clang-format --dry-run --Werror`` (the PyPI wheel, so every machine formats alike) on
  every C++ file under ``cpp/``;
* ``validate-pyproject`` and ``codespell``.

A tool that is not installed is skipped with the reason; ``pip install ".[test]"`` installs
all of them.  The same checks run as pre-commit hooks (.pre-commit-config.yaml).
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 300  # seconds; a cold mypy takes about one minute on 2 busy cores

pytestmark = pytest.mark.skipif(
    not (ROOT / "pyproject.toml").is_file() or not (ROOT / "src" / "turboinit").is_dir(),
    reason="needs the source tree (pyproject.toml, src/turboinit)",
)


def _start(args: list[str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def _finish(proc: subprocess.Popen[str], what: str) -> None:
    try:
        out, _ = proc.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        pytest.fail(f"{what}: no result after {TIMEOUT} s")
    assert proc.returncode == 0, f"{what} failed (exit {proc.returncode}):\n{out[-8000:]}"


@pytest.fixture(scope="module", autouse=True)
def mypy_run() -> Iterator[subprocess.Popen[str] | None]:
    """mypy started once for the module, so it runs in parallel with the faster tools."""
    try:
        import mypy  # noqa: F401
    except ImportError:
        yield None
        return
    proc = _start([sys.executable, "-m", "mypy", "--strict", "src/turboinit"])
    yield proc
    if proc.poll() is None:
        proc.kill()
        proc.communicate()


def cpp_files() -> list[str]:
    return sorted(
        str(p.relative_to(ROOT))
        for pattern in ("*.cpp", "*.hpp")
        for p in (ROOT / "cpp").rglob(pattern)
    )


def test_ruff_check() -> None:
    pytest.importorskip("ruff", reason="ruff is not installed (pip install '.[test]')")
    _finish(_start([sys.executable, "-m", "ruff", "check", "."]), "ruff check")


def test_ruff_format() -> None:
    pytest.importorskip("ruff", reason="ruff is not installed (pip install '.[test]')")
    _finish(
        _start([sys.executable, "-m", "ruff", "format", "--check", "--diff", "."]),
        "ruff format --check (fix: ruff format .)",
    )


def test_clang_format() -> None:
    clang_format = pytest.importorskip(
        "clang_format", reason="the clang-format wheel is not installed (pip install '.[test]')"
    )
    files = cpp_files()
    assert files, "no C++ files found under cpp/"
    exe = clang_format.get_executable("clang-format")
    _finish(
        _start([exe, "--dry-run", "--Werror", *files]),
        "clang-format --dry-run --Werror (fix: clang-format -i on the files named)",
    )


def test_validate_pyproject() -> None:
    pytest.importorskip(
        "validate_pyproject", reason="validate-pyproject is not installed (pip install '.[test]')"
    )
    _finish(
        _start([sys.executable, "-m", "validate_pyproject", "pyproject.toml"]),
        "validate-pyproject",
    )


def test_codespell() -> None:
    pytest.importorskip(
        "codespell_lib", reason="codespell is not installed (pip install '.[test]')"
    )
    # configured by [tool.codespell] in pyproject.toml
    _finish(_start([sys.executable, "-m", "codespell_lib"]), "codespell")


# Last in the module: mypy (started by the autouse fixture) ran while the checks above did.
def test_mypy_strict(mypy_run: subprocess.Popen[str] | None) -> None:
    if mypy_run is None:
        pytest.skip("mypy is not installed (pip install '.[test]')")
    _finish(mypy_run, "mypy --strict src/turboinit")
