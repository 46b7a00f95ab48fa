"""The bulk methods of :class:`turboinit.random.Generator`: NumPy's
distributions generated in parallel C++ on the counter space.

``BulkMethods`` is a mixin: the Generator inherits it (before
``numpy.random.Generator`` once that is a base), and it uses only the
Generator's ``_reserve(n, per_block)`` and ``_target(size, dtype, out,
*params)``.  Every value is a pure function of (key, block counter, flat
index, parameters), so a call gives the same bits for any thread count, SIMD
kernel and region; the counter use of each sampler is in
``docs/counter_layout.md``.  Array parameters are broadcast against ``size``
(NumPy's rules) and passed to the core as float64 values, one per element
or the shortest tile of them that repeats along the output.
"""

from __future__ import annotations

import functools
import math
import operator
import warnings
from collections.abc import MutableSequence
from typing import TYPE_CHECKING, Any, ClassVar, Union

import numpy as np

from .. import _core
from .._args import DTypeLike, check_size, integer, normalize_shape
from ._params import (
    PER_BLOCK,
    SMALL,
    Param,
    SizeLike,
    allocate,
    flat,
    float_dtype,
    float_param,
    is_array,
    negative,
    not_positive,
    outside,
)

ArrayOrFloat = Union[float, np.ndarray]
ArrayOrInt = Union[int, np.ndarray]

# bulk_kind codes of cpp/simd/kernels.hpp.
_EXPONENTIAL = 0
_LAPLACE = 1
_LOGISTIC = 2
_GUMBEL = 3
_CAUCHY = 4
_RAYLEIGH = 5
_LOGNORMAL = 6
_WEIBULL = 7
_PARETO = 8
_POWER = 9
_GEOMETRIC = 10
_GAMMA = 11
_LOG_GAMMA = 12
_BETA = 13
_STANDARD_T = 14
_POISSON = 15
_BINOMIAL = 16
_PERMUTATION = 17

# choice(replace=False, p=...) partitions its n keys instead of sorting them
# all when k * _PARTITION_BELOW < n (the same result: see _first_k).
_PARTITION_BELOW = 8

# Up to this length a permutation sorts 64-bit random keys (exactly uniform but
# for ties, probability < n^2 / 2^65); longer ones use the Feistel bijection.
_SORT_MAX = 1 << 16

_AxisError: type[Exception] = getattr(np, "exceptions", np).AxisError  # NumPy < 1.25: np.AxisError
_INT64 = np.dtype(np.int64)
_F64 = np.dtype(np.float64)
# dirichlet normalises the gammas directly when every alpha is in this range:
# G(a) >= exp(log(2^-53) / 0.1) > 1e-160 for a >= 0.1, and k values <= ~1e300
# cannot overflow the row sum.
_DIRICHLET_DIRECT_MIN = 0.1
_DIRICHLET_DIRECT_MAX = 1e300
# numpy.random's POISSON_LAM_MAX: larger rates raise ValueError there.
_POISSON_LAM_MAX = float(np.iinfo(np.int64).max - np.sqrt(np.iinfo(np.int64).max) * 10)


@functools.cache
def _per_block(kind: int, code: int) -> int:
    """Elements per Philox block of ``kind`` computed in ``code`` (a constant of the core)."""
    return int(_core.bulk_per_block(kind, code))


def _check(bad: bool, message: str) -> None:
    if bad:
        raise ValueError(message)


def _per_element(p: Param, arr: np.ndarray) -> float | np.ndarray:
    """A float as it is; an array broadcast to ``arr`` in its memory order, as
    the shortest tile that the core repeats (``tiled``: element ``j`` takes
    ``values[j % len]``): in C order, the block of trailing axes from the first
    one the array does not broadcast along, so a parameter broadcast along
    leading axes (``alpha`` of length ``k`` for ``size + (k,)``) is not copied
    to full size."""
    if not is_array(p):
        return float(p)
    assert isinstance(p, np.ndarray)
    if not arr.flags.c_contiguous:
        full = np.broadcast_to(p, arr.shape).ravel(order="F")
        return np.ascontiguousarray(full, dtype=np.float64)
    dims = (1,) * (arr.ndim - p.ndim) + p.shape
    t = 0
    while t < arr.ndim and dims[t] == 1:
        t += 1
    tile = np.broadcast_to(p.reshape(dims[t:]), arr.shape[t:])
    return np.ascontiguousarray(tile, dtype=np.float64).reshape(-1)


def _rows_in_place(arr: np.ndarray) -> bool:
    """Whether ``_take_rows`` can reorder ``arr``'s rows as raw bytes: a plain
    ndarray (a subclass such as a masked array has more than its data),
    C-contiguous, without Python objects."""
    return bool(
        type(arr) is np.ndarray
        and arr.ndim >= 1
        and arr.flags.c_contiguous
        and not arr.dtype.hasobject
    )


def _take_rows(arr: np.ndarray, order: np.ndarray) -> np.ndarray:
    """``arr[order]`` along axis 0 in parallel C++ (``_rows_in_place(arr)``)."""
    out = np.empty((order.size,) + arr.shape[1:], arr.dtype)
    _core.take_rows(arr, order, out)
    return out


