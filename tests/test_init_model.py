"""turboinit.torch.init_model: whole-model initialisation by parameter name.

* every parameter gets exactly what the turboinit.torch function of its rule
  gives with generator=seed, stream=<its name> (bit for bit);
* PyTorch's per-layer defaults: the rule of each layer type, and a two-sample
  KS test (p > 1e-4) against the values PyTorch's own constructor draws;
* determinism: thread count, construction order, meta + to_empty();
* named and callable schemes, buffers, dtype conversion, the report, errors.
"""

from __future__ import annotations

import functools
import logging
import math

import pytest

torch = pytest.importorskip("torch")
stats = pytest.importorskip("scipy.stats")

from torch import nn  # noqa: E402

import turboinit as ti  # noqa: E402
import turboinit.torch as tt  # noqa: E402

P_MIN = 1e-4
SEED = 2024


class Zoo(nn.Module):
    """One layer of each kind init_model knows."""

    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(50, 16, padding_idx=3)
        self.bag = nn.EmbeddingBag(20, 16, padding_idx=0)
        self.lin = nn.Linear(16, 24)
        self.lin_nobias = nn.Linear(24, 8, bias=False)
        self.bil = nn.Bilinear(8, 6, 5)
        self.conv1 = nn.Conv1d(4, 6, 3)
        self.conv2 = nn.Conv2d(4, 8, 3, groups=2)
        self.conv3 = nn.Conv3d(2, 3, 2)
        self.deconv = nn.ConvTranspose2d(6, 4, 3)
        self.ln = nn.LayerNorm(24)
        self.rms = nn.RMSNorm(24)
        self.bn = nn.BatchNorm2d(8)
        self.gn = nn.GroupNorm(2, 8)
        self.inorm = nn.InstanceNorm1d(6, affine=True, track_running_stats=True)
        self.mha = nn.MultiheadAttention(16, 4)
        self.mha_kv = nn.MultiheadAttention(16, 2, kdim=12, vdim=10, add_bias_kv=True)
        self.lstm = nn.LSTM(16, 12, num_layers=2)
        self.gru = nn.GRU(8, 10, bidirectional=True)
        self.rnn_cell = nn.RNNCell(8, 6)
        self.prelu = nn.PReLU(4, init=0.1)


def zoo_on_meta():
    with torch.device("meta"):
        model = Zoo()
    return model.to_empty(device="cpu")


def expected_rule_values(model, name):
    """What ``name`` must hold after init_model(model, SEED) (default scheme)."""
    t = (
        model.get_parameter(name)
        if name in dict(model.named_parameters())
        else model.get_buffer(name)
    )
    e = torch.empty_like(t)
    owner_name, _, local = name.rpartition(".")
    owner = model.get_submodule(owner_name)
    kw = dict(generator=SEED, stream=name)
    if isinstance(owner, (nn.Linear, nn.modules.conv._ConvNd)):
        if local == "weight":
            return tt.kaiming_uniform_(e, a=math.sqrt(5), **kw)
        fan_in = ti.compute_fans(tuple(owner.weight.shape))[0]
        return tt.uniform_(e, -1 / math.sqrt(fan_in), 1 / math.sqrt(fan_in), **kw)
    if isinstance(owner, nn.Bilinear):
        b = 1 / math.sqrt(owner.weight.shape[1])
        return tt.uniform_(e, -b, b, **kw)
    if isinstance(owner, (nn.Embedding, nn.EmbeddingBag)):
        tt.normal_(e, **kw)
        e[owner.padding_idx] = 0
        return e
    if isinstance(owner, (nn.RNNBase, nn.RNNCellBase)):
        b = 1 / math.sqrt(owner.hidden_size)
        return tt.uniform_(e, -b, b, **kw)
    raise AssertionError(name)


def test_default_rules_bit_for_bit():
    model = zoo_on_meta()
    report = tt.init_model(model, SEED)
    params = dict(model.named_parameters())
    assert set(params) <= set(report)
    for name, p in params.items():
        owner = model.get_submodule(name.rpartition(".")[0])
        local = name.rpartition(".")[2]
        if isinstance(owner, tt._rules.NORMS):
            assert (p == (1.0 if local == "weight" else 0.0)).all(), name
        elif isinstance(owner, nn.PReLU):
            assert (p == torch.tensor(0.1)).all()
        elif isinstance(owner, nn.MultiheadAttention):
            e = torch.empty_like(p)
            if local.endswith("weight"):
                assert torch.equal(p, tt.xavier_uniform_(e, generator=SEED, stream=name)), name
            elif local == "in_proj_bias":
                assert (p == 0).all()
            else:  # bias_k, bias_v
                assert torch.equal(p, tt.xavier_normal_(e, generator=SEED, stream=name)), name
        elif name.endswith("out_proj.bias"):
            assert (p == 0).all(), name  # MultiheadAttention zeroes its out_proj bias
        else:
            assert torch.equal(p, expected_rule_values(model, name)), name
    assert (model.emb.weight[3] == 0).all() and (model.bag.weight[0] == 0).all()
    assert report["lin.weight"].scheme == "kaiming_uniform(a=sqrt(5))"
    assert report["mha.in_proj_weight"].scheme == "xavier_uniform"
    assert report["mha.out_proj.bias"].scheme == "zeros"
    assert report["ln.weight"].scheme == "ones" and report["rms.weight"].scheme == "ones"


