"""Which part of a global tensor a ``DTensor``'s local shard holds.

Every element turboinit makes is a pure function of (seed, stream, global
index), so a rank fills its shard alone: it generates the global region its
local tensor holds, and nothing else.  No collective is called.

Placements, per mesh dimension, in order (as ``DTensor`` applies them):

* ``Replicate()``: the dimension is whole;
* ``Shard(d)``: ``torch.chunk`` semantics along ``d`` (chunks of
  ``ceil(n / k)``, the last ones shorter or empty), applied to what the
  earlier mesh dimensions left; FSDP2's dim-0 sharding with padding is this
  (its local tensor is the unpadded chunk);
* ``_StridedShard(d, split_factor)`` (FSDP2 over tensor parallelism): split
  as torch splits it;
* ``Partial()``: refused (the local values are summands, not a region).

A local tensor may hold several runs of indices along a dimension (a
strided shard); it is then written block by block, one region per block.
"""

from __future__ import annotations

import itertools
from typing import Any, Optional

import torch

# One block: the global region (step-1 slices of the global shape) and where
# it lies in the local tensor (slices of the local shape).
Block = tuple[tuple[slice, ...], tuple[slice, ...]]

_DTENSOR: Any = False  # not looked up yet


def dtensor_type() -> Any:
    """``torch.distributed.tensor.DTensor``, or None where torch.distributed is absent."""
    global _DTENSOR
    if _DTENSOR is False:
        try:
            import torch.distributed as dist

            if not dist.is_available():
                raise ImportError
            from torch.distributed.tensor import DTensor
        except ImportError:
            _DTENSOR = None
        else:
            _DTENSOR = DTensor
    return _DTENSOR


def is_dtensor(tensor: Any) -> bool:
    cls = dtensor_type()
    return cls is not None and isinstance(tensor, cls)


def local_tensor(tensor: torch.Tensor) -> torch.Tensor:
    """The local shard of a DTensor (its own memory, not a copy)."""
    return tensor._local_tensor  # type: ignore[attr-defined,no-any-return]


def check_placements(tensor: torch.Tensor, fn: str) -> None:
    """Refuse placements whose local values are not a region of the global tensor."""
    for i, p in enumerate(tensor.placements):  # type: ignore[attr-defined]
        if p.is_partial():
            raise ValueError(
                f"{fn}: tensor: a DTensor with a Partial placement ({p}) on mesh dimension "
                f"{i} holds partial sums, not a region of the global tensor; initialise it as "
                "Replicate() or Shard(d) and redistribute afterwards"
            )
        if not (p.is_replicate() or _shard_like(p)):
            raise TypeError(f"{fn}: tensor: unsupported DTensor placement {p!r}")


def _strided(p: Any) -> bool:
    return type(p).__name__ == "_StridedShard"


def _shard_like(p: Any) -> bool:
    return bool(p.is_shard()) or _strided(p)


def _runs(index: torch.Tensor) -> list[tuple[int, int, int]]:
    """Maximal runs of consecutive values: (local start, global start, length)."""
    values = index.tolist()
    runs: list[tuple[int, int, int]] = []
    for pos, v in enumerate(values):
        if runs and runs[-1][1] + runs[-1][2] == v:
            lo, g, n = runs[-1]
            runs[-1] = (lo, g, n + 1)
        else:
            runs.append((pos, v, 1))
    return runs


def _indices(tensor: torch.Tensor) -> Optional[list[Optional[torch.Tensor]]]:
    """Per dimension, the global indices the local shard holds (None: all of them).

    None for a rank that is not part of the mesh (it holds nothing).
    """
    mesh = tensor.device_mesh  # type: ignore[attr-defined]
    coord = mesh.get_coordinate()
    if coord is None:
        return None
    shape = tuple(tensor.shape)
    idx: list[Optional[torch.Tensor]] = [None] * len(shape)
    for mesh_dim, p in enumerate(tensor.placements):  # type: ignore[attr-defined]
        if not _shard_like(p):
            continue
        d = p.dim if p.dim >= 0 else p.dim + len(shape)
        cur = idx[d]
        if cur is None:
            cur = torch.arange(shape[d])
        k, c = mesh.size(mesh_dim), coord[mesh_dim]
        if _strided(p):
            # torch's own split (private: the semantics of strided shards are not public)
            along = cur.reshape((1,) * d + (-1,))
            pieces, _ = p._split_tensor(along, k, with_padding=False, contiguous=False)
            picked = pieces[c].reshape(-1) if c < len(pieces) else cur[:0]
        else:
            pieces = torch.chunk(cur, k)  # Shard(d): torch.chunk semantics
            picked = pieces[c] if c < len(pieces) else cur[:0]
        idx[d] = picked
    return idx


def blocks(tensor: torch.Tensor) -> list[Block]:
    """The blocks of the global tensor that ``tensor``'s local shard holds.

    Usually one (a contiguous range per dimension); none for an empty shard.
    """
    shape = tuple(tensor.shape)
    idx = _indices(tensor)
    if idx is None:
        return []
    held = tuple(n if ix is None else ix.numel() for n, ix in zip(shape, idx))
    if held != tuple(local_tensor(tensor).shape):
        raise RuntimeError(
            f"DTensor of shape {shape} with placements {tensor.placements}: its local "  # type: ignore[attr-defined]
            f"tensor has shape {tuple(local_tensor(tensor).shape)}, but the placements give "
            f"{held}; this sharding is not supported"
        )
    per_dim: list[list[tuple[slice, slice]]] = []
    for d, n in enumerate(shape):
        ix = idx[d]
        if ix is None:
            per_dim.append([(slice(0, n), slice(0, n))])
            continue
        if ix.numel() == 0:
            return []
        per_dim.append([(slice(g, g + m), slice(lo, lo + m)) for lo, g, m in _runs(ix)])
    out: list[Block] = []
    for combo in itertools.product(*per_dim):
        out.append((tuple(g for g, _ in combo), tuple(loc for _, loc in combo)))
    return out


def zero_row_(tensor: torch.Tensor, row: int) -> None:
    """``tensor[row] = 0`` where ``row`` is a global index along dim 0 (its local copy, if any)."""
    if not is_dtensor(tensor):
        tensor[row].zero_()
        return
    check_placements(tensor, "zero_row_")
    n = tensor.shape[0]
    row = row + n if row < 0 else row
    local = local_tensor(tensor)
    for region, where in blocks(tensor):
        g = region[0]
        if g.start <= row < g.stop:
            local[where][row - g.start].zero_()
