"""The examples in the public docstrings (what the API reference shows) run and print what
they say: every ``>>>`` line of every public name of the documented modules."""

from __future__ import annotations

import doctest
import importlib
from typing import Any

import pytest

MODULES = {
    "turboinit": None,
    "turboinit.random": None,
    "turboinit.torch": "torch",
    "turboinit.dask": "dask.array",
    "turboinit.checkpoint": None,
    "turboinit.keras": "keras",
    "turboinit.jax": "jax",
    "turboinit.jax.initializers": "jax",
}


def _public(modname: str) -> list[tuple[str, Any]]:
    module = importlib.import_module(modname)
    return [(n, getattr(module, n)) for n in module.__all__ if callable(getattr(module, n))]


def _cases() -> list[Any]:
    out = []
    for modname, needs in MODULES.items():
        if needs is not None:
            try:
                importlib.import_module(needs)
            except ImportError:
                out.append(pytest.param(modname, None, marks=pytest.mark.skip(f"needs {needs}")))
                continue
        out += [pytest.param(modname, name, id=f"{modname}.{name}") for name, _ in _public(modname)]
    return out


@pytest.mark.parametrize(("modname", "name"), _cases())
def test_docstring_examples(modname: str, name: str) -> None:
    obj = getattr(importlib.import_module(modname), name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    tests = finder.find(obj, f"{modname}.{name}", globs={})
    for test in tests:
        runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed (above)"


def test_every_public_function_has_an_example() -> None:
    """The API reference promises an example per function: at least one ``>>>`` line."""
    missing = []
    for modname, needs in MODULES.items():
        if needs is not None:
            pytest.importorskip(needs)
        for name, obj in _public(modname):
            if ">>>" not in (obj.__doc__ or ""):
                missing.append(f"{modname}.{name}")
    # records of results (dataclasses) need none
    allowed = {"turboinit.LSUVLayer", "turboinit.torch.InitRecord", "turboinit.checkpoint.main"}
    assert sorted(set(missing) - allowed) == []
