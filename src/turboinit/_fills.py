"""Deterministic initialisers: constants, identity (eye) and Dirac kernels.

Each writes its result with one fill of the output (NumPy's, a memset-like
pass) plus, for identity and dirac, one scattered write of the few non-zero
entries that fall inside ``region``.  ``seed`` and ``stream`` are accepted so
that every initializer can be called alike (as JAX's ``zeros(key, shape)``
takes a key); they are validated and otherwise ignored.
"""

from __future__ import annotations

import math
from typing import Any, Optional

import numpy as np

from ._args import (
    DTypeLike,
    RegionLike,
    ShapeLike,
    Target,
    integer,
    normalize_dtype,
    normalize_shape,
    prepare_target,
    real,
)
from ._seed import SeedLike, StreamLike, seed_sequence, stream_words


def _target(
    shape: ShapeLike,
    dtype: DTypeLike,
    out: Optional[np.ndarray],
    region: RegionLike,
    seed: SeedLike,
    stream: StreamLike,
) -> Target:
    if seed is not None:
        seed_sequence(seed)  # type check only
    stream_words(stream)
    return prepare_target(shape, dtype, out, region)


def as_dtype_value(value: Any, dtype: DTypeLike, argname: str) -> np.ndarray:
    """``value`` rounded once to ``dtype`` (a 0-d array); OverflowError if it becomes inf."""
    v = real(value, argname)
    if not math.isfinite(v):
        raise ValueError(f"{argname}: must be finite, got {v!r}")
    dt, _ = normalize_dtype(dtype)
    with np.errstate(over="ignore"):
        r = np.asarray(v, dtype=np.float64).astype(dt)
    if not np.isfinite(r.astype(np.float64)):
        raise OverflowError(f"{argname}: {v!r} is beyond the largest {dt.name} value")
    return r


def constant(
    shape: ShapeLike,
    value: float,
    *,
    seed: SeedLike = None,
    stream: StreamLike = 0,
    dtype: DTypeLike = "float32",
    out: Optional[np.ndarray] = None,
    region: RegionLike = None,
) -> np.ndarray:
    """An array filled with ``value`` (``torch.nn.init.constant_``, Keras ``Constant``).

    .. math:: x_i = \\mathrm{value}

    ``value`` must be finite; it is rounded once to ``dtype`` (round to
    nearest even) and must not overflow it (``OverflowError``).

    Parameters
    ----------
    shape : int or tuple of ints
    value : float
    seed, stream
        Accepted for a uniform signature; ignored (the result is deterministic).
    dtype, out, region
        As for :func:`turboinit.normal`.

    Examples
    --------
    >>> import turboinit as ti
    >>> ti.constant((2, 3), 0.5).tolist()
    [[0.5, 0.5, 0.5], [0.5, 0.5, 0.5]]
    """
    v = as_dtype_value(value, dtype, "value")  # before the output exists
    t = _target(shape, dtype, out, region, seed, stream)
    t.out[...] = v
    return t.out


def zeros(
    shape: ShapeLike,
    *,
    seed: SeedLike = None,
    stream: StreamLike = 0,
    dtype: DTypeLike = "float32",
    out: Optional[np.ndarray] = None,
    region: RegionLike = None,
) -> np.ndarray:
    """An array of zeros (``torch.nn.init.zeros_``, Keras ``Zeros``, JAX ``zeros``).

    .. math:: x_i = 0

    Parameters are those of :func:`constant` without ``value``.

    Examples
    --------
    >>> import turboinit as ti
    >>> ti.zeros(3).tolist()
    [0.0, 0.0, 0.0]
    """
    t = _target(shape, dtype, out, region, seed, stream)
    t.out[...] = 0
    return t.out


def ones(
    shape: ShapeLike,
    *,
    seed: SeedLike = None,
    stream: StreamLike = 0,
    dtype: DTypeLike = "float32",
    out: Optional[np.ndarray] = None,
    region: RegionLike = None,
) -> np.ndarray:
    """An array of ones (``torch.nn.init.ones_``, Keras ``Ones``, JAX ``ones``).

    .. math:: x_i = 1

    Parameters are those of :func:`constant` without ``value``.

    Examples
    --------
    >>> import turboinit as ti
    >>> ti.ones(3, dtype="float64").tolist()
    [1.0, 1.0, 1.0]
    """
    t = _target(shape, dtype, out, region, seed, stream)
    t.out[...] = 1
    return t.out


def _scatter(t: Target, index: tuple[np.ndarray, ...], value: np.ndarray) -> None:
    """Write ``value`` at the full-tensor positions ``index`` that lie in the region."""
    inside = np.ones(index[0].shape, dtype=bool)
    for i, s, e in zip(index, t.start, t.extent):
        inside &= (i >= s) & (i < s + e)
    local = tuple(i[inside] - s for i, s in zip(index, t.start))
    t.out[local] = value


_ROWS_PER_PIECE = 2**16  # index arrays of at most a few MiB at a time


def _indices(lo: int, hi: int) -> np.ndarray:
    """``arange(lo, hi)`` as int64 (empty when ``hi <= lo``)."""
    return np.arange(lo, max(lo, hi), dtype=np.int64)


