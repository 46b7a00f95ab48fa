"""Arguments of the Generator methods, the NumPy way: output dtypes, float
parameters that may be arrays, result shapes (``size`` broadcast against the
parameters), ``out=`` arrays, and the one pass that maps standard samples to
array-valued parameters."""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any, Callable, Literal, Union

import numpy as np

from .. import _core
from .._args import DTypeLike, check_size, normalize_dtype, normalize_shape

Param = Union[float, np.ndarray]
SizeLike = Union[None, int, Sequence[int]]

# The counter layout, exported by the core (docs/counter_layout.md): a call
# reserves whole groups of BLOCKS_PER_GROUP blocks; elements per Philox block
# for float64 / float32-computed samples (key: computed in float64), the
# fewest any truncated-normal proposal yields (two uniforms per candidate),
# and integers (key: wide, i.e. some span >= 2**32).
BLOCKS_PER_GROUP: int = _core.BLOCKS_PER_GROUP
_PER = _core.VALUES_PER_BLOCK
PER_BLOCK = {True: _PER["float64"], False: _PER["float32"]}
PER_BLOCK_TRUNCATED = {True: _PER["float64_two_uniforms"], False: _PER["float32_two_uniforms"]}
PER_BLOCK_INTEGERS = {True: _PER["integers_wide"], False: _PER["integers_narrow"]}

# Elements per chunk of the array-parameter pass: the operands' buffers stay in cache.
_CHUNK = 1 << 14

_F64_CODE = normalize_dtype(np.float64)  # (float64, 0)
_F32_CODE = normalize_dtype(np.float32)  # (float32, 1)


def float_dtype(dtype: DTypeLike, method: str, halves: bool) -> tuple[np.dtype, int]:
    """(dtype, core code); float64/float32, plus float16/bfloat16 if ``halves``."""
    if dtype is np.float64 or dtype is None:  # the default, first
        return _F64_CODE
    accepted = "float64, float32, float16, bfloat16" if halves else "float64, float32"
    try:
        dt, code = normalize_dtype(np.float64 if dtype is None else dtype)
    except TypeError:
        code = -1
    if code < 0 or (not halves and code > 1):
        raise TypeError(f"dtype: unsupported {dtype!r} for {method}; expected one of {accepted}")
    return dt, code


# Calls of at most this many elements (or scalars) may skip the general
# path's broadcasting and reshaping (Generator's small-call paths); the values
# are the same.
SMALL = 1 << 12


def small_float64(size: Any, dtype: Any, out: Any) -> bool:
    """A float64 call of ``1 <= size <= SMALL`` elements (or a scalar, size None)
    into a new array: the small-call paths' condition."""
    return (
        out is None
        and (dtype is np.float64 or dtype is None)
        and (size is None or (type(size) is int and 0 < size <= SMALL))
    )


def compute_dtype(dt: np.dtype) -> tuple[np.dtype, int]:
    """The type samples are computed in: float64 for float64, else float32."""
    return _F64_CODE if dt is _F64_CODE[0] or dt == np.float64 else _F32_CODE


def float_param(value: Any, name: str) -> Param:
    """A Python float, or a float64 array of ndim >= 1, converted like NumPy.

    As NumPy, a string is never a number: a scalar string raises ValueError
    if it does not parse as a float and TypeError if it does; a string
    ndarray raises TypeError; strings inside a list are parsed."""
    if type(value) is float:  # the common case first
        return value
    if isinstance(value, (str, bytes)):  # also np.str_, np.bytes_
        try:
            float(value)
        except ValueError:
            raise ValueError(f"{name}: could not convert {value!r} to a real number") from None
        raise TypeError(f"{name}: expected a real number, got a string ({value!r})")
    if isinstance(value, np.ndarray) and value.dtype.kind in "US":
        raise TypeError(f"{name}: expected real numbers, got an array of {value.dtype}")
    if isinstance(value, np.ndarray) and value.ndim == 0 and type(value) is not np.ndarray:
        try:  # a subclass's own __float__, as NumPy calls it (and its exceptions)
            return float(value)
        except (TypeError, ValueError) as exc:
            raise type(exc)(f"{name}: expected a real number ({exc!r})") from None
    if not isinstance(value, (numbers.Number, np.generic, str, bytes)) and value is not None:
        try:
            arr = np.asarray(value)
        except ValueError as exc:
            raise ValueError(f"{name}: cannot make an array of {value!r} ({exc})") from None
        if arr.ndim > 0:
            if arr.dtype.kind not in "biufUS":
                raise TypeError(f"{name}: expected real numbers, got an array of {arr.dtype}")
            try:
                return np.asarray(arr, dtype=np.float64)
            except ValueError as exc:
                raise ValueError(f"{name}: expected real numbers ({exc})") from None
        value = arr[()] if arr.dtype.kind != "O" else arr.item()
        if isinstance(value, (str, bytes)):
            raise TypeError(f"{name}: expected a real number, got a string ({value!r})")
    if isinstance(value, (complex, np.complexfloating)):
        raise TypeError(f"{name}: expected a real number, got {value!r}")
    try:
        return float(value)
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"{name}: expected a real number, got {value!r}") from None