def test_buffers_reset_like_torch():
    model = Zoo()
    bn = model.bn
    bn.train()
    bn(torch.randn(4, 8, 5, 5))  # moves the running statistics
    assert bn.num_batches_tracked.item() == 1
    report = tt.init_model(model, SEED)
    assert (bn.running_mean == 0).all() and (bn.running_var == 1).all()
    assert bn.num_batches_tracked.item() == 0 and bn.num_batches_tracked.dtype == torch.int64
    assert report["bn.running_var"].kind == "buffer"
    assert report["bn.num_batches_tracked"].dtype == "int64"
    assert (model.inorm.running_var == 1).all()


@pytest.mark.parametrize(
    "make,pick",
    [
        (lambda: nn.Linear(400, 300), lambda m: m.weight),
        (lambda: nn.Linear(400, 20000), lambda m: m.bias),
        (lambda: nn.Conv2d(32, 64, 5), lambda m: m.weight),
        (lambda: nn.Embedding(500, 64), lambda m: m.weight),
        (lambda: nn.LSTM(64, 80), lambda m: m.weight_hh_l0),
        (lambda: nn.MultiheadAttention(96, 4), lambda m: m.in_proj_weight),
        (
            lambda: nn.Transformer(32, 2, 1, 1, 64, batch_first=True),
            lambda m: m.encoder.layers[0].linear1.weight,
        ),
    ],
    ids=["linear.weight", "linear.bias", "conv.weight", "embedding", "lstm", "mha", "transformer"],
)
def test_default_distribution_matches_pytorch_constructor(make, pick):
    torch.manual_seed(SEED)
    theirs = pick(make()).detach().double().numpy().ravel()
    mine = make()
    tt.init_model(mine, SEED)
    ours = pick(mine).detach().double().numpy().ravel()
    assert stats.ks_2samp(ours, theirs).pvalue > P_MIN


def test_transformer_xavier_override():
    model = nn.Transformer(16, 2, 1, 1, 32, batch_first=True)
    report = tt.init_model(model, SEED)
    for name, p in model.named_parameters():
        if p.dim() > 1:
            assert report[name].scheme == "xavier_uniform", name
            e = tt.xavier_uniform_(torch.empty_like(p), generator=SEED, stream=name)
            assert torch.equal(p, e), name


class Block(nn.Module):
    def __init__(self, order):
        super().__init__()
        for name in order:
            setattr(
                self,
                name,
                {
                    "fc": lambda: nn.Linear(32, 64),
                    "norm": lambda: nn.LayerNorm(64),
                    "emb": lambda: nn.Embedding(100, 32),
                    "proj": lambda: nn.Linear(64, 32),
                }[name](),
            )


def test_construction_order_does_not_matter():
    a = Block(["fc", "norm", "emb", "proj"])
    b = Block(["proj", "emb", "norm", "fc"])
    assert [n for n, _ in a.named_parameters()] != [n for n, _ in b.named_parameters()]
    tt.init_model(a, SEED)
    tt.init_model(b, SEED)
    sa, sb = a.state_dict(), b.state_dict()
    assert sa.keys() == sb.keys()
    assert all(torch.equal(sa[k], sb[k]) for k in sa)


def test_thread_count_does_not_matter():
    before = ti.get_num_threads()
    try:
        states = []
        for n in (1, 2):
            ti.set_num_threads(n)
            model = nn.Sequential(nn.Embedding(3000, 128), nn.Linear(128, 512), nn.LayerNorm(512))
            tt.init_model(model, SEED)
            states.append(model.state_dict())
    finally:
        ti.set_num_threads(before)
    assert all(torch.equal(states[0][k], states[1][k]) for k in states[0])


