"""Rules: how one parameter or buffer is (re-)initialised.

A rule is a label for the report and a function ``apply(tensor, seed, stream)``
that fills the tensor in place by one of the ``turboinit.torch`` functions.
This module holds the table of named rules, the parsing of a user's scheme
specification and PyTorch's per-layer defaults (each layer's
``reset_parameters``, written out as rules).
"""

from __future__ import annotations

import inspect
import math
from dataclasses import dataclass
from typing import Any, Callable

from torch import Tensor, nn

from .. import compute_fans
from .._seed import SeedLike
from . import _dtensor
from . import _functions as F

Apply = Callable[[Tensor, SeedLike, str], object]


@dataclass(frozen=True)
class Rule:
    """A report label and the function that applies the rule.

    ``checkable``: the rule is one of ours, so applying it to a meta tensor
    validates its arguments without side effects (a user's function may not).
    """

    label: str
    apply: Apply
    checkable: bool = True


# name -> (function, takes generator/stream, fixed keyword arguments)
_TABLE: dict[str, tuple[Callable[..., Tensor], bool, dict[str, Any]]] = {
    "zeros": (F.zeros_, False, {}),
    "ones": (F.ones_, False, {}),
    "constant": (F.constant_, False, {}),
    "eye": (F.eye_, False, {}),
    "dirac": (F.dirac_, False, {}),
    "uniform": (F.uniform_, True, {}),
    "normal": (F.normal_, True, {}),
    "trunc_normal": (F.trunc_normal_, True, {}),
    "xavier_uniform": (F.xavier_uniform_, True, {}),
    "glorot_uniform": (F.xavier_uniform_, True, {}),
    "xavier_normal": (F.xavier_normal_, True, {}),
    "glorot_normal": (F.xavier_normal_, True, {}),
    "kaiming_uniform": (F.kaiming_uniform_, True, {}),
    "he_uniform": (F.kaiming_uniform_, True, {}),
    "kaiming_normal": (F.kaiming_normal_, True, {}),
    "he_normal": (F.kaiming_normal_, True, {}),
    "lecun_uniform": (F.kaiming_uniform_, True, {"nonlinearity": "linear"}),
    "lecun_normal": (F.kaiming_normal_, True, {"nonlinearity": "linear"}),
    "orthogonal": (F.orthogonal_, True, {}),
    "sparse": (F.sparse_, True, {}),
}
RULE_NAMES = tuple(sorted(_TABLE)) + ("default", "skip")


def _format_kwargs(kwargs: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in kwargs.items())


def named(name: str, kwargs: dict[str, Any] | None = None, *, label: str | None = None) -> Rule:
    """The rule ``name`` with keyword arguments ``kwargs`` (checked now, not when applied)."""
    kwargs = dict(kwargs or {})
    key = name[:-1] if name.endswith("_") else name
    if key not in _TABLE:
        raise ValueError(f"scheme: unknown rule {name!r}; expected one of {', '.join(RULE_NAMES)}")
    fn, random, fixed = _TABLE[key]
    merged = {**fixed, **kwargs}
    extra = {"generator": None, "stream": 0} if random else {}
    try:
        inspect.signature(fn).bind(None, **merged, **extra)
    except TypeError as e:
        raise TypeError(f"scheme: bad arguments {kwargs!r} for rule {name!r}: {e}") from None
    if label is None:
        label = f"{key}({_format_kwargs(kwargs)})" if kwargs else key
    if random:

        def apply(t: Tensor, seed: SeedLike, stream: str) -> None:
            fn(t, **merged, generator=seed, stream=stream)

    else:

        def apply(t: Tensor, seed: SeedLike, stream: str) -> None:
            fn(t, **merged)

    return Rule(label, apply)


def is_constant(rule: Rule) -> bool:
    """Whether ``rule`` fills a constant (which tensors of any dtype accept)."""
    return rule.label in ("zeros", "ones") or rule.label.startswith("constant(")


SKIP = Rule("skip", lambda t, seed, stream: None)


def from_spec(spec: Any) -> Rule | None:
    """A rule from a scheme specification; ``None`` for ``"default"`` (and None).

    Accepted: a rule name (``"he_normal"``), a ``(name, kwargs)`` pair
    (``("normal", {"std": 0.02})``), ``"skip"``, or a callable
    ``fill(tensor, *, generator, stream)`` such as
    ``functools.partial(turboinit.torch.trunc_normal_, std=0.02)``.
    """
    if spec is None or (isinstance(spec, str) and spec == "default"):
        return None
    if isinstance(spec, str):
        return SKIP if spec == "skip" else named(spec)
    if isinstance(spec, tuple) and len(spec) == 2 and isinstance(spec[0], str):
        if not isinstance(spec[1], dict):
            raise TypeError(
                f"scheme: the second item of {spec!r} must be a dict of keyword arguments"
            )
        return named(spec[0], spec[1])
    if callable(spec):
        fill = spec
        label = getattr(fill, "__name__", None) or getattr(
            getattr(fill, "func", None), "__name__", type(fill).__name__
        )

        def apply(t: Tensor, seed: SeedLike, stream: str) -> None:
            fill(t, generator=seed, stream=stream)

        return Rule(str(label), apply, checkable=False)
    raise TypeError(
        "scheme: expected None, a rule name, a (name, kwargs) pair or a callable "
        f"fill(tensor, *, generator, stream), got {type(spec).__name__}"
    )


