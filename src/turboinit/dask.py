"""Dask arrays whose chunks are generated independently, through ``region=``.

Every turboinit function that accepts ``region=`` makes any rectangular piece
of a tensor alone, bit for bit equal to that piece of the whole tensor.  So a
Dask array needs no data in its task graph: each task carries only the
function, the full shape, its chunk's region and the parameters, and
``x.compute()`` equals the in-memory call with the same arguments for any
chunking, scheduler or number of workers.

>>> import turboinit as ti
>>> import turboinit.dask as tid
>>> x = tid.normal((1000, 300), 0.0, 0.02, chunks=(256, 128), seed=0)
>>> bool((x.compute() == ti.normal((1000, 300), 0.0, 0.02, seed=0)).all())
True

Besides :func:`uniform`, :func:`normal` and :func:`truncated_normal`, every
element-wise initializer of :mod:`turboinit` (``kaiming_normal``,
``xavier_uniform``, ``variance_scaling``, ``zeros``, ``constant``, ...) is
available under the same name as soon as :mod:`turboinit` has it; :func:`wrap`
turns any such function into a Dask constructor.

Functions that cannot work region by region:

* ``orthogonal`` needs a QR factorisation of the whole matrix.  A blocked QR
  (``dask.array.linalg.tsqr``) would round differently from the in-memory QR,
  breaking the promise that the Dask result equals the in-memory one bit for
  bit, so it is not offered: only ``chunks=-1`` (one task that runs the
  in-memory function) is accepted, anything else raises ``NotImplementedError``.

The same rule (single chunk only) applies to any function without ``region=``.
"""

from __future__ import annotations

import functools
import inspect
import itertools
import math
import operator
from typing import TYPE_CHECKING, Any, Callable

import numpy as np

import turboinit

from . import _registry
from ._args import is_shape_sequence
from ._deps import missing

try:
    import dask.array as da
    from dask.base import tokenize
    from dask.highlevelgraph import HighLevelGraph
except ImportError as exc:  # pragma: no cover - exercised only without dask
    raise missing(
        "turboinit.dask needs dask with its array module: pip install 'dask[array]' "
        f"(import failed: {exc})",
        exc,
    ) from exc

if TYPE_CHECKING:
    from ._args import DTypeLike, ShapeLike
    from ._seed import SeedLike, StreamLike

__all__ = ["from_function", "normal", "truncated_normal", "uniform", "wrap"]

_RESERVED = ("out", "region")


