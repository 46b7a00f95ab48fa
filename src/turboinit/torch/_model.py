"""Whole-model initialisation: ``init_model``."""

from __future__ import annotations

import logging
import math
import time
import warnings
from dataclasses import dataclass
from typing import Any, Callable, Union

import numpy as np
import torch
from torch import Tensor, nn
from torch.nn.parameter import UninitializedBuffer, UninitializedParameter

from .._progress import Progress
from .._seed import SeedLike, seed_sequence
from . import _capture, _dtensor, _rules
from ._tensor import DTYPES, resolve_seed

logger = logging.getLogger("turboinit.torch")

_PROGRESS_AFTER_S = 1.0

SchemeLike = Union[None, str, tuple[str, dict[str, Any]], Callable[[str, Tensor], Any]]
NamesLike = Union[None, dict[str, str], Callable[[str], str]]
BuffersLike = Union[None, str, Callable[[nn.Module], Any]]


@dataclass(frozen=True)
class InitRecord:
    """What :func:`init_model` did to one parameter or buffer.

    Attributes
    ----------
    name : str
        Fully qualified name (``"layers.0.linear1.weight"``), also the stream.
    kind : {"parameter", "buffer"}
    scheme : str
        The rule, e.g. ``"kaiming_uniform(a=sqrt(5))"``, ``"ones"``, ``"he_normal"``.
    shape : tuple of int
    dtype : str
        ``"float32"``, ``"bfloat16"``, ... (``"int64"`` for BatchNorm's counter).
    seconds : float
        Wall time of the fill.
    """

    name: str
    kind: str
    scheme: str
    shape: tuple[int, ...]
    dtype: str
    seconds: float


class InitReport(dict[str, InitRecord]):
    """What :func:`init_model` did: a dict of :class:`InitRecord` by name, plus

    Attributes
    ----------
    seed : int or numpy.random.SeedSequence
        The seed used: pass it as ``seed=`` to replay the run bit for bit
        (for ``seed=None`` the OS entropy drawn, for a ``torch.Generator``
        the seed drawn from it).
    buffers_left : tuple of str
        Buffers that were neither reset nor rebuilt (after ``to_empty()``
        they hold uninitialised memory: causal masks, rotary tables).
    seconds : float
        Wall time of the whole call.

    Examples
    --------
    >>> import torch, turboinit.torch as tt
    >>> report = tt.init_model(torch.nn.Linear(4, 2), seed=None)
    >>> again = tt.init_model(torch.nn.Linear(4, 2), seed=report.seed)
    >>> repr(report).startswith("InitReport(2 tensors, 10 elements, seed=")
    True
    """

    seed: SeedLike = 0
    buffers_left: tuple[str, ...] = ()
    seconds: float = 0.0

    def __repr__(self) -> str:
        n = sum(math.prod(r.shape) for r in self.values())
        left = f", {len(self.buffers_left)} buffers left as they are" if self.buffers_left else ""
        return (
            f"InitReport({len(self)} tensors, {n} elements, seed={self.seed!r}, "
            f"{self.seconds:.3g} s{left})"
        )


@dataclass
class _Item:
    name: str
    kind: str
    owner: nn.Module
    local: str
    rule: _rules.Rule


