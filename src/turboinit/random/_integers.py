"""Bounds and dtypes of ``Generator.integers``, checked exactly as NumPy does.

Bounds become ``(low, span)`` with ``span = high_inclusive - low``: Python
ints for scalars, or arrays for array-valued bounds, where ``low`` is kept as
64-bit two's complement bits (uint64) and ``span`` as uint64, so every range
up to ``2**64`` values is exact.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Union

import numpy as np

from .. import _core

# Codes of cpp/samplers/integers.hpp's int_dtype, exported by the core.
_CODES: dict[str, int] = _core.INT_DTYPES
MASK64 = (1 << 64) - 1


@dataclass(frozen=True)
class IntType:
    dtype: np.dtype
    code: int
    lo: int  # the dtype's range
    hi: int
    unsigned_view: np.dtype  # same size, unsigned (bool: uint8)
    python_type: type | None  # int or bool when the caller asked for Python's type


_INT_TYPES: dict[tuple[type, Any], IntType] = {}


def int_type(dtype: Any) -> IntType:
    """The dtype's code, range and views; memoised for names and types (dtype
    instances, which may carry metadata, are read each time)."""
    if isinstance(dtype, (str, type)):
        key = (type(dtype), dtype)
        hit = _INT_TYPES.get(key)
        if hit is None:
            hit = _INT_TYPES[key] = _int_type(dtype)
        return hit
    return _int_type(dtype)


def _int_type(dtype: Any) -> IntType:
    python_type = dtype if dtype is int or dtype is bool else None
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise TypeError(
            f"dtype: unsupported {dtype!r} for integers; expected a bool, int or uint dtype"
        ) from None
    if dt.name in _CODES and not dt.isnative:
        raise ValueError(f"dtype: {dtype!r} has a non-native byte order (as NumPy, not supported)")
    if dt.name not in _CODES:
        raise TypeError(
            f"dtype: unsupported {dtype!r} for integers; expected one of {', '.join(_CODES)}"
        )
    if dt.kind == "b":
        lo, hi = 0, 1
    else:
        info = np.iinfo(dt)
        lo, hi = int(info.min), int(info.max)
    return IntType(dt, _CODES[dt.name], lo, hi, np.dtype(f"u{dt.itemsize}"), python_type)


Bound = Union[int, np.ndarray]


def _scalar(value: Any, name: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError) as exc:
        raise type(exc)(f"{name}: expected an integer, got {value!r} ({exc})") from None


def _array(arr: np.ndarray, name: str, t: IntType) -> np.ndarray:
    """int64 or uint64 array with the exact values of ``arr``."""
    kind = arr.dtype.kind
    if kind in "biu":
        return arr if arr.dtype in (np.int64, np.uint64) else arr.astype(np.int64)
    if kind == "f":
        if np.isnan(arr).any():
            raise ValueError(f"{name}: cannot convert float NaN to integer")
        if np.isinf(arr).any():
            raise OverflowError(f"{name}: cannot convert float infinity to integer")
        if arr.itemsize < 8:  # exact in float64; compared with 2**63 in float16 it overflows
            arr = arr.astype(np.float64)
        arr = np.trunc(arr)
        if arr.size == 0 or (arr.min() >= -(2.0**63) and arr.max() < 2.0**63):
            return arr.astype(np.int64)
        if arr.min() >= 0 and arr.max() < 2.0**64:
            return arr.astype(np.uint64)
        raise ValueError(f"{name} is out of bounds for {t.dtype}")
    if kind in "OUS":
        for target in (np.int64, np.uint64):
            try:
                return arr.astype(target)
            except OverflowError:
                continue
            except (TypeError, ValueError) as exc:
                raise type(exc)(f"{name}: expected integers ({exc})") from None
        raise ValueError(f"{name} is out of bounds for {t.dtype}")
    raise TypeError(f"{name}: expected integers, got an array of {arr.dtype}")


_minus_one = np.frompyfunc(lambda v: (int(v) if isinstance(v, np.integer) else v) - 1, 1, 1)


def _bound(value: Any, name: str, t: IntType, minus_one: bool) -> tuple[Bound, bool]:
    """The bound, less one if ``minus_one`` and it is an object array (whose
    values may not fit 64 bits before it); the flag says if that was done."""
    if type(value) is int:  # the common case first
        return value, False
    if isinstance(value, np.ndarray) or isinstance(value, (list, tuple)):
        arr = np.asarray(value)
        if arr.ndim > 0:
            if minus_one and arr.dtype.kind == "O":
                try:
                    # NumPy integer elements as Python ints: np.uint64(0) - 1
                    # wraps to 2**64 - 1 (with a RuntimeWarning).
                    arr = _minus_one(arr)
                except TypeError as exc:
                    raise TypeError(f"{name}: expected integers ({exc})") from None
                return _array(arr, name, t), True
            return _array(arr, name, t), False
        value = arr.item() if arr.dtype.kind == "O" else arr[()]
    return _scalar(value, name), False


def _size(b: Bound) -> int:
    """``np.size`` of a bound (an int or an array)."""
    return 1 if isinstance(b, int) else b.size


def _limits(b: Bound) -> tuple[int, int]:
    if isinstance(b, int):
        return b, b
    return int(b.min()), int(b.max())


def _order_message(low: Any, endpoint: bool) -> str:
    """NumPy's message for an empty range: about ``high`` where every ``low`` is 0
    (the one-argument form's default), else about both.  Built only to raise it."""
    try:
        zero = not np.any(np.asarray(low))
    except (TypeError, ValueError):
        zero = False
    if zero:
        return "high < 0" if endpoint else "high <= 0"
    return "low > high" if endpoint else "low >= high"


def _check_as_given(low: Any, high: Any, t: IntType, endpoint: bool) -> None:
    """NumPy's checks for array bounds of the dtypes of 32 bits and less, which
    compare the values as given, before floats are truncated (``low=2.5,
    high=[2]`` with ``endpoint`` raises there; scalars are truncated first, and
    so are all 64-bit bounds). Arrays of integers give the same answers as the
    checks after conversion, so only float arrays are looked at here."""
    if not isinstance(low, (np.ndarray, list, tuple)) and not isinstance(
        high, (np.ndarray, list, tuple)
    ):
        return  # scalars (the common case) take NumPy's scalar path: truncated first
    try:
        lo_raw, hi_raw = np.asarray(low), np.asarray(high)
        if (lo_raw.ndim == 0 and hi_raw.ndim == 0) or "f" not in (
            lo_raw.dtype.kind,
            hi_raw.dtype.kind,
        ):
            return
        np.broadcast_shapes(lo_raw.shape, hi_raw.shape)
        with np.errstate(invalid="ignore"):
            low_out = bool(np.any(lo_raw < t.lo))
            high_out = bool(np.any(hi_raw >= t.hi + 1 if endpoint else hi_raw > t.hi + 1))
            empty = bool(np.any(lo_raw > hi_raw if endpoint else lo_raw >= hi_raw))
    except (TypeError, ValueError):
        return  # not numbers, or shapes that do not broadcast: the later checks name them
    if low_out:
        raise ValueError(f"low is out of bounds for {t.dtype}")
    if high_out:
        raise ValueError(f"high is out of bounds for {t.dtype}")
    if empty:
        raise ValueError(_order_message(low, endpoint))


def bounds(low: Any, high: Any, t: IntType, endpoint: bool) -> tuple[Bound, Bound, bool]:
    """(low, span, any_array): low as an int or uint64 two's complement bits,
    span = high_inclusive - low as an int or uint64; NumPy's ValueErrors."""
    if high is None:
        low, high = 0, low
    if not (type(low) is int and type(high) is int) and t.dtype.itemsize <= 4:
        _check_as_given(low, high, t, endpoint)
    lo, _ = _bound(low, "low", t, False)
    hi, done = _bound(high, "high", t, not endpoint)
    exclusive = not endpoint and not done

    if _size(lo) and (_limits(lo)[0] < t.lo or _limits(lo)[1] > t.hi):
        raise ValueError(f"low is out of bounds for {t.dtype}")
    if _size(hi):
        hmin, hmax = _limits(hi)  # inclusive if `done`
        if hmax > (t.hi + 1 if exclusive else t.hi):
            raise ValueError(f"high is out of bounds for {t.dtype}")
        if hmin < t.lo or (exclusive and hmin == t.lo):
            # low >= t.lo >= high somewhere (`done`: hmin is inclusive already)
            raise ValueError(_order_message(low, endpoint))

    if isinstance(lo, int) and isinstance(hi, int):
        hi_incl = hi - 1 if exclusive else hi
        if lo > hi_incl:
            raise ValueError(_order_message(low, endpoint))
        return lo & MASK64, hi_incl - lo, False

    # Arrays: exact arithmetic in a 64-bit container of the dtype's signedness
    # (values of the dtype's range, the inclusive high included, fit it).
    container = np.int64 if t.lo < 0 else np.uint64
    lo_c = np.asarray(lo).astype(container)
    if exclusive and isinstance(hi, int):  # a scalar high may be 2**64 (uint64, exclusive)
        hi, exclusive = hi - 1, False
    hi_c = np.asarray(hi).astype(container)
    if exclusive:
        hi_c = hi_c - container(1)  # exact: hi > t.lo was checked
    if np.any(lo_c > hi_c):
        raise ValueError(_order_message(low, endpoint))
    lo_u = lo_c.astype(np.uint64)
    span = hi_c.astype(np.uint64) - lo_u  # wraps to the exact span in [0, 2**64)
    return lo_u, span, True
