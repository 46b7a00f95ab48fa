"""The explicit registry of generating functions matches the public API."""

from __future__ import annotations

import pytest

import turboinit
from turboinit import _registry


@pytest.mark.parametrize("name", sorted(_registry.GENERATORS))
def test_registered_functions_are_public_generators(name: str) -> None:
    fn = _registry.lookup(name)
    assert fn is getattr(turboinit, name)
    assert _registry.has_generator_signature(fn), name


def test_no_public_generator_is_missing() -> None:
    public = {
        n
        for n in dir(turboinit)
        if not n.startswith("_") and _registry.has_generator_signature(getattr(turboinit, n))
    }
    assert public == set(_registry.GENERATORS)


def test_lookup_rejects_other_names() -> None:
    for name in ("_core", "build_info", "set_num_threads", "no_such_function"):
        with pytest.raises(LookupError):
            _registry.lookup(name)