def is_array(p: Any) -> bool:
    return isinstance(p, np.ndarray)


def negative(p: Param) -> bool:
    """Any value below zero, -0.0 included (NumPy's "x < 0" check); NaN passes."""
    if type(p) is float:
        return math.copysign(1.0, p) < 0 and not math.isnan(p)
    return bool(np.any(np.signbit(p) & ~np.isnan(p)))


def not_positive(p: Param) -> bool:
    """Any value <= 0 (NumPy's "x <= 0" check); NaN passes."""
    if type(p) is float:
        return p <= 0
    return bool(np.any(np.less_equal(p, 0)))


def outside(p: Param, lo: float, hi: float, *, lo_open: bool = False) -> bool:
    """Any value outside ``[lo, hi]`` (``(lo, hi]`` with ``lo_open``), NaN included:
    NumPy's range checks ("p < 0, p > 1 or p is NaN")."""
    if type(p) is float:
        return not ((lo < p) if lo_open else (lo <= p)) or not p <= hi
    low = np.greater(p, lo) if lo_open else np.greater_equal(p, lo)
    return bool(np.any(~(low & np.less_equal(p, hi))))


def result_shape(size: SizeLike, *params: Any) -> tuple[int, ...] | None:
    """The output shape: ``size``, which must contain the parameters' broadcast
    shape, or that shape if ``size`` is None; None means a scalar result."""
    shapes = [np.shape(p) for p in params if is_array(p)]
    if size is None:
        if not shapes:
            return None
        try:
            return tuple(np.broadcast_shapes(*shapes))
        except ValueError:
            raise ValueError(f"parameters: shapes {shapes} cannot be broadcast together") from None
    shape = normalize_shape(size, "size")
    if shapes:
        try:
            joint = tuple(np.broadcast_shapes(shape, *shapes))
        except ValueError:
            joint = None
        if joint != shape:
            raise ValueError(
                f"size: {shape} is not compatible with the parameters' shapes {shapes}"
            )
    return shape


def allocate(shape: tuple[int, ...], dt: np.dtype) -> np.ndarray:
    check_size(shape, dt.itemsize, "size")
    try:
        return np.empty(shape, dtype=dt)
    except MemoryError:
        nbytes = math.prod(shape) * dt.itemsize
        raise MemoryError(f"size: cannot allocate {nbytes} bytes for {shape} {dt}") from None
    except ValueError as exc:  # NumPy's own limits, e.g. (2**62, 0): dims past intp
        raise ValueError(f"size: NumPy cannot make an array of shape {shape} ({exc})") from None


