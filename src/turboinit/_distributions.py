"""The functional samplers: uniform, normal, truncated_normal.

Every value is a pure function of ``(seed, stream, flat index, parameters,
dtype)``; see ``docs/counter_layout.md``.  Generation runs on all threads
(``set_num_threads``), without the GIL, and stops on Ctrl-C.
"""

from __future__ import annotations

from typing import Optional

import numpy as np

from . import _core
from ._args import DTypeLike, RegionLike, ShapeLike, prepare, real
from ._seed import SeedLike, StreamLike, philox_key


def uniform(
    shape: ShapeLike,
    low: float = 0.0,
    high: float = 1.0,
    *,
    seed: SeedLike = None,
    stream: StreamLike = 0,
    dtype: DTypeLike = "float32",
    out: Optional[np.ndarray] = None,
    region: RegionLike = None,
) -> np.ndarray:
    """Uniform samples on ``[low, high)``.

    .. math:: x = \\mathrm{low} + (\\mathrm{high} - \\mathrm{low})\\, u,\\quad
              u = k\\, 2^{-24}\\ (\\text{float32}) \\text{ or } k\\, 2^{-53}\\ (\\text{float64})

    ``high`` is never returned, also after rounding to ``dtype``; float32 (and
    float16/bfloat16, computed in float32) carry 24 random bits, float64 53.

    Parameters
    ----------
    shape : int or tuple of ints
        Shape of the full tensor.
    low, high : float
        Finite bounds, ``low <= high`` (``low == high`` gives ``low``).
    seed : int, numpy.random.SeedSequence or None
        ``None`` takes fresh entropy from the OS.
    stream : int or str
        Independent streams under one seed (e.g. a parameter name).
    dtype : {"float32", "float64", "float16", "bfloat16"}
    out : ndarray, optional
        Filled in place: C-contiguous, aligned, writeable, exact dtype and shape.
    region : tuple of slices, optional
        Generate only ``full[region]``, bit for bit.

    Returns
    -------
    ndarray
        A new array of shape ``shape`` (or of the region), or ``out``.

    Examples
    --------
    >>> import turboinit as ti
    >>> w = ti.uniform((256, 128), -0.1, 0.1, seed=0)
    >>> bool(w.min() >= -0.1 and w.max() < 0.1)
    True
    >>> bool((ti.uniform((256, 128), -0.1, 0.1, seed=0, region=(slice(8, 16),)) == w[8:16]).all())
    True
    """
    arr, code, full, start, extent = prepare(shape, dtype, out, region)
    k0, k1 = philox_key(seed, stream)
    _core.uniform(arr, code, full, start, extent, k0, k1, 0, real(low, "low"), real(high, "high"))
    return arr


def normal(
    shape: ShapeLike,
    mean: float = 0.0,
    std: float = 1.0,
    *,
    seed: SeedLike = None,
    stream: StreamLike = 0,
    dtype: DTypeLike = "float32",
    out: Optional[np.ndarray] = None,
    region: RegionLike = None,
) -> np.ndarray:
    """Normal samples ``N(mean, std**2)`` by the Box–Muller transform.

    .. math:: z_0 = \\sqrt{-2\\ln u_1}\\,\\cos 2\\pi u_2,\\quad
              z_1 = \\sqrt{-2\\ln u_1}\\,\\sin 2\\pi u_2,\\quad
              x = \\mathrm{mean} + \\mathrm{std}\\, z

    Computed in float32 (float64 for float64 output) and rounded once.  The
    largest ``|z|`` is 6.6605 in float32 (``u_1 >= 2^{-32}``) and 8.5717 in float64.
    Raises ``OverflowError`` if samples could exceed the dtype's range.

    Parameters are those of :func:`uniform`, with ``mean`` (finite) and
    ``std`` (finite, ``>= 0``).

    Examples
    --------
    >>> import turboinit as ti
    >>> x = ti.normal(1_000_000, 2.0, 0.5, seed=1)
    >>> round(float(x.mean()), 2), round(float(x.std()), 2)
    (2.0, 0.5)
    """
    arr, code, full, start, extent = prepare(shape, dtype, out, region)
    k0, k1 = philox_key(seed, stream)
    _core.normal(arr, code, full, start, extent, k0, k1, 0, real(mean, "mean"), real(std, "std"))
    return arr


def truncated_normal(
    shape: ShapeLike,
    mean: float = 0.0,
    std: float = 1.0,
    lower: float = -2.0,
    upper: float = 2.0,
    *,
    seed: SeedLike = None,
    stream: StreamLike = 0,
    dtype: DTypeLike = "float32",
    out: Optional[np.ndarray] = None,
    region: RegionLike = None,
) -> np.ndarray:
    """Normal samples restricted to ``[mean + lower*std, mean + upper*std]``.

    ``lower`` and ``upper`` are in units of ``std`` (the JAX, SciPy and Keras
    convention; PyTorch's ``trunc_normal_`` takes absolute bounds), may be
    infinite, and need only ``lower < upper``.

    .. math:: p(x) \\propto
              \\exp\\!\\left(-\\frac{(x-\\mathrm{mean})^2}{2\\,\\mathrm{std}^2}\\right)
              \\text{ on } [\\mathrm{mean} + \\mathrm{lower}\\,\\mathrm{std},\\
              \\mathrm{mean} + \\mathrm{upper}\\,\\mathrm{std}]

    Bounds inside ``[-3, 3]`` that hold at least 1/16 of the normal's mass
    (``[-2, 2]``, ``[0, 3]``, ...; in float64 at least 2^-20) are drawn by the
    inverse CDF, ``sqrt(2) erfinv(e)`` with ``e`` uniform between
    ``erf(lower/sqrt2)`` and ``erf(upper/sqrt2)`` (PyTorch's and JAX's method;
    within 2.3 ulp of the exact quantile in float32, 8 ulp in float64), one
    draw per value; in float64 only where rejection would be slower (not for
    ``[-2, 2]``, ``[-3, 3]``, ``[0, 2]`` or ``[0, 3]``, where a rejected
    candidate is redrawn once by that inverse CDF).  Otherwise: exact rejection
    sampling, the proposal (normal, half-normal, uniform or Robert's
    exponential for tails) chosen per call by its exact acceptance rate, so
    far tails such as ``[6, 9]`` cost at most about twice ``[-2, 2]``.  No value falls outside the
    bounds, also after rounding to ``dtype``; a ``ValueError`` says so if no
    value of ``dtype`` lies between them.

    Examples
    --------
    >>> import turboinit as ti
    >>> x = ti.truncated_normal(100_000, 0.0, 0.02, seed=0)
    >>> bool(abs(x).max() <= 0.04)
    True
    >>> tail = ti.truncated_normal(1000, lower=6.0, upper=9.0, seed=0, dtype="float64")
    >>> bool(tail.min() >= 6.0 and tail.max() <= 9.0)
    True
    """
    arr, code, full, start, extent = prepare(shape, dtype, out, region)
    k0, k1 = philox_key(seed, stream)
    _core.truncated_normal(
        arr,
        code,
        full,
        start,
        extent,
        k0,
        k1,
        0,
        real(mean, "mean"),
        real(std, "std"),
        real(lower, "lower"),
        real(upper, "upper"),
    )
    return arr
