"""The NumPy compatibility table, made from the code so that it never drifts.

One row per public attribute of ``numpy.random.Generator`` (and one per
legacy function): which class defines it in :class:`turboinit.random.Generator`
(parallel C++ or NumPy's sequential code on our Philox), its dtypes, and how
it differs from NumPy.  ``docs/numpy_compat.md`` shows it (the docs build
calls :func:`markdown`).
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass

import numpy as np

from ._bulk import BulkMethods
from ._generator import Generator
from ._legacy import LEGACY_NAMES, RandomState

# Notes of turboinit.random.Generator's own parallel methods: (dtypes, differences).
_OWN_NOTES: dict[str, tuple[str, str]] = {
    "random": ("float64, float32", "values (Philox counter layout, 53/24 random bits)"),
    "standard_normal": (
        "float64, float32",
        "values; Box–Muller (NumPy: ziggurat), so |z| <= 8.57 (float64), 6.66 (float32)",
    ),
    "normal": (
        "float64, float32, float16, bfloat16",
        "values; Box–Muller; adds `dtype=`",
    ),
    "uniform": (
        "float64, float32, float16, bfloat16",
        "values; `high` is never returned, also after rounding; adds `dtype=`",
    ),
    "integers": (
        "bool, int8..int64, uint8..uint64",
        "values (Lemire's method on the counter layout; they depend on the range, not the dtype)",
    ),
    "truncated_normal": (
        "float64, float32, float16, bfloat16",
        "not in NumPy (an extension: bounds in units of `scale`)",
    ),
    "spawn": ("-", "none (children are turboinit Generators)"),
}


@dataclass(frozen=True)
class Row:
    """One method: where it runs, its dtypes, how it differs from NumPy."""

    name: str
    kind: str  # "parallel" or "sequential"
    defined_by: str
    dtypes: str
    differences: str


def _docstring_dtypes(method: object) -> str:
    m = re.search(r"^\s*dtype\s*:\s*\{([^}]*)\}", inspect.getdoc(method) or "", re.MULTILINE)
    return m.group(1).strip() if m else "as NumPy"


def _numpy_methods() -> list[str]:
    names = [n for n in dir(np.random.Generator) if not n.startswith("_")]
    extra = [n for n in dir(Generator) if not n.startswith("_") and n not in names]
    return sorted(names) + sorted(n for n in extra if callable(getattr(Generator, n)))


def generator_rows() -> list[Row]:
    """A row per public method of ``numpy.random.Generator`` (and of our extensions)."""
    rows = []
    for name in _numpy_methods():
        owner = next(c for c in Generator.__mro__ if name in vars(c))
        if owner is Generator:
            dtypes, diff = _OWN_NOTES.get(name, (_docstring_dtypes(getattr(Generator, name)), ""))
            kind = "sequential" if name in ("spawn", "state", "seed_seq") else "parallel"
            rows.append(Row(name, kind, "turboinit.random.Generator", dtypes, diff or "values"))
        elif owner is BulkMethods:
            notes = getattr(BulkMethods, "COMPAT_NOTES", {}).get(name)
            method = getattr(BulkMethods, name)
            dtypes = notes[0] if notes else _docstring_dtypes(method)
            diff = notes[1] if notes else "values (see its docstring)"
            rows.append(Row(name, "parallel", "BulkMethods", dtypes, diff))
        elif name == "bit_generator":
            rows.append(Row(name, "-", "numpy.random.Generator", "-", "a turboinit Philox"))
        else:
            rows.append(
                Row(
                    name,
                    "sequential",
                    "numpy.random.Generator",
                    "as NumPy",
                    "values only (NumPy's code on our Philox)",
                )
            )
    return rows


def legacy_rows() -> list[Row]:
    """A row per module-level function of ``turboinit.random``."""
    rows = []
    for name in LEGACY_NAMES:
        method = {"ranf": "random_sample", "sample": "random_sample"}.get(name, name)
        owner = next((c for c in RandomState.__mro__ if method in vars(c)), None)
        ours = owner is RandomState
        kind = "parallel" if ours and method not in ("seed", "get_state") else "sequential"
        if name in ("seed", "get_state", "set_state", "shuffle"):
            kind = "-"
        diff = {
            "seed": "reseeds our Philox (any SeedSequence seed), not MT19937",
            "get_state": "returns the Philox state dict (no MT19937 legacy tuple), no warning",
            "set_state": "takes the Philox state dict; an MT19937 state raises ValueError",
        }.get(name, "values only")
        rows.append(
            Row(name, kind, "turboinit RandomState" if ours else "numpy RandomState", "", diff)
        )
    return rows


def markdown() -> str:
    """Both tables, as MyST markdown."""
    out = [
        "| method | runs | defined by | dtypes | differences from NumPy |",
        "|---|---|---|---|---|",
    ]
    out += [
        f"| `{r.name}` | {r.kind} | `{r.defined_by}` | {r.dtypes} | {r.differences} |"
        for r in generator_rows()
    ]
    out += [
        "",
        "Module-level functions (`turboinit.random.<name>`, one module-level `RandomState`):",
        "",
        "| function | runs | defined by | differences from NumPy |",
        "|---|---|---|---|",
    ]
    out += [
        f"| `{r.name}` | {r.kind} | `{r.defined_by}` | {r.differences} |" for r in legacy_rows()
    ]
    return "\n".join(out) + "\n"
