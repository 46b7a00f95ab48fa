"""JAX PRNG keys to turboinit seeds, and host arrays to ``jax.Array``s.

A key's words (``jax.random.key_data``: two uint32 for the default threefry
keys) are read as one big-endian integer, the turboinit seed:

.. math:: \\mathrm{seed} = \\sum_i w_i\\, 2^{32 (n - 1 - i)}

so ``jax.random.key(s)`` and ``jax.random.PRNGKey(s)`` (words ``[s >> 32,
s & 0xFFFFFFFF]``) give seed ``s`` for ``0 <= s < 2**64``: the same values as
``turboinit.<name>(..., seed=s)``.  A key that is being traced (under
``jax.jit``) is read on the host through ``jax.pure_callback``.
"""

from __future__ import annotations

from typing import Any, Callable

import jax
import numpy as np

from .._seed import SeedLike

# Partly untyped in JAX's stubs: reached through Any so that mypy --strict passes
# with and without JAX installed.
_jax: Any = jax

# make(seed) -> the host array of the result
Make = Callable[[SeedLike], np.ndarray]


def key_words(key: Any) -> Any:
    """The uint32 words of one key (typed ``jax.random.key`` or raw ``PRNGKey``)."""
    if isinstance(key, (jax.Array, np.ndarray)) and _jax.numpy.issubdtype(
        key.dtype, _jax.dtypes.prng_key
    ):
        words = jax.random.key_data(key)
    else:
        words = key
    dtype = getattr(words, "dtype", None)
    shape = getattr(words, "shape", None)
    if dtype != np.uint32 or shape is None or len(shape) != 1:
        raise TypeError(
            "key: expected one JAX PRNG key (jax.random.key(s) or jax.random.PRNGKey(s)), "
            f"got {type(key).__name__} of dtype {dtype} and shape {shape}"
        )
    return words


def seed_from_words(words: np.ndarray) -> int:
    """The turboinit seed of a key's words: one big-endian integer."""
    seed = 0
    for w in np.asarray(words, dtype=np.uint32).tolist():
        seed = (seed << 32) | int(w)
    return seed


def key_to_seed(key: Any) -> int:
    """The turboinit seed that a (concrete) JAX key stands for.

    .. math:: \\mathrm{seed} = \\sum_i w_i\\, 2^{32 (n - 1 - i)},\\quad
              w = \\mathrm{jax.random.key\\_data}(\\mathrm{key})

    Parameters
    ----------
    key : jax.Array
        One key: ``jax.random.key(s)`` (typed) or ``jax.random.PRNGKey(s)``
        (raw uint32 words).

    Returns
    -------
    int
        ``s`` for ``jax.random.key(s)`` with ``0 <= s < 2**64``.

    Examples
    --------
    >>> import jax
    >>> from turboinit.jax import key_to_seed
    >>> key_to_seed(jax.random.key(42))
    42
    >>> key_to_seed(jax.random.PRNGKey(7))
    7
    """
    return seed_from_words(np.asarray(key_words(key)))


def materialise(
    key: Any,
    seed: SeedLike,
    make: Make,
    shape: tuple[int, ...],
    dtype: np.dtype,
    out_sharding: Any,
) -> Any:
    """``make(seed)`` as a ``jax.Array``; the seed is ``seed`` or, if None, the key's.

    Concrete keys: the host array is ``jax.device_put`` on the default device
    (or ``out_sharding``).  Traced keys (under ``jax.jit``/``vmap``): the array is
    made on the host by ``jax.pure_callback`` when the computation runs.
    """
    if seed is not None:
        return jax.device_put(make(seed), out_sharding)
    words = key_words(key)
    try:
        host = np.asarray(words)
    except jax.errors.TracerArrayConversionError:
        result = jax.pure_callback(
            lambda w: make(seed_from_words(w)),
            _jax.ShapeDtypeStruct(shape, dtype),
            words,
            vmap_method="sequential",
        )
        if out_sharding is not None:
            result = _jax.lax.with_sharding_constraint(result, out_sharding)
        return result
    return jax.device_put(make(seed_from_words(host)), out_sharding)
