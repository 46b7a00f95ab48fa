"""A/B timing of two builds of the core, interleaved: ns per element on one thread.

Kernel work needs before/after numbers taken under the same load. This script runs the
same measurement on two (or more) copies of the package, alternating between them in
short rounds, and reports the median over rounds of each copy's per-round median, with the
load average. Each copy is a directory that holds an importable ``turboinit`` (for
example a copy of ``src/`` with an older ``_core`` extension)::

    cp -r src /tmp/before              # before rebuilding
    python benchmarks/bench_ab.py /tmp/before src --quick
    python benchmarks/bench_ab.py src --n 4194304 --paths normal:float64 uniform:float64

Paths are ``sampler:dtype`` with sampler in normal, uniform, truncnorm and dtype in
float32, float64, float16, bfloat16; every call is one flat call of ``turboinit._core``
into a warm buffer (``out=``), one thread, kernel as dispatched (``--kernel`` forces one).
The bulk distributions of the Generator are sampler names too (``exponential``,
``laplace``, ... ``binomial``, the keys of ``BULK``: ``_core.bulk`` into a warm buffer,
float64, or float32 where the kind has it), and ``dirichlet4`` is the public
``Generator.dirichlet([1, 2, 3, 4], n // 4)`` (a fresh array per call), and the keys of
``TILED`` call the public method with a ``(1024,)`` parameter broadcast to ``(n // 1024,
1024)`` (a fresh array per call)::

    python benchmarks/bench_ab.py /tmp/before src --paths exponential:float64 dirichlet4:float64
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable

CODES = {"float64": 0, "float32": 1, "float16": 2, "bfloat16": 3}
ITEM = {"float64": 8, "float32": 4, "float16": 2, "bfloat16": 2}
K0, K1 = 0x12345678, 0x9ABCDEF0
DEFAULT_PATHS = [
    f"{s}:{d}"
    for s in ("uniform", "normal", "truncnorm")
    for d in ("float32", "float64", "float16", "bfloat16")
]


# name: (bulk_kind code of cpp/simd/kernels.hpp, p0, p1)
BULK = {
    "exponential": (0, 1.0, 0.0),
    "laplace": (1, 0.0, 1.0),
    "logistic": (2, 0.0, 1.0),
    "gumbel": (3, 0.0, 1.0),
    "cauchy": (4, 0.0, 0.0),
    "rayleigh": (5, 1.0, 0.0),
    "lognormal": (6, 0.0, 1.0),
    "weibull": (7, 1.5, 0.0),
    "pareto": (8, 3.0, 0.0),
    "power": (9, 3.0, 0.0),
    "geometric": (10, 0.3, 0.0),
    "gamma": (11, 2.5, 1.0),
    "beta": (13, 2.0, 6.0),
    "poisson": (15, 30.0, 0.0),
    "binomial": (16, 50.0, 0.4),
}

# name: Generator method given a (1024,) array as its first parameter.
TILED = {
    "exponential_tile1024": "exponential",
    "laplace_tile1024": "laplace",
    "weibull_tile1024": "weibull",
    "gamma_tile1024": "standard_gamma",
}


def make_call(path: str, n: int) -> Callable[[], Any]:
    import numpy as np

    from turboinit import _core

    sampler, dtype = path.split(":")
    out = np.zeros(n * ITEM[dtype], np.uint8)
    code, shape, start = CODES[dtype], (n,), (0,)
    view = out.view({8: np.float64, 4: np.float32, 2: np.uint16}[ITEM[dtype]])
    if sampler == "normal":
        return lambda: _core.normal(view, code, shape, start, shape, K0, K1, 0, 0.0, 1.0)
    if sampler == "uniform":
        return lambda: _core.uniform(view, code, shape, start, shape, K0, K1, 0, 0.0, 1.0)
    if sampler in BULK:
        kind, p0, p1 = BULK[sampler]
        bulk_out = view.view(np.int64) if kind in (10, 15, 16) else view
        return lambda: _core.bulk(bulk_out, kind, code, shape, start, shape, K0, K1, 0, p0, p1)
    if sampler.endswith("_tile1024"):  # a (1024,) parameter broadcast to (n // 1024, 1024)
        import turboinit.random as tr

        rng = tr.default_rng(0)
        method = getattr(rng, TILED[sampler])
        row = np.linspace(0.5, 2.0, 1024)
        size = (n // 1024, 1024)
        return lambda: method(row, size=size)
    if sampler == "dirichlet4":
        import turboinit.random as tr

        rng = tr.default_rng(0)
        return lambda: rng.dirichlet([1.0, 2.0, 3.0, 4.0], n // 4)
    if sampler == "truncnorm":
        return lambda: _core.truncated_normal(
            view, code, shape, start, shape, K0, K1, 0, 0.0, 1.0, -2.0, 2.0
        )
    raise ValueError(path)


def child(args: argparse.Namespace) -> int:
    """One round in this process: per path, the median of `repeats` timed calls."""
    import turboinit as ti
    from turboinit import _core

    ti.set_num_threads(1)
    if args.kernel:
        _core.set_kernel(args.kernel)
    # CPU time of this thread (--clock cpu, the default) leaves out the time the thread
    # waits for a core on a loaded machine; wall time counts it.
    clock = time.thread_time if args.clock == "cpu" else time.perf_counter
    res = {}
    for path in args.paths:
        call = make_call(path, args.n)
        call()
        times = []
        for _ in range(args.repeats):
            t0 = clock()
            call()
            times.append(clock() - t0)
        res[path] = statistics.median(times) / args.n * 1e9
    print(json.dumps(res))
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("trees", nargs="*", default=["src"], help="directories holding turboinit")
    p.add_argument("--n", type=int, default=2**15, help="elements per call")
    p.add_argument("--repeats", type=int, default=15, help="timed calls per round")
    p.add_argument("--rounds", type=int, default=9, help="alternations between the trees")
    p.add_argument("--paths", nargs="+", default=DEFAULT_PATHS)
    p.add_argument("--kernel", default=None)
    p.add_argument(
        "--clock", choices=("cpu", "wall"), default="cpu", help="thread CPU or wall time"
    )
    p.add_argument("--quick", action="store_true", help="--rounds 2 --repeats 3")
    p.add_argument("--out", type=Path, default=None, help="write the JSON here")
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.quick:
        args.rounds, args.repeats = 2, 3
    if args.child:
        return child(args)
    load_before = os.getloadavg()
    per: dict[str, dict[str, list[float]]] = {t: {q: [] for q in args.paths} for t in args.trees}
    for _ in range(args.rounds):
        for tree in args.trees:
            cmd = [sys.executable, __file__, "--child", "--n", str(args.n)]
            cmd += ["--repeats", str(args.repeats), "--paths", *args.paths]
            if args.kernel:
                cmd += ["--kernel", args.kernel]
            cmd += ["--clock", args.clock]
            env = dict(os.environ, PYTHONPATH=str(Path(tree).resolve()), OMP_NUM_THREADS="1")
            out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True).stdout
            for q, v in json.loads(out.strip().splitlines()[-1]).items():
                per[tree][q].append(v)
    load_after = os.getloadavg()
    result = {
        "n": args.n,
        "threads": 1,
        "clock": args.clock,
        "loadavg_before": list(load_before),
        "loadavg_after": list(load_after),
        "ns_per_element": {
            t: {q: statistics.median(v) for q, v in d.items()} for t, d in per.items()
        },
        "samples": per,
    }
    width = max(len(t) for t in args.trees)
    print(f"n = {args.n}, one thread, {args.clock} ns per element (median of {args.rounds} rounds)")
    print(f"{'path':20} " + " ".join(f"{t[-width:]:>{max(width, 8)}}" for t in args.trees))
    for q in args.paths:
        vals = " ".join(f"{result['ns_per_element'][t][q]:>{max(width, 8)}.3f}" for t in args.trees)
        print(f"{q:20} {vals}")
    print(f"load average {load_before[0]:.2f} -> {load_after[0]:.2f}")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
