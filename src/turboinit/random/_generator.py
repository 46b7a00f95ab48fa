"""``Generator``: ``numpy.random.Generator`` on turboinit's Philox4x32-10.

A Generator is a NumPy Generator over a :class:`~turboinit.random.Philox`
bit generator (a key and a 64-bit block counter).  Each parallel call
reserves the counter blocks its elements need, under the bit generator's
lock, and fills its output as one flat tensor starting at the first
reserved block (``block_offset`` of the core), so its result depends only
on the key, the counter when it ran and its arguments, never on threads or
SIMD.  NumPy's sequential methods draw from the same counter.
"""

from __future__ import annotations

import math
from typing import Any, Union, cast

import numpy as np

from .. import _core
from .._args import DTypeLike, integer, normalize_shape
from .._seed import key_from_sequence
from ._bitgen import Philox, SeedArg
from ._bulk import BulkMethods
from ._integers import MASK64, bounds, int_type
from ._params import (
    BLOCKS_PER_GROUP,
    PER_BLOCK,
    PER_BLOCK_INTEGERS,
    PER_BLOCK_TRUNCATED,
    Param,
    SizeLike,
    allocate,
    at_or_above,
    at_or_below,
    below,
    check_out,
    compute_dtype,
    fill_mapped,
    flat,
    float_dtype,
    float_param,
    is_array,
    negative,
    overflow_threshold,
    result_shape,
    round_to,
    scalar_result,
    small_float64,
)

ArrayOrFloat = Union[float, np.ndarray]
# Generator.normal's scalar fast path takes |loc| and scale below this: every normal z of
# the core has |z| < 9 (Box-Muller, u >= 2^-53), so |loc + scale z| < 1e299, far from
# overflowing, and the general path would give the same value.
_NO_OVERFLOW = 1e298
_INT64 = int_type(np.int64)


