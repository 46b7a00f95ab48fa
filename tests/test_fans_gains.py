"""calculate_gain and compute_fans against PyTorch's own functions (when torch
is installed) and against the Keras and JAX rules, re-implemented here from
REFERENCE.md independently of the library."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import turboinit as ti

NAMES = [
    "linear",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
    "sigmoid",
    "tanh",
    "relu",
    "leaky_relu",
    "selu",
]

SHAPES = [
    (7, 5),
    (1, 1),
    (16, 3, 5),
    (64, 32, 3, 3),
    (8, 4, 2, 3, 5),
    (3, 9, 1, 1, 1),
]


# ---- independent re-implementations of REFERENCE.md ------------------------------


def ref_gain(name, param=None):
    table = {"sigmoid": 1.0, "tanh": 5.0 / 3, "relu": math.sqrt(2.0), "selu": 0.75}
    if name.startswith("conv") or name == "linear":
        return 1.0
    if name == "leaky_relu":
        slope = 0.01 if param is None else param
        return math.sqrt(2.0 / (1.0 + slope * slope))
    return table[name]


def keras_fans(shape):
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    rf = int(np.prod(shape[:-2]))
    return shape[-2] * rf, shape[-1] * rf


def jax_fans(shape, in_axis=-2, out_axis=-1, batch_axis=()):
    # JAX's arithmetic: the receptive field by division, in floating point.
    def size(axes):
        axes = (axes,) if isinstance(axes, int) else axes
        return math.prod(shape[a] for a in axes)

    rf = math.prod(shape) / size(in_axis) / size(out_axis) / size(batch_axis)
    return size(in_axis) * rf, size(out_axis) * rf


# ---- gains ---------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_gain_table(name):
    assert ti.calculate_gain(name) == pytest.approx(ref_gain(name), rel=1e-15)


@pytest.mark.parametrize("param", [None, 0, 0.0, 0.2, 1, -0.5, 3, 1e-8, np.float64(0.3)])
def test_leaky_relu_param(param):
    assert ti.calculate_gain("leaky_relu", param) == pytest.approx(
        ref_gain("leaky_relu", None if param is None else float(param)), rel=1e-15
    )


def test_param_ignored_for_other_nonlinearities():
    assert ti.calculate_gain("relu", 0.7) == math.sqrt(2.0)
    assert ti.calculate_gain("tanh", True) == 5.0 / 3


@pytest.mark.parametrize("bad", [True, False, "0.2", [0.2], 1j])
def test_leaky_relu_bad_param(bad):
    with pytest.raises(ValueError, match="negative_slope .* not a valid number"):
        ti.calculate_gain("leaky_relu", bad)


@pytest.mark.parametrize("bad", ["softmax", "ReLU", "", None, 3, "gelu"])
def test_unknown_nonlinearity(bad):
    with pytest.raises(ValueError, match="Unsupported nonlinearity") as e:
        ti.calculate_gain(bad)
    assert "'leaky_relu'" in str(e.value)  # lists what is accepted


def test_gains_match_torch():
    torch = pytest.importorskip("torch")
    for name in NAMES:
        assert ti.calculate_gain(name) == torch.nn.init.calculate_gain(name)
    for p in [None, 0, 0.2, 1, -0.5, 3]:
        assert ti.calculate_gain("leaky_relu", p) == torch.nn.init.calculate_gain("leaky_relu", p)
    for name, p in [("softmax", None), ("leaky_relu", True), ("leaky_relu", "x")]:
        with pytest.raises(ValueError) as ours:
            ti.calculate_gain(name, p)
        with pytest.raises(ValueError) as theirs:
            torch.nn.init.calculate_gain(name, p)
        if name == "leaky_relu":
            assert str(ours.value) == str(theirs.value)
        else:  # ours quotes the name and lists the accepted ones
            assert str(theirs.value).startswith("Unsupported nonlinearity")
            assert str(ours.value).startswith("Unsupported nonlinearity 'softmax'")


# ---- fans: torch ---------------------------------------------------------------


@pytest.mark.parametrize("shape", SHAPES)
def test_torch_fans_match_torch(shape):
    torch = pytest.importorskip("torch")
    expected = torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))
    assert ti.compute_fans(shape) == expected
    assert ti.compute_fans(shape, "torch") == expected


def test_torch_fans_of_real_layers():
    torch = pytest.importorskip("torch")
    nn = torch.nn
    layers = [
        nn.Linear(10, 20),
        nn.Conv1d(4, 6, 5),
        nn.Conv2d(8, 16, 3, groups=4),
        nn.Conv2d(12, 12, (3, 5), groups=12),  # depthwise
        nn.Conv3d(2, 4, (1, 2, 3)),
        nn.ConvTranspose2d(6, 9, 4, groups=3),
    ]
    for layer in layers:
        w = layer.weight
        assert ti.compute_fans(tuple(w.shape)) == nn.init._calculate_fan_in_and_fan_out(w)


def test_torch_rules_without_torch():
    # (out, in/groups, *kernel): fan_out ignores the groups.
    assert ti.compute_fans((16, 2, 3, 3)) == (18, 144)
    assert ti.compute_fans((5, 7)) == (7, 5)


@pytest.mark.parametrize("shape", [(), (5,), 5])
def test_torch_rank_below_two(shape):
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        ti.compute_fans(shape)


# ---- fans: keras ---------------------------------------------------------------


@pytest.mark.parametrize("shape", SHAPES + [(), (6,), (0,), (3, 0), (2, 0, 4, 5)])
def test_keras_fans(shape):
    assert ti.compute_fans(shape, "keras") == keras_fans(shape)


@settings(max_examples=60, deadline=None, derandomize=True, database=None)
@given(st.lists(st.integers(1, 9), min_size=2, max_size=5))
def test_torch_and_keras_layouts_agree(shape):
    # torch (out, in, *k) and keras (*k, in, out) describe the same layer.
    out, in_, *kernel = shape
    assert ti.compute_fans(tuple(shape), "torch") == ti.compute_fans((*kernel, in_, out), "keras")


# ---- fans: jax -----------------------------------------------------------------

JAX_CASES = [
    ((7, 5), {}),
    ((3, 3, 16, 32), {}),
    ((16, 32, 3, 3), {"in_axis": 1, "out_axis": 0}),
    ((8, 3, 3, 16, 32), {"batch_axis": 0}),
    ((8, 3, 3, 16, 32), {"batch_axis": (0,)}),
    ((4, 6, 8, 10), {"in_axis": (0, 1), "out_axis": -1}),
    ((4, 6, 8, 10), {"in_axis": -2, "out_axis": (-1, 0)}),
    ((2, 3, 4, 5, 6), {"in_axis": 1, "out_axis": 3, "batch_axis": (0, 4)}),
]


@pytest.mark.parametrize("shape, axes", JAX_CASES)
def test_jax_fans(shape, axes):
    got = ti.compute_fans(shape, "jax", **axes)
    want = jax_fans(shape, **axes)
    assert got == want
    assert all(isinstance(f, int) for f in got)


def test_jax_default_equals_keras_from_rank_two():
    for shape in SHAPES:
        assert ti.compute_fans(shape, "jax") == ti.compute_fans(shape, "keras")


@pytest.mark.parametrize("shape", [(), (4,)])
def test_jax_rank_below_two(shape):
    with pytest.raises(ValueError, match="at least 2D"):
        ti.compute_fans(shape, "jax")


@pytest.mark.parametrize(
    "axes, match",
    [
        ({"in_axis": 4}, "out of range"),
        ({"out_axis": -5}, "out of range"),
        ({"in_axis": -1}, "different axes"),
        ({"batch_axis": -2}, "different axes"),
        ({"in_axis": (0, 0)}, "repeats"),
        ({"in_axis": ()}, "at least one axis"),
    ],
)
def test_jax_bad_axes(axes, match):
    with pytest.raises(ValueError, match=match):
        ti.compute_fans((2, 3, 4, 5), "jax", **axes)


def test_jax_axes_types():
    with pytest.raises(TypeError, match="in_axis"):
        ti.compute_fans((2, 3), "jax", in_axis=1.0)
    with pytest.raises(TypeError, match="batch_axis"):
        ti.compute_fans((2, 3, 4), "jax", batch_axis=True)


def test_axes_only_for_jax():
    for layout in ("torch", "keras"):
        with pytest.raises(ValueError, match="only to layout='jax'"):
            ti.compute_fans((2, 3, 4), layout, in_axis=0)
        with pytest.raises(ValueError, match="only to layout='jax'"):
            ti.compute_fans((2, 3, 4), layout, batch_axis=0)


@pytest.mark.parametrize("layout", ["pytorch", "TORCH", "flax", None])
def test_unknown_layout(layout):
    with pytest.raises(ValueError, match="layout: expected one of 'torch', 'keras', 'jax'"):
        ti.compute_fans((2, 3), layout)


def test_bad_shape():
    with pytest.raises(ValueError, match="shape"):
        ti.compute_fans((2, -3))
    with pytest.raises(TypeError, match="shape"):
        ti.compute_fans((2, 3.0))
