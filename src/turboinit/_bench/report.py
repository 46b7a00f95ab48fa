"""Markdown tables and the JSON file from the results of :func:`.harness.run`."""

from __future__ import annotations

import json
import os
from typing import Any

from .harness import size_label
from .machine import summary

NOTES = (
    "speed-up = baseline median / turboinit median (> 1: turboinit is faster); "
    "times are medians of repeated runs after warm-up (min-max in the detailed table). "
    "BW = (bytes written / time) / (bytes written by np.full or out.fill / its time), "
    "same size, dtype and mode, same run; np.full is single-threaded, so multi-threaded "
    "code can exceed 1. peak mem = peak RSS growth of the call in a fresh process / output bytes "
    "(1.0 is ideal for a fresh array, 0 for out=), at the largest size of each call."
)


def fmt_time(s: float | None) -> str:
    if s is None:
        return "—"
    if s < 1e-3:
        return f"{s * 1e6:.3g} µs"
    if s < 1:
        return f"{s * 1e3:.3g} ms"
    return f"{s:.3g} s"


def _num(x: float | None, spec: str = ".3g", suffix: str = "") -> str:
    return "—" if x is None else f"{x:{spec}}{suffix}"


def _threads(t: int | None) -> str:
    return "—" if t is None else str(t)


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _table(header: list[str], rows: list[list[str]], right_from: int = 0) -> list[str]:
    align = ["---" if i < right_from else "---:" for i in range(len(header))]
    return [_row(header), _row(align), *(_row(r) for r in rows)]


def _baseline_names(results: dict[str, Any]) -> list[str]:
    names: list[str] = []
    for c in results["comparisons"]:
        for name in c["baselines"]:
            if name not in names:
                names.append(name)
    return names


def _speedup_cell(c: dict[str, Any], name: str, meas: list[dict[str, Any]]) -> str:
    if name not in c["baselines"]:
        return "—"
    if name not in c["speedup"]:
        return "error" if meas[c["baselines"][name]]["status"] == "error" else "—"
    return f"{c['speedup'][name]:.2f}×"


def summary_table(results: dict[str, Any]) -> list[str]:
    """One row per comparison: turboinit's time and its speed-up over each baseline."""
    meas = results["measurements"]
    names = _baseline_names(results)
    header = ["case", "dtype", "n", "mode", "threads", "turboinit", "Melem/s", "BW", "peak mem"]
    header += [f"vs {n}" for n in names]
    rows = []
    for c in results["comparisons"]:
        ours = meas[c["turboinit"]]
        ok = ours["status"] == "ok"
        rows.append(
            [
                c["case"],
                c["dtype"],
                size_label(c["n"]),
                c["mode"],
                _threads(c["threads"]),
                fmt_time(ours.get("median_s")) if ok else "error",
                _num(ours.get("elements_per_s") and ours["elements_per_s"] / 1e6, ".4g"),
                _num(ours.get("bandwidth_fraction"), ".2f"),
                _num(ours.get("peak_memory_ratio"), ".2f", "×"),
                *(_speedup_cell(c, n, meas) for n in names),
            ]
        )
    return _table(header, rows, right_from=5)


def detail_table(results: dict[str, Any]) -> list[str]:
    """Every measurement of every comparison, with min-max and the call made."""
    meas = results["measurements"]
    header = [
        "case", "dtype", "n", "mode", "threads", "method", "call",
        "median", "min – max", "Melem/s", "GB/s", "BW", "peak mem", "speed-up",
    ]  # fmt: skip
    rows = []
    for c in results["comparisons"]:
        for name, i in (("turboinit", c["turboinit"]), *c["baselines"].items()):
            m = meas[i]
            ok = m["status"] == "ok"
            rows.append(
                [
                    c["case"],
                    c["dtype"],
                    size_label(c["n"]),
                    c["mode"],
                    _threads(m["threads"]),
                    f"**{name}**" if name == "turboinit" else name,
                    f"`{m['call']}`",
                    fmt_time(m.get("median_s")) if ok else m["error"].replace("|", "/"),
                    f"{fmt_time(m['min_s'])} – {fmt_time(m['max_s'])}" if ok else "",
                    _num(m.get("elements_per_s") and m["elements_per_s"] / 1e6, ".4g"),
                    _num(m.get("bytes_per_s") and m["bytes_per_s"] / 1e9, ".3g"),
                    _num(m.get("bandwidth_fraction"), ".2f"),
                    _num(m.get("peak_memory_ratio"), ".2f", "×"),
                    "" if name == "turboinit" else _speedup_cell(c, name, meas),
                ]
            )
    return _table(header, rows, right_from=7)


def markdown(results: dict[str, Any], detail: bool = False) -> str:
    lines = ["## turboinit benchmark", "", f"Machine: {summary(results['machine'])}.", ""]
    lines += [NOTES, ""]
    lines += summary_table(results)
    if results["skipped"]:
        lines += ["", "Not timed:"]
        lines += [
            f"- {s['case']}: {s['method']} {s['dtype']} n={size_label(s['n'])} {s['mode']}: "
            f"{s['reason']}"
            for s in results["skipped"]
        ]
    if detail:
        lines += ["", "### Every measurement", ""] + detail_table(results)
    return "\n".join(lines) + "\n"


README_BEGIN = "<!-- bench-table:begin"
README_END = "<!-- bench-table:end -->"


def readme_block(results: dict[str, Any], source: str, plots: list[str]) -> str:
    """The README's benchmark block: machine, notes, summary table and plots of ``results``
    (read from ``source``, a repository-relative path), between the two markers."""
    body = markdown(results).split("\n", 2)[2]  # without the "## turboinit benchmark" heading
    lines = [
        f"{README_BEGIN}: written by benchmarks/run_readme.py from {source}; do not edit -->",
        "",
        body.rstrip("\n"),
        "",
    ]
    lines += [f"![{os.path.splitext(os.path.basename(p))[0]}]({p})" for p in plots]
    lines += ["", README_END]
    return "\n".join(lines)


def replace_readme_block(text: str, block: str) -> str:
    """``text`` with its block between the markers replaced by ``block``."""
    start = text.find(README_BEGIN)
    end = text.find(README_END)
    if start < 0 or end < start:
        raise ValueError(f"no {README_BEGIN} ... {README_END} block in the README")
    return text[:start] + block + text[end + len(README_END) :]


def write_json(results: dict[str, Any], path: str) -> None:
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w") as f:
        json.dump(results, f, indent=1)
        f.write("\n")


def read_json(path: str) -> dict[str, Any]:
    with open(path) as f:
        data: dict[str, Any] = json.load(f)
    return data
