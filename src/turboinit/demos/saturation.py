"""Saturation: too large initial weights leave tanh units saturated and the network unable to fit.

Data: ``y = x sin x + eps``, ``eps ~ N(0, 1)``, on ``x`` evenly spaced in
``[0, 2 pi]``.  A fully connected network ``1 -> 100 -> 100 -> 100 -> 1`` with
tanh hidden units and a linear output is trained by full-batch gradient descent
with momentum on the mean squared error, from four initialisations of every
weight matrix (biases zero):

* ``U[-1, 1]`` and ``U[-5, 5]``: :func:`turboinit.uniform`;
* Xavier: :func:`turboinit.xavier_uniform` (bound ``sqrt(6 / (fan_in + fan_out))``);
* He: :func:`turboinit.kaiming_normal` with ``nonlinearity="relu"`` (std ``sqrt(2 / fan_in)``).

A unit is *saturated* on an input when ``|tanh'(z)| = 1 - tanh(z)^2 < 0.05``,
that is ``|z| > 2.2``: its derivative is nearly zero, so gradient descent barely
moves the weights feeding it.  With ``U[-5, 5]`` the second layer's
pre-activation has standard deviation about ``5 sqrt(100 / 3) = 29``: nearly
every unit is saturated from the start, the hidden layers hardly learn, and the
fit is poor away from ``x = 0`` (where all first-layer pre-activations are 0),
that is for ``x > 1``.  The other initialisations keep the pre-activations of
order one and fit the curve.

The demo reports the final training loss, the error against the noise-free
curve ``x sin x`` on ``x > 1``, the saturated fraction and mean ``|tanh'|`` of
each hidden layer at initialisation and after training.  The training loss
includes the noise (its floor is about ``Var(eps) = 1``) and a network can push
it below 1 by fitting the noise; the error against the noise-free curve is the
measure of the fit.  The full run repeats the experiment over several seeds and
reports the median, as the outcome of the saturated network varies with the
seed (its hidden layers stay a fixed random feature map that the output layer
combines).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Callable

import numpy as np

import turboinit as ti

from . import _output
from ._mlp import MLP

NAME = "saturation"
SUMMARY = "tanh network fitted from U[-1,1], U[-5,5], Xavier, He: large weights saturate"

SIZES = [1, 100, 100, 100, 1]
SATURATED = 0.05  # |tanh'| below this counts as saturated
LEARNING_RATE = 0.005
MOMENTUM = 0.9

Init = Callable[[tuple[int, int], int], np.ndarray]


def initializers(seed: int) -> dict[str, Init]:
    """name -> init((out, in), layer) for the four schemes, one stream per layer."""

    def stream(i: int) -> str:
        return f"saturation/weight{i}"

    kw: dict[str, Any] = dict(seed=seed, dtype="float64")
    return {
        "U[-1,1]": lambda s, i: ti.uniform(s, -1.0, 1.0, stream=stream(i), **kw),
        "U[-5,5]": lambda s, i: ti.uniform(s, -5.0, 5.0, stream=stream(i), **kw),
        "Xavier": lambda s, i: ti.xavier_uniform(s, stream=stream(i), **kw),
        "He": lambda s, i: ti.kaiming_normal(s, nonlinearity="relu", stream=stream(i), **kw),
    }


def data(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``x`` (n, 1) on [0, 2 pi], noisy targets ``y`` and the noise-free ``x sin x``."""
    x = np.linspace(0.0, 2.0 * math.pi, n)[:, None]
    clean = x * np.sin(x)
    eps = ti.normal(x.shape, seed=seed, stream="saturation/noise", dtype="float64")
    return x, clean + eps, clean


def layer_stats(net: MLP, x: np.ndarray) -> dict[str, list[float]]:
    """Per hidden layer: fraction of (unit, sample) pairs with |tanh'| < SATURATED, mean |tanh'|."""
    _, hs = net.forward(x)
    deriv = [1.0 - h * h for h in hs[1:-1]]
    return {
        "saturated": [float(np.mean(d < SATURATED)) for d in deriv],
        "mean_derivative": [float(np.mean(d)) for d in deriv],
    }


