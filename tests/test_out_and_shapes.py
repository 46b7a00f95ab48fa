"""Arguments of the samplers: out=, shape, dtype, parameters and region.

Every rejection must happen before anything is written: rejected ``out=``
arrays are filled with a sentinel first and checked afterwards.
"""

from __future__ import annotations

import math
import sys
from typing import Any

import numpy as np
import pytest
from _helpers import numpy_dtype, run_python, same_bits, sampler

import turboinit as ti

INF = math.inf
NAN = math.nan
SENTINEL = 42.0


def filled(shape: Any, dtype: Any = np.float32) -> np.ndarray:
    return np.full(shape, SENTINEL, dtype=dtype)


def untouched(a: np.ndarray) -> bool:
    return bool((np.asarray(a, dtype=np.float64) == SENTINEL).all())


# ---- out= accepted ------------------------------------------------------------------


def test_out_is_filled_and_returned(distribution: str, dtype: str) -> None:
    out = filled((7, 9), numpy_dtype(dtype))
    result = sampler(distribution)((7, 9), seed=1, dtype=dtype, out=out)
    assert result is out
    assert same_bits(out, sampler(distribution)((7, 9), seed=1, dtype=dtype))


def test_out_may_be_a_memmap(tmp_path: Any, distribution: str) -> None:
    path = tmp_path / "weights.bin"
    out = np.memmap(path, dtype=np.float32, mode="w+", shape=(300, 200))
    result = sampler(distribution)((300, 200), seed=2, out=out)
    assert result is out
    out.flush()
    del result, out
    on_disk = np.fromfile(path, dtype=np.float32).reshape(300, 200)
    assert same_bits(on_disk, sampler(distribution)((300, 200), seed=2))


def test_out_may_be_a_contiguous_view_and_nothing_around_it_is_written() -> None:
    buffer = filled((10, 64))
    rows = buffer[3:6]  # C-contiguous view inside a larger buffer
    assert rows.flags.c_contiguous and not rows.flags.owndata
    ti.normal((3, 64), seed=3, out=rows)
    assert same_bits(rows, ti.normal((3, 64), seed=3))
    assert untouched(buffer[:3]) and untouched(buffer[6:])


def test_zero_dimensional_and_empty_out(distribution: str) -> None:
    scalar = filled(())
    assert sampler(distribution)((), seed=4, out=scalar) is scalar
    assert same_bits(scalar, sampler(distribution)((), seed=4))
    empty = filled((3, 0))
    assert sampler(distribution)((3, 0), seed=4, out=empty) is empty


# ---- out= rejected before any write ----------------------------------------------------


def misaligned_float32(n: int) -> np.ndarray:
    raw = np.zeros(4 * n + 1, dtype=np.uint8)
    view = raw[1:].view(np.float32)
    view[...] = SENTINEL
    assert not view.flags.aligned
    return view


def read_only(shape: Any) -> np.ndarray:
    a = filled(shape)
    a.setflags(write=False)
    return a


BAD_OUTS = [
    ("float64 for float32", lambda: filled((4, 5), np.float64), TypeError, "dtype"),
    ("float16 for float32", lambda: filled((4, 5), np.float16), TypeError, "dtype"),
    ("int32 for float32", lambda: np.full((4, 5), 42, np.int32), TypeError, "dtype"),
    ("byte-swapped float32", lambda: filled((4, 5), ">f4"), TypeError, "dtype"),
    ("transposed shape", lambda: filled((5, 4)), ValueError, "shape"),
    ("flattened shape", lambda: filled(20), ValueError, "shape"),
    ("extra dimension", lambda: filled((1, 4, 5)), ValueError, "shape"),
    ("strided view", lambda: filled((4, 10))[:, ::2], ValueError, "contiguous"),
    ("Fortran order", lambda: np.asfortranarray(filled((4, 5))), ValueError, "contiguous"),
    ("read-only", lambda: read_only((4, 5)), ValueError, "writeable"),
    ("misaligned", lambda: misaligned_float32(20).reshape(4, 5), ValueError, "aligned"),
]


@pytest.mark.parametrize(("what", "make", "error", "words"), BAD_OUTS, ids=[b[0] for b in BAD_OUTS])
def test_bad_out_is_rejected_untouched(
    what: str, make: Any, error: type[Exception], words: str, distribution: str
) -> None:
    out = make()
    with pytest.raises(error, match="out") as info:
        sampler(distribution)((4, 5), seed=0, dtype="float32", out=out)
    assert words in str(info.value)
    assert untouched(out), what


def test_bfloat16_out_for_float16_is_rejected() -> None:
    out = filled(6, numpy_dtype("bfloat16"))
    with pytest.raises(TypeError, match="out"):
        ti.normal(6, seed=0, dtype="float16", out=out)
    assert untouched(out)


