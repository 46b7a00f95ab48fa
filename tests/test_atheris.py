"""Coverage-guided fuzzing of fuzz/fuzz_args.py with atheris, for a bounded time.

Opt-in (marker ``fuzz``, deselected by default): ``pytest -m fuzz``.  The run
lasts ``TURBOINIT_FUZZ_SECONDS`` (default 60) and starts from the inputs in
``fuzz/regressions`` (every crash found so far, kept as a seed); a new crash,
timeout or out-of-memory input is left in a temporary folder whose path the
failure message gives.  The crashes found so far are regression tests of
their own in tests/test_fuzz_api.py, which run by default.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.fuzz

ROOT = Path(__file__).resolve().parent.parent


def test_fuzz_args_finds_nothing(tmp_path: Path) -> None:
    pytest.importorskip("atheris")
    seconds = int(os.environ.get("TURBOINIT_FUZZ_SECONDS", "60"))
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    cmd = [
        sys.executable,
        str(ROOT / "fuzz" / "fuzz_args.py"),
        f"-max_total_time={seconds}",
        "-rss_limit_mb=4096",
        "-timeout=30",
        f"-artifact_prefix={tmp_path}/",
        str(corpus),
        str(ROOT / "fuzz" / "regressions"),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 300)
    found = sorted(p.name for p in tmp_path.iterdir() if p.is_file())
    assert proc.returncode == 0 and not found, (
        f"atheris found {found} in {tmp_path}:\n{proc.stderr[-4000:]}"
    )
