"""Instructions per element of one sampler path, from whole-process callgrind totals.

For an extension without symbols (the build strips them, so callgrind_paths.py's
``--toggle-collect`` finds nothing): the process runs the path ``2 calls`` times and
``calls`` times, and the difference of the two totals is divided by the extra
elements made (one-time costs, such as the first call's set-up, cancel). Same child as
callgrind_paths.py (one thread, a forced kernel)::

    python benchmarks/callgrind_delta.py --trees /tmp/before src --paths normal:float64

Instruction counts do not depend on the load; the load average is recorded anyway.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from callgrind_paths import CHILD  # noqa: E402


def total(tree: str, path: str, n: int, calls: int, kernel: str) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        outfile = os.path.join(tmp, "cg.out")
        cmd = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={outfile}"]
        cmd += [sys.executable, "-c", CHILD, path, str(n), str(calls), kernel]
        pythonpath = os.pathsep.join([str(Path(tree).resolve()), str(HERE)])
        env = dict(os.environ, PYTHONPATH=pythonpath, OMP_NUM_THREADS="1")
        subprocess.run(cmd, env=env, check=True, capture_output=True)
        text = Path(outfile).read_text()
    m = re.search(r"^summary:\s+(\d+)", text, re.M) or re.search(r"^totals:\s+(\d+)", text, re.M)
    if m is None:
        raise RuntimeError("no summary in the callgrind output")
    return int(m.group(1))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--trees", nargs="+", default=["src"], help="directories holding turboinit")
    p.add_argument("--n", type=int, default=2**15)
    p.add_argument("--calls", type=int, default=8)
    p.add_argument("--kernel", default="avx2", help="force a kernel ('-': as dispatched)")
    p.add_argument("--paths", nargs="+", default=["normal:float64"])
    p.add_argument("--out", type=Path, default=None)
    args = p.parse_args(argv)
    load_before = os.getloadavg()
    res: dict[str, dict[str, float]] = {}
    for tree in args.trees:
        for path in args.paths:
            full = total(tree, path, args.n, 2 * args.calls, args.kernel)
            empty = total(tree, path, args.n, args.calls, args.kernel)
            per = (full - empty) / (args.n * args.calls)
            res.setdefault(tree, {})[path] = per
            print(f"{tree:24} {path:18} {per:8.2f} instructions per element", flush=True)
    load_after = os.getloadavg()
    print(f"load average {load_before[0]:.2f} -> {load_after[0]:.2f}")
    if args.out:
        result = {
            "n": args.n,
            "calls": args.calls,
            "kernel": args.kernel,
            "loadavg_before": list(load_before),
            "loadavg_after": list(load_after),
            "ir_per_element": res,
        }
        args.out.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
