"""Where a ``turboinit.torch`` call writes, and which seed it uses.

Writing: a contiguous CPU tensor of float32/float64/float16/bfloat16 is filled
in place through a NumPy view of its memory (bfloat16 through its 16-bit
pattern viewed as ``ml_dtypes.bfloat16``), so nothing is copied.  Any other
tensor of those dtypes (non-contiguous, negative-bit views, other devices) is
generated on the host into a contiguous temporary and copied in with
``copy_``: in one piece up to ``CHUNK_BYTES`` (64 MiB), else in blocks of rows
through two buffers of half that, so host memory stays bounded (a CUDA tensor
always takes the blocks, through pinned buffers with asynchronous copies); the
values are those the contiguous tensor would get.  ``generator=None`` draws the
seed from the default generator of the tensor's device (``torch.cuda.manual_seed``
governs CUDA tensors).  A
``DTensor`` is filled shard by shard (``_dtensor``).  Meta and fake tensors
hold no values: the arguments are validated and nothing is written
(``torch.nn.init`` leaves them unchanged too).

Seeds: see :func:`resolve_seed`.
"""

from __future__ import annotations

import operator
from typing import Any, Callable, Optional

import numpy as np
import torch

from .._args import bfloat16_dtype
from .._seed import SeedLike
from . import _dtensor

DTYPES: dict[torch.dtype, str] = {
    torch.float32: "float32",
    torch.float64: "float64",
    torch.float16: "float16",
    torch.bfloat16: "bfloat16",
}

# fill(shape, dtype name, seed, out, region): writes ``out`` (or validates only,
# with ``out=None`` and an empty ``region``).
Fill = Callable[[tuple[int, ...], str, SeedLike, Optional[np.ndarray], Any], Any]

_SEED_BITS = 62

# complex tensors are filled through their real view: complex64 -> float32 pairs
_COMPLEX = {torch.complex64: "float32", torch.complex128: "float64"}


class InitArgumentError(ValueError, RuntimeError):
    """A bad argument or tensor: a ``ValueError`` (NumPy's and turboinit's
    convention) that is also the ``RuntimeError`` torch raises for the same
    input (``uniform_(a > b)``, ``normal_(std < 0)``, an inference tensor,
    an expanded tensor), so ``except RuntimeError`` written for torch catches it.

    Examples
    --------
    >>> import torch, turboinit.torch as tt
    >>> try:
    ...     tt.uniform_(torch.empty(3), 1.0, 0.0)
    ... except RuntimeError as e:  # as written for torch.nn.init
    ...     print(type(e).__name__, isinstance(e, ValueError))
    InitArgumentError True
    """


def is_fake(tensor: torch.Tensor) -> bool:
    """A ``FakeTensor`` (``FakeTensorMode``, tracing): holds no values, like a meta tensor."""
    try:
        from torch._subclasses.fake_tensor import is_fake as _is_fake
    except ImportError:  # pragma: no cover - old torch
        return False
    return bool(_is_fake(tensor))


def check_writable(tensor: torch.Tensor, fn: str) -> None:
    """Refuse, as torch does, what an in-place op may not write."""
    if torch.compiler.is_compiling():
        raise RuntimeError(
            f"turboinit.torch.{fn} cannot be traced by torch.compile (it writes through "
            "NumPy and the C++ core); call it outside the compiled region, e.g. "
            "initialise the model before torch.compile(model), or wrap the call in "
            "torch.compiler.disable"
        )
    if tensor.is_inference() and not torch.is_inference_mode_enabled():
        raise InitArgumentError(
            f"{fn}: tensor: Inplace update to inference tensor outside InferenceMode is "
            "not allowed. You can make a clone to get a normal tensor before doing "
            "inplace update."
        )


