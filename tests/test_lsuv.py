"""LSUV (Mishkin & Matas 2015): the NumPy and the PyTorch front ends.

After lsuv every layer's output variance on the batch, recomputed here
independently, lies within tol_var of 1; the weights are (scaled)
orthonormal matrices after the orthonormal pre-initialisation; dead or
diverging layers raise a ValueError naming the layer."""

from __future__ import annotations

import numpy as np
import pytest

import turboinit as ti

TOL = 0.05

# The orthonormal pre-initialisation calls turboinit.orthogonal (branch ortho); the
# tests of the rescaling alone pass orthogonal_init=False and run without it.
needs_orthogonal = pytest.mark.skipif(
    not hasattr(ti, "orthogonal"), reason="turboinit.orthogonal is not available"
)


def batch(n=256, d=20):
    return 3.0 * ti.normal((n, d), seed=1, dtype="float64") + 1.0


def mlp(sizes=(20, 64, 32, 10), layout="torch", seed=0):
    """Weights, biases and forward() of a tanh MLP; torch (out, in) or keras (in, out)."""
    pairs = list(zip(sizes[:-1], sizes[1:]))
    # zeros, not empty: a test casts them to float32 before LSUV overwrites them,
    # and uninitialised float64 garbage overflows that cast (a RuntimeWarning)
    ws = [np.zeros((o, i) if layout == "torch" else (i, o)) for i, o in pairs]
    bs = [
        ti.uniform(o, -0.5, 0.5, seed=seed, stream=f"b{k}", dtype="float64")
        for k, (_, o) in enumerate(pairs)
    ]

    def forward(x):
        outs, h = [], x
        for w, b in zip(ws, bs):
            z = (h @ w.T if layout == "torch" else h @ w) + b
            outs.append(z)
            h = np.tanh(z)
        return outs

    return ws, bs, forward


def assert_orthonormal_up_to_scale(w2d):
    """Rows (or columns, for tall matrices) of w2d are orthogonal with equal norms."""
    m = w2d @ w2d.T if w2d.shape[0] <= w2d.shape[1] else w2d.T @ w2d
    c = np.diag(m).mean()
    np.testing.assert_allclose(m / c, np.eye(len(m)), atol=1e-5)


# ---- NumPy front end -----------------------------------------------------------


@needs_orthogonal
@pytest.mark.parametrize("layout", ["torch", "keras"])
def test_numpy_unit_variance_and_orthonormal(layout):
    ws, bs, forward = mlp(layout=layout)
    ids = [id(w) for w in ws]
    x = batch()
    report = ti.lsuv(ws, x, forward, layout=layout, seed=3)
    assert [id(w) for w in ws] == ids  # in place
    assert [r.name for r in report] == ["0", "1", "2"]
    outs = forward(x)
    for r, o in zip(report, outs):
        var = float(np.var(o))
        assert abs(var - 1.0) < TOL
        assert r.converged and 0 <= r.iterations <= 10
        assert r.variance == pytest.approx(var, rel=1e-12)
    for w in ws:
        assert_orthonormal_up_to_scale(w if layout == "torch" else w.T)


@needs_orthogonal
def test_numpy_float32_weights_and_determinism():
    sizes = (20, 48, 8)
    a, _, fa = mlp(sizes)
    b, _, fb = mlp(sizes)
    a = [w.astype(np.float32) for w in a]
    b = [w.astype(np.float32) for w in b]

    def fwd(ws):
        return lambda x: [x @ ws[0].T, np.tanh(x @ ws[0].T) @ ws[1].T]

    ti.lsuv(a, batch(), fwd(a), seed=5)
    ti.lsuv(b, batch(), fwd(b), seed=5)
    assert all(w.dtype == np.float32 for w in a)
    assert all(np.array_equal(u, v) for u, v in zip(a, b))


