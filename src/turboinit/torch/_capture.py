"""Capture a model's own init function, then replay it with turboinit by parameter name.

:func:`record` runs ``init()`` once with every parameter of the model swapped
for a ``meta`` tensor of the same (global) shape and dtype, under a
``TorchFunctionMode`` that records each in-place init op applied to a
parameter or to a view of one:

* ``torch.nn.init.*_`` (fan-based rules are recorded as the ``uniform_`` or
  ``normal_`` they call, with torch's own bound or std), ``trunc_normal_``,
  ``orthogonal_``, ``sparse_``, ``eye_``, ``dirac_``;
* ``Tensor.normal_``, ``uniform_``, ``zero_``, ``fill_`` and ``copy_`` from a
  constant (``torch.zeros``/``ones``/``full``/``*_like``, a python number);
* ``mul_``/``div_`` by a python number right after one of the above on the
  same view (GPT-2-style rescaling), folded into it;
* ``__setitem__`` of a number on a basic index (``w[0] = 0``).

A view is a region of the parameter (``w[0]``, ``w.data``, ``w[:, :k]``);
whole-tensor reshapes take elementwise ops only.  Anything else applied to a
parameter (``erfinv_``, ``clamp_``, ``copy_`` from a computed tensor, ...)
makes that parameter unreplayable: it is named in the report, warned about,
and left as it is, never half-replayed.  Buffers are not swapped: the init
function runs on them for real (deterministic tables such as rotary
frequencies are made as the model makes them).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

import torch
from torch import Tensor, nn
from torch.overrides import TorchFunctionMode

Region = Optional[tuple[slice, ...]]  # None: the whole parameter


@dataclass
class Op:
    """One recorded op: ``kind`` with ``args`` on ``region`` of the parameter."""

    kind: str  # uniform, normal, trunc_normal, constant, eye, dirac, orthogonal, sparse
    args: tuple[float, ...]
    region: Region
    label: str


@dataclass
class Recording:
    ops: dict[str, list[Op]] = field(default_factory=dict)  # by parameter name
    bad: dict[str, list[str]] = field(default_factory=dict)  # unreplayable, by name


_ELEMENTWISE = ("uniform", "normal", "trunc_normal", "constant")


def _num(x: Any, what: str) -> float:
    if isinstance(x, Tensor):
        if x.numel() != 1 or x.is_meta:
            raise _Unreplayable(f"{what} is a tensor whose value is unknown")
        return float(x.item())
    if isinstance(x, numbers.Real):
        return float(x)
    raise _Unreplayable(f"{what} is {type(x).__name__}")


class _Unreplayable(Exception):
    pass


def _contiguous_strides(shape: tuple[int, ...]) -> list[int]:
    st, acc = [], 1
    for n in reversed(shape):
        st.append(acc)
        acc *= max(n, 1)
    return st[::-1]


def _region(pshape: tuple[int, ...], view: Tensor) -> tuple[Region, bool]:
    """(region of the parameter the view covers, whether it is the same shape).

    A whole-tensor reshape gives (None, False); raises _Unreplayable otherwise.
    """
    vshape, vstride, off = tuple(view.shape), view.stride(), view.storage_offset()
    numel = math.prod(pshape)
    if off == 0 and vshape == pshape and list(vstride) == _contiguous_strides(pshape):
        return None, True
    if off == 0 and view.numel() == numel and view.is_contiguous():
        return None, False
    pst = _contiguous_strides(pshape)
    start, rem = [], off
    for s in pst:
        start.append(rem // s)
        rem %= s
    ext = [1] * len(pshape)
    used = [False] * len(pshape)
    for n, st in zip(vshape, vstride):
        if n == 1:
            continue
        d = next((i for i, s in enumerate(pst) if s == st and not used[i] and pshape[i] > 1), None)
        if d is None:
            raise _Unreplayable(f"a view of shape {vshape} and strides {tuple(vstride)}")
        used[d], ext[d] = True, n
    if any(a + e > p for a, e, p in zip(start, ext, pshape)):
        raise _Unreplayable(f"a view of shape {vshape} at offset {off}")
    region = tuple(slice(a, a + e) for a, e in zip(start, ext))
    if all(r.start == 0 and r.stop == p for r, p in zip(region, pshape)):
        return None, vshape == pshape
    return region, False


class _Recorder(TorchFunctionMode):
    def __init__(self, params: dict[int, tuple[str, tuple[int, ...]]], rec: Recording) -> None:
        super().__init__()
        self.params = params  # storage id -> (name, shape)
        self.rec = rec
        self.consts: dict[int, tuple[Tensor, float]] = {}  # id -> (tensor, value)
        self.label: Optional[str] = None

    # -- helpers --------------------------------------------------------------
    def _target(self, t: Any) -> Optional[tuple[str, tuple[int, ...]]]:
        if not isinstance(t, Tensor) or not t.is_meta:
            return None
        try:
            key = t.untyped_storage()._cdata
        except (RuntimeError, NotImplementedError):
            return None
        return self.params.get(key)

    def _bad(self, name: str, what: str) -> None:
        self.rec.bad.setdefault(name, []).append(what)

    def _add(self, name: str, pshape: tuple[int, ...], t: Tensor, kind: str, args: Any) -> None:
        region, same = _region(pshape, t)
        if kind not in _ELEMENTWISE and not same:
            raise _Unreplayable(f"{kind} on a view of shape {tuple(t.shape)}")
        label = self.label or kind
        ops = self.rec.ops.setdefault(name, [])
        if region is None:
            ops.clear()  # a whole-tensor op overwrites everything before it
        ops.append(Op(kind, tuple(args), region, label))

    def _scale(self, name: str, pshape: tuple[int, ...], t: Tensor, factor: float) -> None:
        region, _ = _region(pshape, t)
        ops = self.rec.ops.get(name)
        if not ops or ops[-1].region != region or ops[-1].kind not in _ELEMENTWISE:
            raise _Unreplayable("mul_/div_ of a tensor that was not just filled")
        op = ops[-1]
        if op.kind == "normal":
            m, s = op.args
            args: tuple[float, ...] = (m * factor, abs(s * factor))
        elif op.kind == "constant":
            args = (op.args[0] * factor,)
        elif factor >= 0 or op.kind == "uniform":
            lo_hi = [a * factor for a in op.args]
            if op.kind == "uniform":
                args = (min(lo_hi), max(lo_hi))
            else:
                m, s, a, b = lo_hi
                args = (m, s, a, b)
        else:
            raise _Unreplayable("a negative scale of a truncated normal")
        ops[-1] = Op(op.kind, args, op.region, f"{op.label} * {factor:.6g}")

    # -- the mode -------------------------------------------------------------
    def __torch_function__(
        self, func: Any, types: Any, args: tuple[Any, ...] = (), kwargs: Any = None
    ) -> Any:
        kwargs = kwargs or {}
        name = getattr(func, "__name__", "")
        out = kwargs.get("out")
        tgt = self._target(out)
        if tgt is not None:
            if func is torch.eye:
                self._record(tgt, out, "eye", ())
            else:
                self._bad(tgt[0], f"{name}(out=...)")
            return out
        first = args[0] if args else kwargs.get("tensor", kwargs.get("self"))
        tgt = self._target(first)
        if tgt is None:
            result = func(*args, **kwargs)
            self._track_constant(func, name, args, kwargs, result)
            return result
        if getattr(func, "__module__", "") == "torch.nn.init":
            # a function imported before the patch, dispatched here by torch
            self._init_call(func, tgt, first, args, kwargs)
            return first
        return self._tensor_method(func, name, tgt, first, args, kwargs)

    def _init_call(self, func: Any, tgt: Any, t: Tensor, args: Any, kwargs: Any) -> None:
        try:
            kind, op_args, label = _nn_init_op(func, args, kwargs)
        except _Unreplayable as e:
            self._bad(tgt[0], f"{func.__name__}: {e}")
            return
        if kind:
            self.label = label
            try:
                self._record(tgt, t, kind, op_args)
            finally:
                self.label = None

    def _record(self, tgt: Any, t: Tensor, kind: str, args: Any) -> None:
        name, pshape = tgt
        try:
            self._add(name, pshape, t, kind, [_num(a, kind) for a in args])
        except _Unreplayable as e:
            self._bad(name, f"{kind}: {e}")

    def _tensor_method(
        self, func: Any, name: str, tgt: Any, t: Tensor, args: Any, kwargs: Any
    ) -> Any:
        pname, pshape = tgt
        try:
            if name == "normal_":
                b = _bind(("mean", "std"), args[1:], kwargs, (0.0, 1.0))
                self._add(pname, pshape, t, "normal", [_num(x, "normal_") for x in b])
            elif name == "uniform_":
                b = _bind(("from", "to"), args[1:], kwargs, (0.0, 1.0))
                self._add(pname, pshape, t, "uniform", [_num(x, "uniform_") for x in b])
            elif name == "zero_":
                self._add(pname, pshape, t, "constant", [0.0])
            elif name == "fill_":
                v = args[1] if len(args) > 1 else kwargs.get("value")
                self._add(pname, pshape, t, "constant", [self._const(v, "fill_")])
            elif name == "copy_":
                v = args[1] if len(args) > 1 else kwargs.get("src")
                self._add(pname, pshape, t, "constant", [self._const(v, "copy_")])
            elif name in ("mul_", "div_", "__imul__", "__itruediv__"):
                f = _num(args[1] if len(args) > 1 else kwargs.get("other"), name)
                self._scale(pname, pshape, t, f if "mul" in name else 1.0 / f)
            elif name == "__setitem__":
                v = self._const(args[2], "__setitem__")
                view = t[args[1]]  # the indexed view (meta)
                self._add(pname, pshape, view, "constant", [v])
            elif (name.endswith("_") and not name.startswith("__")) or name.startswith("__i"):
                raise _Unreplayable(name)
            else:
                return func(*args, **kwargs)  # reads, views, shapes: not init ops
        except _Unreplayable as e:
            self._bad(pname, str(e) if str(e).startswith(name) else f"{name}: {e}")
        except (IndexError, TypeError) as e:
            self._bad(pname, f"{name}: {e}")
        return t

    def _const(self, v: Any, what: str) -> float:
        if isinstance(v, Tensor) and id(v) in self.consts and self.consts[id(v)][0] is v:
            return self.consts[id(v)][1]
        if isinstance(v, Tensor) and not v.is_meta and v.numel() >= 1:
            flat = v.detach().reshape(-1)
            if bool((flat == flat[0]).all()):
                return float(flat[0])
            raise _Unreplayable(f"{what} from a tensor that is not constant")
        if isinstance(v, Tensor):
            raise _Unreplayable(f"{what} from a computed tensor")
        return _num(v, what)

    def _track_constant(self, func: Any, name: str, args: Any, kwargs: Any, out: Any) -> None:
        if not isinstance(out, Tensor):
            return
        value: Optional[float] = None
        if name in ("zeros", "zeros_like", "new_zeros"):
            value = 0.0
        elif name in ("ones", "ones_like", "new_ones"):
            value = 1.0
        elif name in ("full", "full_like", "new_full"):
            v = kwargs.get("fill_value", args[-1] if args else None)
            value = float(v) if isinstance(v, numbers.Real) else None
        elif name in ("tensor", "scalar_tensor") and args and isinstance(args[0], numbers.Real):
            value = float(args[0])
        if value is not None:
            self.consts[id(out)] = (out, value)


_TRUNC = ("mean", "std", "a", "b")


def _nn_init_op(func: Any, args: Any, kwargs: Any) -> tuple[str, list[Any], str]:
    """The elementary op of a ``torch.nn.init`` call, by torch's own formulas."""
    import inspect

    try:
        bound = inspect.signature(func).bind(*args, **kwargs)
    except TypeError as e:
        raise _Unreplayable(str(e)) from None
    bound.apply_defaults()
    a = dict(bound.arguments)
    t = a.pop("tensor")
    a.pop("generator", None)
    name = func.__name__
    label = _call_label(name, (), {k: v for k, v in a.items()})
    if name == "uniform_":
        return "uniform", [a["a"], a["b"]], label
    if name == "normal_":
        return "normal", [a["mean"], a["std"]], label
    if name == "trunc_normal_":
        return "trunc_normal", [a["mean"], a["std"], a["a"], a["b"]], label
    if name == "constant_":
        return "constant", [a["val"]], label
    if name in ("ones_", "zeros_"):
        return "constant", [1.0 if name == "ones_" else 0.0], label
    if name in ("kaiming_uniform_", "kaiming_normal_"):
        if 0 in t.shape:
            return "", [], label  # torch warns and does nothing
        fan = torch.nn.init._calculate_correct_fan(t, a["mode"])
        gain = torch.nn.init.calculate_gain(a["nonlinearity"], a["a"])
        std = gain / math.sqrt(fan)
        if name == "kaiming_normal_":
            return "normal", [0.0, std], label
        b = math.sqrt(3.0) * std
        return "uniform", [-b, b], label
    if name in ("xavier_uniform_", "xavier_normal_"):
        fan_in, fan_out = torch.nn.init._calculate_fan_in_and_fan_out(t)
        std = a["gain"] * math.sqrt(2.0 / float(fan_in + fan_out))
        if name == "xavier_normal_":
            return "normal", [0.0, std], label
        b = math.sqrt(3.0) * std
        return "uniform", [-b, b], label
    if name in ("eye_", "orthogonal_") and t.dim() != 2 and (name == "eye_" or t.dim() < 2):
        raise ValueError(
            f"Only tensors with {'2' if name == 'eye_' else '2 or more'} dimensions are supported"
        )
    if name == "eye_":
        return "eye", [], label
    if name == "orthogonal_":
        return "orthogonal", [a["gain"]], label
    if name == "dirac_":
        if t.dim() not in (3, 4, 5):
            raise ValueError("Only tensors with 3, 4, or 5 dimensions are supported")
        return "dirac", [a["groups"]], label
    if name == "sparse_":
        if t.dim() != 2:
            raise ValueError("Only tensors with 2 dimensions are supported")
        return "sparse", [a["sparsity"], a["std"]], label
    raise _Unreplayable(f"torch.nn.init.{name} is not replayable")


