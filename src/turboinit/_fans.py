"""Gains of nonlinearities and fans of weight shapes, by the rules of PyTorch,
Keras and JAX (see ``REFERENCE.md``: "Gains" and "Fan rules")."""

from __future__ import annotations

import math
import numbers
import operator
from collections.abc import Sequence
from typing import Any, Optional, Union

import numpy as np

from ._args import ShapeLike, is_shape_sequence, normalize_shape, real

AxisLike = Union[int, Sequence[int]]

LAYOUTS = ("torch", "keras", "jax")
MODES = ("fan_in", "fan_out", "fan_avg", "fan_geo_avg")

_LINEAR = (
    "linear",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
)
NONLINEARITIES = _LINEAR + ("sigmoid", "tanh", "relu", "leaky_relu", "selu")


def calculate_gain(nonlinearity: str, param: Optional[float] = None) -> float:
    """The recommended gain for a nonlinearity: PyTorch's ``calculate_gain``.

    ============================================  =====================================
    nonlinearity                                  gain
    ============================================  =====================================
    linear, conv{1,2,3}d, conv_transpose{1,2,3}d  1
    sigmoid                                       1
    tanh                                          5/3
    relu                                          sqrt(2)
    leaky_relu                                    sqrt(2 / (1 + negative_slope^2))
    selu                                          3/4
    ============================================  =====================================

    ``param`` is the negative slope of ``leaky_relu`` (0.01 when ``None``) and
    is ignored for the others.  Names are case-sensitive, as in PyTorch.

    Parameters
    ----------
    nonlinearity : str
        One of the names above.
    param : float, optional
        The negative slope of ``leaky_relu``.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        ``"Unsupported nonlinearity ..."`` for any other name, and
        ``"negative_slope ... not a valid number"`` when the ``leaky_relu``
        parameter is a bool or not a real number (PyTorch's messages).
        Unlike PyTorch, NumPy real scalars (e.g. ``numpy.float32``) are accepted.

    Examples
    --------
    >>> import turboinit as ti
    >>> ti.calculate_gain("relu") == 2 ** 0.5
    True
    >>> round(ti.calculate_gain("leaky_relu", 0.2), 4)
    1.3868
    """
    if not isinstance(nonlinearity, str) or nonlinearity not in NONLINEARITIES:
        accepted = ", ".join(repr(n) for n in NONLINEARITIES)
        raise ValueError(f"Unsupported nonlinearity {nonlinearity!r}; expected one of {accepted}")
    if nonlinearity in _LINEAR or nonlinearity == "sigmoid":
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif (
            type(param) is float
            or type(param) is int
            or (isinstance(param, numbers.Real) and not isinstance(param, (bool, np.bool_)))
        ):
            slope = real(param, "negative_slope")
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + slope**2))
    return 3.0 / 4  # selu


def compute_fans(
    shape: ShapeLike,
    layout: str = "torch",
    *,
    in_axis: AxisLike = -2,
    out_axis: AxisLike = -1,
    batch_axis: AxisLike = (),
) -> tuple[int, int]:
    """``(fan_in, fan_out)`` of a weight shape, by one framework's rules.

    ========  ======================  ==========================  ===========================
    layout    weight layout           fan_in                      fan_out
    ========  ======================  ==========================  ===========================
    "torch"   ``(out, in, *kernel)``  shape[1] * prod(kernel)     shape[0] * prod(kernel)
    "keras"   ``(*kernel, in, out)``  shape[-2] * prod(kernel)    shape[-1] * prod(kernel)
    "jax"     explicit axes           prod(in axes) * rf          prod(out axes) * rf
    ========  ======================  ==========================  ===========================

    * ``"torch"`` is ``torch.nn.init._calculate_fan_in_and_fan_out``: rank < 2
      raises ``ValueError``.  A grouped convolution's weight is
      ``(out, in / groups, *kernel)``; like PyTorch, ``fan_out`` ignores the
      groups (too large for depthwise convolutions).
    * ``"keras"`` is ``keras.src.initializers.random_initializers.compute_fans``
      (also Haiku/Flax's default): rank 0 gives ``(1, 1)``, rank 1 ``(n, n)``,
      rank 2 ``(shape[0], shape[1])``.
    * ``"jax"`` is ``jax.nn.initializers`` (``_compute_fans``): ``in_axis``,
      ``out_axis`` and ``batch_axis`` are axes or sequences of axes; the
      receptive field ``rf`` is the product of all other axes, and batch axes
      count in neither fan.  Rank < 2 raises ``ValueError``, as in JAX.  The
      fans are the same numbers as JAX's (which computes ``rf`` by dividing
      the total size, in floating point), returned as ints; with a zero-size
      in/out/batch axis JAX divides by zero, we return the products.
      Overlapping or out-of-range axes raise ``ValueError``.

    **A 2-D shape without** ``layout=`` **is read as torch's** ``(out, in)``:
    ``torch.nn.Linear.weight``, applied as ``x @ W.T``.  NumPy code that stores a
    dense layer's weight as ``(in, out)`` and applies it as ``x @ W`` must pass
    ``layout="keras"`` (or ``"jax"``); otherwise fan_in and fan_out are swapped,
    silently, and every ``mode="fan_in"`` initializer gets the wrong scale.

    Parameters
    ----------
    shape : int or tuple of ints
    layout : {"torch", "keras", "jax"}
        ``"torch"`` (default): ``(out, in, *kernel)``.  ``"keras"``:
        ``(*kernel, in, out)``, also NumPy's ``(in, out)`` for ``x @ W``.
    in_axis, out_axis, batch_axis : int or sequence of ints
        Only for ``layout="jax"`` (defaults -2, -1, ()).

    Returns
    -------
    (int, int)
        ``fan_in, fan_out``.

    Examples
    --------
    >>> import turboinit as ti
    >>> ti.compute_fans((256, 784))                      # torch Linear(784, 256): (out, in)
    (784, 256)
    >>> ti.compute_fans((784, 256), layout="keras")      # NumPy, x @ W: (in, out)
    (784, 256)
    >>> ti.compute_fans((64, 32, 3, 3))                  # torch Conv2d(32, 64, 3)
    (288, 576)
    >>> ti.compute_fans((3, 3, 32, 64), layout="keras")  # keras Conv2D(64, 3)
    (288, 576)
    >>> ti.compute_fans((8, 3, 3, 32, 64), layout="jax", batch_axis=0)
    (288, 576)
    """
    dims = normalize_shape(shape)
    layout = check_layout(layout)
    if layout != "jax":
        defaults = _axes(in_axis, "in_axis") == (-2,) and _axes(out_axis, "out_axis") == (-1,)
        if not defaults or _axes(batch_axis, "batch_axis"):
            raise ValueError(
                "in_axis, out_axis, batch_axis: apply only to layout='jax'; "
                f"layout={layout!r} fixes the axes"
            )
    if layout == "torch":
        if len(dims) < 2:
            raise ValueError(
                "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions"
            )
        rf = math.prod(dims[2:])
        return dims[1] * rf, dims[0] * rf
    if layout == "keras":
        if len(dims) == 0:
            return 1, 1
        if len(dims) == 1:
            return dims[0], dims[0]
        rf = math.prod(dims[:-2])
        return dims[-2] * rf, dims[-1] * rf
    return _jax_fans(dims, in_axis, out_axis, batch_axis)


