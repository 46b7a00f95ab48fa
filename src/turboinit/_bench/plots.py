"""PNG plots of the results, when matplotlib is installed (no pyplot global state).

Per dtype: time vs size (log axes) per case, speed-up vs threads, fraction of
the ``np.full`` bandwidth vs size, and a bar chart of throughput at the largest
size.  A plot is made only where the data has something to show (two sizes,
two thread counts).
"""

from __future__ import annotations

import math
import os
from collections import defaultdict
from typing import Any

from .harness import size_label

_STYLE = {"fresh": "-", "out": "--"}
_FIXED = {"turboinit": "C3", "np.full": "0.5"}
_OTHERS = ["C0", "C1", "C2", "C4", "C5", "C6", "C8", "C9", "C7"]
_PALETTE: dict[str, str] = {}


def _color(name: str) -> str:
    """One colour per method in every panel: turboinit red, the fill grey."""
    if name in _FIXED:
        return _FIXED[name]
    if name not in _PALETTE:
        _PALETTE[name] = _OTHERS[len(_PALETTE) % len(_OTHERS)]
    return _PALETTE[name]


def _figure(n_panels: int) -> tuple[Any, list[Any]]:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    cols = min(3, n_panels)
    rows = math.ceil(n_panels / cols)
    fig = Figure(figsize=(5.2 * cols, 3.9 * rows), layout="constrained")
    FigureCanvasAgg(fig)
    axes = [fig.add_subplot(rows, cols, i + 1) for i in range(n_panels)]
    return fig, axes


Row = tuple[str, dict[str, Any], dict[str, Any]]  # (method name, comparison, measurement)


def _series(results: dict[str, Any], dtype: str) -> dict[str, list[Row]]:
    """case -> [(method name, comparison, measurement)] for ``dtype``, measurements that ran."""
    meas = results["measurements"]
    out: dict[str, list[Row]] = defaultdict(list)
    for c in results["comparisons"]:
        if c["dtype"] != dtype:
            continue
        ids = [("turboinit", c["turboinit"]), *c["baselines"].items()]
        if c["fill"] is not None and "np.full" not in c["baselines"]:
            ids.append(("np.full", c["fill"]))
        for name, i in ids:
            if meas[i]["status"] == "ok":
                out[c["case"]].append((name, c, meas[i]))
    return out


def _top_threads(rows: list[Row]) -> int | None:
    return max((c["threads"] for _, c, _ in rows if c["threads"] is not None), default=None)


def _lines(rows: list[Row], value: str) -> dict[tuple[str, str], list[tuple[int, float]]]:
    """(method, mode) -> sorted [(n, value)] at the largest thread count."""
    top = _top_threads(rows)
    lines: dict[tuple[str, str], dict[int, float]] = defaultdict(dict)
    for name, c, m in rows:
        if c["threads"] == top and m.get(value) is not None:
            lines[(name, c["mode"])][c["n"]] = m[value]
    return {k: sorted(v.items()) for k, v in lines.items()}


def _size_plot(
    series: dict[str, Any], value: str, ylabel: str, title: str, path: str, logy: bool
) -> str | None:
    panels = {case: _lines(rows, value) for case, rows in series.items()}
    panels = {case: ls for case, ls in panels.items() if any(len(v) > 1 for v in ls.values())}
    if not panels:
        return None
    fig, axes = _figure(len(panels))
    for ax, (case, lines) in zip(axes, panels.items()):
        for (name, mode), pts in sorted(lines.items()):
            xs, ys = zip(*pts)
            lw = 2.2 if name == "turboinit" else 1.2
            ax.plot(
                xs,
                ys,
                _STYLE.get(mode, "-"),
                color=_color(name),
                marker="o",
                ms=3,
                lw=lw,
                label=f"{name} ({mode})",
            )
        ax.set_xscale("log")
        if logy:
            ax.set_yscale("log")
        ax.set_title(case)
        ax.set_xlabel("elements")
        ax.set_ylabel(ylabel)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
    fig.suptitle(title)
    fig.savefig(path, dpi=110)
    return path


