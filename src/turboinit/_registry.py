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

# The public generating functions of turboinit, by name: each has the signature
# ``fn(shape, <params>, *, seed, stream, dtype, ...)`` (tests/test_registry.py
# checks it, and that no public function of that shape is missing here).
GENERATORS: frozenset[str] = frozenset(
    """
    constant delta_orthogonal dirac eye identity ones orthogonal relu_bias sparse zeros
    normal truncated_normal uniform variance_scaling
    glorot_normal glorot_uniform xavier_normal xavier_uniform
    he_normal he_uniform kaiming_normal kaiming_uniform lecun_normal lecun_uniform
    """.split()
)

# Always generated whole, even should they take ``region=`` (each piece would
# redo the whole work), with the reason shown to users.
GLOBAL: dict[str, str] = {
    "orthogonal": "orthogonal needs a QR factorisation of the whole matrix",
    "delta_orthogonal": "delta_orthogonal needs a QR factorisation of the whole matrix",
}


def splittable(name: str, fn: Callable[..., Any]) -> bool:
    """Whether ``fn`` (public name ``name``) is generated piece by piece through ``region=``."""
    return accepts(fn, "region") and name not in GLOBAL


def whole_reason(name: str, fn: Callable[..., Any]) -> str:
    """Why ``name`` is generated whole (for error messages)."""
    if name in GLOBAL:
        return GLOBAL[name]
    return f"{name} has no region= parameter"


def has_generator_signature(fn: Any) -> bool:
    """``fn(shape, ..., *, seed, stream, dtype, ...)``: what ``turboinit.dask`` accepts,
    turboinit's own generators (:data:`GENERATORS`) or a user's function of that form."""
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
    return sorted(GENERATORS)


def lookup(name: str) -> Callable[..., Any]:
    """The public generating function ``turboinit.<name>``; ``LookupError`` if none."""
    if name not in GENERATORS:
        raise LookupError(name)
    fn: Callable[..., Any] = getattr(turboinit, name)
    return fn
