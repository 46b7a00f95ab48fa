"""Layer-sequential unit-variance initialisation (LSUV; Mishkin & Matas, 2015,
"All you need is a good init").

Every weight is first set to an orthonormal matrix (:func:`turboinit.orthogonal`);
then, layer by layer in forward order, a batch is run, the variance of the
layer's output is measured, and the weight is divided by its square root until
``|var - 1| < tol_var`` or ``t_max`` rescalings were made.  Biases are left as
they are.

Two front ends, one function:

* NumPy: ``lsuv(weights, batch, forward)`` with a list of weight arrays
  (modified in place) and ``forward(batch) -> [output of layer 0, output of layer 1, ...]``;
* PyTorch: ``lsuv(module, batch)`` with an ``nn.Module``; every ``nn.Linear``
  and ``nn.Conv*``/``nn.ConvTranspose*`` layer the forward pass calls is
  initialised, in call order, through forward hooks, in place, under
  ``torch.no_grad()``.  torch is imported only then.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Callable, Optional

import numpy as np

from ._args import integer, real
from ._fans import check_layout
from ._seed import SeedLike, StreamLike, seed_sequence, stream_words

__all__ = ["LSUVLayer", "lsuv"]


@dataclass(frozen=True)
class LSUVLayer:
    """What LSUV did to one layer.

    Attributes
    ----------
    name : str
        ``"0"``, ``"1"``, ... (NumPy front end) or the module's qualified name.
    iterations : int
        Number of rescalings of the weight (``0 <= iterations <= t_max``).
    variance : float
        Variance of the layer's output measured after the last rescaling.
    converged : bool
        ``abs(variance - 1) < tol_var``.
    """

    name: str
    iterations: int
    variance: float
    converged: bool


def lsuv(
    model: Any,
    batch: Any,
    forward: Optional[Callable[[Any], Sequence[Any]]] = None,
    *,
    tol_var: float = 0.05,
    t_max: int = 10,
    orthogonal_init: bool = True,
    layout: str = "torch",
    seed: SeedLike = None,
    stream: StreamLike = "lsuv",
) -> list[LSUVLayer]:
    """Layer-sequential unit-variance initialisation, in place.

    For each layer ``l`` in forward order:

    .. math:: W_l \\leftarrow W_l / \\sqrt{\\mathrm{Var}(B_l)}
              \\quad \\text{while } |\\mathrm{Var}(B_l) - 1| \\ge \\mathrm{tol\\_var}
              \\text{ and fewer than } t_{max} \\text{ rescalings}

    where ``B_l`` is the layer's output on ``batch`` (the variance over all its
    elements, ``numpy.var`` / ``torch.var(correction=0)``), after an
    orthonormal pre-initialisation of every weight (``orthogonal_init=True``).

    Parameters
    ----------
    model : list of ndarray, or torch.nn.Module
        NumPy: the weight arrays in forward order, writeable, modified in
        place (``forward`` must read them on every call).  PyTorch: the
        module; its ``Linear``/``Conv``/``ConvTranspose`` layers are found and
        ordered by a first forward pass (a layer called twice counts once,
        its first call is measured).  The module's train/eval mode is left as
        it is.
    batch : any
        What ``forward`` (or the module) takes.
    forward : callable, optional
        NumPy front end only: ``forward(batch)`` returns one output per
        weight, in the same order.
    tol_var : float
        Tolerance on the output variance, ``> 0`` (default 0.05).
    t_max : int
        Most rescalings per layer, ``>= 0`` (default 10).
    orthogonal_init : bool
        Pre-initialise every weight with ``turboinit.orthogonal`` (gain 1).
        ``False`` keeps the current weights (LSUV's scaling only).
    layout : {"torch", "keras", "jax"}
        NumPy front end: how :func:`turboinit.orthogonal` flattens the weights
        (``"torch"``: ``(out, in, *kernel)``; ``"keras"``: ``(*kernel, in, out)``).
        The PyTorch front end always uses ``"torch"``.
    seed, stream
        Seed of the orthonormal pre-initialisation; layer ``name`` uses the
        stream ``f"{stream}/{name}"``.

    Returns
    -------
    list of LSUVLayer
        One entry per layer, in forward order.

    Raises
    ------
    ValueError
        A layer whose output variance is zero or not finite (dead or
        diverging layer): it names the layer and nothing is divided by it.
        Also bad ``tol_var``/``t_max``, a ``forward`` returning the wrong
        number of outputs.

    Examples
    --------
    >>> import numpy as np, turboinit as ti
    >>> x = ti.normal((256, 32), seed=1, dtype="float64")
    >>> w1, w2 = np.empty((64, 32)), np.empty((10, 64))   # torch layout (out, in)
    >>> def forward(b):
    ...     h = np.maximum(b @ w1.T, 0)
    ...     return [b @ w1.T, h @ w2.T]
    >>> report = ti.lsuv([w1, w2], x, forward, seed=0)
    >>> [r.converged for r in report]
    [True, True]
    """
    tol = real(tol_var, "tol_var")
    if not (math.isfinite(tol) and tol > 0):
        raise ValueError(f"tol_var: must be finite and > 0, got {tol!r}")
    t_max = integer(t_max, "t_max", minimum=0)
    check_layout(layout)
    ss = seed_sequence(seed)
    stream_words(stream)  # validate
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(model, torch.nn.Module):
        if forward is not None:
            raise TypeError("forward: not used with a torch.nn.Module (the module is called)")
        if layout != "torch":
            raise ValueError("layout: a torch.nn.Module's weights are always in layout 'torch'")
        return _lsuv_torch(model, batch, tol, int(t_max), orthogonal_init, ss, stream)
    return _lsuv_numpy(model, batch, forward, tol, int(t_max), orthogonal_init, layout, ss, stream)


def _layer_stream(stream: StreamLike, name: str) -> str:
    return f"{stream}/{name}"


def _checked_variance(value: float, name: str) -> float:
    if not math.isfinite(value) or value <= 0:
        raise ValueError(
            f"lsuv: layer {name!r} has output variance {value!r}; cannot rescale its weight "
            "(a dead layer gives 0, a diverging one inf or nan)"
        )
    return value


def _lsuv_numpy(
    weights: Any,
    batch: Any,
    forward: Optional[Callable[[Any], Sequence[Any]]],
    tol: float,
    t_max: int,
    orthogonal_init: bool,
    layout: str,
    ss: np.random.SeedSequence,
    stream: StreamLike,
) -> list[LSUVLayer]:
    if forward is None or not callable(forward):
        raise TypeError("forward: the NumPy front end needs a callable forward(batch) -> outputs")
    if isinstance(weights, np.ndarray) or not isinstance(weights, (list, tuple)):
        raise TypeError("model: expected a list of weight arrays or a torch.nn.Module")
    for i, w in enumerate(weights):
        if not isinstance(w, np.ndarray) or w.dtype.kind != "f" and w.dtype.name != "bfloat16":
            raise TypeError(f"model: weight {i} is not a floating-point numpy.ndarray")
        if not w.flags.writeable:
            raise ValueError(f"model: weight {i} is not writeable (it is modified in place)")
        if orthogonal_init and w.ndim < 2:
            raise ValueError(
                f"model: weight {i} has shape {w.shape}; the orthogonal start needs 2 or more "
                "dimensions (pass orthogonal_init=False to scale it as it is)"
            )
    if orthogonal_init:
        from ._args import normalize_dtype

        for i, w in enumerate(weights):
            s = _layer_stream(stream, str(i))
            try:
                dt, _ = normalize_dtype(w.dtype)
            except TypeError:
                dt = None
            if dt is not None and w.flags.c_contiguous and w.flags.aligned:
                _orthogonal()(w.shape, layout=layout, seed=ss, stream=s, dtype=dt, out=w)
            else:  # float128, strided views: generate, then one assignment
                w[...] = _orthogonal()(w.shape, layout=layout, seed=ss, stream=s, dtype="float64")

    def measure(i: int) -> float:
        outputs = forward(batch)
        if not isinstance(outputs, (Sequence, np.ndarray)) or isinstance(outputs, (str, bytes)):
            raise TypeError(
                f"forward: must return a list or tuple of outputs, one per weight; got "
                f"{type(outputs).__name__}"
            )
        if len(outputs) != len(weights):
            raise ValueError(
                f"forward: returned {len(outputs)} outputs for {len(weights)} weights; "
                "it must return one output per weight, in order"
            )
        o = np.asarray(outputs[i])
        return _checked_variance(float(np.var(o, dtype=np.float64)), str(i))

    report = []
    for i, w in enumerate(weights):
        var, it = measure(i), 0
        while abs(var - 1.0) >= tol and it < t_max:
            np.multiply(w, 1.0 / math.sqrt(var), out=w)
            it += 1
            var = measure(i)
        report.append(LSUVLayer(str(i), it, var, abs(var - 1.0) < tol))
    return report


def _orthogonal() -> Callable[..., np.ndarray]:
    from . import orthogonal

    return orthogonal


def _lsuv_torch(
    model: Any,
    batch: Any,
    tol: float,
    t_max: int,
    orthogonal_init: bool,
    ss: np.random.SeedSequence,
    stream: StreamLike,
) -> list[LSUVLayer]:
    import torch
    from torch import nn

    kinds = (
        nn.Linear,
        nn.Conv1d,
        nn.Conv2d,
        nn.Conv3d,
        nn.ConvTranspose1d,
        nn.ConvTranspose2d,
        nn.ConvTranspose3d,
    )
    candidates = {m: name for name, m in model.named_modules() if isinstance(m, kinds)}
    order: list[Any] = []
    state: dict[str, Any] = {"target": None, "output": None}

    def hook(module: Any, inputs: Any, output: Any) -> None:
        if module not in order:
            order.append(module)
        if module is state["target"] and state["output"] is None:
            state["output"] = output.detach()

    handles = [m.register_forward_hook(hook) for m in candidates]
    try:
        with torch.no_grad():
            model(batch)  # finds the layers in call order
            if orthogonal_init:
                for m in order:
                    _torch_orthogonal(m.weight, ss, _layer_stream(stream, candidates[m]))

            def measure(m: Any) -> float:
                state["target"], state["output"] = m, None
                model(batch)
                o = state["output"]
                if o.dtype in (torch.float16, torch.bfloat16):
                    o = o.float()
                return _checked_variance(float(torch.var(o, correction=0)), candidates[m])

            report = []
            for m in order:
                var, it = measure(m), 0
                while abs(var - 1.0) >= tol and it < t_max:
                    m.weight.mul_(1.0 / math.sqrt(var))
                    it += 1
                    var = measure(m)
                report.append(LSUVLayer(candidates[m], it, var, abs(var - 1.0) < tol))
    finally:
        for h in handles:
            h.remove()
    return report


def _torch_orthogonal(weight: Any, ss: np.random.SeedSequence, stream: str) -> None:
    import torch

    w = weight.detach()
    direct = {torch.float32: "float32", torch.float64: "float64"}
    if w.device.type == "cpu" and w.dtype in direct and w.is_contiguous():
        _orthogonal()(tuple(w.shape), seed=ss, stream=stream, dtype=direct[w.dtype], out=w.numpy())
    else:
        q = _orthogonal()(tuple(w.shape), seed=ss, stream=stream, dtype="float32")
        w.copy_(torch.from_numpy(q))
