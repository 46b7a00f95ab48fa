"""NumPy's legacy random API on turboinit's Philox: ``RandomState``, the
module-level functions (``rand``, ``randn``, ``seed``, ``normal``, ...) and
``patch_numpy``.

The functions are served by one module-level :class:`RandomState`, whose
methods hold its bit generator's lock, so they are thread-safe; ``seed(n)``
reseeds it in place.  Values differ from NumPy's (MT19937): same
distributions, other numbers.
"""

from __future__ import annotations

import sys
from types import TracebackType
from typing import Any, Callable, cast

import numpy as np

from ._bitgen import Philox
from ._generator import Generator

ArrayOrFloat = Any


class RandomState(np.random.RandomState):
    """:class:`numpy.random.RandomState` on :class:`turboinit.random.Philox`.

    Every method is NumPy's legacy code, drawing from our Philox, except
    ``random_sample`` (``random``), ``rand``, ``randn`` and ``standard_normal``,
    which are :class:`turboinit.random.Generator`'s parallel methods on the
    same bit generator (same results, for any thread count).  Values differ
    from NumPy's MT19937 ones; ``seed`` reseeds the Philox in place, and
    ``get_state`` returns the Philox's state dict (NumPy returns MT19937's
    legacy tuple, which does not exist here).

    Parameters
    ----------
    seed : None, int, iterable of ints, numpy.random.SeedSequence or a BitGenerator
        A BitGenerator (anything with a ``capsule``) is used as it is, as in
        NumPy; the parallel methods need a :class:`turboinit.random.Philox`.

    Examples
    --------
    >>> from turboinit.random import RandomState
    >>> rs = RandomState(3)
    >>> a = rs.randn(2, 3)
    >>> b = rs.poisson(4.0, size=5)
    >>> a.shape, b.dtype
    ((2, 3), dtype('int64'))
    """

    def __init__(self, seed: Any = None) -> None:
        bg = seed if hasattr(seed, "capsule") else Philox(seed)
        super().__init__(bg)
        self._parallel = Generator(bg) if isinstance(bg, Philox) else None

    def seed(self, seed: Any = None) -> None:
        """Reseed the Philox in place (NumPy reseeds MT19937).

        Examples
        --------
        >>> from turboinit.random import RandomState
        >>> rs = RandomState()
        >>> rs.seed(5)
        >>> a = rs.random_sample(3)
        >>> rs.seed(5)
        >>> bool((rs.random_sample(3) == a).all())
        True
        """
        bg = self._bit_generator
        if not isinstance(bg, Philox):
            raise TypeError("can only re-seed a turboinit Philox BitGenerator")
        fresh = Philox(seed)
        with bg.lock:
            bg.set_seed_state(fresh.state, cast(np.random.SeedSequence, fresh.seed_seq))
            self.set_state({**fresh.state, "has_gauss": 0, "gauss": 0.0})

    def get_state(self, legacy: bool = True) -> dict[str, Any]:
        """The bit generator's state dict with the cached Gaussian.

        NumPy returns MT19937's legacy tuple when ``legacy`` is true; a Philox
        has none, so the dict is returned either way (without NumPy's
        warning).

        Examples
        --------
        >>> from turboinit.random import RandomState
        >>> rs = RandomState(0)
        >>> s = rs.get_state()
        >>> a = rs.standard_gamma(2.0, 3)
        >>> rs.set_state(s)
        >>> bool((rs.standard_gamma(2.0, 3) == a).all())
        True
        """
        if not isinstance(self._bit_generator, Philox):
            legacy_state: dict[str, Any] = super().get_state(legacy)  # type: ignore[call-overload]
            return legacy_state  # NumPy's behaviour, warning included
        state: dict[str, Any] = super().get_state(legacy=False)
        return state

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self._bit_generator,), self.get_state(legacy=False))

    # ---- the parallel methods -------------------------------------------------

    def random_sample(self, size: Any = None) -> ArrayOrFloat:
        """Uniform floats on ``[0, 1)``, as :meth:`numpy.random.RandomState.random_sample`.

        Examples
        --------
        >>> from turboinit.random import RandomState
        >>> x = RandomState(0).random_sample((2, 2))
        >>> x.shape, bool(((0 <= x) & (x < 1)).all())
        ((2, 2), True)
        """
        if self._parallel is None:
            return super().random_sample(size)
        return self._parallel.random(size)

    def random(self, size: Any = None) -> ArrayOrFloat:
        """Alias of :meth:`random_sample`.

        Examples
        --------
        >>> from turboinit.random import RandomState
        >>> type(RandomState(0).random()).__name__
        'float'
        """
        return self.random_sample(size)

    def standard_normal(self, size: Any = None) -> ArrayOrFloat:
        """Standard normal floats, as :meth:`numpy.random.RandomState.standard_normal`.

        Examples
        --------
        >>> from turboinit.random import RandomState
        >>> RandomState(0).standard_normal(4).shape
        (4,)
        """
        if self._parallel is None:
            return super().standard_normal(size)
        return self._parallel.standard_normal(size)

    def rand(self, *args: int) -> ArrayOrFloat:
        """Uniform floats on ``[0, 1)`` of shape ``args``, as :meth:`numpy.random.RandomState.rand`.

        Examples
        --------
        >>> from turboinit.random import RandomState
        >>> RandomState(0).rand(3, 2).shape
        (3, 2)
        """
        return self.random_sample(None if len(args) == 0 else args)

    def randn(self, *args: int) -> ArrayOrFloat:
        """Standard normal floats of shape ``args``, as :meth:`numpy.random.RandomState.randn`.

        Examples
        --------
        >>> from turboinit.random import RandomState
        >>> RandomState(0).randn(3, 2).shape
        (3, 2)
        """
        return self.standard_normal(None if len(args) == 0 else args)


