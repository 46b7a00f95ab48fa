"""Keras 3 adapter: ``keras.initializers``' classes, filled by turboinit.

``import turboinit`` never imports Keras; ``import turboinit.keras`` does.  Keras 3
needs a backend: set ``KERAS_BACKEND`` to ``"jax"``, ``"torch"`` or
``"tensorflow"`` before the first ``import keras``.

``GlorotNormal``, ``GlorotUniform``, ``HeNormal``, ``HeUniform``, ``LecunNormal``,
``LecunUniform``, ``VarianceScaling``, ``TruncatedNormal``, ``RandomNormal``,
``RandomUniform``, ``Orthogonal``, ``Identity``, ``Zeros``, ``Ones`` and
``Constant`` subclass ``keras.initializers.Initializer`` with Keras's constructor
arguments, defaults and distributions.  Each returns a tensor of the active
backend and is registered for saving (as ``"turboinit>GlorotNormal"``, ...), so
models that use them save to and load from ``.keras`` files once
``turboinit.keras`` is imported.

**Seeds and streams.**  The values are a pure function of ``(seed, stream,
shape, dtype, arguments)``:

* ``seed``, as in Keras 3: an int is the seed, so the initializer repeats its
  values; ``None`` draws one int when the initializer is constructed
  (``random.randint(1, 10**9)`` from Python's ``random``, Keras's own rule, so
  ``keras.utils.set_random_seed`` makes it reproducible) and ``get_config``
  keeps ``None``, so a loaded model draws afresh; a ``keras.random.SeedGenerator``
  gives a new seed on every call.
* ``stream`` (keyword-only, an extension): an int or a str given explicitly is
  always used.  With the default ``None`` the stream is the **path of the Keras
  variable being created** (``"dense_1/kernel"``), read from the ``Variable``
  that calls the initializer (Keras does not pass it); called outside a variable
  (``init(shape)``), the stream is 0.  So two layers sharing one seeded
  initializer get different weights (in Keras they would be equal), and a model
  built again the same way, with the same names, gets the same weights.  The
  path is Keras's: it holds auto-generated names (``dense_3``, which depend on
  how many layers the session created before) and the enclosing model's name
  when the model builds its layers (``keras.Sequential([...])`` gives
  ``"sequential/dense/kernel"``, ``Sequential.from_config`` ``"dense/kernel"``).
  Pass ``stream=`` for weights that depend on none of this.

With the same ``(seed, stream, shape, dtype)`` every initializer gives the bits
of the turboinit function named in its docstring, so a Keras model and a
PyTorch or Flax model can start from the same weights.

Example
-------
>>> import keras, turboinit as ti
>>> from turboinit.keras import HeNormal
>>> layer = keras.layers.Dense(4, kernel_initializer=HeNormal(seed=0))
>>> layer.build((None, 8))
>>> ref = ti.he_normal((8, 4), truncated=True, layout="keras", seed=0, stream=layer.kernel.path)
>>> bool((keras.ops.convert_to_numpy(layer.kernel) == ref).all())
True
"""

from __future__ import annotations

from .._deps import missing

try:
    import keras as _keras
except ImportError as _e:  # pragma: no cover - exercised without keras only
    raise missing(
        "turboinit.keras needs Keras 3 and one of its backends: pip install keras, and set "
        "KERAS_BACKEND to 'jax' or 'torch' (or install TensorFlow) before importing it "
        f"({_e})",
        _e,
    ) from _e
else:
    _version = getattr(_keras, "__version__", None)
    if isinstance(_version, str) and not _version.startswith("3"):  # pragma: no cover
        raise ImportError(f"turboinit.keras needs Keras 3, found {_version}")

from ._initializers import (
    Constant,
    GlorotNormal,
    GlorotUniform,
    HeNormal,
    HeUniform,
    Identity,
    LecunNormal,
    LecunUniform,
    Ones,
    Orthogonal,
    RandomNormal,
    RandomUniform,
    TruncatedNormal,
    VarianceScaling,
    Zeros,
    constant,
    glorot_normal,
    glorot_uniform,
    he_normal,
    he_uniform,
    identity,
    lecun_normal,
    lecun_uniform,
    ones,
    orthogonal,
    random_normal,
    random_uniform,
    truncated_normal,
    variance_scaling,
    zeros,
)

__all__ = [
    "Constant",
    "GlorotNormal",
    "GlorotUniform",
    "HeNormal",
    "HeUniform",
    "Identity",
    "LecunNormal",
    "LecunUniform",
    "Ones",
    "Orthogonal",
    "RandomNormal",
    "RandomUniform",
    "TruncatedNormal",
    "VarianceScaling",
    "Zeros",
]

# keras.initializers' snake_case aliases (not in __all__: the same classes)
_ALIASES = (
    constant,
    glorot_normal,
    glorot_uniform,
    he_normal,
    he_uniform,
    identity,
    lecun_normal,
    lecun_uniform,
    ones,
    orthogonal,
    random_normal,
    random_uniform,
    truncated_normal,
    variance_scaling,
    zeros,
)
