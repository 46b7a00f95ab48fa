"""Thread scaling of the core samplers: normal, uniform and truncated normal in float32.

    python benchmarks/bench_scaling.py                  # 1 GiB and 8 GiB, threads 1..all
    python benchmarks/bench_scaling.py --quick          # tiny sizes: checks the script

For each size (default 2**28 and 2**31 float32 elements: 1 GiB and 8 GiB), each
thread count (default 1, 2, 3, 4, 6, 8, 10, 12, 14, 16, capped at the usable
cores) and each sampler, it times

* ``fresh``: a new array per call (``turboinit.normal(n)``), page faults included;
* ``out``: into a buffer whose pages were touched beforehand (``out=buf``).

The median of ``--repeat`` calls after one warm-up call is kept; a row stops
repeating once its samples add up to ``--row-cap`` seconds (at least one
sample), and rows left when ``--budget`` seconds have passed are listed as
skipped, so the run ends in a known time.  Beside them, measured once per size
in the same run: the memory-bandwidth references ``np.full`` / ``out.fill``
(one thread, NumPy) and, when PyTorch is installed, ``torch.full`` /
``Tensor.fill_`` and ``torch.randn`` / ``Tensor.normal_`` on all threads.

Writes ``results.json`` (machine, load average before and after, every row) and
``scaling.png`` (speed-up over one thread, and GB/s written against the fill
references) to ``--out`` (default ``benchmarks/results/scaling/``).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import sys
import time
from typing import Any, Callable

import numpy as np

import turboinit as ti
from turboinit._bench.cli import parse_count
from turboinit._bench.machine import describe, load_average

HERE = os.path.dirname(os.path.abspath(__file__))
THREADS = (1, 2, 3, 4, 6, 8, 10, 12, 14, 16)
# Calls this large (4 GiB of float32 and up) are not warmed up: one call takes seconds and
# the thread pool's start is negligible beside it.
WARMUP_BELOW = 2**30
FILLS = ("np.full", "out.fill", "Tensor.fill_", "torch.full")
KINDS: dict[str, Callable[..., np.ndarray]] = {
    "normal": ti.normal,
    "uniform": ti.uniform,
    "truncnorm": ti.truncated_normal,
}


def _time(call: Callable[[], Any], repeat: int, cap_s: float, warmup: bool = True) -> list[float]:
    """Seconds of each timed call (after one warm-up call), at most ``repeat``, stopping at
    ``cap_s``."""
    if warmup:
        call()
    samples: list[float] = []
    while len(samples) < repeat and sum(samples) < cap_s:
        gc.collect()
        t0 = time.perf_counter()
        result = call()
        samples.append(time.perf_counter() - t0)
        del result
    return samples


def _row(samples: list[float], n: int, **fields: Any) -> dict[str, Any]:
    median = statistics.median(samples)
    return {
        **fields,
        "n": n,
        "median_s": median,
        "samples_s": samples,
        "melem_per_s": n / median / 1e6,
        "gb_per_s": 4 * n / median / 1e9,
    }


def _references(n: int, repeat: int, cap_s: float) -> list[dict[str, Any]]:
    rows = []
    buf = np.empty(n, np.float32)
    buf.fill(0.0)
    warm = n < WARMUP_BELOW
    rows.append(_row(_time(lambda: np.full(n, 1.0, np.float32), repeat, cap_s, warm), n,
                     library="numpy", call="np.full", mode="fresh", threads=1))  # fmt: skip
    rows.append(_row(_time(lambda b=buf: b.fill(1.0), repeat, cap_s, warm), n,
                     library="numpy", call="out.fill", mode="out", threads=1))  # fmt: skip
    del buf
    try:
        import torch
    except ImportError:
        return rows
    big = n >= WARMUP_BELOW
    t = torch.get_num_threads()
    tb = torch.zeros(n)
    cases = [
        ("torch.full", "fresh", lambda: torch.full((n,), 1.0)),
        ("Tensor.fill_", "out", lambda b=tb: b.fill_(1.0)),
    ]
    if not big:  # torch.randn of 8 GiB takes too long for the time it tells
        cases += [
            ("torch.randn", "fresh", lambda: torch.randn(n)),
            ("Tensor.normal_", "out", lambda b=tb: b.normal_()),
        ]
    for call, mode, fn in cases:
        rows.append(_row(_time(fn, repeat, cap_s, warm), n, library="torch", call=call, mode=mode,
                         threads=t))  # fmt: skip
    del tb
    return rows


def run(args: argparse.Namespace) -> dict[str, Any]:
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    threads = [t for t in args.threads if t <= (usable or 1)]
    if (usable or 1) not in threads:
        threads.append(usable or 1)
    result: dict[str, Any] = {
        "machine": describe(),
        "load_before": load_average(),
        "threads": threads,
        "rows": [],
        "references": [],
        "skipped": [],
    }
    start = time.perf_counter()
    for n in args.sizes:
        result["references"] += _references(n, args.repeat, args.row_cap)
        buf = np.empty(n, np.float32)
        ti.uniform(n, out=buf)  # touch every page
        for t in threads:
            ti.set_num_threads(t)
            for kind, fn in KINDS.items():
                for mode in args.modes:
                    label = dict(library="turboinit", call=kind, mode=mode, threads=t)
                    if time.perf_counter() - start > args.budget:
                        result["skipped"].append({**label, "n": n, "why": "--budget spent"})
                        continue
                    if mode == "fresh":
                        call: Callable[[], Any] = lambda fn=fn, n=n: fn(n, seed=1)  # noqa: E731
                    else:
                        call = lambda fn=fn, n=n, b=buf: fn(n, seed=1, out=b)  # noqa: E731
                    samples = _time(call, args.repeat, args.row_cap, n < WARMUP_BELOW)
                    row = _row(samples, n, **label)
                    result["rows"].append(row)
                    print(f"n={n} t={t:2d} {kind:9} {mode:5} {row['median_s'] * 1e3:9.1f} ms "
                          f"{row['melem_per_s']:8.0f} Melem/s", flush=True)  # fmt: skip
        ti.set_num_threads(None)
        del buf
    result["load_after"] = load_average()
    result["wall_s"] = time.perf_counter() - start
    return result


def plot(result: dict[str, Any], path: str) -> str | None:
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        return None
    sizes = sorted({r["n"] for r in result["rows"]})
    fig = Figure(figsize=(5.2 * len(sizes), 7.6), layout="constrained")
    FigureCanvasAgg(fig)
    colors = {"normal": "C3", "uniform": "C0", "truncnorm": "C2"}
    style = {"fresh": "-", "out": "--"}
    for col, n in enumerate(sizes):
        up = fig.add_subplot(2, len(sizes), col + 1)
        bw = fig.add_subplot(2, len(sizes), len(sizes) + col + 1)
        top = max(result["threads"])
        up.plot([1, top], [1, top], color="0.7", lw=1, label="ideal")
        for kind in KINDS:
            for mode in style:
                rows = sorted(
                    (r for r in result["rows"] if r["n"] == n and r["call"] == kind
                     and r["mode"] == mode),
                    key=lambda r: r["threads"],
                )  # fmt: skip
                if not rows or rows[0]["threads"] != 1:
                    continue
                t = [r["threads"] for r in rows]
                base = rows[0]["median_s"]
                up.plot(t, [base / r["median_s"] for r in rows], style[mode], marker="o", ms=3,
                        color=colors[kind], label=f"{kind} {mode}")  # fmt: skip
                bw.plot(t, [r["gb_per_s"] for r in rows], style[mode], marker="o", ms=3,
                        color=colors[kind], label=f"{kind} {mode}")  # fmt: skip
        for ref in result["references"]:
            if ref["n"] == n and ref["call"] in FILLS:
                bw.axhline(ref["gb_per_s"], color="0.5", lw=1,
                           ls=style[ref["mode"]])  # fmt: skip
                bw.annotate(f"{ref['call']} ({ref['threads']} thr)", (1, ref["gb_per_s"]),
                            fontsize=7, color="0.4")  # fmt: skip
        mib = 4 * n / 2**20
        size = f"{mib / 1024:g} GiB" if mib >= 1024 else f"{mib:g} MiB"
        up.set_title(f"float32, {size}: speed-up over 1 thread")
        bw.set_title(f"float32, {size}: GB/s written")
        for ax in (up, bw):
            ax.set_xlabel("threads")
            ax.grid(alpha=0.3)
        up.legend(fontsize=7)
    cpu = result["machine"]["cpu"].get("model", "?")
    fig.suptitle(f"turboinit {result['machine']['turboinit']['kernel']} kernel on {cpu}",
                 fontsize=9)  # fmt: skip
    fig.savefig(path, dpi=110)
    return path


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="tiny sizes, to check the script")
    p.add_argument("--sizes", type=lambda s: [parse_count(x) for x in s.split(",")],
                   default=[2**28, 2**31])  # fmt: skip
    p.add_argument("--threads", type=lambda s: [int(x) for x in s.split(",")],
                   default=list(THREADS))  # fmt: skip
    p.add_argument("--modes", type=lambda s: s.split(","), default=["fresh", "out"])
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--row-cap", type=float, default=6.0, help="seconds of samples per row")
    p.add_argument("--budget", type=float, default=240.0, help="seconds for the whole run")
    p.add_argument("--out", default=os.path.join(HERE, "results", "scaling"))
    args = p.parse_args(argv)
    if args.quick:
        args.sizes, args.threads, args.repeat, args.budget = [2**16, 2**18], [1, 2], 3, 30.0
    os.makedirs(args.out, exist_ok=True)
    result = run(args)
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump(result, f, indent=1)
    png = plot(result, os.path.join(args.out, "scaling.png"))
    print(f"wrote {args.out}/results.json" + (f" and {png}" if png else ""), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