def init_model(
    module: nn.Module,
    seed: SeedLike,
    *,
    scheme: SchemeLike = None,
    progress: bool | None = None,
    dtype: Any = None,
    names: NamesLike = None,
    init: Callable[[], Any] | None = None,
    buffers: BuffersLike = None,
) -> InitReport:
    """Re-initialise every parameter (and norm running statistics) of a model, in place.

    Parameter ``name`` (its fully qualified name, e.g. ``"blocks.3.mlp.fc1.weight"``)
    gets exactly what ``turboinit.torch.<rule>_(param, ..., generator=seed,
    stream=name)`` gives: the stream is the NAME, so the values depend on
    neither the order in which the layers were built, nor the thread count,
    nor on whether the model was built on the ``meta`` device and
    materialised with ``module.to_empty(device="cpu")`` (the fast way: no
    time spent on PyTorch's own initialisation).

    Rules, by ``scheme``:

    * ``None`` or ``"default"``: each layer's PyTorch default
      (its ``reset_parameters``):

      ===================================  =====================================================
      layer                                rule
      ===================================  =====================================================
      Linear, Conv1/2/3d, ConvTranspose*   weight ``kaiming_uniform_(a=sqrt(5))``, bias
                                           U(-1/sqrt(fan_in), 1/sqrt(fan_in)) (0 if fan_in = 0)
      Bilinear                             weight and bias U(-1/sqrt(in1), 1/sqrt(in1))
      Embedding, EmbeddingBag              N(0, 1), the ``padding_idx`` row zero
      LayerNorm, RMSNorm, GroupNorm        weight 1, bias 0
      BatchNorm*, InstanceNorm*            weight 1, bias 0; running_mean 0, running_var 1,
                                           num_batches_tracked 0
      MultiheadAttention                   in_proj (or q/k/v_proj) weight ``xavier_uniform_``,
                                           in_proj_bias 0, bias_k/bias_v ``xavier_normal_``,
                                           out_proj: its Linear default with bias 0
      RNN, LSTM, GRU and their cells       all U(-1/sqrt(hidden), 1/sqrt(hidden))
      PReLU                                its ``init`` value
      Transformer                          every parameter of rank > 1 ``xavier_uniform_``
      ===================================  =====================================================

    * a rule name such as ``"he_normal"``, ``"kaiming_uniform"``,
      ``"xavier_uniform"``, ``"lecun_normal"``, ``"orthogonal"``, ``"normal"``,
      or a ``(name, kwargs)`` pair such as ``("normal", {"std": 0.02})`` or
      ``("kaiming_normal", {"nonlinearity": "relu", "mode": "fan_out"})``
      (kwargs of the ``turboinit.torch`` function): applied to every
      parameter of rank >= 2 (embeddings included); parameters of norm layers
      keep their default (1 and 0); other parameters whose name ends in
      ``bias`` become 0; the rest keep their layer's default.  Rule names:
      zeros, ones, constant, eye, dirac, uniform, normal, trunc_normal,
      xavier_uniform/glorot_uniform, xavier_normal/glorot_normal,
      kaiming_uniform/he_uniform, kaiming_normal/he_normal,
      lecun_uniform, lecun_normal, orthogonal, sparse.
    * ``"capture"`` with ``init=`` the model's own init function (e.g.
      ``init=model.init_weights``, or ``lambda: model.apply(model._init_weights)``):
      ``init()`` runs once on ``meta`` stand-ins of the parameters under a
      torch function mode that records every init op on each parameter
      (``torch.nn.init.*_``, ``Tensor.normal_/uniform_/zero_/fill_``,
      ``copy_`` of a constant, ``trunc_normal_``, rescaling by a number, a
      number written into a row); the ops are then replayed with turboinit,
      by parameter name, with the model's own distributions, bounds and
      constants.  A parameter with an op that cannot be replayed (e.g.
      ``erfinv_``, ``copy_`` of a computed tensor) is left as it is, named
      in its record (``scheme`` starts with ``"NOT REPLAYED"``) and in one
      warning; so is a parameter the init never touched.  The init function
      runs for real on buffers.
    * a callable ``scheme(name, param)`` called for every parameter: it
      returns ``None`` (the layer's default), ``"skip"`` (leave the
      parameter as it is), a rule name, a ``(name, kwargs)`` pair, or a
      function ``fill(tensor, *, generator, stream)`` such as
      ``functools.partial(turboinit.torch.trunc_normal_, std=0.02)``.

    Buffers: BatchNorm/InstanceNorm running statistics are reset as PyTorch's
    ``reset_running_stats`` does, whatever the scheme; other buffers are left
    as they are (after ``to_empty()`` they hold uninitialised memory: fill
    them yourself).  A parameter shared by several modules is initialised
    once, under its first name (as ``named_parameters()`` lists it).

    Everything is checked before anything is written: a parameter without a
    rule (a module type unknown here, e.g. a custom module's own
    ``nn.Parameter``, even if it has a ``reset_parameters``), a meta or
    uninitialised (lazy) parameter, an unsupported dtype, a bad scheme or
    arguments a rule rejects for a parameter (e.g. a fan-based rule for a
    1-D tensor) raise ``TypeError``/``ValueError`` naming all such
    parameters, and the model is untouched.  (A user's own ``fill``
    function is only called for real.)  Give unknown parameters a rule with
    a callable scheme.

    Sharded models: a ``torch.distributed.tensor.DTensor`` parameter (FSDP2's ``fully_shard``,
    ``parallelize_module``'s Colwise/RowwiseParallel, any mesh, uneven or
    empty shards) is filled shard by shard: each rank generates only the
    global region its local tensor holds, with no collective, and the
    global tensor equals that of the unsharded model bit for bit, for any
    mesh.  Every rank must pass the same ``seed`` (``None`` is refused for
    sharded models: each rank would draw its own).  Fans are those of the
    global shape.  ``Partial`` placements are refused.

    Parameters
    ----------
    module : torch.nn.Module
        Its tensors must be on the CPU (other devices: generated on the CPU
        and copied), float32/float64/float16/bfloat16.
    seed : int, numpy.random.SeedSequence, torch.Generator or None
        ``None`` takes fresh entropy from the OS (once for the whole model),
        a ``torch.Generator`` gives a seed drawn from it; either way the seed
        used is ``report.seed``, to replay the run.
    buffers : None, "keep" or callable
        Buffers that no rule resets (a causal mask, a rotary table) are left
        as they are and named in ``report.buffers_left``; with ``None`` a
        warning names them too (after ``to_empty()`` they hold uninitialised
        memory), ``"keep"`` silences it, and a callable ``buffers(module)``
        is called after the parameters are filled to rebuild them (e.g.
        ``lambda m: m.rope.reset_buffers()``).
    scheme : None, str, (str, dict) or callable
        See above.
    progress : bool or None
        A progress display on stderr (tqdm if installed, else one plain
        line): ``True`` always, ``False`` never, ``None`` once the
        initialisation has been running for more than a second.
    dtype : torch.dtype or str, optional
        Convert floating-point parameters and buffers to this dtype first
        (float32, float64, float16 or bfloat16).  Parameters that are
        re-initialised are re-allocated empty (their old values are not
        copied); buffers that are left as they are are converted with ``.to``.
        Not for sharded (``DTensor``) models: give them their dtype before sharding.
    names : dict or callable, optional
        The full-model name of each of ``module``'s own names (a dict of
        the names that differ, or a function of a name), for a pipeline
        stage whose names were rewritten: the name is the stream, so a
        stage initialised under its full-model names holds exactly what
        the full model holds.  (A stage cut out of the full model by deleting
        layers keeps its names and needs no mapping.)  Report keys are the
        full-model names.

    Returns
    -------
    InitReport
        A dict of one :class:`InitRecord` per initialised parameter and
        buffer, in order (each also logged at DEBUG level on the
        ``"turboinit.torch"`` logger), with ``seed``, ``buffers_left`` and
        ``seconds``; its repr is one line.

    Examples
    --------
    >>> import torch, turboinit.torch as tt
    >>> with torch.device("meta"):
    ...     model = torch.nn.Sequential(torch.nn.Linear(64, 32), torch.nn.LayerNorm(32))
    >>> model = model.to_empty(device="cpu")
    >>> report = tt.init_model(model, seed=0)
    >>> report["0.weight"].scheme, report["1.weight"].scheme
    ('kaiming_uniform(a=sqrt(5))', 'ones')
    >>> w = tt.kaiming_uniform_(torch.empty(32, 64), a=5 ** 0.5, generator=0, stream="0.weight")
    >>> bool(torch.equal(model[0].weight, w))
    True
    """
    if not isinstance(module, nn.Module):
        raise TypeError(f"module: expected a torch.nn.Module, got {type(module).__name__}")
    rename = _renamer(names)
    if not (buffers is None or buffers == "keep" or callable(buffers)):
        raise TypeError(f"buffers: expected None, 'keep' or a callable(module), got {buffers!r}")
    start = time.perf_counter()
    key_seed: SeedLike
    if seed is None:  # fresh OS entropy, recorded in the report so the run can be replayed
        key_seed = int(np.random.SeedSequence().entropy)  # type: ignore[arg-type]
    elif isinstance(seed, torch.Generator):  # as the *_ functions take it: draws from it
        key_seed = resolve_seed(seed)
    else:
        key_seed = seed if type(seed) is int and seed >= 0 else seed_sequence(seed)
    target = _check_dtype(dtype)
    if progress not in (None, True, False):
        raise TypeError(f"progress: expected None, True or False, got {progress!r}")
    skipped: dict[str, str] = {}
    if isinstance(scheme, str) and scheme == "capture":
        items = _plan_capture(module, init, rename, skipped)
    else:
        if init is not None:
            raise TypeError("init: only used with scheme='capture'")
        items = _plan(module, scheme, rename)
    _check_tensors(items, target)
    if (seed is None or isinstance(seed, torch.Generator)) and any(
        _dtensor.is_dtensor(_tensor(it)) for it in items
    ):
        raise ValueError(
            "seed: None draws fresh entropy on each rank, so the shards of a sharded "
            "(DTensor) model would not fit together; pass the same int seed on every rank"
        )
    if target is not None:
        _convert(module, items, target)

    report = InitReport()
    report.seed = key_seed
    total = sum(_tensor(it).numel() for it in items)
    done, bar = 0, None
    if progress is True:
        bar = Progress(total, "init_model", unit="el")
    try:
        with torch.no_grad():
            for it in items:
                t = _tensor(it)
                t0 = time.perf_counter()
                it.rule.apply(t, key_seed, it.name)
                seconds = time.perf_counter() - t0
                rec = InitRecord(
                    it.name, it.kind, it.rule.label, tuple(t.shape), _dtype_str(t.dtype), seconds
                )
                report[it.name] = rec
                logger.debug(
                    "init_model: %s %s %s %s %s in %.6f s",
                    it.kind,
                    it.name,
                    rec.scheme,
                    rec.shape,
                    rec.dtype,
                    seconds,
                )
                done += t.numel()
                if bar is not None:
                    bar.update(t.numel())
                elif (
                    progress is None
                    and done < total
                    and time.perf_counter() - start > _PROGRESS_AFTER_S
                ):
                    bar = Progress(total, "init_model", unit="el", initial=done)
    finally:
        if bar is not None:
            bar.close()
    report.buffers_left = _buffers_left(module, items, rename, scheme, buffers)
    if skipped:
        for it_name, why in skipped.items():
            t = _named_tensor(module, it_name, rename)
            report[it_name] = InitRecord(
                it_name, "parameter", why, tuple(t.shape), _dtype_str(t.dtype), 0.0
            )
        first = "; ".join(f"{n!r}: {w}" for n, w in list(skipped.items())[:5])
        more = f" (and {len(skipped) - 5} more)" if len(skipped) > 5 else ""
        warnings.warn(
            f"init_model: {len(skipped)} parameter(s) left as they are: {first}{more}",
            stacklevel=2,
        )
    report.seconds = time.perf_counter() - start
    return report


