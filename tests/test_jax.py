"""turboinit.jax: jax.nn.initializers' factories filled by turboinit.

* names, arguments and defaults are those of ``jax.nn.initializers``;
* the values are the NumPy API's (bit for bit) with the seed of the key
  (``jax.random.key(s)`` -> seed ``s``) or ``seed=``, for every dtype;
* distribution: two-sample KS test against JAX's own initializer, p > 1e-6
  (fixed seeds; the threshold is a significance level, not tuned to a run);
* ``jax.jit`` and ``jax.vmap`` give the eager values; results are ``jax.Array``s
  on the default device; Flax nnx and linen layers take the initializers;
* bad arguments raise exceptions that name them.
"""

from __future__ import annotations

import inspect

import numpy as np
import pytest

jax = pytest.importorskip("jax")
stats = pytest.importorskip("scipy.stats")

import jax.numpy as jnp  # noqa: E402

import turboinit as ti  # noqa: E402
from turboinit.jax import initializers as tj  # noqa: E402
from turboinit.jax import key_to_seed  # noqa: E402

P_MIN = 1e-6
KEY = jax.random.key(1234)


def host(x):  # noqa: ANN001, ANN201
    assert isinstance(x, jax.Array)
    return np.asarray(x)


def test_names_arguments_and_defaults_match_jax() -> None:
    theirs = {n for n in dir(jax.nn.initializers) if not n.startswith("_")} - {"Initializer"}
    assert set(tj.__all__) == theirs
    for name in theirs - {"zeros", "ones", "constant"}:
        ours = inspect.signature(getattr(tj, name)).parameters
        ref = inspect.signature(getattr(jax.nn.initializers, name)).parameters
        # JAX's parameters come first, same order, same defaults; ours adds keyword-only ones
        assert list(ours)[: len(ref)] == list(ref), name
        for p in ref.values():
            assert ours[p.name].default == p.default, (name, p.name)
        assert all(ours[n].kind is inspect.Parameter.KEYWORD_ONLY for n in list(ours)[len(ref) :])


@pytest.mark.parametrize("s", [0, 1, 42, 2**32 - 1])
def test_key_maps_to_seed(s: int) -> None:
    assert key_to_seed(jax.random.key(s)) == s
    assert key_to_seed(jax.random.PRNGKey(s)) == s
    words = jax.random.wrap_key_data(np.array([3, 5], dtype=np.uint32))
    assert key_to_seed(words) == (3 << 32) | 5


# (factory call, NumPy-API reference of (shape, seed, stream, dtype))
CASES = {
    "normal": (
        lambda **kw: tj.normal(0.5, **kw),
        lambda sh, **kw: ti.normal(sh, 0.0, 0.5, **kw),
    ),
    "uniform": (
        lambda **kw: tj.uniform(2.0, **kw),
        lambda sh, **kw: ti.uniform(sh, 0.0, 2.0, **kw),
    ),
    "truncated_normal": (
        lambda **kw: tj.truncated_normal(0.3, lower=-1.0, upper=3.0, **kw),
        lambda sh, **kw: ti.truncated_normal(sh, 0.0, 0.3, -1.0, 3.0, **kw),
    ),
    "variance_scaling": (
        lambda **kw: tj.variance_scaling(0.7, "fan_geo_avg", "uniform", 0, (1, 2), **kw),
        lambda sh, **kw: ti.variance_scaling(
            sh, 0.7, "fan_geo_avg", "uniform", layout="jax", in_axis=0, out_axis=(1, 2), **kw
        ),
    ),
    "glorot_normal": (
        lambda **kw: tj.glorot_normal(**kw),
        lambda sh, **kw: ti.glorot_normal(sh, truncated=True, layout="jax", **kw),
    ),
    "glorot_uniform": (
        lambda **kw: tj.glorot_uniform(batch_axis=0, **kw),
        lambda sh, **kw: ti.glorot_uniform(sh, layout="jax", batch_axis=0, **kw),
    ),
    "he_normal": (
        lambda **kw: tj.he_normal(**kw),
        lambda sh, **kw: ti.he_normal(sh, truncated=True, layout="jax", **kw),
    ),
    "he_uniform": (
        lambda **kw: tj.he_uniform(**kw),
        lambda sh, **kw: ti.he_uniform(sh, layout="jax", **kw),
    ),
    "lecun_normal": (
        lambda **kw: tj.lecun_normal(in_axis=1, out_axis=0, **kw),
        lambda sh, **kw: ti.lecun_normal(
            sh, truncated=True, layout="jax", in_axis=1, out_axis=0, **kw
        ),
    ),
    "lecun_uniform": (
        lambda **kw: tj.lecun_uniform(**kw),
        lambda sh, **kw: ti.lecun_uniform(sh, layout="jax", **kw),
    ),
    "orthogonal": (
        lambda **kw: tj.orthogonal(1.5, column_axis=0, **kw),
        lambda sh, **kw: ti.orthogonal(sh, 1.5, layout="jax", column_axis=0, **kw),
    ),
}