@pytest.mark.parametrize("out", [[0.0] * 5, (0.0,) * 5, memoryview(bytearray(20)), 5.0, "x"])
def test_out_must_be_an_ndarray(out: Any) -> None:
    with pytest.raises(TypeError, match="out"):
        ti.uniform(5, seed=0, out=out)


def test_read_only_memmap_is_rejected(tmp_path: Any) -> None:
    path = tmp_path / "ro.bin"
    filled(16).tofile(path)
    out = np.memmap(path, dtype=np.float32, mode="r", shape=(16,))
    with pytest.raises(ValueError, match="writeable"):
        ti.uniform(16, seed=0, out=out)
    assert untouched(np.fromfile(path, dtype=np.float32))


def test_out_must_have_the_region_shape() -> None:
    out = filled((10, 10))
    with pytest.raises(ValueError, match="out"):
        ti.uniform((10, 10), seed=0, out=out, region=(slice(0, 5),))
    assert untouched(out)


BAD_PARAMETERS = [
    ("uniform", {"low": NAN}, ValueError, "low"),
    ("uniform", {"high": INF}, ValueError, "high"),
    ("uniform", {"low": -INF}, ValueError, "low"),
    ("uniform", {"low": 2.0, "high": 1.0}, ValueError, "high"),
    ("normal", {"mean": NAN}, ValueError, "mean"),
    ("normal", {"mean": -INF}, ValueError, "mean"),
    ("normal", {"std": INF}, ValueError, "std"),
    ("normal", {"std": NAN}, ValueError, "std"),
    ("normal", {"std": -1.0}, ValueError, "std"),
    ("normal", {"std": -1e-300}, ValueError, "std"),
    ("truncated_normal", {"mean": INF}, ValueError, "mean"),
    ("truncated_normal", {"std": -2.0}, ValueError, "std"),
    ("truncated_normal", {"std": NAN}, ValueError, "std"),
    ("truncated_normal", {"lower": NAN}, ValueError, "lower"),
    ("truncated_normal", {"upper": NAN}, ValueError, "upper"),
    ("truncated_normal", {"lower": 1.0, "upper": 1.0}, ValueError, "lower"),
    ("truncated_normal", {"lower": 2.0, "upper": 1.0}, ValueError, "lower"),
    ("truncated_normal", {"lower": INF, "upper": INF}, ValueError, "lower"),
    ("truncated_normal", {"lower": -INF, "upper": -INF}, ValueError, "lower"),
    ("truncated_normal", {"lower": INF}, ValueError, "lower"),
    ("normal", {"mean": "0"}, TypeError, "mean"),
    ("normal", {"std": None}, TypeError, "std"),
    ("normal", {"mean": 1j}, TypeError, "mean"),
    ("normal", {"std": np.array([1.0, 2.0])}, TypeError, "std"),
    ("uniform", {"low": [0.0]}, TypeError, "low"),
    ("truncated_normal", {"lower": "-2"}, TypeError, "lower"),
    ("truncated_normal", {"upper": None}, TypeError, "upper"),
]


@pytest.mark.parametrize(("name", "kwargs", "error", "argname"), BAD_PARAMETERS, ids=str)
def test_bad_parameters_raise_and_leave_out_untouched(
    name: str, kwargs: dict[str, Any], error: type[Exception], argname: str
) -> None:
    out = filled(100)
    with pytest.raises(error, match=argname):
        sampler(name)(100, seed=0, out=out, **kwargs)
    assert untouched(out)


# ---- overflow of the dtype ------------------------------------------------------------


OVERFLOWS = [
    ("normal", {"std": 1e4}, "float16", "std"),  # 6.66 sigma = 66604 > 65504
    ("normal", {"mean": 6e4, "std": 1000.0}, "float16", "std"),
    ("normal", {"std": 1e38}, "float32", "std"),
    ("normal", {"std": 1e38}, "bfloat16", "std"),
    ("normal", {"std": 1e308}, "float64", "std"),
    ("truncated_normal", {"std": 1e5}, "float16", "std"),  # finite bounds at +-2e5
    ("truncated_normal", {"std": 1e4, "lower": -INF, "upper": 0.0}, "float16", "std"),
    ("truncated_normal", {"std": 1e300, "lower": 0.0, "upper": INF}, "float32", "std"),
    ("uniform", {"low": -3e38, "high": 3e38}, "float32", "high - low"),
    ("uniform", {"low": -3e38, "high": 3e38}, "float16", "low, high"),
    ("uniform", {"low": -1e308, "high": 1e308}, "float64", "high - low"),
]


