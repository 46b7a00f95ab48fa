"""``keras.initializers``' classes, filled by turboinit.

Same constructor arguments, defaults, validation and ``get_config`` keys as
Keras 3 (plus the keyword-only ``stream``); the values come from the turboinit
function named in each docstring, so they are the same bits as that call with
the same ``(seed, stream, shape, dtype)``.
"""

from __future__ import annotations

import math
import numbers
from typing import Any, Callable, Optional

import keras
import numpy as np

import turboinit as _ti

from .._args import normalize_dtype
from .._host_buffer import empty_host
from .._seed import StreamLike
from ._seeding import call_seed, call_stream, check_stream, resolve_seed

_FLOATS = ("float32", "float64", "float16", "bfloat16")
_register = keras.saving.register_keras_serializable(package="turboinit")


def _dtype(dtype: Any) -> str:
    name = str(keras.backend.standardize_dtype(keras.config.floatx() if dtype is None else dtype))
    return name


def _float_dtype(dtype: Any) -> str:
    name = _dtype(dtype)
    if name not in _FLOATS:
        raise ValueError(
            f"dtype: turboinit.keras draws float32, float64, float16 or bfloat16, got {name}"
        )
    return name


def _target(shape: tuple[int, ...], dtype: str) -> Optional[np.ndarray]:
    """Where to draw: on the jax and torch backends a host buffer that ``_tensor`` hands
    over without a copy (64-byte aligned, small pages: see ``turboinit._host_buffer``);
    elsewhere None (a new array)."""
    if keras.backend.backend() not in ("jax", "torch"):
        return None
    return empty_host(shape, normalize_dtype(dtype)[0])


def _tensor(array: np.ndarray, dtype: str) -> Any:
    """A tensor of the active backend (on its default device)."""
    if keras.backend.backend() == "jax":
        import jax

        return jax.device_put(array)
    if dtype == "bfloat16":
        # Not every backend reads ml_dtypes' bfloat16; float32 holds it exactly.
        array = array.astype(np.float32)
    return keras.ops.convert_to_tensor(array, dtype=dtype)


class _Random(keras.initializers.Initializer):  # type: ignore[misc]
    """Seed and stream handling shared by the random initializers."""

    def __init__(self, seed: Any = None, *, stream: Optional[StreamLike] = None) -> None:
        self._init_seed = seed
        self.seed = resolve_seed(seed)
        self.stream = check_stream(stream)

    def _sample(
        self,
        shape: tuple[int, ...],
        dtype: str,
        seed: int,
        stream: StreamLike,
        out: Optional[np.ndarray],
    ) -> np.ndarray:
        raise NotImplementedError

    def __call__(self, shape: Any, dtype: Any = None) -> Any:
        dims = tuple(int(d) for d in shape)
        dt = _float_dtype(dtype)
        stream = call_stream(self.stream)
        out = self._sample(dims, dt, call_seed(self.seed), stream, _target(dims, dt))
        return _tensor(out, dt)

    def get_config(self) -> dict[str, Any]:
        return {
            "seed": keras.saving.serialize_keras_object(self._init_seed),
            "stream": self.stream,
        }


@_register
class RandomNormal(_Random):
    """Keras ``RandomNormal(mean=0.0, stddev=0.05, seed=None)``: N(mean, stddev^2).

    .. math:: x \\sim \\mathcal{N}(\\mathrm{mean}, \\mathrm{stddev}^2)

    The values are :func:`turboinit.normal` ``(shape, mean, stddev)``.

    Examples
    --------
    >>> import keras, turboinit as ti
    >>> from turboinit.keras import RandomNormal
    >>> w = keras.ops.convert_to_numpy(RandomNormal(stddev=0.02, seed=0, stream="w")((4, 5)))
    >>> bool((w == ti.normal((4, 5), 0.0, 0.02, seed=0, stream="w")).all())
    True
    """

    def __init__(
        self,
        mean: float = 0.0,
        stddev: float = 0.05,
        seed: Any = None,
        *,
        stream: Optional[StreamLike] = None,
    ) -> None:
        self.mean = mean
        self.stddev = stddev
        _ti.normal((), mean, stddev, seed=0)  # validates
        super().__init__(seed, stream=stream)

    def _sample(
        self,
        shape: tuple[int, ...],
        dtype: str,
        seed: int,
        stream: StreamLike,
        out: Optional[np.ndarray],
    ) -> np.ndarray:
        return _ti.normal(
            shape, self.mean, self.stddev, seed=seed, stream=stream, dtype=dtype, out=out
        )

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "mean": self.mean, "stddev": self.stddev}