@pytest.mark.parametrize("name", list(CASES))
@pytest.mark.parametrize("dtype", ["float32", "float16", "bfloat16"])
def test_values_are_the_numpy_api(name: str, dtype: str) -> None:
    if dtype == "bfloat16":
        pytest.importorskip("ml_dtypes")
    factory, ref = CASES[name]
    shape = (6, 5, 4)
    got = host(factory(stream="p")(jax.random.key(7), shape, dtype))
    want = ref(shape, seed=7, stream="p", dtype=dtype)
    assert got.dtype == want.dtype and got.tobytes() == want.tobytes()
    # seed= fixes the values whatever the key; the factory's dtype is the default
    fixed = host(factory(stream="p", seed=7, dtype=dtype)(jax.random.key(99), shape))
    assert fixed.tobytes() == want.tobytes()
    other = host(factory(stream="q")(jax.random.key(7), shape, dtype))
    assert other.tobytes() != want.tobytes()


def test_delta_orthogonal_is_the_numpy_api() -> None:
    got = host(tj.delta_orthogonal(2.0)(jax.random.key(3), (3, 3, 4, 8)))
    assert got.tobytes() == ti.delta_orthogonal((3, 3, 4, 8), 2.0, seed=3).tobytes()


def test_default_dtype_is_jax_default_float() -> None:
    w = tj.he_normal()(KEY, (4, 4))
    assert w.dtype == jnp.zeros(()).dtype == jnp.float32
    assert tj.normal(dtype=jnp.float16)(KEY, (2,)).dtype == jnp.float16


# (ours, JAX's): same arguments
DISTRIBUTION_CASES = [
    ("normal", (0.5,)),
    ("uniform", (2.0,)),
    ("truncated_normal", (0.3, None, -1.0, 3.0)),
    ("variance_scaling", (2.0, "fan_in", "truncated_normal")),
    ("variance_scaling", (0.5, "fan_avg", "normal")),
    ("variance_scaling", (3.0, "fan_geo_avg", "uniform", 0, 2, 1)),
    ("glorot_normal", ()),
    ("glorot_uniform", ()),
    ("he_normal", ()),
    ("he_uniform", ()),
    ("lecun_normal", ()),
    ("lecun_uniform", ()),
    ("orthogonal", (2.0,)),
]


@pytest.mark.parametrize(("name", "args"), DISTRIBUTION_CASES)
def test_distribution_matches_jax(name: str, args: tuple) -> None:
    shape = (40, 50, 30)
    ours = host(getattr(tj, name)(*args)(KEY, shape)).ravel()
    theirs = np.asarray(getattr(jax.nn.initializers, name)(*args)(KEY, shape)).ravel()
    assert stats.ks_2samp(ours, theirs).pvalue > P_MIN


def test_zeros_ones_constant_are_jax() -> None:
    assert tj.zeros is jax.nn.initializers.zeros
    assert host(tj.constant(0.5)(KEY, (2,))).tolist() == [0.5, 0.5]


def test_jit_and_vmap_give_the_eager_values() -> None:
    init = tj.glorot_uniform(stream="w")
    eager = host(init(KEY, (8, 3)))
    jitted = host(jax.jit(lambda k: init(k, (8, 3)))(KEY))
    assert jitted.tobytes() == eager.tobytes()
    keys = jax.random.split(KEY, 3)
    batched = host(jax.vmap(lambda k: init(k, (8, 3)))(keys))
    for i in range(3):
        assert batched[i].tobytes() == host(init(keys[i], (8, 3))).tobytes()


def test_result_is_on_the_default_device_or_sharding() -> None:
    w = tj.normal()(KEY, (4,))
    assert w.devices() == {jax.devices()[0]}
    sharding = jax.sharding.SingleDeviceSharding(jax.devices()[-1])
    assert tj.normal()(KEY, (4,), out_sharding=sharding).sharding == sharding


