"""Orthogonal initialisers: ``orthogonal`` (Saxe et al. 2014, with the Haar
sign correction of Mezzadri 2007) and ``delta_orthogonal`` (Xiao et al. 2018).

The QR runs in C++ (``cpp/linalg/householder_qr.cpp``): a blocked, recursive
Householder QR whose products give the same bits for any thread count and
SIMD target, without the GIL, stoppable with Ctrl-C between panels.
"""

from __future__ import annotations

import math
from typing import Any, Literal

import numpy as np

from . import _core
from ._args import (
    DTypeLike,
    ShapeLike,
    check_exact_out,
    check_size,
    integer,
    normalize_dtype,
    normalize_shape,
    real,
)
from ._seed import SeedLike, StreamLike, philox_key

Layout = Literal["torch", "keras", "jax"]
Method = Literal["qr", "svd"]

_LAYOUTS = ("torch", "keras", "jax")
_METHODS: dict[str, int] = _core.ORTHOGONAL_METHODS


def _axis(value: Any, ndim: int, argname: str) -> int:
    ax = integer(value, argname)
    if not -ndim <= ax < ndim:
        raise ValueError(f"{argname}: {ax} is out of range for a {ndim}-dimensional shape")
    return ax % ndim


def _matrix(shape: tuple[int, ...], layout: Any, column_axis: Any) -> tuple[int, int, int]:
    """(rows, cols, axis of the columns in ``shape``) of the flattened matrix."""
    if not isinstance(layout, str) or layout not in _LAYOUTS:
        raise ValueError(f"layout: expected one of 'torch', 'keras', 'jax', got {layout!r}")
    ndim = len(shape)
    ax = _axis(column_axis, ndim, "column_axis")
    if layout != "jax":
        if column_axis != -1:
            raise ValueError(
                f"column_axis: only layout='jax' takes a column axis; layout={layout!r} needs -1"
            )
        if layout == "torch":  # (out, in, *kernel) -> (shape[0], prod(rest))
            return shape[0], math.prod(shape[1:]), ndim - 1
        return math.prod(shape[:-1]), shape[-1], ndim - 1  # keras
    return math.prod(shape[:ax] + shape[ax + 1 :]), shape[ax], ax


