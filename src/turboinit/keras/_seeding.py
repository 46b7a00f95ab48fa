"""Seeds and streams of the Keras initializers (the rule is in the package docstring).

Seeds follow Keras 3's ``RandomInitializer``: an int is the seed; ``None`` is
replaced at construction by ``random.randint(1, 10**9)`` from Python's
``random`` (Keras's ``make_default_seed``, which ``keras.utils.set_random_seed``
seeds), while ``get_config`` keeps ``None``; a ``keras.random.SeedGenerator``
gives a new seed on every call; a dict is a serialised ``SeedGenerator``.

Streams: an explicit ``stream`` (int or str) always wins; otherwise the path
of the Keras variable being initialised, found on the call stack (Keras calls
``initializer(shape, dtype=dtype)`` from the ``Variable`` it is building and
does not pass the variable itself); otherwise 0.
"""

from __future__ import annotations

import random
import sys
from types import FrameType
from typing import Any, Optional, Union

import keras
import numpy as np

from .._seed import StreamLike, stream_words

# How far up the stack the Variable that calls an initializer is looked for:
# one frame in eager mode, more when a backend wraps the call (jax.jit under a
# distribution layout).
_MAX_FRAMES = 48


def resolve_seed(seed: Any) -> Union[int, Any]:
    """The seed an initializer keeps: an int (``None`` drawn now) or a SeedGenerator."""
    if seed is None:
        return random.randint(1, int(1e9))
    if isinstance(seed, dict):
        seed = keras.saving.deserialize_keras_object(seed)
    if isinstance(seed, keras.random.SeedGenerator):
        return seed
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)):
        raise ValueError(
            "seed: expected an int, a keras.random.SeedGenerator or None, "
            f"got {type(seed).__name__}"
        )
    if seed < 0:
        raise ValueError(f"seed: must be non-negative, got {seed}")
    return int(seed)


def call_seed(seed: Union[int, Any]) -> int:
    """The turboinit seed of one call: the int, or the next state of a SeedGenerator."""
    if isinstance(seed, int):
        return seed
    # .tolist() (torch and JAX tensors have it): keras.ops.convert_to_numpy warns
    # under NumPy 2 on the torch backend
    state = np.asarray(seed.next().tolist()).astype(np.int64).ravel()
    out = 0
    for w in state.tolist():
        out = (out << 32) | (int(w) & 0xFFFFFFFF)
    return out


def check_stream(stream: Any) -> Optional[StreamLike]:
    if stream is None:
        return None
    stream_words(stream)  # raises for anything but a non-negative int or a str
    return stream if isinstance(stream, str) else int(stream)


def variable_path() -> Optional[str]:
    """The path of the Keras variable whose construction is calling us, if any."""
    frame: Optional[FrameType] = sys._getframe(1)
    for _ in range(_MAX_FRAMES):
        if frame is None:
            return None
        owner = frame.f_locals.get("self")
        if isinstance(owner, keras.Variable):
            path = getattr(owner, "path", None)
            return path if isinstance(path, str) and path else None
        frame = frame.f_back
    return None


def call_stream(stream: Optional[StreamLike]) -> StreamLike:
    if stream is not None:
        return stream
    path = variable_path()
    return 0 if path is None else path
