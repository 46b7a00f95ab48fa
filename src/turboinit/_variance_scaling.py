"""Variance scaling and its presets: He/Kaiming, Glorot/Xavier, LeCun.

Each is one call of the core's ``uniform``, ``normal`` or ``truncated_normal``
with parameters computed from the fans: no extra pass over the output.

The target standard deviation is ``sigma = gain / sqrt(n)`` (``scale = gain^2``),
drawn as

* ``"normal"``:            N(0, sigma^2), untruncated (PyTorch, JAX's "normal");
* ``"truncated_normal"``:  N(0, s^2) cut at +-2 s with s = sigma / 0.87962566103423978,
  so the truncated distribution has standard deviation sigma (Keras, JAX);
* ``"uniform"``:           U(-sqrt(3) sigma, sqrt(3) sigma).

Zero fans: ``n`` is replaced by ``max(1, n)``, as Keras does.  ``n < 1``
happens only when the shape has a zero-size dimension, so this only decides
that such a shape gives an empty array (JAX divides by zero; PyTorch's
``kaiming_*`` warn and leave the empty tensor as it is).
"""

from __future__ import annotations

import math
from typing import Any, Optional

import numpy as np

from ._args import DTypeLike, RegionLike, ShapeLike, normalize_shape, real
from ._distributions import normal, truncated_normal, uniform
from ._fans import AxisLike, calculate_gain, check_layout, check_mode, compute_fans, fan_for_mode
from ._seed import SeedLike, StreamLike

# Standard deviation of N(0, 1) truncated to [-2, 2].
TRUNCATED_STD = 0.87962566103423978
DISTRIBUTIONS = ("truncated_normal", "normal", "untruncated_normal", "uniform")


def _check_distribution(distribution: Any) -> str:
    if not isinstance(distribution, str) or distribution not in DISTRIBUTIONS:
        raise ValueError(
            "distribution: expected one of 'truncated_normal', 'normal' (untruncated), "
            f"'untruncated_normal' (same as 'normal'), 'uniform', got {distribution!r}"
        )
    return "normal" if distribution == "untruncated_normal" else distribution


def _fan(
    shape: ShapeLike,
    mode: Any,
    layout: Any,
    in_axis: AxisLike,
    out_axis: AxisLike,
    batch_axis: AxisLike,
) -> float:
    dims = normalize_shape(shape)
    fans = compute_fans(
        dims, check_layout(layout), in_axis=in_axis, out_axis=out_axis, batch_axis=batch_axis
    )
    return max(1.0, fan_for_mode(fans, check_mode(mode)))


def _gain(value: Any, argname: str) -> float:
    g = real(value, argname)
    if not math.isfinite(g) or g < 0:
        raise ValueError(f"{argname}: must be finite and >= 0, got {g!r}")
    return g


def _draw(
    shape: ShapeLike,
    sigma: float,
    distribution: str,
    seed: SeedLike,
    stream: StreamLike,
    dtype: DTypeLike,
    out: Optional[np.ndarray],
    region: RegionLike,
) -> np.ndarray:
    kw: dict[str, Any] = dict(seed=seed, stream=stream, dtype=dtype, out=out, region=region)
    if distribution == "truncated_normal":
        return truncated_normal(shape, 0.0, sigma / TRUNCATED_STD, -2.0, 2.0, **kw)
    if distribution == "normal":
        return normal(shape, 0.0, sigma, **kw)
    bound = math.sqrt(3.0) * sigma
    return uniform(shape, -bound, bound, **kw)