@_register
class TruncatedNormal(_Random):
    """Keras ``TruncatedNormal(mean=0.0, stddev=0.05, seed=None)``: cut at +-2 stddev.

    .. math:: x \\sim \\mathcal{N}(\\mathrm{mean}, \\mathrm{stddev}^2)\\ \\text{on}\\
              [\\mathrm{mean} - 2\\,\\mathrm{stddev}, \\mathrm{mean} + 2\\,\\mathrm{stddev}]

    As in Keras, ``stddev`` is that of the normal before truncation.  The values
    are :func:`turboinit.truncated_normal` ``(shape, mean, stddev, -2.0, 2.0)``.

    Examples
    --------
    >>> import keras
    >>> from turboinit.keras import TruncatedNormal
    >>> w = keras.ops.convert_to_numpy(TruncatedNormal(stddev=1.0, seed=0)((1000,)))
    >>> bool(abs(w).max() <= 2.0)
    True
    """

    def __init__(
        self,
        mean: float = 0.0,
        stddev: float = 0.05,
        seed: Any = None,
        *,
        stream: Optional[StreamLike] = None,
    ) -> None:
        self.mean = mean
        self.stddev = stddev
        _ti.truncated_normal((), mean, stddev, -2.0, 2.0, seed=0)  # validates
        super().__init__(seed, stream=stream)

    def _sample(
        self,
        shape: tuple[int, ...],
        dtype: str,
        seed: int,
        stream: StreamLike,
        out: Optional[np.ndarray],
    ) -> np.ndarray:
        return _ti.truncated_normal(
            shape, self.mean, self.stddev, -2.0, 2.0, seed=seed, stream=stream, dtype=dtype, out=out
        )

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "mean": self.mean, "stddev": self.stddev}


@_register
class RandomUniform(_Random):
    """Keras ``RandomUniform(minval=-0.05, maxval=0.05, seed=None)``: U[minval, maxval).

    .. math:: x \\sim \\mathcal{U}[\\mathrm{minval}, \\mathrm{maxval})

    The values are :func:`turboinit.uniform` ``(shape, minval, maxval)``.

    Examples
    --------
    >>> import keras
    >>> from turboinit.keras import RandomUniform
    >>> w = keras.ops.convert_to_numpy(RandomUniform(0.0, 1.0, seed=0)((1000,)))
    >>> bool((w >= 0).all() and (w < 1).all())
    True
    """

    def __init__(
        self,
        minval: float = -0.05,
        maxval: float = 0.05,
        seed: Any = None,
        *,
        stream: Optional[StreamLike] = None,
    ) -> None:
        self.minval = minval
        self.maxval = maxval
        _ti.uniform((), minval, maxval, seed=0)  # validates
        super().__init__(seed, stream=stream)

    def _sample(
        self,
        shape: tuple[int, ...],
        dtype: str,
        seed: int,
        stream: StreamLike,
        out: Optional[np.ndarray],
    ) -> np.ndarray:
        return _ti.uniform(
            shape, self.minval, self.maxval, seed=seed, stream=stream, dtype=dtype, out=out
        )

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "minval": self.minval, "maxval": self.maxval}


_KERAS_MODES = ("fan_in", "fan_out", "fan_avg")
_KERAS_DISTRIBUTIONS = ("uniform", "truncated_normal", "untruncated_normal")
# Keras's distribution name -> turboinit's
_DISTRIBUTION = {"uniform": "uniform", "truncated_normal": "truncated_normal"}
_DISTRIBUTION["untruncated_normal"] = "normal"