# NumPy's stubs spell each method as overloads by argument type; BulkMethods'
# take the same arguments under one signature each, which mypy calls incompatible.
class Generator(BulkMethods, np.random.Generator):  # type: ignore[misc]
    """NumPy's :class:`numpy.random.Generator` on turboinit's Philox counter space.

    A subclass of :class:`numpy.random.Generator` (``isinstance`` holds, so
    SciPy and other libraries accept it) whose ``bit_generator`` is a
    :class:`turboinit.random.Philox`.  The parallel methods, :meth:`random`,
    :meth:`uniform`, :meth:`normal`, :meth:`standard_normal`,
    :meth:`integers`, :meth:`truncated_normal` and those of
    :class:`~turboinit.random._bulk.BulkMethods`, are generated in C++ on
    many threads; every other method is NumPy's own code drawing from the
    Philox, so it is seeded and reproducible too.  Signatures, return types
    and errors are NumPy's; values are not (see the NumPy compatibility
    page).  ``normal``, ``uniform`` and ``truncated_normal`` also take
    ``dtype=float32/float16/bfloat16``.

    A parallel call of ``n`` elements at ``c`` values per block reserves
    ``ceil(n / c)`` blocks rounded up to a group of 16 from the bit
    generator's counter, under its lock, so calls from several threads never
    share blocks; sequential draws take their blocks from the same counter.

    Parameters
    ----------
    seed : None, int, iterable of ints, numpy.random.SeedSequence or Philox
        ``None`` takes fresh entropy from the OS.  A seed gives the key of
        stream 0, so the first call of ``Generator(s)`` draws what
        ``turboinit.normal(..., seed=s)`` would.

    Examples
    --------
    >>> import numpy as np
    >>> from turboinit.random import Generator
    >>> rng = Generator(42)
    >>> x = rng.standard_normal((2, 3))
    >>> x.shape, x.dtype, isinstance(rng, np.random.Generator)
    ((2, 3), dtype('float64'), True)
    """

    def __init__(self, seed: SeedArg | Philox = None) -> None:
        if isinstance(seed, type):  # as NumPy's Generator(MT19937)
            raise ValueError("seed: a class; the bit generator must be instantiated")
        super().__init__(seed if isinstance(seed, Philox) else Philox(seed))

    @property
    def _philox(self) -> Philox:
        return cast(Philox, self.bit_generator)

    # ---- state ---------------------------------------------------------------

    def _reserve(self, n: int, per_block: int) -> tuple[int, int, int]:
        """(k0, k1, first block) of ``n`` elements at ``per_block`` per block."""
        bg = cast(Philox, self.bit_generator)
        if n == 0:  # nothing is drawn; any offset will do (also at the counter's end)
            k0, k1 = bg.key
            return k0, k1, 0
        # ceil(n / per_block) blocks, rounded up to whole groups
        return bg.reserve_keyed(-(-n // (per_block * BLOCKS_PER_GROUP)) * BLOCKS_PER_GROUP)

    @property
    def state(self) -> dict[str, Any]:
        """The key, the block counter, the sequential buffer and the seed sequence.

        ``{"bit_generator": "Philox4x32-10", "key": [k0, k1], "counter": next
        free block, "buffer": {"block": b, "position": p}, "seed_seq": {...}}``:
        ``bit_generator.state`` flattened, plus the ``SeedSequence``.
        Assigning a dict read earlier replays the calls made since; the key
        must match the seed sequence (ValueError otherwise); ``buffer`` may be
        left out (no buffered words).

        Examples
        --------
        >>> from turboinit.random import default_rng
        >>> rng = default_rng(0)
        >>> s = rng.state
        >>> a = rng.random(3)
        >>> rng.state = s
        >>> bool((rng.random(3) == a).all())
        True
        """
        bg = self._philox
        with bg.lock:
            inner = bg.state
            ss = cast(np.random.SeedSequence, bg.seed_seq)
            return {
                "bit_generator": inner["bit_generator"],
                "key": inner["state"]["key"],
                "counter": inner["state"]["counter"],
                "buffer": inner["buffer"],
                "seed_seq": {
                    "entropy": ss.entropy,
                    "spawn_key": tuple(int(k) for k in ss.spawn_key),
                    "pool_size": int(ss.pool_size),
                    "n_children_spawned": int(ss.n_children_spawned),
                },
            }

    @state.setter
    def state(self, value: dict[str, Any]) -> None:
        if not isinstance(value, dict):
            raise TypeError(f"state: expected a dict, got {type(value).__name__}")
        missing = {"bit_generator", "key", "counter", "seed_seq"} - set(value)
        if missing:
            raise ValueError(f"state: missing keys {sorted(missing)}")
        info = value["seed_seq"]
        try:
            ss = np.random.SeedSequence(
                info["entropy"],
                spawn_key=tuple(info["spawn_key"]),
                pool_size=info["pool_size"],
                n_children_spawned=info["n_children_spawned"],
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"state: bad seed_seq {info!r} ({exc!r})") from None
        inner = {
            "bit_generator": value["bit_generator"],
            "state": {"key": value["key"], "counter": value["counter"]},
        }
        if "buffer" in value:
            inner["buffer"] = value["buffer"]
        probe = Philox(ss)
        probe.state = inner  # checks every field
        if probe.key != key_from_sequence(ss):
            raise ValueError(f"state: key {probe.key} does not belong to the seed sequence")
        self._philox.set_seed_state(probe.state, ss)

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.bit_generator,))

    @property
    def seed_seq(self) -> np.random.SeedSequence:
        """The ``SeedSequence`` the key comes from (``bit_generator.seed_seq``)."""
        return cast(np.random.SeedSequence, self._philox.seed_seq)

    def spawn(self, n_children: int) -> list[Generator]:  # type: ignore[override]
        """``n_children`` independent Generators, from ``SeedSequence.spawn``.

        Children get keys hashed from distinct spawn keys (never ``seed + i``);
        spawning again gives new children, as in NumPy.

        Examples
        --------
        >>> from turboinit.random import default_rng
        >>> a, b = default_rng(0).spawn(2)
        >>> bool((a.random(4) != b.random(4)).all())
        True
        """
        n = integer(n_children, "n_children", minimum=0, expected="a non-negative int")
        return [type(self)(child) for child in self._philox.spawn(n)]

    # ---- helpers ---------------------------------------------------------------

    def _target(
        self, size: SizeLike, dt: np.dtype, out: np.ndarray | None, *params: Param
    ) -> tuple[np.ndarray, bool]:
        """(array to fill, whether the result is a Python scalar)."""
        if out is None and (size is None or (type(size) is int and size >= 0)):
            for p in params:
                if type(p) is not float:  # an array: broadcast below
                    break
            else:  # the common cases first: no parameter shapes to broadcast
                return (allocate((), dt), True) if size is None else (allocate((size,), dt), False)
        if out is not None:
            check_out(out, dt, size)
            result_shape(out.shape, *params)
            return out, False
        shape = result_shape(size, *params)
        if shape is None:
            return allocate((), dt), True
        return allocate(shape, dt), False

    def _fill_1d(
        self, fill: Any, n: int, dt: DTypeLike, code: int, per_block: int, p0: Any, p1: Any
    ) -> np.ndarray:
        """A new 1-D array of ``n`` values of ``fill`` (a ``_core`` sampler taking
        ``(out, dtype code, shape, start, extent, k0, k1, offset, p0, p1)``), from the
        blocks the general path reserves: its values, without its steps."""
        a = np.empty(n, dt)
        k0, k1, offset = self._reserve(n, per_block)
        fill(a, code, (n,), (0,), (n,), k0, k1, offset, p0, p1)
        return a

    def _small(self, fill: Any, size: Any, p0: float, p1: float) -> ArrayOrFloat:
        """``size`` float64 values of ``fill`` (``_core.uniform`` or ``_core.normal``;
        ``1 <= size <= SMALL``, an int: ``small_float64`` checked it), or one as a
        Python float for ``size=None``."""
        a = self._fill_1d(fill, 1 if size is None else size, np.float64, 0, PER_BLOCK[True], p0, p1)
        return float(a[0]) if size is None else a

    # ---- NumPy's methods ---------------------------------------------------------

    def random(  # type: ignore[override]  # a superset of NumPy's signature
        self, size: SizeLike = None, dtype: DTypeLike = np.float64, out: np.ndarray | None = None
    ) -> ArrayOrFloat:
        """Uniform floats on ``[0, 1)``, as :meth:`numpy.random.Generator.random`.

        .. math:: x = k\\, 2^{-53}\\ (\\text{float64}),\\quad x = k\\, 2^{-24}\\ (\\text{float32})

        Parameters
        ----------
        size : int or tuple of ints, optional
            ``None`` (and no ``out``) returns a Python float.
        dtype : {float64, float32}
            Other dtypes raise ``TypeError`` (as in NumPy).
        out : ndarray, optional
            C- or F-contiguous, writeable, aligned, of ``dtype``; filled in
            memory order and returned.

        Examples
        --------
        >>> from turboinit.random import default_rng
        >>> x = default_rng(0).random((2, 3), dtype="float32")
        >>> x.dtype, bool(((0 <= x) & (x < 1)).all())
        (dtype('float32'), True)
        """
        if small_float64(size, dtype, out):
            return self._small(_core.uniform, size, 0.0, 1.0)
        dt, code = float_dtype(dtype, "random", halves=False)
        arr, scalar = self._target(size, dt, out)
        n = arr.size
        k0, k1, offset = self._reserve(n, PER_BLOCK[code == 0])
        _core.uniform(flat(arr), code, (n,), (0,), (n,), k0, k1, offset, 0.0, 1.0)
        return scalar_result(arr) if scalar else arr

    def standard_normal(  # type: ignore[override]  # a superset of NumPy's signature
        self, size: SizeLike = None, dtype: DTypeLike = np.float64, out: np.ndarray | None = None
    ) -> ArrayOrFloat:
        """Standard normal floats, as :meth:`numpy.random.Generator.standard_normal`.

        Box–Muller: :math:`z = \\sqrt{-2\\ln u_1}\\,\\cos 2\\pi u_2` (and the sine).
        Parameters as in :meth:`random`.

        Examples
        --------
        >>> from turboinit.random import default_rng
        >>> z = default_rng(0).standard_normal(100_000)
        >>> abs(float(z.mean())) < 0.02, abs(float(z.std()) - 1) < 0.02
        (True, True)
        """
        if small_float64(size, dtype, out):
            return self._small(_core.normal, size, 0.0, 1.0)
        dt, code = float_dtype(dtype, "standard_normal", halves=False)
        arr, scalar = self._target(size, dt, out)
        n = arr.size
        k0, k1, offset = self._reserve(n, PER_BLOCK[code == 0])
        _core.normal(flat(arr), code, (n,), (0,), (n,), k0, k1, offset, 0.0, 1.0)
        return scalar_result(arr) if scalar else arr

    def uniform(  # type: ignore[override]  # a superset of NumPy's signature
        self,
        low: Any = 0.0,
        high: Any = 1.0,
        size: SizeLike = None,
        *,
        dtype: DTypeLike = np.float64,
    ) -> ArrayOrFloat:
        """Uniform floats on ``[low, high)``, as :meth:`numpy.random.Generator.uniform`.

        .. math:: x = \\mathrm{low} + (\\mathrm{high} - \\mathrm{low})\\, u,\\quad u \\sim U[0, 1)

        ``high`` is never returned, also after rounding.  ``low`` and ``high``
        may be arrays, broadcast against each other and ``size``.

        Parameters
        ----------
        low, high : float or array_like of floats
            ``high - low`` must be finite (else ``OverflowError``) and
            ``>= 0`` (else ``ValueError``), as in NumPy.
        size : int or tuple of ints, optional
            ``None``: the parameters' broadcast shape, or a Python float.
        dtype : {float64, float32, float16, bfloat16}
            A superset of NumPy (which has float64 only); 16-bit types are
            computed in float32 and rounded once.

        Examples
        --------
        >>> from turboinit.random import default_rng
        >>> x = default_rng(0).uniform([0.0, 10.0], [1.0, 20.0], size=(1000, 2))
        >>> bool((x[:, 1] >= 10).all() and (x[:, 1] < 20).all())
        True
        """
        dt, code = float_dtype(dtype, "uniform", halves=True)
        lo = float_param(low, "low")
        hi = float_param(high, "high")
        span: Any
        if type(lo) is float and type(hi) is float:  # Python's float arithmetic: no warnings
            span = hi - lo
            finite, increasing = math.isfinite(span), not span < 0
        else:
            with np.errstate(over="ignore", invalid="ignore"):
                span = np.subtract(hi, lo)
            finite, increasing = bool(np.all(np.isfinite(span))), not np.any(span < 0)
        if not finite:
            raise OverflowError("high - low: the range is not a finite float64")
        if not increasing:
            raise ValueError("high - low < 0: need low <= high")
        if small_float64(size, dtype, None) and type(lo) is float and type(hi) is float:
            _core.check_uniform(0, lo, hi)
            return self._small(_core.uniform, size, lo, hi)
        arr, scalar = self._target(size, dt, None, lo, hi)
        ct, ct_code = compute_dtype(dt)
        n = arr.size
        if not is_array(lo) and not is_array(hi):
            _core.check_uniform(code, lo, hi)
            k0, k1, offset = self._reserve(n, PER_BLOCK[ct_code == 0])
            _core.uniform(flat(arr), code, (n,), (0,), (n,), k0, k1, offset, lo, hi)
            return scalar_result(arr) if scalar else arr

        # Array parameters: the core's rules, per parameter element.
        lo_a, hi_a = np.broadcast_arrays(np.asarray(lo), np.asarray(hi))
        limit = overflow_threshold(dt)
        if np.any(hi_a > limit) or np.any(lo_a <= -limit):
            raise OverflowError(
                f"low, high: some [low, high) reaches beyond the largest {dt} value"
            )
        with np.errstate(over="ignore"):
            span_c = np.asarray(span).astype(ct)
        if not np.all(np.isfinite(span_c)):
            raise OverflowError(f"high - low: the range overflows {ct}")
        with np.errstate(over="ignore", invalid="ignore"):
            equal = hi_a == lo_a
            first = np.where(equal, round_to(lo_a, dt), at_or_above(lo_a, dt))
            last = np.where(equal, first, below(hi_a, dt))
        if not np.all(np.isfinite(first[equal])):
            raise OverflowError(f"low: not representable as {dt}")
        if np.any(first > last):
            raise ValueError(f"low, high: no {dt} value lies in some [low, high)")
        k0, k1, offset = self._reserve(n, PER_BLOCK[ct_code == 0])

        def generate(buf: np.ndarray, pos: int) -> None:
            _core.uniform(buf, ct_code, (n,), (pos,), (buf.size,), k0, k1, offset, 0.0, 1.0)

        def apply(
            o: np.ndarray, s: np.ndarray, a: np.ndarray, f: np.ndarray, g: np.ndarray
        ) -> None:
            np.multiply(o, s, out=o)
            np.add(o, a, out=o)
            np.maximum(o, f, out=o)
            np.minimum(o, g, out=o)

        operands = [span_c, lo_a.astype(ct), first.astype(ct), last.astype(ct)]
        fill_mapped(arr, ct, generate, operands, apply)
        return arr

    def normal(  # type: ignore[override]  # a superset of NumPy's signature
        self,
        loc: Any = 0.0,
        scale: Any = 1.0,
        size: SizeLike = None,
        *,
        dtype: DTypeLike = np.float64,
    ) -> ArrayOrFloat:
        """Normal floats ``N(loc, scale**2)``, as :meth:`numpy.random.Generator.normal`.

        .. math:: x = \\mathrm{loc} + \\mathrm{scale}\\, z,\\quad z \\sim N(0, 1)

        ``loc`` and ``scale`` may be arrays, broadcast against each other and
        ``size``; a negative ``scale`` raises ``ValueError``.  As in NumPy,
        non-finite parameters give non-finite samples and samples beyond the
        dtype's range become ``inf``.

        Parameters
        ----------
        loc, scale : float or array_like of floats
        size : int or tuple of ints, optional
        dtype : {float64, float32, float16, bfloat16}
            A superset of NumPy (float64 only); 16-bit types are computed in
            float32 and rounded once.

        Examples
        --------
        >>> from turboinit.random import default_rng
        >>> x = default_rng(0).normal(loc=[0.0, 100.0], scale=0.1, size=(10_000, 2))
        >>> [round(float(m)) for m in x.mean(axis=0)]
        [0, 100]
        """
        dt, code = float_dtype(dtype, "normal", halves=True)
        mu = float_param(loc, "loc")
        sigma = float_param(scale, "scale")
        if negative(sigma):  # -0.0 too, as NumPy
            raise ValueError("scale < 0: scale must be non-negative")
        if (
            small_float64(size, dtype, None)
            and type(mu) is float
            and type(sigma) is float
            and abs(mu) < _NO_OVERFLOW
            and sigma < _NO_OVERFLOW
        ):  # no overflow possible: the general path's result, without an array
            return self._small(_core.normal, size, mu, sigma)
        arr, scalar = self._target(size, dt, None, mu, sigma)
        ct, ct_code = compute_dtype(dt)
        n = arr.size
        k0, k1, offset = self._reserve(n, PER_BLOCK[ct_code == 0])
        if (
            type(mu) is float
            and type(sigma) is float
            and math.isfinite(mu)
            and math.isfinite(sigma)
        ):
            try:
                _core.normal(flat(arr), code, (n,), (0,), (n,), k0, k1, offset, mu, sigma)
                return scalar_result(arr) if scalar else arr
            except OverflowError:
                pass  # samples may pass the dtype's largest value: NumPy gives inf there

        def generate(buf: np.ndarray, pos: int) -> None:
            _core.normal(buf, ct_code, (n,), (pos,), (buf.size,), k0, k1, offset, 0.0, 1.0)

        def apply(o: np.ndarray, s: np.ndarray, m: np.ndarray) -> None:
            np.multiply(o, s, out=o)
            np.add(o, m, out=o)

        with np.errstate(over="ignore"):
            operands = [np.asarray(sigma).astype(ct), np.asarray(mu).astype(ct)]
        fill_mapped(arr, ct, generate, operands, apply)
        return scalar_result(arr) if scalar else arr

    def truncated_normal(
        self,
        loc: Any = 0.0,
        scale: Any = 1.0,
        lower: float = -2.0,
        upper: float = 2.0,
        size: SizeLike = None,
        *,
        dtype: DTypeLike = np.float64,
        out: np.ndarray | None = None,
    ) -> ArrayOrFloat:
        """Normal floats restricted to ``[loc + lower*scale, loc + upper*scale]``.

        An extension of NumPy's API (the JAX/SciPy/Keras convention: bounds in
        units of ``scale``, possibly infinite).  The inverse CDF or exact
        rejection sampling by dtype and bounds, as
        :func:`turboinit.truncated_normal`; no value falls outside the bounds,
        also after rounding.

        .. math:: p(x) \\propto
                  \\exp\\!\\left(-\\frac{(x-\\mathrm{loc})^2}{2\\,\\mathrm{scale}^2}\\right)
                  \\text{ on } [\\mathrm{loc} + \\mathrm{lower}\\,\\mathrm{scale},\\
                  \\mathrm{loc} + \\mathrm{upper}\\,\\mathrm{scale}]

        Parameters
        ----------
        loc, scale : float or array_like of floats
            Finite, ``scale >= 0``; arrays broadcast against ``size``.
        lower, upper : float
            Scalars, ``lower < upper``.
        size : int or tuple of ints, optional
        dtype : {float64, float32, float16, bfloat16}
        out : ndarray, optional
            As in :meth:`random`.

        Examples
        --------
        >>> from turboinit.random import default_rng
        >>> x = default_rng(0).truncated_normal(0.0, 0.02, size=10_000)
        >>> bool(abs(x).max() <= 0.04)
        True
        """
        dt, code = float_dtype(dtype, "truncated_normal", halves=True)
        mu = float_param(loc, "loc")
        sigma = float_param(scale, "scale")
        a = float_param(lower, "lower")
        b = float_param(upper, "upper")
        if is_array(a) or is_array(b):
            raise TypeError("lower, upper: must be scalars (in units of scale)")
        for name, p in (("loc", mu), ("scale", sigma)):
            if not np.all(np.isfinite(p)):
                raise ValueError(f"{name}: must be finite")
        if np.any(np.signbit(sigma) & ~np.isnan(sigma)):  # -0.0 too, as NumPy
            raise ValueError("scale < 0: scale must be non-negative")
        arr, scalar = self._target(size, dt, out, mu, sigma)
        ct, ct_code = compute_dtype(dt)
        n = arr.size
        per_block = PER_BLOCK_TRUNCATED[ct_code == 0]
        if not is_array(mu) and not is_array(sigma):
            # Validate everything before reserving counter space.
            _core.check_truncated_normal(code, mu, sigma, a, b)
            k0, k1, offset = self._reserve(n, per_block)
            _core.truncated_normal(
                flat(arr), code, (n,), (0,), (n,), k0, k1, offset, mu, sigma, a, b
            )
            return scalar_result(arr) if scalar else arr

        # Array parameters.  The core checks the bounds and that no sample can
        # leave the dtype's range, for the widest loc and scale together.
        mu_a, sigma_a = np.broadcast_arrays(np.asarray(mu), np.asarray(sigma))
        if mu_a.size:
            reach, widest = float(np.abs(mu_a).max()), float(sigma_a.max())
            for m in (reach, -reach):
                _core.check_truncated_normal(code, m, widest, a, b)
        else:
            _core.check_truncated_normal(code, 0.0, 1.0, a, b)
        with np.errstate(over="ignore", invalid="ignore"):
            point = sigma_a == 0
            first = np.where(point, round_to(mu_a, dt), at_or_above(mu_a + a * sigma_a, dt))
            last = np.where(point, first, at_or_below(mu_a + b * sigma_a, dt))
        if np.any(first > last):
            raise ValueError(
                f"lower, upper: no {dt} value lies in some [loc + lower*scale, loc + upper*scale]"
            )
        k0, k1, offset = self._reserve(n, per_block)

        def generate(buf: np.ndarray, pos: int) -> None:
            _core.truncated_normal(
                buf, ct_code, (n,), (pos,), (buf.size,), k0, k1, offset, 0.0, 1.0, a, b
            )

        def apply(
            o: np.ndarray, s: np.ndarray, m: np.ndarray, f: np.ndarray, g: np.ndarray
        ) -> None:
            np.multiply(o, s, out=o)
            np.add(o, m, out=o)
            np.maximum(o, f, out=o)
            np.minimum(o, g, out=o)

        operands = [sigma_a.astype(ct), mu_a.astype(ct), first.astype(ct), last.astype(ct)]
        fill_mapped(arr, ct, generate, operands, apply)
        return arr

    def integers(  # type: ignore[override]  # a superset of NumPy's signature
        self,
        low: Any,
        high: Any = None,
        size: SizeLike = None,
        dtype: DTypeLike = np.int64,
        endpoint: bool = False,
    ) -> Any:
        """Uniform integers in ``[low, high)`` (``[low, high]`` with ``endpoint``),
        as :meth:`numpy.random.Generator.integers`.

        ``high=None`` means ``[0, low)``.  Any range up to ``2**64`` values,
        without modulo bias: Lemire's multiply-and-reject method,

        .. math:: m = x \\cdot s,\\quad v = \\mathrm{low} + \\lfloor m / 2^k \\rfloor
                  \\text{ if } (m \\bmod 2^k) \\ge 2^k \\bmod s,

        with ``s = high - low`` values and ``x`` a uniform ``k``-bit word
        (``k = 32`` if every range has at most ``2**32`` values, else 64); a
        rejected candidate is redrawn with the next attempt number in its
        counter.  Counter layout: 4 elements per Philox block for ``k = 32``
        (element ``r`` of group ``g`` of 64 is word ``r // 16`` of block
        ``16 g + r % 16``), 2 for ``k = 64`` (words ``2j, 2j + 1`` of the
        block, high word first, groups of 32).  Values depend on the range,
        not on ``dtype``; array-valued bounds give the values scalar bounds
        of the same range give, when all their ranges use the same ``k``.

        Parameters
        ----------
        low, high : int or array_like of ints
            Broadcast against each other and ``size``; out-of-range bounds
            or an empty range raise ``ValueError``.
        size : int or tuple of ints, optional
            ``None`` with scalar bounds returns a NumPy scalar of ``dtype``
            (a Python ``int``/``bool`` for ``dtype=int``/``bool``), as NumPy.
        dtype : bool, int8, ..., int64, uint8, ..., uint64
        endpoint : bool
            Include ``high``.

        Examples
        --------
        >>> from turboinit.random import default_rng
        >>> rng = default_rng(0)
        >>> x = rng.integers(-3, 3, size=10_000, dtype="int8")
        >>> int(x.min()), int(x.max()), x.dtype
        (-3, 2, dtype('int8'))
        >>> type(rng.integers(5)).__name__, type(rng.integers(5, dtype=int)).__name__
        ('int64', 'int')
        """
        if size is None and dtype is np.int64 and endpoint is False and type(low) is int:
            first, stop = (0, low) if high is None else (low, high)
            if type(stop) is int and -(2**63) <= first < stop <= 2**63:  # what bounds() accepts
                width = stop - 1 - first
                per_block = PER_BLOCK_INTEGERS[width > 0xFFFFFFFF]
                one = self._fill_1d(_core.integers, 1, _INT64.dtype, _INT64.code, per_block,
                                    first & MASK64, width)  # fmt: skip
                return one[0]
        t = int_type(dtype)
        if size is not None and math.prod(normalize_shape(size, "size")) == 0:
            return np.empty(normalize_shape(size, "size"), t.dtype)  # as NumPy: no bound checks
        lo, span, arrays = bounds(low, high, t, bool(endpoint))
        shape = result_shape(size, lo, span) if arrays else result_shape(size)
        arr = allocate(() if shape is None else shape, t.dtype)
        n = arr.size
        if not arrays:
            assert isinstance(lo, int) and isinstance(span, int)
            wide = span > 0xFFFFFFFF
            k0, k1, offset = self._reserve(n, PER_BLOCK_INTEGERS[wide])
            _core.integers(flat(arr), t.code, (n,), (0,), (n,), k0, k1, offset, lo, span)
        else:
            assert isinstance(lo, np.ndarray) and isinstance(span, np.ndarray)
            wide = span.size > 0 and int(span.max()) > 0xFFFFFFFF
            k0, k1, offset = self._reserve(n, PER_BLOCK_INTEGERS[wide])
            # In place: spans in, offsets out, then low added (all mod 2**bits).
            u = arr.view(t.unsigned_view)
            np.copyto(u, span.astype(t.unsigned_view))
            _core.integers_in_place(flat(u), t.code, (n,), (0,), (n,), k0, k1, offset, wide)
            np.add(u, lo.astype(t.unsigned_view), out=u)
        if shape is not None:
            return arr
        value = arr[()]
        return t.python_type(value) if t.python_type is not None else value


def default_rng(seed: SeedArg | Philox | Generator = None) -> Generator:
    """A :class:`Generator` seeded like :func:`numpy.random.default_rng`.

    Parameters
    ----------
    seed : None, int, iterable of ints, numpy.random.SeedSequence, Philox or Generator
        A turboinit ``Generator`` is returned unchanged; a :class:`Philox` is
        wrapped (drawing from it advances it), as NumPy does.

    Examples
    --------
    >>> from turboinit.random import default_rng
    >>> a, b = default_rng(7).random(3), default_rng(7).random(3)
    >>> bool((a == b).all())
    True
    """
    if isinstance(seed, Generator):
        return seed
    return Generator(seed)
