"""A/B timing of two builds of the core, interleaved: ns per element on one thread.

Kernel work needs before/after numbers taken under the same load. This script runs the
same measurement on two (or more) copies of the package, alternating between them in
short rounds, and reports the median over rounds of each copy's per-round median, with the
load average. Each copy is a directory that holds an importable ``turboinit`` (for
example a copy of ``src/`` with an older ``_core`` extension)::

    cp -r src /tmp/before              # before rebuilding
    python benchmarks/bench_ab.py /tmp/before src --quick
    python benchmarks/bench_ab.py src --n 4194304 --paths normal:float64 uniform:float64

Paths are ``sampler:dtype`` with sampler in normal, uniform, truncnorm (dtype float32,
float64, float16, bfloat16) or a Generator distribution of bench_per_core.BULK
(``exponential``, ``laplace``, ... ``binomial``: float64; exponential and gamma also float32);
every call is one flat call of ``turboinit._core`` into a warm buffer
(bench_per_core.turboinit_call), timed by bench_per_core.rate, one thread, kernel as
dispatched (``--kernel`` forces one). Public methods, a fresh array per call, to compare
implementations of a method: ``choice:pM`` times ``Generator.choice(M, n, p=p)`` with ``p``
proportional to ``1..M``; ``dirichlet4:float64`` is ``Generator.dirichlet([1, 2, 3, 4], n // 4)``
(``dirichlet3``: ``[1, 2, 3]``, ``n // 3`` rows);
the keys of ``TILED`` call the method with a ``(1024,)`` parameter broadcast to
``(n // 1024, 1024)``; ``truncnorm@LO,HI`` is the truncated normal on ``[LO, HI]`` (units
of std) instead of ``[-2, 2]``, as a flat core call::

    python benchmarks/bench_ab.py /tmp/before src --paths exponential:float64 dirichlet4:float64
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Callable

from interleave import interleave, last_json, tree_env

DEFAULT_PATHS = [
    f"{s}:{d}"
    for s in ("uniform", "normal", "truncnorm")
    for d in ("float32", "float64", "float16", "bfloat16")
]


# name: Generator method given a (1024,) array as its first parameter.
TILED = {
    "exponential_tile1024": "exponential",
    "laplace_tile1024": "laplace",
    "weibull_tile1024": "weibull",
    "gamma_tile1024": "standard_gamma",
}


def make_call(path: str, n: int) -> Callable[[], Any]:
    """One flat call of ``turboinit._core`` for ``sampler:dtype`` (bench_per_core's)."""
    # Imported here: bench_per_core imports turboinit, which only the children (with
    # PYTHONPATH set to one tree) may do.
    from bench_per_core import turboinit_call

    sampler, dtype = path.split(":")
    if sampler == "choice":  # the public method: "choice:p1000" draws n of 1000 by p
        import numpy as np

        from turboinit.random import default_rng

        m = int(dtype[1:])
        w = np.arange(1, m + 1, dtype=np.float64)
        p, rng = w / w.sum(), default_rng(0)
        return lambda: rng.choice(m, n, p=p)
    if sampler in TILED:  # a (1024,) parameter broadcast to (n // 1024, 1024)
        import numpy as np

        from turboinit.random import default_rng

        method = getattr(default_rng(0), TILED[sampler])
        row = np.linspace(0.5, 2.0, 1024)
        size = (n // 1024, 1024)
        return lambda: method(row, size=size)
    if sampler in ("dirichlet3", "dirichlet4"):
        from turboinit.random import default_rng

        rng = default_rng(0)
        alpha = [1.0, 2.0, 3.0, 4.0][: int(sampler[-1])]
        return lambda: rng.dirichlet(alpha, n // len(alpha))
    return turboinit_call(sampler, dtype, n)


def child(args: argparse.Namespace) -> int:
    """One round in this process: per path, the median of `repeats` timed calls."""
    from bench_per_core import rate

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
        timing = rate(make_call(path, args.n), args.n, 1, args.repeats, clock)
        res[path] = timing["median_s"] / args.n * 1e9
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
    cmd = [sys.executable, __file__, "--child", "--n", str(args.n)]
    cmd += ["--repeats", str(args.repeats), "--paths", *args.paths]
    if args.kernel:
        cmd += ["--kernel", args.kernel]
    cmd += ["--clock", args.clock]
    results, loads = interleave(
        args.trees, args.rounds, lambda tree: last_json(cmd, tree_env(tree, OMP_NUM_THREADS="1"))
    )
    per = {t: {q: [r[q] for r in results[t]] for q in args.paths} for t in args.trees}
    load_before, load_after = loads[0]["before"], loads[-1]["after"]
    result = {
        "n": args.n,
        "threads": 1,
        "clock": args.clock,
        "loadavg_before": load_before,
        "loadavg_after": load_after,
        "loadavg": loads,
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
