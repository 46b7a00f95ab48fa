"""turboinit.torch: each function against its torch.nn.init twin.

* in place: the same object comes back, its data_ptr, shape and dtype unchanged;
* distribution: two-sample KS test between our values and torch.nn.init's
  (torch.manual_seed fixed), p > 1e-4; deterministic fills (constants, eye,
  dirac) are compared for exact equality;
* the values are those of the NumPy API (bit for bit) under the same seed and
  stream, for every dtype, also for non-contiguous tensors;
* the same exception types as torch for the same bad inputs.
Seeds are fixed; every threshold is stated here, none tuned to a run.
"""

from __future__ import annotations

import math
import subprocess
import sys
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")
stats = pytest.importorskip("scipy.stats")

import turboinit as ti  # noqa: E402
import turboinit.torch as tt  # noqa: E402

P_MIN = 1e-4
SEED = 1234

TORCH_DTYPES = {
    "float32": torch.float32,
    "float64": torch.float64,
    "float16": torch.float16,
    "bfloat16": torch.bfloat16,
}


def ours_vs_torch(name, shape, kwargs, dtype=torch.float32):
    """(ours, torch's) values of ``name`` on fresh tensors, as float64 arrays."""
    mine = torch.empty(shape, dtype=dtype)
    ptr = mine.data_ptr()
    out = getattr(tt, name)(mine, **kwargs, generator=SEED)
    assert out is mine and mine.data_ptr() == ptr
    assert tuple(mine.shape) == tuple(shape) and mine.dtype == dtype
    torch.manual_seed(SEED)
    ref = getattr(torch.nn.init, name)(torch.empty(shape, dtype=dtype), **kwargs)
    return mine.double().numpy().ravel(), ref.double().numpy().ravel()


# (function, shape, kwargs): 20 000 to 40 000 samples each.
RANDOM_CASES = [
    ("uniform_", (200, 100), {"a": -0.5, "b": 2.0}),
    ("normal_", (200, 100), {"mean": 1.0, "std": 0.5}),
    ("trunc_normal_", (200, 100), {}),
    ("trunc_normal_", (200, 100), {"mean": 0.1, "std": 0.3, "a": -0.2, "b": 0.5}),
    ("trunc_normal_", (200, 100), {"std": 0.02}),  # absolute bounds +-2: untruncated
    ("trunc_normal_", (200, 100), {"mean": 0.0, "std": 1.0, "a": 1.5, "b": 4.0}),  # tail
    ("xavier_uniform_", (300, 100), {"gain": 2.0}),
    ("xavier_normal_", (64, 32, 3, 3), {}),
    ("kaiming_uniform_", (64, 32, 3, 3), {"a": math.sqrt(5)}),
    ("kaiming_uniform_", (200, 100), {"nonlinearity": "tanh", "mode": "FAN_OUT"}),
    ("kaiming_normal_", (64, 32, 3, 3), {"mode": "fan_out", "nonlinearity": "relu"}),
    ("kaiming_normal_", (200, 100), {"a": 0.2}),
    ("sparse_", (100, 300), {"sparsity": 0.3, "std": 0.5}),
]


@pytest.mark.parametrize("name,shape,kwargs", RANDOM_CASES, ids=lambda v: str(v))
def test_distribution_matches_torch(name, shape, kwargs):
    ours, ref = ours_vs_torch(name, shape, kwargs)
    assert stats.ks_2samp(ours, ref).pvalue > P_MIN


@pytest.mark.parametrize("dtype", ["float64", "float16", "bfloat16"])
@pytest.mark.parametrize(
    "name,shape,kwargs",
    [
        ("uniform_", (200, 100), {"a": -1.0, "b": 1.0}),
        ("normal_", (200, 100), {"std": 2.0}),
        ("trunc_normal_", (200, 100), {"std": 0.5, "a": -0.6, "b": 0.9}),
        ("kaiming_uniform_", (200, 100), {}),
        ("xavier_normal_", (200, 100), {}),
    ],
    ids=lambda v: str(v),
)
def test_distribution_matches_torch_other_dtypes(name, shape, kwargs, dtype):
    # Rounded to 16-bit types both are discrete; KS stays valid (conservative with ties).
    ours, ref = ours_vs_torch(name, shape, kwargs, TORCH_DTYPES[dtype])
    assert stats.ks_2samp(ours, ref).pvalue > P_MIN


