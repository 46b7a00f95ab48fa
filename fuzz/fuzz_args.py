"""Coverage-guided fuzz target (atheris/libFuzzer) for turboinit's argument
handling and compiled bindings.

Each input picks one entry point -- a sampler, an initializer, a Generator
method, a raw ``turboinit._core`` binding with arbitrary shape/start/extent
vectors, keys and offsets, or the seed/stream/state parsers -- and builds its
arguments from a small grammar of Python values (ints of any size, floats
with NaN/inf, strings, bytes, None, bools, nested tuples and lists, slices,
NumPy scalars and arrays, SeedSequences).  A call must return a valid result
or raise one of the documented exceptions (TypeError, ValueError,
OverflowError, MemoryError, ImportError); anything else -- another exception,
a warning (turned into an error), a crash, a hang -- is a finding, saved by
libFuzzer as ``crash-*`` / ``timeout-*``.

Coverage guidance covers the Python layer (``atheris.instrument_imports``);
the C++ core is built by GCC without libFuzzer instrumentation, so it is
fuzzed black-box through the bindings (build it with TURBOINIT_SANITIZE=ON and
preload ASan to catch memory errors, see docs/hardening.md).

Usage::

    python fuzz/fuzz_args.py -max_total_time=60 -rss_limit_mb=4096 fuzz/corpus

A crash input replays with ``python fuzz/fuzz_args.py crash-<hash>``.
"""

from __future__ import annotations

import math
import os
import resource
import sys
import warnings
from typing import Any, Callable

import atheris

with atheris.instrument_imports(include=["turboinit"]):
    import numpy as np

    import turboinit as ti
    from turboinit import _core
    from turboinit._seed import philox_key
    from turboinit.random import default_rng, philox4x32

DOCUMENTED = (TypeError, ValueError, OverflowError, MemoryError, ImportError)
# Allocations are either small or impossible: anything in between would make
# the fuzzer write gigabytes.  The address-space limit is a second net.
SMALL_BYTES = 1 << 24
IMPOSSIBLE_BYTES = 1 << 47

INITIALIZERS = [
    "kaiming_normal",
    "kaiming_uniform",
    "xavier_normal",
    "xavier_uniform",
    "lecun_normal",
    "lecun_uniform",
    "variance_scaling",
    "zeros",
    "ones",
    "constant",
    "eye",
    "dirac",
    "relu_bias",
    "sparse",
    "he_normal",
    "glorot_uniform",
]
KEYWORDS = [
    "a",
    "mode",
    "nonlinearity",
    "truncated",
    "layout",
    "in_axis",
    "out_axis",
    "batch_axis",
    "gain",
    "scale",
    "distribution",
    "value",
    "groups",
    "sparsity",
    "std",
    "nonzero_per_unit",
]
DTYPE_NAMES = [
    "float32",
    "float64",
    "float16",
    "bfloat16",
    "int8",
    "uint64",
    "bool",
    "f4",
    ">f8",
    "float128",
    "x",
]
WORDS = [
    "fan_in",
    "fan_out",
    "fan_avg",
    "relu",
    "leaky_relu",
    "tanh",
    "torch",
    "keras",
    "jax",
    "normal",
    "uniform",
    "truncated_normal",
    "layer.0.weight",
    "",
]


