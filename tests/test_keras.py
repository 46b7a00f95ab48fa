"""turboinit.keras: keras.initializers' classes filled by turboinit.

* constructor arguments and defaults are Keras 3's (plus keyword-only ``stream``),
  ``get_config`` has Keras's keys, ``from_config`` round-trips;
* the values are the NumPy API's (bit for bit) for the same (seed, stream,
  shape, dtype); the stream defaults to the variable's path;
* Keras 3's seeding: an int repeats, ``None`` draws (``set_random_seed`` makes
  it reproducible, the config keeps ``None``), a SeedGenerator advances;
* distribution: two-sample KS test against Keras's own initializer, p > 1e-6
  (fixed seeds; a significance level, not tuned to a run);
* models save to ``.keras`` and load with our initializers;
* every installed backend (torch, jax) in a fresh interpreter, since the
  backend is fixed at the first ``import keras`` (tests/conftest.py picks the
  one of this process).
"""

from __future__ import annotations

import importlib.util
import inspect
import textwrap

import numpy as np
import pytest
from _helpers import run_python

keras = pytest.importorskip("keras")
stats = pytest.importorskip("scipy.stats")

import turboinit as ti  # noqa: E402
import turboinit.keras as tk  # noqa: E402

P_MIN = 1e-6
CLASSES = tk.__all__


def host(x):  # noqa: ANN001, ANN201
    """A NumPy copy of a backend tensor or variable.  (Not keras.ops.convert_to_numpy:
    under NumPy 2 its np.array of a torch tensor or jax-backend Variable warns.)"""
    if isinstance(x, keras.Variable):
        x = x.value
    if keras.backend.backend() == "torch":
        import torch

        t = x.detach().cpu()
        if t.dtype == torch.bfloat16:
            import ml_dtypes

            return t.float().numpy().astype(ml_dtypes.bfloat16)
        return t.numpy()
    return np.asarray(keras.ops.convert_to_numpy(x))


@pytest.mark.parametrize("name", CLASSES)
def test_constructor_and_config_match_keras(name: str) -> None:
    ours, theirs = getattr(tk, name), getattr(keras.initializers, name)
    assert issubclass(ours, keras.initializers.Initializer)
    p_ours = inspect.signature(ours).parameters
    p_theirs = inspect.signature(theirs).parameters
    assert list(p_ours)[: len(p_theirs)] == list(p_theirs)
    for p in p_theirs.values():
        assert p_ours[p.name].default == p.default, p.name
    extra = list(p_ours)[len(p_theirs) :]
    assert extra in ([], ["stream"])
    seeded = "seed" in p_theirs
    kw = {"seed": 3} if seeded else {}
    config = ours(**kw).get_config()
    assert set(theirs(**kw).get_config()) <= set(config)
    clone = ours.from_config(config)
    assert type(clone) is ours and clone.get_config() == config
    a, b = host(ours(**kw)((6, 5))), host(clone((6, 5)))
    assert a.tobytes() == b.tobytes()