def _bind(names: tuple[str, ...], args: Any, kwargs: Any, defaults: tuple[float, ...]) -> list[Any]:
    vals = list(defaults[: len(names)])
    for i, a in enumerate(args[: len(names)]):
        vals[i] = a
    for i, n in enumerate(names):
        if n in kwargs:
            vals[i] = kwargs[n]
    return vals


def _call_label(name: str, args: Any, kwargs: Any) -> str:
    parts = [_short(a) for a in args if not isinstance(a, torch.Generator)]
    parts += [f"{k}={_short(v)}" for k, v in kwargs.items() if k not in ("generator", "tensor")]
    return f"{name.rstrip('_')}({', '.join(parts)})"


def _short(v: Any) -> str:
    return f"{v:.6g}" if isinstance(v, float) else repr(v)


# ---- torch.nn.init, patched while recording ------------------------------------------
# Some of its functions return early on meta tensors (trunc_normal_) or build the
# values out of place (orthogonal_, sparse_, dirac_), so the Tensor ops they run
# say nothing; each call on a parameter is recorded whole instead.

_PATCHED = (
    "uniform_",
    "normal_",
    "trunc_normal_",
    "constant_",
    "ones_",
    "zeros_",
    "eye_",
    "dirac_",
    "xavier_uniform_",
    "xavier_normal_",
    "kaiming_uniform_",
    "kaiming_normal_",
    "orthogonal_",
    "sparse_",
)