class Grammar:
    """Python values drawn from the fuzzer's bytes."""

    def __init__(self, data: bytes) -> None:
        self.fdp = atheris.FuzzedDataProvider(data)

    def int_(self) -> int:
        k = self.fdp.ConsumeIntInRange(0, 5)
        if k == 0:
            return self.fdp.ConsumeIntInRange(0, 9)
        if k == 1:
            return self.fdp.ConsumeIntInRange(-3, 64)
        if k == 2:
            return 2 ** self.fdp.ConsumeIntInRange(0, 130) + self.fdp.ConsumeIntInRange(-2, 2)
        if k == 3:
            return -(2 ** self.fdp.ConsumeIntInRange(0, 70))
        return self.fdp.ConsumeInt(9)

    def float_(self) -> float:
        if self.fdp.ConsumeBool():
            return self.fdp.PickValueInList(
                [
                    0.0,
                    -0.0,
                    1.0,
                    -1.0,
                    0.5,
                    2.0,
                    1e-300,
                    5e-324,
                    65504.0,
                    65520.0,
                    3.4e38,
                    1e308,
                    math.inf,
                    -math.inf,
                    math.nan,
                ]
            )
        return self.fdp.ConsumeFloat()

    def value(self, depth: int = 0) -> Any:
        k = self.fdp.ConsumeIntInRange(0, 15 if depth < 2 else 7)
        if k <= 2:
            return self.int_()
        if k <= 4:
            return self.float_()
        if k == 5:
            return self.fdp.PickValueInList(WORDS + DTYPE_NAMES)
        if k == 6:
            return self.fdp.PickValueInList([None, True, False, b"\x01", "\ud800", 1j, Ellipsis])
        if k == 7:
            t = self.fdp.PickValueInList(
                [np.int64, np.uint64, np.float32, np.float16, np.int8, np.bool_]
            )
            try:
                return t(self.int_() % 128)
            except (OverflowError, ValueError):
                return t(0)
        if k <= 9:
            return tuple(self.value(depth + 1) for _ in range(self.fdp.ConsumeIntInRange(0, 4)))
        if k == 10:
            return [self.value(depth + 1) for _ in range(self.fdp.ConsumeIntInRange(0, 4))]
        if k == 11:
            return slice(
                self.maybe_small(),
                self.maybe_small(),
                self.fdp.PickValueInList([None, 1, 2, -1, 0]),
            )
        if k == 12:
            return tuple(
                slice(self.maybe_small(), self.maybe_small())
                for _ in range(self.fdp.ConsumeIntInRange(0, 4))
            )
        if k == 13:
            return self.array()
        if k == 14:
            return np.random.SeedSequence(self.fdp.ConsumeIntInRange(0, 2**32))
        return {self.fdp.PickValueInList(KEYWORDS): self.value(depth + 1)}

    def maybe_small(self) -> Any:
        return self.fdp.PickValueInList([None, 0, 1, 2, 3, -1, -2, 2**40, 1.5])

    def array(self) -> np.ndarray:
        dt = self.fdp.PickValueInList(
            [np.float64, np.float32, np.float16, np.int64, np.uint8, np.bool_, object]
        )
        shape = tuple(
            self.fdp.ConsumeIntInRange(0, 4) for _ in range(self.fdp.ConsumeIntInRange(0, 3))
        )
        a = np.zeros(shape, dtype=dt)
        if self.fdp.ConsumeBool() and a.ndim:
            a = a[..., ::2]
        if self.fdp.ConsumeBool():
            a.flags.writeable = False
        return a

    def dtype(self) -> Any:
        if self.fdp.ConsumeBool():
            return self.fdp.PickValueInList(DTYPE_NAMES)
        return self.value(1)

    def uints(self) -> list[int]:
        return [
            self.fdp.PickValueInList(
                [
                    0,
                    1,
                    2,
                    3,
                    7,
                    64,
                    2**32,
                    2**62,
                    2**63,
                    2**64 - 1,
                    self.fdp.ConsumeIntInRange(0, 2**64 - 1),
                ]
            )
            for _ in range(self.fdp.ConsumeIntInRange(0, 4))
        ]

    def out(self) -> Any:
        if self.fdp.ConsumeIntInRange(0, 3) == 0:
            return self.value(1)
        dt = self.fdp.PickValueInList(
            [np.float64, np.float32, np.float16, np.uint32, np.int8, np.uint64, np.uint16]
        )
        n = self.fdp.ConsumeIntInRange(0, 64)
        raw = np.zeros(n * 8 + 16, np.uint8)
        off = self.fdp.PickValueInList([0, 0, 8, 1])
        step = self.fdp.PickValueInList([1, 1, 2])
        itemsize = np.dtype(dt).itemsize
        count = n // step
        a = np.ndarray((count,), dtype=dt, buffer=raw, offset=off, strides=(itemsize * step,))
        if self.fdp.ConsumeBool():
            a.flags.writeable = False
        return a


def too_big(shape: Any, itemsize: int = 8) -> bool:
    """True for shapes whose allocation would succeed but be large."""
    try:
        dims = (
            (int(shape),) if isinstance(shape, (int, np.integer)) else tuple(int(d) for d in shape)
        )
    except (TypeError, ValueError, OverflowError):
        return False
    nbytes = math.prod(dims) * itemsize
    return SMALL_BYTES < nbytes < IMPOSSIBLE_BYTES


def check_floats(result: Any) -> None:
    """The functional API never returns inf or NaN."""
    if not isinstance(result, np.ndarray) or result.size == 0:
        return
    if result.dtype.kind == "f" or result.dtype.name == "bfloat16":
        assert np.isfinite(result.astype(np.float64)).all(), "non-finite output"


def target_sampler(g: Grammar) -> None:
    fn = getattr(ti, g.fdp.PickValueInList(["uniform", "normal", "truncated_normal"]))
    shape = g.value()
    if too_big(shape):
        return
    params = [
        g.float_() if g.fdp.ConsumeBool() else g.value(1)
        for _ in range(g.fdp.ConsumeIntInRange(0, 4))
    ]
    kwargs = {"seed": g.value(1), "stream": g.value(1), "dtype": g.dtype()}
    if g.fdp.ConsumeBool():
        kwargs["region"] = g.value()
    if g.fdp.ConsumeBool():
        kwargs["out"] = g.out()
    try:
        result = fn(shape, *params, **kwargs)
    except DOCUMENTED:
        return
    check_floats(result)