# (our initializer, NumPy-API reference of (shape, seed, stream, dtype))
CASES = {
    "RandomNormal": (
        lambda **kw: tk.RandomNormal(0.5, 2.0, **kw),
        lambda sh, **kw: ti.normal(sh, 0.5, 2.0, **kw),
    ),
    "TruncatedNormal": (
        lambda **kw: tk.TruncatedNormal(**kw),
        lambda sh, **kw: ti.truncated_normal(sh, 0.0, 0.05, -2.0, 2.0, **kw),
    ),
    "RandomUniform": (
        lambda **kw: tk.RandomUniform(-1.0, 3.0, **kw),
        lambda sh, **kw: ti.uniform(sh, -1.0, 3.0, **kw),
    ),
    "VarianceScaling-normal": (
        lambda **kw: tk.VarianceScaling(3.0, "fan_out", "normal", **kw),
        lambda sh, **kw: ti.variance_scaling(sh, 3.0, "fan_out", layout="keras", **kw),
    ),
    "VarianceScaling-untruncated": (
        lambda **kw: tk.VarianceScaling(0.5, "fan_avg", "untruncated_normal", **kw),
        lambda sh, **kw: ti.variance_scaling(sh, 0.5, "fan_avg", "normal", layout="keras", **kw),
    ),
    "VarianceScaling-axes": (
        lambda **kw: tk.VarianceScaling(
            2.0, "fan_in", "uniform", input_axes=[0], output_axes=[2], **kw
        ),
        lambda sh, **kw: ti.variance_scaling(
            sh, 2.0, "fan_in", "uniform", layout="jax", in_axis=0, out_axis=2, batch_axis=1, **kw
        ),
    ),
    "GlorotNormal": (
        lambda **kw: tk.GlorotNormal(**kw),
        lambda sh, **kw: ti.glorot_normal(sh, truncated=True, layout="keras", **kw),
    ),
    "GlorotUniform": (
        lambda **kw: tk.GlorotUniform(**kw),
        lambda sh, **kw: ti.glorot_uniform(sh, layout="keras", **kw),
    ),
    "HeNormal": (
        lambda **kw: tk.HeNormal(**kw),
        lambda sh, **kw: ti.he_normal(sh, truncated=True, layout="keras", **kw),
    ),
    "HeUniform": (
        lambda **kw: tk.HeUniform(**kw),
        lambda sh, **kw: ti.he_uniform(sh, layout="keras", **kw),
    ),
    "LecunNormal": (
        lambda **kw: tk.LecunNormal(**kw),
        lambda sh, **kw: ti.lecun_normal(sh, truncated=True, layout="keras", **kw),
    ),
    "LecunUniform": (
        lambda **kw: tk.LecunUniform(**kw),
        lambda sh, **kw: ti.lecun_uniform(sh, layout="keras", **kw),
    ),
    "Orthogonal": (
        lambda **kw: tk.Orthogonal(0.5, **kw),
        lambda sh, **kw: ti.orthogonal(sh, 0.5, layout="keras", **kw),
    ),
}


@pytest.mark.parametrize("name", list(CASES))
@pytest.mark.parametrize("dtype", [None, "float64", "float16", "bfloat16"])
def test_values_are_the_numpy_api(name: str, dtype: str | None) -> None:
    if dtype == "bfloat16":
        pytest.importorskip("ml_dtypes")
    if dtype == "float64" and keras.backend.backend() == "jax":
        import jax

        if not jax.config.jax_enable_x64:
            pytest.skip("JAX without jax_enable_x64 has no float64 arrays")
    ours, ref = CASES[name]
    shape = (5, 6, 4)
    got = ours(seed=11, stream="w")(shape, dtype)
    assert keras.backend.standardize_dtype(got.dtype) == (dtype or keras.config.floatx())
    want = ref(shape, seed=11, stream="w", dtype=dtype or "float32")
    assert host(got).astype(want.dtype).tobytes() == want.tobytes()
    # called outside a variable with no stream: stream 0
    assert (
        host(ours(seed=11)(shape, dtype)).astype(want.dtype).tobytes()
        == ref(shape, seed=11, stream=0, dtype=dtype or "float32").tobytes()
    )


def test_deterministic_initializers() -> None:
    assert host(tk.Zeros()((2, 3))).tolist() == [[0.0] * 3] * 2
    assert host(tk.Ones()((2,), "float16")).dtype == np.float16
    assert host(tk.Constant(0.1)((2,), "float16")).tolist() == [np.float16(0.1)] * 2
    assert host(tk.Constant(7)((2,), "int32")).tolist() == [7, 7]
    assert host(tk.Constant([1.0, 2.0])((2, 2))).tolist() == [[1.0, 2.0], [1.0, 2.0]]
    assert host(tk.Zeros()((2,), "int32")).dtype == np.int32
    assert host(tk.Identity(3.0)((2, 3))).tolist() == ti.identity((2, 3), 3.0).tolist()
    for name in ("Zeros", "Ones", "Identity"):
        ours = getattr(tk, name)()((4, 4))
        theirs = getattr(keras.initializers, name)()((4, 4))
        assert host(ours).tobytes() == host(theirs).tobytes()


