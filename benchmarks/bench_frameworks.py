"""turboinit.jax and turboinit.keras against the frameworks' own initializers, in one run.

1. JAX: a decoder-style parameter tree (token embedding, ``--layers`` blocks of
   qkv / proj / fc1 / fc2 kernels with biases, untied head; defaults 24 x 2048,
   vocab 32000, about 1.3 billion parameters), every kernel drawn with one
   initializer (``--inits``, default ``lecun_normal`` (truncated normal),
   ``glorot_uniform``, ``normal``), biases zero, on the CPU:

   * ``jax.nn.initializers`` eagerly, leaf by leaf (``block_until_ready``);
   * ``jax.nn.initializers`` under one ``jax.jit`` of the whole tree (compiled
     first, untimed; the compile time is reported apart);
   * ``turboinit.jax.initializers`` eagerly, leaf by leaf (host arrays put on
     the device with ``jax.device_put``).

   The trees are made one after the other (never two in memory) after an
   untimed warm-up on a tiny tree.

2. Keras 3: each initializer of ``keras.initializers`` against its
   ``turboinit.keras`` twin on a ``--size`` x ``--size`` float32 kernel, median
   of ``--repeats`` calls after a warm-up, on every installed backend among
   torch and jax (each in its own interpreter: the backend is fixed at the
   first ``import keras``).

Results go to JSON (``--out``, default ``benchmarks/results/frameworks.json``)
with the machine (load average before and after) and a table on stdout.
Example (a quick check, seconds):

    python benchmarks/bench_frameworks.py --layers 1 --width 256 --vocab 1000 --size 512
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable

import turboinit as ti
from turboinit._bench.machine import describe, load_average

DEFAULT_OUT = Path(__file__).resolve().parent / "results" / "frameworks.json"
INITS = ("lecun_normal", "glorot_uniform", "normal")
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


def bench_jax(args: argparse.Namespace) -> dict[str, Any]:
    import jax
    import jax.numpy as jnp

    from turboinit.jax import initializers as tj

    shapes = tree_shapes(args.layers, args.width, args.vocab, args.mlp)
    n_params = sum(int(jnp.prod(jnp.array(s))) for s in shapes.values())
    keys = dict(zip(shapes, jax.random.split(jax.random.key(args.seed), len(shapes))))

    def make(lib: Any, init_name: str) -> Callable[[], dict[str, Any]]:
        kernel = getattr(lib, init_name)()

        def build(names: dict[str, tuple[int, ...]] = shapes) -> dict[str, Any]:
            return {
                p: (jnp.zeros(s) if p.endswith("bias") else kernel(keys[p], s))
                for p, s in names.items()
            }

        return build

    def timed(fn: Callable[[], dict[str, Any]]) -> float:
        t0 = time.perf_counter()
        tree = fn()
        jax.block_until_ready(tree)
        dt = time.perf_counter() - t0
        del tree
        gc.collect()
        return dt

    rows = []
    tiny = tree_shapes(1, 8, 16, 1)
    for init_name in args.inits:
        ours, theirs = make(tj, init_name), make(jax.nn.initializers, init_name)
        jax.block_until_ready(ours(tiny))  # warm-up: first calls, dispatch caches
        jax.block_until_ready(theirs(tiny))
        row: dict[str, Any] = {"init": init_name, "parameters": n_params}
        row["load_before"] = load_average()
        row["turboinit_eager_s"] = timed(ours)
        row["jax_eager_s"] = timed(theirs)
        if not args.skip_jit:
            t0 = time.perf_counter()
            compiled = jax.jit(theirs).lower().compile()
            row["jax_jit_compile_s"] = time.perf_counter() - t0
            row["jax_jit_s"] = timed(compiled)
            del compiled
            row["speedup_vs_jit"] = row["jax_jit_s"] / row["turboinit_eager_s"]
        row["speedup_vs_eager"] = row["jax_eager_s"] / row["turboinit_eager_s"]
        row["load_after"] = load_average()
        rows.append(row)
        print(
            f"jax tree {n_params / 1e9:.3f} B params, {init_name:15} "
            f"jax eager {row['jax_eager_s']:8.3f} s"
            + (f", jax jit {row['jax_jit_s']:8.3f} s" if "jax_jit_s" in row else "")
            + f", turboinit {row['turboinit_eager_s']:8.3f} s: "
            f"{row['speedup_vs_eager']:.2f}x eager"
            + (f", {row['speedup_vs_jit']:.2f}x jit" if "speedup_vs_jit" in row else ""),
            flush=True,
        )
    return {"layers": args.layers, "width": args.width, "vocab": args.vocab, "rows": rows}


def bench_keras_here(size: int, repeats: int, seed: int) -> list[dict[str, Any]]:
    """In this interpreter, with its KERAS_BACKEND."""
    import keras

    import turboinit.keras as tk

    def sync(x: Any) -> Any:
        ready = getattr(x, "block_until_ready", None)
        return ready() if callable(ready) else x

    def median(init: Any, n: int) -> float:
        sync(init(shape, "float32"))
        times = []
        for _ in range(n):
            t0 = time.perf_counter()
            sync(init(shape, "float32"))
            times.append(time.perf_counter() - t0)
        return statistics.median(times)

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
        row["turboinit_s"] = median(ours, n)
        row["keras_s"] = median(theirs, n)
        row["speedup"] = row["keras_s"] / row["turboinit_s"]
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
    p.add_argument("--layers", type=int, default=24)
    p.add_argument("--width", type=int, default=2048)
    p.add_argument("--vocab", type=int, default=32000)
    p.add_argument("--mlp", type=int, default=4)
    p.add_argument("--inits", type=lambda s: s.split(","), default=list(INITS))
    p.add_argument("--size", type=int, default=4096, help="side of the Keras kernel")
    p.add_argument("--repeats", type=int, default=5)
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