@pytest.mark.parametrize("shape", [(60, 40), (40, 60), (16, 4, 3, 3)])
def test_orthogonal_matches_torch(shape):
    ours, ref = ours_vs_torch("orthogonal_", shape, {"gain": 1.5}, torch.float64)
    assert stats.ks_2samp(ours, ref).pvalue > P_MIN
    w = ours.reshape(shape[0], -1) / 1.5
    gram = w @ w.T if w.shape[0] <= w.shape[1] else w.T @ w
    np.testing.assert_allclose(gram, np.eye(gram.shape[0]), atol=1e-12)


# ---- exact equality with the NumPy API and with torch's deterministic fills --

SAME_AS_NUMPY = [
    ("uniform_", {"a": -0.5, "b": 2.0}, lambda s, **k: ti.uniform(s, -0.5, 2.0, **k)),
    ("normal_", {"mean": 1.0, "std": 0.5}, lambda s, **k: ti.normal(s, 1.0, 0.5, **k)),
    (
        "trunc_normal_",
        {"mean": 0.5, "std": 2.0, "a": -1.5, "b": 4.5},
        lambda s, **k: ti.truncated_normal(s, 0.5, 2.0, -1.0, 2.0, **k),
    ),
    ("xavier_uniform_", {"gain": 0.5}, lambda s, **k: ti.xavier_uniform(s, 0.5, **k)),
    ("xavier_normal_", {}, lambda s, **k: ti.xavier_normal(s, **k)),
    (
        "kaiming_uniform_",
        {"a": math.sqrt(5)},
        lambda s, **k: ti.kaiming_uniform(s, math.sqrt(5), **k),
    ),
    (
        "kaiming_normal_",
        {"mode": "fan_out", "nonlinearity": "relu"},
        lambda s, **k: ti.kaiming_normal(s, 0.0, "fan_out", "relu", **k),
    ),
    ("sparse_", {"sparsity": 0.25}, lambda s, **k: ti.sparse(s, 0.25, **k)),
    ("orthogonal_", {"gain": 2.0}, lambda s, **k: ti.orthogonal(s, 2.0, **k)),
]


def bits(t):
    """The raw bits of a tensor (as a NumPy integer array)."""
    ints = {2: torch.int16, 4: torch.int32, 8: torch.int64}[t.element_size()]
    return t.contiguous().view(ints).numpy()


# Ids from the name and arguments only: a lambda's repr holds its address, which differs
# between processes, so pytest-xdist workers would collect different tests.
SAME_AS_NUMPY_IDS = [f"{name}-{kwargs}" for name, kwargs, _ in SAME_AS_NUMPY]


@pytest.mark.parametrize("dtype", list(TORCH_DTYPES))
@pytest.mark.parametrize("name,kwargs,numpy_call", SAME_AS_NUMPY, ids=SAME_AS_NUMPY_IDS)
def test_in_place_equals_numpy_api(name, kwargs, numpy_call, dtype):
    shape = (24, 40)
    t = torch.full(shape, 7.0, dtype=TORCH_DTYPES[dtype])
    ptr = t.data_ptr()
    assert getattr(tt, name)(t, **kwargs, generator=SEED, stream="layer.weight") is t
    assert t.data_ptr() == ptr
    ref = numpy_call(shape, seed=SEED, stream="layer.weight", dtype=dtype)
    assert (bits(t) == ref.view(bits(t).dtype)).all()


@pytest.mark.parametrize("dtype", list(TORCH_DTYPES))
@pytest.mark.parametrize("name,kwargs,numpy_call", SAME_AS_NUMPY, ids=SAME_AS_NUMPY_IDS)
def test_non_contiguous_equals_contiguous(name, kwargs, numpy_call, dtype):
    tdt = TORCH_DTYPES[dtype]
    contiguous = getattr(tt, name)(torch.empty(24, 40, dtype=tdt), **kwargs, generator=SEED)
    transposed = torch.empty(40, 24, dtype=tdt).t()
    assert not transposed.is_contiguous()
    assert getattr(tt, name)(transposed, **kwargs, generator=SEED) is transposed
    assert (bits(transposed) == bits(contiguous)).all()
    # A strided view writes only its own elements of the base tensor.
    base = torch.full((24, 81), 5.0, dtype=tdt)
    view = base[:, 1::2]
    getattr(tt, name)(view, **kwargs, generator=SEED)
    assert (bits(view) == bits(contiguous)).all()
    assert (base[:, 0::2] == 5.0).all()


