"""relu_bias and output_bias.  output_bias is checked by what it is for: the
loss's gradient with respect to the bias of a constant prediction vanishes at it
(squared error, sigmoid + binary cross-entropy, softmax + cross-entropy)."""

from __future__ import annotations

import math

import numpy as np
import pytest

import turboinit as ti


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def softmax(x):
    e = np.exp(x - x.max())
    return e / e.sum()


# ---- relu_bias -----------------------------------------------------------------


def test_relu_bias_default_value_and_dtype():
    b = ti.relu_bias(4, dtype="float64")
    assert b.tolist() == [0.001] * 4
    assert ti.relu_bias((2, 3)).dtype == np.float32
    assert (ti.relu_bias(3, 0.1) == np.float32(0.1)).all()


def test_relu_bias_out_and_region():
    out = np.zeros(3, dtype=np.float32)
    assert ti.relu_bias(10, 0.01, out=out, region=(slice(2, 5),)) is out
    assert (out == np.float32(0.01)).all()
    with pytest.raises(ValueError, match="value: must be finite"):
        ti.relu_bias(3, math.inf)


def test_relu_bias_makes_relu_units_fire():
    # With zero inputs every unit's pre-activation is the bias: all fire.
    b = ti.relu_bias(64, dtype="float64")
    assert (np.maximum(np.zeros(64) + b, 0) > 0).all()
    assert not (np.maximum(ti.zeros(64, dtype="float64"), 0) > 0).any()


# ---- regression ----------------------------------------------------------------


def test_regression_mean_per_column():
    y = ti.normal((1000, 3), 2.0, 1.5, seed=0, dtype="float64") + np.array([0.0, 10.0, -5.0])
    b = ti.output_bias(y, dtype="float64")
    assert b.shape == (3,)
    np.testing.assert_allclose(b, y.mean(axis=0), rtol=1e-14)
    # MSE gradient wrt the bias of the constant prediction b vanishes.
    np.testing.assert_allclose((b - y).mean(axis=0), 0.0, atol=1e-12)


def test_regression_one_output_shape_and_dtypes():
    assert ti.output_bias([1, 2, 3, 6]).tolist() == [3.0]
    assert ti.output_bias([1.0, 2.0], dtype="float16").dtype == np.float16
    pytest.importorskip("ml_dtypes")
    assert ti.output_bias([1.0, 2.0], dtype="bfloat16").dtype.name == "bfloat16"


# ---- binary --------------------------------------------------------------------


def test_binary_logit_of_rate():
    y = np.array([0, 1, 1, 0, 0, 0, 1, 0])
    b = ti.output_bias(y, "binary", dtype="float64")
    assert b.shape == (1,)
    assert b[0] == pytest.approx(math.log(3 / 5), rel=1e-14)
    # BCE gradient wrt the bias: mean(sigmoid(b) - y) = 0.
    assert np.mean(sigmoid(b[0]) - y) == pytest.approx(0.0, abs=1e-14)


def test_binary_multi_label_and_soft_labels():
    y = np.array([[1, 0, 0.5], [1, 0, 0.25], [0, 1, 0.25], [1, 0, 0.0]], dtype=np.float64)
    b = ti.output_bias(y, "binary", dtype="float64")
    np.testing.assert_allclose(b[[0, 2]], [math.log(3), math.log(0.25 / 0.75)], rtol=1e-14)
    np.testing.assert_allclose(sigmoid(b[[0, 2]]) - y[:, [0, 2]].mean(axis=0), 0, atol=1e-14)


def test_binary_clipping_with_eps():
    assert ti.output_bias([0, 0, 0], "binary", dtype="float64")[0] == pytest.approx(
        math.log(1e-7 / (1 - 1e-7)), rel=1e-12
    )
    top = ti.output_bias([True, True], "binary", eps=1e-3, dtype="float64")[0]
    assert top == pytest.approx(math.log(0.999 / 0.001), rel=1e-12)


# ---- multi-class ---------------------------------------------------------------


def test_multiclass_log_priors():
    y = np.array([0, 2, 2, 1, 2, 2, 0, 2])
    b = ti.output_bias(y, "multiclass", dtype="float64")
    freq = np.bincount(y) / y.size
    np.testing.assert_allclose(b, np.log(freq), rtol=1e-14)
    # Cross-entropy gradient wrt the bias: softmax(b) - frequencies = 0.
    np.testing.assert_allclose(softmax(b), freq, rtol=1e-12)


def test_multiclass_one_hot_and_num_classes():
    y = np.array([0, 1, 1, 3])
    onehot = np.eye(5)[y]
    a = ti.output_bias(y, "multiclass", num_classes=5, dtype="float64")
    b = ti.output_bias(onehot, "multiclass", dtype="float64")
    np.testing.assert_array_equal(a, b)
    assert a.shape == (5,)
    assert a[2] == pytest.approx(math.log(1e-7))  # empty class, clipped
    assert ti.output_bias([0.0, 1.0, 2.0], "multiclass").shape == (3,)


# ---- bad input -----------------------------------------------------------------


@pytest.mark.parametrize("task", ["regression", "binary", "multiclass"])
def test_empty_targets(task):
    with pytest.raises(ValueError, match="targets: empty"):
        ti.output_bias([], task)
    with pytest.raises(ValueError, match="targets: empty"):
        ti.output_bias(np.zeros((0, 3)), task)


@pytest.mark.parametrize("task", ["regression", "binary", "multiclass"])
def test_non_finite_targets(task):
    with pytest.raises(ValueError, match="NaN or infinity"):
        ti.output_bias([0.0, math.nan], task)


@pytest.mark.parametrize(
    "targets, kwargs, error, match",
    [
        ([0, 1, 2], {"task": "binary"}, ValueError, r"lie in \[0, 1\]"),
        ([-0.5, 1], {"task": "binary"}, ValueError, r"lie in \[0, 1\]"),
        ([0, -1, 2], {"task": "multiclass"}, ValueError, ">= 0"),
        ([0, 1.5], {"task": "multiclass"}, ValueError, "must be integers"),
        ([0, 4], {"task": "multiclass", "num_classes": 3}, ValueError, "out of range"),
        ([True, False], {"task": "multiclass"}, TypeError, "bool"),
        ([[1, 1], [0, 1]], {"task": "multiclass"}, ValueError, "one-hot"),
        ([[0.5, 0.5]], {"task": "multiclass"}, ValueError, "one-hot"),
        (np.eye(3), {"task": "multiclass", "num_classes": 4}, ValueError, "num_classes=4"),
        ([0, 1], {"task": "multiclass", "num_classes": 0}, ValueError, "num_classes"),
        ([0, 1], {"task": "multiclass", "num_classes": 2.0}, TypeError, "num_classes"),
        ([0, 1], {"task": "binary", "num_classes": 2}, ValueError, "num_classes"),
        ([0, 1], {"task": "classification"}, ValueError, "task: expected one of"),
        ([0, 1], {"task": "binary", "eps": 0.0}, ValueError, "eps"),
        ([0, 1], {"task": "binary", "eps": 0.5}, ValueError, "eps"),
        (np.zeros((2, 2, 2)), {}, ValueError, "1-D or 2-D"),
        (["a", "b"], {}, TypeError, "real numbers"),
        ([1.0, 2.0], {"dtype": "int32"}, TypeError, "dtype"),
    ],
)
def test_invalid(targets, kwargs, error, match):
    with pytest.raises(error, match=match):
        ti.output_bias(targets, **kwargs)


def test_overflow_in_small_dtype():
    with pytest.raises(OverflowError, match="float16"):
        ti.output_bias([1e6, 1e6], dtype="float16")
