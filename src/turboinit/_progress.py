"""The one progress display of long operations (checkpoint writes, init_model,
the benchmark harness): tqdm on stderr when it is installed, else one plain
line redrawn in place, at most five times a second."""

from __future__ import annotations

import math
import sys
import time
from typing import Any, TextIO

_REDRAW_S = 0.2


def human(n: float, binary: bool = True) -> str:
    """``n`` with a unit prefix: ``"1.5 MiB"`` (binary) or ``"1.5 M"``."""
    base, units = (
        (1024, ("B", "KiB", "MiB", "GiB", "TiB")) if binary else (1000, ("", "k", "M", "G", "T"))
    )
    for unit in units:
        if abs(n) < base or unit == units[-1]:
            return f"{n:.0f} {unit}".rstrip() if unit == units[0] else f"{n:.1f} {unit}"
        n /= base
    return f"{n}"  # pragma: no cover


class Progress:
    """``update(n)`` after each step of ``total`` units, ``describe(label)`` to
    name the current step, ``close()`` at the end.

    ``unit="B"`` counts bytes (shown as KiB, MiB, ...); ``initial`` starts
    part-way (a display that appears late)."""

    def __init__(
        self,
        total: int,
        label: str = "",
        *,
        unit: str = "it",
        initial: int = 0,
        stream: TextIO | None = None,
    ) -> None:
        self.total, self.label, self.unit = total, label, unit
        self.done = initial
        self.stream = stream if stream is not None else sys.stderr
        self._binary = unit == "B"
        self._bar: Any = None
        self._t0 = time.monotonic()
        self._last = -math.inf
        self._width = 0
        self._closed = False
        try:
            from tqdm import tqdm
        except ImportError:
            return
        self._bar = tqdm(
            total=total,
            initial=initial,
            desc=label or None,
            unit=unit,
            unit_scale=True,
            unit_divisor=1024 if self._binary else 1000,
            file=self.stream,
            dynamic_ncols=True,
        )

    def update(self, n: int = 1) -> None:
        self.done += n
        if self._bar is not None:
            self._bar.update(n)
        else:
            self._line()

    def describe(self, label: str) -> None:
        self.label = label
        if self._bar is not None:
            self._bar.set_description_str(label, refresh=True)
        else:
            self._line(force=True)

    def close(self, label: str | None = None) -> None:
        if self._closed:
            return
        self._closed = True
        if label is not None:
            self.label = label
        if self._bar is not None:
            if label is not None:
                self._bar.set_description_str(label, refresh=False)
            self._bar.close()
            return
        self._line(force=True)
        self.stream.write("\n")
        self.stream.flush()

    def _line(self, force: bool = False) -> None:
        now = time.monotonic()
        if self._closed and not force:
            return
        if not force and now - self._last < _REDRAW_S and self.done < self.total:
            return
        self._last = now
        rate = self.done / max(now - self._t0, 1e-9)
        left = (self.total - self.done) / rate if rate > 0 else math.inf
        pct = 100.0 * self.done / self.total if self.total else 100.0
        eta = f"{left:.0f} s" if math.isfinite(left) else "?"
        unit = "" if self._binary else f" {self.unit}"
        text = (
            f"{self.label}: {pct:5.1f}% {human(self.done, self._binary)}/"
            f"{human(self.total, self._binary)}{unit} {human(rate, self._binary)}{unit}/s, "
            f"{eta} left"
        )
        self.stream.write("\r" + text.ljust(self._width))
        self.stream.flush()
        self._width = len(text)