def test_numpy_without_orthogonal_init_only_rescales():
    ws, bs, forward = mlp()
    for k, w in enumerate(ws):
        ti.xavier_normal(w.shape, seed=2, stream=k, dtype="float64", out=w)
    before = [w.copy() for w in ws]
    report = ti.lsuv(ws, batch(), forward, orthogonal_init=False)
    for w, w0, r in zip(ws, before, report):
        c = w.ravel() @ w0.ravel() / (w0.ravel() @ w0.ravel())
        np.testing.assert_allclose(w, c * w0, rtol=1e-12)
        assert r.converged


def test_linear_layer_without_bias_converges_in_one_step():
    # Var(c * out) = c^2 Var(out): one rescaling gives variance 1 up to rounding.
    w = ti.normal((30, 20), seed=0, dtype="float64")
    report = ti.lsuv([w], batch(), lambda x: [x @ w.T], orthogonal_init=False)
    assert report[0].iterations == 1
    assert report[0].variance == pytest.approx(1.0, abs=1e-12)


def test_t_max_limits_the_iterations():
    ws, _, forward = mlp()
    for k, w in enumerate(ws):
        ti.lecun_normal(w.shape, seed=0, stream=k, dtype="float64", out=w)
    report = ti.lsuv(ws, batch(), forward, tol_var=1e-15, t_max=2, orthogonal_init=False)
    assert all(r.iterations <= 2 for r in report)
    assert any(not r.converged and r.iterations == 2 for r in report)
    ws, _, forward = mlp()
    for w in ws:
        w[...] = 0.01
    report = ti.lsuv(ws, batch(), forward, t_max=0, orthogonal_init=False)
    assert all(r.iterations == 0 and not r.converged for r in report)
    assert all((w == 0.01).all() for w in ws)


def test_dead_layer_raises_naming_it():
    w0 = ti.normal((16, 20), seed=0, dtype="float64")
    w1 = ti.normal((8, 16), seed=1, dtype="float64")

    def forward(x):
        z0 = x @ w0.T - 1e6  # every ReLU off: the next layer sees zeros
        return [z0, np.maximum(z0, 0) @ w1.T]

    with pytest.raises(ValueError, match="layer '1' has output variance 0"):
        ti.lsuv([w0, w1], batch(), forward, orthogonal_init=False)


def test_non_finite_output_raises():
    w = np.ones((4, 20))
    with pytest.raises(ValueError, match="layer '0' has output variance nan"):
        ti.lsuv([w], batch(), lambda x: [x @ w.T * np.nan], orthogonal_init=False)


def test_numpy_bad_arguments():
    w = np.ones((4, 20))
    fwd = lambda x: [x @ w.T]  # noqa: E731
    x = batch()
    with pytest.raises(ValueError, match="tol_var"):
        ti.lsuv([w], x, fwd, tol_var=0.0)
    with pytest.raises(ValueError, match="t_max"):
        ti.lsuv([w], x, fwd, t_max=-1)
    with pytest.raises(TypeError, match="t_max"):
        ti.lsuv([w], x, fwd, t_max=2.5)
    with pytest.raises(TypeError, match="forward"):
        ti.lsuv([w], x)
    with pytest.raises(ValueError, match="layout"):
        ti.lsuv([w], x, fwd, layout="jax_style", orthogonal_init=False)
    with pytest.raises(TypeError, match="model"):
        ti.lsuv(w, x, fwd)
    with pytest.raises(TypeError, match="weight 0"):
        ti.lsuv([np.zeros((4, 20), dtype=np.int64)], x, fwd)
    with pytest.raises(ValueError, match="2 outputs for 1 weights"):
        ti.lsuv([w], x, lambda x: [x, x], orthogonal_init=False)
    ro = np.zeros((4, 20))
    ro.flags.writeable = False
    with pytest.raises(ValueError, match="not writeable"):
        ti.lsuv([ro], x, fwd)


# ---- PyTorch front end ---------------------------------------------------------


def torch_net(torch):
    nn = torch.nn
    torch.manual_seed(0)
    return nn.Sequential(
        nn.Conv2d(3, 8, 3, padding=1),
        nn.ReLU(),
        nn.Conv2d(8, 16, 3, groups=2),
        nn.Tanh(),
        nn.Flatten(),
        nn.Linear(16 * 6 * 6, 10),
    )


