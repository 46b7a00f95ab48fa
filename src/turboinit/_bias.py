"""Bias initialisers: a small positive constant for ReLU layers, and the
output layer's bias from the marginal statistics of the training targets."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from ._args import DTypeLike, RegionLike, ShapeLike, integer, normalize_dtype, real
from ._fills import constant
from ._seed import SeedLike, StreamLike

TASKS = ("regression", "binary", "multiclass")


def relu_bias(
    shape: ShapeLike,
    value: float = 0.001,
    *,
    seed: SeedLike = None,
    stream: StreamLike = 0,
    dtype: DTypeLike = "float32",
    out: Optional[np.ndarray] = None,
    region: RegionLike = None,
) -> np.ndarray:
    """A small positive constant bias, so that every ReLU unit starts active.

    .. math:: b_i = \\mathrm{value}\\quad(\\text{default } 10^{-3})

    With zero-mean weights a ReLU unit's pre-activation is positive for about
    half the inputs; a small positive bias keeps units from starting dead
    without shifting the activations noticeably.  Same as
    :func:`constant` with ``value``, which must be finite (and is normally
    ``> 0``; any finite value is accepted).

    Parameters
    ----------
    shape : int or tuple of ints
    value : float
    seed, stream
        Accepted for a uniform signature; ignored.
    dtype, out, region
        As for :func:`turboinit.normal`.

    Examples
    --------
    >>> import turboinit as ti
    >>> ti.relu_bias(3, dtype="float64").tolist()
    [0.001, 0.001, 0.001]
    """
    return constant(shape, value, seed=seed, stream=stream, dtype=dtype, out=out, region=region)


def _finite_array(targets: Any) -> np.ndarray:
    try:
        y = np.asarray(targets)
    except Exception as e:  # ragged lists and the like
        raise ValueError(f"targets: cannot be read as an array ({e})") from None
    if y.dtype == object or y.dtype.kind not in "biuf":
        raise TypeError(f"targets: expected real numbers, got an array of dtype {y.dtype}")
    if y.ndim not in (1, 2):
        raise ValueError(
            f"targets: expected a 1-D or 2-D array (samples first), got shape {y.shape}"
        )
    if y.shape[0] == 0:
        raise ValueError("targets: empty; the bias needs at least one training target")
    if y.dtype.kind == "f" and not np.isfinite(y).all():
        raise ValueError("targets: contain NaN or infinity")
    return y


def _logit(p: np.ndarray) -> np.ndarray:
    logit: np.ndarray = np.log(p) - np.log1p(-p)
    return logit


def output_bias(
    targets: Any,
    task: str = "regression",
    *,
    num_classes: Optional[int] = None,
    eps: float = 1e-7,
    dtype: DTypeLike = "float32",
) -> np.ndarray:
    """The output layer's bias from the training targets' marginal statistics.

    At the start the network then predicts the best constant, so the first
    steps do not spend themselves learning the bias (Karpathy's "init well").

    * ``"regression"``: the mean of each output column,
      :math:`b_j = \\frac1N \\sum_i y_{ij}` (pairs with the squared error).
    * ``"binary"``: the logit of the positive rate of each column,
      :math:`b_j = \\log\\frac{p_j}{1 - p_j}`,
      :math:`p_j = \\mathrm{clip}(\\bar y_j, \\epsilon, 1 - \\epsilon)`
      (pairs with a sigmoid and binary cross-entropy; soft labels in [0, 1]
      are accepted).
    * ``"multiclass"``: the log class priors,
      :math:`b_c = \\log \\max(\\epsilon, n_c / N)` (pairs with a softmax; with no
      empty class, ``softmax(b)`` is exactly the class frequencies).

    Parameters
    ----------
    targets : array_like
        ``"regression"``/``"binary"``: shape ``(N,)`` (one output) or
        ``(N, outputs)``.  ``"multiclass"``: integer labels of shape ``(N,)``
        in ``[0, num_classes)``, or one-hot rows of shape ``(N, num_classes)``.
    task : {"regression", "binary", "multiclass"}
    num_classes : int, optional
        ``"multiclass"`` only: the number of classes (default: the largest
        label + 1, or the one-hot width).
    eps : float
        Rates are clipped to ``[eps, 1 - eps]``; ``0 < eps < 0.5``.
    dtype : {"float32", "float64", "float16", "bfloat16"}

    Returns
    -------
    ndarray
        Shape ``(outputs,)``: ``(1,)`` for 1-D regression/binary targets,
        ``(num_classes,)`` for multi-class.  Computed in float64, rounded once.

    Raises
    ------
    ValueError
        Empty targets, NaN/infinite targets, binary targets outside [0, 1],
        negative, non-integer or out-of-range class labels, invalid one-hot
        rows, an unknown ``task``.

    Examples
    --------
    >>> import turboinit as ti
    >>> ti.output_bias([1.0, 2.0, 6.0]).tolist()
    [3.0]
    >>> round(float(ti.output_bias([0, 0, 0, 1], "binary")[0]), 4)  # log(1/3)
    -1.0986
    >>> ti.output_bias([0, 1, 1, 1], "multiclass", dtype="float64").round(4).tolist()
    [-1.3863, -0.2877]
    """
    if not isinstance(task, str) or task not in TASKS:
        raise ValueError(
            f"task: expected one of 'regression', 'binary', 'multiclass', got {task!r}"
        )
    e = real(eps, "eps")
    if not 0.0 < e < 0.5:
        raise ValueError(f"eps: must lie in (0, 0.5), got {e!r}")
    dt, _ = normalize_dtype(dtype)
    if num_classes is not None and task != "multiclass":
        raise ValueError("num_classes: only applies to task='multiclass'")
    y = _finite_array(targets)
    if task == "regression":
        with np.errstate(over="ignore"):
            b = np.mean(y, axis=0, dtype=np.float64)
        if not np.isfinite(b).all():
            raise ValueError("targets: their mean overflows float64")
    elif task == "binary":
        if y.min() < 0 or y.max() > 1:
            raise ValueError(
                f"targets: binary targets must lie in [0, 1], got values in [{y.min()}, {y.max()}]"
            )
        p = np.clip(np.mean(y, axis=0, dtype=np.float64), e, 1.0 - e)
        b = _logit(p)
    else:
        counts = _class_counts(y, num_classes)
        b = np.log(np.maximum(counts / y.shape[0], e))
    b = np.atleast_1d(b)
    with np.errstate(over="ignore"):
        result = b.astype(dt)
    if not np.isfinite(result.astype(np.float64)).all():
        raise OverflowError(f"targets: the bias overflows {dt.name}")
    return result


def _class_counts(y: np.ndarray, num_classes: Optional[int]) -> np.ndarray:
    n_cls: Optional[int] = None
    if num_classes is not None:
        n_cls = integer(num_classes, "num_classes", minimum=1)
    if y.ndim == 2:
        if n_cls is not None and y.shape[1] != n_cls:
            raise ValueError(
                f"targets: one-hot rows have {y.shape[1]} columns but num_classes={n_cls}"
            )
        if y.shape[1] == 0 or not (((y == 0) | (y == 1)).all() and (y.sum(axis=1) == 1).all()):
            raise ValueError(
                "targets: 2-D multi-class targets must be one-hot rows (one 1 per row)"
            )
        return np.asarray(y.sum(axis=0), dtype=np.float64)
    if y.dtype.kind == "b":
        raise TypeError("targets: multi-class labels must be integers, got bool")
    if y.dtype.kind == "f":
        if not (y == np.round(y)).all():
            raise ValueError("targets: multi-class labels must be integers")
    if y.min() < 0:
        raise ValueError(f"targets: class labels must be >= 0, got {y.min()}")
    top = int(y.max())
    if n_cls is None:
        n_cls = top + 1
    elif top >= n_cls:
        raise ValueError(f"targets: label {top} is out of range for num_classes={n_cls}")
    if n_cls > 2**31:
        raise ValueError(f"targets: {n_cls} classes is more than supported (2**31)")
    return np.bincount(y.astype(np.int64), minlength=n_cls).astype(np.float64)
