"""init_model(scheme="capture", init=...): the model's own init, recorded and replayed."""

from __future__ import annotations

import math
import warnings

import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

import turboinit.torch as tt  # noqa: E402

SEED = 11


def _meta(build):  # type: ignore[no-untyped-def]
    with torch.device("meta"):
        model = build()
    return model.to_empty(device="cpu")


def _reset_all(model: nn.Module):  # type: ignore[no-untyped-def]
    def init() -> None:
        for m in model.modules():
            if m is not model and hasattr(m, "reset_parameters"):
                m.reset_parameters()

    return init


def _uniform(shape, b, name):  # type: ignore[no-untyped-def]
    return tt.uniform_(torch.empty(shape), -b, b, generator=SEED, stream=name)


def test_plain_layers_replay_torch_defaults() -> None:
    model = _meta(
        lambda: nn.Sequential(
            nn.Linear(8, 6),
            nn.LayerNorm(6),
            nn.Embedding(10, 6, padding_idx=2),
            nn.Conv2d(3, 4, 3),
            nn.GRU(4, 5),
        )
    )
    report = tt.init_model(model, SEED, scheme="capture", init=_reset_all(model))
    assert set(report) == {n for n, _ in model.named_parameters()}
    assert report["0.weight"].scheme.startswith("kaiming_uniform(a=2.23607")
    # kaiming_uniform_(a=sqrt(5)) on (6, 8): bound = sqrt(3) * sqrt(2 / 6) / sqrt(8) (torch)
    gain = math.sqrt(2.0 / (1 + 5))
    b = math.sqrt(3.0) * (gain / math.sqrt(8))
    assert torch.equal(model[0].weight, _uniform((6, 8), b, "0.weight"))
    assert torch.equal(model[0].bias, _uniform((6,), 1 / math.sqrt(8), "0.bias"))
    assert torch.equal(model[1].weight, torch.ones(6))
    assert torch.equal(model[1].bias, torch.zeros(6))
    emb = tt.normal_(torch.empty(10, 6), generator=SEED, stream="2.weight")
    emb[2] = 0
    assert torch.equal(model[2].weight, emb)
    assert report["2.weight"].scheme.startswith("normal(mean=0, std=1); [2:3, 0:6] ")
    fan_in = 3 * 3 * 3
    assert torch.equal(model[3].bias, _uniform((4,), 1 / math.sqrt(fan_in), "3.bias"))
    for n, p in model[4].named_parameters():
        assert torch.equal(p, _uniform(tuple(p.shape), 1 / math.sqrt(5), f"4.{n}"))


class TitanStyle(nn.Module):
    """A torchtitan-style model: its own init_weights, a depth-scaled std, a view op."""

    def __init__(self, dim: int = 16, layers: int = 3) -> None:
        super().__init__()
        self.tok = nn.Embedding(32, dim)
        self.blocks = nn.ModuleList(nn.Linear(dim, dim) for _ in range(layers))
        self.norm = nn.RMSNorm(dim)
        self.out = nn.Linear(dim, 32, bias=False)
        self.register_buffer("scale", torch.empty(dim), persistent=False)

    def init_weights(self) -> None:
        nn.init.normal_(self.tok.weight)
        for i, blk in enumerate(self.blocks):
            std = 0.02 / (2 * (i + 1)) ** 0.5
            nn.init.trunc_normal_(blk.weight, mean=0.0, std=std)
            blk.bias.data.zero_()
            blk.bias[:2] = 1.0  # a number written into a view
        self.norm.reset_parameters()
        final = self.out.weight.shape[1] ** -0.5
        nn.init.trunc_normal_(self.out.weight, std=final, a=-3 * final, b=3 * final)
        self.out.weight.data.mul_(0.5)  # folded into the trunc_normal above
        with torch.device("cpu"):
            self.scale.copy_(torch.arange(self.scale.numel(), dtype=torch.float32))


def test_custom_init_weights() -> None:
    model = _meta(TitanStyle)
    report = tt.init_model(model, SEED, scheme="capture", init=model.init_weights)
    for i, blk in enumerate(model.blocks):
        std = 0.02 / (2 * (i + 1)) ** 0.5
        w = tt.trunc_normal_(
            torch.empty(16, 16), std=std, generator=SEED, stream=f"blocks.{i}.weight"
        )
        assert torch.equal(blk.weight, w)
        assert torch.equal(blk.bias, torch.tensor([1.0, 1.0] + [0.0] * 14))
    f = 16**-0.5
    want = tt.trunc_normal_(
        torch.empty(32, 16), std=0.5 * f, a=-1.5 * f, b=1.5 * f, generator=SEED, stream="out.weight"
    )
    assert torch.equal(model.out.weight, want)
    assert "* 0.5" in report["out.weight"].scheme
    assert torch.equal(model.norm.weight, torch.ones(16))
    # the buffer: the init ran on it for real
    assert torch.equal(model.scale, torch.arange(16, dtype=torch.float32))


