"""One rank of the sharded-initialisation tests (tests/test_torch_sharded.py).

Run as ``python tests/_sharded_worker.py SCENARIO RANK WORLD INIT_FILE``, one
process per rank (gloo on the CPU, a file store: no ports).  Every check is
an ``assert`` on this rank; a failure exits non-zero with its traceback.
Prints ``OK <rank>`` at the end and one ``TORCH-DIFFERS <mesh>`` line per
mesh on which torch's own init differs from its single-process init.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import torch
import torch.distributed as dist
from torch import nn

import turboinit.torch as tt

SEED = 20240514
D, H, V, HEAD = 12, 20, 23, 2  # odd sizes: uneven shards for 3 and 4 ranks; HEAD=2: empty ones


class Block(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.norm = nn.RMSNorm(D)
        self.wq = nn.Linear(D, D, bias=False)
        self.wo = nn.Linear(D, D, bias=False)
        self.w1 = nn.Linear(D, H)
        self.w2 = nn.Linear(H, D)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.wo(self.wq(self.norm(x)))
        return x + self.w2(torch.relu(self.w1(x)))


class Decoder(nn.Module):
    def __init__(self, layers: int = 2) -> None:
        super().__init__()
        self.tok = nn.Embedding(V, D, padding_idx=0)
        self.layers = nn.ModuleDict({str(i): Block() for i in range(layers)})
        self.norm = nn.RMSNorm(D)
        self.out = nn.Linear(D, V, bias=False)
        self.head = nn.Linear(D, HEAD)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        x = self.tok(ids)
        for layer in self.layers.values():
            x = layer(x)
        return self.out(self.norm(x))

    def init_weights(self) -> None:
        """torchtitan-style: the model's own init, with torch's stateful RNG."""
        nn.init.normal_(self.tok.weight)
        for layer in self.layers.values():
            for lin in (layer.wq, layer.wo, layer.w1, layer.w2):
                nn.init.trunc_normal_(lin.weight, std=0.02)
            nn.init.zeros_(layer.w1.bias)
            nn.init.zeros_(layer.w2.bias)
            nn.init.ones_(layer.norm.weight)
        nn.init.ones_(self.norm.weight)
        nn.init.trunc_normal_(self.out.weight, std=D**-0.5, a=-3 * D**-0.5, b=3 * D**-0.5)
        nn.init.kaiming_uniform_(self.head.weight, a=5**0.5)
        nn.init.uniform_(self.head.bias, -0.1, 0.1)


def scheme(name: str, p: torch.Tensor) -> Any:
    """A scheme that exercises trunc_normal, xavier (fans of the global shape) and orthogonal."""
    if name.endswith("wq.weight"):
        return "orthogonal"
    if name.endswith("w1.weight"):
        return "xavier_uniform"
    if name.endswith("out.weight"):
        return ("trunc_normal", {"std": 0.02})
    return None


def reference() -> dict[str, torch.Tensor]:
    """The single-process turboinit init of the unsharded model."""
    with torch.device("meta"):
        model = Decoder()
    model.to_empty(device="cpu")
    tt.init_model(model, SEED, scheme=scheme)
    return {n: p.detach().clone() for n, p in model.named_parameters()}


def capture_reference() -> dict[str, torch.Tensor]:
    """The single-process replay of the model's own init_weights."""
    model = build_meta()
    model.to_empty(device="cpu")
    tt.init_model(model, SEED, scheme="capture", init=model.init_weights)
    return {n: p.detach().clone() for n, p in model.named_parameters()}


def torch_reference() -> dict[str, torch.Tensor]:
    """torch's own single-process init under the same torch seed."""
    torch.manual_seed(0)
    with torch.device("meta"):
        model = Decoder()
    model.to_empty(device="cpu")
    model.init_weights()
    return {n: p.detach().clone() for n, p in model.named_parameters()}


def build_meta() -> Decoder:
    with torch.device("meta"):
        return Decoder()


def fsdp(model: nn.Module, mesh: Any) -> None:
    from torch.distributed.fsdp import fully_shard

    for layer in model.layers.values():  # type: ignore[union-attr]
        fully_shard(layer, mesh=mesh)
    fully_shard(model, mesh=mesh)


