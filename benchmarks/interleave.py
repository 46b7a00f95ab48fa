"""Rounds that alternate between copies of the package, for A/B timings under one load.

Each tree is a directory holding an importable ``turboinit`` (``src`` of a checkout with its
built ``_core``, or a copy of it taken before a change). Round after round, every tree runs
in a fresh process with ``PYTHONPATH`` set to it, so all trees see the same machine load;
the load average is recorded before and after every run. Used by ``bench_ab.py``,
``bench_bulk_ab.py`` and ``bench_overhead.py``. This module does not import turboinit (only
the children may, each from its own tree).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any, Callable, TypeVar

T = TypeVar("T")


def tree_env(tree: str, **extra: str) -> dict[str, str]:
    """The environment of a child that imports turboinit from ``tree``."""
    return dict(os.environ, PYTHONPATH=str(Path(tree).resolve()), **extra)


def last_json(cmd: list[str], env: dict[str, str]) -> Any:
    """Run ``cmd`` and parse the last line of its standard output as JSON."""
    out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def interleave(
    trees: list[str], rounds: int, run: Callable[[str], T]
) -> tuple[dict[str, list[T]], list[dict[str, Any]]]:
    """``run(tree)`` for every tree in turn, ``rounds`` times.

    Returns each tree's results (one per round) and, per run, ``{"round", "tree", "before",
    "after"}`` with the load averages around it.
    """
    results: dict[str, list[T]] = {t: [] for t in trees}
    loads: list[dict[str, Any]] = []
    for r in range(rounds):
        for tree in trees:
            before = list(os.getloadavg())
            results[tree].append(run(tree))
            loads.append(
                {"round": r, "tree": tree, "before": before, "after": list(os.getloadavg())}
            )
    return results, loads