@pytest.mark.parametrize("dtype", list(TORCH_DTYPES))
def test_constant_fills_equal_torch(dtype):
    tdt = TORCH_DTYPES[dtype]
    for ours, ref in [
        (
            tt.constant_(torch.empty(5, 7, dtype=tdt), 0.3),
            torch.nn.init.constant_(torch.empty(5, 7, dtype=tdt), 0.3),
        ),
        (tt.ones_(torch.empty(5, 7, dtype=tdt)), torch.nn.init.ones_(torch.empty(5, 7, dtype=tdt))),
        (
            tt.zeros_(torch.empty(5, 7, dtype=tdt)),
            torch.nn.init.zeros_(torch.empty(5, 7, dtype=tdt)),
        ),
        (tt.eye_(torch.empty(5, 7, dtype=tdt)), torch.nn.init.eye_(torch.empty(5, 7, dtype=tdt))),
        (tt.eye_(torch.empty(7, 5, dtype=tdt)), torch.nn.init.eye_(torch.empty(7, 5, dtype=tdt))),
    ]:
        assert torch.equal(ours, ref)


@pytest.mark.parametrize(
    "shape,groups",
    [((4, 2, 3), 1), ((6, 3, 4, 4), 1), ((8, 2, 3, 3), 2), ((6, 4, 2, 3, 5), 3), ((4, 6, 1), 2)],
)
def test_dirac_equals_torch(shape, groups):
    ours = tt.dirac_(torch.full(shape, 9.0), groups)
    assert torch.equal(ours, torch.nn.init.dirac_(torch.empty(shape), groups))
    # and for a non-contiguous tensor of the same logical shape
    perm = torch.empty(tuple(reversed(shape))).permute(*reversed(range(len(shape))))
    assert torch.equal(tt.dirac_(perm, groups), ours)


def test_constant_on_integer_tensors_is_torch_fill():
    counter = torch.full((3,), 5, dtype=torch.int64)
    assert tt.zeros_(counter) is counter and counter.tolist() == [0, 0, 0]
    assert tt.constant_(counter, 4).tolist() == [4, 4, 4]


def test_calculate_gain_equals_torch():
    for nl in ["linear", "conv2d", "conv_transpose3d", "sigmoid", "tanh", "relu", "selu"]:
        assert tt.calculate_gain(nl) == torch.nn.init.calculate_gain(nl)
    for p in [None, 0.0, 0.2, 3]:
        assert tt.calculate_gain("leaky_relu", p) == torch.nn.init.calculate_gain("leaky_relu", p)


# ---- the same exceptions for the same bad input ------------------------------

BAD_INPUTS = [
    ("kaiming_uniform_", (5,), {}),  # fans need >= 2 dimensions
    ("kaiming_normal_", (5,), {}),
    ("xavier_uniform_", (5,), {}),
    ("xavier_normal_", (), {}),
    ("kaiming_normal_", (4, 4), {"nonlinearity": "swish"}),
    ("kaiming_uniform_", (4, 4), {"mode": "fan_avg"}),
    ("kaiming_uniform_", (4, 4), {"a": True}),  # a bool slope
    ("eye_", (2, 3, 4), {}),
    ("eye_", (3,), {}),
    ("dirac_", (3, 3), {}),
    ("dirac_", (3, 3, 3, 3, 3, 3), {}),
    ("dirac_", (4, 2, 3), {"groups": 3}),  # 4 % 3 != 0
    ("sparse_", (3, 3, 3), {"sparsity": 0.1}),
    ("sparse_", (3,), {"sparsity": 0.1}),
    ("orthogonal_", (3,), {}),
]


@pytest.mark.parametrize("name,shape,kwargs", BAD_INPUTS, ids=lambda v: str(v))
def test_same_exceptions_as_torch(name, shape, kwargs):
    with pytest.raises(Exception) as theirs:
        getattr(torch.nn.init, name)(torch.empty(shape), **kwargs)
    with pytest.raises(Exception) as ours:
        getattr(tt, name)(torch.empty(shape), **kwargs)
    assert type(ours.value) is type(theirs.value) is ValueError


