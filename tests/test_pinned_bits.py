"""The bits are pinned across versions: tests/data/pinned_bits.json.

Each public sampler x dtype x proposal family, generated at a fixed (seed,
stream, shape), must hash to the stored SHA-256 on every kernel, and the raw
Philox4x32-10 words must equal the stored ones.  A deliberate change of bits
regenerates the file (``python scripts/pinned_bits.py --write``) and is written
in CHANGELOG.md.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("pinned_bits", ROOT / "scripts" / "pinned_bits.py")
assert spec is not None and spec.loader is not None
pinned = importlib.util.module_from_spec(spec)
sys.modules["pinned_bits"] = pinned
spec.loader.exec_module(pinned)

STORED = json.loads(pinned.DATA.read_text())


def test_layout_constants_unchanged() -> None:
    assert (STORED["seed"], STORED["stream"], tuple(STORED["shape"])) == (
        pinned.SEED,
        pinned.STREAM,
        pinned.SHAPE,
    )


def test_raw_philox_words() -> None:
    assert pinned.raw_words() == STORED["philox_words"]


@pytest.mark.parametrize(
    "name,make", list(pinned.cases()), ids=lambda v: v if isinstance(v, str) else ""
)
def test_digest(name: str, make, kernel: str) -> None:  # noqa: ANN001
    assert name in STORED["digests"], (
        f"{name}: no pinned digest (run scripts/pinned_bits.py --write)"
    )
    assert pinned._digest(make()) == STORED["digests"][name], name


@pytest.mark.parametrize("family", sorted(pinned.TRUNC_BOUNDS))
def test_truncated_normal_family_selects_its_proposal(family: str) -> None:
    """The bounds pinned under a family still select the named methods."""
    from turboinit import _core

    lower, upper, method64, method32, mirror = pinned.TRUNC_BOUNDS[family]
    for dtype, method in (("float64", method64), ("float32", method32), ("float16", method32)):
        plan = _core.truncated_normal_plan(lower, upper, _core.DTYPES[dtype])
        want_mirror = mirror and method != "inverse_cdf"  # the inverse CDF never mirrors
        assert (plan["method"], plan["mirror"]) == (method, want_mirror), (family, dtype)


def test_every_method_is_pinned() -> None:
    for column in (2, 3):
        methods = {v[column] for v in pinned.TRUNC_BOUNDS.values()}
        assert methods >= {"normal", "half_normal", "uniform", "exponential"}
    assert any(v[3] == "inverse_cdf" for v in pinned.TRUNC_BOUNDS.values())
    assert any(v[2] == "inverse_cdf" for v in pinned.TRUNC_BOUNDS.values())


def test_both_float64_redraws_are_pinned() -> None:
    # float64's normal and half-normal proposals redraw a rejected candidate by the
    # inverse CDF inside [-3, 3] and by the proposal again beyond it
    # (docs/counter_layout.md): both kinds of each are pinned.
    from turboinit import _core

    f64 = _core.DTYPES["float64"]
    kinds = {
        (method64, _core.truncated_normal_plan(lower, upper, f64)["inverse_cdf_retries"])
        for lower, upper, method64, _, _ in pinned.TRUNC_BOUNDS.values()
    }
    assert kinds >= {(m, r) for m in ("normal", "half_normal") for r in (True, False)}
