"""turboinit: fast, reproducible initialisation tensors and random arrays.

Every element is a pure function of ``(seed, stream, index)`` through the
counter-based Philox4x32-10 generator, so generation runs on all cores and any
region can be made alone, bit for bit equal to that region of the whole.
"""

from __future__ import annotations

from . import random
from ._config import build_info, get_num_threads, set_num_threads, show_config
from ._distributions import normal, truncated_normal, uniform
from ._orthogonal import delta_orthogonal, orthogonal

__version__: str = str(build_info().get("version", "0+unknown"))

__all__ = [
    "__version__",
    "build_info",
    "delta_orthogonal",
    "get_num_threads",
    "normal",
    "orthogonal",
    "random",
    "set_num_threads",
    "show_config",
    "truncated_normal",
    "uniform",
]