def test_keras_seeding_rules() -> None:
    init = tk.HeUniform(seed=1)
    assert host(init((8, 8))).tobytes() == host(init((8, 8))).tobytes()  # int: repeats
    # None: a seed drawn at construction; the same instance repeats (as Keras's)
    unseeded = tk.HeUniform()
    assert unseeded.get_config()["seed"] is None
    assert host(unseeded((8, 8))).tobytes() == host(unseeded((8, 8))).tobytes()
    assert host(tk.HeUniform()((8, 8))).tobytes() != host(unseeded((8, 8))).tobytes()
    keras.utils.set_random_seed(5)
    a = host(tk.HeUniform()((8, 8)))
    keras.utils.set_random_seed(5)
    assert host(tk.HeUniform()((8, 8))).tobytes() == a.tobytes()
    # SeedGenerator: new values every call, reproducible from its seed
    gen = tk.RandomNormal(seed=keras.random.SeedGenerator(3))
    x, y = host(gen((50,))), host(gen((50,)))
    assert x.tobytes() != y.tobytes()
    again = tk.RandomNormal(seed=keras.random.SeedGenerator(3))
    assert host(again((50,))).tobytes() == x.tobytes()


def test_stream_is_the_variable_path() -> None:
    shared = tk.GlorotUniform(seed=4)
    model = keras.Sequential(
        [
            keras.Input((6,)),
            keras.layers.Dense(6, kernel_initializer=shared, name="one"),
            keras.layers.Dense(6, kernel_initializer=shared, name="two"),
        ],
        name="net",
    )
    k1, k2 = model.layers[0].kernel, model.layers[1].kernel
    assert k1.path == "net/one/kernel"
    for k in (k1, k2):
        want = ti.glorot_uniform((6, 6), layout="keras", seed=4, stream=k.path)
        assert host(k).tobytes() == want.tobytes()
    assert host(k1).tobytes() != host(k2).tobytes()
    # an explicit stream wins: both layers equal (Keras's own behaviour for a seeded init)
    fixed = tk.GlorotUniform(seed=4, stream="k")
    a = keras.layers.Dense(6, kernel_initializer=fixed)
    b = keras.layers.Dense(6, kernel_initializer=fixed)
    a.build((None, 6))
    b.build((None, 6))
    assert host(a.kernel).tobytes() == host(b.kernel).tobytes()


# Keras 3.15's jax-backend Variable has an __array__ without copy=, which NumPy 2
# reports while Keras itself saves the weights (not our code).
@pytest.mark.filterwarnings(
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"
)
def test_model_saves_and_loads(tmp_path) -> None:  # noqa: ANN001
    model = keras.Sequential(
        [
            keras.Input((4,)),
            keras.layers.Dense(3, kernel_initializer=tk.Orthogonal(seed=1), name="d"),
            keras.layers.Dense(2, kernel_initializer=tk.VarianceScaling(2.0, seed=2, stream=7)),
        ]
    )
    path = tmp_path / "m.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    for a, b in zip(model.weights, loaded.weights):
        assert host(a).tobytes() == host(b).tobytes()
    for old, new in zip(model.layers, loaded.layers):
        assert type(new.kernel_initializer) is type(old.kernel_initializer)
        assert new.kernel_initializer.get_config() == old.kernel_initializer.get_config()
    # a model rebuilt from its config draws by the same rule: the stream is the path Keras
    # gives the variable (from_config builds the layers outside the model's name scope)
    again = keras.Sequential.from_config(model.get_config())
    kernel = again.layers[0].kernel
    want = ti.orthogonal((4, 3), layout="keras", seed=1, stream=kernel.path)
    assert host(kernel).tobytes() == want.tobytes()


