"""bench_bulk.py on two (or more) copies of the package, interleaved: before/after
numbers for the parallel Generator methods taken under the same load.

Each tree is a directory holding an importable ``turboinit`` (``src`` of a checkout with
its built ``_core``). Round after round, each tree runs ``bench_bulk.py`` in a fresh
process on the same cases; the report gives, per tree and case, the median over rounds of
turboinit's time, NumPy's time and their ratio, with the load average of every round::

    python benchmarks/bench_bulk_ab.py /work/main/src src --only "choice(p)" --rounds 5
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from interleave import interleave, tree_env

BENCH = Path(__file__).resolve().parent / "bench_bulk.py"


def run_once(tree: str, args: argparse.Namespace) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "bulk.json"
        cmd = [sys.executable, str(BENCH), "--log2n", str(args.log2n)]
        cmd += ["--repeat", str(args.repeat), "--json", str(out)]
        if args.only:
            cmd += ["--only", *args.only]
        if args.threads is not None:
            cmd += ["--threads", str(args.threads)]
        subprocess.run(cmd, env=tree_env(tree), check=True, capture_output=True, text=True)
        rows: list[dict[str, Any]] = json.loads(out.read_text())["rows"]
        return rows


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("trees", nargs="+", help="directories holding turboinit")
    p.add_argument("--only", nargs="*", default=None, help="case names (prefix match)")
    p.add_argument("--log2n", type=int, default=24)
    p.add_argument("--repeat", type=int, default=3, help="calls per case and run (best kept)")
    p.add_argument("--rounds", type=int, default=5, help="alternations between the trees")
    p.add_argument("--threads", type=int, default=None)
    p.add_argument("--json", type=Path, default=None, help="write the results here")
    args = p.parse_args(argv)
    runs, loads = interleave(args.trees, args.rounds, lambda tree: run_once(tree, args))
    samples: dict[str, dict[str, dict[str, list[float]]]] = {t: {} for t in args.trees}
    for tree, tree_runs in runs.items():
        for rows in tree_runs:
            for row in rows:
                case = samples[tree].setdefault(
                    row["method"], {"turboinit_s": [], "numpy_pcg64_s": [], "speedup": []}
                )
                for key in case:
                    case[key].append(row[key])
    medians = {
        t: {m: {k: statistics.median(v) for k, v in d.items()} for m, d in cases.items()}
        for t, cases in samples.items()
    }
    for tree, cases in medians.items():
        for method, m in cases.items():
            print(
                f"{tree:>24.24} {method:24s} turboinit {m['turboinit_s'] * 1e3:9.2f} ms   "
                f"numpy {m['numpy_pcg64_s'] * 1e3:9.2f} ms   x{m['speedup']:.2f}"
            )
    ones = [x["before"][0] for x in loads]
    print(f"1-minute load average over the rounds: {min(ones):.2f} .. {max(ones):.2f}")
    if args.json:
        result = {
            "benchmark": "bench_bulk_ab",
            "elements": 1 << args.log2n,
            "rounds": args.rounds,
            "cpu_count": os.cpu_count(),
            "loadavg": loads,
            "medians": medians,
            "samples": samples,
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