class _ChunkTask:
    """The callable of every task of one array: ``task(region) == full[region]``.

    One instance is shared by all the tasks of an array, so a pickled graph
    holds the parameters once and each task adds only its region.
    """

    __slots__ = ("fn", "shape", "args", "kwargs")

    def __init__(
        self,
        fn: Callable[..., np.ndarray],
        shape: tuple[int, ...],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> None:
        self.fn = fn
        self.shape = shape
        self.args = args
        self.kwargs = kwargs

    def __call__(self, region: tuple[slice, ...] | None) -> np.ndarray:
        if region is None:  # functions without region=: one chunk, the whole tensor
            return self.fn(self.shape, *self.args, **self.kwargs)
        return self.fn(self.shape, *self.args, region=region, **self.kwargs)

    def __getstate__(self) -> tuple[Any, ...]:
        return (self.fn, self.shape, self.args, self.kwargs)

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        self.fn, self.shape, self.args, self.kwargs = state

    def __repr__(self) -> str:
        return f"_ChunkTask({getattr(self.fn, '__name__', self.fn)}, shape={self.shape})"


def _resolve_seed(seed: Any) -> Any:
    """``None`` becomes concrete OS entropy once, so every chunk uses the same key."""
    return np.random.SeedSequence() if seed is None else seed


def _seed_token(seed: Any) -> Any:
    if isinstance(seed, np.random.SeedSequence):
        return ("SeedSequence", seed.entropy, tuple(seed.spawn_key), seed.pool_size)
    return seed


def from_function(
    fn: Callable[..., np.ndarray],
    shape: ShapeLike,
    *args: Any,
    chunks: Any = "auto",
    seed: SeedLike = None,
    stream: StreamLike = 0,
    dtype: DTypeLike = "float32",
    **kwargs: Any,
) -> da.Array:
    """A Dask array of ``fn(shape, *args, seed=seed, stream=stream, dtype=dtype, **kwargs)``.

    Chunk ``c`` is computed by ``fn(..., region=c)``, which equals ``full[c]``
    bit for bit, so the result is the same for any ``chunks``.

    Parameters
    ----------
    fn : callable
        A turboinit function ``fn(shape, *params, *, seed, stream, dtype, region)``.
    shape : int or tuple of ints
        Shape of the full tensor.
    *args, **kwargs
        Parameters of ``fn``, passed to every chunk unchanged.
    chunks : int, tuple, "auto" or -1
        Anything ``dask.array`` accepts (:func:`dask.array.core.normalize_chunks`).
    seed : int, numpy.random.SeedSequence or None
        ``None`` draws fresh OS entropy once, here, so all chunks (and every
        ``compute()``) share it.
    stream : int or str
    dtype : {"float32", "float64", "float16", "bfloat16"}

    Returns
    -------
    dask.array.Array

    Raises
    ------
    ValueError, TypeError
        Invalid arguments are found here, not at compute time: one element
        (or the empty tensor) is generated eagerly to check them.
    NotImplementedError
        ``fn`` needs the whole tensor (``orthogonal``) and ``chunks`` splits it.

    Examples
    --------
    >>> import turboinit as ti
    >>> from turboinit.dask import from_function
    >>> x = from_function(ti.uniform, (100, 10), -1.0, 1.0, chunks=37, seed=3)
    >>> x.chunks
    ((37, 37, 26), (10,))
    >>> bool((x.compute() == ti.uniform((100, 10), -1.0, 1.0, seed=3)).all())
    True
    """
    _check_function(fn)
    for key in _RESERVED:
        if key in kwargs:
            raise TypeError(f"{key}: not accepted by turboinit.dask (each chunk sets its own)")
    name = _name_of(fn)
    full = _shape_tuple(shape)
    seed = _resolve_seed(seed)
    kwargs = dict(kwargs, seed=seed, stream=stream, dtype=dtype)
    by_region = _registry.splittable(name, fn)
    dt = _check_arguments(fn, full, args, kwargs, by_region)
    asked = chunks
    try:
        chunks = da.core.normalize_chunks(chunks, full, dtype=dt)  # type: ignore[no-untyped-call]
    except ZeroDivisionError:  # dask divides by a zero chunk size
        chunks = None
    # dask turns some negative sizes (-2, ...) into negative chunks instead of refusing them
    if (
        chunks is None
        or any(c < 0 for dim in chunks for c in dim)
        or (tuple(sum(dim) for dim in chunks) != full)
    ):
        raise ValueError(
            f"chunks: expected chunk sizes >= 1, -1 (whole axis) or 'auto' that add up to "
            f"the shape {full}, got {asked!r}"
        )
    split = [i for i, c in enumerate(chunks) if len(c) > 1]
    if not by_region and split:
        reason = _registry.whole_reason(name, fn)
        raise NotImplementedError(
            f"chunks: {reason}, so turboinit.dask can only generate it as one chunk "
            f"(chunks=-1, computed in memory by one task); got chunks={chunks}"
        )
    task = _ChunkTask(fn, full, args, kwargs)
    # The function itself is tokenized, not its name: two functools.partial
    # objects, or two closures of one factory, share a name but not their
    # arguments, and equal keys would make dask treat the arrays as one.
    token = tokenize(
        fn,
        full,
        args,
        {k: (_seed_token(v) if k == "seed" else v) for k, v in kwargs.items() if k != "dtype"},
        str(dt),
        chunks,
    )
    key = f"{name}-{token}"
    bounds = [np.cumsum((0,) + c).tolist() for c in chunks]
    graph: dict[Any, Any] = {}
    for index in itertools.product(*(range(len(c)) for c in chunks)):
        region = tuple(slice(b[i], b[i + 1]) for b, i in zip(bounds, index)) if by_region else None
        graph[(key, *index)] = (task, region)
    hlg = HighLevelGraph.from_collections(key, graph, dependencies=())
    meta = np.empty((0,) * len(full), dtype=dt)
    return da.Array(hlg, key, chunks, meta=meta)  # type: ignore[no-untyped-call]


def _name_of(fn: Any) -> str:
    """The public name of ``fn``, also through ``functools.partial``."""
    while isinstance(fn, functools.partial):
        fn = fn.func
    return str(getattr(fn, "__name__", type(fn).__name__))


def _check_function(fn: Any) -> None:
    if not _registry.has_generator_signature(fn):
        raise TypeError(
            "fn: expected a generating function fn(shape, ..., *, seed, stream, dtype"
            f"[, region]) such as turboinit.normal, got {fn!r}"
        )


def _shape_tuple(shape: Any) -> tuple[int, ...]:
    """``shape`` as a tuple of ints; the turboinit function checks it further."""
    try:
        return (operator.index(shape),)
    except TypeError:
        pass
    if not is_shape_sequence(shape):
        raise TypeError(f"shape: expected an int or a tuple of ints, got {type(shape).__name__}")
    dims = []
    for d in shape:
        if isinstance(d, (bool, np.bool_)):
            raise TypeError("shape: dimensions must be ints, got bool")
        try:
            dims.append(operator.index(d))
        except TypeError:
            raise TypeError(
                f"shape: dimensions must be ints, got {type(d).__name__} ({d!r})"
            ) from None
    return tuple(dims)


def _check_arguments(
    fn: Callable[..., np.ndarray],
    shape: tuple[int, ...],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    by_region: bool,
) -> np.dtype:
    """Check every argument now (not at compute time) and return the numpy dtype.

    Functions with ``region=`` generate one element; the others are not run
    here, only ``shape``, ``seed``, ``stream`` and ``dtype`` are checked
    through an empty uniform tensor.
    """
    if by_region:
        if math.prod(shape) == 0:
            region = tuple(slice(0, 0) for _ in shape)
        else:
            region = tuple(slice(0, 1) for _ in shape)
        return np.dtype(fn(shape, *args, region=region, **kwargs).dtype)
    probe = tuple(0 for _ in shape)
    empty = turboinit.uniform(
        probe, seed=kwargs["seed"], stream=kwargs["stream"], dtype=kwargs["dtype"]
    )
    if any(d < 0 for d in shape):
        raise ValueError(f"shape: dimensions must be >= 0, got {shape}")
    return np.dtype(empty.dtype)


def wrap(fn: Callable[..., np.ndarray]) -> Callable[..., da.Array]:
    """Turn a turboinit function into a constructor of Dask arrays.

    The constructor takes the function's arguments plus ``chunks=`` and
    returns :func:`from_function` of them.

    Examples
    --------
    >>> import turboinit as ti
    >>> from turboinit.dask import wrap
    >>> dask_normal = wrap(ti.normal)
    >>> x = dask_normal((64, 64), 0.0, 2.0, chunks=16, seed=1, dtype="float64")
    >>> bool((x.compute() == ti.normal((64, 64), 0.0, 2.0, seed=1, dtype="float64")).all())
    True
    """
    _check_function(fn)

    @functools.wraps(fn)
    def constructor(shape: ShapeLike, *args: Any, chunks: Any = "auto", **kwargs: Any) -> da.Array:
        return from_function(fn, shape, *args, chunks=chunks, **kwargs)

    name = getattr(fn, "__name__", "function")
    constructor.__doc__ = (
        f"Dask version of :func:`turboinit.{name}`: same arguments plus ``chunks=``; "
        "each chunk is generated by its own task through ``region=``, and "
        f"``compute()`` equals ``turboinit.{name}(...)`` bit for bit.\n\n"
        + inspect.cleandoc(fn.__doc__ or "")
    )
    return constructor


def uniform(
    shape: ShapeLike,
    low: float = 0.0,
    high: float = 1.0,
    *,
    chunks: Any = "auto",
    seed: SeedLike = None,
    stream: StreamLike = 0,
    dtype: DTypeLike = "float32",
) -> da.Array:
    """Dask array of uniform samples on ``[low, high)``: :func:`turboinit.uniform` by chunks.

    .. math:: x = \\mathrm{low} + (\\mathrm{high} - \\mathrm{low})\\, u

    ``x.compute()`` equals ``turboinit.uniform(shape, low, high, seed=seed,
    stream=stream, dtype=dtype)`` bit for bit for any ``chunks``.

    Parameters
    ----------
    shape : int or tuple of ints
    low, high : float
    chunks : int, tuple, "auto" or -1
        As in :mod:`dask.array`.
    seed : int, numpy.random.SeedSequence or None
        ``None`` draws OS entropy once, when the array is built.
    stream : int or str
    dtype : {"float32", "float64", "float16", "bfloat16"}

    Returns
    -------
    dask.array.Array

    Examples
    --------
    >>> import turboinit as ti
    >>> import turboinit.dask as tid
    >>> x = tid.uniform((300, 200), -1.0, 1.0, chunks=(100, 64), seed=0)
    >>> bool((x.compute() == ti.uniform((300, 200), -1.0, 1.0, seed=0)).all())
    True
    """
    return from_function(
        turboinit.uniform, shape, low, high, chunks=chunks, seed=seed, stream=stream, dtype=dtype
    )


def normal(
    shape: ShapeLike,
    mean: float = 0.0,
    std: float = 1.0,
    *,
    chunks: Any = "auto",
    seed: SeedLike = None,
    stream: StreamLike = 0,
    dtype: DTypeLike = "float32",
) -> da.Array:
    """Dask array of normal samples ``N(mean, std**2)``: :func:`turboinit.normal` by chunks.

    .. math:: x = \\mathrm{mean} + \\mathrm{std}\\, z,\\quad z \\sim N(0, 1)

    ``x.compute()`` equals ``turboinit.normal(shape, mean, std, seed=seed,
    stream=stream, dtype=dtype)`` bit for bit for any ``chunks``.  Parameters
    as in :func:`uniform`.

    Examples
    --------
    >>> import turboinit as ti
    >>> import turboinit.dask as tid
    >>> x = tid.normal((256, 256), 0.0, 0.02, chunks=100, seed=5, dtype="bfloat16")
    >>> a, b = x.compute(), ti.normal((256, 256), 0.0, 0.02, seed=5, dtype="bfloat16")
    >>> bool((a.view("uint16") == b.view("uint16")).all())
    True
    """
    return from_function(
        turboinit.normal, shape, mean, std, chunks=chunks, seed=seed, stream=stream, dtype=dtype
    )


def truncated_normal(
    shape: ShapeLike,
    mean: float = 0.0,
    std: float = 1.0,
    lower: float = -2.0,
    upper: float = 2.0,
    *,
    chunks: Any = "auto",
    seed: SeedLike = None,
    stream: StreamLike = 0,
    dtype: DTypeLike = "float32",
) -> da.Array:
    """Dask array of truncated normal samples: :func:`turboinit.truncated_normal` by chunks.

    .. math:: p(x) \\propto
              \\exp\\!\\left(-\\frac{(x-\\mathrm{mean})^2}{2\\,\\mathrm{std}^2}\\right)
              \\text{ on } [\\mathrm{mean} + \\mathrm{lower}\\,\\mathrm{std},\\
              \\mathrm{mean} + \\mathrm{upper}\\,\\mathrm{std}]

    Bounds in units of ``std``.  ``x.compute()`` equals the in-memory call bit
    for bit for any ``chunks``.  Other parameters as in :func:`uniform`.

    Examples
    --------
    >>> import turboinit.dask as tid
    >>> x = tid.truncated_normal((1000, 50), 0.0, 0.02, chunks=(333, 50), seed=0)
    >>> bool(abs(x).max().compute() <= 0.04)
    True
    """
    return from_function(
        turboinit.truncated_normal,
        shape,
        mean,
        std,
        lower,
        upper,
        chunks=chunks,
        seed=seed,
        stream=stream,
        dtype=dtype,
    )


def __getattr__(name: str) -> Callable[..., da.Array]:
    """Every other turboinit initializer, wrapped on first use (PEP 562)."""
    try:
        fn = _registry.lookup(name)
    except LookupError:
        raise AttributeError(
            f"module {__name__!r} has no attribute {name!r} (turboinit has no function "
            f"{name!r} taking (shape, ..., seed=, stream=, dtype=))"
        ) from None
    constructor = wrap(fn)
    globals()[name] = constructor
    return constructor


def __dir__() -> list[str]:
    return sorted(set(__all__) | set(_registry.generators()))
