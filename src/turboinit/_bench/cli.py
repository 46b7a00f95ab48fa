"""``python -m turboinit bench``: time turboinit against NumPy, PyTorch and JAX.

Default: the headline table (normal, uniform, truncated normal; float32,
2**25 elements, fresh arrays and ``out=``; all threads) in under a minute.
``--full`` runs the whole matrix: the headline cases in float32 from 1e3 to
1e9 elements (what fits in memory), every case and dtype from 1e3 to 1e8, and
a thread sweep; ``--quick`` tiny sizes.
Explicit options override the preset in every part of it.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import replace
from typing import Any, Callable

import turboinit

from . import harness, methods, plots, report
from .progress import Bar

DEFAULT_OUT = "bench-results"
DEFAULT_SIZE = 2**25  # 128 MiB of float32: far beyond the caches, quick enough for the default
FULL_SIZES = [10**e for e in range(3, 10)]  # 1e3 .. 1e9


def available_threads() -> int:
    return max(1, turboinit.get_num_threads())


def thread_sweep(top: int) -> list[int]:
    """1, 2, 4, ... up to ``top``, and ``top`` itself."""
    out = [1 << i for i in range(top.bit_length()) if 1 << i < top]
    return out + [top]


def parse_count(text: str) -> int:
    """An element count: '1000', '1e6', '2**26' or '2^26' -> int (checkpoint's
    parse_size reads byte sizes such as '64MiB')."""
    s = text.strip().replace("_", "")
    m = re.fullmatch(r"(\d+)\s*(?:\*\*|\^)\s*(\d+)", s)
    if m:
        base, exp = int(m.group(1)), int(m.group(2))
        if exp > 64:
            raise argparse.ArgumentTypeError(f"--sizes: {text!r} is far too large")
        value = int(base**exp)
    elif re.fullmatch(r"\d+", s):
        value = int(s)
    elif re.fullmatch(r"\d+(\.\d*)?[eE]\d+", s):
        f = float(s)
        if f != int(f):
            raise argparse.ArgumentTypeError(f"--sizes: {text!r} is not a whole number")
        value = int(f)
    else:
        raise argparse.ArgumentTypeError(f"--sizes: {text!r} is not a size (e.g. 1000, 1e6, 2**26)")
    if value < 1:
        raise argparse.ArgumentTypeError(f"--sizes: {text!r} must be >= 1")
    return value


def _csv(text: str) -> list[str]:
    return [x.strip() for x in text.split(",") if x.strip()]


def _sizes(text: str) -> list[int]:
    return [parse_count(x) for x in _csv(text)]


def _choices(option: str, allowed: Sequence[str]) -> Callable[[str], list[str]]:
    def parse(text: str) -> list[str]:
        items = list(allowed) if text == "all" else _csv(text)
        bad = [x for x in items if x not in allowed]
        if bad or not items:
            raise argparse.ArgumentTypeError(
                f"{option}: unknown {bad or text!r}; choose from {', '.join(allowed)} or 'all'"
            )
        return items

    return parse


def _threads(text: str) -> list[int]:
    top = available_threads()
    if text == "all":
        return thread_sweep(top)
    if text == "max":
        return [top]
    try:
        values = [int(x) for x in _csv(text)]
    except ValueError:
        values = []
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError(
            f"--threads: expected positive ints like 1,2,4, 'all' (1..{top}) "
            f"or 'max' ({top}), got {text!r}"
        )
    return values


def _plain_description() -> str:
    """The module docstring as plain text for ``--help`` (no reST markup, no prog name)."""
    text = (__doc__ or "").replace("``", "")
    text = text.replace("python -m turboinit bench: time", "Time", 1)
    return " ".join(text.split())


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m turboinit bench",
        description=_plain_description(),
        epilog="Cases: " + ", ".join(methods.CASES) + ". Sizes accept 1000, 1e6, 2**26.",
    )
    preset = p.add_mutually_exclusive_group()
    preset.add_argument("--quick", action="store_true", help="tiny sizes, few repeats (for tests)")
    preset.add_argument("--full", action="store_true", help="the whole matrix, up to 1e9 elements")
    p.add_argument(
        "--methods",
        "--cases",
        dest="cases",
        type=_choices("--methods", list(methods.CASES)),
        help="cases to run, comma-separated, or 'all' (default: normal,uniform,truncnorm)",
    )
    p.add_argument("--sizes", type=_sizes, help="element counts, comma-separated (default 2**25)")
    p.add_argument(
        "--dtypes",
        type=_choices("--dtypes", methods.DTYPES),
        help="comma-separated or 'all' (default float32)",
    )
    p.add_argument(
        "--modes",
        type=_choices("--modes", methods.MODES),
        help="fresh (new array per call), out (out= / in place); default both",
    )
    p.add_argument(
        "--threads",
        type=_threads,
        help="thread counts: 1,2,4 / 'all' (1, 2, 4 .. N) / 'max' (default: N)",
    )
    p.add_argument("--repeat", type=int, help="timed samples per measurement (default 5, --full 7)")
    p.add_argument("--warmup", type=int, help="untimed calls first (default 1)")
    p.add_argument(
        "--budget",
        type=float,
        help="seconds of samples per measurement, at least 3 samples (default 1, --full 10)",
    )
    p.add_argument(
        "--max-call",
        type=float,
        metavar="SECONDS",
        help="do not time a call at a size where its time at a smaller size predicts more "
        "than this many seconds per call (listed as skipped); 0: no limit "
        "(default: no limit, --full 15)",
    )
    p.add_argument(
        "--memory",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="peak memory of calls >= 16 MiB, one fresh process each (default: with --full)",
    )
    p.add_argument(
        "--out", default=DEFAULT_OUT, help=f"results directory (default ./{DEFAULT_OUT}/)"
    )
    p.add_argument("--json", help="JSON path (default OUT/results.json)")
    p.add_argument("--no-plots", action="store_true", help="no PNGs")
    p.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    p.add_argument(
        "--list", action="store_true", help="list the cases and their methods, then exit"
    )
    return p


def presets(args: argparse.Namespace) -> tuple[list[harness.Plan], harness.Settings]:
    """The plans and settings of the chosen preset, with explicit options applied."""
    top = available_threads()
    headline = [name for name, c in methods.CASES.items() if c.headline]
    if args.quick:
        plans = [harness.Plan(headline, [1000, 2**16], ("float32",), methods.MODES, [top])]
        settings = harness.Settings(repeat=3, min_sample_s=0.001, budget_s=0.5, memory=False)
    elif args.full:
        every = list(methods.CASES)
        plans = [
            # the size sweep of the headline cases, up to 1e9 elements (4 GB of float32)
            harness.Plan(headline, FULL_SIZES, ("float32",), methods.MODES, [top]),
            # every case and dtype up to 1e8 elements
            harness.Plan(every, FULL_SIZES[:6], methods.DTYPES, methods.MODES, [top]),
            # speed-up vs threads: in cache and in memory
            harness.Plan(every, [2**20, 2**26], ("float32",), methods.MODES, thread_sweep(top)),
        ]
        settings = harness.Settings(repeat=7, budget_s=10.0, memory=True, max_call_s=15.0)
    else:
        plans = [harness.Plan(headline, [DEFAULT_SIZE], ("float32",), methods.MODES, [top])]
        # under a minute on 2 cores: torch's trunc_normal_ (~2 s per call here) dominates
        settings = harness.Settings(repeat=5, budget_s=1.0, memory=False)

    overrides = {
        field: value
        for field, value in (
            ("cases", args.cases), ("sizes", args.sizes), ("dtypes", args.dtypes),
            ("modes", args.modes), ("threads", args.threads),
        )
        if value is not None
    }  # fmt: skip
    plans = [replace(p, **overrides) for p in plans]
    if args.repeat is not None:
        settings.repeat = args.repeat
    if args.warmup is not None:
        settings.warmup = args.warmup
    if args.budget is not None:
        settings.budget_s = args.budget
    if args.memory is not None:
        settings.memory = args.memory
    if args.max_call is not None:
        settings.max_call_s = args.max_call if args.max_call > 0 else None
    if settings.repeat < 1 or settings.warmup < 1:
        raise ValueError("--repeat and --warmup must be >= 1")
    return plans, settings


def list_cases() -> str:
    lines = []
    for name, case in methods.CASES.items():
        limit = f", n <= {harness.size_label(case.max_elements)}" if case.max_elements else ""
        lines.append(f"{name}: {case.description} [{', '.join(case.dtypes)}{limit}]")
        for m in case.methods():
            state = "" if m.available() else "  (not installed)"
            lines.append(f"  {m.name:18} {m.call}  [{', '.join(m.modes)}]{state}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.list:
        print(list_cases())
        return 0
    try:
        plans, settings = presets(args)
    except ValueError as exc:
        parser.error(str(exc))
    problem = check_outputs(args.out, args.json)
    if problem:  # before running anything: a run can take many minutes
        parser.error(problem)
    bar = Bar(enabled=not args.no_progress)
    try:
        results = harness.run(plans, settings, progress=bar)
    finally:
        bar.close()

    return publish(results, args.out, args.json, with_plots=not args.no_plots)


def check_outputs(out_dir: str, json_path: str | None) -> str | None:
    """Why the results could not be written (``--out``, ``--json``), or None.

    The folder is created now and a file is made and removed in each folder,
    which also catches read-only file systems, where permission bits say
    nothing (root).
    """
    folders = [("--out", out_dir)]
    files = [("--out", os.path.join(out_dir, "results.md"))]
    if json_path is not None:
        files.append(("--json", json_path))
        folders.append(("--json", os.path.dirname(os.path.abspath(json_path))))
    else:
        files.append(("--out", os.path.join(out_dir, "results.json")))
    for option, path in files:  # a FIFO would block the write, a device swallow it
        if os.path.isdir(path):
            return f"{option}: {path} is a directory; expected a file name"
        if os.path.exists(path) and not os.path.isfile(path):
            return f"{option}: {path} exists and is not a regular file"
    for option, folder in folders:
        if os.path.lexists(folder) and not os.path.isdir(folder):
            return f"{option}: {folder} exists and is not a directory"
        try:
            os.makedirs(folder, exist_ok=True)
            with tempfile.TemporaryFile(dir=folder):
                pass
        except OSError as exc:
            return f"{option}: cannot write in {folder} ({exc.strerror or exc})"
    return None


def publish(
    results: dict[str, Any],
    out_dir: str,
    json_path: str | None = None,
    with_plots: bool = True,
    headline: str = "",
) -> int:
    """Print the table (after ``headline``, Markdown) and write JSON, results.md and PNGs
    into ``out_dir``; returns 1 if a turboinit call failed, else 0."""
    for m in results["measurements"]:
        if m["status"] == "error":
            print(
                f"turboinit bench: {m['call']} failed "
                f"({m['dtype']} n={m['n']} {m['mode']}): {m['error']}",
                file=sys.stderr,
            )
    print(headline + report.markdown(results))
    json_path = json_path or os.path.join(out_dir, "results.json")
    report.write_json(results, json_path)
    md_path = os.path.join(out_dir, "results.md")
    os.makedirs(out_dir, exist_ok=True)
    with open(md_path, "w") as f:
        f.write(headline + report.markdown(results, detail=True))
    written = [json_path, md_path]
    if with_plots:
        pngs = plots.write_plots(results, out_dir)
        if not pngs:
            print("(no plots: matplotlib is not installed or nothing to plot)")
        written += pngs
    print("Wrote:\n" + "\n".join(f"  {w}" for w in written))
    failed = [m for m in results["measurements"] if m["library"] == "turboinit"]
    return 1 if any(m["status"] != "ok" for m in failed) else 0