def layer_variances(torch, model, x, kinds):
    seen = {}

    def record(name):
        def hook(module, inputs, output):
            seen.setdefault(name, float(output.var(correction=0)))

        return hook

    hooks = [
        m.register_forward_hook(record(name))
        for name, m in model.named_modules()
        if isinstance(m, kinds)
    ]
    with torch.no_grad():
        model(x)
    for h in hooks:
        h.remove()
    return seen


@needs_orthogonal
def test_torch_module():
    torch = pytest.importorskip("torch")
    model = torch_net(torch)  # seeds torch: x is the same in any test order
    x = 2.0 * torch.randn(64, 3, 8, 8) + 0.5
    report = ti.lsuv(model, x, seed=1)
    assert [r.name for r in report] == ["0", "2", "5"]
    variances = layer_variances(torch, model, x, (torch.nn.Conv2d, torch.nn.Linear))
    for r in report:
        assert abs(variances[r.name] - 1.0) < TOL
        assert r.converged and r.variance == pytest.approx(variances[r.name], rel=1e-5)
    for m in model.modules():
        assert not m._forward_hooks  # our hooks are gone
        for p in m.parameters(recurse=False):
            assert p.requires_grad and p.grad is None
    for i in (0, 2, 5):
        w = model[i].weight.detach().numpy().astype(np.float64)
        assert_orthonormal_up_to_scale(w.reshape(w.shape[0], -1))


@needs_orthogonal
def test_torch_call_order_not_registration_order():
    torch = pytest.importorskip("torch")
    nn = torch.nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.second = nn.Linear(16, 4)  # registered first, called second
            self.first = nn.Linear(8, 16)
            self.unused = nn.Linear(3, 3)

        def forward(self, x):
            return self.second(torch.relu(self.first(x)))

    torch.manual_seed(0)  # the Linear layers' and x's draws, in any test order
    net = Net()
    report = ti.lsuv(net, torch.randn(128, 8), seed=0)
    assert [r.name for r in report] == ["first", "second"]
    assert all(r.converged for r in report)


@needs_orthogonal
def test_torch_determinism():
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    x = torch.randn(32, 3, 8, 8)
    a, b = torch_net(torch), torch_net(torch)
    ti.lsuv(a, x, seed=4)
    ti.lsuv(b, x, seed=4)
    for p, q in zip(a.parameters(), b.parameters()):
        assert torch.equal(p, q)


def test_torch_rescaling_only_and_dead_layer():
    torch = pytest.importorskip("torch")
    nn = torch.nn
    torch.manual_seed(1)
    net = nn.Sequential(nn.Linear(8, 32), nn.Tanh(), nn.Linear(32, 4))
    before = [m.weight.detach().clone() for m in (net[0], net[2])]
    x = 3.0 * torch.randn(256, 8)
    report = ti.lsuv(net, x, orthogonal_init=False)
    variances = layer_variances(torch, net, x, (nn.Linear,))
    for r, m, w0 in zip(report, (net[0], net[2]), before):
        assert r.converged and abs(variances[r.name] - 1.0) < TOL
        w = m.weight.detach()
        c = float((w * w0).sum() / (w0 * w0).sum())
        assert torch.allclose(w, c * w0, rtol=1e-5, atol=0)  # only rescaled

    dead = nn.Sequential(nn.Linear(5, 6), nn.ReLU(), nn.Linear(6, 2, bias=False))
    with torch.no_grad():
        dead[0].bias.fill_(-1e6)
    with pytest.raises(ValueError, match="layer '2' has output variance 0"):
        ti.lsuv(dead, torch.randn(16, 5), orthogonal_init=False)
    with pytest.raises(TypeError, match="forward"):
        ti.lsuv(dead, torch.randn(16, 5), lambda x: [x])
    with pytest.raises(ValueError, match="layout"):
        ti.lsuv(dead, torch.randn(16, 5), layout="keras")
