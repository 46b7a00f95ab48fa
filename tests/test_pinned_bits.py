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
    """The bounds pinned under a proposal's name still select that proposal."""
    from turboinit import _core

    lower, upper, method, mirror = pinned.TRUNC_BOUNDS[family]
    plan = _core.truncated_normal_plan(lower, upper)
    assert (plan["method"], plan["mirror"]) == (method, mirror), family


def test_every_proposal_is_pinned() -> None:
    methods = {m for _, _, m, _ in pinned.TRUNC_BOUNDS.values()}
    assert methods == {"normal", "half_normal", "uniform", "exponential"}
