"""Instructions per element of the core samplers, counted by callgrind (load cannot touch them).

Each path (``sampler:dtype``, as in bench_ab.py) runs under
``valgrind --tool=callgrind`` in its own process, counting only inside the kernel entry
points (``turboinit::kernels::*_entry*``: ``uniform_entry``, ``normal_entry``,
``truncated_normal_entry``, ``bulk_entry`` for the Generator distributions), so
the interpreter, NumPy and the bindings are left out. Needs a ``_core`` extension with its
symbols (the build's post-build ``strip`` removes them; link without it), one thread::

    python benchmarks/callgrind_paths.py                      # every path, src/
    python benchmarks/callgrind_paths.py --tree /tmp/before --paths normal:float64
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
from bench_ab import DEFAULT_PATHS  # noqa: E402

CHILD = """
import sys
import turboinit as ti
from bench_ab import make_call
ti.set_num_threads(1)
kernel = sys.argv[4]
if kernel != "-":
    from turboinit import _core
    _core.set_kernel(kernel)
call = make_call(sys.argv[1], int(sys.argv[2]))
for _ in range(int(sys.argv[3])):
    call()
"""


def count(tree: str, path: str, n: int, calls: int, kernel: str) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        outfile = os.path.join(tmp, "cg.out")
        cmd = [
            "valgrind",
            "--tool=callgrind",
            f"--callgrind-out-file={outfile}",
            "--toggle-collect=turboinit::kernels::*_entry*",
            sys.executable,
            "-c",
            CHILD,
            path,
            str(n),
            str(calls),
            kernel,
        ]
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
    p.add_argument("--tree", default="src", help="directory holding turboinit")
    p.add_argument("--n", type=int, default=2**14)
    p.add_argument("--calls", type=int, default=2)
    p.add_argument("--kernel", default="-", help="force a kernel (default: as dispatched)")
    p.add_argument("--paths", nargs="+", default=DEFAULT_PATHS)
    p.add_argument("--out", type=Path, default=None)
    args = p.parse_args(argv)
    load_before = os.getloadavg()
    res = {}
    for path in args.paths:
        ir = count(args.tree, path, args.n, args.calls, args.kernel)
        res[path] = ir / (args.n * args.calls)
        print(f"{path:20} {res[path]:8.2f} instructions per element", flush=True)
    # Instruction counts do not depend on the load; it is recorded all the same.
    load_after = os.getloadavg()
    print(f"load average {load_before[0]:.2f} -> {load_after[0]:.2f}")
    if args.out:
        result = {
            "n": args.n,
            "tree": args.tree,
            "kernel": args.kernel,
            "loadavg_before": list(load_before),
            "loadavg_after": list(load_after),
            "ir": res,
        }
        args.out.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
