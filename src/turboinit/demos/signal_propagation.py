"""Signal propagation: the variance of activations and gradients through 50 layers.

A stack of 50 fully connected layers of width 256, no biases,
``z_l = h_{l-1} W_l^T``, ``h_l = f(z_l)`` with ``f = tanh`` or ``relu``, is run on
a batch of standard normal inputs.  A random linear read-out ``L = sum(h_50 * r)``,
``r ~ N(0, 1)``, is back-propagated, giving ``dL/dh_l`` at every depth.  The
demo records ``Var(h_l)`` and ``Var(dL/dh_l)`` for each initialisation of the
weights (torch layout ``(out, in)``, fan_in = fan_out = 256):

* zeros: :func:`turboinit.zeros`;
* std 0.01 and std 1.0: :func:`turboinit.normal`;
* Xavier: :func:`turboinit.xavier_normal` (variance ``2 / (fan_in + fan_out) = 1 / 256``);
* He: :func:`turboinit.kaiming_normal`, ``nonlinearity="relu"`` (variance ``2 / 256``);
* orthogonal: :func:`turboinit.orthogonal` with gain :func:`turboinit.calculate_gain` of ``f``
  (5/3 for tanh, sqrt 2 for relu);
* LSUV: :func:`turboinit.lsuv` started from the orthogonal weights
  (``orthogonal_init=False``: they are the orthonormal start LSUV prescribes,
  times a gain its rescaling removes), each layer scaled until ``Var(z_l) = 1``
  on the batch.

Each layer multiplies the variance by about ``n Var(W) E[f'(z)^2]``-ish: for relu
``Var(z_l) ~ n Var(W) / 2 * Var(z_{l-1})`` (He et al. 2015), so only
``Var(W) = 2 / n`` keeps it constant; std 0.01 multiplies it by 0.0128 per layer
(``10^-95`` after 50 layers) and std 1.0 by 128.  Zeros give exactly 0
everywhere: no signal, no gradient.  The backward pass obeys the same
arithmetic with fan_out.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

import turboinit as ti

from . import _output
from ._mlp import ACTIVATIONS, Activation

NAME = "signal"
SUMMARY = "variance of activations and gradients through 50 layers, tanh and relu, 7 inits"

DEPTH = 50
WIDTH = 256
INITS = ["zeros", "std 0.01", "std 1.0", "Xavier", "He", "orthogonal", "LSUV"]


def init_weights(name: str, activation: str, seed: int) -> list[np.ndarray]:
    """The 50 weight matrices of one initialisation (all but LSUV, made in :func:`run`)."""
    shape = (WIDTH, WIDTH)
    kw: dict[str, Any] = dict(seed=seed, dtype="float64")
    gain = ti.calculate_gain(activation)

    def make(i: int) -> np.ndarray:
        stream = f"signal/{activation}/weight{i}"
        if name == "zeros":
            return ti.zeros(shape, dtype="float64")
        if name == "std 0.01":
            return ti.normal(shape, 0.0, 0.01, stream=stream, **kw)
        if name == "std 1.0":
            return ti.normal(shape, 0.0, 1.0, stream=stream, **kw)
        if name == "Xavier":
            return ti.xavier_normal(shape, stream=stream, **kw)
        if name == "He":
            return ti.kaiming_normal(shape, nonlinearity="relu", stream=stream, **kw)
        if name == "orthogonal":
            return ti.orthogonal(shape, gain, stream=stream, **kw)
        raise ValueError(f"name: unknown initialisation {name!r}; choose from {INITS}")

    return [make(i) for i in range(DEPTH)]


class _Outputs(Sequence):  # type: ignore[type-arg]
    """The pre-activations ``z_l`` of every layer, computed on demand.

    LSUV measures one layer at a time; computing only up to that layer, and
    reusing the prefix whose weights have not changed since (checked against a
    copy), keeps LSUV on 50 layers linear instead of quadratic in depth.
    """

    def __init__(
        self, cache: dict[str, Any], weights: list[np.ndarray], x: np.ndarray, *, f: Activation
    ) -> None:
        self._c, self._w, self._x, self._f = cache, weights, x, f

    def __len__(self) -> int:
        return len(self._w)

    def __getitem__(self, i: Any) -> Any:
        if not isinstance(i, int):
            raise TypeError("only integer indices")
        if self._c.get("x") is not self._x:  # another batch: start afresh
            self._c.clear()
            self._c["x"] = self._x
        snaps, zs = self._c.setdefault("weights", []), self._c.setdefault("z", [])
        valid = 0
        while valid <= i and valid < len(snaps) and np.array_equal(snaps[valid], self._w[valid]):
            valid += 1
        del snaps[valid:], zs[valid:]
        h = self._x if valid == 0 else self._f(zs[valid - 1])
        for layer in range(valid, i + 1):
            zs.append(h @ self._w[layer].T)
            snaps.append(self._w[layer].copy())
            h = self._f(zs[-1])
        return zs[i]


def propagate(
    weights: list[np.ndarray], x: np.ndarray, r: np.ndarray, activation: str
) -> dict[str, list[float]]:
    """Var(h_l) for l = 0..50 (h_0 = x), Var(z_l) for l = 1..50, Var(dL/dh_l) for l = 0..50."""
    f, df = ACTIVATIONS[activation]
    hs, zs = [x], []
    for w in weights:
        zs.append(hs[-1] @ w.T)
        hs.append(f(zs[-1]))
    grads = [r]
    g = r
    for w, z, h in zip(reversed(weights), reversed(zs), reversed(hs[1:])):
        g = (g * df(z, h)) @ w
        grads.append(g)
    grads.reverse()
    return {
        "activation_var": [float(np.var(h)) for h in hs],
        "preactivation_var": [float(np.var(z)) for z in zs],
        "gradient_var": [float(np.var(g)) for g in grads],
    }


def run(*, quick: bool = False, seed: int = 0) -> dict[str, Any]:
    """All inits for tanh and relu; ``quick``: a batch of 64 instead of 512."""
    batch = 64 if quick else 512
    x = ti.normal((batch, WIDTH), seed=seed, stream="signal/input", dtype="float64")
    r = ti.normal((batch, WIDTH), seed=seed, stream="signal/readout", dtype="float64")
    curves: dict[str, dict[str, Any]] = {}
    lsuv_report: dict[str, Any] = {}
    with _output.single_threaded(), np.errstate(over="ignore", under="ignore"):
        for activation in ("tanh", "relu"):
            weights = {
                name: init_weights(name, activation, seed) for name in INITS if name != "LSUV"
            }
            weights["LSUV"] = [w.copy() for w in weights["orthogonal"]]
            report = ti.lsuv(
                weights["LSUV"],
                x,
                functools.partial(_Outputs, {}, weights["LSUV"], f=ACTIVATIONS[activation][0]),
                orthogonal_init=False,
            )
            lsuv_report[activation] = [
                {"iterations": e.iterations, "variance": e.variance, "converged": e.converged}
                for e in report
            ]
            curves[activation] = {
                name: propagate(weights[name], x, r, activation) for name in INITS
            }
    return {
        "demo": NAME,
        "quick": quick,
        "seed": seed,
        "depth": DEPTH,
        "width": WIDTH,
        "batch": batch,
        "curves": curves,
        "lsuv": lsuv_report,
    }


def _ratio(values: list[float]) -> float:
    first, last = values[0], values[-1]
    return last / first if first > 0 else float("nan")


def markdown(result: dict[str, Any]) -> str:
    rows = []
    for activation, by_init in result["curves"].items():
        for name, c in by_init.items():
            a, g = c["activation_var"], c["gradient_var"]
            rows.append(
                [activation, name, a[1], a[-1], _ratio(a[1:]), g[-1], g[0], _ratio(g[::-1])]
            )
    header = [
        "f",
        "init",
        "Var(h_1)",
        f"Var(h_{result['depth']})",
        "ratio",
        f"Var(dL/dh_{result['depth']})",
        "Var(dL/dh_0)",
        "ratio",
    ]
    return (
        f"## Signal propagation ({result['depth']} layers of width {result['width']}, "
        f"batch {result['batch']}, seed {result['seed']})\n\n"
        + _output.markdown_table(header, rows)
        + "\n\nRatios: last over first layer (forward), input over output layer (backward); "
        "0 for zeros: the signal is exactly 0 after the first layer.\n"
    )


def figures(result: dict[str, Any], out_dir: Path) -> list[Path]:
    floor = 1e-120  # zeros are drawn at this floor of the log axis
    fig, axes = _output.figure(4, cols=2, size=(4.8, 3.5))
    colors = {name: f"C{i}" for i, name in enumerate(INITS)}
    for row, activation in enumerate(("tanh", "relu")):
        by_init = result["curves"][activation]
        for col, (key, label) in enumerate(
            (("activation_var", "Var(h_l), forward"), ("gradient_var", "Var(dL/dh_l), backward"))
        ):
            ax = axes[2 * row + col]
            for name in INITS:
                v = np.maximum(np.asarray(by_init[name][key], dtype=float), floor)
                ax.semilogy(np.arange(len(v)), v, color=colors[name], label=name, lw=1.5)
            ax.set_title(f"{activation}: {label}")
            ax.set_xlabel("layer l")
            ax.set_ylim(floor / 10, 1e120)
    axes[0].legend(fontsize=7, ncol=2, loc="center left")

    for ax in axes:
        ax.text(
            0.98,
            0.03,
            "zeros: exactly 0, drawn at 1e-120",
            transform=ax.transAxes,
            ha="right",
            va="bottom",
            fontsize=7,
            color=colors["zeros"],
        )
    paths = [_output.save(fig, out_dir, "signal_variance.png")]

    # a zoom on the initialisations that keep the signal
    fig, axes = _output.figure(4, cols=2, size=(4.8, 3.3))
    for row, activation in enumerate(("tanh", "relu")):
        for col, (key, label) in enumerate(
            (("activation_var", "Var(h_l), forward"), ("gradient_var", "Var(dL/dh_l), backward"))
        ):
            ax = axes[2 * row + col]
            for name in ("Xavier", "He", "orthogonal", "LSUV"):
                v = result["curves"][activation][name][key]
                ls = "--" if name == "LSUV" else "-"
                ax.semilogy(np.arange(len(v)), v, color=colors[name], label=name, lw=1.5, ls=ls)
            ax.set_title(f"{activation}: {label}")
            ax.set_xlabel("layer l")
            ax.set_ylim(1e-4, 1e5)
    axes[0].legend(fontsize=8, ncol=2)
    paths.append(_output.save(fig, out_dir, "signal_variance_zoom.png"))
    return paths
