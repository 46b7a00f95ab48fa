"""Argument normalisation shared by the public functions: shapes, dtypes,
regions and ``out=`` arrays.  Errors name the argument and what is accepted."""

from __future__ import annotations

import math
import numbers
import operator
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Optional, Union

import numpy as np

from . import _core
from ._deps import missing

ShapeLike = Union[int, Sequence[int]]
RegionLike = Union[slice, tuple[slice, ...], None]
DTypeLike = Any

# Codes understood by the compiled core (cpp/tensor/dtype.hpp), exported by it.
_CODES: dict[str, int] = _core.DTYPES
_MAX_BYTES = 2**62

# The strings NumPy reads as a float dtype, optionally after a byte-order mark.
# Other strings are refused without asking NumPy, which warns (DeprecationWarning,
# an error under -W error) for some aliases (e.g. 'a', bytes) before we could refuse.
_FLOAT_SPELLINGS = frozenset(
    {k for k in np.sctypeDict if isinstance(k, str) and np.dtype(np.sctypeDict[k]).kind == "f"}
    | set(np.typecodes["Float"])
    | {f"f{n}" for n in (2, 4, 8, 10, 12, 16)}
)


def _float_spelling(text: str) -> bool:
    return (text[1:] if text[:1] in "<>=|" else text) in _FLOAT_SPELLINGS


def bfloat16_dtype() -> np.dtype:
    try:
        import ml_dtypes
    except ImportError as exc:
        raise missing(
            "dtype='bfloat16' needs the ml_dtypes package (pip install ml_dtypes)", exc
        ) from None
    bf16: np.dtype = np.dtype(ml_dtypes.bfloat16)
    return bf16


_DTYPE_CACHE: dict[Any, tuple[np.dtype, int]] = {}


def normalize_dtype(dtype: DTypeLike) -> tuple[np.dtype, int]:
    """Return (numpy dtype, core code) for float64/float32/float16/bfloat16."""
    # Only names, types and dtypes are memoised, keyed by their type too: a
    # value-keyed cache let np.float16(0) (which NumPy reads as float16) make
    # dtype=0 or dtype=False "float16" afterwards (equal keys), and grew with
    # every distinct scalar.
    cls = type(dtype)
    if cls is str or dtype is None or isinstance(dtype, (str, type, np.dtype)):
        key = (cls, dtype)
        hit = _DTYPE_CACHE.get(key)
        if hit is None:
            hit = _DTYPE_CACHE[key] = _normalize_dtype(dtype)
        return hit
    return _normalize_dtype(dtype)


def _normalize_dtype(dtype: DTypeLike) -> tuple[np.dtype, int]:
    if dtype is None:
        dtype = "float32"
    if isinstance(dtype, str) and dtype == "bfloat16":
        dt = bfloat16_dtype()
    elif getattr(dtype, "__name__", None) == "bfloat16" or str(dtype) == "bfloat16":
        dt = np.dtype(dtype)
    elif isinstance(dtype, str) and not _float_spelling(dtype):
        dt = None
    else:
        try:
            dt = np.dtype(dtype)
        except TypeError:
            dt = None
    name = (
        "bfloat16"
        if dt is not None and dt.name == "bfloat16"
        else (dt.name if dt is not None else None)
    )
    if name not in _CODES or dt is None:
        raise TypeError(
            f"dtype: unsupported {dtype!r}; "
            "expected one of 'float64', 'float32', 'float16', 'bfloat16'"
        )
    if not dt.isnative:
        # The core writes native-endian values; a swapped dtype would read them as garbage.
        native = dt.newbyteorder("=")
        raise TypeError(f"dtype: {dtype!r} is not in native byte order; use {native}")
    return dt, _CODES[name]