def check_out(out: Any, dt: np.dtype, size: SizeLike) -> np.ndarray:
    """NumPy's rules for ``out=``: an ndarray of exactly ``dt`` (TypeError),
    C- or F-contiguous, writeable, aligned, native byte order, and of shape
    ``size`` if both are given (ValueError).  Filled in memory order."""
    if not isinstance(out, np.ndarray):
        raise ValueError(f"out: expected a numpy.ndarray, got {type(out).__name__}")
    if out.dtype is not dt:  # the same dtype object (native, as dt is) needs no checks
        if out.dtype.newbyteorder("=") == dt and not out.dtype.isnative:
            raise ValueError("out: must be in native byte order")
        if out.dtype != dt:
            raise TypeError(f"out: has dtype {out.dtype}, expected {dt}")
    flags = out.flags
    if not (flags.c_contiguous or flags.f_contiguous):
        raise ValueError("out: must be C- or F-contiguous")
    if not flags.writeable:
        raise ValueError("out: must be writeable")
    if not flags.aligned:
        raise ValueError("out: must be aligned")
    if size is not None and normalize_shape(size, "size") != out.shape:
        raise ValueError(f"size: {size!r} does not match out.shape {out.shape}")
    return out


def flat(a: np.ndarray) -> np.ndarray:
    """A C- or F-contiguous array as a 1-D view in memory order (a 1-D array itself)."""
    if a.ndim == 1:
        return a
    view: np.ndarray = a.reshape(-1, order="A")
    return view


def scalar_result(a: np.ndarray) -> float:
    return float(a[()])


def fill_mapped(
    out: np.ndarray,
    ct: np.dtype,
    generate: Callable[[np.ndarray, int], None],
    operands: Sequence[np.ndarray],
    apply: Callable[..., None],
) -> None:
    """Standard samples mapped in place by array-valued parameters, one pass.

    ``generate(buf, pos)`` writes the standard samples of flat positions
    ``[pos, pos + buf.size)`` (memory order of ``out``) into the contiguous
    1-D array ``buf`` of the compute dtype ``ct``; ``apply(buf, *ops)`` maps
    them in place with the operands' matching elements (broadcast against
    ``out``).  When ``out`` has dtype ``ct`` the samples are generated into it
    by one call and mapped chunk by chunk; otherwise (float16/bfloat16) each
    chunk is generated into a ``ct`` buffer, mapped and rounded once, as the
    scalar path does.
    """
    if out.size == 0:
        return
    if not out.flags.c_contiguous:  # F-contiguous: walk its transpose in C order
        shape = out.shape
        out = out.T
        operands = [np.broadcast_to(op, shape).T for op in operands]
    same = out.dtype == ct
    if same:
        generate(out.reshape(-1), 0)
    first_flags: list[Literal["readwrite", "writeonly", "readonly"]] = [
        "readwrite" if same else "writeonly"
    ]
    it = np.nditer(
        [out, *operands],
        flags=["external_loop", "buffered", "zerosize_ok"],
        op_flags=[first_flags] + [["readonly"]] * len(operands),
        op_dtypes=[ct] + [op.dtype for op in operands],
        casting="unsafe",
        order="C",
        buffersize=_CHUNK,
    )
    pos = 0
    with it, np.errstate(over="ignore", invalid="ignore"):
        for chunk, *ops in it:
            if not same:
                generate(chunk, pos)
            apply(chunk, *ops)
            pos += chunk.size


# ---- the dtype's representable values: cpp/tensor/dtype.cpp's rules, elementwise ----


def _code(dt: np.dtype) -> int:
    return normalize_dtype(dt)[1]


def overflow_threshold(dt: np.dtype) -> float:
    """The smallest magnitude that rounds to infinity in ``dt``."""
    return _core.overflow_threshold(_code(dt))


def round_to(x: np.ndarray, dt: np.dtype) -> np.ndarray:
    """Round float64 values to ``dt`` (through float32 for 16-bit types, as the core does)."""
    return np.asarray(_core.round_to(_code(dt), x), dtype=np.float64)


def at_or_above(x: np.ndarray, dt: np.dtype) -> np.ndarray:
    """Smallest value of ``dt`` >= x (-max for x <= -max, +inf if none)."""
    return np.asarray(_core.at_or_above(_code(dt), x), dtype=np.float64)


def at_or_below(x: np.ndarray, dt: np.dtype) -> np.ndarray:
    """Largest value of ``dt`` <= x (max for x >= max, -inf if none)."""
    return np.asarray(_core.at_or_below(_code(dt), x), dtype=np.float64)


def below(x: np.ndarray, dt: np.dtype) -> np.ndarray:
    """Largest value of ``dt`` strictly below x."""
    return np.asarray(_core.below(_code(dt), x), dtype=np.float64)
