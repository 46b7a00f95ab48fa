"""turboinit.torch against PyTorch, in one run.

1. Whole model: a decoder-style language model (token embedding, ``--layers``
   pre-norm blocks of LayerNorm + Linear qkv/proj + LayerNorm + Linear MLP,
   final LayerNorm, untied Linear head; defaults 24 x 2048, vocab 32000,
   about 1.3 billion parameters) built

   * the PyTorch way: constructed on the CPU, every layer running its default
     ``reset_parameters`` (timed: construction);
   * the turboinit way: constructed on the ``meta`` device, ``to_empty(device="cpu")``,
     then ``turboinit.torch.init_model`` with each layer's PyTorch default
     (timed: all three steps).

   Both are reported with their ratio, and so is generation alone: each side
   run again on its model's now touched memory (``reset_parameters`` of every
   module; ``init_model``), beside the first-touch cost of a fresh buffer of
   the model's size (``zero_``), so page faults and generation are told apart.
   ``--model-runs`` (default 3) repeats the whole measurement; the load
   average is recorded with each.  The two models are built one after
   the other (never both in memory: about 4 bytes per parameter each), after
   an untimed warm-up of both paths on a tiny model.

2. Each ``turboinit.torch`` function against its ``torch.nn.init`` twin on a
   ``--size`` x ``--size`` float32 tensor (default 4096): median of
   ``--repeats`` calls after one warm-up call.  ``orthogonal_`` and ``sparse_``
   (slow in PyTorch) use ``--slow-repeats``.

Both sides write freshly allocated memory, so both pay its page faults
(about as costly as generating the values with 4 KiB pages).  With the
kernel's transparent huge pages in ``madvise`` mode, ``THP_MEM_ALLOC_ENABLE=1``
makes PyTorch's allocator ask for huge pages (for both sides alike); the
setting is recorded in the JSON.

Results go to JSON (``--out``, default ``benchmarks/results/torch/results.json``)
and a table on stdout.  Example (a quick check; the 1B default takes minutes
and ~6 GB of memory):

    python benchmarks/bench_torch.py --layers 2 --width 256 --vocab 1000 --size 1024
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Callable

import torch
from torch import nn

import turboinit as ti
import turboinit.torch as tt

DEFAULT_OUT = Path(__file__).resolve().parent / "results" / "torch" / "results.json"


class Block(nn.Module):
    """A pre-norm decoder block, built from Linear and LayerNorm only."""

    def __init__(self, width: int, mlp: int) -> None:
        super().__init__()
        self.ln1 = nn.LayerNorm(width)
        self.qkv = nn.Linear(width, 3 * width)
        self.proj = nn.Linear(width, width)
        self.ln2 = nn.LayerNorm(width)
        self.fc1 = nn.Linear(width, mlp * width)
        self.fc2 = nn.Linear(mlp * width, width)


class Decoder(nn.Module):
    def __init__(self, layers: int, width: int, vocab: int, mlp: int) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocab, width)
        self.blocks = nn.ModuleList(Block(width, mlp) for _ in range(layers))
        self.ln_f = nn.LayerNorm(width)
        self.head = nn.Linear(width, vocab, bias=False)


def bench_model(args: argparse.Namespace) -> dict[str, Any]:
    def make() -> Decoder:
        return Decoder(args.layers, args.width, args.vocab, args.mlp)

    # Warm-up: the first model built under torch.device("meta") pays a one-time
    # set-up of several seconds, and the first calls load kernels; neither
    # depends on the model's size, so neither is timed.
    with torch.device("meta"):
        tiny = Decoder(1, 8, 16, 1)
    tt.init_model(tiny.to_empty(device="cpu"), args.seed, progress=False)
    Decoder(1, 8, 16, 1)
    del tiny

    gc.collect()
    load_before = os.getloadavg()
    torch.manual_seed(0)
    t0 = time.perf_counter()
    model = make()
    torch_s = time.perf_counter() - t0
    n_params = sum(p.numel() for p in model.parameters())
    # Generation alone: PyTorch's default init again, on the same (now
    # touched) memory.
    t0 = time.perf_counter()
    for module in model.modules():
        reset = getattr(module, "reset_parameters", None)
        if callable(reset):
            reset()
    torch_warm_s = time.perf_counter() - t0
    del model
    gc.collect()

    # First touch alone: fault in and write once a fresh buffer of the model's size.
    buf = torch.empty(n_params, dtype=torch.float32)
    t0 = time.perf_counter()
    buf.zero_()
    first_touch_s = time.perf_counter() - t0
    del buf
    gc.collect()

    t0 = time.perf_counter()
    with torch.device("meta"):
        model = make()
    t1 = time.perf_counter()
    model = model.to_empty(device="cpu")
    t2 = time.perf_counter()
    report = tt.init_model(model, args.seed, progress=False)
    t3 = time.perf_counter()
    ours_s = t3 - t0
    # Generation alone: the same init_model on the touched memory.
    tt.init_model(model, args.seed, progress=False)
    ours_warm_s = time.perf_counter() - t3
    finite = all(bool(torch.isfinite(p).all()) for p in model.parameters())
    del model
    gc.collect()
    return {
        "layers": args.layers,
        "width": args.width,
        "vocab": args.vocab,
        "mlp": args.mlp,
        "parameters": n_params,
        "loadavg_before": list(load_before),
        "loadavg_after": list(os.getloadavg()),
        "torch_default_init_s": torch_s,
        "torch_reset_parameters_warm_s": torch_warm_s,
        "first_touch_s": first_touch_s,
        "turboinit_total_s": ours_s,
        "turboinit_meta_construct_s": t1 - t0,
        "turboinit_to_empty_s": t2 - t1,
        "turboinit_init_model_s": t3 - t2,
        "turboinit_init_model_warm_s": ours_warm_s,
        "speedup": torch_s / ours_s,
        # Both sides without page faults: generation against generation.
        "speedup_generation": torch_warm_s / ours_warm_s,
        "tensors_initialised": len(report),
        "all_finite": finite,
    }


# name -> (torch.nn.init call, turboinit.torch call); both take the tensor.
def _pairs() -> dict[str, tuple[Callable[[torch.Tensor], Any], Callable[[torch.Tensor], Any]]]:
    init = torch.nn.init
    sqrt5 = math.sqrt(5)
    return {
        "uniform_": (lambda t: init.uniform_(t, -1, 1), lambda t: tt.uniform_(t, -1, 1)),
        "normal_": (lambda t: init.normal_(t, 0, 0.02), lambda t: tt.normal_(t, 0, 0.02)),
        "trunc_normal_": (
            lambda t: init.trunc_normal_(t, std=0.02, a=-0.04, b=0.04),
            lambda t: tt.trunc_normal_(t, std=0.02, a=-0.04, b=0.04),
        ),
        "constant_": (lambda t: init.constant_(t, 0.5), lambda t: tt.constant_(t, 0.5)),
        "ones_": (init.ones_, tt.ones_),
        "zeros_": (init.zeros_, tt.zeros_),
        "eye_": (init.eye_, tt.eye_),
        "xavier_uniform_": (init.xavier_uniform_, tt.xavier_uniform_),
        "xavier_normal_": (init.xavier_normal_, tt.xavier_normal_),
        "kaiming_uniform_": (
            lambda t: init.kaiming_uniform_(t, a=sqrt5),
            lambda t: tt.kaiming_uniform_(t, a=sqrt5),
        ),
        "kaiming_normal_": (
            lambda t: init.kaiming_normal_(t, nonlinearity="relu"),
            lambda t: tt.kaiming_normal_(t, nonlinearity="relu"),
        ),
        "orthogonal_": (init.orthogonal_, tt.orthogonal_),
        "sparse_": (lambda t: init.sparse_(t, 0.1), lambda t: tt.sparse_(t, 0.1)),
    }


def _median_time(fn: Callable[[torch.Tensor], Any], t: torch.Tensor, repeats: int) -> float:
    fn(t)  # warm-up: pages touched, kernels chosen
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn(t)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def bench_functions(args: argparse.Namespace) -> list[dict[str, Any]]:
    rows = []
    t = torch.empty(args.size, args.size)
    for name, (theirs, ours) in _pairs().items():
        if args.only and name not in args.only:
            continue
        repeats = args.slow_repeats if name in ("orthogonal_", "sparse_") else args.repeats
        row: dict[str, Any] = {
            "function": name,
            "shape": [args.size, args.size],
            "dtype": "float32",
            "repeats": repeats,
        }
        row["turboinit_s"] = _median_time(ours, t, repeats)
        row["torch_s"] = _median_time(theirs, t, repeats)
        row["speedup"] = row["torch_s"] / row["turboinit_s"]
        rows.append(row)
    return rows


def _read(path: str) -> str | None:
    try:
        return Path(path).read_text().strip()
    except OSError:
        return None


def machine() -> dict[str, Any]:
    info = ti.build_info()
    return {
        # First touches of fresh memory (page faults) cost about as much as
        # generating it; transparent huge pages change the picture for both sides.
        "transparent_hugepage": _read("/sys/kernel/mm/transparent_hugepage/enabled"),
        "THP_MEM_ALLOC_ENABLE": os.environ.get("THP_MEM_ALLOC_ENABLE"),
        "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS"),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "processor": platform.processor(),
        "cpu_count": os.cpu_count(),
        "torch": torch.__version__,
        "torch_threads": torch.get_num_threads(),
        "turboinit": ti.__version__,
        "turboinit_threads": ti.get_num_threads(),
        "turboinit_kernel": info.get("kernel"),
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--layers", type=int, default=24)
    p.add_argument("--width", type=int, default=2048)
    p.add_argument("--vocab", type=int, default=32000)
    p.add_argument("--mlp", type=int, default=4, help="MLP width multiplier (default 4)")
    p.add_argument("--size", type=int, default=4096, help="side of the square tensor for functions")
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument(
        "--slow-repeats", type=int, default=1, help="repeats for orthogonal_ and sparse_"
    )
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=None, help="turboinit and torch threads")
    p.add_argument("--only", nargs="*", default=None, help="benchmark only these functions")
    p.add_argument("--skip-model", action="store_true")
    p.add_argument(
        "--model-runs", type=int, default=3, help="whole-model measurements, each reported"
    )
    p.add_argument("--skip-functions", action="store_true")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = p.parse_args(argv)
    if args.threads:
        ti.set_num_threads(args.threads)
        torch.set_num_threads(args.threads)

    result: dict[str, Any] = {
        "machine": machine(),
        "argv": sys.argv[1:],
        "loadavg": list(os.getloadavg()),
    }
    if not args.skip_model:
        runs = [bench_model(args) for _ in range(args.model_runs)]
        result["model"] = runs[0]
        result["model_runs"] = runs
        for m in runs:
            print(
                f"model {m['layers']} x {m['width']}, vocab {m['vocab']}: "
                f"{m['parameters'] / 1e9:.3f} B params, load {m['loadavg_before'][0]:.1f}\n"
                f"  torch default init (construct on CPU): {m['torch_default_init_s']:8.3f} s"
                f" (reset_parameters again, touched memory: "
                f"{m['torch_reset_parameters_warm_s']:.3f} s)\n"
                f"  turboinit meta + to_empty + init_model: {m['turboinit_total_s']:8.3f} s "
                f"(init_model {m['turboinit_init_model_s']:.3f} s; "
                f"again, touched memory: {m['turboinit_init_model_warm_s']:.3f} s)\n"
                f"  first touch of a fresh buffer of the model's size: "
                f"{m['first_touch_s']:.3f} s\n"
                f"  speedup {m['speedup']:.2f}x (generation alone {m['speedup_generation']:.2f}x)"
            )
    if not args.skip_functions:
        rows = bench_functions(args)
        result["functions"] = rows
        head = f"{'function':18} {'torch (s)':>10} {'turboinit (s)':>14} {'speedup':>8}"
        print(f"\n{head}   {args.size}x{args.size} float32")
        for r in rows:
            times = f"{r['torch_s']:10.4f} {r['turboinit_s']:14.4f}"
            print(f"{r['function']:18} {times} {r['speedup']:7.2f}x")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