@_register
class VarianceScaling(_Random):
    """Keras ``VarianceScaling(scale=1.0, mode="fan_in", distribution="truncated_normal",
    seed=None, input_axes=None, output_axes=None)``.

    .. math:: \\sigma = \\sqrt{\\mathrm{scale} / \\max(1, n)},\\quad
              n \\in \\{\\mathrm{fan\\_in}, \\mathrm{fan\\_out},
              (\\mathrm{fan\\_in} + \\mathrm{fan\\_out}) / 2\\}

    ``"truncated_normal"`` (and ``"normal"``, which Keras maps to it): N(0, s^2) cut
    at +-2 s, ``s = sigma / 0.87962566103423978``; ``"untruncated_normal"``:
    N(0, sigma^2); ``"uniform"``: U(-sqrt(3) sigma, sqrt(3) sigma).  Fans by Keras's
    rule (``(*kernel, in, out)``), or, when both ``input_axes`` and
    ``output_axes`` are given, the products of those axes (the other axes count
    in neither fan).  The values are :func:`turboinit.variance_scaling` with
    ``layout="keras"`` (or ``layout="jax"`` and those axes, the others as batch axes).

    Examples
    --------
    >>> import keras, turboinit as ti
    >>> from turboinit.keras import VarianceScaling
    >>> init = VarianceScaling(2.0, "fan_in", "untruncated_normal", seed=0, stream="k")
    >>> w = keras.ops.convert_to_numpy(init((3, 3, 8, 16)))
    >>> ref = ti.variance_scaling((3, 3, 8, 16), 2.0, "fan_in", "normal", layout="keras",
    ...                           seed=0, stream="k")
    >>> bool((w == ref).all())
    True
    """

    def __init__(
        self,
        scale: float = 1.0,
        mode: str = "fan_in",
        distribution: str = "truncated_normal",
        seed: Any = None,
        input_axes: Any = None,
        output_axes: Any = None,
        *,
        stream: Optional[StreamLike] = None,
    ) -> None:
        if not isinstance(scale, numbers.Real) or not (math.isfinite(scale) and scale > 0):
            raise ValueError(f"scale: must be a positive float, got {scale!r}")
        if mode not in _KERAS_MODES:
            raise ValueError(f"mode: expected one of 'fan_in', 'fan_out', 'fan_avg', got {mode!r}")
        dist = distribution.lower() if isinstance(distribution, str) else distribution
        if dist == "normal":
            dist = "truncated_normal"
        if dist not in _KERAS_DISTRIBUTIONS:
            raise ValueError(
                "distribution: expected one of 'truncated_normal', 'normal', "
                f"'untruncated_normal', 'uniform', got {distribution!r}"
            )
        self.scale: float = scale
        self.mode: str = mode
        self.distribution: str = dist
        self.input_axes: Any = input_axes
        self.output_axes: Any = output_axes
        super().__init__(seed, stream=stream)

    def _fans(self, shape: tuple[int, ...]) -> dict[str, Any]:
        """turboinit's fan arguments for Keras's rule."""
        if self.input_axes is None or self.output_axes is None:
            return {"layout": "keras"}
        r = len(shape)
        ins = [int(a) for a in self.input_axes]
        outs = [int(a) for a in self.output_axes]
        named = {a % r for a in ins + outs if -r <= a < r}
        batch = [a for a in range(r) if a not in named]
        return {"layout": "jax", "in_axis": ins, "out_axis": outs, "batch_axis": batch}

    def _sample(
        self,
        shape: tuple[int, ...],
        dtype: str,
        seed: int,
        stream: StreamLike,
        out: Optional[np.ndarray],
    ) -> np.ndarray:
        return _ti.variance_scaling(
            shape,
            self.scale,
            self.mode,
            _DISTRIBUTION[self.distribution],
            seed=seed,
            stream=stream,
            dtype=dtype,
            out=out,
            **self._fans(shape),
        )

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "scale": self.scale,
            "mode": self.mode,
            "distribution": self.distribution,
            "input_axes": self.input_axes,
            "output_axes": self.output_axes,
        }