def tp(model: nn.Module, mesh: Any) -> None:
    from torch.distributed.tensor.parallel import (
        ColwiseParallel,
        RowwiseParallel,
        parallelize_module,
    )

    plan: dict[str, Any] = {
        "tok": RowwiseParallel(),
        "out": ColwiseParallel(),
        "head": ColwiseParallel(),
    }
    for i in model.layers:  # type: ignore[union-attr]
        plan[f"layers.{i}.wq"] = ColwiseParallel()
        plan[f"layers.{i}.wo"] = RowwiseParallel()
        plan[f"layers.{i}.w1"] = ColwiseParallel()
        plan[f"layers.{i}.w2"] = RowwiseParallel()
    parallelize_module(model, mesh, plan)


def check_sharded(model: nn.Module, ref: dict[str, torch.Tensor], what: str) -> int:
    """Local shards and full tensors equal the reference; returns the DTensor count."""
    from torch.distributed.tensor import DTensor

    from turboinit.torch import _dtensor

    sharded = 0
    for name, p in model.named_parameters():
        if isinstance(p, DTensor):
            sharded += 1
            local = p.to_local()
            blocks = _dtensor.blocks(p)
            held = sum(local[where].numel() for _, where in blocks)
            assert held == local.numel(), (what, name, held, local.shape)
            for region, where in blocks:
                assert torch.equal(local[where], ref[name][region]), (what, name, region)
            full = p.full_tensor()
        else:
            full = p.detach()
        assert torch.equal(full, ref[name]), (what, name)
    return sharded


def torch_differs(model: nn.Module, tref: dict[str, torch.Tensor]) -> bool:
    from torch.distributed.tensor import DTensor

    torch.manual_seed(0)
    model.init_weights()  # type: ignore[operator]
    diff = False
    for name, p in model.named_parameters():
        full = p.full_tensor() if isinstance(p, DTensor) else p.detach()
        diff |= not torch.equal(full, tref[name])
    return diff


def run_mesh(kind: str, world: int, ref: dict[str, torch.Tensor], tref: Any) -> None:
    model = shard(kind, world)
    model.to_empty(device="cpu")
    tt.init_model(model, SEED, scheme=scheme)
    n = check_sharded(model, ref, kind)
    assert n > 0, kind
    if kind == "fsdp":  # still runs forward: the shards sit in FSDP2's own storage
        ids = torch.arange(6).reshape(1, 6) % V
        assert bool(torch.isfinite(model(ids)).all()), kind
    if tref is not None and torch_differs(model, tref):
        print(f"TORCH-DIFFERS {kind}", flush=True)


def run_capture(kind: str, world: int, cref: dict[str, torch.Tensor]) -> None:
    """The model's own init_weights, captured and replayed on the shards."""
    model = shard(kind, world)
    model.to_empty(device="cpu")
    tt.init_model(model, SEED, scheme="capture", init=model.init_weights)
    check_sharded(model, cref, "capture-" + kind)


