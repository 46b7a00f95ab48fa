"""turboinit.random.Generator against numpy.random.Generator: one table of calls,
run through both; the results must agree in Python type, shape and dtype (the
values differ), and failing calls must raise the same exception type."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pytest

from turboinit.random import Generator, default_rng


def ro(shape: Any = 3) -> np.ndarray:
    a = np.empty(shape)
    a.flags.writeable = False
    return a


# (method, factory of (args, kwargs)): a factory, so each run gets fresh out= arrays.
CALLS: list[tuple[str, Callable[[], tuple[tuple[Any, ...], dict[str, Any]]]]] = [
    # random: size forms
    ("random", lambda: ((), {})),
    ("random", lambda: ((None,), {})),
    ("random", lambda: (((),), {})),
    ("random", lambda: ((3,), {})),
    ("random", lambda: ((0,), {})),
    ("random", lambda: (((2, 3),), {})),
    ("random", lambda: (((2, 0, 4),), {})),
    ("random", lambda: (([2, 3],), {})),
    ("random", lambda: ((np.int64(3),), {})),
    ("random", lambda: ((np.array([2, 3]),), {})),
    ("random", lambda: ((), {"size": (4, 1)})),
    ("random", lambda: ((-1,), {})),
    ("random", lambda: (((2, -1),), {})),
    ("random", lambda: ((2.5,), {})),
    ("random", lambda: (("3",), {})),
    ("random", lambda: ((True,), {})),
    ("random", lambda: (((True,),), {})),
    # random: dtypes
    ("random", lambda: ((), {"dtype": np.float32})),
    ("random", lambda: ((3,), {"dtype": "f"})),
    ("random", lambda: ((3,), {"dtype": "d"})),
    ("random", lambda: ((3,), {"dtype": "float64"})),
    ("random", lambda: ((None, None), {})),
    ("random", lambda: ((3,), {"dtype": np.float16})),
    ("random", lambda: ((3,), {"dtype": np.int64})),
    ("random", lambda: ((3,), {"dtype": "foo"})),
    # random: out=
    ("random", lambda: ((), {"out": np.empty((2, 3))})),
    ("random", lambda: (((2, 3),), {"out": np.empty((2, 3))})),
    ("random", lambda: (((3, 2),), {"out": np.empty((2, 3))})),
    ("random", lambda: ((), {"out": np.empty((2, 3), np.float32)})),
    ("random", lambda: ((), {"out": np.empty((2, 3), np.float32), "dtype": np.float32})),
    ("random", lambda: ((), {"out": np.empty((3, 2), order="F")})),
    ("random", lambda: ((), {"out": np.empty((2, 6))[:, ::2]})),
    ("random", lambda: ((), {"out": ro()})),
    ("random", lambda: ((), {"out": [1.0, 2.0]})),
    ("random", lambda: ((), {"out": np.empty(3, np.int64)})),
    ("random", lambda: ((), {"out": np.empty(())})),
    ("random", lambda: ((), {"out": np.empty(3, ">f8")})),
    # standard_normal
    ("standard_normal", lambda: ((), {})),
    ("standard_normal", lambda: ((None,), {})),
    ("standard_normal", lambda: (((),), {})),
    ("standard_normal", lambda: (((2, 3),), {})),
    ("standard_normal", lambda: ((0,), {})),
    ("standard_normal", lambda: ((), {"dtype": np.float32})),
    ("standard_normal", lambda: ((5,), {"dtype": "float32"})),
    ("standard_normal", lambda: ((5,), {"dtype": np.float16})),
    ("standard_normal", lambda: ((5,), {"dtype": np.int32})),
    ("standard_normal", lambda: ((), {"out": np.empty((2, 3))})),
    ("standard_normal", lambda: ((), {"out": np.empty((2, 3), np.float32)})),
    ("standard_normal", lambda: ((), {"out": np.empty((2, 3), np.float32), "dtype": "f"})),
    ("standard_normal", lambda: (((4,),), {"out": np.empty(3)})),
    ("standard_normal", lambda: ((), {"out": np.empty((4, 3), order="F")})),
    ("standard_normal", lambda: ((-2,), {})),
    # uniform
    ("uniform", lambda: ((), {})),
    ("uniform", lambda: ((0, 1), {})),
    ("uniform", lambda: ((0, 1, None), {})),
    ("uniform", lambda: ((0, 1, ()), {})),
    ("uniform", lambda: ((0, 1, 5), {})),
    ("uniform", lambda: ((-1.5, 2.5, (2, 3)), {})),
    ("uniform", lambda: ((np.float32(1), 2), {})),
    ("uniform", lambda: ((np.int64(1), 2), {})),
    ("uniform", lambda: ((True, 2), {})),
    ("uniform", lambda: ((2.0, 2.0), {})),
    ("uniform", lambda: (([0, 1], [2, 3]), {})),
    ("uniform", lambda: ((0, [1, 2]), {})),
    ("uniform", lambda: ((np.zeros((2, 1)), np.ones(3)), {})),
    ("uniform", lambda: ((np.zeros((2, 1)), np.ones(3), (4, 2, 3)), {})),
    ("uniform", lambda: ((np.zeros((2, 1)), np.ones(3), (2, 2)), {})),
    ("uniform", lambda: ((np.zeros(3), 1, ()), {})),
    ("uniform", lambda: ((np.zeros(3), 1, (3, 1)), {})),
    ("uniform", lambda: ((np.array(1.0), 2.0), {})),
    ("uniform", lambda: ((np.array(1.0), 2.0, ()), {})),
    ("uniform", lambda: (([[]], 1.0), {})),
    ("uniform", lambda: ((np.zeros(3, np.float32), 1), {})),
    ("uniform", lambda: ((), {"low": np.zeros(2), "high": 3, "size": (5, 2)})),
    ("uniform", lambda: ((0, 1, (2, 0)), {})),
    ("uniform", lambda: ((1, 0), {})),
    ("uniform", lambda: (([1], [0]), {})),
    ("uniform", lambda: ((0, np.inf), {})),
    ("uniform", lambda: ((-np.inf, np.inf), {})),
    ("uniform", lambda: ((np.inf, 0), {})),
    ("uniform", lambda: ((np.nan, 1), {})),
    ("uniform", lambda: (([np.nan], 0), {})),
    ("uniform", lambda: ((0, [1, np.inf]), {})),
    ("uniform", lambda: ((-1e308, 1e308), {})),
    ("uniform", lambda: (("a",), {})),
    ("uniform", lambda: (([1, "a"],), {})),
    ("uniform", lambda: ((None,), {})),
    ("uniform", lambda: ((0, 1j), {})),
    ("uniform", lambda: ((np.zeros(3, dtype=object),), {})),
    ("uniform", lambda: ((0, 1, -1), {})),
    ("uniform", lambda: ((0, 1, 2.5), {})),
    # normal
    ("normal", lambda: ((), {})),
    ("normal", lambda: ((0, 1, None), {})),
    ("normal", lambda: ((0, 1, ()), {})),
    ("normal", lambda: ((), {"size": ()})),
    ("normal", lambda: ((3, 2, (2, 3)), {})),
    ("normal", lambda: ((np.zeros(3),), {})),
    ("normal", lambda: ((np.float32(1),), {})),
    ("normal", lambda: ((np.int32(2),), {})),
    ("normal", lambda: ((True,), {})),
    ("normal", lambda: ((np.array(1.0),), {})),
    ("normal", lambda: ((np.array(1.0),), {"size": ()})),
    ("normal", lambda: (([1, 2],), {"size": None})),
    ("normal", lambda: ((np.zeros((2, 1)), np.ones(3)), {})),
    ("normal", lambda: ((np.zeros((2, 1)), np.ones(3), (4, 2, 3)), {})),
    ("normal", lambda: ((np.zeros((2, 1)), np.ones(3), (2, 2)), {})),
    ("normal", lambda: ((np.zeros(3), 1, (2, 3)), {})),
    ("normal", lambda: ((np.zeros(3), 1, (3, 1)), {})),
    ("normal", lambda: ((0, np.array([[1], [2]]), (2, 2)), {})),
    ("normal", lambda: ((np.zeros(3),), {"size": ()})),
    ("normal", lambda: ((), {"size": (2, 3), "loc": np.zeros((4, 1, 1))})),
    ("normal", lambda: ((np.array([1, 2], np.float32),), {})),
    ("normal", lambda: (([[]],), {})),
    ("normal", lambda: ((0, -1), {})),
    ("normal", lambda: ((0, [1, -1]), {})),
    ("normal", lambda: ((0, np.nan), {})),
    ("normal", lambda: ((np.nan,), {})),
    ("normal", lambda: ((np.inf,), {})),
    ("normal", lambda: ((0, np.inf), {})),
    ("normal", lambda: ((0, 1e308), {})),
    ("normal", lambda: ((0, 1e308, 4), {})),
    ("normal", lambda: ((None,), {})),
    ("normal", lambda: (("a",), {})),
    ("normal", lambda: (([1, "a"],), {})),
    ("normal", lambda: ((0, 1j), {})),
    ("normal", lambda: ((np.zeros(3, dtype=object),), {})),
    ("normal", lambda: ((0, 1, -1), {})),
    ("normal", lambda: ((0, 1, 2.5), {})),
    # integers: scalars and Python types
    ("integers", lambda: ((5,), {})),
    ("integers", lambda: ((5, None), {})),
    ("integers", lambda: ((0, 5), {})),
    ("integers", lambda: ((5,), {"size": ()})),
    ("integers", lambda: ((5,), {"size": None})),
    ("integers", lambda: ((5, 10, (2, 3)), {})),
    ("integers", lambda: ((5,), {"dtype": int})),
    ("integers", lambda: ((5,), {"dtype": int, "size": 3})),
    ("integers", lambda: ((5,), {"dtype": np.int8})),
    ("integers", lambda: ((5,), {"dtype": "u1"})),
    ("integers", lambda: ((5,), {"dtype": "i4"})),
    ("integers", lambda: ((5,), {"dtype": np.int16, "size": 4})),
    ("integers", lambda: ((5,), {"dtype": np.uint16})),
    ("integers", lambda: ((5,), {"dtype": np.uint32, "size": (2, 2)})),
    ("integers", lambda: ((5,), {"dtype": np.uint64})),
    ("integers", lambda: ((5,), {"dtype": "int64"})),
    ("integers", lambda: ((5,), {"dtype": np.dtype("int64")})),
    ("integers", lambda: ((2,), {"dtype": bool})),
    ("integers", lambda: ((2,), {"dtype": "bool"})),
    ("integers", lambda: ((0, 2), {"dtype": np.bool_})),
    ("integers", lambda: ((0, 2), {"dtype": bool, "size": 3})),
    ("integers", lambda: ((1, 2), {"dtype": bool})),
    ("integers", lambda: ((0, 1), {"dtype": bool, "endpoint": True})),
    ("integers", lambda: ((np.int8(5),), {"dtype": np.int8})),
    ("integers", lambda: ((np.uint64(5),), {})),
    ("integers", lambda: ((np.array(5),), {})),
    ("integers", lambda: ((True,), {})),
    ("integers", lambda: ((5.5,), {})),
    ("integers", lambda: ((np.float64(5.0),), {})),
    ("integers", lambda: (("5",), {})),
    ("integers", lambda: ((5,), {"endpoint": True})),
    ("integers", lambda: ((5, 5), {"endpoint": True})),
    ("integers", lambda: ((5,), {"size": (2, 3), "endpoint": 1})),
    ("integers", lambda: ((5,), {"size": 2, "endpoint": True, "dtype": np.uint8})),
    # integers: extreme ranges
    ("integers", lambda: ((-(2**63), 2**63), {})),
    ("integers", lambda: ((-(2**63), 2**63, 2), {})),
    ("integers", lambda: ((2**63,), {})),
    ("integers", lambda: ((2**64,), {"dtype": np.uint64})),
    ("integers", lambda: ((0, 2**64 - 1), {"dtype": np.uint64, "endpoint": True, "size": 3})),
    ("integers", lambda: ((0, 256), {"dtype": np.uint8})),
    ("integers", lambda: ((-128, 127), {"dtype": np.int8, "endpoint": True, "size": 5})),
    ("integers", lambda: ((0, 2**63), {"dtype": np.int64, "size": 2})),
    ("integers", lambda: ((0, [2**64]), {"dtype": np.uint64})),
    ("integers", lambda: ((-(2**63), [2**63]), {})),
    ("integers", lambda: ((-5, np.array([0], np.uint64)), {})),
    # integers: arrays and broadcasting
    ("integers", lambda: (([5, 6],), {})),
    ("integers", lambda: ((np.array([5]),), {"size": None})),
    ("integers", lambda: (([0, 1], [2, 3], (3, 2)), {})),
    ("integers", lambda: (([1, 2], [[3], [4]]), {"size": (2, 2)})),
    ("integers", lambda: (([[5]],), {"size": (2, 1)})),
    ("integers", lambda: (([],), {"size": None})),
    ("integers", lambda: ((np.array([], dtype=np.int64), 5), {})),
    ("integers", lambda: (([1.5, 2.5],), {})),
    ("integers", lambda: ((np.array([5.0]),), {})),
    ("integers", lambda: ((0, [1, 2]), {"dtype": bool})),
    ("integers", lambda: (([-3, 0], [3, 100]), {"dtype": np.int8, "size": (4, 2)})),
    ("integers", lambda: ((0, [10, 2**40]), {"dtype": np.uint64, "size": (3, 2)})),
    # integers: errors
    ("integers", lambda: ((0,), {})),
    ("integers", lambda: ((-5,), {})),
    ("integers", lambda: (([-5, 5],), {})),
    ("integers", lambda: ((0, [5, -1]), {})),
    ("integers", lambda: ((5, 5), {})),
    ("integers", lambda: ((6, 5), {})),
    ("integers", lambda: ((6, 5), {"endpoint": True})),
    ("integers", lambda: (([0, 1], [1, 0]), {})),
    ("integers", lambda: ((-1,), {"dtype": np.uint8})),
    ("integers", lambda: ((0, 257), {"dtype": np.uint8})),
    ("integers", lambda: ((0, 256), {"dtype": np.uint8, "endpoint": True})),
    ("integers", lambda: ((5,), {"dtype": bool})),
    ("integers", lambda: ((5,), {"dtype": "?", "size": 2})),
    ("integers", lambda: ((2**64 + 1,), {"dtype": np.uint64})),
    ("integers", lambda: ((-1, 2**64 - 1), {"dtype": np.uint64})),
    ("integers", lambda: ((-1, 2**64), {"dtype": np.int64})),
    ("integers", lambda: ((2**70,), {})),
    ("integers", lambda: (([2**70],), {})),
    ("integers", lambda: ((np.nan,), {})),
    ("integers", lambda: (([np.nan],), {})),
    ("integers", lambda: ((np.inf,), {})),
    ("integers", lambda: ((None,), {})),
    ("integers", lambda: ((5,), {"dtype": np.float64})),
    ("integers", lambda: ((5,), {"dtype": "f"})),
    ("integers", lambda: ((5,), {"dtype": "float16"})),
    ("integers", lambda: ((5,), {"dtype": "object"})),
    ("integers", lambda: ((5,), {"dtype": "foo"})),
    ("integers", lambda: ((5,), {"dtype": None})),
    ("integers", lambda: ((5,), {"size": -1})),
    ("integers", lambda: ((5,), {"size": 2.5})),
    ("integers", lambda: (([1, 2],), {"size": (3,)})),
]


def outcome(rng: Any, method: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple:
    try:
        r = getattr(rng, method)(*args, **kwargs)
    except Exception as exc:  # the type is what is compared
        return ("raises", type(exc))
    out = kwargs.get("out")
    if isinstance(r, np.ndarray):
        return ("array", r.shape, r.dtype, out is None or r is out)
    return ("scalar", type(r))


@pytest.mark.parametrize(
    "method, factory", CALLS, ids=[f"{i}-{m}" for i, (m, _) in enumerate(CALLS)]
)
def test_same_types_shapes_and_errors_as_numpy(method: str, factory: Callable) -> None:
    expected = outcome(np.random.default_rng(0), method, *factory())
    got = outcome(default_rng(0), method, *factory())
    assert got == expected


def test_table_covers_every_method() -> None:
    assert {m for m, _ in CALLS} == {"random", "standard_normal", "uniform", "normal", "integers"}


# NumPy's integers (unlike its other methods, numpy/numpy#16527) accepts a
# `size` smaller than the bounds' broadcast shape and silently uses only the
# first elements of the bounds; we raise ValueError as its other methods do.
SIZE_SMALLER_THAN_BOUNDS = [
    ((np.zeros(3), 5), {"size": ()}),
    (([1, 2, 3],), {"size": (3, 1)}),
    (([[10], [20]],), {"size": (2,)}),
]


@pytest.mark.parametrize("args, kwargs", SIZE_SMALLER_THAN_BOUNDS)
def test_integers_size_smaller_than_bounds_is_an_error(args: tuple, kwargs: dict) -> None:
    assert np.random.default_rng(0).integers(*args, **kwargs).shape == kwargs["size"]
    with pytest.raises(ValueError, match="size"):
        default_rng(0).integers(*args, **kwargs)
    with pytest.raises(ValueError, match="size"):
        np.random.default_rng(0).normal(*args, **kwargs)


# Seeds and spawning accept what NumPy's accept.
SEEDS = [
    None,
    0,
    12345,
    2**100,
    np.uint32(7),
    [1, 2, 3],
    (4, 5),
    np.array([6, 7]),
    np.random.SeedSequence(3),
    -1,
    1.5,
    "a",
    [1, -2],
    True,
]


@pytest.mark.parametrize("seed", SEEDS, ids=[repr(s)[:20] for s in SEEDS])
def test_seeds_as_numpy(seed: Any) -> None:
    def kind(f: Callable[[Any], Any]) -> Any:
        try:
            return type(f(seed).random()).__name__
        except Exception as exc:
            return type(exc)

    if seed is True:  # NumPy takes True as 1; we refuse a bool seed (it is almost always a bug)
        with pytest.raises(TypeError):
            default_rng(seed)
        return
    assert kind(default_rng) == kind(np.random.default_rng)


def test_spawn_and_default_rng_passthrough_as_numpy() -> None:
    ours, theirs = default_rng(0), np.random.default_rng(0)
    assert [type(g) for g in ours.spawn(3)] == [Generator] * 3
    assert len(ours.spawn(0)) == len(theirs.spawn(0)) == 0
    assert default_rng(ours) is ours
    assert np.random.default_rng(theirs) is theirs


# Found by fuzz/sweep_generator.py (issue 13 sweep): multinomial cast n with
# astype, so 2**63 and np.uint64(2**64 - 5) wrapped to "n < 0", np.array([3.5])
# was truncated and "5" accepted; permuted returned a scalar x as it was.
SWEEP_CALLS: list[tuple[str, Callable[[], tuple[tuple[Any, ...], dict[str, Any]]]]] = [
    ("multinomial", lambda: ((2**63, [0.5, 0.5]), {})),
    ("multinomial", lambda: ((np.uint64(2**64 - 5), [0.5, 0.5]), {})),
    ("multinomial", lambda: ((2**64 + 3, [0.5, 0.5]), {})),
    ("multinomial", lambda: ((np.array([3.5]), [0.5, 0.5]), {})),
    ("multinomial", lambda: ((np.array(3.0), [0.5, 0.5]), {})),
    ("multinomial", lambda: ((np.array([2**63], dtype=np.uint64), [0.5, 0.5]), {})),
    ("multinomial", lambda: (("5", [0.5, 0.5]), {})),
    ("multinomial", lambda: ((None, [0.5, 0.5]), {})),
    ("multinomial", lambda: ((float("nan"), [0.5, 0.5]), {})),
    ("multinomial", lambda: ((float("inf"), [0.5, 0.5]), {})),
    ("multinomial", lambda: (([2**63], [0.5, 0.5]), {})),
    # still accepted, as NumPy does
    ("multinomial", lambda: ((2.7, [0.5, 0.5]), {})),
    ("multinomial", lambda: ((np.uint64(5), [0.5, 0.5]), {})),
    ("multinomial", lambda: ((np.float32(4.0), [0.5, 0.5]), {})),
    ("multinomial", lambda: (([3.5, 2], [0.5, 0.5]), {})),
    ("multinomial", lambda: ((np.array([1, 2], np.uint8), [0.5, 0.5]), {})),
    ("multinomial", lambda: ((np.array(3), [0.5, 0.5]), {})),
    ("multinomial", lambda: ((True, [0.5, 0.5]), {})),
    ("permuted", lambda: ((-1,), {})),
    ("permuted", lambda: ((np.array(5),), {})),
    ("permuted", lambda: ((float("inf"),), {"axis": None})),
    ("permuted", lambda: (([3, 1, 2],), {})),
]


@pytest.mark.parametrize(
    "method, factory", SWEEP_CALLS, ids=[f"{i}-{m}" for i, (m, _) in enumerate(SWEEP_CALLS)]
)
def test_sweep_findings_raise_as_numpy(method: str, factory: Callable) -> None:
    expected = outcome(np.random.default_rng(0), method, *factory())
    got = outcome(default_rng(0), method, *factory())
    assert got == expected