class _Preset(VarianceScaling):
    """A Keras preset: fixed (scale, mode, distribution), drawn by the turboinit preset."""

    _args: tuple[float, str, str] = (1.0, "fan_in", "truncated_normal")
    _function: Callable[..., np.ndarray]
    _kwargs: dict[str, Any] = {}

    def __init__(
        self,
        seed: Any = None,
        input_axes: Any = None,
        output_axes: Any = None,
        *,
        stream: Optional[StreamLike] = None,
    ) -> None:
        super().__init__(*self._args, seed, input_axes, output_axes, stream=stream)

    def _sample(
        self,
        shape: tuple[int, ...],
        dtype: str,
        seed: int,
        stream: StreamLike,
        out: Optional[np.ndarray],
    ) -> np.ndarray:
        fn = type(self)._function
        return fn(
            shape,
            seed=seed,
            stream=stream,
            dtype=dtype,
            out=out,
            **self._kwargs,
            **self._fans(shape),
        )

    def get_config(self) -> dict[str, Any]:
        return {
            "seed": keras.saving.serialize_keras_object(self._init_seed),
            "stream": self.stream,
            "input_axes": self.input_axes,
            "output_axes": self.output_axes,
        }


@_register
class GlorotNormal(_Preset):
    """Keras ``GlorotNormal(seed=None, input_axes=None, output_axes=None)``.

    Truncated normal with variance ``2 / (fan_in + fan_out)``:

    .. math:: \\sigma = \\sqrt{2 / (\\mathrm{fan\\_in} + \\mathrm{fan\\_out})}

    The values are :func:`turboinit.glorot_normal` with ``truncated=True,
    layout="keras"`` (the same bits as ``turboinit.jax.initializers.glorot_normal``).

    Examples
    --------
    >>> import keras, turboinit as ti
    >>> from turboinit.keras import GlorotNormal
    >>> w = keras.ops.convert_to_numpy(GlorotNormal(seed=3, stream="fc1")((16, 8)))
    >>> ref = ti.glorot_normal((16, 8), truncated=True, layout="keras", seed=3, stream="fc1")
    >>> bool((w == ref).all())
    True
    """

    _args = (1.0, "fan_avg", "truncated_normal")
    _function = staticmethod(_ti.glorot_normal)
    _kwargs = {"truncated": True}


@_register
class GlorotUniform(_Preset):
    """Keras ``GlorotUniform(seed=None, input_axes=None, output_axes=None)``: U(-bound, bound).

    .. math:: \\mathrm{bound} = \\sqrt{6 / (\\mathrm{fan\\_in} + \\mathrm{fan\\_out})}

    The values are :func:`turboinit.glorot_uniform` with ``layout="keras"`` (for a
    2-D shape, the same bits as ``turboinit.torch.xavier_uniform_`` of that shape).

    Examples
    --------
    >>> import keras
    >>> from turboinit.keras import GlorotUniform
    >>> w = keras.ops.convert_to_numpy(GlorotUniform(seed=0)((300, 100)))
    >>> bool(abs(w).max() < (6 / 400) ** 0.5)
    True
    """

    _args = (1.0, "fan_avg", "uniform")
    _function = staticmethod(_ti.glorot_uniform)


@_register
class HeNormal(_Preset):
    """Keras ``HeNormal(seed=None, input_axes=None, output_axes=None)``.

    Truncated normal with variance ``2 / fan_in``:

    .. math:: \\sigma = \\sqrt{2 / \\mathrm{fan\\_in}}

    The values are :func:`turboinit.he_normal` with ``truncated=True, layout="keras"``.

    Examples
    --------
    >>> import keras
    >>> from turboinit.keras import HeNormal
    >>> w = keras.ops.convert_to_numpy(HeNormal(seed=0)((512, 256)))
    >>> round(float(w.std()) ** 2 * 512, 1)
    2.0
    """

    _args = (2.0, "fan_in", "truncated_normal")
    _function = staticmethod(_ti.he_normal)
    _kwargs = {"truncated": True}