def orthogonal(
    shape: ShapeLike,
    gain: float = 1.0,
    *,
    layout: Layout = "torch",
    column_axis: int = -1,
    method: Method = "qr",
    seed: SeedLike = None,
    stream: StreamLike = 0,
    dtype: DTypeLike = "float32",
    out: np.ndarray | None = None,
) -> np.ndarray:
    """A (semi-)orthogonal tensor, uniformly (Haar) distributed, times ``gain``.

    The tensor is viewed as a ``rows x cols`` matrix as the chosen framework
    flattens it.  With ``n = min(rows, cols)`` and ``m = max(rows, cols)``:

    .. math:: N \\sim \\mathcal{N}(0, 1)^{n \\times m},\\quad N^\\top = QR,\\quad
              \\tilde Q = Q\\,\\mathrm{diag}(\\mathrm{sign}\\, R_{jj}),\\quad
              W = \\mathrm{gain} \\cdot \\begin{cases} \\tilde Q & \\text{rows} > \\text{cols} \\\\
              \\tilde Q^\\top & \\text{rows} \\le \\text{cols} \\end{cases}

    so ``W^T W = gain^2 I`` (tall) or ``W W^T = gain^2 I`` (wide or square).
    Multiplying Q's columns by the signs of R's diagonal makes ``Q~`` exactly
    Haar distributed (Mezzadri 2007), as PyTorch, Keras and JAX do (we take
    ``sign(0) = +1`` where they would zero a column; that has probability 0);
    ``Q~^T`` of a square Haar ``Q~`` is Haar too.

    ``N`` is ``normal((n, m), seed=seed, stream=stream)`` bit for bit
    (float64 for float64 output, float32 otherwise): for a wide or square
    shape it is the Gaussian matrix of the output's own shape.  The QR is a
    blocked Householder QR (LAPACK's conventions, ``gain`` folded into
    ``diag(sign R_jj)`` before Q is formed), and the result is the same bits
    for any thread count and SIMD kernel.  float16 and bfloat16 are computed
    in float32 and rounded once.  There is no ``region``: every entry of Q
    depends on the whole of N.  Long calls stop on Ctrl-C between panels.

    Parameters
    ----------
    shape : tuple of ints
        At least two dimensions.  A shape with a zero dimension gives an empty
        array (as ``torch.nn.init.orthogonal_`` leaves an empty tensor alone).
    gain : float
        Finite scale factor (e.g. ``calculate_gain("relu")``).
    layout : {"torch", "keras", "jax"}
        How ``shape`` is flattened: PyTorch ``(shape[0], prod(shape[1:]))``
        for ``(out, in, *kernel)`` weights; Keras ``(prod(shape[:-1]),
        shape[-1])`` for ``(*kernel, in, out)``; JAX moves ``column_axis``
        last, then ``(prod(others), shape[column_axis])``.
    column_axis : int
        The axis of the columns (``layout="jax"`` only).  When it is not the
        last axis the result is made in the moved layout and copied once.
    method : {"qr", "svd"}
        ``"qr"``: Householder QR as above (exactly Haar; fast, multithreaded).
        ``"svd"``: the orthonormal factor of the thin SVD of
        ``G = normal((rows, cols))``, ``U`` (rows >= cols) or ``V^T``
        (rows < cols), as Saxe et al. and Lasagne do; its column signs follow
        the SVD algorithm (Eigen's BDCSVD), so it is not exactly Haar.  Much
        slower (one thread; about a minute at 4096 x 4096), and Ctrl-C is only
        seen at the end.
    seed : int, numpy.random.SeedSequence or None
        ``None`` takes fresh entropy from the OS.
    stream : int or str
        Independent streams under one seed (e.g. a parameter name).
    dtype : {"float32", "float64", "float16", "bfloat16"}
    out : ndarray, optional
        Filled in place: C-contiguous, aligned, writeable, exact dtype and shape.

    Returns
    -------
    ndarray
        A new array of shape ``shape``, or ``out``.

    Raises
    ------
    ValueError
        Fewer than two dimensions ("Only tensors with 2 or more dimensions are
        supported", as PyTorch), an unknown layout or method, a column axis
        with a layout other than "jax", a non-finite gain.
    OverflowError
        ``|gain|`` beyond the largest value of ``dtype``.

    Examples
    --------
    >>> import numpy as np
    >>> import turboinit as ti
    >>> w = ti.orthogonal((256, 128), gain=2.0, seed=0)
    >>> bool(np.allclose(w.T @ w, 4.0 * np.eye(128), atol=1e-4))
    True
    >>> k = ti.orthogonal((64, 32, 3, 3), seed=0)           # torch conv weight
    >>> m = k.reshape(64, -1)                                # (64, 288): rows orthonormal
    >>> bool(np.allclose(m @ m.T, np.eye(64), atol=1e-5))
    True
    """
    full = normalize_shape(shape)
    if len(full) < 2:
        raise ValueError(
            f"shape: Only tensors with 2 or more dimensions are supported, got shape {full}"
        )
    dt, code = normalize_dtype(dtype)
    check_size(full, dt.itemsize)
    rows, cols, ax = _matrix(full, layout, column_axis)
    if not isinstance(method, str) or method not in _METHODS:
        raise ValueError(f"method: expected 'qr' or 'svd', got {method!r}")
    g = real(gain, "gain")
    if not math.isfinite(g):
        raise ValueError(f"gain: must be finite, got {g!r}")
    if out is not None:
        check_exact_out(out, dt, full)
    k0, k1 = philox_key(seed, stream)
    moved = ax != len(full) - 1
    if out is not None and not moved:
        target = out
    else:
        try:
            target = np.empty(full[:ax] + full[ax + 1 :] + (full[ax],) if moved else full, dtype=dt)
        except MemoryError:
            raise MemoryError(
                f"shape: cannot allocate {math.prod(full) * dt.itemsize} bytes"
            ) from None
    if rows and cols:
        _core.orthogonal(target, code, rows, cols, k0, k1, 0, g, _METHODS[method])
    if not moved:
        return target
    result = np.moveaxis(target, -1, ax)
    if out is None:
        return np.ascontiguousarray(result)
    np.copyto(out, result)
    return out


