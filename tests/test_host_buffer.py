"""turboinit._host_buffer.empty_host: the buffers the JAX and Keras adapters fill.

* C-contiguous, writable, 64-byte aligned, of the asked shape and dtype, below
  and above the 4 MiB mapping threshold;
* from 4 MiB up on Linux, in a mapping the kernel may not back with huge pages
  (``THPeligible: 0`` in ``/proc/self/smaps``);
* a ``jax.Array`` made from one keeps its values after every NumPy reference
  to the buffer is gone (the array owns its memory through its base).
"""

from __future__ import annotations

import gc
import sys

import numpy as np
import pytest

from turboinit._host_buffer import _MAP_MIN_BYTES, empty_host

SHAPES = [(), (0,), (3, 5), (1 << 20, 2), (_MAP_MIN_BYTES // 4 - 1,), (3, 1 << 20)]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
def test_shape_dtype_alignment(shape: tuple[int, ...], dtype: str) -> None:
    a = empty_host(shape, np.dtype(dtype))
    assert a.shape == shape and a.dtype == np.dtype(dtype)
    assert a.flags.c_contiguous and a.flags.writeable
    assert a.size == 0 or a.ctypes.data % 64 == 0  # an empty array has no data to align
    a[...] = 1.5
    assert (a == 1.5).all()


def _thp_eligible(address: int) -> bool:
    with open("/proc/self/smaps") as f:
        inside = False
        for line in f:
            head = line.split()[0]
            if "-" in head and not head.endswith(":"):
                lo, hi = (int(x, 16) for x in head.split("-"))
                inside = lo <= address < hi
            elif inside and head == "THPeligible:":
                return line.split()[1] != "0"
    raise AssertionError(f"no mapping holds {address:#x}")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="madvise and smaps are Linux's")
def test_large_buffers_are_not_huge_page_eligible() -> None:
    a = empty_host((_MAP_MIN_BYTES // 4,), np.dtype("float32"))
    a[...] = 0
    # (the middle: NumPy's own madvise leaves the first, partial page out of its range)
    assert not _thp_eligible(a.ctypes.data + a.nbytes // 2)


def test_a_jax_array_of_it_outlives_the_numpy_references() -> None:
    jax = pytest.importorskip("jax")
    a = empty_host((1 << 21,), np.dtype("float32"))
    a[...] = np.arange(a.size, dtype=np.float32)
    x = jax.device_put(a)
    del a
    gc.collect()
    junk = [np.full(1 << 21, -1.0, np.float32) for _ in range(4)]  # reuse freed memory
    assert (np.asarray(x) == np.arange(1 << 21, dtype=np.float32)).all()
    del junk
