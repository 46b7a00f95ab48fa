"""NumPy-style random numbers on counter-based Philox4x32-10.

``default_rng(seed)`` returns a :class:`Generator` whose methods mirror
``numpy.random.Generator`` (``random``, ``uniform``, ``normal``,
``standard_normal``, ``integers``) plus ``truncated_normal``, generated in
parallel C++ and reproducible for any thread count.  ``philox4x32`` is the raw
block function.
"""

from __future__ import annotations

from ._generator import Generator, default_rng
from ._philox import philox4x32

__all__ = ["Generator", "default_rng", "philox4x32"]