def _buffers_left(
    module: nn.Module,
    items: list[_Item],
    rename: Callable[[str], str],
    scheme: SchemeLike,
    buffers: BuffersLike,
) -> tuple[str, ...]:
    """Buffers neither reset here nor rebuilt: warned about unless ``buffers='keep'``."""
    done = {it.name for it in items if it.kind == "buffer"}
    left = tuple(
        rename(n) for n, b in module.named_buffers() if b is not None and rename(n) not in done
    )
    if callable(buffers):
        buffers(module)  # the user's hook rebuilds them
        return ()
    if isinstance(scheme, str) and scheme == "capture":
        return ()  # the model's own init ran on them for real
    if left and buffers is None:
        first = ", ".join(repr(n) for n in left[:5])
        more = f" and {len(left) - 5} more" if len(left) > 5 else ""
        warnings.warn(
            f"init_model: {len(left)} buffer(s) left as they are ({first}{more}); after "
            "to_empty() they hold uninitialised memory. Rebuild them with "
            "buffers=callable(module), or pass buffers='keep' if they are already set",
            stacklevel=3,
        )
    return left


def _named_tensor(module: nn.Module, full: str, rename: Callable[[str], str]) -> Tensor:
    for n, p in module.named_parameters():
        if rename(n) == full:
            return p
    raise KeyError(full)  # pragma: no cover - names come from the module


