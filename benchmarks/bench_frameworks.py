"""turboinit.jax and turboinit.keras against the frameworks' own initializers, in one run.

1. JAX: a decoder-style parameter tree (token embedding, ``--layers`` blocks of
   qkv / proj / fc1 / fc2 kernels with biases, untied head; defaults 18 x 2048,
   vocab 32000, about 1.04 billion parameters, 4.1 GB of float32), every
   kernel drawn with one initializer (``--inits``, default ``lecun_normal`` and
   ``truncated_normal`` (both truncated normals: variance scaling, JAX's
   default for lecun/he/glorot normal, and the plain one), ``glorot_uniform``,
   ``normal``), biases zero, on the CPU:

   * ``turboinit.jax.initializers`` eagerly, leaf by leaf (host arrays put on
     the device with ``jax.device_put``, which aliases them);
   * ``jax.nn.initializers`` eagerly, leaf by leaf (``block_until_ready``);
   * ``jax.nn.initializers`` under one ``jax.jit`` of the whole tree (compiled
     first, untimed; the compile time is reported apart).

   ``--rounds`` rounds (default 3; about 70 s a round per initializer on a
   quiet 2-core host) of the three, interleaved (so that all see the same
   load; each round starts one case later), give medians of the wall and CPU
   (user + system) times.  The trees are made one after the other (never two
   in memory) after a warm-up on one leaf of every distinct shape (JAX
   compiles each eager op once per shape; that time is reported apart, as
   ``*_warmup_s``).  With ``--breakdown`` (default on; ``--no-breakdown``)
   each round also times where turboinit's time goes: generation alone (into
   one reused, already touched buffer), generation into fresh small-page
   buffers (``turboinit._host_buffer.empty_host``, what the adapter uses) and
   into fresh NumPy (huge-page madvised) buffers, and the adapter's per-leaf
   overhead (the same number of calls on a 1x1 shape).

2. Keras 3: each initializer of ``keras.initializers`` against its
   ``turboinit.keras`` twin on a ``--size`` x ``--size`` float32 kernel, median
   of ``--repeats`` interleaved calls after a warm-up, on every installed
   backend among torch and jax (each in its own interpreter: the backend is
   fixed at the first ``import keras``).

Results go to JSON (``--out``, default ``benchmarks/results/frameworks.json``)
with the machine, the load average before and after every row, and a table on
stdout.  Example (a quick check, seconds):

    python benchmarks/bench_frameworks.py --layers 1 --width 256 --vocab 1000 --size 512
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import json
import math
import os
import resource
import statistics
import subprocess
import sys
import time
from functools import partial
from pathlib import Path
from typing import Any, Callable

import numpy as np

import turboinit as ti
from turboinit._bench.machine import describe, load_average
from turboinit._host_buffer import _aligned_numpy, empty_host

DEFAULT_OUT = Path(__file__).resolve().parent / "results" / "frameworks.json"
INITS = ("lecun_normal", "truncated_normal", "glorot_uniform", "normal")
KERAS_CLASSES = (
    "GlorotUniform",
    "GlorotNormal",
    "HeNormal",
    "LecunNormal",
    "RandomNormal",
    "TruncatedNormal",
    "RandomUniform",
    "Orthogonal",
)

# The NumPy-API call each turboinit.jax factory (with its defaults) makes for a
# kernel: the breakdown times it alone.  draw(shape, seed, out) -> out.
Draw = Callable[[tuple[int, ...], int, np.ndarray], np.ndarray]
DRAWS: dict[str, Draw] = {
    "lecun_normal": lambda s, seed, out: ti.lecun_normal(
        s, truncated=True, layout="jax", seed=seed, out=out
    ),
    "he_normal": lambda s, seed, out: ti.he_normal(
        s, truncated=True, layout="jax", seed=seed, out=out
    ),
    "glorot_normal": lambda s, seed, out: ti.glorot_normal(
        s, truncated=True, layout="jax", seed=seed, out=out
    ),
    "truncated_normal": lambda s, seed, out: ti.truncated_normal(
        s, 0.0, 1e-2, -2.0, 2.0, seed=seed, out=out
    ),
    "glorot_uniform": lambda s, seed, out: ti.glorot_uniform(s, layout="jax", seed=seed, out=out),
    "he_uniform": lambda s, seed, out: ti.he_uniform(s, layout="jax", seed=seed, out=out),
    "lecun_uniform": lambda s, seed, out: ti.lecun_uniform(s, layout="jax", seed=seed, out=out),
    "normal": lambda s, seed, out: ti.normal(s, 0.0, 1e-2, seed=seed, out=out),
    "uniform": lambda s, seed, out: ti.uniform(s, 0.0, 1e-2, seed=seed, out=out),
}


def tree_shapes(layers: int, width: int, vocab: int, mlp: int) -> dict[str, tuple[int, ...]]:
    """Flat ``{path: shape}`` of the parameter tree (Flax layout: kernels ``(in, out)``)."""
    shapes: dict[str, tuple[int, ...]] = {"embed/embedding": (vocab, width)}
    for i in range(layers):
        for name, (n_in, n_out) in {
            "qkv": (width, 3 * width),
            "proj": (width, width),
            "fc1": (width, mlp * width),
            "fc2": (mlp * width, width),
        }.items():
            shapes[f"block{i}/{name}/kernel"] = (n_in, n_out)
            shapes[f"block{i}/{name}/bias"] = (n_out,)
    shapes["head/kernel"] = (width, vocab)
    return shapes


def cpu_seconds() -> float:
    """User + system CPU time of this process, all threads (XLA's and OpenMP's too)."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def timed(fn: Callable[[], Any], sync: Callable[[Any], Any]) -> tuple[float, float]:
    """(wall, CPU) seconds of ``sync(fn())``; the result is freed before returning."""
    gc.collect()
    w0, c0 = time.perf_counter(), cpu_seconds()
    result = fn()
    sync(result)
    wall, cpu = time.perf_counter() - w0, cpu_seconds() - c0
    del result
    gc.collect()
    return wall, cpu