def test_meta_to_empty_equals_normal_path():
    normal = Zoo()
    tt.init_model(normal, SEED)
    fast = zoo_on_meta()
    tt.init_model(fast, SEED)
    sn, sf = normal.state_dict(), fast.state_dict()
    assert sn.keys() == sf.keys()
    for k in sn:
        assert sn[k].dtype == sf[k].dtype
        assert torch.equal(
            sn[k].view(torch.uint8) if sn[k].dtype.is_floating_point else sn[k],
            sf[k].view(torch.uint8) if sf[k].dtype.is_floating_point else sf[k],
        ), k


def test_different_seeds_differ():
    a, b = nn.Linear(8, 8), nn.Linear(8, 8)
    tt.init_model(a, 1)
    tt.init_model(b, 2)
    assert not torch.equal(a.weight, b.weight)


class Decoder(nn.Module):
    def __init__(self, vocab=100, width=32, layers=2):
        super().__init__()
        self.embed = nn.Embedding(vocab, width)
        layer = nn.TransformerDecoderLayer(width, 4, 4 * width, dropout=0.0, batch_first=True)
        self.blocks = nn.TransformerDecoder(layer, layers)
        self.norm = nn.LayerNorm(width)
        self.head = nn.Linear(width, vocab, bias=False)

    def forward(self, ids):
        h = self.embed(ids)
        return self.head(self.norm(self.blocks(h, h)))


@pytest.mark.parametrize(
    "scheme", [None, "he_normal", "xavier_uniform", "orthogonal", ("normal", {"std": 0.02})]
)
def test_forward_pass_stays_finite(scheme):
    with torch.device("meta"):
        model = Decoder()
    model = model.to_empty(device="cpu")
    tt.init_model(model, SEED, scheme=scheme)
    with torch.no_grad():
        out = model(torch.randint(0, 100, (2, 7)))
    assert out.shape == (2, 7, 100) and torch.isfinite(out).all()


def test_named_scheme():
    model = nn.Sequential(nn.Linear(20, 30), nn.LayerNorm(30), nn.Conv1d(3, 4, 5), nn.PReLU())
    report = tt.init_model(model, SEED, scheme="he_normal")
    e = tt.kaiming_normal_(torch.empty(30, 20), generator=SEED, stream="0.weight")
    assert torch.equal(model[0].weight, e) and report["0.weight"].scheme == "he_normal"
    e = tt.kaiming_normal_(torch.empty(4, 3, 5), generator=SEED, stream="2.weight")
    assert torch.equal(model[2].weight, e)
    assert (model[0].bias == 0).all() and (model[2].bias == 0).all()
    assert (model[1].weight == 1).all() and (model[1].bias == 0).all()
    assert (model[3].weight == 0.25).all()  # rank 1, not a bias: PReLU's default


def test_named_scheme_with_kwargs():
    model = nn.Sequential(nn.Linear(20, 30))
    report = tt.init_model(
        model, SEED, scheme=("kaiming_uniform", {"mode": "fan_out", "nonlinearity": "relu"})
    )
    e = tt.kaiming_uniform_(
        torch.empty(30, 20), mode="fan_out", nonlinearity="relu", generator=SEED, stream="0.weight"
    )
    assert torch.equal(model[0].weight, e)
    assert report["0.weight"].scheme == "kaiming_uniform(mode='fan_out', nonlinearity='relu')"


def test_callable_scheme():
    def scheme(name, param):
        if name.endswith("fc.weight"):
            return functools.partial(tt.trunc_normal_, std=0.02)
        if name == "norm.bias":
            return "skip"
        if name == "emb.weight":
            return ("uniform", {"a": -0.1, "b": 0.1})
        return None

    model = Block(["fc", "norm", "emb", "proj"])
    with torch.no_grad():
        model.norm.bias.fill_(7.0)
    report = tt.init_model(model, SEED, scheme=scheme)
    e = tt.trunc_normal_(torch.empty(64, 32), std=0.02, generator=SEED, stream="fc.weight")
    assert torch.equal(model.fc.weight, e) and report["fc.weight"].scheme == "trunc_normal_"
    assert (model.norm.bias == 7.0).all() and "norm.bias" not in report
    e = tt.uniform_(torch.empty(100, 32), -0.1, 0.1, generator=SEED, stream="emb.weight")
    assert torch.equal(model.emb.weight, e)
    assert torch.equal(model.proj.weight, expected_rule_values(model, "proj.weight"))


class Custom(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)
        self.scale = nn.Parameter(torch.full((4,), 3.0))

    def reset_parameters(self):  # a reset of its own is not trusted blindly
        nn.init.ones_(self.scale)


