"""``BulkMethods``: the Generator methods generated in parallel C++ on the counter space.

:class:`turboinit.random.Generator` inherits ``(BulkMethods, numpy.random.Generator)``,
so a method defined here overrides NumPy's sequential one of the same name.  Each
method reserves its counter blocks with ``self._reserve(n, per_block)`` and makes
its output with ``self._target(size, dtype, out, *params)``, as the Generator's own
parallel methods do (``docs/counter_layout.md``).
"""

from __future__ import annotations


class BulkMethods:
    """Mixin of the parallel samplers of :class:`turboinit.random.Generator`.

    A method defined here replaces :class:`numpy.random.Generator`'s method of the
    same name and must keep its signature, defaults and exceptions.  The NumPy
    compatibility page lists it as parallel by itself; an optional class attribute
    ``COMPAT_NOTES = {name: (dtypes, differences from NumPy)}`` fills its row
    (``turboinit.random._compat``).
    """