def bench_jax(args: argparse.Namespace) -> dict[str, Any]:
    import jax
    import jax.numpy as jnp

    from turboinit.jax import initializers as tj
    from turboinit.jax import key_to_seed

    shapes = tree_shapes(args.layers, args.width, args.vocab, args.mlp)
    kernels = {p: s for p, s in shapes.items() if not p.endswith("bias")}
    n_params = sum(math.prod(s) for s in shapes.values())
    n_kernel = sum(math.prod(s) for s in kernels.values())
    keys = dict(zip(shapes, jax.random.split(jax.random.key(args.seed), len(shapes))))
    seeds = {p: key_to_seed(keys[p]) for p in kernels}
    sync = jax.block_until_ready

    def make(lib: Any, init_name: str) -> Callable[..., dict[str, Any]]:
        kernel = getattr(lib, init_name)()

        def build(names: dict[str, tuple[int, ...]] = shapes) -> dict[str, Any]:
            return {
                p: (jnp.zeros(s) if p.endswith("bias") else kernel(keys[p], s))
                for p, s in names.items()
            }

        return build

    f32 = np.dtype("float32")
    largest = max(kernels.values(), key=math.prod)
    touched = empty_host(largest, f32)
    touched[...] = 0  # touched once: the breakdown's generation-only buffer

    def numpy_hugepages(shape: tuple[int, ...], dt: np.dtype) -> np.ndarray:
        return _aligned_numpy(math.prod(shape) * dt.itemsize).view(dt).reshape(shape)

    def breakdown_cases(init_name: str) -> dict[str, Callable[[], Any]]:
        draw = DRAWS.get(init_name)
        if draw is None:
            return {}
        adapter = getattr(tj, init_name)()

        def generate() -> None:
            for p, s in kernels.items():
                draw(s, seeds[p], touched.reshape(-1)[: math.prod(s)].reshape(s))

        def fresh(alloc: Callable[[tuple[int, ...], np.dtype], np.ndarray]) -> Callable[[], Any]:
            return lambda: [draw(s, seeds[p], alloc(s, f32)) for p, s in kernels.items()]

        def per_leaf() -> list[Any]:
            return [adapter(keys[p], (1, 1)) for p in kernels]

        return {
            "generate": generate,
            "generate_fresh_small_pages": fresh(empty_host),
            "generate_fresh_numpy_hugepages": fresh(numpy_hugepages),
            "adapter_per_leaf_overhead": per_leaf,
        }

    rows = []
    # Warm-up: one leaf of every distinct shape, so that JAX's eager ops (each compiled
    # once per shape) and the bias zeros are compiled before the timed trees.
    first_of_shape: dict[tuple[int, ...], str] = {}
    for p, s in shapes.items():
        first_of_shape.setdefault(s, p)
    warm = {p: s for s, p in first_of_shape.items()}
    for init_name in args.inits:
        ours, theirs = make(tj, init_name), make(jax.nn.initializers, init_name)
        warmup = {
            "turboinit_eager_warmup_s": timed(partial(ours, warm), sync)[0],
            "jax_eager_warmup_s": timed(partial(theirs, warm), sync)[0],
        }
        row: dict[str, Any] = {
            "init": init_name,
            "parameters": n_params,
            "kernel_parameters": n_kernel,
            "rounds": args.rounds,
            "load_before": load_average(),
            "warmup_leaves": len(warm),
            **warmup,
        }
        cases: dict[str, Callable[[], Any]] = {"turboinit_eager": ours, "jax_eager": theirs}
        compiled = None
        if not args.skip_jit:
            t0 = time.perf_counter()
            compiled = jax.jit(theirs).lower().compile()
            row["jax_jit_compile_s"] = time.perf_counter() - t0
            cases["jax_jit"] = compiled
        if args.breakdown:
            cases.update(breakdown_cases(init_name))
        samples: dict[str, list[tuple[float, float]]] = {k: [] for k in cases}
        loads = []
        order = list(cases)
        for r in range(args.rounds):
            # Each round starts one case later, so no case is always first after the compile.
            for k in order[r % len(order) :] + order[: r % len(order)]:
                samples[k].append(timed(cases[k], sync))
            loads.append(load_average())
        del compiled
        for k, v in samples.items():
            row[f"{k}_s"] = statistics.median(w for w, _ in v)
            row[f"{k}_cpu_s"] = statistics.median(c for _, c in v)
            row[f"{k}_samples_s"] = [w for w, _ in v]
        for base in ("jax_eager", "jax_jit"):
            if f"{base}_s" in row:
                tag = base.removeprefix("jax_")
                row[f"speedup_vs_{tag}"] = row[f"{base}_s"] / row["turboinit_eager_s"]
                row[f"cpu_speedup_vs_{tag}"] = row[f"{base}_cpu_s"] / row["turboinit_eager_cpu_s"]
        row["load_after_rounds"] = loads
        row["load_after"] = load_average()
        row["peak_rss_bytes"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        rows.append(row)
        print(
            f"jax tree {n_params / 1e9:.3f} B params, {init_name:16} "
            f"jax eager {row['jax_eager_s']:8.3f} s"
            + (f", jax jit {row['jax_jit_s']:8.3f} s" if "jax_jit_s" in row else "")
            + f", turboinit {row['turboinit_eager_s']:8.3f} s: "
            f"{row['speedup_vs_eager']:.2f}x eager"
            + (f", {row['speedup_vs_jit']:.2f}x jit" if "speedup_vs_jit" in row else "")
            + f" (CPU time {row['cpu_speedup_vs_eager']:.2f}x"
            + (f", {row['cpu_speedup_vs_jit']:.2f}x" if "cpu_speedup_vs_jit" in row else "")
            + f"), load {row['load_before'][0]:.2f} -> {row['load_after'][0]:.2f}",
            flush=True,
        )
        if args.breakdown and "generate_s" in row:
            print(
                "    turboinit's time: generate "
                f"{row['generate_s']:.3f} s, into fresh small pages "
                f"{row['generate_fresh_small_pages_s']:.3f} s (NumPy huge pages "
                f"{row['generate_fresh_numpy_hugepages_s']:.3f} s), adapter "
                f"{row['turboinit_eager_s']:.3f} s, per-leaf overhead "
                f"{row['adapter_per_leaf_overhead_s']:.3f} s",
                flush=True,
            )
    return {
        "layers": args.layers,
        "width": args.width,
        "vocab": args.vocab,
        "mlp": args.mlp,
        "rows": rows,
    }


def bench_keras_here(size: int, repeats: int, seed: int) -> list[dict[str, Any]]:
    """In this interpreter, with its KERAS_BACKEND."""
    import keras

    import turboinit.keras as tk

    def sync(x: Any) -> Any:
        ready = getattr(x, "block_until_ready", None)
        return ready() if callable(ready) else x

    def one(init: Any) -> float:
        t0 = time.perf_counter()
        sync(init(shape, "float32"))
        return time.perf_counter() - t0

    rows = []
    shape = (size, size)
    for name in KERAS_CLASSES:
        n = 1 if name == "Orthogonal" else repeats
        ours = getattr(tk, name)(seed=seed)
        theirs = getattr(keras.initializers, name)(seed=seed)
        row: dict[str, Any] = {
            "backend": keras.backend.backend(),
            "initializer": name,
            "shape": list(shape),
            "repeats": n,
            "load_before": load_average(),
        }
        one(ours), one(theirs)  # warm-up
        times: dict[str, list[float]] = {"turboinit": [], "keras": []}
        for _ in range(n):  # interleaved: both see the same load
            times["turboinit"].append(one(ours))
            times["keras"].append(one(theirs))
        row["turboinit_s"] = statistics.median(times["turboinit"])
        row["keras_s"] = statistics.median(times["keras"])
        row["speedup"] = row["keras_s"] / row["turboinit_s"]
        row["load_after"] = load_average()
        rows.append(row)
    return rows


def bench_keras(args: argparse.Namespace) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for backend in args.keras_backends:
        if importlib.util.find_spec(backend) is None or importlib.util.find_spec("keras") is None:
            print(f"keras on {backend}: skipped (not installed)")
            continue
        env = dict(os.environ, KERAS_BACKEND=backend)
        cmd = [sys.executable, __file__, "--keras-worker", str(args.size), str(args.repeats)]
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            print(f"keras on {backend}: failed\n{proc.stderr[-2000:]}")
            rows.append({"backend": backend, "error": proc.stderr[-2000:]})
            continue
        got = json.loads(proc.stdout.strip().splitlines()[-1])
        for r in got:
            print(
                f"keras[{backend:5}] {r['initializer']:16} {size_str(r)} keras "
                f"{r['keras_s']:8.4f} s, turboinit {r['turboinit_s']:8.4f} s: "
                f"{r['speedup']:.2f}x",
                flush=True,
            )
        rows += got
    return rows


def size_str(r: dict[str, Any]) -> str:
    return "x".join(str(d) for d in r["shape"])


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--keras-worker"]:
        print(json.dumps(bench_keras_here(int(argv[1]), int(argv[2]), 0)))
        return 0
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--layers", type=int, default=18)
    p.add_argument("--width", type=int, default=2048)
    p.add_argument("--vocab", type=int, default=32000)
    p.add_argument("--mlp", type=int, default=4)
    p.add_argument("--inits", type=lambda s: s.split(","), default=list(INITS))
    p.add_argument("--size", type=int, default=4096, help="side of the Keras kernel")
    p.add_argument("--repeats", type=int, default=5, help="Keras calls per initializer")
    p.add_argument("--rounds", type=int, default=3, help="interleaved rounds of the JAX trees")
    p.add_argument(
        "--breakdown",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also time where turboinit's time goes (generation, fresh pages, per leaf)",
    )
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--keras-backends", type=lambda s: s.split(","), default=["torch", "jax"])
    p.add_argument("--skip-jax", action="store_true")
    p.add_argument("--skip-jit", action="store_true", help="no jax.jit baseline")
    p.add_argument("--skip-keras", action="store_true")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = p.parse_args(argv)

    result: dict[str, Any] = {
        "machine": describe(),
        "argv": argv,
        "turboinit_threads": ti.get_num_threads(),
        "load_average_start": load_average(),
    }
    if not args.skip_jax:
        if importlib.util.find_spec("jax") is None:
            print("jax: skipped (not installed)")
        else:
            result["jax"] = bench_jax(args)
    if not args.skip_keras:
        result["keras"] = bench_keras(args)
    result["load_average_end"] = load_average()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"load average {result['load_average_start']} -> {result['load_average_end']}")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
