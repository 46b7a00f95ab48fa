"""The table of benchmark cases: what turboinit does and what it is compared with.

A :class:`Case` is one thing turboinit generates (``normal``, ``uniform``, an
initializer ...); it names turboinit's call and the baseline calls that do the
same work in other libraries.  A :class:`Method` turns a :class:`Target`
(element count, shape, dtype, fresh or ``out=``) into a zero-argument callable
that is timed, or ``None`` where the library cannot do that target (NumPy has
no float16 ``standard_normal``).  Adding a case is a few lines::

    register(Case("kaiming_normal", ours=turboinit_method("kaiming_normal"),
                  baselines=(torch_init("kaiming_normal_"),), shape=matrix_shape))

Libraries other than NumPy and turboinit are imported only when their method
is built, and their methods are dropped where the library is not installed.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import importlib.util
import math
from dataclasses import dataclass
from typing import Any, Callable, Optional

import numpy as np

import turboinit

from .._args import normalize_dtype

DTYPES: tuple[str, ...] = ("float32", "float64", "float16", "bfloat16")
MODES: tuple[str, ...] = ("fresh", "out")  # a new array per call, or ``out=`` filled in place
SEED = 12345


@dataclass(frozen=True)
class Target:
    """What one timed call produces."""

    n: int  # elements written (``prod(shape)``)
    shape: tuple[int, ...]
    dtype: str
    mode: str

    @property
    def np_dtype(self) -> np.dtype:
        return normalize_dtype(self.dtype)[0]

    @property
    def nbytes(self) -> int:
        return self.n * self.np_dtype.itemsize


Call = Callable[[], Any]
Factory = Callable[[Target], Optional[Call]]


@dataclass(frozen=True)
class Method:
    """One implementation: ``make(target)`` gives the callable to time, None if unsupported."""

    name: str  # short column name: "turboinit", "numpy-pcg64", "torch" ...
    library: str  # module it needs: "turboinit", "numpy", "torch", "jax"
    call: str  # what is called, for the reader of the results
    make: Factory
    modes: tuple[str, ...] = MODES
    peak_memory: float = 1.0  # peak bytes of a call / output bytes (skips what cannot fit)

    @property
    def threaded(self) -> bool:
        """Whether the thread count applies (set with turboinit/torch ``set_num_threads``)."""
        return self.library in THREAD_SETTERS

    def available(self) -> bool:
        return library_available(self.library)

    def build(self, target: Target) -> Call | None:
        if target.mode not in self.modes:
            return None
        return self.make(target)


def flat_shape(n: int) -> tuple[int, ...]:
    return (n,)


def matrix_shape(n: int) -> tuple[int, ...]:
    """A (rows, cols) weight of about ``n`` elements, cols a power of two <= sqrt(n)."""
    cols = 1 << max(0, int(math.isqrt(max(n, 1))).bit_length() - 1)
    return (max(1, n // cols), cols)


@dataclass(frozen=True)
class Case:
    """One row of the table: our method, its baselines and where they apply."""

    name: str
    ours: Method
    baselines: tuple[Method, ...]
    description: str = ""
    shape: Callable[[int], tuple[int, ...]] = flat_shape
    dtypes: tuple[str, ...] = DTYPES
    max_elements: int | None = None  # e.g. a QR that would take minutes
    headline: bool = False  # part of the default quick table

    def applies(self, n: int, dtype: str) -> bool:
        return dtype in self.dtypes and (self.max_elements is None or n <= self.max_elements)

    def target(self, n: int, dtype: str, mode: str) -> Target:
        shape = self.shape(n)
        return Target(math.prod(shape), shape, dtype, mode)

    def methods(self) -> tuple[Method, ...]:
        return (self.ours, *self.baselines)

    def method(self, name: str) -> Method:
        for m in self.methods():
            if m.name == name:
                return m
        raise KeyError(f"case {self.name!r} has no method {name!r}")


# ----------------------------------------------------------------------------- libraries


@functools.cache
def library_available(name: str) -> bool:
    return name in ("numpy", "turboinit") or importlib.util.find_spec(name) is not None


@functools.cache
def _lib(name: str) -> Any:
    return importlib.import_module(name)


def _set_torch_threads(n: int) -> None:
    _lib("torch").set_num_threads(n)


def _get_torch_threads() -> int:
    return int(_lib("torch").get_num_threads())


# library -> (get, set) of its thread count; other libraries are single-threaded
# (NumPy's Generator) or configured only at start-up (JAX/XLA).
THREAD_SETTERS: dict[str, tuple[Callable[[], int], Callable[[int], None]]] = {
    "turboinit": (turboinit.get_num_threads, turboinit.set_num_threads),
    "torch": (_get_torch_threads, _set_torch_threads),
}


def out_array(t: Target) -> np.ndarray:
    """An ``out=`` buffer with every page already touched, as a reused buffer would be."""
    buf = np.empty(t.shape, dtype=t.np_dtype)
    buf.fill(0)
    return buf


# ----------------------------------------------------------------------------- turboinit


def turboinit_method(func: str, **kwargs: Any) -> Method:
    """``turboinit.<func>(shape, seed=, dtype=[, out=buf], **kwargs)``."""

    def make(t: Target) -> Call | None:
        f = getattr(turboinit, func)
        if t.mode == "out":
            buf = out_array(t)
            return lambda: f(t.shape, seed=SEED, dtype=t.dtype, out=buf, **kwargs)
        return lambda: f(t.shape, seed=SEED, dtype=t.dtype, **kwargs)

    args = "".join(f", {k}={v!r}" for k, v in kwargs.items())
    return Method("turboinit", "turboinit", f"turboinit.{func}(shape{args})", make)


def as_baseline(m: Method, name: str) -> Method:
    """Our own method used as the yardstick of another case (truncnorm vs our normal)."""
    return dataclasses.replace(m, name=name)


# ----------------------------------------------------------------------------- NumPy


def _generator_call(new: Callable[[], Any], func: str) -> Factory:
    """``new().func(shape, dtype=...)`` or ``func(dtype=..., out=buf)``; float32/float64 only,
    as NumPy's ``Generator.random`` and ``standard_normal``."""

    def make(t: Target) -> Call | None:
        if t.dtype not in ("float32", "float64"):
            return None
        f = getattr(new(), func)
        dt = t.np_dtype
        if t.mode == "out":
            buf = out_array(t)
            return lambda: f(dtype=dt, out=buf)
        return lambda: f(t.shape, dtype=dt)

    return make


