"""Headline numbers: turboinit's core samplers against NumPy and PyTorch.

    python benchmarks/run_core.py              # the real run (1 GiB outputs), a quiet machine
    python benchmarks/run_core.py --quick      # tiny sizes: checks that the script works

Measures, in one run, with baselines measured alongside:

1. normal float32, fresh 1 GiB array (2**28 elements): vs NumPy ``standard_normal``
   (PCG64 and Philox) and ``torch.randn``;
2. the same into ``out=``: vs NumPy ``standard_normal(out=)`` and ``torch.Tensor.normal_``;
3. uniform, fresh: vs ``np.full`` (the memory-bandwidth reference);
4. truncated normal on [-2, 2]: vs our own normal and ``torch.nn.init.trunc_normal_``;
5. float16 / bfloat16 time per element relative to float32;
6. in-cache throughput of one core: 1 thread, ``out=``, many repeats, every dtype, at a size
   whose float64 output fills half of L2 (2**16 elements for 1 MiB) and at 2**10 elements:
   elements per second of whole calls, and the marginal rate (n_big - n_small) / (t_big -
   t_small) with the per-call overhead t_small - n_small / rate, i.e. the kernel alone.

Writes ``benchmarks/results/core/`` (results.json with every sample, results.md, PNGs) and
prints the headline table and the full summary.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from turboinit._bench import harness
from turboinit._bench.cli import available_threads, parse_count, publish
from turboinit._bench.harness import size_label
from turboinit._bench.machine import cache_bytes
from turboinit._bench.progress import Bar
from turboinit._bench.report import fmt_time

HERE = os.path.dirname(os.path.abspath(__file__))
CORE = ("normal", "uniform", "truncnorm")
DTYPES = ("float32", "float64", "float16", "bfloat16")
SMALL = 2**10


def in_cache_size() -> int:
    """The largest power of two whose float64 array fills at most half of one core's L2."""
    l2 = cache_bytes("L2") or 2**19
    return max(2 * SMALL, 1 << ((l2 // 16).bit_length() - 1))


def plans(size: int, in_cache: int, threads: int, quick: bool) -> list[harness.Plan]:
    cache_settings = harness.Settings(
        repeat=5 if quick else 21,
        min_sample_s=0.001 if quick else 0.02,
        budget_s=None,
        memory=False,
    )
    return [
        harness.Plan(CORE, [size], ("float32", "float16", "bfloat16"), ("fresh", "out"), [threads]),
        harness.Plan(CORE, [SMALL, in_cache], DTYPES, ("out",), [1], settings=cache_settings),
    ]


def _find(results: dict[str, Any], case: str, dtype: str, mode: str, n: int, threads: int) -> Any:
    for c in results["comparisons"]:
        if (c["case"], c["dtype"], c["mode"], c["n"], c["threads"]) == (
            case,
            dtype,
            mode,
            n,
            threads,
        ):
            return c
    return None


def headline(results: dict[str, Any], size: int, in_cache: int, threads: int) -> str:
    meas = results["measurements"]
    rows: list[list[str]] = []

    def vs(case: str, mode: str, baseline: str, label: str, dtype: str = "float32") -> None:
        c = _find(results, case, dtype, mode, size, threads)
        if c is None or baseline not in c["baselines"]:
            return
        ours, base = meas[c["turboinit"]], meas[c["baselines"][baseline]]
        if ours["status"] != "ok" or base["status"] != "ok":
            return
        rows.append(
            [
                f"{case} {dtype} {mode}",
                label,
                fmt_time(ours["median_s"]),
                fmt_time(base["median_s"]),
                f"{c['speedup'][baseline]:.2f}×",
            ]
        )

    vs("normal", "fresh", "numpy-pcg64", "`Generator(PCG64).standard_normal(n, dtype=float32)`")
    vs("normal", "fresh", "numpy-philox", "`Generator(Philox).standard_normal(n, dtype=float32)`")
    vs("normal", "fresh", "torch", "`torch.randn(n)`")
    vs("normal", "out", "numpy-pcg64", "`Generator(PCG64).standard_normal(out=buf)`")
    vs("normal", "out", "numpy-philox", "`Generator(Philox).standard_normal(out=buf)`")
    vs("normal", "out", "torch-inplace", "`buf.normal_()`")
    vs("uniform", "fresh", "numpy-pcg64", "`Generator(PCG64).random(n, dtype=float32)`")
    vs("uniform", "fresh", "np.full", "`np.full(n, 1.0, float32)` (bandwidth reference)")
    vs("uniform", "out", "np.full", "`buf.fill(1.0)` (bandwidth reference)")
    vs("truncnorm", "fresh", "turboinit-normal", "our `normal` (cost of truncation)")
    vs("truncnorm", "fresh", "torch", "`torch.nn.init.trunc_normal_(t, a=-2, b=2)`")
    vs("truncnorm", "out", "torch", "`torch.nn.init.trunc_normal_(buf, a=-2, b=2)`")

    lines = [
        f"## Headline: n = {size_label(size)} elements, {threads} threads",
        "",
        "| turboinit call | baseline | turboinit | baseline | speed-up |",
        "| --- | --- | ---: | ---: | ---: |",
        *("| " + " | ".join(r) + " |" for r in rows),
        "",
        "Time per element of half-precision output relative to float32 (same n, < 1: faster):",
        "",
        "| case | mode | float16 / float32 | bfloat16 / float32 |",
        "| --- | --- | ---: | ---: |",
    ]
    for case in CORE:
        for mode in ("fresh", "out"):
            ref = _find(results, case, "float32", mode, size, threads)
            cells = []
            for dtype in ("float16", "bfloat16"):
                c = _find(results, case, dtype, mode, size, threads)
                ok = (
                    c
                    and ref
                    and meas[c["turboinit"]]["status"] == meas[ref["turboinit"]]["status"] == "ok"
                )
                cells.append(
                    f"{meas[c['turboinit']]['median_s'] / meas[ref['turboinit']]['median_s']:.2f}"
                    if ok
                    else "—"
                )
            lines.append(f"| {case} | {mode} | {cells[0]} | {cells[1]} |")
    lines += [
        "",
        f"In-cache throughput of one core (1 thread, out=): whole calls of n = "
        f"{size_label(in_cache)}, and the marginal rate between n = {size_label(SMALL)} and "
        f"{size_label(in_cache)} (the kernel without the per-call overhead):",
        "",
        "| case | dtype | Melem/s, whole call | Melem/s, marginal | overhead per call |",
        "| --- | --- | ---: | ---: | ---: |",
    ]
    for case in CORE:
        for dtype in DTYPES:
            big, small = (_find(results, case, dtype, "out", n, 1) for n in (in_cache, SMALL))
            if big is None or small is None:
                continue
            mb, ms = meas[big["turboinit"]], meas[small["turboinit"]]
            if mb["status"] != "ok" or ms["status"] != "ok":
                continue
            dt = mb["median_s"] - ms["median_s"]
            rate = (mb["n"] - ms["n"]) / dt if dt > 0 else None
            overhead = ms["median_s"] - ms["n"] / rate if rate else None
            lines.append(
                f"| {case} | {dtype} | {mb['elements_per_s'] / 1e6:.4g} | "
                f"{'—' if rate is None else f'{rate / 1e6:.4g}'} | {fmt_time(overhead)} |"
            )
    return "\n".join(lines) + "\n\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="tiny sizes: check the script, no numbers")
    p.add_argument("--size", type=parse_count, help="headline size (default 2**28 = 1 GiB float32)")
    p.add_argument("--threads", type=int, help="threads for the headline (default: all)")
    p.add_argument("--repeat", type=int, default=7, help="timed samples per measurement")
    p.add_argument("--out", default=os.path.join(HERE, "results", "core"))
    p.add_argument("--no-plots", action="store_true")
    p.add_argument("--no-memory", action="store_true", help="skip the peak-memory probes")
    args = p.parse_args(argv)

    size = args.size or (2**16 if args.quick else 2**28)
    in_cache = 2 * SMALL if args.quick else in_cache_size()
    threads = args.threads or available_threads()
    settings = harness.Settings(
        repeat=3 if args.quick else args.repeat,
        min_sample_s=0.001 if args.quick else 0.005,
        budget_s=1.0 if args.quick else 30.0,
        memory=not (args.quick or args.no_memory),
    )
    bar = Bar()
    try:
        results = harness.run(plans(size, in_cache, threads, args.quick), settings, progress=bar)
    finally:
        bar.close()
    results["settings"]["extra"]["script"] = "benchmarks/run_core.py " + " ".join(
        argv or sys.argv[1:]
    )
    return publish(
        results,
        args.out,
        with_plots=not args.no_plots,
        headline=headline(results, size, in_cache, threads),
    )


if __name__ == "__main__":
    sys.exit(main())