# ---- the module-level functions ---------------------------------------------------

_global = RandomState()

# Example arguments of each function, for its docstring (run as a doctest).
_EXAMPLES: dict[str, str] = {
    "beta": "2.0, 3.0, size=3",
    "binomial": "10, 0.5, size=3",
    "bytes": "8",
    "chisquare": "2.0, size=3",
    "choice": "5, size=3",
    "dirichlet": "[1.0, 2.0, 3.0], size=3",
    "exponential": "2.0, size=3",
    "f": "3.0, 4.0, size=3",
    "gamma": "2.0, 1.5, size=3",
    "geometric": "0.3, size=3",
    "gumbel": "0.0, 1.0, size=3",
    "hypergeometric": "10, 5, 7, size=3",
    "laplace": "0.0, 1.0, size=3",
    "logistic": "0.0, 1.0, size=3",
    "lognormal": "0.0, 1.0, size=3",
    "logseries": "0.5, size=3",
    "multinomial": "10, [0.2, 0.3, 0.5], size=3",
    "multivariate_normal": "[0.0, 1.0], [[1.0, 0.5], [0.5, 2.0]], size=3",
    "negative_binomial": "5, 0.5, size=3",
    "noncentral_chisquare": "3.0, 2.0, size=3",
    "noncentral_f": "3.0, 4.0, 2.0, size=3",
    "normal": "1.0, 2.0, size=3",
    "pareto": "3.0, size=3",
    "permutation": "5",
    "poisson": "4.0, size=3",
    "power": "2.0, size=3",
    "rand": "3",
    "randint": "0, 10, size=3",
    "randn": "3",
    "random": "3",
    "random_integers": "1, 6, size=3",
    "random_sample": "3",
    "ranf": "3",
    "rayleigh": "1.0, size=3",
    "sample": "3",
    "standard_cauchy": "3",
    "standard_exponential": "3",
    "standard_gamma": "2.0, size=3",
    "standard_normal": "3",
    "standard_t": "5.0, size=3",
    "triangular": "0.0, 0.5, 1.0, size=3",
    "uniform": "-1.0, 1.0, size=3",
    "vonmises": "0.0, 1.0, size=3",
    "wald": "1.0, 2.0, size=3",
    "weibull": "1.5, size=3",
    "zipf": "2.0, size=3",
}

