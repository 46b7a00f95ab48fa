"""turboinit.torch on a CUDA device against torch.nn.init on the same device, in one run.

    python benchmarks/bench_torch_cuda.py            # needs a CUDA device
    python benchmarks/bench_torch_cuda.py --quick    # tiny sizes

turboinit generates on the host (all cores, the same bits as on the CPU) and
copies to the device; PyTorch generates on the device with its own Philox.  So
this is the price of device-independent bits, not a race we expect to win:

1. each function on a ``--size`` x ``--size`` float32 CUDA tensor (median of
   ``--repeat`` calls after one warm-up, ``torch.cuda.synchronize()`` around each);
2. a whole decoder model (``bench_torch.Decoder``) built on ``meta``, moved with
   ``to_empty(device=args.device)`` and initialised by ``turboinit.torch.init_model``
   or by every module's ``reset_parameters`` (timed once each, after a warm-up on
   a tiny model);
3. a check that the CUDA tensors hold exactly the bits turboinit gives on the CPU.

Writes JSON (``--out``, default ``benchmarks/results/torch_cuda/results.json``).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Callable

import torch

import turboinit.torch as tt
from turboinit._bench.machine import describe, load_average

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_torch import Decoder  # noqa: E402

DEFAULT_OUT = Path(__file__).resolve().parent / "results" / "torch_cuda" / "results.json"

FUNCTIONS: dict[str, tuple[Callable[..., Any], Callable[..., Any]]] = {
    "normal_": (lambda t: tt.normal_(t, generator=1), torch.nn.init.normal_),
    "uniform_": (lambda t: tt.uniform_(t, generator=1), torch.nn.init.uniform_),
    "kaiming_uniform_": (
        lambda t: tt.kaiming_uniform_(t, generator=1),
        torch.nn.init.kaiming_uniform_,
    ),
    "trunc_normal_": (lambda t: tt.trunc_normal_(t, generator=1), torch.nn.init.trunc_normal_),
    "xavier_normal_": (lambda t: tt.xavier_normal_(t, generator=1), torch.nn.init.xavier_normal_),
}


def _sync() -> None:
    if torch.cuda.is_available():
        torch.cuda.synchronize()


def _median(call: Callable[[], Any], repeat: int) -> float:
    call()
    _sync()
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        call()
        _sync()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples)


def _reset(model: torch.nn.Module) -> None:
    for module in model.modules():
        reset = getattr(module, "reset_parameters", None)
        if callable(reset):
            reset()


def run(args: argparse.Namespace) -> dict[str, Any]:
    rows = []
    t = torch.empty(args.size, args.size, device=args.device)
    for name, (ours, theirs) in FUNCTIONS.items():
        ours_s = _median(lambda f=ours, t=t: f(t), args.repeat)
        torch_s = _median(lambda f=theirs, t=t: f(t), args.repeat)
        same = bool(torch.equal(ours(t).cpu(), ours(torch.empty(args.size, args.size))))
        rows.append({"function": name, "turboinit_s": ours_s, "torch_s": torch_s,
                     "torch_speedup": ours_s / torch_s, "same_bits_as_cpu": same})  # fmt: skip
        print(f"{name:18} turboinit {ours_s * 1e3:8.2f} ms  torch {torch_s * 1e3:8.3f} ms  "
              f"same bits as CPU: {same}", flush=True)  # fmt: skip
    del t

    def build() -> torch.nn.Module:
        with torch.device("meta"):
            model = Decoder(args.layers, args.width, args.vocab, 4)
        return model.to_empty(device=args.device)

    with torch.device("meta"):
        tiny = Decoder(1, 8, 16, 1)
    tt.init_model(tiny.to_empty(device=args.device), 0, progress=False)
    _reset(tiny)
    model = build()
    n_params = sum(p.numel() for p in model.parameters())
    _sync()
    t0 = time.perf_counter()
    tt.init_model(model, 0, progress=False)
    _sync()
    ours_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    _reset(model)
    _sync()
    torch_s = time.perf_counter() - t0
    del model
    model_row = {"params": n_params, "turboinit_init_model_s": ours_s,
                 "torch_reset_parameters_s": torch_s}  # fmt: skip
    print(f"model {n_params / 1e9:.2f}B on {args.device}: init_model {ours_s:.2f} s, "
          f"reset_parameters {torch_s:.3f} s", flush=True)  # fmt: skip
    return {"functions": rows, "model": model_row}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true")
    p.add_argument("--size", type=int, default=8192)
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--layers", type=int, default=24)
    p.add_argument("--width", type=int, default=2048)
    p.add_argument("--vocab", type=int, default=32000)
    p.add_argument("--device", default="cuda", help="torch device (cpu: to check the script)")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = p.parse_args(argv)
    if args.device.startswith("cuda") and not torch.cuda.is_available():
        print("no CUDA device: nothing to measure", file=sys.stderr)
        return 0
    if args.quick:
        args.size, args.repeat, args.layers, args.width, args.vocab = 256, 2, 1, 64, 100
    result = {"machine": describe(), "device": args.device,
              "gpu": torch.cuda.get_device_name() if torch.cuda.is_available() else None,
              "load_before": load_average(), **run(args), "load_after": load_average()}  # fmt: skip
    os.makedirs(args.out.parent, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1))
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