def check_tensor(tensor: Any, fn: str) -> torch.Tensor:
    if not isinstance(tensor, torch.Tensor):
        raise TypeError(f"{fn}: tensor: expected a torch.Tensor, got {type(tensor).__name__}")
    if tensor.layout != torch.strided:
        raise TypeError(
            f"{fn}: tensor: only strided (dense) tensors are supported, got {tensor.layout}"
        )
    return tensor


def dtype_name(tensor: torch.Tensor, fn: str, complex_ok: bool = False) -> str:
    if complex_ok and tensor.dtype in _COMPLEX:
        return _COMPLEX[tensor.dtype]
    try:
        return DTYPES[tensor.dtype]
    except KeyError:
        raise TypeError(
            f"{fn}: tensor: unsupported dtype {tensor.dtype}; expected torch.float32, "
            "torch.float64, torch.float16 or torch.bfloat16"
        ) from None


def as_array(tensor: torch.Tensor) -> np.ndarray:
    """A NumPy view of a contiguous CPU tensor's memory (no copy)."""
    t = tensor.detach()
    if t.dtype == torch.bfloat16:
        return t.view(torch.int16).numpy().view(bfloat16_dtype())
    return t.numpy()


def writes_in_place(tensor: torch.Tensor) -> bool:
    """Whether ``tensor``'s own memory can be handed to turboinit as ``out=``."""
    return (
        tensor.device.type == "cpu"
        and tensor.is_contiguous()
        and not tensor.is_neg()
        and not tensor.is_conj()
        and tensor.data_ptr() % tensor.element_size() == 0
    )


def fill(
    tensor: torch.Tensor,
    generator: Any,
    fn: str,
    write: Fill,
    within: Optional[tuple[slice, ...]] = None,
    cast: bool = False,
    complex_ok: bool = False,
) -> torch.Tensor:
    """Fill ``tensor`` with ``write``; return it (the same object).

    A ``DTensor`` is filled shard by shard: its local tensor receives exactly
    the global region it holds (see ``_dtensor``), generated alone.

    ``within`` (step-1 slices of the global shape): fill only ``tensor[within]``,
    as a tensor of its own of shape ``extent(within)`` (used to replay an op
    that a model's init applied to a view of a parameter).

    ``complex_ok``: a complex tensor is filled through ``torch.view_as_real``
    (for elementwise ``write``s, scaled by the caller as torch scales them).  ``cast``: a tensor of
    any other dtype (int, bool, complex) gets float64 values converted by
    ``copy_`` (exact for the 0/1 of ``eye_`` and ``dirac_``).
    """
    check_tensor(tensor, fn)
    if tensor.is_complex() and complex_ok:
        if _dtensor.is_dtensor(tensor):
            raise TypeError(f"{fn}: tensor: complex DTensors are not supported")
        dtype_name(tensor, fn, complex_ok=True)
        check_writable(tensor, fn)
        if tensor.is_meta or is_fake(tensor):
            return tensor
        with torch.no_grad():
            direct = writes_in_place(tensor)
            tmp = tensor if direct else torch.empty(tuple(tensor.shape), dtype=tensor.dtype)
            fill(torch.view_as_real(tmp), generator, fn, write, within)
            if not direct:
                tensor.copy_(tmp)
        return tensor
    if cast and tensor.dtype not in DTYPES:
        dt = "float64"
    else:
        dt = dtype_name(tensor, fn)
    check_writable(tensor, fn)
    shape = tuple(tensor.shape)
    sharded = _dtensor.is_dtensor(tensor)
    if sharded:
        _dtensor.check_placements(tensor, fn)
    vstart: tuple[int, ...] = (0,) * len(shape)
    vshape = shape
    if within is not None:
        vstart = tuple(int(w.start) for w in within)
        vshape = tuple(int(w.stop) - int(w.start) for w in within)
    if tensor.is_meta or is_fake(tensor):
        write(vshape, dt, 0, None, tuple(slice(0, 0) for _ in vshape))
        return tensor
    seed = resolve_seed(generator, tensor.device)
    with torch.no_grad():
        if not sharded and within is None:
            _fill_block(tensor, shape, dt, seed, None, write)
            return tensor
        if sharded:
            local = _dtensor.local_tensor(tensor)
            todo = _dtensor.blocks(tensor)
        else:
            local = tensor
            todo = [(tuple(slice(0, n) for n in shape),) * 2]
        wrote = False
        for region, where in todo:
            target = local if len(todo) == 1 else local[where]
            if within is not None:
                # the part of this block inside ``within``, in block and in virtual coordinates
                lo = [max(r.start, w.start) for r, w in zip(region, within)]
                hi = [min(r.stop, w.stop) for r, w in zip(region, within)]
                if any(h <= low for low, h in zip(lo, hi)):
                    continue
                target = target[
                    tuple(slice(a - r.start, b - r.start) for a, b, r in zip(lo, hi, region))
                ]
                region = tuple(slice(a - s, b - s) for a, b, s in zip(lo, hi, vstart))
            _fill_block(target, vshape, dt, seed, region, write)
            wrote = True
        if not wrote:  # an empty shard: check the arguments, write nothing
            write(vshape, dt, 0, None, tuple(slice(0, 0) for _ in vshape))
    return tensor


