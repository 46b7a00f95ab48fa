"""The documentation builds, warnings as errors, from the installed package's docstrings.

The build is the one command of docs/conf.py
(``python -m sphinx -W --keep-going -b html docs docs/_build/html``), run in a
subprocess into a temporary folder; it takes about ten seconds.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("sphinx")
pytest.importorskip("myst_parser")

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def test_docs_build_without_warnings(tmp_path: Path) -> None:
    out = tmp_path / "html"
    cmd = [
        sys.executable,
        "-m",
        "sphinx",
        "-W",
        "--keep-going",
        "-q",
        "-b",
        "html",
        str(DOCS),
        str(out),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    for page in (
        "index",
        "frameworks",
        "counter_layout",
        "experiments",
        "performance",
        "api/turboinit",
        "same_weights",
        "api/keras",
        "api/jax",
    ):
        assert (out / f"{page}.html").is_file(), page
    api = (out / "api" / "turboinit.html").read_text(encoding="utf-8")
    # autodoc ran: the docstrings are there, not just the headings
    assert 'id="turboinit.kaiming_normal"' in api and "Reproduces the distribution" in api
    experiments = (out / "experiments.html").read_text(encoding="utf-8")
    assert experiments.count("<img") >= 5 and "<table" in experiments
    assert (out / "_images" / "signal_variance.png").is_file()


def _extension():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(
        "turboinit_docs", DOCS / "_ext" / "turboinit_docs.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_performance_page_shows_results(tmp_path: Path) -> None:
    ext = _extension()
    (tmp_path / "docs").mkdir()
    # no results: the page says so
    assert "No benchmark results" in ext.bench_results_markdown(tmp_path, tmp_path / "docs")
    core = tmp_path / "benchmarks" / "results" / "core"
    core.mkdir(parents=True)
    (core / "results.md").write_text(
        "## turboinit benchmark\n\nMachine: test\n\n"
        "| case | speed-up |\n|---|---|\n| normal | 9× |\n"
        "\n### Every measurement\n\n| long | table |\n",
        encoding="utf-8",
    )
    (core / "throughput_float32.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    other = tmp_path / "benchmarks" / "results" / "torch"
    other.mkdir()
    (other / "results.json").write_text('{"ratio": 19.5}', encoding="utf-8")
    (tmp_path / "README.md").write_text(
        "# x\n\n## Performance\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n## Next\n\nrest\n",
        encoding="utf-8",
    )
    md = ext.bench_results_markdown(tmp_path, tmp_path / "docs")
    assert "No benchmark results" not in md
    assert "| normal | 9× |" in md and "Every measurement" not in md and "long" not in md
    assert "![throughput_float32](../benchmarks/results/core/throughput_float32.png)" in md
    assert '"ratio": 19.5' in md
    assert "| 1 | 2 |" in md and "rest" not in md
