"""Which public turboinit functions generate tensors, and how they may be split.

Shared by the adapters that generate a tensor piece by piece (``turboinit.dask``
and ``turboinit.checkpoint``).  A generating function has the signature
``fn(shape, <params>, *, seed, stream, dtype, ...)``; with ``region=`` it can
make any rectangular piece alone, bit for bit equal to that piece of the whole.
"""

from __future__ import annotations

import inspect
from typing import Any, Callable

import turboinit

# Zero entries column by column: should ``sparse`` take ``region=``, a piece
# must still hold whole columns (all of axis 0).
COLUMNWISE = frozenset({"sparse"})

# Why a function without ``region=`` needs the whole tensor at once (shown to users).
GLOBAL: dict[str, str] = {
    "orthogonal": "orthogonal needs a QR factorisation of the whole matrix",
    "sparse": (
        "sparse chooses its zero positions among whole columns (whole rows with "
        "nonzero_per_unit=k) and has no region= parameter"
    ),
}


def is_generator(fn: Any) -> bool:
    """``fn(shape, ..., *, seed, stream, dtype, ...)``: a public generating function."""
    if not callable(fn):
        return False
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False
    first = next(iter(params), None)
    return first == "shape" and all(p in params for p in ("seed", "stream", "dtype"))


def accepts(fn: Callable[..., Any], name: str) -> bool:
    """Whether ``fn`` has a parameter called ``name`` (``region``, ``out``)."""
    try:
        return name in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False


def generators() -> list[str]:
    """Names of the public generating functions of :mod:`turboinit`, sorted."""
    return sorted(
        n for n in dir(turboinit) if not n.startswith("_") and is_generator(getattr(turboinit, n))
    )


def lookup(name: str) -> Callable[..., Any]:
    """The public generating function ``turboinit.<name>``; ``LookupError`` if none."""
    fn = getattr(turboinit, name, None) if not name.startswith("_") else None
    if fn is None or not is_generator(fn):
        raise LookupError(name)
    return fn  # type: ignore[no-any-return]
