"""Reproducibility: the same bits for every thread count, SIMD kernel, region
split and output buffer.

References are made with the baseline kernel on one thread; every other
configuration must reproduce them bit for bit (compared as raw bytes).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import math
import zlib
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from _helpers import DTYPES, KERNELS, numpy_dtype, run_python, same_bits

import turboinit as ti
from turboinit import _core

INF = math.inf

# One call per sampler and per truncated-normal sampler (the inverse CDF; the
# normal, half-normal, uniform and exponential proposals, each in every dtype),
# so that every kernel code path is compared.
CALLS: dict[str, tuple[str, tuple[float, ...]]] = {
    "uniform": ("uniform", (-2.0, 3.0)),
    "normal": ("normal", (0.5, 2.0)),
    "truncated_normal": ("truncated_normal", (0.1, 1.5, -1.0, 2.5)),  # inverse CDF
    "trunc-normal": ("truncated_normal", (0.0, 1.0, -3.5, 3.5)),
    "trunc-half_normal": ("truncated_normal", (0.0, 1.0, 0.0, INF)),
    "trunc-uniform": ("truncated_normal", (0.0, 1.0, 3.2, 3.3)),
    "trunc-exponential": ("truncated_normal", (-1.0, 0.5, 6.0, 9.0)),
}
BIG = 300_001  # several parallel chunks of 2**16 elements, odd length


def call(name: str, shape: Any, dtype: str, seed: int = 77, **kwargs: Any) -> np.ndarray:
    kind, params = CALLS[name]
    return getattr(ti, kind)(shape, *params, seed=seed, stream="determinism", dtype=dtype, **kwargs)


@contextlib.contextmanager
def active_kernel(name: str) -> Iterator[None]:
    before = _core.build_info()["kernel"]
    _core.set_kernel(name)
    try:
        yield
    finally:
        _core.set_kernel(before)


@contextlib.contextmanager
def threads(n: int) -> Iterator[None]:
    ti.set_num_threads(n)
    try:
        yield
    finally:
        ti.set_num_threads(None)


@functools.cache
def reference(name: str, dtype: str, shape: tuple[int, ...] = (BIG,)) -> np.ndarray:
    with active_kernel("baseline"), threads(1):
        result = call(name, shape, dtype)
    result.setflags(write=False)
    return result


# ---- threads x kernels -------------------------------------------------------------


@pytest.mark.parametrize("name", list(CALLS))
@pytest.mark.parametrize("num_threads", [1, 2, 3, 4])
def test_same_bits_for_every_thread_count_and_kernel(
    kernel: str, num_threads: int, name: str, dtype: str, restore_threads: None
) -> None:
    ti.set_num_threads(num_threads)
    assert ti.get_num_threads() == num_threads
    got = call(name, (BIG,), dtype)
    assert same_bits(got, reference(name, dtype)), f"{kernel}, {num_threads} threads"


@pytest.mark.parametrize("num_threads", [1, 2, 3, 4])
def test_partial_rows_split_across_threads(
    kernel: str, num_threads: int, restore_threads: None
) -> None:
    # 647 x 982 elements: parallel chunks start and end in the middle of rows.
    shape, region = (700, 1000), (slice(3, 650), slice(17, 999))
    ti.set_num_threads(num_threads)
    for name in CALLS:
        full = reference(name, "float32", shape)
        got = call(name, shape, "float32", region=region)
        assert same_bits(got, full[region]), name


def test_default_kernel_matches_baseline_in_a_fresh_process() -> None:
    # TURBOINIT_KERNEL is read once at start-up, so this needs its own process.
    code = f"""
import hashlib, json
import turboinit as ti
from turboinit import _core
calls = json.loads({json.dumps(CALLS)!r})
out = {{"kernel": _core.build_info()["kernel"], "hashes": {{}}}}
for dtype in {list(DTYPES)!r}:
    if dtype == "bfloat16":
        try:
            import ml_dtypes  # noqa: F401
        except ImportError:
            continue
    for name, (kind, params) in calls.items():
        x = getattr(ti, kind)(({BIG},), *params, seed=77, stream="determinism", dtype=dtype)
        out["hashes"][name + "/" + dtype] = hashlib.sha256(x.tobytes()).hexdigest()