# Bytes of host memory a fill through a temporary uses at most (two buffers of
# half of it each); larger targets on other devices are filled chunk by chunk.
CHUNK_BYTES = 64 << 20


def _fill_block(
    target: torch.Tensor, shape: tuple[int, ...], dt: str, seed: SeedLike, region: Any, write: Fill
) -> None:
    """``full[region]`` of the tensor of global ``shape`` into ``target`` (its shape)."""
    if writes_in_place(target) and target.dtype in DTYPES and DTYPES[target.dtype] == dt:
        write(shape, dt, seed, as_array(target), region)
        # Writes through NumPy bypass autograd's version counter; bump it as
        # an in-place torch op would, so a tensor saved for backward is caught.
        torch.autograd.graph.increment_version(target)
        return
    check_no_overlap(target)
    tdt = target.dtype if target.dtype in DTYPES else torch.float64
    nbytes = target.numel() * torch.empty((), dtype=tdt).element_size()
    # A CUDA target always goes through pinned buffers (torch caches them between calls):
    # a fresh pageable temporary per tensor cost its page faults and a synchronous copy,
    # 1.55 s for the 1.34B model's tensors of 16-64 MiB on an H200 host.
    cuda = target.device.type == "cuda"
    if target.dim() >= 1 and (cuda or (target.shape[0] > 1 and nbytes > CHUNK_BYTES)):
        _fill_chunked(target, shape, dt, tdt, seed, region, write)
        return
    tmp = torch.empty(tuple(target.shape), dtype=tdt, device="cpu")
    write(shape, dt, seed, as_array(tmp), region)
    target.copy_(tmp)