@pytest.mark.parametrize(("name", "kwargs", "dtype_name", "argname"), OVERFLOWS, ids=str)
def test_samples_beyond_the_dtype_raise_overflow_error(
    name: str, kwargs: dict[str, Any], dtype_name: str, argname: str
) -> None:
    out = filled(64, numpy_dtype(dtype_name))
    with pytest.raises(OverflowError, match=argname):
        sampler(name)(64, seed=0, dtype=dtype_name, out=out, **kwargs)
    assert untouched(out)


@pytest.mark.parametrize(("low", "high"), [(-1e5, 1e5), (6e4, 7e4), (0.0, 65520.0 * 2)])
def test_uniform_beyond_the_float16_range_raises_overflow_error(low: float, high: float) -> None:
    # Part of [low, high) rounds to +-inf in float16 (|x| >= 65520): those
    # samples cannot be represented, and clamping them to +-65504 would
    # silently pile up mass there, so this must be refused like normal().
    out = filled(64, np.float16)
    with pytest.raises(OverflowError, match="low|high"):
        ti.uniform(64, low, high, seed=0, dtype="float16", out=out)
    assert untouched(out)


def test_uniform_entirely_beyond_float16_is_refused() -> None:
    with pytest.raises((ValueError, OverflowError), match="low|high"):
        ti.uniform(8, 7e4, 8e4, seed=0, dtype="float16")


def test_largest_finite_values_are_fine() -> None:
    # Bounds and reach within float16's finite range (max 65504) are accepted.
    x = ti.uniform(10_000, -65504.0, 65504.0, seed=0, dtype="float16").astype(np.float64)
    assert np.isfinite(x).all() and x.min() >= -65504.0 and x.max() < 65504.0
    y = ti.normal(10_000, 0.0, 9000.0, seed=0, dtype="float16").astype(np.float64)
    assert np.isfinite(y).all()


# ---- shapes -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("shape", "expected"),
    [
        (5, (5,)),
        ((5,), (5,)),
        ([2, 3], (2, 3)),
        ((2, 3, 4), (2, 3, 4)),
        ((), ()),
        (0, (0,)),
        ((3, 0, 2), (3, 0, 2)),
        (np.int64(6), (6,)),
        ((np.int32(2), np.uint8(3)), (2, 3)),
        (np.array([2, 5]), (2, 5)),
        (range(1, 4), (1, 2, 3)),
    ],
    ids=str,
)
def test_accepted_shapes(shape: Any, expected: tuple[int, ...], distribution: str) -> None:
    x = sampler(distribution)(shape, seed=0)
    assert isinstance(x, np.ndarray)
    assert x.shape == expected
    assert x.dtype == np.float32
    assert x.flags.c_contiguous and x.flags.owndata


def test_numpy_integer_shapes_give_the_same_bits() -> None:
    assert same_bits(ti.normal((np.int64(3), np.uint16(5)), seed=9), ti.normal((3, 5), seed=9))
    assert same_bits(ti.normal(np.int8(15), seed=9), ti.normal(15, seed=9))


@pytest.mark.parametrize("shape", [-1, (3, -1), (-(2**70),), [0, -5]])
def test_negative_dimensions(shape: Any) -> None:
    with pytest.raises(ValueError, match="shape"):
        ti.uniform(shape, seed=0)


@pytest.mark.parametrize(
    "shape",
    [2.0, (2.0, 3), True, (True, 2), np.bool_(True), "5", b"5", None, (None,), 3 + 0j, [[2, 3]]],
)
def test_non_integer_shapes(shape: Any) -> None:
    with pytest.raises(TypeError, match="shape"):
        ti.normal(shape, seed=0)


@pytest.mark.parametrize(
    ("shape", "dtype_name"),
    [
        ((2**40, 2**40), "float32"),
        ((2**64,), "float16"),
        ((2**70,), "float64"),
        ((2**31, 2**31), "float32"),
        ((2**62, 2), "bfloat16"),
    ],
)
def test_shapes_whose_size_overflows_are_refused_before_allocating(
    shape: tuple[int, ...], dtype_name: str
) -> None:
    numpy_dtype(dtype_name)
    out = filled(1, numpy_dtype(dtype_name))
    for kwargs in ({}, {"region": tuple(slice(0, 1) for _ in shape)}):
        with pytest.raises(ValueError, match="shape"):
            ti.truncated_normal(shape, seed=0, dtype=dtype_name, **kwargs)
    with pytest.raises(ValueError, match="shape"):
        ti.uniform(shape, seed=0, dtype=dtype_name, out=out)
    assert untouched(out)


def test_unallocatable_but_addressable_shape_raises_memory_error() -> None:
    # 2**61 float16 = 4 EiB: a valid counter range, but no machine has the memory.
    with pytest.raises(MemoryError, match="shape"):
        ti.uniform(2**61, seed=0, dtype="float16")