# Module names that NumPy maps to another RandomState method.
_ALIASES = {"ranf": "random_sample", "sample": "random_sample"}


def _function(name: str) -> Callable[..., Any]:
    method = _ALIASES.get(name, name)

    def call(*args: Any, **kwargs: Any) -> Any:
        return getattr(_global, method)(*args, **kwargs)

    call.__name__ = call.__qualname__ = name
    call.__module__ = "turboinit.random"
    example = (
        ">>> import numpy as np\n"
        ">>> import turboinit.random as tr\n"
        ">>> tr.seed(1)\n"
        f">>> a = tr.{name}({_EXAMPLES[name]})\n"
        ">>> tr.seed(1)\n"
        f">>> b = tr.{name}({_EXAMPLES[name]})\n"
        ">>> bool(np.array_equal(a, b))\n"
        "True\n"
    )
    if name == "random_integers":  # deprecated by NumPy, with a DeprecationWarning
        example = (
            ">>> import warnings\n"
            ">>> import turboinit.random as tr\n"
            ">>> with warnings.catch_warnings():\n"
            '...     warnings.simplefilter("ignore", DeprecationWarning)\n'
            f"...     x = tr.{name}({_EXAMPLES[name]})\n"
            ">>> x.shape\n"
            "(3,)\n"
        )
    call.__doc__ = (
        f"``numpy.random.{name}`` on turboinit's module-level :class:`RandomState`.\n\n"
        f"Arguments, results and errors as :meth:`numpy.random.RandomState.{method}`; "
        "the values come from our Philox, not NumPy's MT19937.  Thread-safe; "
        ":func:`seed` makes it reproducible.\n\n"
        "Examples\n--------\n" + example
    )
    return call


beta = _function("beta")
binomial = _function("binomial")
bytes = _function("bytes")
chisquare = _function("chisquare")
choice = _function("choice")
dirichlet = _function("dirichlet")
exponential = _function("exponential")
f = _function("f")
gamma = _function("gamma")
geometric = _function("geometric")
gumbel = _function("gumbel")
hypergeometric = _function("hypergeometric")
laplace = _function("laplace")
logistic = _function("logistic")
lognormal = _function("lognormal")
logseries = _function("logseries")
multinomial = _function("multinomial")
multivariate_normal = _function("multivariate_normal")
negative_binomial = _function("negative_binomial")
noncentral_chisquare = _function("noncentral_chisquare")
noncentral_f = _function("noncentral_f")
normal = _function("normal")
pareto = _function("pareto")
permutation = _function("permutation")
poisson = _function("poisson")
power = _function("power")
rand = _function("rand")
randint = _function("randint")
randn = _function("randn")
random = _function("random")
random_integers = _function("random_integers")
random_sample = _function("random_sample")
ranf = _function("ranf")
rayleigh = _function("rayleigh")
sample = _function("sample")
standard_cauchy = _function("standard_cauchy")
standard_exponential = _function("standard_exponential")
standard_gamma = _function("standard_gamma")
standard_normal = _function("standard_normal")
standard_t = _function("standard_t")
triangular = _function("triangular")
uniform = _function("uniform")
vonmises = _function("vonmises")
wald = _function("wald")
weibull = _function("weibull")
zipf = _function("zipf")


def shuffle(x: Any) -> None:
    """Shuffle ``x`` in place along its first axis, as :func:`numpy.random.shuffle`.

    Examples
    --------
    >>> import numpy as np
    >>> import turboinit.random as tr
    >>> x = np.arange(10)
    >>> tr.shuffle(x)
    >>> sorted(x.tolist()) == list(range(10))
    True
    """
    _global.shuffle(x)


