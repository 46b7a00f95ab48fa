"""A progress bar on stderr: tqdm when installed, else a one-line fallback."""

from __future__ import annotations

import sys
from typing import Any, TextIO


class Bar:
    """Counts timed calls; ``note`` shows other work without counting it."""

    def __init__(self, enabled: bool = True, stream: TextIO | None = None) -> None:
        self.enabled = enabled
        self.stream = stream if stream is not None else sys.stderr
        self._tqdm: Any = None
        self._n = 0
        self._total = 0
        self._width = 0

    def total(self, n: int) -> None:
        self._total = n
        if not self.enabled:
            return
        try:
            from tqdm import tqdm
        except ImportError:
            return
        self._tqdm = tqdm(total=n, file=self.stream, unit="call", dynamic_ncols=True, leave=True)

    def __call__(self, label: str) -> None:
        self._n += 1
        if not self.enabled:
            return
        if self._tqdm is not None:
            if self._n > 1:
                self._tqdm.update(1)
            self._tqdm.set_description_str(label, refresh=True)
        else:
            self._line(f"[{self._n}/{self._total}] {label}")

    def note(self, label: str) -> None:
        if not self.enabled:
            return
        if self._tqdm is not None:
            self._tqdm.set_description_str(label, refresh=True)
        else:
            self._line(label)

    def _line(self, text: str) -> None:
        done = int(20 * min(self._n, self._total) / self._total) if self._total else 0
        text = f"|{'#' * done}{'.' * (20 - done)}| {text}"
        self.stream.write("\r" + text.ljust(self._width))
        self.stream.flush()
        self._width = len(text)

    def close(self) -> None:
        if not self.enabled:
            return
        if self._tqdm is not None:
            self._tqdm.update(self._tqdm.total - self._tqdm.n)
            self._tqdm.set_description_str("done", refresh=True)
            self._tqdm.close()
            self._tqdm = None
        elif self._width:
            self._n = self._total
            self._line("done")
            self.stream.write("\n")
            self.stream.flush()
