"""Differential fuzz of turboinit.random.Generator against numpy.random.Generator.

    PYTHONPATH=src python fuzz/sweep_generator.py [--cases 20000] [--seed 0]

Draws a method and arguments from pools of ordinary and hostile values
(seeded, so a run is repeatable), calls both generators with warnings as
errors, and reports every call where they disagree: one raises and the other
does not, they raise different exception types, or the results differ in
Python type, shape or dtype (values are not compared: the streams differ).
A crash or a hang (> 120 s, faulthandler) ends the run and is a finding.
The address space is limited to 6 GiB, so huge requests are MemoryError in both.
Prints counts per method and the disagreements (first 40).
"""

from __future__ import annotations

import argparse
import faulthandler
import inspect
import random
import resource
import sys
import warnings
from collections import Counter
from typing import Any

import numpy as np

from turboinit.random import Generator

SCALARS: list[Any] = [
    0,
    1,
    2,
    3,
    -1,
    10,
    0.5,
    1.5,
    -0.5,
    0.0,
    -0.0,
    1e-300,
    5e-324,
    1e300,
    1.7976931348623157e308,
    float("inf"),
    -float("inf"),
    float("nan"),
    2**31,
    2**63 - 1,
    2**63,
    2**64,
    -(2**63),
    10**30,
    True,
    False,
    None,
    "1",
    "a",
    b"1",
    1 + 1j,
    np.float16(2),
    np.float32(0.25),
    np.int8(-3),
    np.uint64(2**64 - 1),
    np.int64(5),
    np.bool_(True),
    np.longdouble(0.5),
    np.array(2.0),
    np.array([0.5, 2.0]),
    np.array([[1.0], [3.0]]),
    np.array([1, 2, 3]),
    np.array([], dtype=float),
    np.array([0.5, np.nan]),
    np.array(["1", "2"]),
    np.array([1 + 0j]),
    [0.5, 1.0],
    (1, 2),
    [[1, 2], [3, 4]],
    [],
    {"a": 1},
    object(),
]
SIZES: list[Any] = [
    None,
    0,
    1,
    3,
    (2, 3),
    (0,),
    (3, 0),
    [2, 2],
    np.int64(4),
    -1,
    (2, -1),
    2.0,
    "3",
    True,
    (1, 2),
    (2,),
    (2, 1),
    np.array([2, 2]),
    (),
    2**63,
    (2**40, 2**40),
    {"a": 1},
]
DTYPES: list[Any] = [
    None,
    np.float32,
    np.float64,
    "f",
    "d",
    np.int64,
    np.int32,
    np.uint8,
    np.bool_,
    np.float16,
    "foo",
    int,
    float,
    bool,
    object,
]


def methods() -> dict[str, list[str]]:
    """Method -> names of its parameters (from numpy's docstring signature)."""
    out = {}
    g = np.random.default_rng(0)
    for name in dir(Generator):
        if name.startswith("_") or name in ("bit_generator", "seed_seq", "state", "spawn"):
            continue
        ours = getattr(Generator, name)
        if not callable(ours) or not hasattr(g, name):
            continue
        try:
            params = list(inspect.signature(ours).parameters)[1:]
        except (TypeError, ValueError):
            continue
        out[name] = params
    return out