def seed(seed: Any = None) -> None:
    """Reseed the module-level generator, as :func:`numpy.random.seed`.

    ``seed``: None (fresh OS entropy), an int, an iterable of ints or a
    ``SeedSequence``.  Afterwards every module-level function is
    reproducible.

    Examples
    --------
    >>> import turboinit.random as tr
    >>> tr.seed(0)
    >>> a = tr.randn(3)
    >>> tr.seed(0)
    >>> bool((tr.randn(3) == a).all())
    True
    """
    _global.seed(seed)


def get_state(legacy: bool = True) -> dict[str, Any]:
    """The module-level generator's state (a dict; see :meth:`RandomState.get_state`).

    Examples
    --------
    >>> import turboinit.random as tr
    >>> s = tr.get_state()
    >>> a = tr.rand(2)
    >>> tr.set_state(s)
    >>> bool((tr.rand(2) == a).all())
    True
    """
    return _global.get_state(legacy)


def set_state(state: dict[str, Any]) -> None:
    """Restore a state read by :func:`get_state`.

    Examples
    --------
    >>> import turboinit.random as tr
    >>> s = tr.get_state()
    >>> a = tr.randint(0, 100, 4)
    >>> tr.set_state(s)
    >>> bool((tr.randint(0, 100, 4) == a).all())
    True
    """
    _global.set_state(state)


LEGACY_NAMES = tuple(sorted([*_EXAMPLES, "shuffle", "seed", "get_state", "set_state"]))


class patch_numpy:
    """Route ``numpy.random``'s module-level functions to turboinit's.

    ``numpy.random.rand``, ``randn``, ``seed``, ``normal``, ... (every name
    of :data:`LEGACY_NAMES`) become the functions of ``turboinit.random``
    until :meth:`undo`, or the end of a ``with`` block.  NumPy's classes
    (``Generator``, ``RandomState``, ``default_rng``) are left alone.  Values
    differ from NumPy's MT19937.

    Examples
    --------
    >>> import numpy as np
    >>> import turboinit.random as tr
    >>> with tr.patch_numpy():
    ...     np.random.seed(0)
    ...     a = np.random.randn(3)
    >>> tr.seed(0)
    >>> bool((tr.randn(3) == a).all()), np.random.randn is tr.randn
    (True, False)
    """

    def __init__(self) -> None:
        module = sys.modules[__name__]
        self._saved = {name: getattr(np.random, name) for name in LEGACY_NAMES}
        for name in LEGACY_NAMES:
            setattr(np.random, name, getattr(module, name))

    def undo(self) -> None:
        """Put NumPy's functions back (those that were there when the patch was made)."""
        for name, value in self._saved.items():
            setattr(np.random, name, value)
        self._saved = {}

    def __enter__(self) -> patch_numpy:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.undo()


def get_bit_generator() -> Any:
    """The module-level generator's bit generator, as :func:`numpy.random.get_bit_generator`.

    Examples
    --------
    >>> import turboinit.random as tr
    >>> type(tr.get_bit_generator()).__name__
    'Philox'
    """
    return _global._bit_generator


def set_bit_generator(bitgen: Any) -> None:
    """Serve the module-level functions from ``bitgen``, as :func:`numpy.random.set_bit_generator`.

    Examples
    --------
    >>> import turboinit.random as tr
    >>> old = tr.get_bit_generator()
    >>> tr.set_bit_generator(tr.Philox(3))
    >>> a = tr.rand(2)
    >>> tr.set_bit_generator(tr.Philox(3))
    >>> b = tr.rand(2)
    >>> tr.set_bit_generator(old)
    >>> bool((a == b).all())
    True
    """
    global _global
    _global = RandomState(bitgen)