def numpy_generator(bitgen: str, func: str) -> Method:
    """``numpy.random.Generator(<bitgen>).<func>``."""

    def new() -> np.random.Generator:
        return np.random.Generator(getattr(np.random, bitgen)(SEED))

    name = f"numpy-{bitgen.lower()}"
    return Method(name, "numpy", f"Generator({bitgen}).{func}", _generator_call(new, func))


def turboinit_generator(func: str) -> Method:
    """``turboinit.random.default_rng(seed).<func>``, the NumPy-style API."""

    def new() -> Any:
        return turboinit.random.default_rng(SEED)

    call = f"turboinit.random.default_rng().{func}"
    return Method("turboinit", "turboinit", call, _generator_call(new, func))


def _fill_make(t: Target) -> Call | None:
    dt = t.np_dtype
    if t.mode == "out":
        buf = out_array(t)
        return lambda: buf.fill(1.0)
    return lambda: np.full(t.shape, 1.0, dt)


# The memory-bandwidth reference: a plain fill, single-threaded, measured in the same run.
FILL = Method("np.full", "numpy", "np.full(shape, 1.0) / out.fill(1.0)", _fill_make)


# ----------------------------------------------------------------------------- PyTorch


def _torch_dtype(name: str) -> Any:
    return getattr(_lib("torch"), name)


def torch_factory(func: str) -> Method:
    """``torch.randn(shape, dtype=...)`` (fresh) or ``torch.randn(shape, out=buf)``, or rand."""

    def make(t: Target) -> Call | None:
        torch = _lib("torch")
        f, dt = getattr(torch, func), _torch_dtype(t.dtype)
        if t.mode == "out":
            buf = torch.empty(t.shape, dtype=dt).zero_()
            return lambda: f(t.shape, out=buf)
        return lambda: f(t.shape, dtype=dt)

    return Method("torch", "torch", f"torch.{func}", make)