# ---- PyTorch's per-layer defaults --------------------------------------------

_SQRT5 = Rule(
    "kaiming_uniform(a=sqrt(5))",
    lambda t, seed, stream: F.kaiming_uniform_(t, a=math.sqrt(5), generator=seed, stream=stream),
)
ZEROS = named("zeros")
ONES = named("ones")


def _uniform(bound: float) -> Rule:
    label = f"uniform(-{bound:.6g}, {bound:.6g})"
    return Rule(
        label, lambda t, seed, stream: F.uniform_(t, -bound, bound, generator=seed, stream=stream)
    )


def _fan_in_bound(weight: Tensor) -> float:
    """1/sqrt(fan_in) of a weight by PyTorch's fan rule, 0 for a zero fan."""
    fan_in = compute_fans(tuple(weight.shape))[0]
    return 1.0 / math.sqrt(fan_in) if fan_in > 0 else 0.0


def _embedding(padding_idx: int | None) -> Rule:
    def apply(t: Tensor, seed: SeedLike, stream: str) -> None:
        F.normal_(t, 0.0, 1.0, generator=seed, stream=stream)
        if padding_idx is not None:
            _dtensor.zero_row_(t, padding_idx)

    label = "normal(0, 1)" if padding_idx is None else f"normal(0, 1), row {padding_idx} zero"
    return Rule(label, apply)


NORMS: tuple[type, ...] = (
    nn.LayerNorm,
    nn.GroupNorm,
    nn.modules.batchnorm._NormBase,
) + ((nn.RMSNorm,) if hasattr(nn, "RMSNorm") else ())


def defaults(module: nn.Module) -> dict[str, Rule]:
    """PyTorch's default rule of each of ``module``'s own parameters and buffers.

    Empty for a module whose type is not known here (the caller reports its
    parameters as unresolved).
    """
    rules: dict[str, Rule] = {}
    if isinstance(module, (nn.Linear, nn.modules.conv._ConvNd)):
        rules["weight"] = _SQRT5
        if module.bias is not None:
            rules["bias"] = _uniform(_fan_in_bound(module.weight))
    elif isinstance(module, nn.Bilinear):
        bound = 1.0 / math.sqrt(module.weight.size(1)) if module.weight.size(1) > 0 else 0.0
        rules["weight"] = _uniform(bound)
        if module.bias is not None:
            rules["bias"] = _uniform(bound)
    elif isinstance(module, (nn.Embedding, nn.EmbeddingBag)):
        rules["weight"] = _embedding(module.padding_idx)
    elif isinstance(module, NORMS):
        rules.update(weight=ONES, bias=ZEROS)
        if isinstance(module, nn.modules.batchnorm._NormBase):
            rules.update(running_mean=ZEROS, running_var=ONES, num_batches_tracked=ZEROS)
    elif isinstance(module, nn.MultiheadAttention):
        for name in ("in_proj_weight", "q_proj_weight", "k_proj_weight", "v_proj_weight"):
            rules[name] = named("xavier_uniform")
        rules["in_proj_bias"] = ZEROS
        rules["bias_k"] = rules["bias_v"] = named("xavier_normal")
    elif isinstance(module, (nn.RNNBase, nn.RNNCellBase)):
        h = module.hidden_size
        bound = 1.0 / math.sqrt(h) if h > 0 else 0.0
        for name, _ in module.named_parameters(recurse=False):
            rules[name] = _uniform(bound)
    elif isinstance(module, nn.PReLU):
        rules["weight"] = named("constant", {"val": module.init})
    present = {n for n, p in module._parameters.items() if p is not None}
    present |= {n for n, b in module._buffers.items() if b is not None}
    return {n: r for n, r in rules.items() if n in present}


def overrides(module: nn.Module) -> dict[str, Rule]:
    """Rules a container imposes on its descendants (names relative to it).

    ``nn.MultiheadAttention`` zeroes ``out_proj.bias``; ``nn.Transformer``
    re-initialises every parameter of rank > 1 with ``xavier_uniform_``.
    """
    if isinstance(module, nn.MultiheadAttention):
        if module.in_proj_bias is not None and module.out_proj.bias is not None:
            return {"out_proj.bias": ZEROS}
    if isinstance(module, nn.Transformer):
        return {n: named("xavier_uniform") for n, p in module.named_parameters() if p.dim() > 1}
    return {}
