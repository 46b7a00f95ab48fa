"""Same weights for any parallelism: a decoder sharded with FSDP2 over N CPU processes.

Each rank builds the model on the ``meta`` device, shards it with FSDP2's
``fully_shard`` (over a mesh of N), materialises its shards with
``to_empty``, and initialises them twice:

1. with turboinit, replaying the model's own ``init_weights`` (captured):
   every rank fills only its shards, with no collective, and the gathered
   weights equal the single-process initialisation bit for bit, for any N;
2. with torch's own ``init_weights`` under the same ``torch.manual_seed``:
   the gathered weights depend on N.

Run: ``python examples/sharded_init.py --world 2`` (gloo, CPU; one process
per rank, started here).  Prints one line per parameter on rank 0 and exits
non-zero if a turboinit shard differs from the single-process weights.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile

import torch
from torch import nn

import turboinit.torch as tt

SEED = 1234


class Block(nn.Module):
    def __init__(self, d: int) -> None:
        super().__init__()
        self.norm = nn.RMSNorm(d)
        self.wq = nn.Linear(d, d, bias=False)
        self.wo = nn.Linear(d, d, bias=False)
        self.w1 = nn.Linear(d, 3 * d, bias=False)
        self.w2 = nn.Linear(3 * d, d, bias=False)


class Decoder(nn.Module):
    """A torchtitan-style decoder with its own ``init_weights``."""

    def __init__(self, vocab: int = 101, d: int = 24, layers: int = 2) -> None:
        super().__init__()
        self.tok = nn.Embedding(vocab, d)
        self.layers = nn.ModuleList(Block(d) for _ in range(layers))
        self.norm = nn.RMSNorm(d)
        self.out = nn.Linear(d, vocab, bias=False)

    def init_weights(self) -> None:
        nn.init.normal_(self.tok.weight)
        for i, blk in enumerate(self.layers):
            depth_std = 0.02 / (2 * (i + 1)) ** 0.5
            nn.init.trunc_normal_(blk.wq.weight, std=0.02)
            nn.init.trunc_normal_(blk.w1.weight, std=0.02)
            nn.init.trunc_normal_(blk.wo.weight, std=depth_std)
            nn.init.trunc_normal_(blk.w2.weight, std=depth_std)
            blk.norm.reset_parameters()
        self.norm.reset_parameters()
        f = self.out.in_features**-0.5
        nn.init.trunc_normal_(self.out.weight, std=f, a=-3 * f, b=3 * f)


def single_process() -> dict[str, torch.Tensor]:
    with torch.device("meta"):
        model = Decoder()
    model.to_empty(device="cpu")
    tt.init_model(model, SEED, scheme="capture", init=model.init_weights)
    return {n: p.detach().clone() for n, p in model.named_parameters()}


def torch_single_process() -> dict[str, torch.Tensor]:
    torch.manual_seed(SEED)
    model = Decoder()
    model.init_weights()
    return {n: p.detach().clone() for n, p in model.named_parameters()}


def sharded(world: int, how: str) -> dict[str, torch.Tensor]:
    from torch.distributed.device_mesh import init_device_mesh
    from torch.distributed.fsdp import fully_shard

    with torch.device("meta"):
        model = Decoder()
    mesh = init_device_mesh("cpu", (world,))
    for blk in model.layers:
        fully_shard(blk, mesh=mesh)
    fully_shard(model, mesh=mesh)
    model.to_empty(device="cpu")
    if how == "turboinit":
        tt.init_model(model, SEED, scheme="capture", init=model.init_weights)
    else:
        torch.manual_seed(SEED)
        model.init_weights()
    return {n: p.full_tensor() for n, p in model.named_parameters()}


def rank_main(rank: int, world: int, store: str) -> int:
    import torch.distributed as dist

    torch.set_num_threads(1)
    dist.init_process_group("gloo", init_method=f"file://{store}", rank=rank, world_size=world)
    try:
        ours, theirs = single_process(), torch_single_process()
        ti_full, torch_full = sharded(world, "turboinit"), sharded(world, "torch")
    finally:
        dist.destroy_process_group()
    bad = [n for n in ours if not torch.equal(ti_full[n], ours[n])]
    if rank == 0:
        print(f"{world} rank(s), FSDP2; gathered weights == single-process weights?")
        print(f"{'parameter':24s} {'turboinit':>10s} {'torch':>10s}")
        for n in ours:
            same_ti = torch.equal(ti_full[n], ours[n])
            same_torch = torch.equal(torch_full[n], theirs[n])
            print(f"{n:24s} {str(same_ti):>10s} {str(same_torch):>10s}")
    return 1 if bad else 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--world", type=int, default=2, help="number of processes (ranks)")
    ap.add_argument("--rank", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--store", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.rank is not None:
        return rank_main(args.rank, args.world, args.store)
    with tempfile.TemporaryDirectory() as tmp:
        store = os.path.join(tmp, "store")
        env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONWARNINGS="ignore")
        cmd = [sys.executable, __file__, "--world", str(args.world), "--store", store]
        procs = [subprocess.Popen(cmd + ["--rank", str(r)], env=env) for r in range(args.world)]
        codes = [p.wait(timeout=600) for p in procs]
    return max(codes)


if __name__ == "__main__":
    raise SystemExit(main())