@_register
class HeUniform(_Preset):
    """Keras ``HeUniform(seed=None, input_axes=None, output_axes=None)``: U(-bound, bound).

    .. math:: \\mathrm{bound} = \\sqrt{6 / \\mathrm{fan\\_in}}

    The values are :func:`turboinit.he_uniform` with ``layout="keras"``.

    Examples
    --------
    >>> import keras
    >>> from turboinit.keras import HeUniform
    >>> w = keras.ops.convert_to_numpy(HeUniform(seed=0)((600, 10)))
    >>> bool(abs(w).max() < 0.1)
    True
    """

    _args = (2.0, "fan_in", "uniform")
    _function = staticmethod(_ti.he_uniform)


@_register
class LecunNormal(_Preset):
    """Keras ``LecunNormal(seed=None, input_axes=None, output_axes=None)``.

    Truncated normal with variance ``1 / fan_in``:

    .. math:: \\sigma = \\sqrt{1 / \\mathrm{fan\\_in}}

    The values are :func:`turboinit.lecun_normal` with ``truncated=True, layout="keras"``.

    Examples
    --------
    >>> import keras
    >>> from turboinit.keras import LecunNormal
    >>> w = keras.ops.convert_to_numpy(LecunNormal(seed=0)((3, 3, 100, 64)))
    >>> round(float(w.std()) ** 2 * 900, 1)
    1.0
    """

    _args = (1.0, "fan_in", "truncated_normal")
    _function = staticmethod(_ti.lecun_normal)
    _kwargs = {"truncated": True}


@_register
class LecunUniform(_Preset):
    """Keras ``LecunUniform(seed=None, input_axes=None, output_axes=None)``: U(-bound, bound).

    .. math:: \\mathrm{bound} = \\sqrt{3 / \\mathrm{fan\\_in}}

    The values are :func:`turboinit.lecun_uniform` with ``layout="keras"``.

    Examples
    --------
    >>> import keras
    >>> from turboinit.keras import LecunUniform
    >>> w = keras.ops.convert_to_numpy(LecunUniform(seed=0)((27, 64)))
    >>> bool(abs(w).max() < (3 / 27) ** 0.5)
    True
    """

    _args = (1.0, "fan_in", "uniform")
    _function = staticmethod(_ti.lecun_uniform)


@_register
class Orthogonal(_Random):
    """Keras ``Orthogonal(gain=1.0, seed=None)``: a (semi-)orthogonal matrix times ``gain``.

    .. math:: W^\\top W = \\mathrm{gain}^2 I\\ \\text{(tall)},\\quad
              W W^\\top = \\mathrm{gain}^2 I\\ \\text{(wide)}

    Keras's flattening ``(prod(shape[:-1]), shape[-1])``; rank < 2 raises
    ``ValueError``.  The values are :func:`turboinit.orthogonal` with ``layout="keras"``.

    Examples
    --------
    >>> import keras, numpy as np
    >>> from turboinit.keras import Orthogonal
    >>> w = keras.ops.convert_to_numpy(Orthogonal(seed=0)((64, 32)))
    >>> bool(np.allclose(w.T @ w, np.eye(32), atol=1e-5))
    True
    """

    def __init__(
        self, gain: float = 1.0, seed: Any = None, *, stream: Optional[StreamLike] = None
    ) -> None:
        self.gain = gain
        _ti.orthogonal((1, 1), gain, seed=0)  # validates
        super().__init__(seed, stream=stream)

    def _sample(
        self,
        shape: tuple[int, ...],
        dtype: str,
        seed: int,
        stream: StreamLike,
        out: Optional[np.ndarray],
    ) -> np.ndarray:
        if len(shape) < 2:
            raise ValueError(
                "shape: the tensor to initialize must be at least two-dimensional, "
                f"got shape={shape} of rank {len(shape)}"
            )
        return _ti.orthogonal(
            shape, self.gain, layout="keras", seed=seed, stream=stream, dtype=dtype, out=out
        )

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "gain": self.gain}


def _constant(shape: Any, dtype: Any, value: Any) -> Any:
    """``value`` everywhere: turboinit for float dtypes and scalars, Keras's ops otherwise."""
    dims = tuple(int(d) for d in shape)
    dt = _dtype(dtype)
    if dt in _FLOATS and isinstance(value, numbers.Real):
        return _tensor(_ti.constant(dims, float(value), dtype=dt, out=_target(dims, dt)), dt)
    return keras.ops.cast(value, dtype=dt) * keras.ops.ones(dims, dtype=dt)