def _replayer(ops: list[_capture.Op]) -> _rules.Apply:
    def apply(t: Tensor, seed: SeedLike, stream: str) -> None:
        _capture.replay(t, ops, seed, stream)

    return apply


def _plan_capture(
    module: nn.Module,
    init: Callable[[], Any] | None,
    rename: Callable[[str], str],
    skipped: dict[str, str],
) -> list[_Item]:
    """Items that replay what ``init()`` does; ``skipped``: parameters it cannot replay."""
    if not callable(init):
        raise TypeError(
            "init: scheme='capture' needs init=, the model's own init function "
            f"(e.g. init=model.init_weights), got {type(init).__name__}"
        )
    rec = _capture.record(module, init, rename)
    items: list[_Item] = []
    seen: set[int] = set()
    for prefix, m in module.named_modules():
        for local, p in m._parameters.items():
            if p is None or id(p) in seen:
                continue
            seen.add(id(p))
            name = rename(_join(prefix, local))
            if name in rec.bad:
                skipped[name] = "NOT REPLAYED: " + ", ".join(dict.fromkeys(rec.bad[name]))
            elif name not in rec.ops:
                skipped[name] = "NOT REPLAYED: the init function did not touch it"
            else:
                rule = _rules.Rule(_capture.label(rec.ops[name]), _replayer(rec.ops[name]))
                items.append(_Item(name, "parameter", m, local, rule))
    return items


