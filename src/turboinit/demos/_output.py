"""What every demo writes: a JSON file of its numbers, a Markdown table and PNG figures.

Figures need matplotlib; without it the demos still compute, print their tables
and write JSON and Markdown.  Plots use matplotlib's object API (``Figure`` on an
Agg canvas), never pyplot, so no global state and no display are touched.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any


def have_matplotlib() -> bool:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def figure(
    n_panels: int, *, cols: int = 2, size: tuple[float, float] = (4.6, 3.4)
) -> tuple[Any, list[Any]]:
    """A matplotlib Figure with ``n_panels`` axes on an Agg canvas."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    cols = min(cols, n_panels)
    rows = math.ceil(n_panels / cols)
    fig = Figure(figsize=(size[0] * cols, size[1] * rows), layout="constrained")
    FigureCanvasAgg(fig)
    axes = [fig.add_subplot(rows, cols, i + 1) for i in range(n_panels)]
    return fig, axes


def save(fig: Any, out_dir: Path, name: str, dpi: int = 80) -> Path:
    path = out_dir / name
    fig.savefig(path, dpi=dpi)
    return path


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    def cell(v: Any) -> str:
        if isinstance(v, float):
            if v == 0.0:
                return "0"
            return f"{v:.3g}" if (abs(v) < 1e-3 or abs(v) >= 1e4) else f"{v:.3f}"
        return str(v)

    def escaped(text: str) -> str:  # a "|" inside a cell would end it
        return text.replace("|", "\\|")

    lines = ["| " + " | ".join(escaped(h) for h in header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(escaped(cell(v)) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if hasattr(value, "tolist"):  # numpy scalars and arrays
        return _jsonable(value.tolist())
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # JSON has no inf/nan
    return value


def write_results(
    out_dir: Path, name: str, result: dict[str, Any], markdown: str, figures: Sequence[Path]
) -> list[Path]:
    """Write ``NAME.json`` and ``NAME.md`` next to the figures; return every path written."""
    json_path = out_dir / f"{name}.json"
    json_path.write_text(json.dumps(_jsonable(result), indent=1) + "\n", encoding="utf-8")
    md_path = out_dir / f"{name}.md"
    md_path.write_text(markdown.rstrip() + "\n", encoding="utf-8")
    return [json_path, md_path, *figures]


@contextlib.contextmanager
def single_threaded() -> Iterator[None]:
    """The demos work on small matrices (256 x 256 at most): one thread is faster and
    steadier than several, above all on a busy machine.

    With threadpoolctl: BLAS and OpenMP (turboinit's threads) limited to 1 for
    the block.  Without it: turboinit's threads only, restored on exit.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        import turboinit

        before = turboinit.get_num_threads()
        turboinit.set_num_threads(1)
        try:
            yield
        finally:
            turboinit.set_num_threads(before)
        return
    with threadpool_limits(limits=1):
        yield


def resolve_out(out: str | os.PathLike[str] | None, name: str) -> Path:
    path = Path(out) if out is not None else Path("demo-results") / name
    path.mkdir(parents=True, exist_ok=True)
    return path