@pytest.mark.parametrize("args", [("swish",), ("leaky_relu", True), ("leaky_relu", "0.1")])
def test_calculate_gain_errors_as_torch(args):
    with pytest.raises(ValueError):
        torch.nn.init.calculate_gain(*args)
    with pytest.raises(ValueError):
        tt.calculate_gain(*args)


@pytest.mark.parametrize("name", ["kaiming_uniform_", "kaiming_normal_"])
def test_zero_element_warns_as_torch(name):
    for fn in (getattr(torch.nn.init, name), getattr(tt, name)):
        with pytest.warns(UserWarning, match="zero-element"):
            fn(torch.empty(0, 5))


@pytest.mark.parametrize(
    "call",
    [
        lambda t: tt.uniform_(t, 1.0, 0.0),  # torch: RuntimeError; here ValueError
        lambda t: tt.normal_(t, 0.0, -1.0),
        lambda t: tt.trunc_normal_(t, 0.0, 1.0, 1.0, -1.0),
        lambda t: tt.trunc_normal_(t, 0.0, -1.0),
        lambda t: tt.trunc_normal_(t, 5.0, 0.0, -1.0, 1.0),  # std 0, mean outside [a, b]
        lambda t: tt.xavier_uniform_(t, gain=float("nan")),
    ],
)
def test_bad_parameters_raise_value_error(call):
    t = torch.full((4, 4), 3.0)
    with pytest.raises(ValueError):
        call(t)
    assert (t == 3.0).all()  # nothing written


def test_unsupported_tensors():
    with pytest.raises(TypeError, match="dtype"):
        tt.normal_(torch.empty(3, dtype=torch.int32))
    with pytest.raises(TypeError, match="dtype"):
        tt.kaiming_uniform_(torch.empty(3, 3, dtype=torch.int64))  # complex: supported
    with pytest.raises(TypeError, match="torch.Tensor"):
        tt.normal_(np.empty(3))
    with pytest.raises(TypeError, match="strided"):
        tt.normal_(torch.empty(3, 3).to_sparse())


# ---- trunc_normal_'s absolute bounds ------------------------------------------


@pytest.mark.parametrize("dtype", list(TORCH_DTYPES))
def test_trunc_normal_absolute_bounds(dtype):
    t = tt.trunc_normal_(
        torch.empty(200, 200, dtype=TORCH_DTYPES[dtype]), 0.1, 0.3, -0.2, 0.5, generator=1
    )
    lo = torch.tensor(-0.2, dtype=t.dtype)
    hi = torch.tensor(0.5, dtype=t.dtype)
    assert (t >= lo).all() and (t <= hi).all()


def test_trunc_normal_exact_distribution():
    x = tt.trunc_normal_(torch.empty(40000, dtype=torch.float64), 0.1, 0.3, -0.2, 0.5, generator=2)
    a, b = (-0.2 - 0.1) / 0.3, (0.5 - 0.1) / 0.3
    assert stats.kstest(x.numpy(), stats.truncnorm(a, b, loc=0.1, scale=0.3).cdf).pvalue > P_MIN


def test_trunc_normal_std_zero():
    # PyTorch divides by zero here; every value is the mean when it lies in [a, b].
    t = tt.trunc_normal_(torch.empty(10), 0.25, 0.0, -1.0, 1.0, generator=0)
    assert (t == 0.25).all()


# ---- generators and seeds ------------------------------------------------------


def test_int_seed_and_stream():
    a = tt.normal_(torch.empty(100), generator=7, stream="x")
    assert torch.equal(a, tt.normal_(torch.empty(100), generator=7, stream="x"))
    assert not torch.equal(a, tt.normal_(torch.empty(100), generator=7, stream="y"))
    assert not torch.equal(a, tt.normal_(torch.empty(100), generator=8, stream="x"))
    ss = np.random.SeedSequence(7)
    assert torch.equal(a, tt.normal_(torch.empty(100), generator=ss, stream="x"))


