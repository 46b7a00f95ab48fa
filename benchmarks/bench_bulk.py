"""The parallel bulk methods of ``turboinit.random.Generator`` against NumPy's
``Generator(PCG64)``, in the same process and run.

    python benchmarks/bench_bulk.py                    # 2**24 elements, all threads
    python benchmarks/bench_bulk.py --log2n 16 --repeat 1 --json /tmp/bulk.json
    python benchmarks/bench_bulk.py --only gamma poisson --threads 2

Each method is called ``--repeat`` times on each generator (best time kept)
with the same arguments; the ratio is NumPy's time over ours.  The JSON holds
the machine, the thread count, ``os.getloadavg()`` before and after (numbers
taken on a busy machine are noise), and one row per method.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import platform
import time
from collections.abc import Callable
from typing import Any

import numpy as np

import turboinit as ti
from turboinit.random import default_rng

# (name, method, args): the same call on both generators.
CASES: list[tuple[str, str, tuple[Any, ...]]] = [
    # Not bulk methods: the existing kernels (the first to calibrate a run on a busy machine).
    ("standard_normal (reference)", "standard_normal", ()),
    ("random", "random", ()),
    ("uniform", "uniform", (0.0, 2.0)),
    ("integers", "integers", (0, 1000)),
    ("standard_exponential", "standard_exponential", ()),
    ("exponential", "exponential", (2.0,)),
    ("laplace", "laplace", (0.0, 2.0)),
    ("logistic", "logistic", (0.0, 2.0)),
    ("gumbel", "gumbel", (0.0, 2.0)),
    ("standard_cauchy", "standard_cauchy", ()),
    ("rayleigh", "rayleigh", (2.0,)),
    ("lognormal", "lognormal", (0.0, 1.0)),
    ("weibull", "weibull", (1.5,)),
    ("pareto", "pareto", (3.0,)),
    ("power", "power", (3.0,)),
    ("geometric", "geometric", (0.3,)),
    ("standard_gamma(0.5)", "standard_gamma", (0.5,)),
    ("standard_gamma(2.5)", "standard_gamma", (2.5,)),
    ("gamma", "gamma", (2.0, 3.0)),
    ("chisquare", "chisquare", (3.0,)),
    ("beta", "beta", (2.0, 5.0)),
    ("standard_t", "standard_t", (5.0,)),
    ("poisson(4)", "poisson", (4.0,)),
    ("poisson(100)", "poisson", (100.0,)),
    ("binomial(20, 0.3)", "binomial", (20, 0.3)),
    ("binomial(1000, 0.3)", "binomial", (1000, 0.3)),
    ("dirichlet", "dirichlet", ([1.0, 2.0, 3.0, 4.0],)),
    ("multinomial", "multinomial", (100, [0.1, 0.2, 0.3, 0.4])),
    ("permutation", "permutation", ()),
    ("choice(replace=False)", "choice", ()),
    ("choice(p)", "choice", ()),
]


def call(gen: Any, name: str, method: str, margs: tuple[Any, ...], n: int) -> Callable[[], Any]:
    """The benchmarked call: ``n`` elements out (rows of k for the vector methods)."""
    f = getattr(gen, method)
    if method == "permutation":
        return functools.partial(f, n)
    if name == "choice(replace=False)":  # n / 16 distinct values of n
        return functools.partial(f, n, n // 16, replace=False)
    if name == "choice(p)":
        p = np.arange(1, 1001, dtype=np.float64)
        return functools.partial(f, 1000, n, p=p / p.sum())
    if method in ("dirichlet", "multinomial"):
        return functools.partial(f, *margs, size=n // len(margs[-1]))
    return functools.partial(f, *margs, size=n)


def best_time(f: Callable[[], Any], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        f()
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--log2n", type=int, default=24, help="elements per call: 2**LOG2N")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--threads", type=int, default=None, help="turboinit threads (default all)")
    ap.add_argument("--only", nargs="*", default=None, help="case names (prefix match)")
    ap.add_argument("--json", default=None, help="write the results here")
    args = ap.parse_args()
    if args.threads is not None:
        ti.set_num_threads(args.threads)
    n = 1 << args.log2n
    ours, theirs = default_rng(0), np.random.Generator(np.random.PCG64(0))
    load_before = os.getloadavg()
    rows = []
    for name, method, margs in CASES:
        if args.only and not any(name.startswith(o) for o in args.only):
            continue
        t_ours = best_time(call(ours, name, method, margs, n), args.repeat)
        t_np = best_time(call(theirs, name, method, margs, n), args.repeat)
        row = {
            "method": name,
            "elements": n,
            "turboinit_s": t_ours,
            "numpy_pcg64_s": t_np,
            "speedup": t_np / t_ours,
        }
        rows.append(row)
        print(
            f"{name:24s} turboinit {t_ours * 1e3:9.2f} ms   numpy {t_np * 1e3:9.2f} ms   "
            f"x{row['speedup']:.2f}"
        )
    result = {
        "benchmark": "bench_bulk",
        "machine": platform.machine(),
        "processor": platform.processor(),
        "cpu_count": os.cpu_count(),
        "threads": ti.get_num_threads(),
        "kernel": ti.build_info()["kernel"],
        "numpy": np.__version__,
        "loadavg_before": load_before,
        "loadavg_after": os.getloadavg(),
        "rows": rows,
    }
    print(f"load average before {load_before}, after {result['loadavg_after']}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
