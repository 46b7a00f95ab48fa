"""Sharded initialisation: turboinit against torch's own init, per rank, in one run.

A decoder (token embedding, ``--layers`` blocks of RMSNorm + attention
projections wq/wk/wv/wo + RMSNorm + MLP w1/w2/w3, final RMSNorm, untied head;
defaults 16 x 2048, vocab 32000, MLP 5632: about 1.0 billion parameters) is
built on the ``meta`` device in each of N processes (gloo on the CPU, one
thread each), sharded with FSDP2's ``fully_shard`` over a mesh of N, and
materialised with ``to_empty(device="cpu")``.  Then, timed, per rank:

* ``turboinit``: ``turboinit.torch.init_model(model, seed, scheme="capture",
  init=model.init_weights)``: the model's own init, replayed; each rank
  generates only its shards;
* ``torch``: ``model.init_weights()``, torchtitan's way: torch's RNG on the
  DTensors (its values depend on the mesh; see docs/sharded.md).

Each method runs in its own set of processes, so each peak RSS
(``ru_maxrss``, which includes the Python + torch baseline, also reported
alone before the model is built) is its own.  ``--orthogonal`` also times
``orthogonal_`` on a Shard(0) DTensor of ``width x width``, which every rank
makes whole (QR couples all entries), against ``normal_`` on the same tensor.

Results: JSON (``--out``, default ``benchmarks/results/sharded/results.json``)
with ``os.getloadavg()``, and a table on stdout.  Quick check:

    python benchmarks/bench_sharded.py --world 1,2 --layers 2 --width 64 --vocab 128 --mlp 96
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

DEFAULT_OUT = Path(__file__).resolve().parent / "results" / "sharded" / "results.json"
SEED = 0


def _model(args: argparse.Namespace) -> Any:
    import torch
    from torch import nn

    d, v, h = args.width, args.vocab, args.mlp

    class Block(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.attn_norm = nn.RMSNorm(d)
            self.wq, self.wk, self.wv, self.wo = (nn.Linear(d, d, bias=False) for _ in range(4))
            self.ffn_norm = nn.RMSNorm(d)
            self.w1 = nn.Linear(d, h, bias=False)
            self.w2 = nn.Linear(h, d, bias=False)
            self.w3 = nn.Linear(d, h, bias=False)

    class Decoder(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.tok = nn.Embedding(v, d)
            self.layers = nn.ModuleList(Block() for _ in range(args.layers))
            self.norm = nn.RMSNorm(d)
            self.out = nn.Linear(d, v, bias=False)

        def init_weights(self) -> None:  # torchtitan's llama init
            nn.init.normal_(self.tok.weight)
            for i, blk in enumerate(self.layers):
                std = 0.02 / (2 * (i + 1)) ** 0.5
                for lin in (blk.wq, blk.wk, blk.wv):
                    nn.init.trunc_normal_(lin.weight, mean=0.0, std=0.02)
                for lin in (blk.wo, blk.w2, blk.w3):
                    nn.init.trunc_normal_(lin.weight, mean=0.0, std=std)
                nn.init.trunc_normal_(blk.w1.weight, mean=0.0, std=0.02)
                blk.attn_norm.reset_parameters()
                blk.ffn_norm.reset_parameters()
            self.norm.reset_parameters()
            f = d**-0.5
            nn.init.trunc_normal_(self.out.weight, mean=0.0, std=f, a=-3 * f, b=3 * f)

    with torch.device("meta"):
        return Decoder()


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def rank_main(args: argparse.Namespace) -> None:
    """One rank: build, shard, materialise, init by ``args.method``; print a JSON line."""
    import torch
    import torch.distributed as dist

    torch.set_num_threads(1)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    import turboinit

    turboinit.set_num_threads(1)
    import turboinit.torch as tt

    rank, world = args.rank, args.world_size
    dist.init_process_group("gloo", init_method=f"file://{args.store}", rank=rank, world_size=world)
    from torch.distributed.device_mesh import init_device_mesh
    from torch.distributed.fsdp import fully_shard

    base = _rss_mib()
    mesh = init_device_mesh("cpu", (world,))
    model = _model(args)
    n_params = sum(p.numel() for p in model.parameters())
    for blk in model.layers:
        fully_shard(blk, mesh=mesh)
    fully_shard(model, mesh=mesh)
    model.to_empty(device="cpu")
    local = sum(p.to_local().numel() for p in model.parameters())
    dist.barrier()
    t0 = time.perf_counter()
    if args.method == "turboinit":
        tt.init_model(model, SEED, scheme="capture", init=model.init_weights)
    else:
        torch.manual_seed(SEED)
        model.init_weights()
    seconds = time.perf_counter() - t0
    out: dict[str, Any] = {
        "rank": rank,
        "seconds": seconds,
        "peak_rss_mib": _rss_mib(),
        "baseline_rss_mib": base,
        "params": n_params,
        "local_params": local,
    }
    if args.orthogonal:
        from torch.distributed.tensor import Shard, distribute_tensor

        w = distribute_tensor(
            torch.empty(args.width, args.width), mesh, [Shard(0)], src_data_rank=None
        )
        t0 = time.perf_counter()
        tt.orthogonal_(w, generator=1)
        out["orthogonal_seconds"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        tt.normal_(w, generator=1)
        out["normal_seconds"] = time.perf_counter() - t0
    dist.barrier()
    dist.destroy_process_group()
    print("RESULT " + json.dumps(out), flush=True)


def run(world: int, method: str, args: argparse.Namespace) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory() as tmp:
        store = os.path.join(tmp, "store")
        cmd = [sys.executable, __file__, "--rank-of", str(world), "--method", method]
        cmd += ["--store", store, "--layers", str(args.layers), "--width", str(args.width)]
        cmd += ["--vocab", str(args.vocab), "--mlp", str(args.mlp)]
        if args.orthogonal and method == "turboinit":
            cmd.append("--orthogonal")
        env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONWARNINGS="ignore")
        procs = [
            subprocess.Popen(
                cmd + ["--rank", str(r)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=env,
            )
            for r in range(world)
        ]
        results = []
        for r, p in enumerate(procs):
            out, err = p.communicate(timeout=args.timeout)
            if p.returncode != 0:
                raise RuntimeError(f"{method} N={world} rank {r} failed:\n{err[-3000:]}")
            line = next(x for x in out.splitlines() if x.startswith("RESULT "))
            results.append(json.loads(line[len("RESULT ") :]))
    return results


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--world", default="1,2,4", help="process counts, e.g. 1,2,4")
    ap.add_argument("--layers", type=int, default=16)
    ap.add_argument("--width", type=int, default=2048)
    ap.add_argument("--vocab", type=int, default=32000)
    ap.add_argument("--mlp", type=int, default=5632)
    ap.add_argument("--orthogonal", action="store_true", help="also time orthogonal_ on a shard")
    ap.add_argument("--timeout", type=float, default=3600.0)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    # one rank (internal)
    ap.add_argument("--rank-of", type=int, dest="world_size", help=argparse.SUPPRESS)
    ap.add_argument("--rank", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--method", choices=["turboinit", "torch"], help=argparse.SUPPRESS)
    ap.add_argument("--store", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.rank is not None:
        rank_main(args)
        return 0

    import torch

    import turboinit

    rows: list[dict[str, Any]] = []
    load_before = os.getloadavg()
    for world in [int(x) for x in args.world.split(",")]:
        for method in ("turboinit", "torch"):
            ranks = run(world, method, args)
            rows.append({"world": world, "method": method, "ranks": ranks})
            secs = [r["seconds"] for r in ranks]
            rss = [r["peak_rss_mib"] for r in ranks]
            print(
                f"N={world} {method:9s} max rank time {max(secs):8.3f} s  "
                f"peak RSS per rank {max(rss):8.1f} MiB "
                f"(baseline {ranks[0]['baseline_rss_mib']:.0f})"
                + (
                    f"  orthogonal_ on a shard {max(r['orthogonal_seconds'] for r in ranks):.3f} s"
                    f" vs normal_ {max(r['normal_seconds'] for r in ranks):.4f} s"
                    if "orthogonal_seconds" in ranks[0]
                    else ""
                ),
                flush=True,
            )
    result = {
        "benchmark": "sharded",
        "params": rows[0]["ranks"][0]["params"],
        "config": {k: getattr(args, k) for k in ("layers", "width", "vocab", "mlp")},
        "loadavg_before": load_before,
        "loadavg_after": os.getloadavg(),
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(),
        "torch": torch.__version__,
        "turboinit": turboinit.__version__,
        "results": rows,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(
        f"params {result['params']:,}; load {load_before} -> {result['loadavg_after']}; {args.out}"
    )
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    raise SystemExit(main())