def _torch_inplace(fill: Callable[[Any], Any]) -> Factory:
    """``fill(tensor)`` on a new tensor (fresh) or on one reused buffer (out)."""

    def make(t: Target) -> Call | None:
        torch = _lib("torch")
        dt = _torch_dtype(t.dtype)
        if t.mode == "out":
            buf = torch.empty(t.shape, dtype=dt).zero_()
            return lambda: fill(buf)
        return lambda: fill(torch.empty(t.shape, dtype=dt))

    return make


def torch_method(
    name: str, call: str, fill: Callable[[Any], Any], peak_memory: float = 1.0
) -> Method:
    """An in-place PyTorch call ``fill(tensor)`` (``normal_``, ``trunc_normal_`` ...)."""
    return Method(name, "torch", call, _torch_inplace(fill), peak_memory=peak_memory)


def torch_init(func: str, *args: Any, peak_memory: float = 1.0, **kwargs: Any) -> Method:
    """``torch.nn.init.<func>(tensor, ...)``, fresh (new tensor) and out (reused)."""

    def fill(x: Any) -> Any:
        return getattr(_lib("torch").nn.init, func)(x, *args, **kwargs)

    extra = "".join(f", {a!r}" for a in args) + "".join(f", {k}={v!r}" for k, v in kwargs.items())
    return torch_method("torch", f"torch.nn.init.{func}(t{extra})", fill, peak_memory)


# ----------------------------------------------------------------------------- JAX


def jax_random(func: str, *args: Any) -> Method:
    """``jax.random.<func>(key, *args, shape, dtype).block_until_ready()`` on the CPU."""

    def make(t: Target) -> Call | None:
        jax = _lib("jax")
        jnp = _lib("jax.numpy")
        if t.dtype == "float64" and not jax.config.read("jax_enable_x64"):
            return None  # JAX would silently give float32
        cpu = jax.devices("cpu")[0]
        f = getattr(jax.random, func)
        dt = getattr(jnp, t.dtype)
        with jax.default_device(cpu):
            key = jax.random.PRNGKey(SEED)

        def call() -> Any:
            with jax.default_device(cpu):
                return f(key, *args, t.shape, dt).block_until_ready()

        return call

    a = "".join(f", {x!r}" for x in args)
    return Method("jax", "jax", f"jax.random.{func}(key{a}, shape, dtype)", make, modes=("fresh",))


# ----------------------------------------------------------------------------- mkl_random

# mkl_random's generator and method for each column: its fastest per core
# (SFMT19937 with the inverse CDF), and the counter-based Philox4x32-10 that
# turboinit also uses (Box-Muller).  One thread; float64 only; no ``out=``.
MKL_VARIANTS: dict[str, tuple[str, str]] = {
    "mkl-sfmt-icdf": ("SFMT19937", "ICDF"),
    "mkl-philox-bm2": ("PHILOX4X32X10", "BoxMuller2"),
}


def mkl_random(variant: str, func: str) -> Method:
    """``mkl_random.MKLRandomState(SEED, brng=...).<func>(n[, method=...])``, float64, fresh."""
    brng, method = MKL_VARIANTS[variant]
    normal = func == "standard_normal"

    def make(t: Target) -> Call | None:
        if t.dtype != "float64":
            return None  # mkl_random generates float64 only
        mkl = _lib("mkl_random")
        # MKLRandomState (mkl_random >= 1.3.2); RandomState before (deprecated since).
        state = getattr(mkl, "MKLRandomState", None) or mkl.RandomState
        rs = state(SEED, brng=brng)
        f = getattr(rs, func)
        if normal:
            return lambda: f(t.shape, method=method)
        return lambda: f(t.shape)

    how = f", method={method!r}" if normal else ""
    call = f"mkl_random.MKLRandomState(seed, brng={brng!r}).{func}(shape{how})"
    name = variant if normal else variant.rsplit("-", 1)[0]
    return Method(name, "mkl_random", call, make, modes=("fresh",))


