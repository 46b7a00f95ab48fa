"""Sparse initialisation: PyTorch's ``sparse_`` and Martens's (2010) scheme."""

from __future__ import annotations

import math
from typing import Optional

import numpy as np

from . import _core
from ._args import DTypeLike, RegionLike, ShapeLike, integer, prepare_target, real
from ._seed import SeedLike, StreamLike, philox_key

_ZEROS_PER_COLUMN = _core.SPARSE_MODES["zeros_per_column"]
_NONZEROS_PER_ROW = _core.SPARSE_MODES["nonzeros_per_row"]


def sparse(
    shape: ShapeLike,
    sparsity: float = 0.1,
    std: float = 0.01,
    *,
    nonzero_per_unit: Optional[int] = None,
    seed: SeedLike = None,
    stream: StreamLike = 0,
    dtype: DTypeLike = "float32",
    out: Optional[np.ndarray] = None,
    region: RegionLike = None,
) -> np.ndarray:
    """A sparse 2-D weight matrix in PyTorch's ``(out, in)`` layout.

    Two modes, both with non-zero values N(0, std^2):

    * PyTorch (``nonzero_per_unit=None``), ``torch.nn.init.sparse_(w, sparsity, std)``:
      in every column (input unit) exactly ``ceil(sparsity * rows)`` entries
      are zero, the others are N(0, std^2).
    * Martens (``nonzero_per_unit=k``, Martens 2010 used k = 15): every row
      (output unit) has exactly ``k`` non-zero incoming weights, N(0, std^2),
      at random columns; the rest of the row is zero.  ``sparsity`` is then
      ignored (but still validated).  Requires ``k <= cols``.

    .. math:: w_{ij} = m_{ij}\\, z_{ij},\\quad
              z = \\mathrm{normal}(\\mathrm{shape}, 0, \\mathrm{std}),\\quad
              m_{ij} \\in \\{0, 1\\}

    The values ``z`` are exactly ``turboinit.normal(shape, 0.0, std)`` with the
    same ``seed``, ``stream`` and ``dtype``, so the result equals
    ``numpy.where(mask, normal(...), 0)`` bit for bit.  Each unit's positions
    are a random subset named by the unit's index: in units of at most 64
    positions a uniformly random one (Floyd's algorithm on unbiased integers
    from Philox counters), in larger units the positions ``p`` with
    ``pi(p) < k`` for a pseudo-random permutation ``pi`` keyed by Philox (an
    8-round Feistel network), so whether one position is chosen is known
    without the rest of the unit.  The result depends only on ``(seed,
    stream, shape, sparsity or k, std, dtype)``, never on the thread count,
    and a region costs in proportion to its size.  (Positions: counters
    ``(unit, draw, 0x53505253)``, see ``docs/counter_layout.md``.)

    Parameters
    ----------
    shape : (int, int)
        ``(rows, cols)`` = ``(out_features, in_features)``.
    sparsity : float
        Fraction of each column set to zero, in ``[0, 1]``.
    std : float
        Standard deviation of the non-zero values (finite, ``>= 0``).
    nonzero_per_unit : int, optional
        Martens mode: non-zero weights per row, ``0 <= k <= cols``.
    seed, stream, dtype, out, region
        As for :func:`turboinit.normal`: ``region`` gives that part of the
        whole matrix bit for bit, at a cost in proportion to the region.

    Returns
    -------
    ndarray

    Examples
    --------
    >>> import turboinit as ti
    >>> w = ti.sparse((10, 4), sparsity=0.3, seed=0)
    >>> (w == 0).sum(axis=0).tolist()
    [3, 3, 3, 3]
    >>> w = ti.sparse((4, 100), nonzero_per_unit=15, std=1.0, seed=0)
    >>> (w != 0).sum(axis=1).tolist()
    [15, 15, 15, 15]
    """
    t = prepare_target(shape, dtype, out, region)
    if len(t.shape) != 2:
        raise ValueError(f"shape: only 2-dimensional shapes are supported, got {t.shape}")
    rows, cols = t.shape
    s = real(sparsity, "sparsity")
    if not 0.0 <= s <= 1.0:
        raise ValueError(f"sparsity: must lie in [0, 1], got {s!r}")
    sd = real(std, "std")
    if not (math.isfinite(sd) and sd >= 0):
        raise ValueError(f"std: must be finite and >= 0, got {sd!r}")
    if nonzero_per_unit is None:
        mode, count = _ZEROS_PER_COLUMN, math.ceil(s * rows)
    else:
        count = integer(nonzero_per_unit, "nonzero_per_unit", expected="an int or None")
        if not 0 <= count <= cols:
            raise ValueError(
                f"nonzero_per_unit: must lie in [0, cols] = [0, {cols}] for shape {t.shape}, "
                f"got {count}"
            )
        mode = _NONZEROS_PER_ROW
    k0, k1 = philox_key(seed, stream)
    _core.sparse(t.out, t.code, t.shape, t.start, t.extent, k0, k1, 0, sd, mode, count)
    return t.out