def shard(kind: str, world: int) -> Decoder:
    from torch.distributed.device_mesh import init_device_mesh

    model = build_meta()
    if kind == "fsdp":
        fsdp(model, init_device_mesh("cpu", (world,), mesh_dim_names=("dp",)))
    elif kind == "tp":
        tp(model, init_device_mesh("cpu", (world,), mesh_dim_names=("tp",)))
    elif kind == "2d":
        mesh = init_device_mesh("cpu", (2, world // 2), mesh_dim_names=("dp", "tp"))
        tp(model, mesh["tp"])
        fsdp(model, mesh["dp"])
    else:
        raise ValueError(kind)
    return model


def run_refusals(world: int) -> None:
    """Partial placements are refused, before anything is written; Replicate is whole."""
    from torch.distributed.device_mesh import init_device_mesh
    from torch.distributed.tensor import DTensor, Partial, Replicate, Shard

    mesh = init_device_mesh("cpu", (world,))
    local = torch.full((3, 4), 7.0)
    partial = DTensor.from_local(local, mesh, [Partial()], run_check=False)
    for fn in (tt.normal_, tt.zeros_, tt.eye_):
        try:
            fn(partial)
        except ValueError as e:
            assert "Partial" in str(e) and "partial sums" in str(e), e
        else:
            raise AssertionError(f"{fn.__name__} accepted a Partial DTensor")
    assert torch.equal(local, torch.full((3, 4), 7.0))
    rep = DTensor.from_local(torch.empty(5, 6), mesh, [Replicate()], run_check=False)
    tt.kaiming_normal_(rep, generator=3, stream="r")
    want = tt.kaiming_normal_(torch.empty(5, 6), generator=3, stream="r")
    assert torch.equal(rep.to_local(), want)
    # eye_ and dirac_ on shards: the identity's pieces; orthogonal_: the whole Q's piece.
    eye = torch.distributed.tensor.empty(7, 9, device_mesh=mesh, placements=[Shard(1)])
    tt.eye_(eye)
    assert torch.equal(eye.full_tensor(), torch.eye(7, 9))
    q = torch.distributed.tensor.empty(9, 7, device_mesh=mesh, placements=[Shard(0)])
    tt.orthogonal_(q, generator=1)
    assert torch.equal(q.full_tensor(), tt.orthogonal_(torch.empty(9, 7), generator=1))
    sp = torch.distributed.tensor.empty(13, 6, device_mesh=mesh, placements=[Shard(0)])
    tt.sparse_(sp, 0.4, generator=2)
    assert torch.equal(sp.full_tensor(), tt.sparse_(torch.empty(13, 6), 0.4, generator=2))
    dirac = torch.distributed.tensor.empty(6, 3, 3, device_mesh=mesh, placements=[Shard(0)])
    tt.dirac_(dirac, groups=2)
    assert torch.equal(dirac.full_tensor(), tt.dirac_(torch.empty(6, 3, 3), groups=2))


def run_pipeline(rank: int, ref: dict[str, torch.Tensor]) -> None:
    """A 2-stage split: stage 0 = tok + layers.0, stage 1 = layers.1 + norm + out + head."""
    model = build_meta()
    if rank == 0:
        del model.layers["1"]
        model.norm = model.out = model.head = None  # type: ignore[assignment]
    else:
        del model.layers["0"]
        model.tok = None  # type: ignore[assignment]
    model.to_empty(device="cpu")
    report = tt.init_model(model, SEED, scheme=scheme)
    for name, p in model.named_parameters():
        assert torch.equal(p, ref[name]), ("pipeline", name)
    assert set(report) == {n for n, _ in model.named_parameters()}
    # A stage whose names were rewritten: layers.1 alone, as "0.*", mapped back.
    with torch.device("meta"):
        stage = nn.Sequential(Block())
    stage.to_empty(device="cpu")
    tt.init_model(
        stage,
        SEED,
        scheme=lambda n, p: scheme("layers.1." + n[2:], p),
        names=lambda n: "layers.1." + n[2:],
    )
    for name, p in stage.named_parameters():
        assert torch.equal(p, ref["layers.1." + name[2:]]), ("renamed stage", name)


def main() -> None:
    scenario, rank, world, init_file = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    torch.set_num_threads(1)
    dist.init_process_group("gloo", init_method=f"file://{init_file}", rank=rank, world_size=world)
    try:
        ref = reference()
        tref = torch_reference()
        for kind in scenario.split(","):
            if kind == "pipeline":
                run_pipeline(rank, ref)
            elif kind == "refusals":
                run_refusals(world)
            elif kind.startswith("capture-"):
                run_capture(kind[len("capture-") :], world, capture_reference())
            else:
                run_mesh(kind, world, ref, tref)
            dist.barrier()
        print(f"OK {rank}", flush=True)
    except BaseException:
        dist.destroy_process_group()
        raise
    # Every check passed and every rank has left the last barrier.  Tearing gloo
    # down now races with peers still closing their side (seen once: "terminate
    # called without an active exception", SIGABRT, after "OK"); nothing is left
    # to flush, so the worker ends without that teardown.
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
