"""Sharded initialisation: DTensor shards, FSDP2, tensor parallel, 2-D meshes, pipeline stages.

Each test starts one process per rank (tests/_sharded_worker.py; gloo on the
CPU, a file store) under a timeout.  On every rank, every local shard and
every ``full_tensor()`` must equal the single-process ``init_model`` of the
unsharded model bit for bit; and torch's own init on the same meshes must
differ from its single-process init (the contrast: its values depend on the
mesh).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
if not torch.distributed.is_available():  # pragma: no cover
    pytest.skip("torch.distributed is not available", allow_module_level=True)

WORKER = Path(__file__).with_name("_sharded_worker.py")
TIMEOUT_S = 240


def _run(world: int, scenarios: str, tmp_path: Path) -> list[str]:
    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONWARNINGS="ignore")
    init = tmp_path / "store"
    procs = [
        subprocess.Popen(
            [sys.executable, str(WORKER), scenarios, str(r), str(world), str(init)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
        )
        for r in range(world)
    ]
    outs = []
    try:
        for p in procs:
            out, _ = p.communicate(timeout=TIMEOUT_S)
            outs.append(out)
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.communicate()
    for r, (p, out) in enumerate(zip(procs, outs)):
        assert p.returncode == 0, f"rank {r} of {world} failed:\n{out[-4000:]}"
        assert f"OK {r}" in out
    return outs


def _torch_differs(outs: list[str], meshes: list[str]) -> None:
    for out in outs:
        for mesh in meshes:
            assert f"TORCH-DIFFERS {mesh}" in out, f"torch's own init did not differ on {mesh}"


def test_two_ranks_fsdp2_tp_pipeline_capture(tmp_path: Path) -> None:
    outs = _run(2, "fsdp,tp,pipeline,capture-fsdp", tmp_path)
    _torch_differs(outs, ["fsdp", "tp"])


def test_three_ranks_uneven_shards(tmp_path: Path) -> None:
    # V=23, H=20, HEAD=2 over 3 ranks: chunks 8/8/7, 7/7/6 and 1/1/empty
    outs = _run(3, "fsdp,tp", tmp_path)
    _torch_differs(outs, ["fsdp", "tp"])


def test_four_ranks_2d_mesh_refusals_capture(tmp_path: Path) -> None:
    # dp=2 x tp=2: FSDP2 over TP gives _StridedShard placements on colwise weights
    outs = _run(4, "2d,refusals,capture-2d", tmp_path)
    _torch_differs(outs, ["2d"])
