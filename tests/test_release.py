"""What a new user meets first: the command line, the README's commands, the build's limits."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import turboinit as ti

ROOT = Path(__file__).resolve().parent.parent


def turboinit_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "turboinit", *args], capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize("flag", ["--version", "-V"])
def test_version_flag(flag: str) -> None:
    proc = turboinit_cli(flag)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"turboinit {ti.__version__}"


def test_config_lists_optional_packages_and_versions() -> None:
    from importlib.metadata import version

    proc = turboinit_cli("config")
    assert proc.returncode == 0, proc.stderr
    assert re.search(rf"^\s+numpy\s+{re.escape(version('numpy'))}\s", proc.stdout, re.M)
    from turboinit._config import OPTIONAL_PACKAGES, optional_packages

    found = optional_packages()
    for name in OPTIONAL_PACKAGES:
        shown = found[name] or "not installed"
        assert re.search(rf"^\s+{name}\s+{re.escape(shown)}\s", proc.stdout, re.M), name


@pytest.mark.parametrize("command", ["bench", "demo", "checkpoint", "config"])
def test_help_is_plain_text(command: str) -> None:
    proc = turboinit_cli(command, "--help")
    assert proc.returncode == 0, proc.stderr
    assert "usage: python -m turboinit " + command in proc.stdout
    for markup in ("``", ":func:", ":class:", "\n.. "):
        assert markup not in proc.stdout, (command, markup)


def _readme_block_after(heading_text: str) -> str:
    readme = (ROOT / "README.md").read_text()
    i = readme.index(heading_text)
    m = re.search(r"```bash\n(.*?)\n```", readme[i:], re.S)
    assert m, heading_text
    return m.group(1).strip()


@pytest.mark.skipif(not (ROOT / ".ci" / "run").is_file(), reason="needs the source tree")
def test_ci_runs_exactly_the_readme_test_command() -> None:
    command = _readme_block_after("Run the tests")
    ci = [
        line
        for line in (ROOT / ".ci" / "run").read_text().splitlines()
        if line.strip() and not line.startswith(("#", "set ", "cd "))
    ]
    assert ci == [command]


@pytest.mark.skipif(shutil.which("cmake") is None, reason="cmake is not installed")
@pytest.mark.skipif(not (ROOT / "CMakeLists.txt").is_file(), reason="needs the source tree")
def test_cmake_stops_clearly_on_windows(tmp_path: Path) -> None:
    cmake = shutil.which("cmake")
    assert cmake is not None
    proc = subprocess.run(
        [cmake, "-S", str(ROOT), "-B", str(tmp_path), "-DCMAKE_SYSTEM_NAME=Windows"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode != 0
    assert "turboinit does not support Windows" in proc.stderr