def variance_scaling(
    shape: ShapeLike,
    scale: float = 1.0,
    mode: str = "fan_in",
    distribution: str = "truncated_normal",
    *,
    layout: str = "torch",
    in_axis: AxisLike = -2,
    out_axis: AxisLike = -1,
    batch_axis: AxisLike = (),
    seed: SeedLike = None,
    stream: StreamLike = 0,
    dtype: DTypeLike = "float32",
    out: Optional[np.ndarray] = None,
    region: RegionLike = None,
) -> np.ndarray:
    """Samples with variance ``scale / n``, ``n`` given by the fans and ``mode``.

    .. math:: \\sigma = \\sqrt{\\mathrm{scale} / \\max(1, n)},\\quad
              n \\in \\{\\mathrm{fan\\_in},\\ \\mathrm{fan\\_out},\\
              (\\mathrm{fan\\_in} + \\mathrm{fan\\_out}) / 2,\\
              \\sqrt{\\mathrm{fan\\_in}\\,\\mathrm{fan\\_out}}\\}

    * ``"truncated_normal"``: N(0, s^2) cut at +-2 s, ``s = sigma / 0.87962566103423978``
      (the truncated distribution has standard deviation sigma);
    * ``"normal"`` (alias ``"untruncated_normal"``): N(0, sigma^2);
    * ``"uniform"``: U(-sqrt(3) sigma, sqrt(3) sigma).

    Reproduces the distribution (not the bits) of

    * Keras ``VarianceScaling(scale, mode, distribution)`` with ``layout="keras"``.
      Keras maps its ``"normal"`` to ``"truncated_normal"``; its
      ``"untruncated_normal"`` is our ``"normal"``.
    * JAX ``variance_scaling(scale, mode, distribution, in_axis, out_axis,
      batch_axis)`` with ``layout="jax"`` and the same axes (JAX's
      ``"normal"`` is untruncated, as ours).
    * PyTorch ``kaiming_normal_(w, a, mode, nonlinearity)`` with
      ``scale=calculate_gain(nonlinearity, a)**2, distribution="normal"``
      (the default ``layout="torch"``).

    ``n = 0`` (only possible with a zero-size dimension) counts as 1, as in
    Keras, so such a shape gives an empty array.

    Parameters
    ----------
    shape : int or tuple of ints
        Shape of the full weight tensor (the fans come from it).
    scale : float
        Finite, ``> 0``.
    mode : {"fan_in", "fan_out", "fan_avg", "fan_geo_avg"}
    distribution : {"truncated_normal", "normal", "untruncated_normal", "uniform"}
    layout : {"torch", "keras", "jax"}
        Fan rules, see :func:`compute_fans`.  The default ``"torch"`` reads a 2-D
        shape as ``(out, in)``; a NumPy weight ``(in, out)`` used as ``x @ W``
        needs ``layout="keras"``, else the fans are swapped.
    in_axis, out_axis, batch_axis : int or sequence of ints
        Only with ``layout="jax"``.
    seed, stream, dtype, out, region
        As for :func:`turboinit.normal`.

    Returns
    -------
    ndarray

    Examples
    --------
    >>> import turboinit as ti
    >>> w = ti.variance_scaling((3, 3, 64, 128), 2.0, "fan_in", layout="keras", seed=0)
    >>> bool(abs(w).max() <= 2 * (2.0 / (9 * 64)) ** 0.5 / 0.87962566103423978)
    True
    """
    n = _fan(shape, mode, layout, in_axis, out_axis, batch_axis)
    dist = _check_distribution(distribution)
    s = real(scale, "scale")
    if not (math.isfinite(s) and s > 0):
        raise ValueError(f"scale: must be finite and > 0, got {s!r}")
    return _draw(shape, math.sqrt(s / n), dist, seed, stream, dtype, out, region)


