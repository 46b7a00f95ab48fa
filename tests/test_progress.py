"""The one progress display: tqdm when installed, else a plain line."""

from __future__ import annotations

import io
import sys

import pytest

from turboinit._args import integer
from turboinit._bench.progress import Bar
from turboinit._progress import Progress, human


def test_plain_line_without_tqdm(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "tqdm", None)  # import tqdm now fails
    stream = io.StringIO()
    bar = Progress(3 * 2**20, "write", unit="B", stream=stream)
    for _ in range(3):
        bar.update(2**20)
    bar.close()
    text = stream.getvalue()
    assert text.startswith("\rwrite:") and text.endswith("\n")
    assert "100.0% 3.0 MiB/3.0 MiB" in text and "left" in text


def test_bench_bar_without_tqdm(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "tqdm", None)
    stream = io.StringIO()
    bar = Bar(stream=stream)
    bar.total(2)
    bar("first call")
    bar("second call")
    bar.note("peak memory")
    bar.close()
    lines = stream.getvalue().split("\r")
    assert any(line.startswith("first call:   0.0% 0/2 call") for line in lines)
    assert any(line.startswith("second call:  50.0% 1/2 call") for line in lines)
    assert lines[-1].startswith("done: 100.0% 2/2 call")


def test_tqdm_when_installed() -> None:
    pytest.importorskip("tqdm")
    stream = io.StringIO()
    bar = Progress(10, "fill", unit="el", stream=stream)
    bar.update(10)
    bar.close()
    assert "fill" in stream.getvalue() and "100%" in stream.getvalue()


def test_human() -> None:
    assert human(512) == "512 B" and human(1536) == "1.5 KiB"
    assert human(999, binary=False) == "999" and human(2.5e6, binary=False) == "2.5 M"


@pytest.mark.parametrize("value", [3, True, 2.0, "3", None])
def test_integer_argument(value: object) -> None:
    import numpy as np

    assert integer(np.int16(7), "n", minimum=0) == 7
    if value == 3 and type(value) is int:
        assert integer(value, "n") == 3
    else:
        with pytest.raises(TypeError, match="^n: expected an int, got"):
            integer(value, "n")


def test_integer_range() -> None:
    with pytest.raises(ValueError, match=r"^rounds: must be in \[0, 16\], got 17$"):
        integer(17, "rounds", minimum=0, maximum=16)
    with pytest.raises(ValueError, match="^n: must be >= 1, got 0$"):
        integer(0, "n", minimum=1)