def identity(
    shape: ShapeLike,
    gain: float = 1.0,
    *,
    seed: SeedLike = None,
    stream: StreamLike = 0,
    dtype: DTypeLike = "float32",
    out: Optional[np.ndarray] = None,
    region: RegionLike = None,
) -> np.ndarray:
    """``gain`` times the identity matrix, also for non-square shapes.

    .. math:: x_{ij} = \\mathrm{gain}\\ \\text{if}\\ i = j\\ \\text{else}\\ 0

    Reproduces ``torch.nn.init.eye_(w)`` (``gain=1``; only 2-D, else
    ``ValueError``), Keras ``Identity(gain)`` and ``gain * numpy.eye(*shape)``:
    ones on the main diagonal of the ``min(rows, cols)`` leading square.

    Parameters
    ----------
    shape : (int, int)
    gain : float
        Finite; rounded once to ``dtype``.
    seed, stream
        Accepted for a uniform signature; ignored.
    dtype, out, region
        As for :func:`turboinit.normal`.

    Examples
    --------
    >>> import turboinit as ti
    >>> ti.identity((2, 3), 2.0).tolist()
    [[2.0, 0.0, 0.0], [0.0, 2.0, 0.0]]
    """
    full = normalize_shape(shape)
    if len(full) != 2:
        raise ValueError(f"shape: only 2-dimensional shapes are supported, got {full}")
    v = as_dtype_value(gain, dtype, "gain")
    t = _target(shape, dtype, out, region, seed, stream)  # allocated once all is checked
    t.out[...] = 0
    # Only the diagonal entries inside the region: a small region of a huge
    # matrix costs as little as the region.
    (s0, s1), (e0, e1) = t.start, t.extent
    d = _indices(max(s0, s1), min(s0 + e0, s1 + e1, min(t.shape)))
    _scatter(t, (d, d), v)
    return t.out


eye = identity


def dirac(
    shape: ShapeLike,
    groups: int = 1,
    *,
    gain: float = 1.0,
    seed: SeedLike = None,
    stream: StreamLike = 0,
    dtype: DTypeLike = "float32",
    out: Optional[np.ndarray] = None,
    region: RegionLike = None,
) -> np.ndarray:
    """Dirac-delta convolution kernels that pass their input through.

    For a weight of shape ``(out, in, *kernel)`` with ``k = out // groups``
    output channels per group:

    .. math:: w[g k + d,\\ d,\\ \\lfloor K_1/2 \\rfloor, \\ldots] = \\mathrm{gain},
              \\quad 0 \\le g < \\mathrm{groups},\\ 0 \\le d < \\min(k, \\mathrm{in})

    and 0 elsewhere.  Reproduces ``torch.nn.init.dirac_(w, groups)``
    (``gain=1``): 3-, 4- or 5-D shapes only, ``out`` divisible by ``groups``,
    centre at ``K // 2`` (JAX's ``delta_orthogonal`` uses ``(K - 1) // 2``,
    different for even kernels).  A shape with a zero-size kernel dimension
    gives an empty array (PyTorch raises ``IndexError`` there).

    Parameters
    ----------
    shape : tuple of 3 to 5 ints
    groups : int
        ``>= 1`` and dividing ``shape[0]``.
    gain : float
        Value of the non-zero entries (finite).
    seed, stream
        Accepted for a uniform signature; ignored.
    dtype, out, region
        As for :func:`turboinit.normal`.

    Examples
    --------
    >>> import turboinit as ti
    >>> w = ti.dirac((4, 2, 3))
    >>> w[:, :, 1].tolist()
    [[1.0, 0.0], [0.0, 1.0], [0.0, 0.0], [0.0, 0.0]]
    """
    full = normalize_shape(shape)
    if len(full) not in (3, 4, 5):
        raise ValueError(f"shape: only 3-, 4- or 5-dimensional shapes are supported, got {full}")
    g = integer(groups, "groups", minimum=1)
    if full[0] % g != 0:
        raise ValueError(
            f"groups: dim 0 must be divisible by groups, got shape[0]={full[0]}, groups={g}"
        )
    v = as_dtype_value(gain, dtype, "gain")
    t = _target(shape, dtype, out, region, seed, stream)  # allocated once all is checked
    t.out[...] = 0
    if 0 in t.shape or 0 in t.extent:
        return t.out
    per_group = t.shape[0] // g
    # Row o holds its entry at column o % per_group (if < in): walk only the
    # region's rows, in pieces, so the index arrays stay small whatever the
    # region (a (2**33, 1, 1) region would otherwise need 64 GiB of them).
    first, stop = t.start[0], t.start[0] + t.extent[0]
    for lo in range(first, stop, _ROWS_PER_PIECE):
        o = _indices(lo, min(lo + _ROWS_PER_PIECE, stop))
        i = o % per_group
        o, i = o[i < t.shape[1]], i[i < t.shape[1]]
        centre = tuple(np.full(o.shape, k // 2, dtype=np.int64) for k in t.shape[2:])
        _scatter(t, (o, i) + centre, v)
    return t.out
