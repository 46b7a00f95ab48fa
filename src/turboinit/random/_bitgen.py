"""``Philox``: a NumPy ``BitGenerator`` on turboinit's Philox4x32-10 counter space.

NumPy's ``Generator`` and ``RandomState`` draw from a bit generator through
the ``bitgen_t`` in its ``capsule`` (``numpy/random/bitgen.h``).  Ours points
at a C++ word stream (``cpp/rng/word_stream.hpp``): the key, the shared
64-bit block counter and a buffer of 1024 words that a refill takes from
256 counter blocks at once.  A turboinit ``Generator`` reserves its parallel
calls' blocks from the same counter, so sequential draws and parallel calls
never use the same counter, and any interleaving of them replays exactly
(``docs/counter_layout.md``).
"""

from __future__ import annotations

import operator
from collections.abc import Iterable
from typing import Any, Union

import numpy as np

from .. import _core
from .._seed import key_from_sequence, seed_sequence

BIT_GENERATOR = "Philox4x32-10"
COUNTER_END = 1 << 64
BUFFER_WORDS, BUFFER_BLOCKS = _core.word_stream_buffer()

SeedArg = Union[None, int, np.integer, Iterable[int], np.random.SeedSequence]


def as_seed_sequence(seed: Any) -> np.random.SeedSequence:
    """NumPy's seeds: None, an int, any iterable of ints, or a ``SeedSequence``."""
    if isinstance(seed, (np.random.Generator, np.random.BitGenerator, np.random.RandomState)):
        raise TypeError(
            f"seed: a {type(seed).__name__} cannot seed turboinit's Philox; pass an int, "
            "a sequence of ints, a numpy.random.SeedSequence or None"
        )
    if isinstance(seed, np.random.SeedSequence) or seed is None:
        return seed_sequence(seed)
    if isinstance(seed, (str, bytes, float, complex, np.floating, np.complexfloating)):
        raise TypeError(
            f"seed: expected an int, a sequence of ints, a SeedSequence or None, got {seed!r}"
        )
    if isinstance(seed, Iterable) and not isinstance(seed, np.ndarray):
        seed = list(seed)
    if isinstance(seed, (list, tuple, np.ndarray)):
        try:
            return np.random.SeedSequence(seed)
        except (TypeError, ValueError) as exc:
            raise type(exc)(f"seed: expected non-negative ints ({exc})") from None
    return seed_sequence(seed)


def _check_int(value: Any, name: str, low: int, high: int) -> int:
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"state: {name} must be an int, got bool")
    try:
        v = operator.index(value)
    except TypeError:
        raise TypeError(f"state: {name} must be an int, got {type(value).__name__}") from None
    if not low <= v <= high:
        raise ValueError(f"state: {name} must be in [{low}, {high}], got {v}")
    return v