def kaiming_normal(
    shape: ShapeLike,
    a: float = 0.0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    *,
    truncated: bool = False,
    layout: str = "torch",
    in_axis: AxisLike = -2,
    out_axis: AxisLike = -1,
    batch_axis: AxisLike = (),
    seed: SeedLike = None,
    stream: StreamLike = 0,
    dtype: DTypeLike = "float32",
    out: Optional[np.ndarray] = None,
    region: RegionLike = None,
) -> np.ndarray:
    """He (Kaiming) normal initialisation (He et al., 2015).

    .. math:: \\sigma = \\frac{\\mathrm{gain}}{\\sqrt{\\max(1, n)}},\\quad
              \\mathrm{gain} = \\mathrm{calculate\\_gain}(\\mathrm{nonlinearity}, a)

    ``truncated=False``: N(0, sigma^2).  ``truncated=True``: N(0, s^2) cut at
    +-2 s with ``s = sigma / 0.87962566103423978``.

    Reproduces the distribution of

    * PyTorch ``torch.nn.init.kaiming_normal_(w, a, mode, nonlinearity)`` ==
      ``kaiming_normal(w.shape, a, mode, nonlinearity)`` (the defaults);
    * Keras ``HeNormal()`` == ``kaiming_normal(shape, layout="keras", truncated=True)``;
    * JAX ``he_normal(in_axis, out_axis, batch_axis)`` ==
      ``kaiming_normal(shape, layout="jax", truncated=True, in_axis=..., out_axis=...,
      batch_axis=...)``.

    (With the default ``a=0`` the ``leaky_relu`` gain is sqrt(2), so the Keras
    and JAX variance is 2 / fan_in.)

    Parameters
    ----------
    shape : int or tuple of ints
    a : float
        Negative slope of the rectifier (used by ``"leaky_relu"`` only).
    mode : {"fan_in", "fan_out", "fan_avg", "fan_geo_avg"}
        Case-insensitive; PyTorch accepts fan_in and fan_out.
    nonlinearity : str
        See :func:`calculate_gain`.
    truncated : bool
        Keras/JAX flavour (see above).
    layout, in_axis, out_axis, batch_axis
        Fan rules, see :func:`compute_fans`.  The default ``layout="torch"`` reads a
        2-D shape as ``(out, in)``; pass ``layout="keras"`` for NumPy's ``(in, out)``.
    seed, stream, dtype, out, region
        As for :func:`turboinit.normal`.

    Examples
    --------
    >>> import turboinit as ti
    >>> w = ti.kaiming_normal((512, 256), nonlinearity="relu", seed=0)
    >>> round(float(w.std()) * 256 ** 0.5, 1)  # sqrt(2) = 1.41
    1.4
    """
    n = _fan(shape, mode, layout, in_axis, out_axis, batch_axis)
    gain = calculate_gain(nonlinearity, a)
    sigma = _gain(gain, "a") / math.sqrt(n)
    return _draw(
        shape,
        sigma,
        "truncated_normal" if truncated else "normal",
        seed,
        stream,
        dtype,
        out,
        region,
    )


def kaiming_uniform(
    shape: ShapeLike,
    a: float = 0.0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    *,
    layout: str = "torch",
    in_axis: AxisLike = -2,
    out_axis: AxisLike = -1,
    batch_axis: AxisLike = (),
    seed: SeedLike = None,
    stream: StreamLike = 0,
    dtype: DTypeLike = "float32",
    out: Optional[np.ndarray] = None,
    region: RegionLike = None,
) -> np.ndarray:
    """He (Kaiming) uniform initialisation: U(-bound, bound).

    .. math:: \\mathrm{bound} = \\mathrm{gain}\\,\\sqrt{\\frac{3}{\\max(1, n)}},\\quad
              \\mathrm{gain} = \\mathrm{calculate\\_gain}(\\mathrm{nonlinearity}, a)

    Reproduces the distribution of

    * PyTorch ``torch.nn.init.kaiming_uniform_(w, a, mode, nonlinearity)`` ==
      ``kaiming_uniform(w.shape, a, mode, nonlinearity)``; PyTorch's default
      ``nn.Linear``/``nn.ConvNd`` weight is ``kaiming_uniform(w.shape, a=math.sqrt(5))``,
      i.e. U(-1/sqrt(fan_in), 1/sqrt(fan_in));
    * Keras ``HeUniform()`` == ``kaiming_uniform(shape, layout="keras")``;
    * JAX ``he_uniform(in_axis, out_axis, batch_axis)`` ==
      ``kaiming_uniform(shape, layout="jax", in_axis=..., out_axis=..., batch_axis=...)``.

    Parameters are those of :func:`kaiming_normal` (without ``truncated``).

    Examples
    --------
    >>> import math, turboinit as ti
    >>> w = ti.kaiming_uniform((128, 64), a=math.sqrt(5), seed=0)  # nn.Linear(64, 128)
    >>> bool(abs(w).max() < 1 / 8)
    True
    """
    n = _fan(shape, mode, layout, in_axis, out_axis, batch_axis)
    gain = calculate_gain(nonlinearity, a)
    sigma = _gain(gain, "a") / math.sqrt(n)
    return _draw(shape, sigma, "uniform", seed, stream, dtype, out, region)