def _check_dtype(dtype: Any) -> torch.dtype | None:
    if dtype is None:
        return None
    if isinstance(dtype, torch.dtype) and dtype in DTYPES:
        return dtype
    if isinstance(dtype, str):
        for d, n in DTYPES.items():
            if dtype in (n, f"torch.{n}"):
                return d
    raise TypeError(
        f"dtype: expected None or one of torch.float32, torch.float64, torch.float16, "
        f"torch.bfloat16 (or their names), got {dtype!r}"
    )


def _dtype_str(dtype: torch.dtype) -> str:
    return str(dtype).replace("torch.", "")


def _tensor(it: _Item) -> Tensor:
    store = it.owner._parameters if it.kind == "parameter" else it.owner._buffers
    t = store[it.local]
    assert t is not None
    return t


def _renamer(names: NamesLike) -> Callable[[str], str]:
    if names is None:
        return lambda n: n
    if isinstance(names, dict):
        bad = [k for k, v in names.items() if not isinstance(k, str) or not isinstance(v, str)]
        if bad:
            raise TypeError(f"names: expected a dict of str to str; bad entries for {bad[:3]}")
        table = dict(names)
        return lambda n: table.get(n, n)
    if callable(names):
        fn = names

        def rename(n: str) -> str:
            full = fn(n)
            if not isinstance(full, str):
                raise TypeError(
                    f"names: the function returned {type(full).__name__} for {n!r}, expected str"
                )
            return full

        return rename
    raise TypeError(
        f"names: expected None, a dict of str to str or a callable, got {type(names).__name__}"
    )


def _plan(
    module: nn.Module, scheme: SchemeLike, rename: Callable[[str], str] = lambda n: n
) -> list[_Item]:
    """Every parameter and reset buffer with its rule, in ``named_parameters`` order."""
    named_rule: _rules.Rule | None = None
    per_param: Callable[[str, Tensor], Any] | None = None
    if isinstance(scheme, (str, tuple)) or scheme is None:
        named_rule = _rules.from_spec(scheme)
        if named_rule is _rules.SKIP:
            raise ValueError(
                "scheme: 'skip' applies to single parameters (return it from a callable)"
            )
    elif callable(scheme):
        per_param = scheme
    else:
        raise TypeError(
            "scheme: expected None, a rule name, a (name, kwargs) pair or a callable "
            f"scheme(name, param), got {type(scheme).__name__}"
        )

    modules = list(module.named_modules())
    lazy = [
        repr(_join(prefix, n))
        for prefix, m in modules
        for n, t in list(m._parameters.items()) + list(m._buffers.items())
        if isinstance(t, (UninitializedParameter, UninitializedBuffer))
    ]
    if lazy:
        raise ValueError(
            "init_model: cannot initialise " + ", ".join(lazy) + ": uninitialised "
            "(lazy module: run a forward pass first)"
        )
    defaults: dict[str, _rules.Rule] = {}
    for prefix, m in modules:
        for local, default in _rules.defaults(m).items():
            defaults[_join(prefix, local)] = default
    # Containers override their descendants' defaults after those were set
    # (PyTorch resets the outer module last), so the outermost wins.
    for prefix, m in sorted(modules, key=lambda pm: -pm[0].count(".") - bool(pm[0])):
        for rel, override in _rules.overrides(m).items():
            defaults[_join(prefix, rel)] = override

    items: list[_Item] = []
    unresolved: list[str] = []
    seen: set[int] = set()
    for prefix, m in modules:
        for local, p in m._parameters.items():
            if p is None or id(p) in seen:
                continue
            seen.add(id(p))
            own = _join(prefix, local)
            rule: _rules.Rule | None = defaults.get(own)
            name = rename(own)
            if per_param is not None:
                chosen = _rules.from_spec(per_param(name, p))
                rule = chosen if chosen is not None else rule
            elif named_rule is not None:
                if p.dim() >= 2:
                    rule = named_rule
                elif not isinstance(m, _rules.NORMS) and local.endswith("bias"):
                    rule = _rules.ZEROS
            if rule is None:
                unresolved.append(f"{name!r} ({type(m).__name__})")
                continue
            if rule is not _rules.SKIP:
                items.append(_Item(name, "parameter", m, local, rule))
        for local, b in m._buffers.items():
            own = _join(prefix, local)
            if b is not None and id(b) not in seen and own in defaults:
                seen.add(id(b))
                items.append(_Item(rename(own), "buffer", m, local, defaults[own]))
    if unresolved:
        raise TypeError(
            "init_model: no rule for parameter(s) " + ", ".join(unresolved) + "; their module "
            "types have no known PyTorch default here. Pass scheme=callable(name, param) that "
            "returns a rule for them (e.g. 'ones', ('normal', {'std': 0.02}), 'skip')"
        )
    return items


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def _check_tensors(items: list[_Item], target: torch.dtype | None) -> None:
    meta = [it.name for it in items if _tensor(it).is_meta]
    if meta:
        first = ", ".join(repr(n) for n in meta[:3])
        more = f" and {len(meta) - 3} more" if len(meta) > 3 else ""
        raise ValueError(
            f"init_model: {len(meta)} of {len(items)} tensors are on the meta device "
            f"({first}{more}): materialise the model first, e.g. "
            "module.to_empty(device='cpu')"
        )
    bad: list[str] = []
    for it in items:
        t = _tensor(it)
        if target is not None and _dtensor.is_dtensor(t) and t.dtype != target:
            bad.append(f"{it.name!r} is a DTensor: dtype= cannot re-allocate its shards")
        elif t.layout != torch.strided:
            bad.append(f"{it.name!r} has layout {t.layout} (only dense tensors)")
        else:
            dt = target if target is not None and t.is_floating_point() else t.dtype
            if dt not in DTYPES and not _rules.is_constant(it.rule):
                bad.append(f"{it.name!r} has dtype {dt}")
            elif it.rule.checkable:
                try:
                    _dry_run(it, t.shape, dt)
                except (TypeError, ValueError, OverflowError) as e:
                    bad.append(f"{it.name!r} ({it.rule.label}): {e}")
    if bad:
        raise ValueError("init_model: cannot initialise " + "; ".join(bad))


