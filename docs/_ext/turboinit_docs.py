"""Three helpers for the turboinit documentation build.

* ``% turboinit:bench-results`` (a MyST comment line) in a page is replaced, when
  the page is read, by the benchmark results found under
  ``benchmarks/results/`` (each folder's ``results.md`` summary, or a table
  made from its ``results.json``, and its PNG plots) and by the performance
  section of ``README.md`` if it has one.  Without results the page says so.
* ``% turboinit:numpy-compat`` is replaced by the NumPy compatibility table that
  ``turboinit.random._compat.markdown()`` makes from the code.
* After reading, every public name of the documented modules (their
  ``__all__``) must have an entry in the API reference; a missing one is a
  warning, hence an error under ``sphinx -W``.
"""

from __future__ import annotations

import importlib
import json
import os
import re
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

MARKER = "% turboinit:bench-results"
COMPAT_MARKER = "% turboinit:numpy-compat"
API_MODULES = (
    "turboinit",
    "turboinit.random",
    "turboinit.torch",
    "turboinit.dask",
    "turboinit.checkpoint",
    "turboinit.keras",
    "turboinit.jax",
    "turboinit.jax.initializers",
)
_JSON_LINES = 120  # a results file without a table is shown up to this many lines


def _repo_root(app: Sphinx) -> Path:
    return Path(app.confdir).resolve().parent


def _demote(markdown: str, levels: int) -> str:
    out = []
    for line in markdown.splitlines():
        m = re.match(r"^(#{1,6}) ", line)
        if m:
            line = "#" * min(6, len(m.group(1)) + levels) + line[len(m.group(1)) :]
        out.append(line)
    return "\n".join(out)


def _summary_markdown(folder: Path) -> str | None:
    """The summary part of a harness ``results.md`` (without its first heading)."""
    md = folder / "results.md"
    if not md.is_file():
        return None
    text = md.read_text(encoding="utf-8")
    text = text.split("\n### Every measurement", 1)[0]
    text = re.sub(r"\A## [^\n]*\n", "", text)
    return _demote(text.strip(), 1)


def _json_markdown(path: Path) -> str:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        logger.warning(f"benchmark results {path}: not readable JSON ({e})", type="turboinit")
        return ""
    if isinstance(data, dict) and "comparisons" in data and "measurements" in data:
        try:  # the harness's own table
            from turboinit._bench import report

            return _demote(re.sub(r"\A## [^\n]*\n", "", report.markdown(data)).strip(), 2)
        except Exception:  # noqa: BLE001 - fall back to the raw file
            pass
    lines = json.dumps(data, indent=1).splitlines()
    more = len(lines) - _JSON_LINES
    shown = "\n".join(lines[:_JSON_LINES]) + (f"\n... ({more} more lines)" if more > 0 else "")
    lang = "json" if more <= 0 else "text"  # a cut file is no longer valid JSON
    return f"```{lang}\n{shown}\n```"


def _readme_section(root: Path) -> str | None:
    """The level-2 section of README.md whose title names performance or benchmarks."""
    readme = root / "README.md"
    if not readme.is_file():
        return None
    text = readme.read_text(encoding="utf-8")
    m = re.search(
        r"^## [^\n]*(?:[Pp]erformance|[Bb]enchmark)[^\n]*\n(.*?)(?=^## |\Z)", text, re.M | re.S
    )
    # Its ### subsections stay ###: the page puts the section under a ## heading of its own.
    return m.group(1).strip() if m and m.group(1).strip() else None


def _relink(markdown: str, root: Path, page_dir: Path) -> str:
    """README-relative images made page-relative; README-relative links made plain text."""

    def image(m: re.Match[str]) -> str:
        target = m.group(2)
        if re.match(r"^[a-z]+://", target):
            return m.group(0)
        return f"![{m.group(1)}]({Path(os.path.relpath(root / target, page_dir)).as_posix()})"

    def link(m: re.Match[str]) -> str:
        if re.match(r"^[a-z]+://", m.group(2)):
            return m.group(0)
        return f"{m.group(1)} (`{m.group(2)}`)"

    markdown = re.sub(r"!\[([^\]]*)\]\(([^)\s]+)\)", image, markdown)
    return re.sub(r"(?<!!)\[([^\]]*)\]\(([^)\s]+)\)", link, markdown)