def train_one(
    init: Init, x: np.ndarray, y: np.ndarray, clean: np.ndarray, steps: int
) -> dict[str, Any]:
    net = MLP.from_init(SIZES, init, "tanh")
    before = layer_stats(net, x)
    history = []
    for _ in range(steps):
        loss, gw, gb = net.loss_and_grads(x, y)
        history.append(loss)
        net.sgd_step(gw, gb, LEARNING_RATE, MOMENTUM)
    pred = net.predict(x)
    right = x[:, 0] > 1.0
    after = layer_stats(net, x)
    return {
        "train_loss": float(np.mean((pred - y) ** 2)),
        "fit_error_x_gt_1": float(np.mean((pred - clean)[right] ** 2)),
        "fit_error_x_le_1": float(np.mean((pred - clean)[~right] ** 2)),
        "saturated_init": before["saturated"],
        "saturated_final": after["saturated"],
        "mean_derivative_init": before["mean_derivative"],
        "mean_derivative_final": after["mean_derivative"],
        "loss_every": max(1, steps // 200),
        "loss_history": history[:: max(1, steps // 200)],
        "prediction": pred[:, 0].tolist(),
    }


def run(*, quick: bool = False, seed: int = 0) -> dict[str, Any]:
    """Train the four networks; ``quick``: one seed, fewer steps (a few seconds)."""
    n_points = 256
    steps = 300 if quick else 800
    seeds = [seed] if quick else [seed + k for k in range(5)]
    runs: dict[str, list[dict[str, Any]]] = {}
    with _output.single_threaded():
        for s in seeds:
            x, y, clean = data(n_points, s)
            for name, init in initializers(s).items():
                runs.setdefault(name, []).append(train_one(init, x, y, clean, steps))
    x, y, clean = data(n_points, seeds[0])
    summary = {}
    for name, rs in runs.items():
        summary[name] = {
            key: float(np.median([r[key] for r in rs]))
            for key in ("train_loss", "fit_error_x_gt_1", "fit_error_x_le_1")
        }
        for key in (
            "saturated_init",
            "saturated_final",
            "mean_derivative_init",
            "mean_derivative_final",
        ):
            summary[name][key] = np.median([r[key] for r in rs], axis=0).tolist()
    return {
        "demo": NAME,
        "quick": quick,
        "seeds": seeds,
        "steps": steps,
        "n_points": n_points,
        "learning_rate": LEARNING_RATE,
        "momentum": MOMENTUM,
        "saturation_threshold": SATURATED,
        "summary": summary,
        "per_seed": {
            name: [
                {
                    k: v
                    for k, v in r.items()
                    if k not in ("prediction", "loss_history", "loss_every")
                }
                for r in rs
            ]
            for name, rs in runs.items()
        },
        "curves": {  # for the figures: data and loss of the first seed
            "x": x[:, 0].tolist(),
            "y": y[:, 0].tolist(),
            "clean": clean[:, 0].tolist(),
            "prediction": {  # every seed, rounded (only drawn)
                name: [np.round(r["prediction"], 5).tolist() for r in rs]
                for name, rs in runs.items()
            },
            "loss_history": {name: rs[0]["loss_history"] for name, rs in runs.items()},
            "loss_every": next(iter(runs.values()))[0]["loss_every"],
        },
    }


def markdown(result: dict[str, Any]) -> str:
    s = result["summary"]
    seeds = result["seeds"]
    how = f"seed {seeds[0]}" if len(seeds) == 1 else f"median over seeds {seeds[0]}..{seeds[-1]}"
    rows = [
        [
            name,
            v["train_loss"],
            v["fit_error_x_gt_1"],
            v["fit_error_x_le_1"],
            " / ".join(f"{f:.2f}" for f in v["saturated_init"]),
            " / ".join(f"{f:.2f}" for f in v["saturated_final"]),
            " / ".join(f"{f:.2f}" for f in v["mean_derivative_final"]),
        ]
        for name, v in s.items()
    ]
    header = [
        "init",
        "final training loss",
        "error vs x sin x, x > 1",
        "error vs x sin x, x <= 1",
        "saturated, init (layers 1/2/3)",
        "saturated, trained",
        "mean |tanh'|, trained",
    ]
    return (
        f"## Saturation ({how}, {result['steps']} steps of gradient descent with momentum)\n\n"
        + _output.markdown_table(header, rows)
        + f"\n\nSaturated: |tanh'(z)| < {result['saturation_threshold']}. The training loss "
        "includes the noise N(0, 1) (floor about 1); the error against the noise-free curve "
        "measures the fit.\n"
    )


def figures(result: dict[str, Any], out_dir: Path) -> list[Path]:
    c = result["curves"]
    seeds = result["seeds"]
    names = list(c["prediction"])
    colors = {n: f"C{i}" for i, n in enumerate(names)}
    fig, axes = _output.figure(len(names), cols=2, size=(4.2, 3.0))
    for ax, name in zip(axes, names):
        ax.plot(c["x"], c["y"], ".", ms=2, color="0.7", label="data")
        ax.plot(c["x"], c["clean"], "k--", lw=1, label="x sin x")
        for k, pred in enumerate(c["prediction"][name]):
            label = "fit" if len(seeds) == 1 else "fits, one per seed"
            ax.plot(
                c["x"],
                pred,
                color=colors[name],
                lw=1.2,
                alpha=0.75,
                label=label if k == 0 else None,
            )
        ax.axvline(1.0, color="0.5", lw=0.8, ls=":")
        loss = result["summary"][name]["train_loss"]
        ax.set_title(f"{name}: training loss {loss:.2f}" + ("" if len(seeds) == 1 else " (median)"))
        ax.set_xlabel("x")
    axes[0].legend(loc="lower left", fontsize=8)
    which = f"seed {seeds[0]}" if len(seeds) == 1 else f"seeds {seeds[0]}..{seeds[-1]}"
    fig.suptitle(f"after {result['steps']} steps, {which} (data: seed {seeds[0]})")
    paths = [_output.save(fig, out_dir, "saturation_fits.png")]

    fig, (ax_sat, ax_loss) = _output.figure(2, cols=2, size=(4.6, 3.4))
    width = 0.8 / len(names)
    layers = np.arange(1, len(SIZES) - 1)
    for k, name in enumerate(names):
        v = result["summary"][name]
        pos = layers + (k - (len(names) - 1) / 2) * width
        ax_sat.bar(pos, v["saturated_final"], width, color=colors[name], label=name)
        ax_sat.bar(pos, v["saturated_init"], width, fill=False, edgecolor="k", lw=0.6)
        hist = c["loss_history"][name]
        ax_loss.semilogy(
            np.arange(len(hist)) * c["loss_every"], hist, color=colors[name], label=name
        )
    ax_sat.set_xticks(layers)
    ax_sat.set_xlabel("hidden layer")
    ax_sat.set_ylabel(f"fraction with |tanh'| < {SATURATED}")
    ax_sat.set_ylim(0, 1)
    ax_sat.set_title("saturated units, median over seeds\n(bars: trained, outline: at init)")
    ax_loss.legend(fontsize=8)
    ax_loss.set_xlabel("step")
    ax_loss.set_ylabel("training loss")
    ax_loss.set_title(f"training loss, seed {result['seeds'][0]}")
    paths.append(_output.save(fig, out_dir, "saturation_units.png"))
    return paths