def xavier_normal(
    shape: ShapeLike,
    gain: float = 1.0,
    *,
    truncated: bool = False,
    layout: str = "torch",
    in_axis: AxisLike = -2,
    out_axis: AxisLike = -1,
    batch_axis: AxisLike = (),
    seed: SeedLike = None,
    stream: StreamLike = 0,
    dtype: DTypeLike = "float32",
    out: Optional[np.ndarray] = None,
    region: RegionLike = None,
) -> np.ndarray:
    """Glorot (Xavier) normal initialisation (Glorot & Bengio, 2010).

    .. math:: \\sigma = \\mathrm{gain}\\,
              \\sqrt{\\frac{2}{\\max(2, \\mathrm{fan\\_in} + \\mathrm{fan\\_out})}}

    ``truncated=False``: N(0, sigma^2).  ``truncated=True``: N(0, s^2) cut at
    +-2 s with ``s = sigma / 0.87962566103423978``.

    Reproduces the distribution of

    * PyTorch ``torch.nn.init.xavier_normal_(w, gain)`` == ``xavier_normal(w.shape, gain)``;
    * Keras ``GlorotNormal()`` == ``xavier_normal(shape, layout="keras", truncated=True)``;
    * JAX ``glorot_normal(in_axis, out_axis, batch_axis)`` ==
      ``xavier_normal(shape, layout="jax", truncated=True, in_axis=..., out_axis=...,
      batch_axis=...)``.

    Parameters
    ----------
    shape : int or tuple of ints
    gain : float
        Finite, ``>= 0``.
    truncated : bool
    layout, in_axis, out_axis, batch_axis
        Fan rules, see :func:`compute_fans`.  The default ``layout="torch"`` reads a
        2-D shape as ``(out, in)``; pass ``layout="keras"`` for NumPy's ``(in, out)``.
    seed, stream, dtype, out, region
        As for :func:`turboinit.normal`.

    Examples
    --------
    >>> import turboinit as ti
    >>> w = ti.xavier_normal((300, 100), seed=0)
    >>> round(float(w.std()) ** 2 * 200, 1)  # variance 2 / (fan_in + fan_out)
    1.0
    """
    n = _fan(shape, "fan_avg", layout, in_axis, out_axis, batch_axis)
    sigma = _gain(gain, "gain") / math.sqrt(n)
    return _draw(
        shape,
        sigma,
        "truncated_normal" if truncated else "normal",
        seed,
        stream,
        dtype,
        out,
        region,
    )


def xavier_uniform(
    shape: ShapeLike,
    gain: float = 1.0,
    *,
    layout: str = "torch",
    in_axis: AxisLike = -2,
    out_axis: AxisLike = -1,
    batch_axis: AxisLike = (),
    seed: SeedLike = None,
    stream: StreamLike = 0,
    dtype: DTypeLike = "float32",
    out: Optional[np.ndarray] = None,
    region: RegionLike = None,
) -> np.ndarray:
    """Glorot (Xavier) uniform initialisation: U(-bound, bound).

    .. math:: \\mathrm{bound} = \\mathrm{gain}\\,
              \\sqrt{\\frac{6}{\\max(2, \\mathrm{fan\\_in} + \\mathrm{fan\\_out})}}

    Reproduces the distribution of

    * PyTorch ``torch.nn.init.xavier_uniform_(w, gain)`` == ``xavier_uniform(w.shape, gain)``;
    * Keras ``GlorotUniform()`` == ``xavier_uniform(shape, layout="keras")``;
    * JAX ``glorot_uniform(in_axis, out_axis, batch_axis)`` ==
      ``xavier_uniform(shape, layout="jax", in_axis=..., out_axis=..., batch_axis=...)``.

    Parameters are those of :func:`xavier_normal` (without ``truncated``).

    Examples
    --------
    >>> import turboinit as ti
    >>> w = ti.xavier_uniform((300, 100), seed=0)
    >>> bool(abs(w).max() < (6 / 400) ** 0.5)
    True
    """
    n = _fan(shape, "fan_avg", layout, in_axis, out_axis, batch_axis)
    sigma = _gain(gain, "gain") / math.sqrt(n)
    return _draw(shape, sigma, "uniform", seed, stream, dtype, out, region)