class Philox(np.random.BitGenerator):
    """NumPy ``BitGenerator`` on Philox4x32-10 with turboinit's key and counters.

    ``numpy.random.Generator(Philox(s))`` and ``numpy.random.RandomState(Philox(s))``
    run every NumPy distribution on turboinit's counter stream; a
    :class:`turboinit.random.Generator` holds one as ``bit_generator`` and
    reserves the blocks of its parallel calls from the same counter.

    The key is ``SeedSequence(seed)`` hashed as for stream 0 of
    :func:`turboinit.normal` (``docs/counter_layout.md``).  Sequential words
    come from a buffer of 1024 words: a refill takes the next 256 counter
    blocks ``b`` and its word ``i`` is word ``(i mod 64) div 16`` of block
    ``b + 16 (i div 64) + (i mod 16)``, the raw-bits layout.  ``next_uint64``
    is two words, the first in the low half; ``next_double`` is
    ``(next_uint64 >> 11) * 2**-53``, as in NumPy.  Values differ from
    NumPy's own ``Philox`` (Philox4x64, another counter layout).

    Parameters
    ----------
    seed : None, int, iterable of ints or numpy.random.SeedSequence
        ``None`` takes fresh entropy from the OS.

    Examples
    --------
    >>> import numpy as np
    >>> from turboinit.random import Philox
    >>> rng = np.random.Generator(Philox(7))
    >>> x = rng.exponential(size=3)
    >>> bool((x == np.random.Generator(Philox(7)).exponential(size=3)).all())
    True
    """

    def __init__(self, seed: SeedArg = None) -> None:
        ss = as_seed_sequence(seed)
        super().__init__(ss)
        k0, k1 = key_from_sequence(ss)
        self._stream = _core.word_stream_new(k0, k1)
        _core.bitgen_install(self.capsule, self._stream)

    # ---- state ----------------------------------------------------------------

    @property  # type: ignore[override]  # NumPy's stub types it as a Mapping
    def state(self) -> dict[str, Any]:
        """The key, the block counter and the buffer, as a dict (NumPy's layout).

        ``{"bit_generator": "Philox4x32-10", "state": {"key": [k0, k1],
        "counter": next free block}, "buffer": {"block": first block of the
        buffered words, "position": words used (1024: empty)}}``.  Assigning a
        dict read earlier replays every draw made since.

        Examples
        --------
        >>> from turboinit.random import Philox
        >>> bg = Philox(0)
        >>> s = bg.state
        >>> a = bg.random_raw(3)
        >>> bg.state = s
        >>> bool((bg.random_raw(3) == a).all())
        True
        """
        with self.lock:
            k0, k1, counter, at_end, block, position = _core.word_stream_state(self._stream)
        return {
            "bit_generator": BIT_GENERATOR,
            "state": {"key": [k0, k1], "counter": COUNTER_END if at_end else counter},
            "buffer": {"block": block, "position": position},
        }

    @state.setter
    def state(self, value: dict[str, Any]) -> None:
        if not isinstance(value, dict):
            raise TypeError(f"state: expected a dict, got {type(value).__name__}")
        missing = {"bit_generator", "state"} - set(value)
        if missing:
            raise ValueError(f"state: missing keys {sorted(missing)}")
        if value["bit_generator"] != BIT_GENERATOR:
            raise ValueError(
                f"state: bit_generator {value['bit_generator']!r} is not {BIT_GENERATOR!r}"
            )
        inner = value["state"]
        if not isinstance(inner, dict) or {"key", "counter"} - set(inner):
            raise ValueError("state: 'state' must be a dict with 'key' and 'counter'")
        try:
            key = [int(k) for k in inner["key"]]
        except (TypeError, ValueError):
            raise TypeError(f"state: key must be two ints, got {inner['key']!r}") from None
        if len(key) != 2 or not all(0 <= k <= 0xFFFFFFFF for k in key):
            raise ValueError(f"state: key must be two 32-bit unsigned ints, got {key}")
        counter = _check_int(inner["counter"], "counter", 0, COUNTER_END)
        buffer = value.get("buffer", {"block": 0, "position": BUFFER_WORDS})
        if not isinstance(buffer, dict) or {"block", "position"} - set(buffer):
            raise ValueError("state: 'buffer' must be a dict with 'block' and 'position'")
        block = _check_int(buffer["block"], "buffer block", 0, COUNTER_END - BUFFER_BLOCKS)
        position = _check_int(buffer["position"], "buffer position", 0, BUFFER_WORDS)
        with self.lock:
            _core.word_stream_set_state(
                self._stream,
                key[0],
                key[1],
                counter % COUNTER_END,
                counter == COUNTER_END,
                block,
                position,
            )

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.seed_seq,), (self.state, self.seed_seq))

    def __repr__(self) -> str:
        return f"Philox({BIT_GENERATOR}) at 0x{id(self):X}"

    # ---- the shared counter ---------------------------------------------------

    @property
    def key(self) -> tuple[int, int]:
        """The Philox key ``(k0, k1)``."""
        k0, k1 = _core.word_stream_state(self._stream)[:2]
        return k0, k1

    def set_seed_state(self, state: dict[str, Any], seed_seq: np.random.SeedSequence) -> None:
        """Replace the state and the seed sequence together (``BitGenerator.__setstate__``)."""
        setstate: Any = super().__setstate__  # type: ignore[misc]
        setstate((state, seed_seq))

    def reserve(self, blocks: int) -> int:
        """Take ``blocks`` counter blocks for a parallel call; returns the first.

        Holds :attr:`lock`; ``OverflowError`` if the 64-bit counter would pass
        ``2**64``.  Sequential draws never use a reserved block.
        """
        return self.reserve_keyed(blocks)[2]

    def reserve_keyed(self, blocks: int) -> tuple[int, int, int]:
        """:meth:`reserve`, also returning the key: ``(k0, k1, first block)``,
        read together under the lock (one read of the stream's state)."""
        with self.lock:  # OverflowError past 2**64, naming the counter
            k0, k1, start = _core.word_stream_reserve(self._stream, blocks)
        return k0, k1, start