def _fill_chunked(
    target: torch.Tensor,
    shape: tuple[int, ...],
    dt: str,
    tdt: torch.dtype,
    seed: SeedLike,
    region: Any,
    write: Fill,
) -> None:
    """Generate on the host in blocks of rows, each copied into ``target`` as it is made.

    Two buffers of at most ``CHUNK_BYTES / 2``, pinned for a CUDA target so
    that the copy of one overlaps the generation of the next (an event per
    buffer guards its reuse).  The values are those of one whole fill: each
    block is the region of rows it covers.
    """
    full = region if region is not None else tuple(slice(0, n) for n in shape)
    rows = target.shape[0]
    row_bytes = max(1, (target.numel() // rows) * torch.empty((), dtype=tdt).element_size())
    step = max(1, (CHUNK_BYTES // 2) // row_bytes)
    cuda = target.device.type == "cuda"
    bufs = [
        torch.empty((min(step, rows),) + tuple(target.shape[1:]), dtype=tdt, pin_memory=cuda)
        for _ in range(2 if rows > step else 1)
    ]
    events: list[Any] = [None] * len(bufs)
    for k, r0 in enumerate(range(0, rows, step)):
        r1 = min(rows, r0 + step)
        i = k % len(bufs)
        if events[i] is not None:
            events[i].synchronize()  # its previous copy has left the buffer
        buf = bufs[i][: r1 - r0]
        g0 = full[0].start
        sub = (slice(g0 + r0, g0 + r1),) + tuple(full[1:])
        write(shape, dt, seed, as_array(buf), sub)
        target[r0:r1].copy_(buf, non_blocking=cuda)
        if cuda:
            events[i] = torch.cuda.Event()  # type: ignore[no-untyped-call]
            events[i].record(torch.cuda.current_stream(target.device))
    if cuda:
        torch.cuda.current_stream(target.device).synchronize()


def check_no_overlap(tensor: torch.Tensor) -> None:
    """Refuse, before anything is generated, a tensor whose elements share memory
    (an ``expand``-ed view), as torch's in-place random ops refuse it."""
    if torch._debug_has_internal_overlap(tensor) == 1:
        raise InitArgumentError(
            "unsupported operation: more than one element of the written-to tensor "
            "refers to a single memory location. Please clone() the tensor before "
            "performing the operation."
        )


def resolve_seed(generator: Any, device: Any = None) -> SeedLike:
    """The turboinit seed of a ``generator=`` argument.

    * ``None``: two 62-bit integers drawn from PyTorch's default generator of
      ``device`` (the tensor's: ``torch.cuda.manual_seed`` governs CUDA tensors
      as it governs torch's own functions; the CPU generator otherwise)
      with ``torch.randint`` (so ``torch.manual_seed`` makes calls reproducible
      and successive calls differ, as with ``torch.nn.init``);
    * a ``torch.Generator``: the same, drawn from it (advancing it);
    * an int (>= 0) or a ``numpy.random.SeedSequence``: used as the seed, so
      the values depend only on (seed, ``stream``, shape, dtype, arguments);
    * an object with an ``integers(low, high, size)`` method
      (``turboinit.random.Generator``, ``numpy.random.Generator``): two 62-bit
      integers drawn from it.

    Drawn integers ``w0, w1`` form the seed ``w0 * 2**62 + w1``.

    Examples
    --------
    >>> import torch
    >>> from turboinit.torch import resolve_seed
    >>> resolve_seed(7)
    7
    >>> _ = torch.manual_seed(0)
    >>> a = resolve_seed(None)
    >>> _ = torch.manual_seed(0)
    >>> a == resolve_seed(None)
    True
    """
    if generator is None or isinstance(generator, torch.Generator):
        kw: dict[str, Any] = {}
        if generator is not None:
            kw = {"generator": generator, "device": generator.device}
        elif device is not None and torch.device(device).type not in ("cpu", "meta"):
            kw = {"device": device}
        w = torch.randint(0, 2**_SEED_BITS, (2,), dtype=torch.int64, **kw).tolist()
        return (int(w[0]) << _SEED_BITS) | int(w[1])
    if isinstance(generator, np.random.SeedSequence):
        return generator
    if isinstance(generator, (bool, np.bool_)):
        raise TypeError(_generator_error("bool"))
    try:
        value = operator.index(generator)
    except TypeError:
        pass
    else:
        if value < 0:
            raise ValueError(f"generator: an int seed must be non-negative, got {value}")
        return value
    integers = getattr(generator, "integers", None)
    if callable(integers):
        w = np.asarray(integers(0, 2**_SEED_BITS, size=2)).tolist()
        return (int(w[0]) << _SEED_BITS) | int(w[1])
    raise TypeError(_generator_error(type(generator).__name__))


def _generator_error(got: str) -> str:
    return (
        "generator: expected None, a torch.Generator, a non-negative int, a "
        "numpy.random.SeedSequence or a Generator with an integers() method "
        f"(turboinit.random.Generator, numpy.random.Generator), got {got}"
    )
