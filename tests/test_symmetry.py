"""Why random initialisation: a constant (e.g. zero) initialisation never breaks
the symmetry between hidden units, whatever the number of gradient steps; He
or Xavier initialisation does.  A small NumPy MLP trained by plain gradient
descent on a fixed regression problem."""

from __future__ import annotations

import numpy as np
import pytest

import turboinit as ti

IN, HIDDEN, STEPS, LR = 4, 8, 200, 0.2


def activation(name):
    if name == "sigmoid":
        f = lambda z: 1.0 / (1.0 + np.exp(-z))  # noqa: E731
        return f, lambda z: f(z) * (1.0 - f(z))
    if name == "tanh":
        return np.tanh, lambda z: 1.0 - np.tanh(z) ** 2
    return (lambda z: np.maximum(z, 0.0)), (lambda z: (z > 0).astype(z.dtype))


def data():
    x = ti.normal((128, IN), seed=0, dtype="float64")
    y = np.sin(x @ np.array([1.0, -2.0, 0.5, 1.5]))[:, None]
    return x, y


def train(w1, b1, w2, b2, act):
    """Full-batch gradient descent on the mean squared error; (out, in) layout."""
    f, df = activation(act)
    x, y = data()
    losses = []
    for _ in range(STEPS):
        z = x @ w1.T + b1
        h = f(z)
        p = h @ w2.T + b2
        d = 2.0 * (p - y) / len(x)
        losses.append(float(((p - y) ** 2).mean()))
        gw2, gb2 = d.T @ h, d.sum(axis=0)
        dz = (d @ w2) * df(z)
        gw1, gb1 = dz.T @ x, dz.sum(axis=0)
        w1 -= LR * gw1
        b1 -= LR * gb1
        w2 -= LR * gw2
        b2 -= LR * gb2
    return f(x @ w1.T + b1), losses


def spread(a, axis):
    """Largest difference between units (rows of w1 / columns of w2 / activations)."""
    a = np.moveaxis(a, axis, 0)
    return float(np.abs(a - a[:1]).max())


def init(scheme, act):
    kw = dict(dtype="float64")
    if scheme == "zeros":
        return (
            ti.zeros((HIDDEN, IN), **kw),
            ti.zeros(HIDDEN, **kw),
            ti.zeros((1, HIDDEN), **kw),
            ti.zeros(1, **kw),
        )
    if scheme == "constant":
        return (
            ti.constant((HIDDEN, IN), 0.3, **kw),
            ti.constant(HIDDEN, 0.1, **kw),
            ti.constant((1, HIDDEN), -0.2, **kw),
            ti.zeros(1, **kw),
        )
    if scheme == "he":
        w1 = ti.kaiming_normal(
            (HIDDEN, IN),
            nonlinearity="relu" if act == "relu" else "tanh",
            seed=1,
            stream="w1",
            **kw,
        )
        w2 = ti.kaiming_normal((1, HIDDEN), nonlinearity="linear", seed=1, stream="w2", **kw)
    else:
        w1 = ti.xavier_uniform((HIDDEN, IN), ti.calculate_gain(act), seed=1, stream="w1", **kw)
        w2 = ti.xavier_uniform((1, HIDDEN), seed=1, stream="w2", **kw)
    return w1, ti.zeros(HIDDEN, **kw), w2, ti.zeros(1, **kw)


@pytest.mark.parametrize(
    "scheme, act",
    [("zeros", "sigmoid"), ("zeros", "tanh"), ("constant", "tanh"), ("constant", "relu")],
)
def test_constant_init_keeps_hidden_units_identical(scheme, act):
    w1, b1, w2, b2 = init(scheme, act)
    start = w2.copy()
    h, losses = train(w1, b1, w2, b2, act)
    scale = max(1.0, np.abs(w1).max(), np.abs(w2).max())
    # Every hidden unit has the same incoming weights, bias, outgoing weight and activations
    # (up to the rounding of the matrix products).
    assert spread(w1, 0) <= 1e-12 * scale
    assert spread(b1, 0) <= 1e-12 * scale
    assert spread(w2, 1) <= 1e-12 * scale
    assert spread(h, 1) <= 1e-12
    if (scheme, act) != ("zeros", "tanh"):  # tanh(0) = 0: there nothing moves at all
        assert not np.array_equal(w2, start)  # it did train, symmetrically


@pytest.mark.parametrize("scheme", ["he", "xavier"])
@pytest.mark.parametrize("act", ["tanh", "relu"])
def test_random_init_breaks_symmetry(scheme, act):
    w1, b1, w2, b2 = init(scheme, act)
    h, losses = train(w1, b1, w2, b2, act)
    # Hidden units differ by amounts of the order of the weights themselves.
    assert spread(w1, 0) > 0.1 * np.abs(w1).max()
    assert spread(w2, 1) > 0.1 * np.abs(w2).max()
    assert spread(h, 1) > 0.1 * np.abs(h).max()
    assert losses[-1] < losses[0]


def test_random_init_fits_better_than_symmetric_init():
    # With all units alike the network is a 1-unit network; random init uses all 8.
    _, sym = train(*init("constant", "tanh"), "tanh")
    _, rnd = train(*init("xavier", "tanh"), "tanh")
    assert rnd[-1] < sym[-1]