def _patch(rec: _Recorder, orig: Callable[..., Tensor]) -> Callable[..., Tensor]:
    import functools
    import inspect

    sig = inspect.signature(orig)

    @functools.wraps(orig)
    def wrapper(*args: Any, **kwargs: Any) -> Tensor:
        try:
            tensor = sig.bind(*args, **kwargs).arguments["tensor"]
        except TypeError:
            return orig(*args, **kwargs)  # torch's own error
        tgt = rec._target(tensor)
        if tgt is None:
            return orig(*args, **kwargs)
        rec._init_call(orig, tgt, tensor, args, kwargs)
        return tensor  # type: ignore[no-any-return]

    return wrapper


@contextmanager
def _swap_nn_init(rec: _Recorder) -> Iterator[None]:
    orig = {n: getattr(torch.nn.init, n) for n in _PATCHED}
    try:
        for n, f in orig.items():
            setattr(torch.nn.init, n, _patch(rec, f))
        yield
    finally:
        for n, f in orig.items():
            setattr(torch.nn.init, n, f)


def record(module: nn.Module, init: Callable[[], Any], rename: Callable[[str], str]) -> Recording:
    """Run ``init()`` on meta stand-ins of ``module``'s parameters; return what it did."""
    rec = Recording()
    saved: list[tuple[nn.Module, str, Any]] = []
    params: dict[int, tuple[str, tuple[int, ...]]] = {}
    stand_ins: dict[int, nn.Parameter] = {}  # id(parameter) -> its meta stand-in (shared once)
    for prefix, m in module.named_modules():
        for local, p in list(m._parameters.items()):
            if p is None:
                continue
            if id(p) not in stand_ins:
                s = nn.Parameter(
                    torch.empty(tuple(p.shape), dtype=p.dtype, device="meta"),
                    requires_grad=p.requires_grad,
                )
                stand_ins[id(p)] = s
                name = rename(f"{prefix}.{local}" if prefix else local)
                params[s.untyped_storage()._cdata] = (name, tuple(p.shape))
            saved.append((m, local, p))
            m._parameters[local] = stand_ins[id(p)]
    recorder = _Recorder(params, rec)
    try:
        with _swap_nn_init(recorder), recorder, torch.no_grad():
            init()
    finally:
        for m, local, p in saved:
            m._parameters[local] = p
    return rec


