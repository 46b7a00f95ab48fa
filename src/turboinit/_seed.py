"""Seeds and streams to Philox keys.

The key of a call is derived with NumPy's ``SeedSequence`` (a well-mixed hash of
all the entropy words): ``SeedSequence(seed).spawn_key + (tag, stream)`` is hashed
into two 32-bit words.  Integer streams below ``2**32`` use tag 0 and their value,
string streams tag 1 and the SHA-256 of their UTF-8 bytes, wider integer streams tag 2
and the SHA-256 of their little-endian bytes, so ``stream="encoder.0.weight"`` and
``stream=0`` never collide, ``(ss, 5 * 2**32)`` does not alias ``(ss.spawn(1)[0], 5)``
(SeedSequence flattens spawn keys into 32-bit words), and nearby seeds or streams
give unrelated keys (never ``seed + i``).
"""

from __future__ import annotations

import functools
import hashlib
import operator
from typing import Union

import numpy as np

from ._args import integer

SeedLike = Union[int, np.integer, np.random.SeedSequence, None]
StreamLike = Union[int, np.integer, str]


def seed_sequence(seed: SeedLike) -> np.random.SeedSequence:
    """Normalise ``seed`` to a ``SeedSequence`` (``None``: fresh OS entropy)."""
    if seed is None:
        return np.random.SeedSequence()
    if isinstance(seed, np.random.SeedSequence):
        return seed
    if isinstance(seed, (bool, np.bool_)):
        raise TypeError(
            "seed: expected a non-negative int, a numpy.random.SeedSequence or None, got bool"
        )
    try:
        value = operator.index(seed)
    except TypeError:
        raise TypeError(
            "seed: expected a non-negative int, a numpy.random.SeedSequence or None, "
            f"got {type(seed).__name__}"
        ) from None
    if value < 0:
        raise ValueError(f"seed: must be non-negative, got {value}")
    return np.random.SeedSequence(value)


def stream_words(stream: StreamLike) -> tuple[int, int]:
    """The two spawn-key words that name a stream."""
    if isinstance(stream, str):
        try:
            data = stream.encode("utf-8")
        except UnicodeEncodeError as exc:  # a lone surrogate such as "\ud800"
            raise ValueError(
                f"stream: {stream!r} is not valid text (it holds an unpaired surrogate at "
                f"position {exc.start}, which UTF-8 cannot encode)"
            ) from None
        digest = hashlib.sha256(data).digest()
        return (1, int.from_bytes(digest, "little"))
    value = integer(stream, "stream", minimum=0, expected="a non-negative int or a str")
    if value < 2**32:
        return (0, value)
    # Wider integers are hashed under their own tag: as raw words they would
    # alias a spawned child's smaller stream (see the module docstring).
    data = value.to_bytes((value.bit_length() + 7) // 8, "little")
    return (2, int.from_bytes(hashlib.sha256(data).digest(), "little"))


def key_from_sequence(ss: np.random.SeedSequence, stream: StreamLike = 0) -> tuple[int, int]:
    """The Philox key (k0, k1) of ``stream`` under the seed sequence ``ss``."""
    child = np.random.SeedSequence(
        entropy=ss.entropy,
        spawn_key=tuple(ss.spawn_key) + stream_words(stream),
        pool_size=ss.pool_size,
    )
    k = child.generate_state(2, np.uint32)
    return int(k[0]), int(k[1])


@functools.lru_cache(maxsize=4096)
def _cached_key(seed: int, stream: StreamLike) -> tuple[int, int]:
    return key_from_sequence(np.random.SeedSequence(seed), stream)


def philox_key(seed: SeedLike, stream: StreamLike = 0) -> tuple[int, int]:
    """The Philox key (k0, k1) for ``(seed, stream)``.

    Keys of plain int seeds are memoised: hashing through ``SeedSequence``
    costs ~10 us, more than generating a small tensor.
    """
    if type(seed) is int and seed >= 0:
        if isinstance(stream, str) or (type(stream) is int and stream >= 0):
            return _cached_key(seed, stream)
    return key_from_sequence(seed_sequence(seed), stream)
