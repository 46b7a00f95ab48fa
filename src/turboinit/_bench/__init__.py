"""Benchmark harness behind ``python -m turboinit bench`` (see ``benchmarks/README.md``).

- :mod:`.methods`: the table of cases (turboinit call + baselines) and :func:`register`;
- :mod:`.harness`: :class:`Plan`, :class:`Settings` and :func:`run` (timings as plain data);
- :mod:`.report`, :mod:`.plots`: Markdown tables, JSON, PNGs; :mod:`.cli`: the command line.
"""

from __future__ import annotations

from .harness import Plan, Settings, run
from .methods import CASES, Case, Method, Target, register

__all__ = ["CASES", "Case", "Method", "Plan", "Settings", "Target", "register", "run"]
