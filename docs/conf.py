"""Sphinx configuration of the turboinit documentation.

Build (warnings are errors)::

    python -m pip install ".[docs]"
    python -m sphinx -W --keep-going -b html docs docs/_build/html

The API reference is generated from the docstrings of the *installed*
turboinit (its compiled core is needed), so install the package first.
Optional dependencies (torch, dask, safetensors, keras, jax, flax) are mocked when absent, so
their pages build without them.
"""

from __future__ import annotations

import importlib.util
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "_ext"))

import turboinit  # noqa: E402

project = "turboinit"
author = "the turboinit developers"
copyright = "the turboinit developers, BSD-3-Clause"
release = turboinit.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "turboinit_docs",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "_static/**", "Thumbs.db", ".DS_Store"]

myst_enable_extensions = ["dollarmath"]
myst_heading_anchors = 3

# NumPy-style docstrings; attributes as fields so that a dataclass's fields are
# not described twice (by napoleon and by autodoc)
napoleon_google_docstring = False
napoleon_numpy_docstring = True
napoleon_use_ivar = True
napoleon_use_rtype = False

autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_default_options = {"members": False}
# the argument types by the names the API defines (see the API reference's index)
autodoc_type_aliases = {
    name: name
    for name in (
        "ShapeLike",
        "RegionLike",
        "DTypeLike",
        "SeedLike",
        "StreamLike",
        "AxisLike",
        "SchemeLike",
        "SpecLike",
        "ProgressLike",
    )
}


# optional dependencies of the adapters: mocked only where not installed
def _missing(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is None
    except (ImportError, ValueError):
        return True


autodoc_mock_imports = [
    name for name in ("torch", "dask", "safetensors", "keras", "jax", "flax") if _missing(name)
]
# Keras 3 imports TensorFlow unless told otherwise: use an installed backend
for _backend in ("jax", "torch"):
    if not _missing(_backend):
        os.environ.setdefault("KERAS_BACKEND", _backend)

html_theme = "alabaster"
html_static_path = ["_static"]
html_title = f"turboinit {release}"
html_theme_options = {
    "description": "Fast, reproducible initialisation tensors and random arrays",
    "page_width": "1180px",
    "sidebar_width": "230px",
}