def normalize_shape(shape: ShapeLike, argname: str = "shape") -> tuple[int, ...]:
    """An int or a sequence of ints, each >= 0, like NumPy's ``size``."""
    if type(shape) is int and shape >= 0:
        return (shape,)
    if type(shape) is tuple:
        for d in shape:  # a plain loop: a generator expression costs more than small shapes
            if type(d) is not int or d < 0:
                break
        else:
            return shape
    if isinstance(shape, (bool, np.bool_)):
        raise TypeError(f"{argname}: expected an int or a tuple of ints, got bool")
    value: Any = shape
    try:
        dims: tuple[Any, ...] = (operator.index(value),)
    except TypeError:
        if not is_shape_sequence(shape):
            raise TypeError(
                f"{argname}: expected an int or a tuple of ints, got {type(shape).__name__}"
            ) from None
        dims = tuple(value)
    out = []
    for d in dims:
        out.append(integer(d, f"{argname} dimension", minimum=0, expected="an int"))
    return tuple(out)


def is_shape_sequence(value: Any) -> bool:
    """A sequence of dimensions, as NumPy's ``shape=`` takes: tuple, list, 1-D array, range.

    Not a str or bytes, and not a dict, set or iterator (a dict gave its keys
    as dimensions).
    """
    if isinstance(value, np.ndarray):
        return value.ndim == 1
    return isinstance(value, Sequence) and not isinstance(value, (str, bytes, bytearray))


def check_size(shape: tuple[int, ...], itemsize: int, argname: str = "shape") -> int:
    count = math.prod(shape)
    if count == 0 and any(d >= 2**63 for d in shape):
        # Empty, yet no array (nor the core's int64 indexing) can have such a dimension.
        raise ValueError(
            f"{argname}: {shape} has a dimension past int64 (NumPy: maximum allowed "
            "dimension exceeded)"
        )
    if count * itemsize > _MAX_BYTES:
        raise ValueError(
            f"{argname}: {shape} holds {count} elements ({count * itemsize} bytes), "
            "more than any machine can address"
        )
    return count


def normalize_region(
    region: RegionLike, shape: tuple[int, ...]
) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """(start, extent) of ``region`` (a tuple of step-1 slices inside ``shape``)."""
    if region is None:
        return (0,) * len(shape), shape
    if isinstance(region, slice):
        region = (region,)
    if not isinstance(region, tuple) or not all(isinstance(s, slice) for s in region):
        raise TypeError("region: expected a slice or a tuple of slices")
    if len(region) > len(shape):
        raise ValueError(f"region: {len(region)} slices for a {len(shape)}-dimensional shape")
    region = region + (slice(None),) * (len(shape) - len(region))
    start, extent = [], []
    for d, (s, n) in enumerate(zip(region, shape)):
        if s.step is not None and not _is_one(s.step):
            raise ValueError(f"region: slice {d} has step {s.step!r}; only step 1 is supported")
        lo = _slice_bound(s.start, 0, n, d)
        hi = _slice_bound(s.stop, n, n, d)
        hi = max(hi, lo)
        start.append(lo)
        extent.append(hi - lo)
    return tuple(start), tuple(extent)


def _is_one(step: Any) -> bool:
    """An integer step of 1 (``1.0`` and ``True`` compare equal to 1 but are not steps)."""
    if isinstance(step, (bool, np.bool_)):
        return False
    try:
        return operator.index(step) == 1
    except TypeError:
        return False


def _slice_bound(value: Any, default: int, n: int, d: int) -> int:
    if value is None:
        return default
    try:
        i = operator.index(value)
    except TypeError:
        raise TypeError(f"region: slice {d} bounds must be ints or None, got {value!r}") from None
    if i < 0:
        i += n
    if not 0 <= i <= n:
        raise ValueError(f"region: slice {d} bound {value} lies outside shape[{d}] = {n}")
    return i


def check_exact_out(out: Any, dtype: np.dtype, shape: tuple[int, ...]) -> np.ndarray:
    """Check a caller's ``out=`` array; nothing is ever copied or cast."""
    if not isinstance(out, np.ndarray):
        raise TypeError(f"out: expected a numpy.ndarray, got {type(out).__name__}")
    if out.dtype != dtype:
        raise TypeError(f"out: has dtype {out.dtype}, expected {dtype}")
    if out.shape != shape:
        raise ValueError(f"out: has shape {out.shape}, expected {shape}")
    flags = out.flags
    if not flags.c_contiguous:
        raise ValueError("out: must be C-contiguous")
    if not flags.writeable:
        raise ValueError("out: must be writeable")
    if not flags.aligned:
        raise ValueError("out: must be aligned")
    return out


