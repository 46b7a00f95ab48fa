"""Per-core speed in cache: values per second on one thread.

Each row is one sampler x dtype, generated on ONE thread into a buffer small
enough to stay in cache (default 2**15 elements), so the number is the kernel's
speed, not the memory's:

* turboinit: ``normal``, ``uniform`` and ``truncnorm`` (N(0, 1) truncated to
  [-2, 2]; with ``--samplers`` also ``truncnorm_wide``, truncated to [-100, 100], beyond
  every normal draw) in float32, float64, float16 and bfloat16, through the core
  (``turboinit._core``, one flat call into a reused buffer: the per-call Python
  overhead of the public functions is left out), with ``set_num_threads(1)``;
* NumPy's ``Generator`` (PCG64 and Philox) ``standard_normal``/``random`` with
  ``out=`` (float32 and float64);
* ``mkl_random`` (Intel MKL VSL, one thread, float64, a new array per call):
  ``standard_normal`` with SFMT19937 + inverse CDF (its fastest) and
  Philox4x32-10 + BoxMuller2, ``random_sample`` with SFMT19937.  Skipped when
  not installed (``pip install mkl_random``, x86-64 only).

A row's number is the median over ``--repeats`` timings of ``--inner`` calls.
The JSON (``--out``) records the load average before and after, the CPU and
the SIMD kernel; numbers taken on a loaded machine are noise.

    python benchmarks/bench_per_core.py --quick          # a few seconds, proves it works
    python benchmarks/bench_per_core.py                  # the headline run (quiet machine)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np

import turboinit as ti
from turboinit import _core

DEFAULT_OUT = Path(__file__).resolve().parent / "results" / "per_core" / "results.json"
DTYPES = ("float32", "float64", "float16", "bfloat16")
CODES = {"float64": 0, "float32": 1, "float16": 2, "bfloat16": 3}
STORAGE = {
    "float64": np.float64,
    "float32": np.float32,
    "float16": np.float16,
    "bfloat16": np.uint16,
}
K0, K1 = 0x12345678, 0x9ABCDEF0


# Generator distributions, each one flat ``_core.bulk`` call: (kind, p0, p1), the
# parameters chosen to run the rejection arms (gamma's shape < 1 boost, beta's two
# gammas, standard_t's gamma, Poisson's PTRS, the binomial's BTRS).  The kind codes
# are turboinit.random._bulk's; all are float64, exponential and gamma also float32 (the
# core's other kinds refuse float32); geometric, poisson and binomial write int64.
BULK = {
    "exponential": ("_EXPONENTIAL", 1.0, 0.0),
    "laplace": ("_LAPLACE", 0.0, 1.0),
    "logistic": ("_LOGISTIC", 0.0, 1.0),
    "gumbel": ("_GUMBEL", 0.0, 1.0),
    "cauchy": ("_CAUCHY", 0.0, 0.0),
    "rayleigh": ("_RAYLEIGH", 1.0, 0.0),
    "weibull": ("_WEIBULL", 1.5, 0.0),
    "pareto": ("_PARETO", 3.0, 0.0),
    "power": ("_POWER", 3.0, 0.0),
    "geometric": ("_GEOMETRIC", 0.3, 0.0),
    "lognormal": ("_LOGNORMAL", 0.0, 1.0),
    "gamma": ("_GAMMA", 0.5, 1.0),
    "beta": ("_BETA", 0.5, 2.0),
    "standard_t": ("_STANDARD_T", 3.0, 0.0),
    "poisson": ("_POISSON", 50.0, 0.0),
    "binomial": ("_BINOMIAL", 1000.0, 0.3),
}
COUNTS = ("geometric", "poisson", "binomial")
BULK_FLOAT32 = ("exponential", "gamma")


# The truncated normals' bounds, in units of std.
TRUNC_BOUNDS = {"truncnorm": (-2.0, 2.0), "truncnorm_wide": (-100.0, 100.0)}


def trunc_bounds(sampler: str) -> tuple[float, float]:
    """[lower, upper] of a truncated-normal sampler name: a TRUNC_BOUNDS key, or
    ``truncnorm@LO,HI`` for any other interval (units of std)."""
    if sampler in TRUNC_BOUNDS:
        return TRUNC_BOUNDS[sampler]
    lower, upper = (float(v) for v in sampler[len("truncnorm@") :].split(","))
    return lower, upper


def bulk_call(sampler: str, dtype: str, n: int) -> Callable[[], Any]:
    from turboinit.random import _bulk

    if dtype != "float64" and not (dtype == "float32" and sampler in BULK_FLOAT32):
        raise ValueError(f"{sampler}:{dtype}: the core has {sampler} in float64 only")
    name, p0, p1 = BULK[sampler]
    kind = getattr(_bulk, name)
    out = np.zeros(n, np.int64 if sampler in COUNTS else dtype)
    code, shape, start = CODES[dtype], (n,), (0,)
    return lambda: _core.bulk(out, kind, code, shape, start, shape, K0, K1, 0, p0, p1)


def turboinit_call(sampler: str, dtype: str, n: int) -> Callable[[], Any]:
    """One flat call of the core filling ``n`` values of ``sampler`` into a reused buffer."""
    if sampler in BULK:
        return bulk_call(sampler, dtype, n)
    out = np.zeros(n, STORAGE[dtype])
    code, shape, start = CODES[dtype], (n,), (0,)
    if sampler == "normal":
        return lambda: _core.normal(out, code, shape, start, shape, K0, K1, 0, 0.0, 1.0)
    if sampler == "uniform":
        return lambda: _core.uniform(out, code, shape, start, shape, K0, K1, 0, 0.0, 1.0)
    if sampler in TRUNC_BOUNDS or sampler.startswith("truncnorm@"):
        lower, upper = trunc_bounds(sampler)
        return lambda: _core.truncated_normal(
            out, code, shape, start, shape, K0, K1, 0, 0.0, 1.0, lower, upper
        )
    raise ValueError(sampler)


def numpy_call(bitgen: str, sampler: str, dtype: str, n: int) -> Callable[[], Any] | None:
    if dtype not in ("float32", "float64") or sampler in TRUNC_BOUNDS:
        return None
    gen = np.random.Generator(getattr(np.random, bitgen)(12345))
    out = np.zeros(n, dtype)
    f = gen.standard_normal if sampler == "normal" else gen.random
    return lambda: f(out=out, dtype=dtype)


MKL = {
    ("normal", "mkl-sfmt-icdf"): ("SFMT19937", "standard_normal", "ICDF"),
    ("normal", "mkl-philox-bm2"): ("PHILOX4X32X10", "standard_normal", "BoxMuller2"),
    ("uniform", "mkl-sfmt"): ("SFMT19937", "random_sample", None),
}


def mkl_calls(sampler: str, dtype: str, n: int) -> dict[str, Callable[[], Any]]:
    try:
        import mkl_random
    except ImportError:
        return {}
    if dtype != "float64":
        return {}
    calls: dict[str, Callable[[], Any]] = {}
    for (s, name), (brng, func, method) in MKL.items():
        if s != sampler:
            continue
        # MKLRandomState (mkl_random >= 1.3.2); RandomState before (deprecated since).
        state = getattr(mkl_random, "MKLRandomState", None) or mkl_random.RandomState
        f = getattr(state(12345, brng=brng), func)
        calls[name] = (lambda f=f, m=method: f(n, method=m)) if method else (lambda f=f: f(n))
    return calls


def rate(
    call: Callable[[], Any],
    n: int,
    inner: int,
    repeats: int,
    clock: Callable[[], float] = time.perf_counter,
) -> dict[str, float]:
    """After one warm-up call, ``repeats`` timings (by ``clock``) of ``inner`` calls each."""
    call()  # warm-up
    times = []
    for _ in range(repeats):
        t0 = clock()
        for _ in range(inner):
            call()
        times.append((clock() - t0) / inner)
    med = statistics.median(times)
    return {
        "median_s": med,
        "min_s": min(times),
        "values_per_s": n / med,
        "values_per_s_best": n / min(times),
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--n", type=int, default=2**15, help="elements per call (in cache)")
    p.add_argument("--inner", type=int, default=20, help="calls per timing")
    p.add_argument("--repeats", type=int, default=31, help="timings per row (median)")
    p.add_argument(
        "--quick", action="store_true", help="--inner 2 --repeats 5; writes only with --out"
    )
    p.add_argument("--kernel", default=None, help="turboinit SIMD kernel (default: the best)")
    p.add_argument(
        "--samplers",
        type=lambda t: t.split(","),
        default=["normal", "uniform", "truncnorm"],
        help="comma-separated, of normal, uniform, truncnorm, truncnorm_wide",
    )
    p.add_argument("--out", type=Path, default=None, help=f"default: {DEFAULT_OUT}")
    args = p.parse_args(argv)
    if args.quick:
        args.inner, args.repeats = 2, 5
    elif args.out is None:  # a quick run's numbers never replace the stored results
        args.out = DEFAULT_OUT
    ti.set_num_threads(1)
    if args.kernel:
        _core.set_kernel(args.kernel)
    os.environ.setdefault("MKL_NUM_THREADS", "1")

    load_before = os.getloadavg()
    rows: list[dict[str, Any]] = []
    for sampler in args.samplers:
        for dtype in DTYPES:
            calls: dict[str, Callable[[], Any] | None] = {
                "turboinit": turboinit_call(sampler, dtype, args.n),
                "numpy-pcg64": numpy_call("PCG64", sampler, dtype, args.n),
                "numpy-philox": numpy_call("Philox", sampler, dtype, args.n),
            }
            calls.update(mkl_calls(sampler, dtype, args.n))
            for lib, call in calls.items():
                if call is None:
                    continue
                r = rate(call, args.n, args.inner, args.repeats)
                rows.append({"sampler": sampler, "dtype": dtype, "library": lib, **r})
                print(
                    f"{sampler:10} {dtype:9} {lib:15} {r['values_per_s'] / 1e6:9.1f} M/s "
                    f"(best {r['values_per_s_best'] / 1e6:.1f})",
                    flush=True,
                )
    info = ti.build_info()
    result = {
        "n": args.n,
        "inner": args.inner,
        "repeats": args.repeats,
        "threads": 1,
        "loadavg_before": list(load_before),
        "loadavg_after": list(os.getloadavg()),
        "kernel": info.get("kernel"),
        "turboinit": ti.__version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
        "processor": platform.processor(),
        "cpu_count": os.cpu_count(),
        "rows": rows,
    }
    try:
        import mkl_random

        result["mkl_random"] = getattr(mkl_random, "__version__", "?")
    except ImportError:
        result["mkl_random"] = None
    if args.out is None:
        print(f"load average {load_before[0]:.2f} -> {os.getloadavg()[0]:.2f}; not written")
        return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"load average {load_before[0]:.2f} -> {os.getloadavg()[0]:.2f}; wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
