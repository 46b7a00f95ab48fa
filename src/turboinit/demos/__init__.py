"""The experiments behind turboinit's initialisers, as small runnable demos.

``python -m turboinit demo NAME [--quick] [--out DIR]`` runs one (``all`` runs
every one), prints a table and writes JSON, Markdown and, when matplotlib is
installed, PNG figures.  Each demo is plain NumPy on top of turboinit:

* ``saturation``: a tanh network fitted from U[-1, 1], U[-5, 5], Xavier and He
  weights; large weights saturate the units and the fit fails;
* ``signal``: variance of activations and gradients through 50 layers for
  zeros, too small, too large, Xavier, He, orthogonal and LSUV weights;
* ``symmetry``: zero (or constant) initialisation keeps hidden units identical
  through training; random initialisation breaks the symmetry.

Each demo module has ``run(quick=False, seed=0) -> dict`` (the numbers),
``markdown(result) -> str`` and ``figures(result, out_dir) -> list of paths``.
"""

from __future__ import annotations

import importlib
from types import ModuleType

# demo name -> module (imported only when the demo runs)
DEMOS: dict[str, str] = {
    "saturation": "turboinit.demos.saturation",
    "signal": "turboinit.demos.signal_propagation",
    "symmetry": "turboinit.demos.symmetry",
}


def load(name: str) -> ModuleType:
    """The module of demo ``name``."""
    if name not in DEMOS:
        raise ValueError(f"name: unknown demo {name!r}; choose from {', '.join(DEMOS)}")
    return importlib.import_module(DEMOS[name])


__all__ = ["DEMOS", "load"]