def bench_results_markdown(root: Path, page_dir: Path) -> str:
    """Markdown for the results under ``root/benchmarks/results``, images relative to page_dir."""
    results = root / "benchmarks" / "results"
    parts: list[str] = []
    readme = _readme_section(root)
    if readme:
        parts.append("## Headline numbers (README)\n\n" + _relink(readme, root, page_dir))
    groups: list[Path] = []
    if results.is_dir():
        if any(results.glob("*.json")) or any(results.glob("*.png")):
            groups.append(results)
        groups += sorted(p for p in results.iterdir() if p.is_dir())
    shown = False
    for folder in groups:
        pngs = sorted(folder.glob("*.png"))
        body = _summary_markdown(folder)
        jsons = sorted(folder.glob("*.json"))
        if body is None:
            body = "\n\n".join(f"`{j.name}`:\n\n{_json_markdown(j)}" for j in jsons) or None
        if body is None and not pngs:
            continue
        shown = True
        rel = folder.relative_to(root).as_posix()
        section = [f"## Results: `{rel}`", ""]
        if body:
            section += [body, ""]
        for png in pngs:
            target = Path(os.path.relpath(png, page_dir)).as_posix()
            section += [f"![{png.stem}]({target})", ""]
        parts.append("\n".join(section))
    if not shown:
        parts.append(
            "```{note}\nNo benchmark results are in `benchmarks/results/` yet. Run "
            "`python benchmarks/run_core.py` and `python benchmarks/run_full.py` on a quiet "
            "machine (see above) and rebuild the documentation: their tables and plots "
            "appear here.\n```"
        )
    return "\n\n".join(parts) + "\n"


def _on_source_read(app: Sphinx, docname: str, source: list[str]) -> None:
    if COMPAT_MARKER in source[0]:
        from turboinit.random import _compat

        source[0] = source[0].replace(COMPAT_MARKER, _compat.markdown())
    if MARKER not in source[0]:
        return
    root = _repo_root(app)
    page_dir = (Path(app.srcdir) / docname).parent.resolve()
    generated = bench_results_markdown(root, page_dir)
    source[0] = source[0].replace(MARKER, generated)
    # rebuild the page whenever the results change
    app.env.note_dependency(str(root / "README.md"))
    for path in sorted((root / "benchmarks" / "results").rglob("*")):
        if path.is_file():
            app.env.note_dependency(str(path))


def _public_names(modname: str) -> list[tuple[str, Any]]:
    module = importlib.import_module(modname)
    names = getattr(module, "__all__", None)
    if names is None:
        names = [n for n in vars(module) if not n.startswith("_")]
    out = []
    for name in names:
        obj = getattr(module, name, None)
        if name.startswith("__") or obj is None or type(obj).__name__ == "module":
            continue
        if callable(obj):
            out.append((name, obj))
    return out


def _check_api(app: Sphinx, env: Any) -> None:
    from sphinx.ext.autodoc.mock import mock

    documented = set(env.get_domain("py").objects)
    missing = []
    with mock(app.config.autodoc_mock_imports):
        for modname in API_MODULES:
            try:
                names = _public_names(modname)
            except ImportError as e:
                logger.warning(f"API check: cannot import {modname} ({e})", type="turboinit")
                continue
            missing += [f"{modname}.{n}" for n, _ in names if f"{modname}.{n}" not in documented]
    if missing:
        logger.warning(
            "API reference: these public names have no entry: " + ", ".join(sorted(missing)),
            type="turboinit",
        )


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("source-read", _on_source_read)
    app.connect("env-check-consistency", _check_api)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
