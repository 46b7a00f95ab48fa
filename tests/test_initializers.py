"""Variance-scaling initializers (He/Kaiming, Glorot/Xavier, LeCun) and the
deterministic fills (zeros, ones, constant, identity, dirac).

Statistics: every sample has N >= 1e5 elements; moments are checked at
z = 5 standard errors (the variance's standard error is sigma^2 sqrt((kappa - 1) / N),
kappa the distribution's kurtosis); one-sample KS tests against the exact
distribution, and two-sample KS tests against PyTorch's own initializer,
must give p > 1e-4.  Seeds are fixed, thresholds come from the math."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

import turboinit as ti

TRUNC = 0.87962566103423978
P_MIN = 1e-4
Z = 5.0

TORCH = (500, 400)  # torch layout: fan_in 400, fan_out 500
KERAS = (3, 3, 100, 120)  # keras layout: fan_in 900, fan_out 1080
JAXB = (2, 3, 3, 100, 60)  # jax, batch_axis=0: fan_in 900, fan_out 540


def normal_dist(sigma):
    return stats.norm(0.0, sigma)


def trunc_dist(sigma):
    s = sigma / TRUNC
    return stats.truncnorm(-2.0, 2.0, loc=0.0, scale=s)


def uniform_dist(sigma):
    b = math.sqrt(3.0) * sigma
    return stats.uniform(-b, 2 * b)


# name -> (call(seed) -> array, frozen scipy distribution, the core call it must equal)
def _cases():
    g_relu = math.sqrt(2.0)
    g_leaky = math.sqrt(2.0 / (1 + 0.2**2))
    return {
        "kaiming_normal/torch": (
            lambda seed: ti.kaiming_normal(TORCH, seed=seed),
            normal_dist(g_relu / math.sqrt(400)),
        ),
        "kaiming_normal/fan_out/leaky0.2": (
            lambda seed: ti.kaiming_normal(TORCH, 0.2, "fan_out", seed=seed),
            normal_dist(g_leaky / math.sqrt(500)),
        ),
        "he_normal/keras/truncated": (
            lambda seed: ti.he_normal(KERAS, layout="keras", truncated=True, seed=seed),
            trunc_dist(math.sqrt(2.0 / 900)),
        ),
        "kaiming_uniform/torch/sqrt5": (
            lambda seed: ti.kaiming_uniform(TORCH, a=math.sqrt(5), seed=seed),
            stats.uniform(-1 / math.sqrt(400), 2 / math.sqrt(400)),
        ),
        "he_uniform/keras/relu": (
            lambda seed: ti.he_uniform(KERAS, nonlinearity="relu", layout="keras", seed=seed),
            stats.uniform(-math.sqrt(6 / 900), 2 * math.sqrt(6 / 900)),
        ),
        "xavier_normal/torch/gain1.5": (
            lambda seed: ti.xavier_normal(TORCH, 1.5, seed=seed),
            normal_dist(1.5 * math.sqrt(2.0 / 900)),
        ),
        "glorot_normal/jax/truncated": (
            lambda seed: ti.glorot_normal(KERAS, layout="jax", truncated=True, seed=seed),
            trunc_dist(math.sqrt(2.0 / (900 + 1080))),
        ),
        "xavier_uniform/torch/tanh": (
            lambda seed: ti.xavier_uniform(TORCH, gain=5 / 3, seed=seed),
            stats.uniform(-5 / 3 * math.sqrt(6 / 900), 10 / 3 * math.sqrt(6 / 900)),
        ),
        "glorot_uniform/keras": (
            lambda seed: ti.glorot_uniform(KERAS, layout="keras", seed=seed),
            uniform_dist(math.sqrt(2.0 / (900 + 1080))),
        ),
        "lecun_normal/torch": (
            lambda seed: ti.lecun_normal(TORCH, seed=seed),
            normal_dist(1 / 20),
        ),
        "lecun_normal/keras/truncated": (
            lambda seed: ti.lecun_normal(KERAS, layout="keras", truncated=True, seed=seed),
            trunc_dist(1 / 30),
        ),
        "lecun_uniform/jax/batch": (
            lambda seed: ti.lecun_uniform(JAXB, layout="jax", batch_axis=0, seed=seed),
            uniform_dist(1 / 30),
        ),
        "variance_scaling/default": (
            lambda seed: ti.variance_scaling(TORCH, seed=seed),
            trunc_dist(1 / 20),
        ),
        "variance_scaling/fan_avg/uniform/keras": (
            lambda seed: ti.variance_scaling(
                KERAS, 3.0, "fan_avg", "uniform", layout="keras", seed=seed
            ),
            uniform_dist(math.sqrt(3.0 / 990)),
        ),
        "variance_scaling/fan_geo_avg/normal/jax": (
            lambda seed: ti.variance_scaling(
                JAXB, 2.0, "fan_geo_avg", "normal", layout="jax", batch_axis=0, seed=seed
            ),
            normal_dist(math.sqrt(2.0 / math.sqrt(900 * 540))),
        ),
        "variance_scaling/untruncated_normal/fan_out": (
            lambda seed: ti.variance_scaling(
                TORCH, 0.5, "fan_out", "untruncated_normal", seed=seed
            ),
            normal_dist(math.sqrt(0.5 / 500)),
        ),
    }


CASES = _cases()


def kurtosis(dist):
    return float(dist.stats(moments="k")) + 3.0


@pytest.mark.parametrize("name", sorted(CASES))
def test_distribution(name):
    call, dist = CASES[name]
    x = call(7).astype(np.float64).ravel()
    n = x.size
    assert n >= 100_000
    sd = float(dist.std())
    # Moments at 5 standard errors.
    assert abs(x.mean()) < Z * sd / math.sqrt(n)
    se_var = sd**2 * math.sqrt((kurtosis(dist) - 1.0) / n)
    assert abs(x.var() - sd**2) < Z * se_var
    # Support: never outside the exact bounds.
    lo, hi = dist.support()
    if np.isfinite(lo):
        assert x.min() >= lo and x.max() <= hi
    # The exact distribution.
    assert stats.kstest(x, dist.cdf).pvalue > P_MIN


TORCH_EQUIVALENTS = {
    # ours(seed) vs torch's in-place initializer of an empty (500, 400) tensor
    "kaiming_normal": (
        lambda seed: ti.kaiming_normal(TORCH, seed=seed),
        lambda nn, w: nn.init.kaiming_normal_(w),
    ),
    "kaiming_normal/fan_out/relu": (
        lambda seed: ti.kaiming_normal(TORCH, mode="fan_out", nonlinearity="relu", seed=seed),
        lambda nn, w: nn.init.kaiming_normal_(w, mode="fan_out", nonlinearity="relu"),
    ),
    "kaiming_uniform/sqrt5": (
        lambda seed: ti.kaiming_uniform(TORCH, a=math.sqrt(5), seed=seed),
        lambda nn, w: nn.init.kaiming_uniform_(w, a=math.sqrt(5)),
    ),
    "xavier_normal": (
        lambda seed: ti.xavier_normal(TORCH, 0.7, seed=seed),
        lambda nn, w: nn.init.xavier_normal_(w, 0.7),
    ),
    "xavier_uniform": (
        lambda seed: ti.xavier_uniform(TORCH, seed=seed),
        lambda nn, w: nn.init.xavier_uniform_(w),
    ),
    "lecun_normal": (
        lambda seed: ti.lecun_normal(TORCH, seed=seed),
        lambda nn, w: nn.init.kaiming_normal_(w, nonlinearity="linear"),
    ),
    "lecun_uniform": (
        lambda seed: ti.lecun_uniform(TORCH, seed=seed),
        lambda nn, w: nn.init.kaiming_uniform_(w, nonlinearity="linear"),
    ),
}


@pytest.mark.parametrize("name", sorted(TORCH_EQUIVALENTS))
def test_two_sample_ks_against_torch(name):
    torch = pytest.importorskip("torch")
    ours, theirs = TORCH_EQUIVALENTS[name]
    w = torch.empty(TORCH)
    with torch.random.fork_rng():
        torch.manual_seed(11)
        theirs(torch.nn, w)
    x = ours(3).ravel()
    y = w.numpy().ravel()
    assert stats.ks_2samp(x, y).pvalue > P_MIN


def test_keras_truncated_is_core_truncated_normal():
    # he_normal(layout="keras", truncated=True) is one core call with computed parameters.
    s = math.sqrt(2.0 / 900) / TRUNC
    got = ti.he_normal(KERAS, layout="keras", truncated=True, seed=5, stream="w")
    want = ti.truncated_normal(KERAS, 0.0, s, -2.0, 2.0, seed=5, stream="w")
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=0)


def test_torch_flavour_is_core_normal_and_uniform():
    sigma = math.sqrt(2.0) / math.sqrt(400)
    np.testing.assert_allclose(
        ti.kaiming_normal(TORCH, seed=1), ti.normal(TORCH, 0.0, sigma, seed=1), rtol=1e-6, atol=0
    )
    b = math.sqrt(6.0 / 900)
    np.testing.assert_allclose(
        ti.xavier_uniform(TORCH, seed=1), ti.uniform(TORCH, -b, b, seed=1), rtol=1e-6, atol=1e-9
    )


def test_aliases():
    assert ti.he_normal is ti.kaiming_normal
    assert ti.he_uniform is ti.kaiming_uniform
    assert ti.glorot_normal is ti.xavier_normal
    assert ti.glorot_uniform is ti.xavier_uniform
    assert ti.eye is ti.identity


# ---- region / out / dtype / determinism ----------------------------------------

FUNCS = [
    lambda **kw: ti.kaiming_normal((64, 48, 3), **kw),
    lambda **kw: ti.kaiming_uniform((64, 48, 3), **kw),
    lambda **kw: ti.xavier_normal((64, 48, 3), truncated=True, **kw),
    lambda **kw: ti.lecun_uniform((64, 48, 3), **kw),
    lambda **kw: ti.variance_scaling((64, 48, 3), 2.0, "fan_avg", "truncated_normal", **kw),
]


@pytest.mark.parametrize("f", FUNCS)
def test_region_is_the_slice_of_the_whole(f):
    full = f(seed=3, stream="layer")
    region = (slice(5, 40), slice(7, 8), slice(1, 3))
    part = f(seed=3, stream="layer", region=region)
    assert np.array_equal(part, full[region])


@pytest.mark.parametrize("f", FUNCS)
def test_out_and_dtypes(f):
    out = np.empty((64, 48, 3), dtype=np.float64)
    r = f(seed=4, dtype="float64", out=out)
    assert r is out
    assert np.array_equal(out, f(seed=4, dtype="float64"))
    pytest.importorskip("ml_dtypes")
    for dt in ("float16", "bfloat16", "float32"):
        x = f(seed=4, dtype=dt)
        assert x.dtype.name == dt and x.shape == (64, 48, 3)
    with pytest.raises(TypeError, match="out"):
        f(seed=4, dtype="float32", out=out)


def test_out_untouched_on_bad_arguments():
    out = np.full((8, 6), 7.0, dtype=np.float32)
    with pytest.raises(ValueError):
        ti.kaiming_normal((8, 6), mode="fan_sideways", out=out)
    with pytest.raises(ValueError):
        ti.variance_scaling((8, 6), distribution="cauchy", out=out)
    with pytest.raises(ValueError):
        ti.xavier_normal((8, 6), gain=-1.0, out=out)
    assert (out == 7.0).all()


def test_determinism_and_streams():
    a = ti.kaiming_normal((32, 16), seed=9, stream="a")
    assert np.array_equal(a, ti.kaiming_normal((32, 16), seed=9, stream="a"))
    assert not np.array_equal(a, ti.kaiming_normal((32, 16), seed=9, stream="b"))
    assert not np.array_equal(a, ti.kaiming_normal((32, 16), seed=10, stream="a"))


def test_thread_count_does_not_change_bits(restore_threads):
    ti.set_num_threads(1)
    one = ti.xavier_normal((300, 700), truncated=True, seed=2)
    ti.set_num_threads(3)
    three = ti.xavier_normal((300, 700), truncated=True, seed=2)
    assert np.array_equal(one, three)


# ---- shapes and bad input ------------------------------------------------------


@pytest.mark.parametrize(
    "f",
    [
        ti.kaiming_normal,
        ti.kaiming_uniform,
        ti.xavier_normal,
        ti.xavier_uniform,
        ti.lecun_normal,
        ti.lecun_uniform,
        ti.variance_scaling,
    ],
)
def test_rank_rules(f):
    for shape in [(), (5,)]:
        with pytest.raises(ValueError, match="fewer than 2 dimensions"):
            f(shape, seed=0)
        with pytest.raises(ValueError, match="at least 2D"):
            f(shape, layout="jax", seed=0)
    # Keras: rank 1 -> fans (n, n), rank 0 -> (1, 1).
    assert f((5,), layout="keras", seed=0).shape == (5,)
    assert f((), layout="keras", seed=0).shape == ()


def test_keras_rank_one_and_zero_values():
    # rank 0: n = 1, so He normal (truncated) has s = sqrt(2) / 0.8796 and |x| <= 2 s.
    x = ti.he_normal((), layout="keras", truncated=True, seed=1)
    assert abs(float(x)) <= 2 * math.sqrt(2.0) / TRUNC
    # rank 1 (n,): fan_in = fan_out = n.
    v = ti.lecun_uniform((100_000,), layout="keras", seed=1)
    assert v.min() >= -math.sqrt(3 / 100_000) and v.max() < math.sqrt(3 / 100_000)


@pytest.mark.parametrize(
    "shape, layout",
    [
        ((0, 5), "torch"),
        ((5, 0, 3), "torch"),
        ((0,), "keras"),
        ((3, 3, 0, 8), "keras"),
        ((0, 0), "jax"),
    ],
)
def test_zero_size_dims_give_empty_arrays(shape, layout):
    # n = 0 counts as max(1, n) = 1 (Keras's rule): the result is simply empty.
    for f in (ti.kaiming_normal, ti.xavier_uniform, ti.lecun_normal, ti.variance_scaling):
        x = f(shape, layout=layout, seed=0)
        assert x.shape == shape and x.size == 0
    x = ti.variance_scaling(shape, mode="fan_geo_avg", layout=layout, seed=0)
    assert x.shape == shape


def test_unknown_names():
    with pytest.raises(
        ValueError, match="mode: expected one of 'fan_in', 'fan_out', 'fan_avg', 'fan_geo_avg'"
    ):
        ti.variance_scaling((4, 4), mode="fan_max")
    with pytest.raises(
        ValueError, match="distribution: expected one of 'truncated_normal', 'normal'"
    ):
        ti.variance_scaling((4, 4), distribution="gaussian")
    with pytest.raises(ValueError, match="layout: expected one of"):
        ti.kaiming_uniform((4, 4), layout="tf")
    with pytest.raises(ValueError, match="Unsupported nonlinearity 'swish'"):
        ti.kaiming_normal((4, 4), nonlinearity="swish")
    with pytest.raises(ValueError, match="negative_slope True not a valid number"):
        ti.kaiming_normal((4, 4), a=True)


def test_mode_is_case_insensitive_like_torch():
    assert np.array_equal(
        ti.kaiming_normal((6, 4), mode="FAN_OUT", seed=1),
        ti.kaiming_normal((6, 4), mode="fan_out", seed=1),
    )


@pytest.mark.parametrize("scale", [0.0, -1.0, math.inf, math.nan])
def test_bad_scale(scale):
    with pytest.raises(ValueError, match="scale"):
        ti.variance_scaling((4, 4), scale)


@pytest.mark.parametrize("gain", [-0.5, math.inf, math.nan])
def test_bad_gain(gain):
    with pytest.raises(ValueError, match="gain"):
        ti.xavier_normal((4, 4), gain)


def test_zero_gain_gives_zeros():
    assert not ti.xavier_uniform((4, 4), 0.0, seed=0).any()
    assert not ti.xavier_normal((4, 4), 0.0, truncated=True, seed=0).any()


# ---- deterministic fills -------------------------------------------------------


@pytest.mark.parametrize("dtype", ["float64", "float32", "float16", "bfloat16"])
def test_constants(dtype):
    if dtype == "bfloat16":
        pytest.importorskip("ml_dtypes")
    z = ti.zeros((3, 4), dtype=dtype)
    o = ti.ones((3, 4), dtype=dtype)
    c = ti.constant((3, 4), 0.1, dtype=dtype)
    r = ti.relu_bias(5, dtype=dtype)
    assert z.dtype.name == dtype and (z.astype(np.float64) == 0).all()
    assert (o.astype(np.float64) == 1).all()
    # 0.1 rounded once, to nearest, from float64.
    assert (c == np.asarray(0.1).astype(c.dtype)).all()
    assert (r.astype(np.float64) == float(np.asarray(0.001).astype(r.dtype))).all()


def test_constant_out_region():
    out = np.full((2, 3), 5.0, dtype=np.float32)
    assert ti.constant((10, 3), -2.5, out=out, region=(slice(4, 6),)) is out
    assert (out == -2.5).all()
    with pytest.raises(ValueError, match="out: has shape"):
        ti.zeros((10, 3), out=out)


def test_constant_bad_values():
    with pytest.raises(OverflowError, match="float16"):
        ti.constant(3, 1e6, dtype="float16")
    with pytest.raises(ValueError, match="value: must be finite"):
        ti.constant(3, math.nan)
    with pytest.raises(TypeError, match="value"):
        ti.constant(3, "1")


def test_seed_and_stream_are_validated_but_ignored():
    assert np.array_equal(ti.ones(3, seed=1, stream="x"), ti.ones(3))
    with pytest.raises(ValueError, match="seed"):
        ti.zeros(3, seed=-1)
    with pytest.raises(TypeError, match="stream"):
        ti.identity((2, 2), stream=1.5)


@pytest.mark.parametrize("shape", [(3, 5), (5, 3), (4, 4), (1, 7), (0, 3)])
def test_identity_matches_torch_eye(shape):
    torch = pytest.importorskip("torch")
    w = torch.empty(shape)
    torch.nn.init.eye_(w)
    assert np.array_equal(ti.identity(shape), w.numpy())
    assert np.array_equal(ti.identity(shape, 2.5), 2.5 * np.eye(*shape, dtype=np.float32))


def test_identity_region_and_rank():
    full = ti.identity((7, 9), 3.0)
    assert np.array_equal(full, 3.0 * np.eye(7, 9, dtype=np.float32))
    for region in [(slice(2, 5), slice(1, 8)), (slice(6, 7),), (slice(0, 3), slice(5, 9))]:
        assert np.array_equal(ti.identity((7, 9), 3.0, region=region), full[region])
    for bad in [(3,), (2, 2, 2)]:
        with pytest.raises(ValueError, match="2-dimensional"):
            ti.eye(bad)


DIRAC = [
    ((4, 2, 3), 1),
    ((6, 6, 4), 2),
    ((3, 5, 3, 3), 1),
    ((8, 2, 2, 5), 4),
    ((6, 1, 3, 3), 3),  # depthwise
    ((4, 4, 3, 2, 5), 2),
    ((2, 5, 1, 1, 1), 1),
]


@pytest.mark.parametrize("shape, groups", DIRAC)
def test_dirac_matches_torch(shape, groups):
    torch = pytest.importorskip("torch")
    w = torch.empty(shape)
    torch.nn.init.dirac_(w, groups)
    assert np.array_equal(ti.dirac(shape, groups), w.numpy())


def test_dirac_rule_without_torch():
    w = ti.dirac((6, 3, 4, 5), groups=2, gain=0.5, dtype="float64")
    expected = np.zeros((6, 3, 4, 5))
    for g in range(2):
        for d in range(3):
            expected[g * 3 + d, d, 2, 2] = 0.5  # centre k // 2
    assert np.array_equal(w, expected)


@pytest.mark.parametrize("shape, groups", DIRAC)
def test_dirac_region(shape, groups):
    full = ti.dirac(shape, groups)
    region = tuple(slice(1, max(1, n - 1)) for n in shape)
    assert np.array_equal(ti.dirac(shape, groups, region=region), full[region])
    out = np.full(full[region].shape, 9.0, dtype=np.float32)
    assert ti.dirac(shape, groups, region=region, out=out) is out
    assert np.array_equal(out, full[region])


def test_dirac_bad_input():
    with pytest.raises(ValueError, match="3-, 4- or 5-dimensional"):
        ti.dirac((3, 3))
    with pytest.raises(ValueError, match="3-, 4- or 5-dimensional"):
        ti.dirac((1, 1, 1, 1, 1, 1))
    with pytest.raises(ValueError, match="divisible by groups"):
        ti.dirac((6, 2, 3), groups=4)
    with pytest.raises(ValueError, match="groups: must be >= 1"):
        ti.dirac((6, 2, 3), groups=0)
    with pytest.raises(TypeError, match="groups"):
        ti.dirac((6, 2, 3), groups=2.0)
    # A zero-size kernel: nothing to place, an empty array (PyTorch raises IndexError).
    assert ti.dirac((4, 3, 0)).shape == (4, 3, 0)
