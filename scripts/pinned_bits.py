"""The pinned bits: a SHA-256 per public sampler x dtype x proposal family.

Every case is generated at a fixed (seed, stream, shape) on every SIMD kernel of
this CPU; the kernels must agree (the determinism contract), and the digest is
compared with ``tests/data/pinned_bits.json`` by ``tests/test_pinned_bits.py``.

Changing the bits of any sampler means rerunning this script with ``--write``
and saying why in ``CHANGELOG.md``.

    python scripts/pinned_bits.py            # compare with the stored file
    python scripts/pinned_bits.py --write    # regenerate it
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

import turboinit as ti
from turboinit import _core

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "pinned_bits.json"
SEED = 20261203
STREAM = "pinned"
SHAPE = (67, 45)  # 3015 elements: not a multiple of any block or group size
FLOATS = ("float32", "float64", "float16", "bfloat16")
INTS = ("int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64")
# (lower, upper) in units of std -> (float64 method, float32 method, mirrored) that cpp's
# plan_truncated_normal (truncated_normal_plan.cpp) picks for them: every rejection
# proposal of the truncated normal in both compute types, on either side of 0 (a negative
# interval is sampled mirrored), the uniform proposal both around 0 and away from it (a
# different anchor point), the inverse CDF of float32 compute (intervals inside [-3, 3]
# holding >= 1/16 of the mass), and bounds beyond every normal candidate (no rejection
# test at all).  In float64 the normal and half-normal families inside [-3, 3] redraw their
# rejected candidates by the inverse CDF, the "_wide" ones (beyond 3) by the proposal again.
# tests/test_pinned_bits.py checks that each still selects the named methods.
TRUNC_BOUNDS: dict[str, tuple[float, float, str, str, bool]] = {
    "normal": (-2.0, 2.0, "normal", "inverse_cdf", False),
    "normal_wide": (-3.5, 3.5, "normal", "normal", False),
    "normal_beyond_reach": (-10.0, 10.0, "normal", "normal", False),
    "half_normal": (0.0, 3.0, "half_normal", "inverse_cdf", False),
    "half_normal_wide": (0.0, 4.0, "half_normal", "half_normal", False),
    "half_normal_mirrored": (-3.0, 0.0, "half_normal", "inverse_cdf", True),
    "half_normal_mirrored_wide": (-4.0, 0.0, "half_normal", "half_normal", True),
    "uniform": (1.0, 1.25, "inverse_cdf", "uniform", False),
    "uniform_mirrored": (-1.25, -1.0, "inverse_cdf", "uniform", True),
    "uniform_beyond_reach": (3.2, 3.3, "uniform", "uniform", False),
    "uniform_beyond_reach_mirrored": (-3.3, -3.2, "uniform", "uniform", True),
    "uniform_around_zero": (-0.5, 0.5, "inverse_cdf", "inverse_cdf", False),
    "uniform_around_zero_narrow": (-0.05, 0.05, "inverse_cdf", "uniform", False),
    "uniform_around_zero_tiny": (-1e-6, 1e-6, "uniform", "uniform", False),
    "inverse_cdf_one_side": (0.5, 1.5, "inverse_cdf", "inverse_cdf", False),
    "exponential": (5.0, np.inf, "exponential", "exponential", False),
    "exponential_mirrored": (-np.inf, -6.0, "exponential", "exponential", True),
}
RAW_WORDS = 4096
# Generator bulk methods pinned at SHAPE: (method, args before size).
BULK: list[tuple[str, tuple[Any, ...]]] = [
    ("standard_exponential", ()),
    ("exponential", (2.0,)),
    ("laplace", (1.0, 2.0)),
    ("logistic", (1.0, 2.0)),
    ("gumbel", (1.0, 2.0)),
    ("standard_cauchy", ()),
    ("rayleigh", (2.0,)),
    ("lognormal", (0.5, 0.8)),
    ("weibull", (1.5,)),
    ("pareto", (3.0,)),
    ("power", (3.0,)),
    ("geometric", (0.3,)),
    ("standard_gamma", (0.7,)),
    ("standard_gamma", (2.5,)),
    ("gamma", (2.0, 3.0)),
    ("chisquare", (3.0,)),
    ("beta", (0.5, 2.0)),
    ("beta", (2.0, 3.0)),
    ("standard_t", (4.0,)),
    ("poisson", (4.0,)),
    ("poisson", (40.0,)),
    ("binomial", (20, 0.3)),
    ("binomial", (500, 0.6)),
    ("dirichlet", ([0.5, 1.0, 2.0],)),
    ("multinomial", (30, [0.2, 0.3, 0.5])),
    ("multivariate_normal", ([1.0, 2.0], [[2.0, 0.5], [0.5, 1.0]])),
]


def _have_bfloat16() -> bool:
    try:
        import ml_dtypes  # noqa: F401
    except ImportError:
        return False
    return True


def _digest(a: np.ndarray) -> str:
    a = np.ascontiguousarray(a)
    h = hashlib.sha256()
    h.update(f"{a.dtype.str}{a.shape}".encode())
    h.update(a.tobytes())
    return h.hexdigest()


def cases() -> Iterator[tuple[str, Callable[[], np.ndarray]]]:
    kw: dict[str, Any] = {"seed": SEED, "stream": STREAM}
    floats = [d for d in FLOATS if d != "bfloat16" or _have_bfloat16()]
    for dt in floats:
        yield f"uniform/{dt}", lambda dt=dt: ti.uniform(SHAPE, -1.5, 2.0, dtype=dt, **kw)
        yield f"normal/{dt}", lambda dt=dt: ti.normal(SHAPE, 0.5, 3.0, dtype=dt, **kw)
        for fam, (lo, hi, *_) in TRUNC_BOUNDS.items():
            yield (
                f"truncated_normal/{fam}/{dt}",
                lambda dt=dt, lo=lo, hi=hi: ti.truncated_normal(
                    SHAPE, 0.25, 2.0, lo, hi, dtype=dt, **kw
                ),
            )
        for name in (
            "kaiming_uniform",
            "kaiming_normal",
            "xavier_uniform",
            "xavier_normal",
            "lecun_uniform",
            "lecun_normal",
        ):
            yield f"{name}/{dt}", lambda dt=dt, name=name: getattr(ti, name)(SHAPE, dtype=dt, **kw)
        yield (
            f"variance_scaling/truncated/{dt}",
            lambda dt=dt: ti.variance_scaling(
                SHAPE, 2.0, "fan_avg", "truncated_normal", dtype=dt, **kw
            ),
        )
        yield f"sparse/pytorch/{dt}", lambda dt=dt: ti.sparse(SHAPE, 0.7, dtype=dt, **kw)
        yield (
            f"sparse/nonzero_per_unit/{dt}",
            lambda dt=dt: ti.sparse(SHAPE, std=0.5, nonzero_per_unit=7, dtype=dt, **kw),
        )
    for dt in ("float32", "float64"):
        for method in ("qr", "svd"):
            for shape in ((40, 40), (24, 56), (56, 24)):
                yield (
                    f"orthogonal/{method}/{shape[0]}x{shape[1]}/{dt}",
                    lambda dt=dt, method=method, shape=shape: ti.orthogonal(
                        shape, 1.5, method=method, dtype=dt, **kw
                    ),
                )
        yield (
            f"delta_orthogonal/{dt}",
            lambda dt=dt: ti.delta_orthogonal((3, 3, 12, 16), dtype=dt, **kw),
        )
    for dt in INTS:
        info = np.iinfo(dt)
        # the 32-bit path: a span below 2**32; the 64-bit path: a wider span
        yield (
            f"integers/narrow/{dt}",
            lambda dt=dt, info=info: ti.random.default_rng(SEED).integers(
                -3 if info.min < 0 else 3, 100, SHAPE, dtype=dt
            ),
        )
        yield (
            f"integers/full/{dt}",
            lambda dt=dt, info=info: ti.random.default_rng(SEED).integers(
                int(info.min), int(info.max), SHAPE, dtype=dt, endpoint=True
            ),
        )
    for dt in ("float32", "float64"):
        yield (
            f"Generator.random/{dt}",
            lambda dt=dt: ti.random.default_rng(SEED).random(SHAPE, dtype=dt),
        )
        yield (
            f"Generator.standard_normal/{dt}",
            lambda dt=dt: ti.random.default_rng(SEED).standard_normal(SHAPE, dtype=dt),
        )
    yield (
        "Generator.truncated_normal",
        lambda: ti.random.default_rng(SEED).truncated_normal(0.5, 2.0, -1.0, 3.0, SHAPE),
    )
    yield "Generator.uniform", lambda: ti.random.default_rng(SEED).uniform(-2.0, 3.0, SHAPE)
    yield "Generator.normal", lambda: ti.random.default_rng(SEED).normal(1.0, 2.0, SHAPE)
    yield (
        "Generator.integers/per_element",
        lambda: ti.random.default_rng(SEED).integers(0, np.arange(1, SHAPE[1] + 1), SHAPE),
    )
    # The bulk methods (src/turboinit/random/_bulk.py, cpp/simd/bulk-inl.hpp).
    for method, args in BULK:
        yield (
            f"Generator.{method}{args}",
            lambda method=method, args=args: np.asarray(
                getattr(ti.random.default_rng(SEED), method)(*args, size=SHAPE)
            ),
        )
    # A singular 7 x 7 covariance (an eigenvalue 0), by each method: the
    # factor is turboinit's own (Cholesky, tridiagonalisation + QL), not LAPACK's.
    b = np.arange(42.0).reshape(7, 6) % 5 - 2.0
    cov7 = b @ b.T + np.diag([0.0] * 5 + [3.0, 3.0])
    for method in ("svd", "eigh"):
        yield (
            f"Generator.multivariate_normal/7x7/{method}",
            lambda method=method: ti.random.default_rng(SEED).multivariate_normal(
                np.arange(7.0), cov7, (50, 3), method=method, check_valid="ignore"
            ),
        )
    yield (
        "Generator.multivariate_normal/7x7/cholesky",
        lambda: ti.random.default_rng(SEED).multivariate_normal(
            np.arange(7.0), cov7 + np.eye(7), (50, 3), method="cholesky"
        ),
    )
    yield (
        "Generator.standard_exponential/float32",
        lambda: ti.random.default_rng(SEED).standard_exponential(SHAPE, dtype="float32"),
    )
    yield (
        "Generator.standard_gamma/float32",
        lambda: ti.random.default_rng(SEED).standard_gamma(0.7, SHAPE, dtype="float32"),
    )
    yield (
        "Generator.choice/p",
        lambda: ti.random.default_rng(SEED).choice(50, SHAPE, p=[0.02] * 50),
    )
    yield (
        "Generator.choice/p/no_replace",
        lambda: ti.random.default_rng(SEED).choice(5000, 100, replace=False, p=[2e-4] * 5000),
    )
    yield "Generator.bytes", lambda: np.frombuffer(ti.random.default_rng(SEED).bytes(999), np.uint8)
    for n in (1000, 200_003):  # sorted keys; the Feistel bijection
        yield (
            f"Generator.permutation({n})",
            lambda n=n: ti.random.default_rng(SEED).permutation(n),
        )


def raw_words() -> list[int]:
    """Philox4x32-10 words for counters 0..RAW_WORDS/4-1 under one fixed key."""
    counters = np.zeros((RAW_WORDS // 4, 4), dtype=np.uint32)
    counters[:, 0] = np.arange(RAW_WORDS // 4, dtype=np.uint32)
    counters[:, 2] = 7
    words = ti.random.philox4x32(counters, np.array([0x243F6A88, 0x85A308D3], dtype=np.uint32))
    return [int(w) for w in np.asarray(words).ravel()]


def compute() -> dict[str, Any]:
    before = _core.build_info()["kernel"]
    digests: dict[str, str] = {}
    disagree: list[str] = []
    try:
        for kernel in _core.build_info()["kernels_supported"]:
            _core.set_kernel(kernel)
            for name, make in cases():
                d = _digest(make())
                if digests.setdefault(name, d) != d:
                    disagree.append(f"{name} on {kernel}")
    finally:
        _core.set_kernel(before)
    if disagree:
        raise AssertionError("kernels disagree: " + ", ".join(disagree))
    return {
        "seed": SEED,
        "stream": STREAM,
        "shape": list(SHAPE),
        "digests": digests,
        "philox_words": raw_words(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="rewrite the stored file")
    args = parser.parse_args(argv)
    now = compute()
    if args.write:
        DATA.parent.mkdir(parents=True, exist_ok=True)
        DATA.write_text(json.dumps(now, indent=1, sort_keys=True) + "\n")
        print(f"wrote {len(now['digests'])} digests to {DATA}")
        return 0
    stored = json.loads(DATA.read_text())
    changed = sorted(
        k
        for k in set(stored["digests"]) | set(now["digests"])
        if stored["digests"].get(k) != now["digests"].get(k)
    )
    if stored["philox_words"] != now["philox_words"]:
        changed.insert(0, "philox_words")
    for k in changed:
        print("changed:", k)
    print(f"{len(now['digests'])} digests, {len(changed)} changed")
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main())
