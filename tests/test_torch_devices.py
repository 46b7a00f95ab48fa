"""Tensors that are not written in place: host generation in bounded chunks, CUDA.

The chunked path is the one a CUDA tensor takes (pinned buffers, asynchronous
copies); on the CPU it is exercised with non-contiguous targets, so everything
but the copy's destination is tested without a GPU.  CUDA tests skip when no
device is present.
"""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

import turboinit.torch as tt  # noqa: E402
from turboinit.torch import _tensor  # noqa: E402

needs_cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device")


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(_tensor, "CHUNK_BYTES", 1000)  # 500-byte buffers: many chunks
    return 1000


@pytest.mark.parametrize(
    "call",
    [
        lambda w: tt.normal_(w, 0.5, 2.0, generator=3, stream="w"),
        lambda w: tt.kaiming_uniform_(w, a=5**0.5, generator=3),
        lambda w: tt.trunc_normal_(w, std=0.5, a=-0.6, b=0.9, generator=3),
        lambda w: tt.eye_(w),
    ],
)
@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16, torch.float64])
def test_chunked_fill_equals_whole_fill(small_chunks: int, call, dtype) -> None:  # type: ignore[no-untyped-def]
    whole = call(torch.empty(37, 29, dtype=dtype))
    t = torch.empty(29, 37, dtype=dtype).t()  # not contiguous: filled through host chunks
    call(t)
    assert torch.equal(t, whole)


def test_chunks_are_bounded(small_chunks: int, monkeypatch: pytest.MonkeyPatch) -> None:
    sizes: list[int] = []
    real_empty = torch.empty

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        out = real_empty(*args, **kwargs)
        sizes.append(out.numel() * out.element_size())
        return out

    t = torch.empty(20, 500).t()  # 40 kB target, rows of 80 bytes (a chunk: one row at least)
    monkeypatch.setattr(torch, "empty", spy)
    tt.normal_(t, generator=1)
    monkeypatch.setattr(torch, "empty", real_empty)
    assert max(sizes) <= small_chunks // 2 + 1, sizes
    assert torch.equal(t, tt.normal_(torch.empty(500, 20), generator=1))


def test_chunked_fill_of_a_region(small_chunks: int) -> None:
    import turboinit as ti
    from turboinit.torch._functions import _writer

    w = torch.zeros(40, 30).t()
    _tensor.fill(
        w,
        5,
        "normal_",
        _writer(ti.normal, 0.0, 1.0, stream="r"),
        within=(slice(3, 27), slice(2, 38)),
    )
    want = torch.from_numpy(ti.normal((24, 36), seed=5, stream="r", dtype="float32"))
    assert torch.equal(w[3:27, 2:38], want)
    assert int((w != 0).sum()) == 24 * 36


@needs_cuda
def test_cuda_chunked_values_and_generator(small_chunks: int) -> None:
    w = torch.empty(300, 70, device="cuda")
    tt.normal_(w, generator=7, stream="c")
    assert torch.equal(w.cpu(), tt.normal_(torch.empty(300, 70), generator=7, stream="c"))
    # generator=None on a CUDA tensor: the seed comes from torch.cuda's generator
    torch.cuda.manual_seed(3)
    a = tt.normal_(torch.empty(8, device="cuda")).cpu()
    torch.manual_seed(99)  # the CPU generator does not matter
    torch.cuda.manual_seed(3)
    b = tt.normal_(torch.empty(8, device="cuda")).cpu()
    assert torch.equal(a, b)


def test_seed_for_generator_none_comes_from_the_tensors_device() -> None:
    # the CPU half of the rule: generator=None on a CPU tensor uses torch.manual_seed
    torch.manual_seed(4)
    a = tt.normal_(torch.empty(5))
    torch.manual_seed(4)
    assert torch.equal(a, tt.normal_(torch.empty(5)))
    torch.manual_seed(4)
    s1 = _tensor.resolve_seed(None, "meta")  # meta and CPU: the CPU generator
    torch.manual_seed(4)
    assert s1 == _tensor.resolve_seed(None, "cpu")


def _small_model(device: str) -> torch.nn.Module:
    torch.manual_seed(0)  # the layout only: every value is overwritten by init_model
    with torch.device("meta"):
        model = torch.nn.Sequential(
            torch.nn.Embedding(50, 16),
            torch.nn.Linear(16, 24),
            torch.nn.LayerNorm(24),
            torch.nn.Conv1d(24, 8, 3),
            torch.nn.BatchNorm1d(8),
        )
    return model.to_empty(device=device)


@needs_cuda
def test_cuda_init_model_matches_cpu() -> None:
    cpu, gpu = _small_model("cpu"), _small_model("cuda")
    tt.init_model(cpu, 11, progress=False)
    tt.init_model(gpu, 11, progress=False)
    for (name, a), (_, b) in zip(cpu.state_dict().items(), gpu.state_dict().items()):
        assert b.device.type == "cuda", name
        assert torch.equal(a, b.cpu()), name


@needs_cuda
@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16, torch.float64])
def test_cuda_dtypes_and_strided_targets(dtype) -> None:  # type: ignore[no-untyped-def]
    want = tt.trunc_normal_(torch.empty(33, 65, dtype=dtype), std=0.02, generator=5)
    got = torch.empty(33, 65, dtype=dtype, device="cuda")
    tt.trunc_normal_(got, std=0.02, generator=5)
    assert torch.equal(got.cpu(), want)
    strided = torch.empty(65, 33, dtype=dtype, device="cuda").t()  # not contiguous
    tt.trunc_normal_(strided, std=0.02, generator=5)
    assert torch.equal(strided.cpu(), want)


@needs_cuda
@pytest.mark.parametrize(
    "call",
    [
        lambda w: tt.orthogonal_(w, generator=2),
        lambda w: tt.sparse_(w, 0.3, generator=2),
        lambda w: tt.xavier_uniform_(w, generator=2),
    ],
)
def test_cuda_matrix_initialisers_match_cpu(call) -> None:  # type: ignore[no-untyped-def]
    want = call(torch.empty(40, 24))
    got = call(torch.empty(40, 24, device="cuda"))
    assert got.device.type == "cuda"
    assert torch.equal(got.cpu(), want)