def _dry_run(it: _Item, shape: torch.Size, dtype: torch.dtype) -> None:
    """Apply the rule to a meta tensor: every argument is checked, nothing is written."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # warned again, once, when applied for real
        it.rule.apply(torch.empty(shape, dtype=dtype, device="meta"), 0, it.name)


def _convert(module: nn.Module, items: list[_Item], target: torch.dtype) -> None:
    """Give floating-point tensors the dtype ``target``.

    Tensors about to be re-initialised are re-allocated empty; others are converted by ``.to``.
    """
    filled = {(id(it.owner), it.kind, it.local) for it in items}

    def converted(t: Tensor, key: tuple[int, str, str]) -> Tensor:
        if key in filled:
            return torch.empty(t.shape, dtype=target, device=t.device)
        return t.detach().to(target)

    for m in module.modules():
        for local, p in m._parameters.items():
            if p is not None and p.is_floating_point() and p.dtype != target:
                p.data = converted(p, (id(m), "parameter", local))
        for local, b in list(m._buffers.items()):
            if b is not None and b.is_floating_point() and b.dtype != target:
                m._buffers[local] = converted(b, (id(m), "buffer", local))


def module_spec(module: nn.Module) -> dict[str, Any]:
    """A ``turboinit.checkpoint`` spec of ``module`` (meta is fine): every parameter
    and reset buffer under its name, with the rule :func:`init_model` gives it
    by default, so ``checkpoint.write(module, ...)`` holds what
    ``init_model(module, seed)`` makes, bit for bit (same dtype)."""
    tensors: dict[str, Any] = {}
    bad: list[str] = []
    for it in _plan(module, None):
        t = _tensor(it)
        if it.rule.spec is None:
            bad.append(f"{it.name!r} ({it.rule.label})")
            continue
        init, args = it.rule.spec
        entry: dict[str, Any] = {"shape": list(t.shape), "init": init, "args": dict(args)}
        if t.dtype in DTYPES:
            entry["dtype"] = DTYPES[t.dtype]
        elif init not in ("zeros", "ones"):
            bad.append(f"{it.name!r} (dtype {t.dtype})")
            continue
        else:
            entry["dtype"] = "float32"  # an int counter (num_batches_tracked): 0 as float32
        tensors[it.name] = entry
    if bad:
        raise ValueError(
            "spec: these tensors of the module have no checkpoint spec: " + ", ".join(bad)
        )
    return {"description": f"{type(module).__name__} (from an nn.Module)", "tensors": tensors}
