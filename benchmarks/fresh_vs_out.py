"""What a new array costs the Generator's cheap methods: first touch against generation.

    python benchmarks/fresh_vs_out.py                    # 2**24 float64 (128 MiB)
    python benchmarks/fresh_vs_out.py --size 2**16 --repeat 3

Times ``Generator.random(n)`` (a new array) and ``Generator.random(out=buf)`` (pages touched
beforehand) on 1 and 2 threads (up to the usable cores), with NumPy's huge-page advice for
new arrays on and off, beside ``np.full(n, 1.0)`` (new), ``buf.fill(1.0)`` and NumPy's
``Generator(PCG64).random(n)``; medians of ``--repeat`` samples after one warm-up
(``turboinit._bench.timing.measure``: calls under 5 ms are timed a few at a time).  The
difference fresh - out is the first touch of the new array.  Linux (the huge-page switch is
NumPy's ``_set_madvise_hugepage``).
"""

from __future__ import annotations

import argparse
import functools
import json
from typing import Any, Callable

import numpy as np
from numpy._core import multiarray as _multiarray

import turboinit as ti
from turboinit._bench.cli import parse_count
from turboinit._bench.machine import describe, load_average
from turboinit._bench.timing import measure

# NumPy's switch for the MADV_HUGEPAGE advice on its new arrays (not in its stubs).
_set_madvise_hugepage: Callable[[bool], bool] = getattr(_multiarray, "_set_madvise_hugepage")  # noqa: B009


def _median_ms(call: Callable[[], Any], repeat: int) -> float:
    return measure(call, repeat).median * 1e3


def run(n: int, repeat: int) -> dict[str, Any]:
    load_before = load_average()
    buf = np.ones(n)
    numpy_rng = np.random.Generator(np.random.PCG64(1))
    rows: list[dict[str, Any]] = []
    threads_before = ti.get_num_threads()
    try:
        for huge in (True, False):
            _set_madvise_hugepage(huge)
            for threads in sorted({1, min(2, ti.max_num_threads())}):
                ti.set_num_threads(threads)
                rng = ti.random.default_rng(1)
                fresh = _median_ms(functools.partial(rng.random, n), repeat)
                out = _median_ms(functools.partial(rng.random, out=buf), repeat)
                rows.append(
                    {
                        "huge_pages": huge,
                        "threads": threads,
                        "fresh_ms": fresh,
                        "out_ms": out,
                        "first_touch_ms": fresh - out,
                    }
                )
                print(
                    f"huge pages {huge!s:5} threads {threads}: fresh {fresh:7.2f} ms  "
                    f"out= {out:7.2f} ms  first touch {fresh - out:6.2f} ms",
                    flush=True,
                )
        _set_madvise_hugepage(True)
        refs = {
            "np.full": _median_ms(lambda: np.full(n, 1.0), repeat),
            "buf.fill": _median_ms(lambda: buf.fill(1.0), repeat),
            "numpy_pcg64_random": _median_ms(lambda: numpy_rng.random(n), repeat),
        }
    finally:
        _set_madvise_hugepage(True)
        ti.set_num_threads(threads_before)
    for name, ms in refs.items():
        print(f"{name:20} {ms:7.2f} ms", flush=True)
    return {
        "benchmark": "fresh_vs_out",
        "n": n,
        "dtype": "float64",
        "repeat": repeat,
        "machine": describe(),
        "kernel": ti.build_info()["kernel"],
        "load_before": load_before,
        "load_after": load_average(),
        "rows": rows,
        "references_ms": refs,
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--size", type=parse_count, default=2**24, help="float64 elements per call")
    p.add_argument("--repeat", type=int, default=15, help="timed calls per row (median)")
    p.add_argument("--out", help="write the results here (JSON)")
    a = p.parse_args()
    result = run(a.size, a.repeat)
    print(f"load {result['load_before']} -> {result['load_after']}")
    if a.out:
        with open(a.out, "w", encoding="utf-8") as f:
            json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