@_register
class Zeros(keras.initializers.Initializer):  # type: ignore[misc]
    """Keras ``Zeros()``: every value 0.

    .. math:: x_i = 0

    Float dtypes are :func:`turboinit.zeros`; others Keras's ``ops.zeros``.

    Examples
    --------
    >>> import keras
    >>> from turboinit.keras import Zeros
    >>> keras.ops.convert_to_numpy(Zeros()((2,))).tolist()
    [0.0, 0.0]
    """

    def __call__(self, shape: Any, dtype: Any = None) -> Any:
        return _constant(shape, dtype, 0.0)


@_register
class Ones(keras.initializers.Initializer):  # type: ignore[misc]
    """Keras ``Ones()``: every value 1.

    .. math:: x_i = 1

    Examples
    --------
    >>> import keras
    >>> from turboinit.keras import Ones
    >>> keras.ops.convert_to_numpy(Ones()((2,))).tolist()
    [1.0, 1.0]
    """

    def __call__(self, shape: Any, dtype: Any = None) -> Any:
        return _constant(shape, dtype, 1.0)


@_register
class Constant(keras.initializers.Initializer):  # type: ignore[misc]
    """Keras ``Constant(value=0.0)``: every value ``value``.

    .. math:: x_i = \\mathrm{value}

    A real scalar and a float dtype are :func:`turboinit.constant` (``value``
    rounded once to the dtype); an array value broadcasts as in Keras.

    Examples
    --------
    >>> import keras
    >>> from turboinit.keras import Constant
    >>> keras.ops.convert_to_numpy(Constant(0.5)((2,))).tolist()
    [0.5, 0.5]
    """

    def __init__(self, value: Any = 0.0) -> None:
        self.value = value

    def __call__(self, shape: Any, dtype: Any = None) -> Any:
        return _constant(shape, dtype, self.value)

    def get_config(self) -> dict[str, Any]:
        return {"value": keras.saving.serialize_keras_object(self.value)}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Constant:
        return cls(keras.saving.deserialize_keras_object(config["value"]))


@_register
class Identity(keras.initializers.Initializer):  # type: ignore[misc]
    """Keras ``Identity(gain=1.0)``: ``gain`` times the identity matrix (2-D shapes only).

    .. math:: x_{ij} = \\mathrm{gain}\\ \\text{if}\\ i = j\\ \\text{else}\\ 0

    The values are :func:`turboinit.identity` ``(shape, gain)``.

    Examples
    --------
    >>> import keras
    >>> from turboinit.keras import Identity
    >>> keras.ops.convert_to_numpy(Identity(2.0)((2, 3))).tolist()
    [[2.0, 0.0, 0.0], [0.0, 2.0, 0.0]]
    """

    def __init__(self, gain: float = 1.0) -> None:
        self.gain = gain

    def __call__(self, shape: Any, dtype: Any = None) -> Any:
        dims = tuple(int(d) for d in shape)
        if len(dims) != 2:
            raise ValueError(
                "shape: Identity matrix initializer can only be used for 2D matrices, "
                f"got shape={dims} of rank {len(dims)}"
            )
        dt = _float_dtype(dtype)
        return _tensor(_ti.identity(dims, self.gain, dtype=dt, out=_target(dims, dt)), dt)

    def get_config(self) -> dict[str, Any]:
        return {"gain": self.gain}


# keras.initializers' snake_case aliases
constant = Constant
glorot_normal = GlorotNormal
glorot_uniform = GlorotUniform
he_normal = HeNormal
he_uniform = HeUniform
identity = Identity
lecun_normal = LecunNormal
lecun_uniform = LecunUniform
ones = Ones
orthogonal = Orthogonal
random_normal = RandomNormal
random_uniform = RandomUniform
truncated_normal = TruncatedNormal
variance_scaling = VarianceScaling
zeros = Zeros
