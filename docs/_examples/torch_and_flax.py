"""One MLP defined twice, in PyTorch and in Flax (nnx), with identical initial weights.

PyTorch stores a Linear weight as (out, in), Flax as a kernel (in, out).  The
PyTorch model is filled by ``turboinit.torch`` with the parameter names as
streams; the Flax model asks ``turboinit.jax`` for the same (seed, stream) with
``torch_layout=True``, which draws the (out, in) weight and hands Flax its
transpose.  The weights are equal bit for bit; the outputs agree to float32
rounding (the two frameworks sum the products in different orders).  On a GPU, JAX
multiplies float32 matrices at reduced (TF32) precision unless told otherwise, so the
Flax forward pass asks for full float32 precision.
"""

import jax
import jax.numpy as jnp
import numpy as np
import torch
from flax import nnx

import turboinit.torch as tt
from turboinit.jax import initializers as tj

SEED = 0

# --- PyTorch ------------------------------------------------------------------
torch_model = torch.nn.Sequential(
    torch.nn.Linear(784, 256),
    torch.nn.ReLU(),
    torch.nn.Linear(256, 10),
)
for name, p in torch_model.named_parameters():  # "0.weight", "0.bias", "2.weight", ...
    if name.endswith("weight"):
        tt.xavier_uniform_(p, generator=SEED, stream=name)
    else:
        tt.zeros_(p)


# --- Flax ---------------------------------------------------------------------
def kernel_init(stream: str) -> nnx.Initializer:
    return tj.glorot_uniform(seed=SEED, stream=stream, torch_layout=True)


class MLP(nnx.Module):
    def __init__(self, rngs: nnx.Rngs) -> None:
        self.fc0 = nnx.Linear(784, 256, kernel_init=kernel_init("0.weight"), rngs=rngs)
        self.fc2 = nnx.Linear(256, 10, kernel_init=kernel_init("2.weight"), rngs=rngs)

    def __call__(self, x: jnp.ndarray) -> jnp.ndarray:
        return self.fc2(nnx.relu(self.fc0(x)))


flax_model = MLP(nnx.Rngs(0))  # the key is not used: seed= fixes the values

# --- the same weights, the same function ---------------------------------------
pairs = [(flax_model.fc0, torch_model[0]), (flax_model.fc2, torch_model[2])]
for flax_layer, torch_layer in pairs:
    kernel = np.asarray(flax_layer.kernel[...])
    weight = torch_layer.weight.detach().numpy()
    assert kernel.tobytes() == np.ascontiguousarray(weight.T).tobytes()

x = np.random.default_rng(0).standard_normal((8, 784), dtype=np.float32)
y_torch = torch_model(torch.from_numpy(x)).detach().numpy()
with jax.default_matmul_precision("highest"):
    y_flax = np.asarray(flax_model(jnp.asarray(x)))
print("weights equal bit for bit; max |y_torch - y_flax| =", float(abs(y_torch - y_flax).max()))
assert np.allclose(y_torch, y_flax, rtol=1e-5, atol=1e-5)