# ---- replay ------------------------------------------------------------------------


def _stream(name: str, k: int) -> str:
    return name if k == 0 else f"{name}#{k}"


def replay(t: Tensor, ops: list[Op], seed: Any, name: str) -> None:
    """Apply the recorded ``ops`` to ``t`` with turboinit; op ``k`` has stream ``name#k``."""
    import turboinit as ti

    from . import _functions as F
    from ._functions import _writer
    from ._tensor import fill

    for k, op in enumerate(ops):
        s = _stream(name, k)
        a = op.args
        if op.region is not None:
            if op.kind == "constant":
                write = _writer(ti.constant, a[0])
            elif op.kind == "uniform":
                write = _writer(ti.uniform, a[0], a[1], stream=s)
            elif op.kind == "normal":
                write = _writer(ti.normal, a[0], a[1], stream=s)
            else:  # trunc_normal: absolute bounds -> std units, as trunc_normal_ does
                m, sd, lo, hi = a
                lower, upper = (-1.0, 1.0) if sd == 0 else ((lo - m) / sd, (hi - m) / sd)
                write = _writer(ti.truncated_normal, m, sd, lower, upper, stream=s)
            fill(t, seed, op.label, write, within=op.region)
        elif op.kind == "uniform":
            F.uniform_(t, a[0], a[1], generator=seed, stream=s)
        elif op.kind == "normal":
            F.normal_(t, a[0], a[1], generator=seed, stream=s)
        elif op.kind == "trunc_normal":
            F.trunc_normal_(t, a[0], a[1], a[2], a[3], generator=seed, stream=s)
        elif op.kind == "constant":
            F.constant_(t, a[0])
        elif op.kind == "eye":
            F.eye_(t)
        elif op.kind == "dirac":
            F.dirac_(t, int(a[0]))
        elif op.kind == "orthogonal":
            F.orthogonal_(t, a[0], generator=seed, stream=s)
        elif op.kind == "sparse":
            F.sparse_(t, a[0], a[1], generator=seed, stream=s)
        else:  # pragma: no cover - every recorded kind is listed above
            raise AssertionError(op.kind)


def label(ops: list[Op]) -> str:
    parts = []
    for op in ops:
        where = (
            ""
            if op.region is None
            else "[" + ", ".join(f"{r.start}:{r.stop}" for r in op.region) + "] "
        )
        parts.append(where + op.label)
    return "; ".join(parts)
