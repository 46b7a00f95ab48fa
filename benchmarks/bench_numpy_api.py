"""Every sampling method of ``turboinit.random.Generator`` against NumPy, in one run.

    python benchmarks/bench_numpy_api.py                    # 2**24 elements per call
    python benchmarks/bench_numpy_api.py --size 4096 --repeat 1 --json /tmp/x.json

For each method of ``numpy.random.Generator`` that draws samples, the same call
(same arguments, ``size`` elements) is timed on three generators:

* ``turboinit``: ``turboinit.random.default_rng(0)`` (parallel C++ for the
  methods it defines, NumPy's code on our Philox for the others);
* ``numpy_pcg64``: ``numpy.random.Generator(numpy.random.PCG64(0))``, NumPy's default;
* ``numpy_philox``: ``numpy.random.Generator(numpy.random.Philox(0))``, NumPy's own
  Philox (the fair baseline of the methods that run NumPy's code).

The best of ``--repeat`` calls is kept (after one warm-up call).  The JSON
records the machine (CPUs, threads, ``os.getloadavg()`` before and after):
numbers taken while other jobs run are noise.

``write_floor`` is the time of ``np.full`` of the method's output (same shape and dtype,
a new array): writing the result alone, first touch included, on one thread as NumPy
does it.  ``ceiling_vs_pcg64`` = NumPy PCG64's time / that floor: the ratio a generator
would reach if drawing the values cost nothing beyond writing a new array.  (In-place
methods and ``bytes`` have none.)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from typing import Any, Callable, TypeVar

import numpy as np

import turboinit
import turboinit.random as tr
from turboinit.random import _compat

T = TypeVar("T")

# Positional arguments of each method before ``size`` (None: call with size only).
ARGS: dict[str, tuple[Any, ...]] = {
    "beta": (2.0, 3.0),
    "binomial": (10, 0.5),
    "chisquare": (3.0,),
    "dirichlet": ([1.0, 2.0, 3.0],),
    "exponential": (2.0,),
    "f": (3.0, 4.0),
    "gamma": (2.0, 1.5),
    "geometric": (0.3,),
    "gumbel": (0.0, 1.0),
    "hypergeometric": (10, 5, 7),
    "integers": (0, 1000),
    "laplace": (0.0, 1.0),
    "logistic": (0.0, 1.0),
    "lognormal": (0.0, 1.0),
    "logseries": (0.5,),
    "multinomial": (10, [0.2, 0.3, 0.5]),
    "multivariate_hypergeometric": ([10, 5, 7], 6),
    "multivariate_normal": ([0.0, 1.0], [[1.0, 0.5], [0.5, 2.0]]),
    "negative_binomial": (5, 0.5),
    "noncentral_chisquare": (3.0, 2.0),
    "noncentral_f": (3.0, 4.0, 2.0),
    "normal": (1.0, 2.0),
    "pareto": (3.0,),
    "poisson": (4.0,),
    "power": (2.0,),
    "random": (),
    "rayleigh": (1.0,),
    "standard_cauchy": (),
    "standard_exponential": (),
    "standard_gamma": (2.0,),
    "standard_normal": (),
    "standard_t": (5.0,),
    "triangular": (0.0, 0.5, 1.0),
    "uniform": (-1.0, 1.0),
    "vonmises": (0.0, 1.0),
    "wald": (1.0, 2.0),
    "weibull": (1.5,),
    "zipf": (2.0,),
}
# Vector-valued samples: size counts vectors, so fewer make the same number of elements.
VECTOR_LEN = {
    "dirichlet": 3,
    "multinomial": 3,
    "multivariate_hypergeometric": 3,
    "multivariate_normal": 2,
}


def _calls(name: str, n: int) -> Callable[[np.random.Generator], Any] | None:
    if name in ARGS:
        args, size = ARGS[name], max(1, n // VECTOR_LEN.get(name, 1))
        return lambda g: getattr(g, name)(*args, size=size)
    if name == "bytes":
        return lambda g: g.bytes(n)
    if name == "choice":
        return lambda g: g.choice(1000, size=n)
    if name == "permutation":
        return lambda g: g.permutation(n)
    if name in ("shuffle", "permuted"):
        x = np.arange(n)
        return lambda g: getattr(g, name)(x)
    return None


def _best(call: Callable[[T], Any], g: T, repeat: int) -> tuple[float, Any]:
    """The best time of ``repeat`` calls after a warm-up, and the warm-up output's
    ``(shape, dtype)`` (None if it is not an array)."""
    first = call(g)
    like = (first.shape, first.dtype) if isinstance(first, np.ndarray) else None
    del first
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        call(g)
        best = min(best, time.perf_counter() - t)
    return best, like


def _write_floor(like: Any, repeat: int) -> float | None:
    """Best time of ``np.full`` of a new array of ``like = (shape, dtype)``, or None."""
    if like is None:
        return None
    shape, dtype = like
    return _best(lambda _: np.full(shape, 1, dtype), None, repeat)[0]


def run(n: int, repeat: int) -> dict[str, Any]:
    rows = {r.name: r for r in _compat.generator_rows()}
    makers: dict[str, Callable[[], np.random.Generator]] = {
        "turboinit": lambda: tr.default_rng(0),
        "numpy_pcg64": lambda: np.random.Generator(np.random.PCG64(0)),
        "numpy_philox": lambda: np.random.Generator(np.random.Philox(0)),
    }
    results = []
    load_before = os.getloadavg()
    for name in sorted(rows):
        call = _calls(name, n)
        if call is None:
            continue
        timed = {who: _best(call, make(), repeat) for who, make in makers.items()}
        seconds = {who: t for who, (t, _) in timed.items()}
        floor = _write_floor(timed["turboinit"][1], repeat)
        results.append(
            {
                "method": name,
                "runs": rows[name].kind,
                "defined_by": rows[name].defined_by,
                "seconds": seconds,
                "speedup_vs_pcg64": seconds["numpy_pcg64"] / seconds["turboinit"],
                "speedup_vs_numpy_philox": seconds["numpy_philox"] / seconds["turboinit"],
                "write_floor": floor,
                "ceiling_vs_pcg64": None if floor is None else seconds["numpy_pcg64"] / floor,
            }
        )
        ceiling = results[-1]["ceiling_vs_pcg64"]
        print(
            f"{name:28s} {rows[name].kind:10s} ours {seconds['turboinit'] * 1e3:9.2f} ms  "
            f"x{results[-1]['speedup_vs_pcg64']:6.2f} vs PCG64  "
            f"x{results[-1]['speedup_vs_numpy_philox']:6.2f} vs NumPy Philox  "
            + ("" if ceiling is None else f"(ceiling x{ceiling:.1f})"),
            flush=True,
        )
    return {
        "benchmark": "bench_numpy_api",
        "elements": n,
        "repeat": repeat,
        "threads": turboinit.get_num_threads(),
        "cpus": os.cpu_count(),
        "loadavg_before": load_before,
        "loadavg_after": os.getloadavg(),
        "machine": platform.machine(),
        "numpy": np.__version__,
        "turboinit": turboinit.__version__,
        "results": results,
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--size", type=int, default=2**24, help="elements per call (default 2**24)")
    p.add_argument("--repeat", type=int, default=3, help="timed calls per method (best kept)")
    p.add_argument("--json", help="write the results here")
    a = p.parse_args()
    out = run(a.size, a.repeat)
    print(f"load average before {out['loadavg_before']}, after {out['loadavg_after']}")
    if a.json:
        with open(a.json, "w", encoding="utf-8") as f:
            json.dump(out, f, indent=1)


if __name__ == "__main__":
    main()
