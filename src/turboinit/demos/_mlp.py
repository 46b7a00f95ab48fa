"""A small fully connected network in plain NumPy: forward, backward, Adam.

Only what the demos need: float64, full-batch training, mean squared error,
weights in PyTorch layout ``(out, in)`` so that ``turboinit``'s default fan
rules apply, biases initialised to zero.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

Activation = Callable[[np.ndarray], np.ndarray]

ACTIVATIONS: dict[str, tuple[Activation, Callable[[np.ndarray, np.ndarray], np.ndarray]]] = {
    # name -> (f(z), f'(z) given (z, f(z)))
    "tanh": (np.tanh, lambda z, a: 1.0 - a * a),
    "relu": (lambda z: np.maximum(z, 0.0), lambda z, a: (z > 0).astype(z.dtype)),
    "linear": (lambda z: z, lambda z, a: np.ones_like(z)),
}


@dataclass
class MLP:
    """``h_0 = x``, ``z_l = h_{l-1} W_l^T + b_l``, ``h_l = f(z_l)``; the last layer is linear."""

    weights: list[np.ndarray]
    biases: list[np.ndarray]
    activation: str = "tanh"
    _adam: list[list[np.ndarray]] = field(default_factory=list, repr=False)
    _step: int = 0

    @classmethod
    def from_init(
        cls,
        sizes: list[int],
        init: Callable[[tuple[int, int], int], np.ndarray],
        activation: str = "tanh",
    ) -> MLP:
        """``init((out, in), layer_index)`` gives each weight; biases are zero."""
        weights = [
            np.asarray(init((n_out, n_in), i), dtype=np.float64)
            for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:]))
        ]
        biases = [np.zeros(n_out) for n_out in sizes[1:]]
        return cls(weights, biases, activation)

    def forward(self, x: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Pre-activations ``z_l`` and activations ``h_l`` of every layer (``h[0] = x``)."""
        f = ACTIVATIONS[self.activation][0]
        hs, zs = [x], []
        last = len(self.weights) - 1
        for i, (w, b) in enumerate(zip(self.weights, self.biases)):
            z = hs[-1] @ w.T + b
            zs.append(z)
            hs.append(z if i == last else f(z))
        return zs, hs

    def predict(self, x: np.ndarray) -> np.ndarray:
        return self.forward(x)[1][-1]

    def loss_and_grads(
        self, x: np.ndarray, y: np.ndarray
    ) -> tuple[float, list[np.ndarray], list[np.ndarray]]:
        """Mean squared error and its gradients (backpropagation)."""
        df = ACTIVATIONS[self.activation][1]
        zs, hs = self.forward(x)
        n = x.shape[0]
        err = hs[-1] - y
        loss = float(np.mean(err * err))
        delta = 2.0 * err / (n * err.shape[1])
        gw: list[np.ndarray] = [np.empty(0)] * len(self.weights)
        gb: list[np.ndarray] = [np.empty(0)] * len(self.weights)
        for i in range(len(self.weights) - 1, -1, -1):
            gw[i] = delta.T @ hs[i]
            gb[i] = delta.sum(axis=0)
            if i > 0:
                delta = (delta @ self.weights[i]) * df(zs[i - 1], hs[i])
        return loss, gw, gb

    def sgd_step(
        self, gw: list[np.ndarray], gb: list[np.ndarray], lr: float, momentum: float = 0.9
    ) -> None:
        """Gradient descent with (heavy-ball) momentum."""
        params = self.weights + self.biases
        grads = gw + gb
        if not self._adam:
            self._adam = [[np.zeros_like(p)] for p in params]
        for p, g, (v,) in zip(params, grads, self._adam):
            v *= momentum
            v += g
            p -= lr * v

    def adam_step(
        self,
        gw: list[np.ndarray],
        gb: list[np.ndarray],
        lr: float,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-8,
    ) -> None:
        params = self.weights + self.biases
        grads = gw + gb
        if not self._adam:
            self._adam = [[np.zeros_like(p), np.zeros_like(p)] for p in params]
        self._step += 1
        c1 = 1.0 - beta1**self._step
        c2 = 1.0 - beta2**self._step
        for p, g, (m, v) in zip(params, grads, self._adam):
            m *= beta1
            m += (1.0 - beta1) * g
            v *= beta2
            v += (1.0 - beta2) * g * g
            p -= lr * (m / c1) / (np.sqrt(v / c2) + eps)