# ----------------------------------------------------------------------------- the table

CASES: dict[str, Case] = {}


def register(case: Case) -> Case:
    """Add (or replace) a case; returns it."""
    CASES[case.name] = case
    return case


_OURS_NORMAL = turboinit_method("normal")

register(
    Case(
        "normal",
        ours=_OURS_NORMAL,
        baselines=(
            numpy_generator("PCG64", "standard_normal"),
            numpy_generator("Philox", "standard_normal"),
            torch_factory("randn"),
            torch_method("torch-inplace", "torch.Tensor.normal_", lambda x: x.normal_()),
            jax_random("normal"),
            mkl_random("mkl-sfmt-icdf", "standard_normal"),
            mkl_random("mkl-philox-bm2", "standard_normal"),
        ),
        description="N(0, 1)",
        headline=True,
    )
)
register(
    Case(
        "uniform",
        ours=turboinit_method("uniform"),
        baselines=(
            numpy_generator("PCG64", "random"),
            numpy_generator("Philox", "random"),
            torch_factory("rand"),
            torch_method("torch-inplace", "torch.Tensor.uniform_", lambda x: x.uniform_()),
            jax_random("uniform"),
            mkl_random("mkl-sfmt-icdf", "random_sample"),
            FILL,
        ),
        description="U[0, 1)",
        headline=True,
    )
)
register(
    Case(
        "truncnorm",
        ours=turboinit_method("truncated_normal", lower=-2.0, upper=2.0),
        baselines=(
            as_baseline(_OURS_NORMAL, "turboinit-normal"),
            # measured: temporaries of about 5x the output (float32, 2**22 elements)
            torch_init("trunc_normal_", mean=0.0, std=1.0, a=-2.0, b=2.0, peak_memory=6.0),
            jax_random("truncated_normal", -2.0, 2.0),
        ),
        description="N(0, 1) truncated to [-2, 2]",
        headline=True,
    )
)

# The NumPy-style Generator, against NumPy's own (float32/float64, as NumPy allows).
register(
    Case(
        "rng_standard_normal",
        ours=turboinit_generator("standard_normal"),
        baselines=(
            numpy_generator("PCG64", "standard_normal"),
            numpy_generator("Philox", "standard_normal"),
            mkl_random("mkl-sfmt-icdf", "standard_normal"),
        ),
        description="turboinit.random.Generator.standard_normal",
        dtypes=("float32", "float64"),
    )
)
register(
    Case(
        "rng_random",
        ours=turboinit_generator("random"),
        baselines=(numpy_generator("PCG64", "random"), numpy_generator("Philox", "random")),
        description="turboinit.random.Generator.random",
        dtypes=("float32", "float64"),
    )
)

# Initializers: each appears once turboinit has it (names as in torch.nn.init, without "_").
# Our call is ``turboinit.<name>(shape, seed=, dtype=[, out=], **kwargs)`` on a PyTorch-layout
# (out, in) weight; QR and torch's per-column sparse_ loop are too slow for huge sizes.
INITIALIZERS: tuple[tuple[str, dict[str, Any], int | None], ...] = (
    ("kaiming_normal", {}, None),
    ("kaiming_uniform", {}, None),
    ("xavier_normal", {}, None),
    ("xavier_uniform", {}, None),
    ("orthogonal", {}, 2**22),
    ("sparse", {"sparsity": 0.1}, 2**22),
)


def register_initializers() -> None:
    """Register a case for each of :data:`INITIALIZERS` that turboinit provides."""
    for name, kwargs, max_elements in INITIALIZERS:
        if hasattr(turboinit, name):
            register(
                Case(
                    name,
                    ours=turboinit_method(name, **kwargs),
                    baselines=(torch_init(name + "_", **kwargs),),
                    description=f"as torch.nn.init.{name}_",
                    shape=matrix_shape,
                    max_elements=max_elements,
                )
            )


register_initializers()
