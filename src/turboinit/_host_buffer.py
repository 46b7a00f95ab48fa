"""Host buffers that the framework adapters fill and hand to JAX or PyTorch.

``empty_host(shape, dtype)`` is an uninitialised, C-contiguous NumPy array that

* is aligned to 64 bytes, so ``jax.device_put`` on the CPU wraps it instead of
  copying it (XLA's CPU client aliases aligned host buffers), as
  ``torch.as_tensor`` does;
* from 4 MiB up (on Linux), lives in its own anonymous mapping marked
  ``MADV_NOHUGEPAGE``: small pages, as XLA's and PyTorch's own allocators get.
  NumPy marks its large allocations ``MADV_HUGEPAGE``; on the hosts we measured
  (2-core VMs) the first touch of a fresh huge page cost about 4-5 ns of system
  time per float32 element, four times that of small pages, more than drawing a
  uniform value (``benchmarks/bench_frameworks.py --breakdown``).

The array owns its memory (through its ``base``, the mapping, which is unmapped
when the last view of it goes away), so a ``jax.Array`` or ``torch.Tensor``
that aliases it keeps it alive.  The adapters never write to it after handing
it over.
"""

from __future__ import annotations

import math
import mmap

import numpy as np

# 64 bytes: the alignment XLA's CPU client needs to alias a host buffer.
_ALIGN = 64
# NumPy madvises huge pages for allocations from 4 MiB up; below that both
# paths get small pages and np.empty is cheaper than a mapping.
_MAP_MIN_BYTES = 1 << 22
_NO_HUGE = getattr(mmap, "MADV_NOHUGEPAGE", None)
_PRIVATE = getattr(mmap, "MAP_PRIVATE", None)
_ANONYMOUS = getattr(mmap, "MAP_ANONYMOUS", None)
_CAN_MAP = None not in (_NO_HUGE, _PRIVATE, _ANONYMOUS)


def _aligned_numpy(nbytes: int) -> np.ndarray:
    raw = np.empty(nbytes + _ALIGN, dtype=np.uint8)
    start = (-raw.ctypes.data) % _ALIGN
    return raw[start : start + nbytes]


def _small_pages(nbytes: int) -> np.ndarray:
    assert _NO_HUGE is not None and _PRIVATE is not None and _ANONYMOUS is not None
    region = mmap.mmap(-1, nbytes, flags=_PRIVATE | _ANONYMOUS)
    region.madvise(_NO_HUGE)
    return np.frombuffer(region, dtype=np.uint8)  # page-aligned


def empty_host(shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """An uninitialised C-contiguous array, 64-byte aligned (small pages from 4 MiB up).

    Parameters
    ----------
    shape : tuple of int
    dtype : numpy.dtype

    Returns
    -------
    numpy.ndarray
        Writable, owning its memory through its ``base``; its data is 64-byte
        aligned unless it is empty.

    Examples
    --------
    >>> import numpy as np
    >>> from turboinit._host_buffer import empty_host
    >>> a = empty_host((1024, 1024, 2), np.dtype("float32"))
    >>> a.shape, a.flags.c_contiguous, a.ctypes.data % 64
    ((1024, 1024, 2), True, 0)
    """
    nbytes = math.prod(shape) * dtype.itemsize
    raw = _small_pages(nbytes) if _CAN_MAP and nbytes >= _MAP_MIN_BYTES else _aligned_numpy(nbytes)
    return raw.view(dtype).reshape(shape)