def delta_orthogonal(
    shape: ShapeLike,
    gain: float = 1.0,
    *,
    column_axis: int = -1,
    seed: SeedLike = None,
    stream: StreamLike = 0,
    dtype: DTypeLike = "float32",
    out: np.ndarray | None = None,
) -> np.ndarray:
    """A delta-orthogonal convolution kernel (Xiao et al. 2018), JAX's rule.

    For a kernel of layout ``(*spatial, in, out)`` with 1 to 3 spatial axes
    of sizes ``k_i`` and ``in <= out``:

    .. math:: W[c_1, \\ldots, c_d, :, :] = \\mathrm{gain}\\; Q,\\quad
              c_i = \\lfloor (k_i - 1) / 2 \\rfloor,\\qquad W = 0 \\text{ elsewhere}

    where ``Q`` is ``orthogonal((in, out), gain, layout="jax",
    column_axis=column_axis)`` with the same seed and stream (orthonormal
    rows: ``Q Q^T = I``).  As in ``jax.nn.initializers.delta_orthogonal`` the
    block sits at ``(k - 1) // 2``; PyTorch's ``dirac_`` uses ``k // 2``, so
    the two differ for even kernel sizes.

    Parameters
    ----------
    shape : tuple of ints
        Three to five dimensions, ``(*spatial, in, out)`` with ``in <= out``.
    gain : float
        Finite scale factor.
    column_axis : int
        The column axis of the ``(in, out)`` matrix (``-1``/``1`` or
        ``-2``/``0``), passed to :func:`orthogonal`.
    seed, stream, dtype, out
        As for :func:`orthogonal`.

    Returns
    -------
    ndarray
        A new array of shape ``shape``, or ``out``.

    Examples
    --------
    >>> import numpy as np
    >>> import turboinit as ti
    >>> w = ti.delta_orthogonal((3, 3, 16, 32), seed=0)
    >>> centre = w[1, 1]
    >>> bool(np.allclose(centre @ centre.T, np.eye(16), atol=1e-5))
    True
    >>> bool(np.count_nonzero(w) == np.count_nonzero(centre))  # zero off the centre
    True
    """
    full = normalize_shape(shape)
    if len(full) not in (3, 4, 5):
        raise ValueError(
            f"shape: delta_orthogonal needs a 3-D, 4-D or 5-D shape (*spatial, in, out), got {full}"
        )
    if full[-1] < full[-2]:
        raise ValueError(
            f"shape: in (shape[-2] = {full[-2]}) must be <= out (shape[-1] = {full[-1]})"
        )
    _axis(column_axis, 2, "column_axis")
    dt, _ = normalize_dtype(dtype)
    check_size(full, dt.itemsize)
    if out is not None:
        check_exact_out(out, dt, full)
    q = orthogonal(
        full[-2:], gain, layout="jax", column_axis=column_axis, seed=seed, stream=stream, dtype=dt
    )
    if out is None:
        try:
            out = np.zeros(full, dtype=dt)
        except MemoryError:
            raise MemoryError(
                f"shape: cannot allocate {math.prod(full) * dt.itemsize} bytes"
            ) from None
    else:
        out[...] = 0
    if math.prod(full):
        out[tuple((k - 1) // 2 for k in full[:-2])] = q
    return out
