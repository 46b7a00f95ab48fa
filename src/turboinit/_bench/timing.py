"""Wall-clock timing of one callable: warm-up excluded, auto-ranged, median of repeats."""

from __future__ import annotations

import gc
import math
import statistics
import time
from dataclasses import dataclass
from typing import Any, Callable


@dataclass
class Timing:
    """Seconds per call of each sample; a sample runs ``inner`` calls back to back."""

    samples: list[float]
    inner: int
    warmup: int

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def min(self) -> float:
        return min(self.samples)

    @property
    def max(self) -> float:
        return max(self.samples)


def measure(
    fn: Callable[[], Any],
    repeat: int,
    *,
    warmup: int = 1,
    min_sample_s: float = 0.005,
    budget_s: float | None = None,
    min_repeat: int = 3,
) -> Timing:
    """Time ``fn``: ``warmup`` calls are run and dropped (the last one sizes the
    samples), then ``repeat`` samples of ``inner`` calls each, ``inner`` chosen so
    a sample lasts at least ``min_sample_s`` (timer resolution, call overhead of
    tiny sizes).  With ``budget_s`` the samples stop once they took that long
    (at least ``min_repeat`` of them), so 1 GiB cases stay affordable.

    The garbage collector is off while timing, as in :mod:`timeit`.
    """
    if repeat < 1 or warmup < 1:
        raise ValueError(f"repeat and warmup must be >= 1, got {repeat} and {warmup}")
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(warmup - 1):
            fn()
        t0 = time.perf_counter()
        fn()
        once = max(time.perf_counter() - t0, 1e-9)
        inner = 1 if once >= min_sample_s else min(10**6, math.ceil(min_sample_s / once))
        samples: list[float] = []
        spent = 0.0
        for i in range(repeat):
            t0 = time.perf_counter()
            for _ in range(inner):
                fn()
            dt = time.perf_counter() - t0
            samples.append(dt / inner)
            spent += dt
            if budget_s is not None and i + 1 >= min_repeat and spent >= budget_s:
                break
    finally:
        if gc_was_enabled:
            gc.enable()
    return Timing(samples, inner, warmup)
