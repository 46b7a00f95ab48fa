"""Regenerate the checkpoint specs shipped in src/turboinit/specs/.

    python scripts/make_specs.py

Each spec is plain JSON (see turboinit.checkpoint); this script only saves
typing them and states where every number comes from.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "src" / "turboinit" / "specs"


def tensor(shape: list[int], init: str, **args: float) -> dict:
    entry: dict = {"shape": shape, "init": init}
    if args:
        entry["args"] = args
    return entry


def count(tensors: dict) -> int:
    return sum(math.prod(t["shape"]) for t in tensors.values())


def mlp_small() -> dict:
    """784-256-256-10 MLP with PyTorch's nn.Linear defaults: weight and bias
    U(-1/sqrt(fan_in), 1/sqrt(fan_in)) (kaiming_uniform_(a=sqrt(5)) for the weight)."""
    sizes = [784, 256, 256, 10]
    tensors = {}
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        bound = 1.0 / math.sqrt(n_in)
        tensors[f"layers.{i}.weight"] = tensor([n_out, n_in], "uniform", low=-bound, high=bound)
        tensors[f"layers.{i}.bias"] = tensor([n_out], "uniform", low=-bound, high=bound)
    return {
        "description": (
            "MLP 784-256-256-10 (PyTorch nn.Linear layout (out, in) and default init: "
            "U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weights and biases); "
            f"{count(tensors):,} parameters"
        ),
        "tensors": tensors,
    }


def gpt2_125m() -> dict:
    """GPT-2 small as in Hugging Face's GPT2Model (Conv1D weights are (in, out)),
    with its _init_weights: normal(0, 0.02) for weights and embeddings,
    normal(0, 0.02 / sqrt(2 * n_layer)) for the residual projections (c_proj),
    zero biases, LayerNorm weight 1 and bias 0.  Output head tied to wte."""
    vocab, ctx, layers, width = 50257, 1024, 12, 768
    std, std_residual = 0.02, 0.02 / math.sqrt(2 * layers)
    t = {
        "wte.weight": tensor([vocab, width], "normal", std=std),
        "wpe.weight": tensor([ctx, width], "normal", std=std),
    }
    for i in range(layers):
        p = f"h.{i}."
        t[p + "ln_1.weight"] = tensor([width], "ones")
        t[p + "ln_1.bias"] = tensor([width], "zeros")
        t[p + "attn.c_attn.weight"] = tensor([width, 3 * width], "normal", std=std)
        t[p + "attn.c_attn.bias"] = tensor([3 * width], "zeros")
        t[p + "attn.c_proj.weight"] = tensor([width, width], "normal", std=std_residual)
        t[p + "attn.c_proj.bias"] = tensor([width], "zeros")
        t[p + "ln_2.weight"] = tensor([width], "ones")
        t[p + "ln_2.bias"] = tensor([width], "zeros")
        t[p + "mlp.c_fc.weight"] = tensor([width, 4 * width], "normal", std=std)
        t[p + "mlp.c_fc.bias"] = tensor([4 * width], "zeros")
        t[p + "mlp.c_proj.weight"] = tensor([4 * width, width], "normal", std=std_residual)
        t[p + "mlp.c_proj.bias"] = tensor([width], "zeros")
    t["ln_f.weight"] = tensor([width], "ones")
    t["ln_f.bias"] = tensor([width], "zeros")
    return {
        "description": (
            "GPT-2 small (vocab 50257, context 1024, 12 layers, width 768, Hugging Face "
            "GPT2Model names and Conv1D (in, out) layout, head tied to wte); GPT-2 init: "
            "normal(0, 0.02), residual projections normal(0, 0.02/sqrt(24)), zero biases, "
            f"LayerNorm 1/0; {count(t):,} parameters"
        ),
        "tensors": t,
    }


def decoder_1b() -> dict:
    """A Llama-style decoder (TinyLlama's widths, 24 layers): RMSNorm, grouped-query
    attention with 32 query heads and 4 key/value heads of dimension 64, SwiGLU MLP
    of width 5632, output head tied to the embedding (1.12B parameters).
    Hugging Face LlamaForCausalLM init: normal(0, 0.02) for every Linear and the
    embedding, RMSNorm weights 1."""
    vocab, layers, width, ffn, heads, kv_heads = 32000, 24, 2048, 5632, 32, 4
    kv = width // heads * kv_heads
    std = 0.02
    t = {"model.embed_tokens.weight": tensor([vocab, width], "normal", std=std)}
    for i in range(layers):
        p = f"model.layers.{i}."
        t[p + "input_layernorm.weight"] = tensor([width], "ones")
        t[p + "self_attn.q_proj.weight"] = tensor([width, width], "normal", std=std)
        t[p + "self_attn.k_proj.weight"] = tensor([kv, width], "normal", std=std)
        t[p + "self_attn.v_proj.weight"] = tensor([kv, width], "normal", std=std)
        t[p + "self_attn.o_proj.weight"] = tensor([width, width], "normal", std=std)
        t[p + "post_attention_layernorm.weight"] = tensor([width], "ones")
        t[p + "mlp.gate_proj.weight"] = tensor([ffn, width], "normal", std=std)
        t[p + "mlp.up_proj.weight"] = tensor([ffn, width], "normal", std=std)
        t[p + "mlp.down_proj.weight"] = tensor([width, ffn], "normal", std=std)
    t["model.norm.weight"] = tensor([width], "ones")
    return {
        "description": (
            "Llama-style decoder: vocab 32000, 24 layers, width 2048, 32 query heads and 4 "
            "key/value heads (head dim 64), SwiGLU MLP 5632, RMSNorm, head tied to the "
            "embedding; Hugging Face LlamaForCausalLM names, (out, in) layout and init "
            f"(normal(0, 0.02), norms 1); {count(t):,} parameters"
        ),
        "tensors": t,
    }


def dumps(spec: dict) -> str:
    """JSON with one line per tensor, for readable diffs."""
    lines = ["{", f' "description": {json.dumps(spec["description"])},', ' "tensors": {']
    items = [f"  {json.dumps(k)}: {json.dumps(v)}" for k, v in spec["tensors"].items()]
    lines.append(",\n".join(items))
    lines += [" }", "}"]
    text = "\n".join(lines) + "\n"
    assert json.loads(text) == spec
    return text


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for make in (mlp_small, gpt2_125m, decoder_1b):
        spec = make()
        path = OUT / f"{make.__name__}.json"
        path.write_text(dumps(spec), encoding="utf-8")
        print(f"{path.name}: {count(spec['tensors']):,} parameters, {len(spec['tensors'])} tensors")


if __name__ == "__main__":
    main()
