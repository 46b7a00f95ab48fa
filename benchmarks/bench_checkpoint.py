"""Time and peak memory of writing a safetensors checkpoint from a spec.

    python benchmarks/bench_checkpoint.py                       # decoder_1b, bfloat16
    python benchmarks/bench_checkpoint.py --spec mlp_small      # a quick check
    python benchmarks/bench_checkpoint.py --json results.json

Three ways to write the same tensors (same shapes, same distributions):

* ``turboinit``: ``turboinit.checkpoint.write``, out of core (memory-mapped,
  ``--max-memory`` at a time), synced to disk before the rename;
* ``torch``: the obvious alternative: every tensor allocated in PyTorch,
  initialised with the matching ``torch.nn.init`` function (``normal_``,
  ``uniform_``, ``trunc_normal_``, ``zeros_``, ``ones_``, ``constant_``) in the
  target dtype, then ``safetensors.torch.save_file`` (``--torch-via-float32``
  initialises in float32 and casts, as a model built in float32 would);
* ``numpy``: ``numpy.random.default_rng`` in float32 (float64 for float64
  tensors), cast, then ``safetensors.numpy.save_file``.

Each runs in its own fresh process; its peak resident memory is the child's
``ru_maxrss`` (from ``os.wait4``), its time the wall time of the write alone
(imports excluded) up to the file being on disk: ``write`` syncs the file before
its rename, so the baselines' times include an ``fsync`` too (their time
before it is reported as ``seconds_before_fsync``).  Page cache is not counted
in the peak memory: the files are written through the kernel in every case.
Results are printed as a table and written as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

CHILD = textwrap.dedent(
    r"""
    import json, math, os, sys, time
    method, spec_name, path, dtype, max_memory, via_float32, seed = sys.argv[1:8]
    max_memory, via_float32, seed = int(max_memory), via_float32 == "1", int(seed)
    from turboinit.checkpoint import load_spec
    spec = load_spec(spec_name)

    def sync(p):
        fd = os.open(p, os.O_RDONLY)
        os.fsync(fd)
        os.close(fd)

    before_sync = None  # turboinit.checkpoint.write syncs before its rename

    def settings(t):
        return t["init"], t.get("args", {}), t.get("dtype", dtype)

    if method == "turboinit":
        from turboinit.checkpoint import write
        t0 = time.perf_counter()
        write(spec, path, seed=seed, dtype=dtype, max_memory=max_memory)
        elapsed = time.perf_counter() - t0

    elif method == "torch":
        import torch
        from safetensors.torch import save_file
        torch.manual_seed(seed)
        types = {"float32": torch.float32, "float64": torch.float64,
                 "float16": torch.float16, "bfloat16": torch.bfloat16}
        init = torch.nn.init

        def make(t):
            name, a, dt = settings(t)
            x = torch.empty(t["shape"], dtype=torch.float32 if via_float32 else types[dt])
            if name == "normal":
                init.normal_(x, a.get("mean", 0.0), a.get("std", 1.0))
            elif name == "uniform":
                init.uniform_(x, a.get("low", 0.0), a.get("high", 1.0))
            elif name == "truncated_normal":
                m, s = a.get("mean", 0.0), a.get("std", 1.0)
                lo, hi = m + s * a.get("lower", -2.0), m + s * a.get("upper", 2.0)
                init.trunc_normal_(x, m, s, lo, hi)  # absolute bounds in PyTorch
            elif name == "zeros":
                init.zeros_(x)
            elif name == "ones":
                init.ones_(x)
            elif name == "constant":
                init.constant_(x, a["value"])
            else:
                raise SystemExit(f"unsupported init for the torch baseline: {name}")
            return x.to(types[dt]) if via_float32 else x

        t0 = time.perf_counter()
        tensors = {k: make(t) for k, t in spec["tensors"].items()}
        save_file(tensors, path)
        before_sync = time.perf_counter() - t0
        sync(path)
        elapsed = time.perf_counter() - t0

    elif method == "numpy":
        import numpy as np
        from safetensors.numpy import save_file
        rng = np.random.default_rng(seed)
        types = {"float32": np.float32, "float64": np.float64, "float16": np.float16}
        try:
            import ml_dtypes
            types["bfloat16"] = ml_dtypes.bfloat16
        except ImportError:
            pass

        def make(t):
            name, a, dt = settings(t)
            work = np.float64 if dt == "float64" else np.float32
            shape = t["shape"]
            if name == "normal":
                x = rng.standard_normal(shape, dtype=work) * work(a.get("std", 1.0))
                x += work(a.get("mean", 0.0))
            elif name == "uniform":
                lo, hi = a.get("low", 0.0), a.get("high", 1.0)
                x = rng.random(shape, dtype=work) * work(hi - lo) + work(lo)
            elif name == "zeros":
                x = np.zeros(shape, work)
            elif name == "ones":
                x = np.ones(shape, work)
            elif name == "constant":
                x = np.full(shape, a["value"], work)
            else:
                raise SystemExit(f"unsupported init for the numpy baseline: {name}")
            return np.ascontiguousarray(x.astype(types[dt], copy=False))

        t0 = time.perf_counter()
        tensors = {k: make(t) for k, t in spec["tensors"].items()}
        save_file(tensors, path)
        before_sync = time.perf_counter() - t0
        sync(path)
        elapsed = time.perf_counter() - t0
    else:
        raise SystemExit(f"unknown method {method}")
    print(json.dumps({"seconds": elapsed, "seconds_before_fsync": before_sync}))
    """
)


def run(method: str, args: argparse.Namespace, path: Path) -> dict:
    cmd = [
        sys.executable,
        "-c",
        CHILD,
        method,
        args.spec,
        str(path),
        args.dtype,
        str(args.max_memory),
        "1" if args.torch_via_float32 else "0",
        str(args.seed),
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(proc.pid, 0)
    out, err = proc.stdout.read(), proc.stderr.read()
    proc.stdout.close()
    proc.stderr.close()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        return {"method": method, "error": (err or out).strip().splitlines()[-1:]}
    result = json.loads(out.strip().splitlines()[-1])
    return {
        "method": method,
        "seconds": result["seconds"],
        "seconds_before_fsync": result["seconds_before_fsync"],
        "peak_rss_bytes": usage.ru_maxrss * 1024,  # Linux reports KiB
        "file_bytes": path.stat().st_size,
    }


def main(argv: list[str] | None = None) -> int:
    from turboinit.checkpoint import DEFAULT_MAX_MEMORY, load_spec, parse_size

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--spec", default="decoder_1b", help="shipped spec name or JSON file")
    p.add_argument(
        "--dtype", default="bfloat16", choices=["float32", "float64", "float16", "bfloat16"]
    )
    p.add_argument("--max-memory", type=parse_size, default=DEFAULT_MAX_MEMORY)
    p.add_argument(
        "--methods",
        default="turboinit,torch,numpy",
        help="comma-separated subset of turboinit,torch,numpy",
    )
    p.add_argument(
        "--torch-via-float32",
        action="store_true",
        help="torch baseline: initialise in float32, then cast",
    )
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--repeat", type=int, default=1, help="runs per method (best time kept)")
    p.add_argument(
        "--out-dir", default=None, help="where the files go (default: a temporary folder)"
    )
    p.add_argument("--json", default=None, help="write the results to this file")
    args = p.parse_args(argv)

    import turboinit

    spec = load_spec(args.spec)
    params = sum(_prod(t["shape"]) for t in spec["tensors"].values())
    folder = Path(args.out_dir or tempfile.mkdtemp(prefix="bench_checkpoint_"))
    folder.mkdir(parents=True, exist_ok=True)
    print(
        f"spec {args.spec}: {params:,} parameters, dtype {args.dtype}, "
        f"max_memory {args.max_memory / 2**20:.0f} MiB, files in {folder}"
    )
    results = []
    for method in args.methods.split(","):
        runs = []
        for _ in range(args.repeat):
            path = folder / f"{method}.safetensors"
            runs.append(run(method, args, path))
            path.unlink(missing_ok=True)
        best = min((r for r in runs if "seconds" in r), key=lambda r: r["seconds"], default=runs[0])
        best["peak_rss_bytes_max"] = max((r.get("peak_rss_bytes", 0) for r in runs), default=0)
        results.append(best)
        if "error" in best:
            print(f"  {method:10s} failed: {best['error']}")
        else:
            rate = best["file_bytes"] / best["seconds"] / 2**20
            unsynced = best["seconds_before_fsync"]
            note = f"  ({unsynced:.2f} s before fsync)" if unsynced is not None else ""
            print(
                f"  {method:10s} {best['seconds']:8.2f} s  {rate:8.0f} MiB/s  "
                f"peak RSS {best['peak_rss_bytes_max'] / 2**20:8.0f} MiB  "
                f"file {best['file_bytes'] / 2**20:8.0f} MiB{note}"
            )
    if not args.out_dir:
        try:
            folder.rmdir()
        except OSError:
            pass
    record = {
        "benchmark": "checkpoint",
        "spec": args.spec,
        "parameters": params,
        "dtype": args.dtype,
        "max_memory": args.max_memory,
        "torch_via_float32": args.torch_via_float32,
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "turboinit": turboinit.build_info(),
        },
        "time": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "results": results,
    }
    if args.json:
        Path(args.json).write_text(json.dumps(record, indent=2, default=str) + "\n")
        print(f"results written to {args.json}")
    return 0


def _prod(shape: list[int]) -> int:
    n = 1
    for d in shape:
        n *= d
    return n


if __name__ == "__main__":
    sys.exit(main())