def test_capture_is_independent_of_torch_rng_and_sharding_of_calls() -> None:
    a, b = _meta(TitanStyle), _meta(TitanStyle)
    torch.manual_seed(1)
    tt.init_model(a, SEED, scheme="capture", init=a.init_weights)
    torch.manual_seed(2)
    tt.init_model(b, SEED, scheme="capture", init=b.init_weights)
    for (n, p), (_, q) in zip(a.named_parameters(), b.named_parameters()):
        assert torch.equal(p, q), n


def test_unreplayable_ops_are_named_and_left_alone() -> None:
    model = _meta(lambda: nn.Sequential(nn.Linear(4, 4), nn.Linear(4, 3)))
    with torch.no_grad():
        for p in model.parameters():
            p.fill_(7.0)

    def timm_trunc_normal(t: torch.Tensor) -> None:  # the erfinv_ method, as timm writes it
        with torch.no_grad():
            t.uniform_(-0.9, 0.9)
            t.erfinv_()
            t.mul_(0.02 * math.sqrt(2.0))
            t.clamp_(min=-2, max=2)

    def init() -> None:
        timm_trunc_normal(model[0].weight)
        nn.init.zeros_(model[0].bias)
        model[1].weight.copy_(model[0].weight[:3] * 2)  # a computed tensor

    with pytest.warns(UserWarning, match=r"3 parameter\(s\) left as they are") as w:
        report = tt.init_model(model, SEED, scheme="capture", init=init)
    msg = str(w[0].message)
    assert "erfinv_" in msg and "'1.weight'" in msg and "did not touch" in msg
    assert (
        report["0.weight"].scheme.startswith("NOT REPLAYED")
        and "erfinv_" in report["0.weight"].scheme
    )
    assert "copy_" in report["1.weight"].scheme
    assert report["1.bias"].scheme == "NOT REPLAYED: the init function did not touch it"
    assert torch.equal(model[0].weight, torch.full((4, 4), 7.0))  # not half-replayed
    assert torch.equal(model[0].bias, torch.zeros(4))


def test_copy_of_constants_and_orthogonal() -> None:
    model = _meta(lambda: nn.Sequential(nn.Linear(6, 4), nn.Conv1d(2, 2, 3)))

    def init() -> None:
        with torch.no_grad():
            model[0].bias.copy_(torch.full((4,), 0.25))
        nn.init.orthogonal_(model[0].weight, gain=2.0)
        nn.init.dirac_(model[1].weight)
        model[1].bias.fill_(torch.tensor(3.0))

    report = tt.init_model(model, SEED, scheme="capture", init=init)
    assert torch.equal(model[0].bias, torch.full((4,), 0.25))
    q = tt.orthogonal_(torch.empty(4, 6), gain=2.0, generator=SEED, stream="0.weight")
    assert torch.equal(model[0].weight, q)
    assert torch.equal(model[1].weight, tt.dirac_(torch.empty(2, 2, 3)))
    assert torch.equal(model[1].bias, torch.full((2,), 3.0))
    assert report["0.weight"].scheme.startswith("orthogonal(gain=2")


def test_capture_arguments() -> None:
    model = _meta(lambda: nn.Linear(2, 2))
    with pytest.raises(TypeError, match="init="):
        tt.init_model(model, SEED, scheme="capture")
    with pytest.raises(TypeError, match="init: only used"):
        tt.init_model(model, SEED, init=lambda: None)
    # torch.nn.init is restored, even after an init that raises
    orig = nn.init.normal_

    def boom() -> None:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        tt.init_model(model, SEED, scheme="capture", init=boom)
    assert nn.init.normal_ is orig
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tt.init_model(model, SEED, scheme="capture", init=model.reset_parameters)


def test_transformers_llama_from_config() -> None:
    transformers = pytest.importorskip("transformers")
    cfg = transformers.LlamaConfig(
        vocab_size=64,
        hidden_size=32,
        intermediate_size=48,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        initializer_range=0.02,
    )
    with torch.device("meta"):
        model = transformers.LlamaForCausalLM(cfg)
    model.to_empty(device="cpu")
    report = tt.init_model(
        model, SEED, scheme="capture", init=lambda: model.apply(model._init_weights)
    )
    assert not [r for r in report.values() if r.scheme.startswith("NOT REPLAYED")]
    w = model.model.layers[0].mlp.up_proj.weight
    want = tt.normal_(torch.empty(w.shape), 0.0, 0.02, generator=SEED, stream=report_name(model, w))
    assert torch.equal(w, want)


def report_name(model: nn.Module, p: torch.Tensor) -> str:
    return next(n for n, q in model.named_parameters() if q is p)