def draw(rnd: random.Random, name: str, params: list[str]) -> tuple[tuple, dict]:
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    for p in params:
        if p in ("args", "kwargs"):
            continue
        if rnd.random() < 0.3 and p not in ("size",):
            continue  # leave to the default
        if p == "size":
            v = rnd.choice(SIZES)
        elif p == "dtype":
            v = rnd.choice(DTYPES)
        elif p == "out":
            if rnd.random() < 0.7:
                continue
            v = rnd.choice([np.empty(3), np.empty((2, 3)), np.empty(3, np.float32), [0.0]])
        elif p in ("endpoint", "replace", "shuffle", "checks"):
            v = rnd.choice([True, False, 0, 1, None, "yes"])
        elif p == "axis":
            v = rnd.choice([0, 1, -1, 2, None, 0.0, (0,)])
        elif p == "method":
            v = rnd.choice(["svd", "eigh", "cholesky", "count", "marginals", "x", None])
        elif p in ("x", "a", "pvals", "alpha", "colors", "p", "mean", "cov"):
            v = rnd.choice(
                SCALARS
                + [
                    np.arange(5.0),
                    np.arange(6).reshape(2, 3),
                    [0.2, 0.8],
                    np.eye(2),
                    [[1, 0], [0, 1]],
                    [1, 2, 3],
                    np.ones(3) / 3,
                ]
            )
        else:
            v = rnd.choice(SCALARS)
        if (
            name in ("bytes", "permutation", "choice")
            and isinstance(v, (int, np.integer))
            and not isinstance(v, (bool, np.bool_))
            and int(v) > 2**24
        ):
            v = 2**24  # legitimate work of gigabytes: slow in both, not a finding
        if rnd.random() < 0.5:
            kwargs[p] = v
        else:
            if kwargs:  # positional after keyword is impossible: keep as keyword
                kwargs[p] = v
            else:
                args.append(v)
    return tuple(args), kwargs


def outcome(fn, args, kwargs) -> tuple:
    a = [x.copy() if isinstance(x, np.ndarray) else x for x in args]
    k = {n: (x.copy() if isinstance(x, np.ndarray) else x) for n, x in kwargs.items()}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            r = fn(*a, **k)
    except MemoryError:
        return ("MemoryError",)
    except Exception as exc:  # noqa: BLE001 - classified below
        return ("raise", type(exc).__name__, str(exc)[:120])
    if isinstance(r, np.ndarray):
        return ("ok", "ndarray", r.shape, str(r.dtype))
    return ("ok", type(r).__name__)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--trace", action="store_true", help="print each call before it runs")
    a = ap.parse_args()
    faulthandler.enable()
    # Allocations beyond 6 GiB become MemoryError in both (permutation(2**31) is 16 GiB).
    resource.setrlimit(resource.RLIMIT_AS, (6 << 30, resource.RLIM_INFINITY))
    rnd = random.Random(a.seed)
    table = methods()
    names = sorted(table)
    per = Counter()
    bad: list[str] = []
    serious: list[str] = []  # one raises, the other does not (our extensions aside)
    for i in range(a.cases):
        name = rnd.choice(names)
        args, kwargs = draw(rnd, name, table[name])
        if a.trace:
            print(i, name, repr(args)[:300], repr(kwargs)[:300], file=sys.stderr, flush=True)
        faulthandler.dump_traceback_later(120, exit=True)
        ours = outcome(getattr(Generator(i), name), args, kwargs)
        theirs = outcome(getattr(np.random.default_rng(i), name), args, kwargs)
        faulthandler.cancel_dump_traceback_later()
        per[name] += 1
        same = ours[:2] == theirs[:2] if ours[0] == "raise" else ours == theirs
        if ours[0] == "MemoryError" or theirs[0] == "MemoryError":
            same = ours[0] == theirs[0] or theirs[0] == "raise" or ours[0] == "raise"
        extension = theirs[0] == "raise" and "unexpected keyword argument" in theirs[2]
        if not same and not extension and ours[0] != theirs[0]:
            serious.append(
                f"{name}{args!r:.200} {kwargs!r:.200}\n    ours:  {ours}\n    numpy: {theirs}"
            )
        if not same:
            bad.append(
                f"{name}{args!r:.200} {kwargs!r:.200}\n    ours:  {ours}\n    numpy: {theirs}"
            )
    print(f"{a.cases} cases over {len(names)} methods; disagreements: {len(bad)}")
    kinds = Counter(b.split("(")[0] for b in bad)
    print("disagreements by method:", dict(kinds))
    print(f"one raises and the other does not (our keyword extensions aside): {len(serious)}")
    for b in serious:
        print(b)
    print("first 40 disagreements of any kind:")
    for b in bad[:40]:
        print(b)
    return 0


if __name__ == "__main__":
    sys.exit(main())