def integer(
    value: Any,
    argname: str,
    *,
    minimum: Optional[int] = None,
    maximum: Optional[int] = None,
    expected: str = "an int",
) -> int:
    """``value`` as a Python int: any integer, NumPy's included (``operator.index``),
    never a bool.  TypeError / ValueError name ``argname`` and the accepted range."""
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{argname}: expected {expected}, got bool")
    try:
        n = operator.index(value)
    except TypeError:
        raise TypeError(f"{argname}: expected {expected}, got {type(value).__name__}") from None
    if minimum is not None and maximum is not None and not minimum <= n <= maximum:
        raise ValueError(f"{argname}: must be in [{minimum}, {maximum}], got {n}")
    if minimum is not None and n < minimum:
        raise ValueError(f"{argname}: must be >= {minimum}, got {n}")
    if maximum is not None and n > maximum:
        raise ValueError(f"{argname}: must be <= {maximum}, got {n}")
    return n


def real(value: Any, argname: str) -> float:
    """A real scalar parameter as a Python float (finiteness is checked in C++)."""
    cls = type(value)
    if cls is float:  # the common cases first: no ABC checks
        return value  # type: ignore[no-any-return]
    if cls is int:
        try:
            return float(value)
        except OverflowError:
            pass  # raised again below, naming the argument
    if isinstance(value, (numbers.Real, np.floating, np.integer)) and not isinstance(
        value, complex
    ):
        try:
            return float(value)
        except OverflowError:  # an int beyond float64 (10**400)
            what = (
                f"an integer of {len(str(abs(value)))} digits"
                if isinstance(value, int)
                else repr(value)
            )
            raise OverflowError(f"{argname}: {what} is beyond the largest float64 value") from None
    if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "fiub":
        return float(value)
    raise TypeError(f"{argname}: expected a real number, got {type(value).__name__}")


@dataclass
class Target:
    """Where a call writes: the array, its dtype code and the region of the full tensor."""

    out: np.ndarray
    code: int
    shape: tuple[int, ...]
    start: tuple[int, ...]
    extent: tuple[int, ...]


def prepare_target(
    shape: ShapeLike, dtype: DTypeLike, out: Optional[np.ndarray], region: RegionLike
) -> Target:
    """Normalise shape/dtype/region, then check ``out`` or allocate the result.

    A new result comes from ``np.empty``: its pages are first touched by the
    generating threads, and the array owns its memory.
    """
    return Target(*prepare(shape, dtype, out, region))


def prepare(
    shape: ShapeLike, dtype: DTypeLike, out: Optional[np.ndarray], region: RegionLike
) -> tuple[np.ndarray, int, tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
    """:func:`prepare_target` as a plain tuple ``(out, code, shape, start, extent)``,
    for the samplers' hot path (no object is built per call)."""
    full = normalize_shape(shape)
    dt, code = normalize_dtype(dtype)
    check_size(full, dt.itemsize)
    if region is None:
        start, extent = (0,) * len(full), full
    else:
        start, extent = normalize_region(region, full)
    if out is not None:
        arr = check_exact_out(out, dt, extent)
    else:
        try:
            arr = np.empty(extent, dtype=dt)
        except MemoryError:
            nbytes = math.prod(extent) * dt.itemsize
            raise MemoryError(f"shape: cannot allocate {nbytes} bytes for {extent} {dt}") from None
        except ValueError as exc:  # NumPy's own limits, e.g. (2**62, 0): dims past intp
            raise ValueError(
                f"shape: NumPy cannot make an array of shape {extent} ({exc})"
            ) from None
    return arr, code, full, start, extent