# ---- dtypes ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spelling", "canonical"),
    [
        (np.float32, "float32"),
        ("float32", "float32"),
        (np.dtype("float32"), "float32"),
        ("f4", "float32"),
        (None, "float32"),
        (np.float64, "float64"),
        (float, "float64"),
        ("float64", "float64"),
        ("<f8" if sys.byteorder == "little" else ">f8", "float64"),
        (np.float16, "float16"),
        ("half", "float16"),
        (np.dtype("float16"), "float16"),
    ],
    ids=str,
)
def test_dtype_spellings(spelling: Any, canonical: str, distribution: str) -> None:
    f = sampler(distribution)
    x = f(50, seed=1, dtype=spelling)
    assert x.dtype == np.dtype(canonical)
    assert same_bits(x, f(50, seed=1, dtype=canonical))


@pytest.mark.parametrize("spelling", ["bfloat16", "ml_dtypes.bfloat16", "np.dtype(bfloat16)"])
def test_bfloat16_spellings(spelling: str, distribution: str) -> None:
    ml_dtypes = pytest.importorskip("ml_dtypes")
    value = {
        "bfloat16": "bfloat16",
        "ml_dtypes.bfloat16": ml_dtypes.bfloat16,
        "np.dtype(bfloat16)": np.dtype(ml_dtypes.bfloat16),
    }[spelling]
    x = sampler(distribution)(50, seed=1, dtype=value)
    assert x.dtype == np.dtype(ml_dtypes.bfloat16)
    assert same_bits(x, sampler(distribution)(50, seed=1, dtype="bfloat16"))


@pytest.mark.parametrize(
    "dtype_value",
    [
        np.int32,
        "int32",
        int,
        bool,
        "float8",
        "bfloat17",
        np.complex64,
        complex,
        "complex128",
        object,
        "V2",
        np.dtype([("a", "f4")]),
        ">f4" if sys.byteorder == "little" else "<f4",
        ">f8" if sys.byteorder == "little" else "<f8",
        *([np.longdouble] if np.dtype(np.longdouble) != np.dtype(np.float64) else []),
    ],
    ids=str,
)
def test_unsupported_dtypes(dtype_value: Any, distribution: str) -> None:
    with pytest.raises(TypeError, match="dtype"):
        sampler(distribution)(5, seed=0, dtype=dtype_value)


def test_without_ml_dtypes_only_bfloat16_needs_it() -> None:
    # numpy is the only required dependency; a fresh process (no dtype cache)
    # in which `import ml_dtypes` fails.
    code = """
import sys
sys.modules["ml_dtypes"] = None  # makes `import ml_dtypes` raise ImportError
import turboinit as ti
print(ti.normal(3, seed=0, dtype="float16").dtype)
try:
    ti.uniform(4, seed=0, dtype="bfloat16")
except ImportError as e:
    print("ImportError:", e)
"""
    proc = run_python(code)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "float16"
    assert lines[1].startswith("ImportError:") and "ml_dtypes" in lines[1]


# ---- regions ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "region",
    [
        (slice(0, 10, 2),),
        (slice(None, None, -1),),
        (slice(0, 5), slice(0, 4, 3)),
        (slice(0, 5, 0),),
    ],
    ids=str,
)
def test_region_steps_other_than_one(region: Any) -> None:
    with pytest.raises(ValueError, match="step"):
        ti.uniform((10, 8), seed=0, region=region)


@pytest.mark.parametrize(
    "region",
    [
        (slice(0, 11),),
        (slice(-11, None),),
        (slice(11, None),),
        (slice(0, 10), slice(0, 9)),
        (slice(0, 10), slice(-9, None)),
    ],
    ids=str,
)
def test_region_out_of_bounds(region: Any) -> None:
    with pytest.raises(ValueError, match="region"):
        ti.normal((10, 8), seed=0, region=region)


@pytest.mark.parametrize(
    "region",
    [
        [slice(0, 2)],
        (0, slice(None)),
        3,
        "0:2",
        Ellipsis,
        (Ellipsis,),
        (slice("a", 2),),
        (slice(1.5, 2),),
        (slice(0, 2.0),),
        (None,),
    ],
    ids=str,
)
def test_region_of_the_wrong_type(region: Any) -> None:
    with pytest.raises(TypeError, match="region"):
        ti.truncated_normal((10, 8), seed=0, region=region)


def test_region_with_too_many_slices() -> None:
    with pytest.raises(ValueError, match="region"):
        ti.uniform((10, 8), seed=0, region=(slice(None),) * 3)
    with pytest.raises(ValueError, match="region"):
        ti.uniform((), seed=0, region=(slice(None),))


def test_reversed_region_bounds_are_empty_like_numpy() -> None:
    full = ti.uniform((10, 8), seed=0)
    part = ti.uniform((10, 8), seed=0, region=(slice(6, 3),))
    assert part.shape == full[6:3].shape == (0, 8)