def test_unknown_module_raises_before_writing():
    model = Custom()
    before = model.fc.weight.clone()
    with pytest.raises(TypeError, match=r"'scale' \(Custom\)"):
        tt.init_model(model, SEED)
    assert torch.equal(model.fc.weight, before) and (model.scale == 3.0).all()
    tt.init_model(model, SEED, scheme=lambda n, p: "ones" if n == "scale" else None)
    assert (model.scale == 1).all() and not torch.equal(model.fc.weight, before)


@pytest.mark.parametrize(
    "scheme",
    [
        ("normal", {"std": -1.0}),  # rejected by normal_
        lambda name, p: "he_normal" if name == "1.bias" else None,  # fans of a 1-D tensor
        lambda name, p: ("dirac", {"groups": 3}) if name == "1.weight" else None,  # 2-D
    ],
)
def test_rule_errors_raise_before_writing(scheme):
    model = nn.Sequential(nn.Linear(4, 6), nn.Linear(6, 3))
    before = {k: v.clone() for k, v in model.state_dict().items()}
    with pytest.raises(ValueError, match="cannot initialise"):
        tt.init_model(model, SEED, scheme=scheme)
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())


def test_shared_parameter_initialised_once_under_first_name():
    emb = nn.Embedding(40, 8)
    head = nn.Linear(8, 40, bias=False)
    head.weight = emb.weight
    model = nn.Sequential(emb, head)
    report = tt.init_model(model, SEED)
    assert list(report) == ["0.weight"]
    assert torch.equal(
        model[0].weight, tt.normal_(torch.empty(40, 8), generator=SEED, stream="0.weight")
    )


@pytest.mark.parametrize("dtype", [torch.bfloat16, "float16", torch.float64])
def test_dtype_conversion(dtype):
    model = nn.Sequential(nn.Linear(16, 8), nn.BatchNorm1d(8))
    param = model[0].weight
    report = tt.init_model(model, SEED, dtype=dtype)
    tdt = dtype if isinstance(dtype, torch.dtype) else getattr(torch, dtype)
    assert model[0].weight is param and param.dtype == tdt
    assert model[1].running_var.dtype == tdt and model[1].num_batches_tracked.dtype == torch.int64
    e = tt.kaiming_uniform_(
        torch.empty(8, 16, dtype=tdt), a=math.sqrt(5), generator=SEED, stream="0.weight"
    )
    assert torch.equal(param, e) and report["0.weight"].dtype == str(tdt).replace("torch.", "")


def test_report_and_logging(caplog):
    model = nn.Sequential(nn.Linear(8, 4), nn.BatchNorm1d(4))
    with caplog.at_level(logging.DEBUG, logger="turboinit.torch"):
        report = tt.init_model(model, SEED)
    assert list(report) == [
        "0.weight",
        "0.bias",
        "1.weight",
        "1.bias",
        "1.running_mean",
        "1.running_var",
        "1.num_batches_tracked",
    ]
    r = report["0.weight"]
    assert (r.name, r.kind, r.shape, r.dtype) == ("0.weight", "parameter", (4, 8), "float32")
    assert r.seconds >= 0
    assert sum("0.weight" in rec.getMessage() for rec in caplog.records) == 1


def test_progress_bar(capsys):
    pytest.importorskip("tqdm")
    tt.init_model(nn.Linear(8, 4), SEED, progress=True)
    assert "init_model" in capsys.readouterr().err
    tt.init_model(nn.Linear(8, 4), SEED, progress=False)
    tt.init_model(nn.Linear(8, 4), SEED)  # auto: far under a second, no bar
    assert capsys.readouterr().err == ""


def test_bad_arguments():
    model = nn.Linear(4, 4)
    with pytest.raises(TypeError, match="module"):
        tt.init_model("model", SEED)
    with pytest.raises(ValueError, match="unknown rule"):
        tt.init_model(model, SEED, scheme="he_normel")
    with pytest.raises(TypeError, match="bad arguments"):
        tt.init_model(model, SEED, scheme=("normal", {"sd": 1.0}))
    with pytest.raises(TypeError, match="dtype"):
        tt.init_model(model, SEED, dtype=torch.int32)
    with pytest.raises(TypeError, match="progress"):
        tt.init_model(model, SEED, progress="yes")
    with pytest.raises(ValueError, match="seed"):
        tt.init_model(model, -1)
    with torch.device("meta"):
        meta = nn.Linear(4, 4)
    with pytest.raises(ValueError, match="meta device"):
        tt.init_model(meta, SEED)
    with pytest.raises(ValueError, match="lazy"):
        tt.init_model(nn.LazyLinear(4), SEED)