def lecun_normal(
    shape: ShapeLike,
    *,
    truncated: bool = False,
    layout: str = "torch",
    in_axis: AxisLike = -2,
    out_axis: AxisLike = -1,
    batch_axis: AxisLike = (),
    seed: SeedLike = None,
    stream: StreamLike = 0,
    dtype: DTypeLike = "float32",
    out: Optional[np.ndarray] = None,
    region: RegionLike = None,
) -> np.ndarray:
    """LeCun normal initialisation (LeCun et al., 1998; the SELU paper's choice).

    .. math:: \\sigma = \\frac{1}{\\sqrt{\\max(1, \\mathrm{fan\\_in})}}

    ``truncated=False``: N(0, sigma^2).  ``truncated=True``: N(0, s^2) cut at
    +-2 s with ``s = sigma / 0.87962566103423978``.

    Reproduces the distribution of

    * PyTorch ``torch.nn.init.kaiming_normal_(w, nonlinearity="linear")`` ==
      ``lecun_normal(w.shape)`` (PyTorch has no lecun initializer);
    * Keras ``LecunNormal()`` == ``lecun_normal(shape, layout="keras", truncated=True)``;
    * JAX ``lecun_normal(in_axis, out_axis, batch_axis)`` ==
      ``lecun_normal(shape, layout="jax", truncated=True, in_axis=..., out_axis=...,
      batch_axis=...)``.

    Parameters are those of :func:`xavier_normal` (without ``gain``).

    Examples
    --------
    >>> import turboinit as ti
    >>> w = ti.lecun_normal((3, 3, 100, 64), layout="keras", truncated=True, seed=0)
    >>> round(float(w.std()) ** 2 * 900, 1)
    1.0
    """
    n = _fan(shape, "fan_in", layout, in_axis, out_axis, batch_axis)
    return _draw(
        shape,
        1.0 / math.sqrt(n),
        "truncated_normal" if truncated else "normal",
        seed,
        stream,
        dtype,
        out,
        region,
    )


def lecun_uniform(
    shape: ShapeLike,
    *,
    layout: str = "torch",
    in_axis: AxisLike = -2,
    out_axis: AxisLike = -1,
    batch_axis: AxisLike = (),
    seed: SeedLike = None,
    stream: StreamLike = 0,
    dtype: DTypeLike = "float32",
    out: Optional[np.ndarray] = None,
    region: RegionLike = None,
) -> np.ndarray:
    """LeCun uniform initialisation: U(-bound, bound).

    .. math:: \\mathrm{bound} = \\sqrt{\\frac{3}{\\max(1, \\mathrm{fan\\_in})}}

    Reproduces the distribution of

    * PyTorch ``torch.nn.init.kaiming_uniform_(w, nonlinearity="linear")`` ==
      ``lecun_uniform(w.shape)``;
    * Keras ``LecunUniform()`` == ``lecun_uniform(shape, layout="keras")``;
    * JAX ``lecun_uniform(in_axis, out_axis, batch_axis)`` ==
      ``lecun_uniform(shape, layout="jax", in_axis=..., out_axis=..., batch_axis=...)``.

    Examples
    --------
    >>> import turboinit as ti
    >>> w = ti.lecun_uniform((64, 27), seed=0)
    >>> bool(abs(w).max() < (3 / 27) ** 0.5)
    True
    """
    n = _fan(shape, "fan_in", layout, in_axis, out_axis, batch_axis)
    return _draw(shape, 1.0 / math.sqrt(n), "uniform", seed, stream, dtype, out, region)


he_normal = kaiming_normal
he_uniform = kaiming_uniform
glorot_normal = xavier_normal
glorot_uniform = xavier_uniform
