"""Time ``turboinit.orthogonal`` against PyTorch and NumPy, and check its accuracy.

    python benchmarks/bench_orthogonal.py                 # 1024, 2048, 4096 and (32768, 1024)
    python benchmarks/bench_orthogonal.py --full          # adds 8192 x 8192
    python benchmarks/bench_orthogonal.py --quick         # tiny sizes: checks the script only
    python benchmarks/bench_orthogonal.py --threads 2 --repeats 5

Every library does the whole initialisation on the same thread count, in place
where it can:

* ``turboinit``: ``turboinit.orthogonal(shape, seed=..., dtype=..., out=buf)``
  (Gaussian draw, blocked Householder QR, Q formed in place, signs and gain);
* ``torch``: ``torch.nn.init.orthogonal_(tensor)`` after
  ``torch.set_num_threads(threads)`` (normal_, LAPACK geqrf + orgqr through
  ``torch.linalg.qr``, sign fix, copy);
* ``numpy``: ``rng.standard_normal`` + ``numpy.linalg.qr`` + sign fix, with the
  BLAS limited to the same threads (threadpoolctl), as Lasagne-style code does.

Each case reports the median (and min/max) of ``--repeats`` timed calls after one
warm-up call, and turboinit's (and torch's) orthogonality error
``max |Q^T Q - I|`` computed in float64 (over a sample of 512 columns when the
matrix is wider than 4096).  Results are printed as a Markdown table and written
as JSON to ``benchmarks/results/orthogonal.json`` (``--json`` to change).
Run on a quiet machine: every library's time is sensitive to other load.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np

import turboinit as ti

HERE = Path(__file__).resolve().parent


def timed(fn: Callable[[], Any], repeats: int) -> list[float]:
    fn()  # warm-up: first-touch pages, thread pools, lazy initialisation
    samples = []
    gc.disable()
    try:
        for _ in range(repeats):
            t0 = time.perf_counter()
            fn()
            samples.append(time.perf_counter() - t0)
    finally:
        gc.enable()
    return samples


def ortho_error(q: np.ndarray) -> float:
    """max |Q^T Q - I| (tall/square) or |Q Q^T - I| (wide), in float64."""
    m = np.asarray(q, dtype=np.float64)
    if m.shape[0] < m.shape[1]:
        m = m.T
    n = m.shape[1]
    cols = np.arange(n) if n <= 4096 else np.linspace(0, n - 1, 512).astype(np.int64)
    gram = m.T @ m[:, cols]
    gram[cols, np.arange(len(cols))] -= 1.0
    return float(np.abs(gram).max())


def cell(
    by: dict[str, dict[str, Any]], lib: str, key: str = "median_s", fmt: str = "{:.3f}"
) -> str:
    value = by.get(lib, {}).get(key)
    return "-" if value is None else fmt.format(value)


def machine_info(threads: int) -> dict[str, Any]:
    info: dict[str, Any] = {
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "cpu_count": os.cpu_count(),
        "threads": threads,
        "numpy": np.__version__,
        "turboinit": ti.build_info(),
    }
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    info["cpu"] = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        import torch

        info["torch"] = torch.__version__
        info["torch_config"] = torch.__config__.show()
    except ImportError:
        info["torch"] = None
    return info


def bench_case(
    shape: tuple[int, int], dtype: str, threads: int, repeats: int, libs: list[str]
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    base = {"shape": list(shape), "dtype": dtype, "threads": threads}

    out = np.empty(shape, dtype=dtype)
    samples = timed(lambda: ti.orthogonal(shape, seed=0, dtype=dtype, out=out), repeats)
    rows.append({**base, "library": "turboinit", "samples_s": samples, "error": ortho_error(out)})

    if "torch" in libs:
        try:
            import torch
        except ImportError:
            torch = None
        if torch is not None:
            torch.set_num_threads(threads)
            t = torch.empty(shape, dtype=getattr(torch, dtype))
            samples = timed(lambda: torch.nn.init.orthogonal_(t), repeats)
            rows.append(
                {**base, "library": "torch", "samples_s": samples, "error": ortho_error(t.numpy())}
            )
            del t

    if "numpy" in libs:
        from threadpoolctl import threadpool_limits

        rng = np.random.default_rng(0)

        def numpy_orthogonal() -> np.ndarray:
            g = rng.standard_normal(shape, dtype=np.dtype(dtype))
            a = g if shape[0] >= shape[1] else g.T
            q, r = np.linalg.qr(a)
            q *= np.sign(np.diag(r))
            return q if shape[0] >= shape[1] else q.T

        with threadpool_limits(threads, user_api="blas"):
            samples = timed(numpy_orthogonal, repeats)
        rows.append({**base, "library": "numpy", "samples_s": samples, "error": None})

    for r in rows:
        s = r["samples_s"]
        r.update(median_s=statistics.median(s), min_s=min(s), max_s=max(s))
    return rows


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--full", action="store_true", help="add 8192 x 8192")
    p.add_argument("--quick", action="store_true", help="tiny sizes (checks the script)")
    p.add_argument("--threads", type=int, default=None, help="default: turboinit.get_num_threads()")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--dtypes", default="float32,float64")
    p.add_argument("--libs", default="torch,numpy", help="baselines to run (comma-separated)")
    p.add_argument("--json", type=Path, default=HERE / "results" / "orthogonal.json")
    args = p.parse_args(argv)

    threads = args.threads or ti.get_num_threads()
    ti.set_num_threads(threads)
    if args.quick:
        shapes = [(256, 256), (2048, 128)]
    else:
        shapes = [(1024, 1024), (2048, 2048), (4096, 4096)]
        if args.full:
            shapes.append((8192, 8192))
        shapes.append((32768, 1024))
    libs = [x for x in args.libs.split(",") if x]

    report: dict[str, Any] = {
        "machine": machine_info(threads),
        "settings": {"repeats": args.repeats, "shapes": shapes, "libs": libs},
        "load_before": os.getloadavg() if hasattr(os, "getloadavg") else None,
        "results": [],
    }
    print(
        f"| shape | dtype | turboinit (s) | torch (s) | numpy (s) | vs torch | vs numpy | "
        f"error ours | error torch |  (threads={threads}, median of {args.repeats})"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for dtype in args.dtypes.split(","):
        for shape in shapes:
            rows = bench_case(shape, dtype, threads, args.repeats, libs)
            report["results"].extend(rows)
            by = {r["library"]: r for r in rows}
            ours = by["turboinit"]["median_s"]
            speed = {lib: by[lib]["median_s"] / ours for lib in ("torch", "numpy") if lib in by}
            cells = [
                f"{shape[0]}x{shape[1]}",
                dtype,
                *(cell(by, lib) for lib in ("turboinit", "torch", "numpy")),
                *(f"{speed[k]:.2f}x" if k in speed else "-" for k in ("torch", "numpy")),
                *(cell(by, lib, "error", "{:.1e}") for lib in ("turboinit", "torch")),
            ]
            print("| " + " | ".join(cells) + " |", flush=True)
    report["load_after"] = os.getloadavg() if hasattr(os, "getloadavg") else None
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=1))
    print(f"\nwrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