print(json.dumps(out))
"""
    proc = run_python(code, env={"TURBOINIT_KERNEL": "baseline"})
    assert proc.returncode == 0, proc.stderr
    child = json.loads(proc.stdout)
    assert child["kernel"] == "baseline"
    default = _core.build_info()["kernels_supported"][0]
    with active_kernel(default):
        for key, digest in child["hashes"].items():
            name, dtype = key.split("/")
            here = call(name, (BIG,), dtype)
            assert hashlib.sha256(here.tobytes()).hexdigest() == digest, f"{key} on {default}"
    assert len(child["hashes"]) >= len(CALLS) * 3


# ---- regions ---------------------------------------------------------------------


def random_region(rng: np.random.Generator) -> tuple[tuple[int, ...], tuple[slice, ...]]:
    """A shape of 1 to 4 dimensions and a step-1 region of it, in all the
    spellings NumPy allows (None, negative bounds, fewer slices than dims)."""
    ndim = int(rng.integers(1, 5))
    max_dim = {1: 5000, 2: 150, 3: 40, 4: 14}[ndim]
    shape = tuple(int(rng.integers(0, max_dim + 1)) if rng.random() < 0.05 else
                  int(rng.integers(1, max_dim + 1)) for _ in range(ndim))  # fmt: skip
    slices = []
    for n in shape:
        lo = int(rng.integers(0, n + 1))
        hi = int(rng.integers(lo, n + 1))
        style = rng.random()
        if style < 0.1:
            slices.append(slice(None))
        elif style < 0.2:
            slices.append(slice(lo - n if lo < n else lo, None))  # negative start
        elif style < 0.3:
            slices.append(slice(lo, hi - n if hi < n else None))  # negative stop
        elif style < 0.35:
            slices.append(slice(lo, lo))  # empty
        else:
            slices.append(slice(lo, hi))
    keep = int(rng.integers(1, ndim + 1))  # trailing dims may be left out
    return shape, tuple(slices[:keep])


EDGE_REGIONS: list[tuple[tuple[int, ...], Any]] = [
    ((1000,), (slice(63, 65),)),
    ((1000,), (slice(64, 128),)),
    ((1000,), (slice(1, 999),)),
    ((1000,), (slice(999, 1000),)),
    ((1000,), (slice(500, 500),)),
    ((1000,), (slice(None),)),
    ((1000,), slice(100, 300)),  # a bare slice
    ((1000,), (slice(-10, None),)),
    ((3, 300), (slice(1, 2), slice(0, 300))),
    ((3, 300), (slice(0, 3), slice(17, 18))),
    ((3, 300), (slice(2, 3),)),
    ((7, 11, 13), (slice(2, 5),)),
    ((7, 11, 13), (slice(0, 7), slice(3, 4), slice(0, 13))),
    ((2, 3, 5, 7), (slice(1, 2), slice(0, 3), slice(1, 4), slice(6, 7))),
    ((5, 0, 3), (slice(1, 3),)),
    ((0,), (slice(None),)),
    ((), ()),
    ((), None),
    ((4097,), (slice(4033, 4097),)),
    ((65, 65), (slice(64, 65), slice(1, 65))),
]


def check_region(name: str, dtype: str, shape: tuple[int, ...], region: Any) -> None:
    full = call(name, shape, dtype)
    part = call(name, shape, dtype, region=region)
    index = () if region is None else region if isinstance(region, tuple) else (region,)
    view = full[index + (Ellipsis,)]  # an array, also for 0-d shapes
    assert same_bits(part, view.copy(order="C")), (name, dtype, shape, region)


@pytest.mark.parametrize("name", list(CALLS))
def test_random_regions_equal_the_slice_of_the_whole(name: str, dtype: str) -> None:
    rng = np.random.default_rng(zlib.crc32(f"{name}/{dtype}".encode()))
    for _ in range(40):
        shape, region = random_region(rng)
        check_region(name, dtype, shape, region)


@pytest.mark.parametrize(("shape", "region"), EDGE_REGIONS, ids=str)
def test_edge_regions_equal_the_slice_of_the_whole(
    shape: tuple[int, ...], region: Any, distribution: str, dtype: str
) -> None:
    check_region(distribution, dtype, shape, region)


def test_region_equal_to_the_whole(distribution: str, dtype: str) -> None:
    shape = (33, 70)
    whole = (slice(0, 33), slice(0, 70))
    assert same_bits(
        call(distribution, shape, dtype, region=whole), call(distribution, shape, dtype)
    )


def test_tiling_reassembles_the_whole(dtype: str) -> None:
    # Generating a tensor tile by tile (as a sharded loader would) gives the whole.
    shape = (97, 131)
    for name in CALLS:
        whole = call(name, shape, dtype)
        tiled = np.empty_like(whole)
        for r0 in range(0, 97, 40):
            for c0 in range(0, 131, 50):
                region = (slice(r0, min(r0 + 40, 97)), slice(c0, min(c0 + 50, 131)))
                tiled[region] = call(name, shape, dtype, region=region)
        assert same_bits(tiled, whole), name


# ---- outputs of 4 MiB and more: chunks of whole 2 MiB pages --------------------
# From 4 MiB (_core's fill threshold, NumPy's huge-page one) the parallel chunks follow
# the destination's 2 MiB pages, so their boundaries move with its address.  Made at
# several addresses and thread counts, a large output must equal its prefix made alone
# (which is under the threshold) and itself everywhere.
PAGED = (1 << 21) + 4321  # 4 MiB and more in float16, 8 in float32, 16 in float64
PREFIX = 300_001


def made_at_offsets(make: Any, dtype: Any) -> Iterator[np.ndarray]:
    """``make(out)`` into a fresh array and into views at odd element offsets of a larger
    buffer, on 1 and 2 threads."""
    backing = np.empty(PAGED + 12_346, dtype=dtype)
    for num_threads in (1, 2):
        with threads(num_threads):
            yield make(None)
            for offset in (1, 12_345):
                out = backing[offset : offset + PAGED]
                out[...] = 7  # a chunk left out would keep it (a fresh array has zeros)
                assert make(out) is out
                yield out


@pytest.mark.parametrize("name", ["uniform", "normal", "truncated_normal"])
@pytest.mark.parametrize("dtype", ["float64", "float32", "float16"])
def test_large_outputs_keep_the_bits_at_every_address(
    name: str, dtype: str, restore_threads: None
) -> None:
    prefix = call(name, (PREFIX,), dtype)
    first = None
    for got in made_at_offsets(
        lambda out: call(name, (PAGED,), dtype, out=out), numpy_dtype(dtype)
    ):
        if first is None:
            first = got.copy()
            assert same_bits(first[:PREFIX], prefix), (name, dtype)
        assert same_bits(got, first), (name, dtype)


@pytest.mark.parametrize("method", ["random", "standard_exponential", "standard_gamma"])
def test_large_generator_outputs_keep_the_bits_at_every_address(
    method: str, restore_threads: None
) -> None:
    args: tuple[Any, ...] = (2.5,) if method == "standard_gamma" else ()

    def make(out: Any, size: int = PAGED) -> np.ndarray:
        f = getattr(ti.random.default_rng(5), method)
        return f(*args, size=size) if out is None else f(*args, out=out)

    prefix = make(None, PREFIX)
    first = None
    for got in made_at_offsets(make, np.float64):
        if first is None:
            first = got.copy()
            assert same_bits(first[:PREFIX], prefix), method
        assert same_bits(got, first), method


# Methods without out=: new arrays only (NumPy's address, 16 bytes past a page), on 1-3
# threads.  dirichlet's rows of 4 (32 bytes) then straddle the 2 MiB boundaries, and
# stay with the chunk before.  Prefixes stay under 4 MiB.
@pytest.mark.parametrize(
    ("method", "args", "size", "prefix"),
    [
        ("integers", (0, 1000), PAGED, PREFIX),
        ("dirichlet", ([1.0, 2.0, 3.0, 4.0],), PAGED // 4, 100_000),
    ],
)
def test_large_new_outputs_keep_the_bits(
    method: str, args: tuple[Any, ...], size: int, prefix: int, restore_threads: None
) -> None:
    def make(n: int) -> np.ndarray:
        return getattr(ti.random.default_rng(5), method)(*args, size=n)

    alone = make(prefix)
    with threads(1):
        first = make(size)
    assert same_bits(first[:prefix], alone), method
    for num_threads in (2, 3):
        with threads(num_threads):
            assert same_bits(make(size), first), (method, num_threads)


# ---- out= ------------------------------------------------------------------------


def sentinel(dtype: str, shape: tuple[int, ...]) -> np.ndarray:
    return np.full(shape, np.nan, dtype=numpy_dtype(dtype))


@pytest.mark.parametrize("name", list(CALLS))
def test_out_gives_the_same_bits_as_a_fresh_array(name: str, dtype: str) -> None:
    shape = (123, 77)
    fresh = call(name, shape, dtype)
    out = sentinel(dtype, shape)
    result = call(name, shape, dtype, out=out)
    assert result is out
    assert same_bits(out, fresh)
    # Reusing the buffer overwrites every element with the same bits again.
    out[...] = 0
    call(name, shape, dtype, out=out)
    assert same_bits(out, fresh)


@pytest.mark.parametrize("name", list(CALLS))
def test_out_with_region(name: str, dtype: str) -> None:
    shape, region = (50, 300), (slice(7, 31), slice(65, 299))
    out = sentinel(dtype, (24, 234))
    assert call(name, shape, dtype, out=out, region=region) is out
    assert same_bits(out, np.ascontiguousarray(call(name, shape, dtype)[region]))


def test_repeated_calls_are_identical(distribution: str) -> None:
    first = call(distribution, (BIG,), "float32")
    for _ in range(3):
        assert same_bits(call(distribution, (BIG,), "float32"), first)


def test_every_supported_kernel_is_covered() -> None:
    assert KERNELS[-1] == "baseline"
    assert len(set(KERNELS)) == len(KERNELS)
