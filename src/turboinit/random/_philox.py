"""Raw counter-based random numbers: the Philox4x32 block function."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _core
from .._args import integer


def _uint32_array(value: Any, argname: str) -> np.ndarray:
    arr = np.asarray(value)
    if arr.dtype.kind not in "iu" and not (arr.dtype == object and arr.size == 0):
        raise TypeError(f"{argname}: expected unsigned 32-bit integers, got dtype {arr.dtype}")
    if arr.size and (arr.min() < 0 or arr.max() > 0xFFFFFFFF):
        raise ValueError(f"{argname}: values must lie in [0, 2**32)")
    return np.ascontiguousarray(arr, dtype=np.uint32)


def philox4x32(counter: Any, key: Any, rounds: int = 10) -> np.ndarray:
    """The Philox4x32 block function of Salmon et al. (SC'11).

    Each round multiplies counter words 0 and 2 by 0xD2511F53 and 0xCD9E8D57
    and mixes in the key, which is bumped by (0x9E3779B9, 0xBB67AE85) between
    rounds.  Matches Random123's known-answer vectors.

    Parameters
    ----------
    counter : array of uint32, shape (..., 4)
    key : array of uint32, shape (2,)
    rounds : int, default 10

    Returns
    -------
    ndarray of uint32, the counter's shape

    Examples
    --------
    >>> from turboinit.random import philox4x32
    >>> [hex(int(v)) for v in philox4x32([0, 0, 0, 0], [0, 0])]
    ['0x6627e8d5', '0xe169c58d', '0xbc57ac4c', '0x9b00dbd8']
    """
    c = _uint32_array(counter, "counter")
    if c.ndim == 0 or c.shape[-1] != 4:
        raise ValueError(f"counter: expected shape (..., 4), got {c.shape}")
    k = _uint32_array(key, "key")
    if k.shape != (2,):
        raise ValueError(f"key: expected shape (2,), got {k.shape}")
    r = integer(rounds, "rounds", minimum=0, maximum=16)
    return np.asarray(_core.philox4x32(c, int(k[0]), int(k[1]), r))