def test_torch_generator_is_followed_and_advanced():
    g = torch.Generator().manual_seed(3)
    state = g.get_state()
    a = tt.uniform_(torch.empty(100), generator=g)
    b = tt.uniform_(torch.empty(100), generator=g)
    assert not torch.equal(a, b)  # the generator advanced
    g.set_state(state)
    assert torch.equal(a, tt.uniform_(torch.empty(100), generator=g))
    assert not torch.equal(
        a, tt.uniform_(torch.empty(100), generator=torch.Generator().manual_seed(4))
    )


def test_default_generator_follows_manual_seed():
    torch.manual_seed(11)
    a = tt.kaiming_normal_(torch.empty(50, 20))
    b = tt.kaiming_normal_(torch.empty(50, 20))
    torch.manual_seed(11)
    assert torch.equal(a, tt.kaiming_normal_(torch.empty(50, 20)))
    assert not torch.equal(a, b)


def test_generator_objects_with_integers():
    a = tt.normal_(torch.empty(100), generator=np.random.default_rng(5))
    assert torch.equal(a, tt.normal_(torch.empty(100), generator=np.random.default_rng(5)))
    random = pytest.importorskip("turboinit.random")
    if not hasattr(random, "Generator"):
        pytest.skip("turboinit.random.Generator not in this build")
    b = tt.normal_(torch.empty(100), generator=random.Generator(5))
    assert torch.equal(b, tt.normal_(torch.empty(100), generator=random.Generator(5)))


@pytest.mark.parametrize(
    "bad,exc", [(-1, ValueError), (True, TypeError), ("0", TypeError), (1.5, TypeError)]
)
def test_bad_generator(bad, exc):
    with pytest.raises(exc, match="generator"):
        tt.normal_(torch.empty(3), generator=bad)


# ---- autograd, meta, other devices -------------------------------------------


def test_requires_grad_leaf_like_torch():
    w = torch.nn.Parameter(torch.empty(8, 4))
    v = w._version
    assert tt.xavier_uniform_(w, generator=0) is w
    assert w.requires_grad and w.grad_fn is None and w._version > v
    # A tensor saved for backward and then re-initialised is caught, as with torch.nn.init.
    w2 = torch.nn.Parameter(torch.ones(3))
    y = (w2 * w2).sum()
    tt.normal_(w2, generator=0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()


def test_meta_tensors_are_left_alone_but_checked():
    m = torch.empty(4, 3, device="meta")
    for fn in (
        tt.uniform_,
        tt.normal_,
        tt.trunc_normal_,
        tt.kaiming_uniform_,
        tt.xavier_normal_,
        tt.zeros_,
    ):
        assert fn(m) is m
    assert tt.dirac_(torch.empty(4, 2, 3, device="meta")) is not None
    assert tt.sparse_(m, 0.5) is m
    with pytest.raises(ValueError):
        tt.kaiming_normal_(torch.empty(4, device="meta"))
    with pytest.raises(ValueError):
        tt.uniform_(m, 1.0, 0.0)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device")
def test_cuda_tensor_gets_the_cpu_values():
    g = tt.normal_(torch.empty(64, 32, device="cuda"), generator=3)
    assert torch.equal(g.cpu(), tt.normal_(torch.empty(64, 32), generator=3))


def test_import_turboinit_does_not_import_torch():
    code = "import sys, turboinit; assert 'torch' not in sys.modules, 'torch imported'"
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def test_clear_import_error_without_torch():
    code = (
        "import sys; sys.modules['torch'] = None\n"
        "try:\n    import turboinit.torch\n"
        "except ImportError as e:\n    assert 'needs PyTorch' in str(e), e\n"
        "else:\n    raise SystemExit('no ImportError')\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def test_no_warnings_for_ordinary_calls():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tt.trunc_normal_(torch.empty(10, 10), mean=5.0, std=1.0, a=-2.0, b=2.0, generator=0)


def test_trunc_normal_accepts_wide_finite_bounds_on_float16():
    # torch accepts a=-1e5, b=1e5 on a float16 tensor; the shared overflow check
    # refused bounds beyond float16 that the samples cannot reach (issue 13).
    w = torch.empty(1000, dtype=torch.float16)
    tt.trunc_normal_(w, a=-1e5, b=1e5, generator=3)
    ref = torch.empty(1000, dtype=torch.float16)
    tt.trunc_normal_(ref, a=-math.inf, b=math.inf, generator=3)
    assert torch.isfinite(w).all() and torch.equal(w, ref)
