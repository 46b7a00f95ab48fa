"""The harness's progress display: one step per timed call, on the shared
helper (turboinit._progress: tqdm when installed, else one plain line)."""

from __future__ import annotations

from typing import TextIO

from .._progress import Progress


class Bar:
    """Counts timed calls; ``note`` shows other work without counting it."""

    def __init__(self, enabled: bool = True, stream: TextIO | None = None) -> None:
        self.enabled = enabled
        self.stream = stream
        self._progress: Progress | None = None
        self._n = 0

    def total(self, n: int) -> None:
        if self.enabled:
            self._progress = Progress(n, unit="call", stream=self.stream)

    def __call__(self, label: str) -> None:
        """The next timed call starts: the previous one is done."""
        self._n += 1
        if self._progress is not None:
            if self._n > 1:
                self._progress.update(1)
            self._progress.describe(label)

    def note(self, label: str) -> None:
        if self._progress is not None:
            self._progress.describe(label)

    def close(self) -> None:
        if self._progress is not None:
            self._progress.update(self._progress.total - self._progress.done)
            self._progress.close("done")
            self._progress = None