class BulkMethods:
    """NumPy's distributions on the counter space (mixin of ``Generator``)."""

    # (dtypes, differences from NumPy) of the NumPy compatibility table
    # (turboinit.random._compat), where a method's docstring does not say it.
    COMPAT_NOTES: ClassVar[dict[str, tuple[str, str]]] = {
        "choice": (
            "int64 indices (or elements of `a`)",
            "values; with `p` and replacement NumPy's own inversion, `searchsorted` of its "
            "cdf at the uniforms of `random(size)` (the same index for the same uniform), "
            "computed in parallel through a guide table; without replacement with `p` the "
            "smallest `E_i / p_i` (Efraimidis–Spirakis), the law of NumPy's successive draws",
        ),
    }

    if TYPE_CHECKING:

        def _reserve(self, n: int, per_block: int) -> tuple[int, int, int]: ...

        def _target(
            self, size: SizeLike, dt: np.dtype, out: np.ndarray | None, *params: Param
        ) -> tuple[np.ndarray, bool]: ...

    # ---- the one path to the core ----------------------------------------------------

    def _bulk(
        self,
        kind: int,
        size: SizeLike,
        params: tuple[Param, ...] = (),
        *,
        dt: np.dtype = _F64,
        out: np.ndarray | None = None,
        scalars: tuple[float, ...] = (),
    ) -> Any:
        """Fill a new (or the ``out``) array with ``kind``; ``params`` broadcast
        against ``size``, ``scalars`` are extra call-wide parameters after them."""
        code = 0 if dt is _F64 else 1 if dt == np.float32 else 0  # `is`: no dtype comparison
        if out is None and all(type(p) is float for p in params):
            if size is None:
                # One value, no array: the element a one-element region gets, from
                # the blocks a one-element call reserves.
                ps = (*params, *map(float, scalars), 0.0, 0.0)
                k0, k1, offset = self._reserve(1, _per_block(kind, code))
                return _core.bulk_scalar(kind, code, k0, k1, offset, ps[0], ps[1])
            if type(size) is int and 0 < size <= SMALL and code == 0:
                return self._bulk_small(kind, size, (*params, *map(float, scalars)), dt)
        arr, scalar = self._target(size, dt, out, *params)
        n = arr.size
        values = [_per_element(p, arr) for p in params] + [float(s) for s in scalars]
        values += [0.0] * (2 - len(values))
        k0, k1, offset = self._reserve(n, _per_block(kind, code))
        p0, p1 = values
        _core.bulk(flat(arr), kind, code, (n,), (0,), (n,), k0, k1, offset, p0, p1, True)  # tiled
        if not scalar:
            return arr
        return float(arr[()]) if dt is _F64 else int(arr[()]) if dt == _INT64 else float(arr[()])

    def _bulk_small(self, kind: int, n: int, values: tuple[Any, ...], dt: np.dtype) -> Any:
        """:meth:`_bulk` of ``1 <= n <= SMALL`` elements with float parameters into a
        new 1-D array (float64 or int64, both computed in float64: code 0): the same
        region, counter use and values, without the broadcasting and tiling steps."""
        arr = np.empty(n, dt)
        k0, k1, offset = self._reserve(n, _per_block(kind, 0))
        ps = (*values, 0.0, 0.0)
        _core.bulk(arr, kind, 0, (n,), (0,), (n,), k0, k1, offset, ps[0], ps[1], True)  # tiled
        return arr

    # ---- inverse-transform family --------------------------------------------------

    def standard_exponential(
        self,
        size: SizeLike = None,
        dtype: DTypeLike = np.float64,
        method: str = "zig",
        out: np.ndarray | None = None,
    ) -> ArrayOrFloat:
        """Standard exponential floats, as :meth:`numpy.random.Generator.standard_exponential`.

        .. math:: x = -\\ln u,\\quad u \\in (0, 1]

        by inversion for either ``method`` (``"zig"`` or ``"inv"``: the same
        values), from the uniform's counter layout (``u`` is the value
        :meth:`random` makes of the same words, in ``(0, 1]``).

        Parameters
        ----------
        size : int or tuple of ints, optional
        dtype : {float64, float32}
        method : {"zig", "inv"}
        out : ndarray, optional

        Examples
        --------
        >>> from turboinit.random import default_rng
        >>> x = default_rng(0).standard_exponential(100_000)
        >>> round(float(x.mean()), 1), bool(x.min() >= 0)
        (1.0, True)
        """
        if method not in ("zig", "inv"):
            raise ValueError(f"method: expected 'zig' or 'inv', got {method!r}")
        dt, _ = float_dtype(dtype, "standard_exponential", halves=False)
        return self._bulk(_EXPONENTIAL, size, dt=dt, out=out, scalars=(1.0,))  # type: ignore[no-any-return]

    def exponential(self, scale: Any = 1.0, size: SizeLike = None) -> ArrayOrFloat:
        """Exponential floats of mean ``scale``, as :meth:`numpy.random.Generator.exponential`.

        .. math:: x = \\mathrm{scale} \\cdot (-\\ln u)

        Examples
        --------
        >>> from turboinit.random import default_rng
        >>> x = default_rng(0).exponential(2.0, 100_000)
        >>> round(float(x.mean()), 1)
        2.0
        """
        s = float_param(scale, "scale")
        _check(negative(s), "scale < 0")
        return self._bulk(_EXPONENTIAL, size, (s,))  # type: ignore[no-any-return]

    def laplace(self, loc: Any = 0.0, scale: Any = 1.0, size: SizeLike = None) -> ArrayOrFloat:
        """Laplace floats, as :meth:`numpy.random.Generator.laplace`.

        .. math:: x = \\mathrm{loc} \\pm \\mathrm{scale} \\cdot (-\\ln u)

        with the sign from a bit of the same word that the uniform does not use.

        Examples
        --------
        >>> from turboinit.random import default_rng
        >>> x = default_rng(0).laplace(1.0, 2.0, 100_000)
        >>> round(float(x.mean())), round(float(x.var()))
        (1, 8)
        """
        m = float_param(loc, "loc")
        s = float_param(scale, "scale")
        _check(negative(s), "scale < 0")
        return self._bulk(_LAPLACE, size, (m, s))  # type: ignore[no-any-return]

    def logistic(self, loc: Any = 0.0, scale: Any = 1.0, size: SizeLike = None) -> ArrayOrFloat:
        """Logistic floats, as :meth:`numpy.random.Generator.logistic`.

        .. math:: x = \\mathrm{loc} + \\mathrm{scale} \\ln\\frac{u}{1 - u},\\quad u \\in (0, 1)

        Examples
        --------
        >>> from turboinit.random import default_rng
        >>> x = default_rng(0).logistic(0.0, 1.0, 100_000)
        >>> round(float(x.var()), 1)  # pi^2 / 3
        3.3
        """
        m = float_param(loc, "loc")
        s = float_param(scale, "scale")
        _check(negative(s), "scale < 0")
        return self._bulk(_LOGISTIC, size, (m, s))  # type: ignore[no-any-return]

    def gumbel(self, loc: Any = 0.0, scale: Any = 1.0, size: SizeLike = None) -> ArrayOrFloat:
        """Gumbel floats, as :meth:`numpy.random.Generator.gumbel`.

        .. math:: x = \\mathrm{loc} - \\mathrm{scale} \\ln(-\\ln u),\\quad u \\in (0, 1)

        Examples
        --------
        >>> from turboinit.random import default_rng
        >>> x = default_rng(0).gumbel(0.0, 1.0, 100_000)
        >>> round(float(x.mean()), 2)  # Euler's gamma
        0.58
        """
        m = float_param(loc, "loc")
        s = float_param(scale, "scale")
        _check(negative(s), "scale < 0")
        return self._bulk(_GUMBEL, size, (m, s))  # type: ignore[no-any-return]

    def standard_cauchy(self, size: SizeLike = None) -> ArrayOrFloat:
        """Standard Cauchy floats, as :meth:`numpy.random.Generator.standard_cauchy`.

        .. math:: x = \\tan(\\pi (u - 1/2)) = -\\cos(\\pi u) / \\sin(\\pi u),\\quad u \\in (0, 1)

        Examples
        --------
        >>> from turboinit.random import default_rng
        >>> x = default_rng(0).standard_cauchy(100_000)
        >>> round(float(abs(x[abs(x) < 1e6]).mean() > 1))
        1
        """
        return self._bulk(_CAUCHY, size)  # type: ignore[no-any-return]

    def rayleigh(self, scale: Any = 1.0, size: SizeLike = None) -> ArrayOrFloat:
        """Rayleigh floats, as :meth:`numpy.random.Generator.rayleigh`.

        .. math:: x = \\mathrm{scale} \\sqrt{-2 \\ln u}

        Examples
        --------
        >>> from turboinit.random import default_rng
        >>> x = default_rng(0).rayleigh(1.0, 100_000)
        >>> round(float((x**2).mean()), 1)
        2.0
        """
        s = float_param(scale, "scale")
        _check(negative(s), "scale < 0")
        return self._bulk(_RAYLEIGH, size, (s,))  # type: ignore[no-any-return]

    def lognormal(self, mean: Any = 0.0, sigma: Any = 1.0, size: SizeLike = None) -> ArrayOrFloat:
        """Log-normal floats, as :meth:`numpy.random.Generator.lognormal`.

        .. math:: x = \\exp(\\mathrm{mean} + \\sigma z)

        ``z`` is the normal of :meth:`standard_normal` at the same flat index
        (its counter layout).

        Examples
        --------
        >>> import numpy as np
        >>> from turboinit.random import default_rng
        >>> x = default_rng(0).lognormal(1.0, 0.5, 100_000)
        >>> round(float(np.log(x).mean()), 1)
        1.0
        """
        m = float_param(mean, "mean")
        s = float_param(sigma, "sigma")
        _check(negative(s), "sigma < 0")
        return self._bulk(_LOGNORMAL, size, (m, s))  # type: ignore[no-any-return]

    def weibull(self, a: Any, size: SizeLike = None) -> ArrayOrFloat:
        """Weibull floats, as :meth:`numpy.random.Generator.weibull`.

        .. math:: x = (-\\ln u)^{1/a}\\ (0 \\text{ for } a = 0)

        Examples
        --------
        >>> from turboinit.random import default_rng
        >>> x = default_rng(0).weibull(1.0, 100_000)
        >>> round(float(x.mean()), 1)
        1.0
        """
        k = float_param(a, "a")
        _check(negative(k), "a < 0")
        return self._bulk(_WEIBULL, size, (k,))  # type: ignore[no-any-return]

    def pareto(self, a: Any, size: SizeLike = None) -> ArrayOrFloat:
        """Pareto II (Lomax) floats, as :meth:`numpy.random.Generator.pareto`.

        .. math:: x = \\exp(-\\ln(u) / a) - 1

        Examples
        --------
        >>> from turboinit.random import default_rng
        >>> x = default_rng(0).pareto(3.0, 100_000)
        >>> round(float(x.mean()), 1)  # 1 / (a - 1)
        0.5
        """
        k = float_param(a, "a")
        _check(not_positive(k), "a <= 0")
        return self._bulk(_PARETO, size, (k,))  # type: ignore[no-any-return]

    def power(self, a: Any, size: SizeLike = None) -> ArrayOrFloat:
        """Power-function floats on ``[0, 1]``, as :meth:`numpy.random.Generator.power`.

        .. math:: x = u^{1/a} = \\exp(\\ln(u) / a)

        Examples
        --------
        >>> from turboinit.random import default_rng
        >>> x = default_rng(0).power(3.0, 100_000)
        >>> round(float(x.mean()), 2)  # a / (a + 1)
        0.75
        """
        k = float_param(a, "a")
        _check(not_positive(k), "a <= 0")
        return self._bulk(_POWER, size, (k,))  # type: ignore[no-any-return]

    def geometric(self, p: Any, size: SizeLike = None) -> ArrayOrInt:
        """Geometric integers ``>= 1``, as :meth:`numpy.random.Generator.geometric`.

        .. math:: k = \\max(1, \\lceil \\ln u / \\ln(1 - p) \\rceil)

        (inversion; ``2**63 - 1`` where that overflows int64, as NumPy).

        Examples
        --------
        >>> from turboinit.random import default_rng
        >>> k = default_rng(0).geometric(0.25, 100_000)
        >>> round(float(k.mean())), int(k.min())
        (4, 1)
        """
        q = float_param(p, "p")
        _check(outside(q, 0.0, 1.0, lo_open=True), "p <= 0, p > 1 or p contains NaNs")
        return self._bulk(_GEOMETRIC, size, (q,), dt=_INT64)  # type: ignore[no-any-return]

    def bytes(self, length: int) -> bytes:
        """``length`` random bytes, as :meth:`numpy.random.Generator.bytes`.

        The little-endian bytes of the raw 32-bit words ``_core.bits`` gives
        (the words of a float32 :meth:`random` of ``ceil(length / 4)`` elements),
        written in parallel straight into the new ``bytes`` object.

        Examples
        --------
        >>> from turboinit.random import default_rng
        >>> b = default_rng(0).bytes(10)
        >>> type(b).__name__, len(b)
        ('bytes', 10)
        """
        n = integer(length, "length", minimum=0, expected="a non-negative int")
        if n == 0:
            return b""
        words = -(-n // 4)
        check_size((words,), 4, "size")
        try:
            return _core.bits_bytes(n, lambda: self._reserve(words, 4))
        except MemoryError:
            raise MemoryError(f"size: cannot allocate {n} bytes") from None

    # ---- the gamma family (rejection with the attempt counter) -------------------------

    def standard_gamma(
        self,
        shape: Any,
        size: SizeLike = None,
        dtype: DTypeLike = np.float64,
        out: np.ndarray | None = None,
    ) -> ArrayOrFloat:
        """Standard gamma floats, as :meth:`numpy.random.Generator.standard_gamma`.

        Marsaglia and Tsang's method (rejection: a rejected candidate is
        redrawn with the next attempt number in its own counter); for
        ``shape < 1``, :math:`G(a) = G(a + 1)\\, U^{1/a}`.

        Examples
        --------
        >>> from turboinit.random import default_rng
        >>> x = default_rng(0).standard_gamma(2.5, 100_000)
        >>> round(float(x.mean()), 1), round(float(x.var()), 1)
        (2.5, 2.5)
        """
        dt, _ = float_dtype(dtype, "standard_gamma", halves=False)
        if out is not None and not (
            isinstance(out, np.ndarray) and out.flags.c_contiguous and out.flags.writeable
        ):
            raise ValueError(
                "Supplied output array must be C-contiguous, writable, aligned, and in "
                "machine byte-order."
            )
        a = float_param(shape, "shape")
        _check(negative(a), "shape < 0")
        return self._bulk(_GAMMA, size, (a,), dt=dt, out=out, scalars=(1.0,))  # type: ignore[no-any-return]

    def gamma(self, shape: Any, scale: Any = 1.0, size: SizeLike = None) -> ArrayOrFloat:
        """Gamma floats, as :meth:`numpy.random.Generator.gamma`: ``scale`` times
        :meth:`standard_gamma`.

        Examples
        --------
        >>> from turboinit.random import default_rng
        >>> x = default_rng(0).gamma(2.0, 3.0, 100_000)
        >>> round(float(x.mean()))
        6
        """
        a = float_param(shape, "shape")
        s = float_param(scale, "scale")
        _check(negative(a), "shape < 0")
        _check(negative(s), "scale < 0")
        return self._bulk(_GAMMA, size, (a, s))  # type: ignore[no-any-return]

    def chisquare(self, df: Any, size: SizeLike = None) -> ArrayOrFloat:
        """Chi-square floats, as :meth:`numpy.random.Generator.chisquare`:
        ``2 * standard_gamma(df / 2)``.

        Examples
        --------
        >>> from turboinit.random import default_rng
        >>> x = default_rng(0).chisquare(4.0, 100_000)
        >>> round(float(x.mean()))
        4
        """
        k = float_param(df, "df")
        _check(not_positive(k), "df <= 0")
        half = np.multiply(k, 0.5) if is_array(k) else float(k) * 0.5
        return self._bulk(_GAMMA, size, (half,), scalars=(2.0,))  # type: ignore[no-any-return]

    def beta(self, a: Any, b: Any, size: SizeLike = None) -> ArrayOrFloat:
        """Beta floats, as :meth:`numpy.random.Generator.beta`:

        .. math:: x = \\frac{X}{X + Y} = \\frac{1}{1 + \\exp(\\ln Y - \\ln X)},
                  \\quad X \\sim G(a),\\ Y \\sim G(b)

        computed from the logarithms, so tiny ``a`` and ``b`` never give ``0/0``.

        Examples
        --------
        >>> from turboinit.random import default_rng
        >>> x = default_rng(0).beta(2.0, 6.0, 100_000)
        >>> round(float(x.mean()), 2)
        0.25
        """
        pa = float_param(a, "a")
        pb = float_param(b, "b")
        _check(not_positive(pa), "a <= 0")
        _check(not_positive(pb), "b <= 0")
        return self._bulk(_BETA, size, (pa, pb))  # type: ignore[no-any-return]

    def standard_t(self, df: Any, size: SizeLike = None) -> ArrayOrFloat:
        """Student's t floats, as :meth:`numpy.random.Generator.standard_t`:

        .. math:: x = z \\sqrt{\\frac{\\nu / 2}{G(\\nu / 2)}}

        Examples
        --------
        >>> from turboinit.random import default_rng
        >>> x = default_rng(0).standard_t(10.0, 100_000)
        >>> round(float(x.var()), 1)  # df / (df - 2)
        1.2
        """
        k = float_param(df, "df")
        _check(not_positive(k), "df <= 0")
        return self._bulk(_STANDARD_T, size, (k,))  # type: ignore[no-any-return]

    def dirichlet(self, alpha: Any, size: SizeLike = None) -> np.ndarray:
        """Dirichlet vectors, as :meth:`numpy.random.Generator.dirichlet`.

        Independent ``G(alpha_i)`` normalised to sum 1.  With every ``alpha_i``
        in ``[0.1, 1e300]`` the gammas themselves are divided by their row sum
        (each is then a positive normal float, the sum finite); otherwise the
        row is computed from their logarithms (so tiny ``alpha`` never give
        ``0/0``).  Element ``i`` of the flat output (``size + (k,)``) is a gamma
        of shape ``alpha[i % k]`` at flat index ``i``.

        Examples
        --------
        >>> from turboinit.random import default_rng
        >>> x = default_rng(0).dirichlet([1.0, 2.0, 3.0], 4)
        >>> x.shape, bool(abs(x.sum(axis=1) - 1).max() < 1e-12)
        ((4, 3), True)
        """
        try:
            al = np.asarray(alpha, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"alpha: expected a 1-D sequence of floats ({exc})") from None
        if al.ndim != 1:
            raise ValueError(f"alpha: must be 1-dimensional, got {al.ndim} dimensions")
        _check(negative(al), "alpha < 0")
        k = al.size
        if size is None:
            shape: tuple[int, ...] = (k,)
        else:
            shape = normalize_shape(size, "size") + (k,)
        if k and bool(np.all((al >= _DIRICHLET_DIRECT_MIN) & (al <= _DIRICHLET_DIRECT_MAX))):
            # Every G(alpha_i) is then a positive normal float64 and the row sum
            # cannot overflow: the core normalises the gammas themselves (no
            # logarithms, no exp), row by row in parallel, summing each row in
            # index order.
            arr = allocate(shape, _F64)
            k0, k1, offset = self._reserve(arr.size, _per_block(_GAMMA, 0))
            _core.dirichlet(arr, al, k0, k1, offset)
            return arr
        arr = self._bulk(_LOG_GAMMA, shape, (al,))
        if arr.size == 0:
            return arr  # type: ignore[no-any-return]
        top = arr.max(axis=-1, keepdims=True)
        top[~np.isfinite(top)] = 0.0  # every alpha 0: log G = -inf throughout; the row is 0
        arr -= top
        np.exp(arr, out=arr)
        total = arr.sum(axis=-1, keepdims=True)
        total[total == 0] = 1.0
        arr /= total
        return arr  # type: ignore[no-any-return]

    # ---- counts ------------------------------------------------------------------------

    def poisson(self, lam: Any = 1.0, size: SizeLike = None) -> ArrayOrInt:
        """Poisson integers, as :meth:`numpy.random.Generator.poisson`.

        Inversion by search for ``lam < 10``, Hörmann's PTRS rejection
        (as NumPy) from 10 on, with the attempt counter.

        Examples
        --------
        >>> from turboinit.random import default_rng
        >>> k = default_rng(0).poisson(4.0, 100_000)
        >>> round(float(k.mean())), round(float(k.var()))
        (4, 4)
        """
        lm = float_param(lam, "lam")
        _check(outside(lm, 0.0, math.inf), "lam < 0 or lam is NaN")
        _check(outside(lm, -math.inf, _POISSON_LAM_MAX), "lam value too large")
        return self._bulk(_POISSON, size, (lm,), dt=_INT64)  # type: ignore[no-any-return]

    def binomial(self, n: Any, p: Any, size: SizeLike = None) -> ArrayOrInt:
        """Binomial integers, as :meth:`numpy.random.Generator.binomial`.

        On ``q = min(p, 1 - p)``: inversion (NumPy's) for ``n q < 10``,
        Hörmann's BTRS rejection otherwise, with the attempt counter.  ``n``
        is converted to int64 as NumPy does (exact up to ``2**53``).

        Examples
        --------
        >>> from turboinit.random import default_rng
        >>> k = default_rng(0).binomial(100, 0.3, 100_000)
        >>> round(float(k.mean())), round(float(k.var()))
        (30, 21)
        """
        exact = type(n) is int and -(2**63) <= n < 2**63  # an exact int: no array
        if not exact:
            try:
                n_i = np.asarray(n).astype(np.int64)
            except (TypeError, ValueError) as exc:
                raise type(exc)(f"n: expected integers ({exc})") from None
        pp = float_param(p, "p")
        nf: Param
        if exact:
            _check(n < 0, "n < 0")
            nf = float(n)
        else:
            _check(bool(np.any(n_i < 0)), "n < 0")
            nf = n_i.astype(np.float64) if n_i.ndim else float(n_i)
        _check(outside(pp, 0.0, 1.0), "p < 0, p > 1 or p is NaN")
        return self._bulk(_BINOMIAL, size, (nf, pp), dt=_INT64)  # type: ignore[no-any-return]

    # ---- permutations and choice ---------------------------------------------------------

    def _permutations(self, m: int, n: int, k: int | None = None) -> np.ndarray:
        """``m`` independent uniform permutations of ``range(n)`` as an (m, n)
        int64 array (only the first ``k`` of one permutation if ``k`` is given)."""
        if m == 0 or n == 0:
            return np.zeros((m, 0 if k is None else k), np.int64)
        if n <= _SORT_MAX:
            words = allocate((2 * m * n,), np.dtype(np.uint32))
            k0, k1, offset = self._reserve(words.size, 4)
            _core.bits(words, (words.size,), (0,), (words.size,), k0, k1, offset)
            keys = words.view(np.uint64).reshape(m, n)
            order = np.argsort(keys, axis=1, kind="stable")
            return order if k is None else order[0, :k].copy()
        k0, k1, offset = self._reserve(m, 1)  # one block per permutation
        if k is not None:
            part = allocate((k,), np.dtype(np.int64))
            _core.bulk(part, _PERMUTATION, 0, (n,), (0,), (k,), k0, k1, offset, float(n), 0.0)
            return part
        arr = allocate((m, n), np.dtype(np.int64))
        total = m * n
        _core.bulk(
            flat(arr), _PERMUTATION, 0, (total,), (0,), (total,), k0, k1, offset, float(n), 0.0
        )
        return arr

    def permutation(self, x: Any, axis: int = 0) -> np.ndarray:
        """A permuted ``range(x)`` or a permuted copy of ``x`` along ``axis``, as
        :meth:`numpy.random.Generator.permutation`.

        Up to ``2**16`` elements: the order of 64-bit random keys (uniform but
        for ties, probability below ``n**2 / 2**65``, broken by index).  Longer:
        a keyed Feistel bijection of ``[0, n)`` with cycle walking, computed in
        parallel, so any part of it can be made alone (docs/counter_layout.md).

        Examples
        --------
        >>> from turboinit.random import default_rng
        >>> sorted(default_rng(0).permutation(5).tolist())
        [0, 1, 2, 3, 4]
        """
        if isinstance(x, (int, np.integer)) and not isinstance(x, bool):
            n = int(x)
            if n < 0:
                raise ValueError(f"x: a permutation length must be non-negative, got {n}")
            return self._permutations(1, n)[0] if n else np.arange(0, dtype=np.int64)
        arr = np.asarray(x)
        if arr.ndim == 0:
            raise _AxisError(axis, 0)
        ax = _axis(axis, arr.ndim)
        order = self._permutations(1, arr.shape[ax])[0]
        if ax == 0 and _rows_in_place(arr):
            return _take_rows(arr, order)
        result: np.ndarray = np.take(arr, order, axis=ax)
        return result

    def shuffle(self, x: Any, axis: int = 0) -> None:
        """Shuffle ``x`` in place along ``axis``, as :meth:`numpy.random.Generator.shuffle`
        (the order :meth:`permutation` gives; ndarrays and mutable sequences).

        Examples
        --------
        >>> from turboinit.random import default_rng
        >>> x = list(range(5))
        >>> default_rng(0).shuffle(x)
        >>> sorted(x)
        [0, 1, 2, 3, 4]
        """
        if isinstance(x, np.ndarray):
            if x.ndim == 0:
                raise TypeError("x: a 0-d array cannot be shuffled")
            if not x.flags.writeable:
                raise ValueError("x: array is read-only")
            ax = _axis(axis, x.ndim)
            order = self._permutations(1, x.shape[ax])[0]
            x[...] = (
                _take_rows(x, order)
                if ax == 0 and _rows_in_place(x)
                else np.take(x, order, axis=ax)
            )
            return
        if axis != 0:
            raise NotImplementedError("Axis argument is only supported on ndarray objects")
        if not isinstance(x, MutableSequence):
            raise TypeError(f"x: expected an ndarray or a mutable sequence, got {type(x).__name__}")
        items = list(x)
        for i, j in enumerate(self._permutations(1, len(items))[0].tolist()):
            x[i] = items[j]

    def permuted(
        self, x: Any, axis: int | None = None, out: np.ndarray | None = None
    ) -> np.ndarray:
        """``x`` with each slice along ``axis`` permuted independently (all of it
        if ``axis=None``), as :meth:`numpy.random.Generator.permuted`.

        Examples
        --------
        >>> import numpy as np
        >>> from turboinit.random import default_rng
        >>> y = default_rng(0).permuted(np.arange(12).reshape(3, 4), axis=1)
        >>> np.sort(y, axis=1).tolist()
        [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]
        """
        arr = np.asarray(x)
        if arr.ndim == 0:  # NumPy: len() of unsized object (a scalar was returned as is)
            raise TypeError(f"x: expected an array of at least 1 dimension, got {type(x).__name__}")
        if axis is None and out is None and _rows_in_place(arr):
            order = self._permutations(1, arr.size)[0]
            return _take_rows(arr.reshape(-1), order).reshape(arr.shape)
        if out is None:
            out = np.array(arr, copy=True, order="K")
        else:
            if not isinstance(out, np.ndarray):
                raise TypeError(f"out: expected a numpy.ndarray, got {type(out).__name__}")
            if out.shape != arr.shape:
                raise ValueError("out must have the same shape as x")
            np.copyto(out, arr, casting="safe")
        if axis is None:
            order = self._permutations(1, arr.size)[0]
            out[...] = arr.reshape(-1)[order].reshape(arr.shape)
            return out
        ax = _axis(axis, arr.ndim)
        moved = np.moveaxis(arr, ax, -1)
        n = moved.shape[-1]
        m = moved.size // n if n else 0
        order = self._permutations(m, n).reshape(moved.shape)
        np.moveaxis(out, ax, -1)[...] = np.take_along_axis(moved, order, axis=-1)
        return out

    def choice(
        self,
        a: Any,
        size: SizeLike = None,
        replace: bool = True,
        p: Any = None,
        axis: int = 0,
        shuffle: bool = True,
    ) -> Any:
        """Random samples of ``a`` (or of ``range(a)``), as
        :meth:`numpy.random.Generator.choice`.

        With replacement: uniform indices from :meth:`integers`, or with ``p``
        the inverse of the cumulative ``p`` at uniforms from :meth:`random`:
        ``min(searchsorted(cdf, u, side="right"), n - 1)`` with NumPy's ``cdf``
        (``cumsum(p)`` divided by its last value), exactly, found in parallel
        C++ through a guide table (Chen and Asau), O(1) expected time per
        draw.  Without: the first ``size`` values of :meth:`permutation`
        (without ``p``; a slice of the Feistel bijection for long
        populations), or with ``p`` the ``size`` smallest keys ``E_i / p_i``,
        ``E_i`` standard exponentials (Efraimidis and Spirakis: the law of
        successive draws in proportion to ``p``), ties by index.

        Examples
        --------
        >>> from turboinit.random import default_rng
        >>> x = default_rng(0).choice(10, size=4, replace=False)
        >>> len(set(x.tolist()))
        4
        """
        if isinstance(a, (int, np.integer)) and not isinstance(a, bool):
            pop: np.ndarray | None = None
            n = int(a)
        else:
            if isinstance(a, (float, np.floating)):
                raise ValueError(f"a must be a sequence or an integer, not {type(a)}")
            pop = np.asarray(a)
            if pop.ndim == 0:
                raise ValueError("a must be a sequence or an integer")
            axis = _axis(axis, pop.ndim)
            n = pop.shape[axis]
        shape: tuple[int, ...] = () if size is None else normalize_shape(size, "size")
        k = math.prod(shape)
        if n <= 0 and k > 0:
            if pop is None:
                raise ValueError("a must be a positive integer unless no samples are taken")
            raise ValueError("a cannot be empty unless no samples are taken")
        probs = None if p is None else _probabilities(p, n)
        if replace:
            if k == 0:
                idx = np.zeros(shape, np.int64)
            elif probs is None:
                idx = np.asarray(self.integers(0, n, size=shape))  # type: ignore[attr-defined]
            else:  # NumPy's cdf, inverted in C++ at the uniforms random(shape) would give
                cdf = np.cumsum(probs)
                cdf /= cdf[-1]
                idx = allocate(shape, _INT64)
                k0, k1, offset = self._reserve(k, PER_BLOCK[True])
                _core.choice(flat(idx), cdf, (k,), (0,), (k,), k0, k1, offset)
        else:
            if k > n:
                raise ValueError(
                    "Cannot take a larger sample than population when replace is False"
                )
            if probs is not None and np.count_nonzero(probs) < k:
                raise ValueError("Fewer non-zero entries in p than size")
            if k == 0:
                flat_idx = np.zeros(0, np.int64)
            elif probs is None:
                flat_idx = self._permutations(1, n, k)
            else:
                e = np.asarray(self.standard_exponential(n))
                with np.errstate(divide="ignore", invalid="ignore"):
                    keys = e / (probs + 0.0)  # + 0.0: a p of -0.0 is a zero (key inf, not -inf)
                flat_idx = _first_k(keys, k)
            idx = flat_idx.reshape(shape)
        if pop is None:
            return int(idx[()]) if size is None else idx
        if pop.ndim == 1 and idx.ndim == 0:  # one element (of any kind, objects included)
            element = pop[int(idx)]
            if size is None:
                return element
            boxed = np.empty((), dtype=pop.dtype)
            boxed[()] = element
            return boxed
        res = np.take(pop, idx, axis=axis)
        return res[()] if size is None and res.ndim == 0 else res

    # ---- multivariate ----------------------------------------------------------------

    def multinomial(self, n: Any, pvals: Any, size: SizeLike = None) -> np.ndarray:
        """Multinomial counts, as :meth:`numpy.random.Generator.multinomial`.

        Conditional binomials, category by category (as NumPy): count ``j`` is
        ``binomial(n - counts before j, pvals[j] / (1 - pvals before j))``,
        the last category takes the rest; each category is one parallel
        :meth:`binomial` call over all the draws.

        Examples
        --------
        >>> from turboinit.random import default_rng
        >>> x = default_rng(0).multinomial(20, [0.2, 0.3, 0.5], size=4)
        >>> x.shape, x.sum(axis=1).tolist()
        ((4, 3), [20, 20, 20, 20])
        """
        n_a, pv = _multinomial_checks(n, pvals)
        k = pv.shape[-1]
        batch = tuple(np.broadcast_shapes(n_a.shape, pv.shape[:-1]))
        if size is None:
            shape = batch
        else:
            shape = normalize_shape(size, "size")
            if tuple(np.broadcast_shapes(shape, batch)) != shape:
                raise ValueError(f"size: {shape} is not compatible with n and pvals {batch}")
        out = allocate(shape + (k,), _INT64)
        # Each category's conditional probability on pvals' own batch shape (one
        # float when pvals is 1-D: the binomials then take their call-wide setup),
        # broadcast against `size` by binomial; n likewise until the first draw.
        remaining: Any = int(n_a) if n_a.ndim == 0 else n_a
        psum = np.ones(pv.shape[:-1])
        for j in range(k - 1):
            with np.errstate(divide="ignore", invalid="ignore"):
                q = np.clip(np.where(psum > 0, pv[..., j] / psum, 0.0), 0.0, 1.0)
            x = np.asarray(self.binomial(remaining, float(q) if q.ndim == 0 else q, size=shape))
            out[..., j] = x
            remaining = remaining - x
            psum = psum - pv[..., j]
        out[..., k - 1] = remaining
        return out

    def multivariate_normal(
        self,
        mean: Any,
        cov: Any,
        size: SizeLike = None,
        check_valid: str = "warn",
        tol: float = 1e-8,
        *,
        method: str = "svd",
    ) -> np.ndarray:
        """Multivariate normal vectors, as :meth:`numpy.random.Generator.multivariate_normal`.

        ``mean + z @ A`` with ``z`` from :meth:`standard_normal` (parallel) and
        ``A`` the factor of ``cov`` that NumPy's ``method`` makes (``svd``: ``sqrt(s) u.T``,
        ``eigh``: ``sqrt(|w|) v.T``, ``cholesky``: ``L.T``), computed by turboinit's own
        Cholesky and symmetric eigensolver (Householder tridiagonalisation and implicit
        QL) in a fixed order of IEEE operations, not by LAPACK: LAPACK's bits depend on
        its build and on the CPU, ours do not.  The product and the shift run in
        parallel C++ in a fixed order (no BLAS).  So the bits are the same for any
        thread count and on every machine.  ``check_valid`` applies NumPy's tests
        (``svd``: ``allclose(vh.T s vh, cov)``, the left side from our factor when ``cov``
        is symmetric, else from NumPy's SVD; ``eigh``: on our eigenvalues).

        Examples
        --------
        >>> from turboinit.random import default_rng
        >>> x = default_rng(0).multivariate_normal([0.0, 1.0], [[1.0, 0.5], [0.5, 1.0]], 3)
        >>> x.shape
        (3, 2)
        """
        if method not in ("svd", "eigh", "cholesky"):
            raise ValueError("method must be one of {'eigh', 'svd', 'cholesky'}")
        if check_valid not in ("warn", "raise", "ignore"):
            raise ValueError("check_valid must equal 'warn', 'raise', or 'ignore'")
        if np.iscomplexobj(mean):
            raise TypeError("mean must not be complex")
        if np.iscomplexobj(cov):
            raise TypeError("cov must not be complex")
        mu = np.asarray(mean, dtype=np.float64)
        c = np.asarray(cov, dtype=np.float64)
        if mu.ndim != 1:
            raise ValueError("mean must be 1 dimensional")
        if c.ndim != 2 or c.shape[0] != c.shape[1]:
            raise ValueError("cov must be 2 dimensional and square")
        if mu.shape[0] != c.shape[0]:
            raise ValueError("mean and cov must have same length")
        shape = () if size is None else normalize_shape(size, "size")
        k = mu.shape[0]
        factor, w, status = _core.covariance_factor(np.ascontiguousarray(c), method)
        if status:
            raise np.linalg.LinAlgError(_FACTOR_ERRORS[status])
        if method == "eigh":
            psd = not bool(np.any(w < -tol))  # NumPy: a NaN eigenvalue passes
        elif method == "svd":
            # NumPy's test: allclose(vh.T s vh, cov).  For a finite symmetric cov that
            # matrix is u s u^T = factor.T factor, so no second decomposition is needed;
            # otherwise it comes from NumPy's SVD, which also raises on NaN as NumPy does.
            finite = bool(np.isfinite(c).all())
            if check_valid != "ignore" or not finite:
                if finite and np.array_equal(c, c.T):
                    recon = factor.T @ factor
                else:
                    _u, s, vh = np.linalg.svd(c)
                    recon = np.dot(vh.T * s, vh)
                psd = bool(np.allclose(recon, c, rtol=tol, atol=tol))
        if method != "cholesky" and check_valid != "ignore" and not psd:
            if check_valid == "raise":
                raise ValueError("covariance is not symmetric positive-semidefinite.")
            warnings.warn(
                "covariance is not symmetric positive-semidefinite.", RuntimeWarning, stacklevel=2
            )
        x: np.ndarray = np.asarray(self.standard_normal(size=shape + (k,)))  # type: ignore[attr-defined]
        if x.size:
            _core.affine_rows(
                x.reshape(-1, k),
                np.ascontiguousarray(factor, np.float64),
                np.ascontiguousarray(mu, np.float64),
            )
        return x


# _core.covariance_factor's status codes, as the LinAlgError NumPy raises for them.
_FACTOR_ERRORS = {1: "Matrix is not positive definite", 2: "Eigenvalues did not converge"}


def _axis(axis: int, ndim: int) -> int:
    try:
        ax = operator.index(axis)
    except TypeError:
        raise TypeError(f"axis: expected an int, got {type(axis).__name__}") from None
    if not -ndim <= ax < ndim:
        raise _AxisError(ax, ndim)
    return ax % ndim


def _first_k(keys: np.ndarray, k: int) -> np.ndarray:
    """``np.argsort(keys, kind="stable")[:k]`` (the ``k`` smallest keys ordered
    by key, then index; NaN last), without sorting all ``n`` keys when ``k``
    is small: the ``k``-th smallest key ``t`` by partition, the keys below
    ``t`` and the first ties with ``t`` (by index), then a stable sort of those."""
    n = keys.size
    if k * _PARTITION_BELOW >= n:
        return np.argsort(keys, kind="stable")[:k]
    t = np.partition(keys, k - 1)[k - 1]
    if np.isnan(t):  # fewer than k keys that are not NaN
        return np.argsort(keys, kind="stable")[:k]
    below = np.flatnonzero(keys < t)
    ties = np.flatnonzero(keys == t)[: k - below.size]
    chosen = np.concatenate((below, ties))  # by index within each part; ties sort last
    result: np.ndarray = chosen[np.argsort(keys[chosen], kind="stable")]
    return result


def _probabilities(p: Any, n: int) -> np.ndarray:
    """``p`` checked as NumPy's choice does."""
    probs = np.asarray(p, dtype=np.float64)
    if probs.ndim != 1:
        raise ValueError("p must be 1-dimensional")
    if probs.size != n:
        raise ValueError("a and p must have same size")
    if np.isnan(probs).any():
        raise ValueError("Probabilities contain NaN")
    if np.any(probs < 0):
        raise ValueError("Probabilities are not non-negative")
    atol = float(np.sqrt(np.finfo(np.float64).eps))
    if abs(math.fsum(probs.tolist()) - 1.0) > atol:
        raise ValueError(
            "Probabilities do not sum to 1. See Notes section of docstring for more information."
        )
    return probs


def _multinomial_n(n: Any) -> np.ndarray:
    """``n`` as int64 by NumPy's rules: a scalar is converted as ``int()`` would
    (floats truncated, OverflowError beyond int64), a list as ``np.array(n,
    dtype=np.int64)``, an array only by a safe cast; strings, and float arrays,
    are refused (``astype`` wrapped or truncated them: ``2**63`` became ``n <
    0``, ``np.array([3.5])`` became 3, ``"5"`` 5)."""
    if isinstance(n, (str, bytes)):
        raise TypeError(f"n: an integer is required, got {type(n).__name__}")
    a = np.asarray(n)
    if a.ndim == 0 and not isinstance(n, np.ndarray):  # a Python or NumPy scalar
        value = a.item()
        if not isinstance(value, (int, float)):  # bool is an int
            raise TypeError(f"n: an integer is required, got {type(n).__name__}")
        iv = int(value)  # ValueError for NaN, OverflowError for inf, as int()
        if not -(2**63) <= iv < 2**63:
            raise OverflowError("n: Python int too large to convert to C long")
        return np.asarray(iv, dtype=np.int64)
    if not isinstance(n, np.ndarray) and a.dtype.kind in "biuf":  # a list: as NumPy converts it
        with np.errstate(invalid="raise"):
            try:
                return np.array(n, dtype=np.int64)
            except FloatingPointError:
                raise ValueError("n: cannot convert NaN or infinity to an integer") from None
    if a.dtype.kind not in "biu" or not np.can_cast(a.dtype, np.int64, "safe"):
        raise TypeError(
            f"n: Cannot cast array data from {a.dtype!r} to dtype('int64') according to "
            "the rule 'safe'"
        )
    return a.astype(np.int64)


def _multinomial_checks(n: Any, pvals: Any) -> tuple[np.ndarray, np.ndarray]:
    n_a = _multinomial_n(n)
    try:
        pv = np.asarray(pvals, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"n, pvals: expected integers and floats ({exc})") from None
    if np.any(n_a < 0):
        raise ValueError("n < 0")
    if pv.ndim == 0 or pv.shape[-1] == 0:
        raise ValueError(
            "pvals must have at least 1 dimension and the last dimension of pvals must be "
            "greater than 0."
        )
    if np.any(~((pv >= 0) & (pv <= 1))):
        raise ValueError("pvals < 0, pvals > 1 or pvals contains NaNs")
    if np.any(pv[..., :-1].sum(axis=-1) > 1.0 + 1e-12):
        if (
            isinstance(pvals, np.ndarray)
            and np.issubdtype(pvals.dtype, np.floating)
            and pvals.dtype != np.float64
            and pvals.sum() < 1.0001
        ):  # NumPy's hint (1.0001 covers float16/float32): the cast to float64 went over 1
            raise ValueError(
                "sum(pvals[:-1].astype(np.float64)) > 1.0. The pvals array is cast to 64-bit "
                "floating point prior to checking the sum. Precision changes when casting may "
                "cause problems even if the sum of the original pvals is valid."
            )
        raise ValueError("sum(pvals[:-1]) > 1.0")
    return n_a, pv
