"""Symmetry: hidden units that start equal stay equal; random initialisation breaks the tie.

A network ``1 -> 16 -> 1`` (tanh hidden units, linear output) is trained by
full-batch gradient descent with momentum on ``y = x sin x + eps`` from three
initialisations of both weight matrices and both bias vectors:

* zeros: :func:`turboinit.zeros` everywhere;
* constant: :func:`turboinit.constant` with value 0.5 everywhere;
* He: :func:`turboinit.kaiming_normal` (``nonlinearity="relu"``) for the
  weights, biases zero.

Hidden unit ``j`` is its incoming weight and bias and its outgoing weight,
``(W1[j, 0], b1[j], W2[0, j])``.  If all units start equal they receive equal
gradients at every step (the loss is symmetric under permuting them), so they
stay equal forever and the 16 units act as one: the network cannot use its
width.  With zeros it is worse: ``W2 = 0`` blocks every gradient to the hidden
layer and ``tanh(0) = 0`` every gradient to ``W2``, so only the output bias
learns.  Random initialisation makes the units differ from the start.

The computation uses element-wise products and sums along the batch axis only
(no matrix products, whose blocking could round different columns
differently), so equal units stay *bit for bit* equal: the demo reports the
largest difference between any two hidden units, exactly 0 for the symmetric
starts.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

import turboinit as ti

from . import _output

NAME = "symmetry"
SUMMARY = "zero or constant init keeps hidden units identical; random init breaks the symmetry"

HIDDEN = 16
LEARNING_RATE = 0.002
MOMENTUM = 0.9
INITS = ["zeros", "constant 0.5", "He"]


def init_params(name: str, seed: int) -> dict[str, np.ndarray]:
    kw: dict[str, Any] = dict(seed=seed, dtype="float64")
    shapes = {"w1": (HIDDEN, 1), "b1": (HIDDEN,), "w2": (1, HIDDEN), "b2": (1,)}
    if name == "zeros":
        return {k: ti.zeros(s, dtype="float64") for k, s in shapes.items()}
    if name == "constant 0.5":
        return {k: ti.constant(s, 0.5, dtype="float64") for k, s in shapes.items()}
    if name == "He":
        return {
            k: (
                ti.kaiming_normal(s, nonlinearity="relu", stream=f"symmetry/{k}", **kw)
                if k.startswith("w")
                else ti.zeros(s, dtype="float64")
            )
            for k, s in shapes.items()
        }
    raise ValueError(f"name: unknown initialisation {name!r}; choose from {INITS}")


def _loss_and_grads(
    p: dict[str, np.ndarray], x: np.ndarray, y: np.ndarray
) -> tuple[float, dict[str, np.ndarray]]:
    """x, y: (n,).  Element-wise and batch-axis sums only (see the module docstring)."""
    z = x[:, None] * p["w1"][:, 0][None, :] + p["b1"][None, :]  # (n, hidden)
    h = np.tanh(z)
    out = (h * p["w2"][0][None, :]).sum(axis=1) + p["b2"][0]
    err = out - y
    delta = 2.0 * err / x.shape[0]
    dz = delta[:, None] * p["w2"][0][None, :] * (1.0 - h * h)
    grads = {
        "w2": (delta[:, None] * h).sum(axis=0)[None, :],
        "b2": np.array([delta.sum()]),
        "w1": (dz * x[:, None]).sum(axis=0)[:, None],
        "b1": dz.sum(axis=0),
    }
    return float(np.mean(err * err)), grads


def units(p: dict[str, np.ndarray]) -> np.ndarray:
    """(hidden, 3): each row one hidden unit's (incoming weight, bias, outgoing weight)."""
    return np.stack([p["w1"][:, 0], p["b1"], p["w2"][0]], axis=1)


def max_pairwise_difference(u: np.ndarray) -> float:
    """max over unit pairs (j, k) of max |u_j - u_k|."""
    return float(np.max(np.abs(u[:, None, :] - u[None, :, :])))


