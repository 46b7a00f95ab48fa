"""JAX adapter: ``jax.nn.initializers``' factories, filled by turboinit.

``import turboinit`` never imports JAX; ``import turboinit.jax`` does.

* :mod:`turboinit.jax.initializers`: ``glorot_normal``, ``he_uniform``,
  ``variance_scaling``, ``orthogonal``, ... with JAX's names, arguments and
  axis conventions, returning ``init(key, shape, dtype)`` functions that work
  as ``kernel_init=`` of ``flax.nnx`` and ``flax.linen`` layers;
* :func:`key_to_seed`: the turboinit seed a JAX key stands for, so that
  ``init(jax.random.key(s), shape)`` equals the turboinit call with ``seed=s``.

Example
-------
>>> import jax, turboinit as ti
>>> from turboinit.jax import initializers
>>> w = initializers.he_normal(stream="conv1")(jax.random.key(0), (3, 3, 16, 32))
>>> ref = ti.he_normal((3, 3, 16, 32), truncated=True, layout="jax", seed=0, stream="conv1")
>>> bool((w == ref).all())
True
"""

from __future__ import annotations

from .._deps import missing

try:
    import jax as _jax  # noqa: F401
except ImportError as _e:  # pragma: no cover - exercised without jax only
    raise missing(
        'turboinit.jax needs JAX; install it (pip install "jax[cpu]") or use the NumPy API '
        "of turboinit",
        _e,
    ) from _e

from . import initializers
from ._keys import key_to_seed

__all__ = ["initializers", "key_to_seed"]