def _thread_plot(series: dict[str, Any], title: str, path: str) -> str | None:
    """Per case, at the largest size swept over threads: t(fewest) / t(k), scaled to 1 thread."""
    panels: dict[str, tuple[int, dict[tuple[str, str], dict[int, float]]]] = {}
    for case, rows in series.items():
        by_size: dict[tuple[int, str, str], dict[int, float]] = defaultdict(dict)
        for name, c, m in rows:
            if m["threads"] is not None:
                by_size[(c["n"], name, c["mode"])][m["threads"]] = m["median_s"]
        swept = [n for (n, _, _), times in by_size.items() if len(times) > 1]
        if swept:
            top = max(swept)
            curves = {(name, mode): t for (n, name, mode), t in by_size.items() if n == top}
            panels[case] = (top, curves)
    if not panels:
        return None
    fig, axes = _figure(len(panels))
    for ax, (case, (n, curves)) in zip(axes, panels.items()):
        top = 1
        for (name, mode), times in sorted(curves.items()):
            xs = sorted(times)
            ax.plot(
                xs,
                [times[xs[0]] * xs[0] / times[x] for x in xs],
                _STYLE.get(mode, "-"),
                color=_color(name),
                marker="o",
                ms=3,
                lw=2.2 if name == "turboinit" else 1.2,
                label=f"{name} ({mode})",
            )
            top = max(top, xs[-1])
        ax.plot([1, top], [1, top], ":", color="grey", label="linear")
        ax.set_title(f"{case}, n={size_label(n)}")
        ax.set_xlabel("threads")
        ax.set_ylabel("speed-up over 1 thread")
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=7)
    fig.suptitle(title)
    fig.savefig(path, dpi=110)
    return path


def _bar_plot(series: dict[str, Any], title: str, path: str) -> str | None:
    panels = {}
    for case, rows in series.items():
        top_n = max(c["n"] for _, c, _ in rows)
        top_t = _top_threads(rows)
        bars = [
            (f"{name}\n{c['mode']}", m["elements_per_s"] / 1e6)
            for name, c, m in rows
            if c["n"] == top_n and c["threads"] == top_t
        ]
        if bars:
            panels[f"{case}, n={size_label(top_n)}"] = bars
    if not panels:
        return None
    fig, axes = _figure(len(panels))
    for ax, (label, bars) in zip(axes, panels.items()):
        names, values = zip(*bars)
        colors = [_color(n.split("\n")[0]) for n in names]
        ax.bar(range(len(values)), values, color=colors)
        ax.set_xticks(range(len(values)), names, fontsize=6, rotation=60, ha="right")
        ax.set_yscale("log")
        ax.set_ylabel("million elements / s")
        ax.set_title(label)
        ax.grid(True, axis="y", alpha=0.3)
    fig.suptitle(title)
    fig.savefig(path, dpi=110)
    return path


def write_plots(results: dict[str, Any], out_dir: str) -> list[str]:
    """Write the PNGs into ``out_dir``; returns their paths ([] without matplotlib)."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return []
    os.makedirs(out_dir, exist_ok=True)
    written = []
    dtypes = sorted({c["dtype"] for c in results["comparisons"]})
    for dtype in dtypes:
        series = _series(results, dtype)

        def path(kind: str, dtype: str = dtype) -> str:
            return os.path.join(out_dir, f"{kind}_{dtype}.png")

        for made in (
            _bar_plot(series, f"Throughput, {dtype}", path("throughput")),
            _size_plot(
                series, "median_s", "seconds (median)", f"Time vs size, {dtype}",
                path("time_vs_size"), logy=True,
            ),
            _size_plot(
                series, "bandwidth_fraction", "fraction of np.full bandwidth",
                f"Fraction of memory bandwidth, {dtype}", path("bandwidth"), logy=False,
            ),
            _thread_plot(series, f"Speed-up vs threads, {dtype}", path("threads")),
        ):  # fmt: skip
            if made is not None:
                written.append(made)
    return written
