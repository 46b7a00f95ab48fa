"""``python -m turboinit demo NAME [--quick] [--out DIR] [--seed N]``."""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from pathlib import Path

from . import DEMOS, _output, load


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m turboinit demo",
        description="Run the experiments behind the initialisers (plain NumPy on turboinit).",
    )
    p.add_argument("name", choices=[*DEMOS, "all"], help="which demo ('all': every one)")
    p.add_argument("--quick", action="store_true", help="a smaller run (seconds), as the tests use")
    p.add_argument(
        "--out",
        metavar="DIR",
        help="folder for the results (default ./demo-results/NAME; with 'all', DIR/NAME for each)",
    )
    p.add_argument("--seed", type=int, default=0, help="seed of every random array (default 0)")
    p.add_argument(
        "--no-plots", action="store_true", help="write tables only, even with matplotlib"
    )
    return p


def run_demo(
    name: str, *, quick: bool, out: str | None, seed: int, plots: bool = True
) -> list[Path]:
    """Run demo ``name``, print its table and write its files into ``out``; return their paths."""
    module = load(name)
    out_dir = _output.resolve_out(out, name)
    start = time.perf_counter()
    result = module.run(quick=quick, seed=seed)
    elapsed = time.perf_counter() - start
    md = module.markdown(result)
    print(md)
    figures: list[Path] = []
    if plots and _output.have_matplotlib():
        figures = module.figures(result, out_dir)
    elif plots:
        print("(matplotlib is not installed: no figures; pip install matplotlib)")
    paths = _output.write_results(out_dir, name, result, md, figures)
    print(f"{name}: computed in {elapsed:.1f} s; wrote {len(paths)} files to {out_dir}:")
    for path in paths:
        print(f"  {path}")
    return paths


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.seed < 0:
        _parser().error(f"--seed: must be >= 0, got {args.seed}")
    names = list(DEMOS) if args.name == "all" else [args.name]
    outs = {}
    for name in names:  # every folder made before any demo runs
        out = args.out
        if args.name == "all" and out is not None:
            out = str(Path(out) / name)
        try:
            outs[name] = str(_output.resolve_out(out, name))
        except OSError as exc:
            _parser().error(f"--out: cannot make the folder {out}: {exc.strerror or exc}")
    for name in names:
        run_demo(name, quick=args.quick, out=outs[name], seed=args.seed, plots=not args.no_plots)
    return 0
