"""init_model as a user expects it: the report, seeds, buffers, meta errors, seed checkpoints."""

from __future__ import annotations

import warnings

import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

import turboinit.torch as tt  # noqa: E402


class WithBuffers(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.lin = nn.Linear(8, 8)
        self.bn = nn.BatchNorm1d(8)
        self.register_buffer("mask", torch.ones(4, 4).tril())
        self.register_buffer("freqs", torch.arange(4.0), persistent=False)


def _params(m: nn.Module) -> dict[str, torch.Tensor]:
    return {n: p.detach().clone() for n, p in m.named_parameters()}


def test_seed_none_records_entropy_and_replays() -> None:
    a, b = nn.Linear(16, 8), nn.Linear(16, 8)
    report = tt.init_model(a, None)
    assert isinstance(report.seed, int) and report.seed.bit_length() > 64
    again = tt.init_model(b, report.seed)
    assert again.seed == report.seed
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))


def test_torch_generator_as_seed() -> None:
    a, b, c = nn.Linear(6, 5), nn.Linear(6, 5), nn.Linear(6, 5)
    ra = tt.init_model(a, torch.Generator().manual_seed(5))
    tt.init_model(b, torch.Generator().manual_seed(5))
    tt.init_model(c, ra.seed)
    for p, q, r in zip(a.parameters(), b.parameters(), c.parameters()):
        assert torch.equal(p, q) and torch.equal(p, r)


def test_report_repr_is_one_short_line() -> None:
    model = nn.Sequential(*[nn.Linear(32, 32) for _ in range(50)])
    report = tt.init_model(model, 0)
    text = repr(report)
    assert "\n" not in text and len(text) < 120
    assert text.startswith("InitReport(100 tensors, 52800 elements, seed=0, ")
    assert isinstance(report, dict) and report["0.weight"].shape == (32, 32)


def test_forgotten_to_empty_is_one_short_error() -> None:
    with torch.device("meta"):
        model = nn.Sequential(*[nn.Linear(4, 4) for _ in range(40)])
    with pytest.raises(ValueError) as e:
        tt.init_model(model, 0)
    msg = str(e.value)
    assert "80 of 80 tensors are on the meta device" in msg and "and 77 more" in msg
    assert msg.count("weight'") + msg.count("bias'") == 3 and "to_empty" in msg and len(msg) < 300


def test_buffers_left_are_named_warned_or_rebuilt() -> None:
    with torch.device("meta"):
        model = WithBuffers()
    model.to_empty(device="cpu")
    with pytest.warns(UserWarning, match=r"2 buffer\(s\) left as they are \('mask', 'freqs'\)"):
        report = tt.init_model(model, 0)
    assert report.buffers_left == ("mask", "freqs")
    assert "2 buffers left as they are" in repr(report)
    assert report["bn.running_var"].kind == "buffer"  # reset, so not "left"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert tt.init_model(model, 0, buffers="keep").buffers_left == ("mask", "freqs")

        def rebuild(m: nn.Module) -> None:
            m.mask.copy_(torch.ones(4, 4).tril())
            m.freqs.copy_(torch.arange(4.0))

        report = tt.init_model(model, 0, buffers=rebuild)
    assert report.buffers_left == ()
    assert torch.equal(model.mask, torch.ones(4, 4).tril())
    with pytest.raises(TypeError, match="buffers:"):
        tt.init_model(model, 0, buffers="rebuild")


def test_checkpoint_of_a_module_equals_init_model(tmp_path) -> None:  # type: ignore[no-untyped-def]
    st = pytest.importorskip("safetensors.torch")
    from turboinit import checkpoint

    def build() -> nn.Module:
        return nn.Sequential(
            nn.Embedding(20, 8),
            nn.Linear(8, 12),
            nn.LayerNorm(12),
            nn.Conv1d(12, 4, 3),
            nn.BatchNorm1d(4),
        )

    with torch.device("meta"):
        meta = build()
    path = checkpoint.write(meta, tmp_path / "seed.safetensors", seed=9)
    loaded = st.load_file(str(path))
    model = build()
    tt.init_model(model, 9)
    want = dict(model.named_parameters())
    want.update({n: b for n, b in model.named_buffers() if n in loaded})
    assert set(loaded) == set(want)
    for n, t in loaded.items():
        assert torch.equal(t, want[n].detach().to(t.dtype)), n
    with torch.device("meta"):
        padded = nn.Embedding(5, 3, padding_idx=0)
    with pytest.raises(ValueError, match="no checkpoint spec"):
        checkpoint.write(padded, tmp_path / "x.safetensors", seed=0)
