"""turboinit: fast, reproducible initialisation tensors and random arrays.

Every element is a pure function of ``(seed, stream, index)`` through the
counter-based Philox4x32-10 generator, so generation runs on all cores and any
region can be made alone, bit for bit equal to that region of the whole.
"""

from __future__ import annotations

from . import random
from ._bias import output_bias, relu_bias
from ._config import build_info, get_num_threads, max_num_threads, set_num_threads, show_config
from ._distributions import normal, truncated_normal, uniform
from ._fans import calculate_gain, compute_fans
from ._fills import constant, dirac, eye, identity, ones, zeros
from ._orthogonal import delta_orthogonal, orthogonal
from ._sparse import sparse
from ._variance_scaling import (
    glorot_normal,
    glorot_uniform,
    he_normal,
    he_uniform,
    kaiming_normal,
    kaiming_uniform,
    lecun_normal,
    lecun_uniform,
    variance_scaling,
    xavier_normal,
    xavier_uniform,
)
from .lsuv import LSUVLayer, lsuv

__version__: str = str(build_info().get("version", "0+unknown"))

__all__ = [
    "__version__",
    "build_info",
    "calculate_gain",
    "compute_fans",
    "constant",
    "delta_orthogonal",
    "dirac",
    "eye",
    "get_num_threads",
    "glorot_normal",
    "glorot_uniform",
    "he_normal",
    "he_uniform",
    "identity",
    "kaiming_normal",
    "kaiming_uniform",
    "lecun_normal",
    "lecun_uniform",
    "lsuv",
    "LSUVLayer",
    "max_num_threads",
    "normal",
    "ones",
    "output_bias",
    "orthogonal",
    "random",
    "relu_bias",
    "set_num_threads",
    "show_config",
    "sparse",
    "truncated_normal",
    "uniform",
    "variance_scaling",
    "xavier_normal",
    "xavier_uniform",
    "zeros",
]
