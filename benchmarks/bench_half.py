"""float16 and bfloat16 against float32 at one size, on all threads, new arrays and ``out=``.

    python benchmarks/bench_half.py                       # 2**28 elements (1 GiB of float32)
    python benchmarks/bench_half.py --size 2**20 --repeat 3 --out /tmp/half.json

For normal, uniform and the truncated normal (on [-2, 2]) it times, per dtype,

* ``fresh``: ``turboinit.normal(n, dtype=...)``, a new array, page faults included;
* ``out``: into a buffer of that dtype whose pages were touched beforehand,

medians of ``--repeat`` calls after one warm-up call, interleaving the dtypes call by
call so that the machine's slow spells fall on all of them alike.  The JSON records the
machine, the kernel, and the load average before and after; ``ratio_to_float32`` is each
dtype's median over float32's for the same sampler and mode (above 1: slower).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from typing import Any, Callable

import numpy as np

import turboinit as ti
from turboinit._args import normalize_dtype
from turboinit._bench.cli import parse_count
from turboinit._bench.machine import describe, load_average

DTYPES = ("float32", "float16", "bfloat16")
SAMPLERS: dict[str, Callable[..., np.ndarray]] = {
    "normal": lambda n, **kw: ti.normal(n, **kw),
    "uniform": lambda n, **kw: ti.uniform(n, **kw),
    "truncnorm": lambda n, **kw: ti.truncated_normal(n, 0.0, 1.0, -2.0, 2.0, **kw),
}


def _call(
    make: Callable[..., np.ndarray], n: int, dtype: str, buf: np.ndarray | None
) -> Callable[[], np.ndarray]:
    if buf is None:
        return lambda: make(n, dtype=dtype, seed=1)
    return lambda: make(n, dtype=dtype, seed=1, out=buf)


def run(n: int, repeat: int) -> dict[str, Any]:
    load_before = load_average()
    rows = []
    for sampler, make in SAMPLERS.items():
        for mode in ("fresh", "out"):
            calls = {
                d: _call(make, n, d, np.ones(n, normalize_dtype(d)[0]) if mode == "out" else None)
                for d in DTYPES
            }
            samples: dict[str, list[float]] = {d: [] for d in DTYPES}
            for call in calls.values():
                call()  # warm-up
            for _ in range(repeat):
                for d, call in calls.items():
                    t = time.perf_counter()
                    r = call()
                    samples[d].append(time.perf_counter() - t)
                    del r
            del calls
            base = statistics.median(samples["float32"])
            for d in DTYPES:
                med = statistics.median(samples[d])
                rows.append(
                    {
                        "sampler": sampler,
                        "mode": mode,
                        "dtype": d,
                        "n": n,
                        "median_s": med,
                        "samples_s": samples[d],
                        "ratio_to_float32": med / base,
                    }
                )
                print(
                    f"{sampler:10} {mode:5} {d:9} {med * 1e3:9.2f} ms  {med / base:5.2f}x float32",
                    flush=True,
                )
    return {
        "benchmark": "bench_half",
        "machine": describe(),
        "threads": ti.get_num_threads(),
        "kernel": ti.build_info()["kernel"],
        "load_before": load_before,
        "load_after": load_average(),
        "rows": rows,
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--size", type=parse_count, default=2**28, help="elements per call")
    p.add_argument("--repeat", type=int, default=7, help="timed calls per row (median)")
    p.add_argument("--out", help="write the results here (JSON)")
    a = p.parse_args()
    result = run(a.size, a.repeat)
    print(f"kernel {result['kernel']}, load {result['load_before']} -> {result['load_after']}")
    if a.out:
        with open(a.out, "w", encoding="utf-8") as f:
            json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