def train(name: str, x: np.ndarray, y: np.ndarray, steps: int, seed: int) -> dict[str, Any]:
    p = init_params(name, seed)
    velocity = {k: np.zeros_like(v) for k, v in p.items()}
    record = max(1, steps // 50)
    trajectory, losses = [], []
    diff_init = max_pairwise_difference(units(p))
    for step in range(steps):
        loss, g = _loss_and_grads(p, x, y)
        if step % record == 0:
            trajectory.append(p["w1"][:, 0].tolist())
            losses.append(loss)
        for k in p:
            velocity[k] *= MOMENTUM
            velocity[k] += g[k]
            p[k] -= LEARNING_RATE * velocity[k]
    final_loss, _ = _loss_and_grads(p, x, y)
    h = np.tanh(x[:, None] * p["w1"][:, 0] + p["b1"])
    prediction = (h * p["w2"][0]).sum(axis=1) + p["b2"][0]
    u = units(p)
    return {
        "max_pairwise_difference_init": diff_init,
        "max_pairwise_difference_final": max_pairwise_difference(u),
        "distinct_units_final": int(len(np.unique(u, axis=0))),
        "final_loss": final_loss,
        "units_final": u.tolist(),
        "prediction": prediction.tolist(),
        "trajectory": trajectory,  # every record_every steps: each unit's incoming weight
        "loss_history": losses,
        "record_every": record,
    }


def run(*, quick: bool = False, seed: int = 0) -> dict[str, Any]:
    steps = 1000 if quick else 5000
    n = 200
    x = np.linspace(0.0, 2.0 * math.pi, n)
    y = x * np.sin(x) + ti.normal(n, seed=seed, stream="symmetry/noise", dtype="float64")
    results = {name: train(name, x, y, steps, seed) for name in INITS}
    return {
        "demo": NAME,
        "quick": quick,
        "seed": seed,
        "steps": steps,
        "hidden": HIDDEN,
        "learning_rate": LEARNING_RATE,
        "momentum": MOMENTUM,
        "x": x.tolist(),
        "y": y.tolist(),
        "runs": results,
    }


def markdown(result: dict[str, Any]) -> str:
    rows = [
        [
            name,
            r["max_pairwise_difference_init"],
            r["max_pairwise_difference_final"],
            f"{r['distinct_units_final']} of {result['hidden']}",
            r["final_loss"],
        ]
        for name, r in result["runs"].items()
    ]
    header = ["init", "max unit difference, init", "after training", "distinct units", "final loss"]
    return (
        f"## Symmetry ({result['hidden']} hidden tanh units, {result['steps']} steps, "
        f"seed {result['seed']})\n\n" + _output.markdown_table(header, rows) + "\n"
    )


def figures(result: dict[str, Any], out_dir: Path) -> list[Path]:
    runs = result["runs"]
    fig, axes = _output.figure(len(runs) + 1, cols=2, size=(4.2, 3.0))
    for ax, (name, r) in zip(axes, runs.items()):
        traj = np.asarray(r["trajectory"])  # (records, hidden): incoming weights
        steps = np.arange(traj.shape[0]) * r["record_every"]
        for j in range(traj.shape[1]):
            ax.plot(steps, traj[:, j], lw=1)
        ax.set_title(f"{name}: {r['distinct_units_final']} distinct unit(s)")
        ax.set_xlabel("step")
    axes[0].set_ylabel("incoming weight of each unit")
    ax = axes[len(runs)]
    ax.plot(result["x"], result["y"], ".", ms=2, color="0.7", label="data")
    for name, r in runs.items():
        ax.plot(result["x"], r["prediction"], lw=2, label=f"{name} (loss {r['final_loss']:.2f})")
    ax.set_title("fits after training")
    ax.set_xlabel("x")
    ax.legend(fontsize=7)
    return [_output.save(fig, out_dir, "symmetry_weights.png")]
