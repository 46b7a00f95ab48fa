"""PyTorch adapter: ``torch.nn.init``'s functions and whole-model initialisation.

``import turboinit`` never imports torch; ``import turboinit.torch`` does.

* ``uniform_``, ``normal_``, ``trunc_normal_``, ``constant_``, ``ones_``,
  ``zeros_``, ``eye_``, ``dirac_``, ``xavier_uniform_``, ``xavier_normal_``,
  ``kaiming_uniform_``, ``kaiming_normal_``, ``orthogonal_``, ``sparse_`` and
  ``calculate_gain``: the functions of ``torch.nn.init`` with the same
  signatures, distributions and errors, filled by turboinit.  A contiguous
  CPU tensor is written in place (no copy) and returned; ``generator=`` also
  takes an int seed, and ``stream=`` names an independent stream.
* :func:`init_model`: every parameter of a model, by name, deterministically.

Example
-------
>>> import torch, turboinit.torch as tt
>>> w = torch.empty(256, 128)
>>> tt.kaiming_normal_(w, nonlinearity="relu", generator=0) is w
True
"""

from __future__ import annotations

from .._deps import missing

try:
    import torch as _torch  # noqa: F401
except ImportError as _e:  # pragma: no cover - exercised without torch only
    raise missing(
        "turboinit.torch needs PyTorch; install it (https://pytorch.org) or use the "
        "NumPy API of turboinit",
        _e,
    ) from _e

from ._functions import (
    _calculate_correct_fan,
    _calculate_fan_in_and_fan_out,
    calculate_gain,
    constant,
    constant_,
    dirac,
    dirac_,
    eye,
    eye_,
    kaiming_normal,
    kaiming_normal_,
    kaiming_uniform,
    kaiming_uniform_,
    normal,
    normal_,
    ones_,
    orthogonal,
    orthogonal_,
    sparse,
    sparse_,
    trunc_normal_,
    uniform,
    uniform_,
    xavier_normal,
    xavier_normal_,
    xavier_uniform,
    xavier_uniform_,
    zeros_,
)
from ._model import InitRecord, InitReport, init_model
from ._tensor import InitArgumentError, resolve_seed

# torch.nn.init's private fan helpers and deprecated aliases, so that
# ``import turboinit.torch as init`` stands in for ``torch.nn.init``; not in __all__.
_DROP_IN = (
    _calculate_correct_fan,
    _calculate_fan_in_and_fan_out,
    constant,
    dirac,
    eye,
    kaiming_normal,
    kaiming_uniform,
    normal,
    orthogonal,
    sparse,
    uniform,
    xavier_normal,
    xavier_uniform,
)

__all__ = [
    "InitArgumentError",
    "InitRecord",
    "InitReport",
    "calculate_gain",
    "constant_",
    "dirac_",
    "eye_",
    "init_model",
    "kaiming_normal_",
    "kaiming_uniform_",
    "normal_",
    "ones_",
    "orthogonal_",
    "resolve_seed",
    "sparse_",
    "trunc_normal_",
    "uniform_",
    "xavier_normal_",
    "xavier_uniform_",
    "zeros_",
]