def _jax_fans(
    dims: tuple[int, ...], in_axis: AxisLike, out_axis: AxisLike, batch_axis: AxisLike
) -> tuple[int, int]:
    rank = len(dims)
    if rank <= 1:
        raise ValueError(
            f"shape: can't compute input and output sizes of a {rank}-dimensional "
            "weights tensor with layout='jax'; must be at least 2D"
        )
    groups = {}
    for name, value in (("in_axis", in_axis), ("out_axis", out_axis), ("batch_axis", batch_axis)):
        axes = []
        for a in _axes(value, name):
            if not -rank <= a < rank:
                raise ValueError(f"{name}: axis {a} is out of range for a {rank}-dimensional shape")
            axes.append(a % rank)
        if len(set(axes)) != len(axes):
            raise ValueError(f"{name}: repeats an axis ({value!r})")
        groups[name] = axes
    if not groups["in_axis"] or not groups["out_axis"]:
        raise ValueError("in_axis, out_axis: need at least one axis each")
    used = groups["in_axis"] + groups["out_axis"] + groups["batch_axis"]
    if len(set(used)) != len(used):
        raise ValueError(
            f"in_axis, out_axis, batch_axis: must name different axes, got in_axis={in_axis!r}, "
            f"out_axis={out_axis!r}, batch_axis={batch_axis!r}"
        )
    rf = math.prod(d for i, d in enumerate(dims) if i not in used)
    in_size = math.prod(dims[i] for i in groups["in_axis"])
    out_size = math.prod(dims[i] for i in groups["out_axis"])
    return in_size * rf, out_size * rf


def _axes(value: Any, name: str) -> tuple[int, ...]:
    if type(value) is int:  # the defaults (-2, -1) first: no ABC checks
        return (value,)
    if type(value) is tuple and all(type(a) is int for a in value):  # () included
        return value
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name}: expected an int or a sequence of ints, got bool")
    try:
        return (operator.index(value),)
    except TypeError:
        pass
    if not is_shape_sequence(value):  # not a dict or set: their order is not the axes'
        raise TypeError(
            f"{name}: expected an int or a sequence of ints, got {type(value).__name__}"
        )
    out = []
    for a in value:
        if isinstance(a, (bool, np.bool_)):
            raise TypeError(f"{name}: axes must be ints, got bool")
        try:
            out.append(operator.index(a))
        except TypeError:
            raise TypeError(f"{name}: axes must be ints, got {type(a).__name__}") from None
    return tuple(out)


def check_layout(layout: Any) -> str:
    if not isinstance(layout, str) or layout not in LAYOUTS:
        raise ValueError(f"layout: expected one of 'torch', 'keras', 'jax', got {layout!r}")
    return layout


def check_mode(mode: Any) -> str:
    m = mode.lower() if isinstance(mode, str) else mode
    if m not in MODES:
        raise ValueError(
            f"mode: expected one of 'fan_in', 'fan_out', 'fan_avg', 'fan_geo_avg', got {mode!r}"
        )
    return str(m)


def fan_for_mode(fans: tuple[int, int], mode: str) -> float:
    """The ``n`` of a mode: fan_in, fan_out, (fan_in + fan_out) / 2 or sqrt(fan_in * fan_out)."""
    fan_in, fan_out = fans
    if mode == "fan_in":
        return float(fan_in)
    if mode == "fan_out":
        return float(fan_out)
    if mode == "fan_avg":
        return (fan_in + fan_out) / 2.0
    return math.sqrt(fan_in * fan_out)