DISTRIBUTION_CASES = [
    ("RandomNormal", (0.5, 2.0)),
    ("TruncatedNormal", (0.1, 0.3)),
    ("RandomUniform", (-1.0, 3.0)),
    ("VarianceScaling", (2.0, "fan_in", "truncated_normal")),
    ("VarianceScaling", (0.5, "fan_out", "untruncated_normal")),
    ("VarianceScaling", (3.0, "fan_avg", "uniform")),
    ("GlorotNormal", ()),
    ("GlorotUniform", ()),
    ("HeNormal", ()),
    ("HeUniform", ()),
    ("LecunNormal", ()),
    ("LecunUniform", ()),
    ("Orthogonal", (2.0,)),
]


@pytest.mark.parametrize(("name", "args"), DISTRIBUTION_CASES)
def test_distribution_matches_keras(name: str, args: tuple) -> None:
    shape = (40, 50, 30)
    ours = host(getattr(tk, name)(*args, seed=1)(shape)).ravel()
    theirs = host(getattr(keras.initializers, name)(*args, seed=2)(shape)).ravel()
    assert stats.ks_2samp(ours, theirs).pvalue > P_MIN


def test_bad_arguments_name_themselves() -> None:
    with pytest.raises(ValueError, match="scale"):
        tk.VarianceScaling(0.0)
    with pytest.raises(ValueError, match="mode"):
        tk.VarianceScaling(1.0, "fan_geo_avg")
    with pytest.raises(ValueError, match="distribution"):
        tk.VarianceScaling(1.0, "fan_in", "cauchy")
    with pytest.raises(ValueError, match="seed"):
        tk.HeNormal(seed=1.5)
    with pytest.raises(ValueError, match="seed"):
        tk.HeNormal(seed=-1)
    with pytest.raises(TypeError, match="stream"):
        tk.HeNormal(stream=1.5)
    with pytest.raises(ValueError, match="std"):
        tk.RandomNormal(stddev=-1.0)
    with pytest.raises(ValueError, match="two-dimensional"):
        tk.Orthogonal()((5,))
    with pytest.raises(ValueError, match="2D"):
        tk.Identity()((2, 2, 2))
    with pytest.raises(ValueError, match="dtype"):
        tk.HeNormal(seed=0)((2, 2), "int32")


BACKEND_SCRIPT = textwrap.dedent(
    """
    import os, sys, tempfile
    import numpy as np
    import keras
    import turboinit as ti
    import turboinit.keras as tk

    assert keras.backend.backend() == sys.argv[1], keras.backend.backend()
    model = keras.Sequential(
        [keras.Input((8,)),
         keras.layers.Dense(4, kernel_initializer=tk.HeNormal(seed=0), name="a"),
         keras.layers.Dense(4, kernel_initializer=tk.HeNormal(seed=0), name="b")],
        name="m",
    )
    k = model.layers[0].kernel
    want = ti.he_normal((8, 4), truncated=True, layout="keras", seed=0, stream="m/a/kernel")
    assert (keras.ops.convert_to_numpy(k) == want).all()
    other = ti.he_normal((4, 4), truncated=True, layout="keras", seed=0, stream="m/b/kernel")
    assert (keras.ops.convert_to_numpy(model.layers[1].kernel) == other).all()
    x = tk.RandomUniform(seed=1, stream="u")((3, 5), "bfloat16")
    assert keras.backend.standardize_dtype(x.dtype) == "bfloat16"
    ref = ti.uniform((3, 5), -0.05, 0.05, seed=1, stream="u", dtype="bfloat16")
    assert (keras.ops.convert_to_numpy(x).astype(np.float32) == ref.astype(np.float32)).all()
    path = os.path.join(tempfile.mkdtemp(), "m.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    assert type(loaded.layers[0].kernel_initializer) is tk.HeNormal
    print("OK", type(keras.ops.convert_to_tensor(k)).__module__)
    """
)


@pytest.mark.parametrize("backend", ["torch", "jax"])
def test_each_backend_in_a_fresh_interpreter(backend: str) -> None:
    if importlib.util.find_spec(backend) is None:
        pytest.skip(f"{backend} is not installed")
    proc = run_python(
        BACKEND_SCRIPT.replace("sys.argv[1]", repr(backend)),
        env={"KERAS_BACKEND": backend},
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.startswith("OK " + ("torch" if backend == "torch" else "jax"))