def test_torch_layout_matches_turboinit_torch() -> None:
    torch = pytest.importorskip("torch")
    import turboinit.torch as tt

    k = host(tj.glorot_uniform(torch_layout=True, seed=0, stream="fc")(None, (12, 5)))
    w = tt.xavier_uniform_(torch.empty(5, 12), generator=0, stream="fc")
    assert k.tobytes() == np.ascontiguousarray(w.numpy().T).tobytes()
    conv = host(tj.he_uniform(torch_layout=True, seed=1)(None, (3, 2, 4, 6)))
    w = tt.kaiming_uniform_(torch.empty(6, 4, 3, 2), generator=1)
    assert conv.tobytes() == np.ascontiguousarray(w.permute(2, 3, 1, 0).numpy()).tobytes()
    q = host(tj.orthogonal(torch_layout=True, seed=2)(None, (3, 3, 4, 8)))
    w = tt.orthogonal_(torch.empty(8, 4, 3, 3), generator=2)
    assert q.tobytes() == np.ascontiguousarray(w.permute(2, 3, 1, 0).numpy()).tobytes()
    bias = host(tj.normal(torch_layout=True, seed=3)(None, (7,)))
    assert bias.tobytes() == tt.normal_(torch.empty(7), 0.0, 0.01, generator=3).numpy().tobytes()


def test_flax_nnx_and_linen_layers() -> None:
    pytest.importorskip("flax")
    from flax import linen, nnx

    init = tj.lecun_normal(seed=5, stream="dense")
    layer = nnx.Linear(6, 4, kernel_init=init, rngs=nnx.Rngs(0))
    want = ti.lecun_normal((6, 4), truncated=True, layout="jax", seed=5, stream="dense")
    assert host(layer.kernel[...]).tobytes() == want.tobytes()
    # from the key: reproducible, and another key gives other values
    a = nnx.Linear(6, 4, kernel_init=tj.he_normal(), rngs=nnx.Rngs(0))
    b = nnx.Linear(6, 4, kernel_init=tj.he_normal(), rngs=nnx.Rngs(0))
    c = nnx.Linear(6, 4, kernel_init=tj.he_normal(), rngs=nnx.Rngs(1))
    assert host(a.kernel[...]).tobytes() == host(b.kernel[...]).tobytes()
    assert host(a.kernel[...]).tobytes() != host(c.kernel[...]).tobytes()

    class MLP(linen.Module):
        @linen.compact
        def __call__(self, x):  # noqa: ANN001, ANN204
            x = linen.Dense(5, kernel_init=tj.glorot_uniform())(x)
            return linen.Conv(3, (3, 3), kernel_init=tj.orthogonal())(x)

    x = jnp.ones((1, 4, 4, 2))
    params = MLP().init(KEY, x)
    jitted = jax.jit(MLP().init)(KEY, x)
    same = jax.tree.map(lambda p, q: host(p).tobytes() == host(q).tobytes(), params, jitted)
    assert all(jax.tree.leaves(same))
    kernel = host(params["params"]["Conv_0"]["kernel"]).reshape(-1, 3)
    assert np.allclose(kernel.T @ kernel, np.eye(3), atol=1e-5)


def test_bad_arguments_name_themselves() -> None:
    with pytest.raises(ValueError, match="mode"):
        tj.variance_scaling(1.0, "fan_sum", "normal")
    with pytest.raises(ValueError, match="distribution"):
        tj.variance_scaling(1.0, "fan_in", "untruncated_normal")
    with pytest.raises(ValueError, match="scale"):
        tj.variance_scaling(-1.0, "fan_in", "normal")
    with pytest.raises(TypeError, match="key"):
        tj.normal()(0, (2,))
    with pytest.raises(TypeError, match="key"):
        tj.normal()(jax.random.split(KEY, 2), (2,))
    with pytest.raises(TypeError, match="dtype"):
        tj.normal()(KEY, (2,), jnp.int32)
    with pytest.raises(TypeError, match="dtype"):
        tj.normal(dtype=jnp.int32)
    with pytest.raises(ValueError, match="seed"):
        tj.normal(seed=-1)
    with pytest.raises(TypeError, match="stream"):
        tj.normal(stream=1.5)
    with pytest.raises(ValueError, match="column_axis"):
        tj.orthogonal(column_axis=0, torch_layout=True)
    with pytest.raises(ValueError, match="in_axis"):
        tj.glorot_normal(in_axis=5)(KEY, (2, 3))
    with pytest.raises(ValueError, match="std"):
        tj.normal(-1.0)
