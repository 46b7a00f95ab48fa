"""Per-call overhead of small calls: turboinit against NumPy, in the same run.

Users call samplers in hot loops the way they call ``np.random``, so the fixed
cost of a call (argument checks, key derivation, allocation, the trip into the
core) matters as much as the per-element speed at these sizes. For ``n`` in
(1, 16, 1024) this times, per call (median of ``--repeat`` ``timeit`` runs):

* ``turboinit.normal/uniform/truncated_normal(n, seed=1)`` (a new array) and
  ``(... (n,), out=buf, seed=1)``, float32;
* the methods of ``turboinit.random.default_rng(1)``: ``random``,
  ``standard_normal``, ``normal``, ``uniform``, ``integers``, ``exponential``,
  ``gamma``, ``poisson``, ``binomial`` (the ``_core.bulk`` path), float64, and
  with ``size=None`` (a Python scalar);
* NumPy's equivalents in the same process: ``np.random.default_rng(1)`` built
  per call (what ``seed=1`` per call does), and the methods of one
  ``np.random.default_rng(1)``.

Like ``bench_ab.py``, it can time several copies of the package (directories
holding an importable ``turboinit``, e.g. a copy of ``src/`` before a change)
alternating between them in rounds, one process per round and copy, so every
copy sees the same load; the result of a case is the median over rounds.
``--clock cpu`` (the default) counts the process's CPU time, which a loaded
machine inflates less than wall time (``--clock wall``)::

    cp -r src /tmp/before                                  # before a change
    python benchmarks/bench_overhead.py /tmp/before src --json out.json
    python benchmarks/bench_overhead.py --quick            # checks the script in seconds

The JSON records ``os.getloadavg()`` before and after every round.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
import timeit
from pathlib import Path
from typing import Any

from interleave import interleave, last_json, tree_env

SIZES = (1, 16, 1024)

# (group, label, setup, statement); {n} is the size, buffers and generators come from SETUP.
TI_CASES = [
    ("ti", "normal(n, seed=1)", "ti.normal({n}, seed=1)"),
    ("ti", "normal((n,), out=, seed=1)", "ti.normal(({n},), out=b32, seed=1)"),
    ("ti", "uniform(n, seed=1)", "ti.uniform({n}, seed=1)"),
    ("ti", "uniform((n,), out=, seed=1)", "ti.uniform(({n},), out=b32, seed=1)"),
    ("ti", "truncated_normal(n, seed=1)", "ti.truncated_normal({n}, seed=1)"),
    ("ti", "truncated_normal((n,), out=, seed=1)", "ti.truncated_normal(({n},), out=b32, seed=1)"),
    ("ti", "normal(n, 0.5, 2.0, seed=1, dtype=float64)",
     "ti.normal({n}, 0.5, 2.0, seed=1, dtype='float64')"),
    ("ti", "init.kaiming_normal(shape, seed=1)", "ti.kaiming_normal((1, {n}), seed=1)"),
]  # fmt: skip
NP_SEEDED_CASES = [
    ("np_seeded", "default_rng(1).standard_normal(n, float32)",
     "np.random.default_rng(1).standard_normal({n}, dtype=np.float32)"),
    ("np_seeded", "default_rng(1).random(n, float32)",
     "np.random.default_rng(1).random({n}, dtype=np.float32)"),
]  # fmt: skip
# Generator methods: the same statement on turboinit's rng (gen) and NumPy's (npg).
GEN_CASES = [
    ("random(n)", "{g}.random({n})"),
    ("random(n, out=)", "{g}.random(out=b64)"),
    ("standard_normal(n)", "{g}.standard_normal({n})"),
    ("standard_normal(n, out=)", "{g}.standard_normal(out=b64)"),
    ("normal(0.5, 2.0, n)", "{g}.normal(0.5, 2.0, {n})"),
    ("uniform(-1.0, 1.0, n)", "{g}.uniform(-1.0, 1.0, {n})"),
    ("integers(0, 1000, n)", "{g}.integers(0, 1000, {n})"),
    ("exponential(2.0, n)", "{g}.exponential(2.0, {n})"),
    ("gamma(2.5, 2.0, n)", "{g}.gamma(2.5, 2.0, {n})"),
    ("poisson(4.0, n)", "{g}.poisson(4.0, {n})"),
    ("binomial(10, 0.3, n)", "{g}.binomial(10, 0.3, {n})"),
]
GEN_SCALAR_CASES = [
    ("random()", "{g}.random()"),
    ("standard_normal()", "{g}.standard_normal()"),
    ("normal(0.5, 2.0)", "{g}.normal(0.5, 2.0)"),
    ("integers(0, 1000)", "{g}.integers(0, 1000)"),
    ("exponential(2.0)", "{g}.exponential(2.0)"),
    ("gamma(2.5, 2.0)", "{g}.gamma(2.5, 2.0)"),
    ("poisson(4.0)", "{g}.poisson(4.0)"),
    ("binomial(10, 0.3)", "{g}.binomial(10, 0.3)"),
]

SETUP = """
import numpy as np
import turboinit as ti
import turboinit.random as tr
gen = tr.default_rng(1)
npg = np.random.default_rng(1)
b32 = np.empty({n}, np.float32)
b64 = np.empty({n}, np.float64)
"""


def cases(sizes: tuple[int, ...]) -> list[tuple[str, str, Any, str]]:
    """(group, label, n, statement) of every case; n is None for the scalar calls."""
    out: list[tuple[str, str, Any, str]] = []
    for n in sizes:
        for group, label, stmt in TI_CASES + NP_SEEDED_CASES:
            out.append((group, label, n, stmt.format(n=n)))
        for label, stmt in GEN_CASES:
            out.append(("ti_gen", label, n, stmt.format(g="gen", n=n)))
            out.append(("np_gen", label, n, stmt.format(g="npg", n=n)))
    for label, stmt in GEN_SCALAR_CASES:
        out.append(("ti_gen", label, None, stmt.format(g="gen")))
        out.append(("np_gen", label, None, stmt.format(g="npg")))
    return out


def child(args: argparse.Namespace) -> int:
    """One round in this process: per case, the median per-call time of ``repeat`` runs."""
    clock = time.process_time if args.clock == "cpu" else time.perf_counter
    res = {}
    for group, label, n, stmt in cases(tuple(args.sizes)):
        timer = timeit.Timer(stmt, setup=SETUP.format(n=n or 1), timer=clock)
        timer.timeit(10)  # warm-up: caches, first-call imports
        number = max(1, int(args.target / max(timer.timeit(20) / 20, 1e-9)))
        runs = timer.repeat(repeat=args.repeat, number=number)
        res[f"{group}|{label}|{n}"] = statistics.median(runs) / number * 1e6
    print(json.dumps(res))
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("trees", nargs="*", default=["src"], help="directories holding turboinit")
    p.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    p.add_argument("--repeat", type=int, default=7, help="timeit runs per case and round")
    p.add_argument("--target", type=float, default=0.02, help="seconds per timeit run")
    p.add_argument("--rounds", type=int, default=3, help="alternations between the trees")
    p.add_argument("--clock", choices=("cpu", "wall"), default="cpu")
    p.add_argument("--quick", action="store_true", help="one round, tiny runs, n = 16")
    p.add_argument("--json", type=Path, default=None, help="write the results here")
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.quick:
        args.rounds, args.repeat, args.target, args.sizes = 1, 3, 0.002, [16]
    if args.child:
        return child(args)

    cmd = [sys.executable, __file__, "--child", "--clock", args.clock]
    cmd += ["--repeat", str(args.repeat), "--target", str(args.target)]
    cmd += ["--sizes", *map(str, args.sizes)]
    results, loads = interleave(args.trees, args.rounds, lambda t: last_json(cmd, tree_env(t)))
    per = {t: {key: [r[key] for r in results[t]] for key in results[t][0]} for t in args.trees}

    rows = []
    for group, label, n, _ in cases(tuple(args.sizes)):
        key = f"{group}|{label}|{n}"
        row: dict[str, Any] = {"group": group, "call": label, "n": n}
        row["us_per_call"] = {t: statistics.median(per[t][key]) for t in args.trees}
        row["samples_us"] = {t: per[t][key] for t in args.trees}
        rows.append(row)
    result = {
        "what": "per-call time of small calls, microseconds (median over rounds of the "
        "median of timeit runs)",
        "clock": args.clock,
        "trees": args.trees,
        "rounds": args.rounds,
        "repeat": args.repeat,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "loadavg": loads,
        "results": rows,
    }

    names = [Path(t).resolve().parent.name + "/" + Path(t).name for t in args.trees]
    w = max(10, *(len(s) for s in names))
    print(f"us per call ({args.clock} time), median of {args.rounds} rounds")
    print(f"{'group':10} {'call':46} {'n':>5} " + " ".join(f"{s:>{w}}" for s in names))
    for row in rows:
        vals = " ".join(f"{row['us_per_call'][t]:>{w}.2f}" for t in args.trees)
        print(f"{row['group']:10} {row['call']:46} {row['n']!s:>5} {vals}")
    first, last = loads[0]["before"], loads[-1]["after"]
    print(f"load average {first[0]:.2f} -> {last[0]:.2f}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