def target_initializer(g: Grammar) -> None:
    name = g.fdp.PickValueInList(INITIALIZERS)
    shape = g.value()
    if too_big(shape):
        return
    kwargs = {
        g.fdp.PickValueInList(KEYWORDS): g.value(1) for _ in range(g.fdp.ConsumeIntInRange(0, 3))
    }
    for key in ("seed", "stream", "dtype", "region", "out"):
        if g.fdp.ConsumeBool():
            kwargs[key] = g.out() if key == "out" else g.value(1)
    try:
        result = getattr(ti, name)(shape, **kwargs)
    except DOCUMENTED:
        return
    check_floats(result)


def target_generator(g: Grammar) -> None:
    try:
        rng = default_rng(g.value(1))
    except DOCUMENTED:
        return
    method = g.fdp.PickValueInList(
        ["random", "standard_normal", "uniform", "normal", "truncated_normal", "integers", "spawn"]
    )
    args = [g.value(1) for _ in range(g.fdp.ConsumeIntInRange(0, 4))]
    kwargs: dict[str, Any] = {}
    if g.fdp.ConsumeBool():
        kwargs["size"] = g.value(1)
        if too_big(kwargs["size"]):
            return
    if g.fdp.ConsumeBool():
        kwargs["dtype"] = g.dtype()
    if method in ("random", "standard_normal", "truncated_normal") and g.fdp.ConsumeBool():
        kwargs["out"] = g.out()
    if method == "integers" and g.fdp.ConsumeBool():
        kwargs["endpoint"] = g.value(1)
    size_at = {
        "random": 0,
        "standard_normal": 0,
        "uniform": 2,
        "normal": 2,
        "truncated_normal": 4,
        "integers": 2,
    }
    if method in size_at and len(args) > size_at[method] and too_big(args[size_at[method]]):
        return
    if method == "spawn" and any(isinstance(a, (int, np.integer)) and a > 1000 for a in args):
        return  # spawn(n) builds n Generators, as NumPy's does: a huge n is a hang by request
    try:
        getattr(rng, method)(*args, **kwargs)
    except DOCUMENTED:
        return


def target_core(g: Grammar) -> None:
    out = g.out()
    shape, start, extent = g.uints(), g.uints(), g.uints()
    k0, k1 = g.fdp.ConsumeIntInRange(0, 2**32 - 1), g.fdp.ConsumeIntInRange(0, 2**32 - 1)
    offset = g.fdp.PickValueInList(
        [0, 16, 2**63, 2**64 - 16, 2**64 - 1, g.fdp.ConsumeIntInRange(0, 2**64 - 1)]
    )
    code = g.fdp.ConsumeIntInRange(-1, 9)
    f = [g.float_() for _ in range(4)]
    calls: list[Callable[[], Any]] = [
        lambda: _core.uniform(out, code, shape, start, extent, k0, k1, offset, f[0], f[1]),
        lambda: _core.normal(out, code, shape, start, extent, k0, k1, offset, f[0], f[1]),
        lambda: _core.truncated_normal(out, code, shape, start, extent, k0, k1, offset, *f),
        lambda: _core.bits(out, shape, start, extent, k0, k1, offset),
        lambda: _core.integers(
            out,
            code,
            shape,
            start,
            extent,
            k0,
            k1,
            offset,
            g.fdp.ConsumeIntInRange(0, 2**64 - 1),
            g.fdp.ConsumeIntInRange(0, 2**64 - 1),
        ),
        lambda: _core.integers_in_place(
            out, code, shape, start, extent, k0, k1, offset, g.fdp.ConsumeBool()
        ),
        lambda: _core.sparse(
            out,
            code,
            g.fdp.ConsumeIntInRange(0, 2**64 - 1),
            g.fdp.ConsumeIntInRange(0, 64),
            k0,
            k1,
            offset,
            f[0],
            g.fdp.ConsumeIntInRange(-1, 2),
            g.fdp.ConsumeIntInRange(0, 2**64 - 1),
        ),
        lambda: _core.truncated_normal_plan(f[0], f[1], code),
        lambda: _core.max_standard_normal(code),
        lambda: philox4x32(g.value(1), g.value(1), g.value(1)),
    ]
    try:
        g.fdp.PickValueInList(calls)()
    except DOCUMENTED:
        return


def target_seeds(g: Grammar) -> None:
    try:
        philox_key(g.value(1), g.value(1))
    except DOCUMENTED:
        pass
    rng = default_rng(1)
    state = {
        k: g.value(1)
        for k in ("bit_generator", "key", "counter", "seed_seq")
        if g.fdp.ConsumeBool()
    }
    try:
        rng.state = state
    except DOCUMENTED:
        return


TARGETS = [target_sampler, target_initializer, target_generator, target_core, target_seeds]


def test_one_input(data: bytes) -> None:
    g = Grammar(data)
    target = g.fdp.PickValueInList(TARGETS)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a leaked RuntimeWarning is a finding too
        target(g)


def main() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = 8 << 30
    # (AddressSanitizer reserves terabytes of address space for its shadow)
    asan = "libasan" in os.environ.get("LD_PRELOAD", "")
    if not asan and (hard == resource.RLIM_INFINITY or hard > limit):
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    ti.set_num_threads(1)  # libFuzzer runs one input at a time; keep it light
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
