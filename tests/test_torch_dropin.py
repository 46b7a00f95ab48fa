"""turboinit.torch as a drop-in for torch.nn.init beyond torch's own test_init.py.

Complex, integer and bool tensors; non-finite constants; 0-dim tensors as
parameters; exceptions catchable as torch's; the private fan helpers and the
deprecated aliases; FakeTensorMode; inference tensors; torch.compile; an
expanded tensor refused before anything is generated.
"""

from __future__ import annotations

import math

import pytest

torch = pytest.importorskip("torch")

import turboinit.torch as tt  # noqa: E402

SQRT1_2 = 0.7071067811865476


@pytest.mark.parametrize("dtype", [torch.complex64, torch.complex128])
def test_complex_normal_and_uniform_fill_both_parts_as_torch(dtype):
    real_dt = torch.float32 if dtype == torch.complex64 else torch.float64
    z = tt.normal_(torch.empty(50, 8, dtype=dtype), 1.0, 2.0, generator=3, stream="z")
    # each part N(mean, (std / sqrt(2))^2), as torch's complex normal_; the pairs are
    # the real tensor of shape (..., 2) that turboinit makes
    want = tt.normal_(
        torch.empty(50, 8, 2, dtype=real_dt), 1.0, 2.0 * SQRT1_2, generator=3, stream="z"
    )
    assert torch.equal(torch.view_as_real(z), want)
    u = tt.uniform_(torch.empty(7, 3, dtype=dtype), -1.0, 3.0, generator=4)
    assert torch.equal(
        torch.view_as_real(u),
        tt.uniform_(torch.empty(7, 3, 2, dtype=real_dt), -1.0, 3.0, generator=4),
    )
    # non-contiguous complex: through one temporary, same values
    nc = torch.empty(8, 7, dtype=dtype).t()
    tt.uniform_(nc, -1.0, 3.0, generator=4)
    assert torch.equal(nc, tt.uniform_(torch.empty(7, 8, dtype=dtype), -1.0, 3.0, generator=4))


def test_complex_fan_rules_use_the_complex_shape():
    w = tt.kaiming_uniform_(torch.empty(6, 10, dtype=torch.complex64), a=math.sqrt(5), generator=1)
    bound = math.sqrt(3.0) * math.sqrt(2.0 / 6.0) / math.sqrt(10)  # torch's bound, fan_in = 10
    want = tt.uniform_(torch.empty(6, 10, dtype=torch.complex64), -bound, bound, generator=1)
    assert torch.equal(w, want)
    x = tt.xavier_normal_(torch.empty(6, 10, dtype=torch.complex128), gain=2.0, generator=1)
    std = 2.0 * math.sqrt(2.0 / 16.0)
    assert torch.equal(
        x, tt.normal_(torch.empty(6, 10, dtype=torch.complex128), 0.0, std, generator=1)
    )
    with pytest.raises(TypeError, match="dtype"):
        tt.trunc_normal_(torch.empty(3, dtype=torch.complex64))


@pytest.mark.parametrize(
    "dtype", [torch.int32, torch.int64, torch.bool, torch.uint8, torch.complex64]
)
def test_integer_bool_complex_eye_dirac_constants(dtype):
    assert torch.equal(
        tt.eye_(torch.empty(3, 5, dtype=dtype)), torch.nn.init.eye_(torch.empty(3, 5, dtype=dtype))
    )
    for shape, groups in (((4, 2, 3), 2), ((2, 2, 3, 3), 1)):
        ours = tt.dirac_(torch.empty(shape, dtype=dtype), groups)
        assert torch.equal(ours, torch.nn.init.dirac_(torch.empty(shape, dtype=dtype), groups))
    assert torch.equal(tt.ones_(torch.empty(4, dtype=dtype)), torch.ones(4, dtype=dtype))
    assert torch.equal(tt.zeros_(torch.empty(4, dtype=dtype)), torch.zeros(4, dtype=dtype))


@pytest.mark.parametrize("val", [-math.inf, math.inf])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float16, torch.bfloat16, torch.float64])
def test_non_finite_constants(val, dtype):
    assert torch.equal(
        tt.constant_(torch.empty(5, dtype=dtype), val), torch.full((5,), val, dtype=dtype)
    )
    assert bool(tt.constant_(torch.empty(3, dtype=dtype), math.nan).isnan().all())


def test_zero_dim_tensors_as_parameters():
    t = torch.tensor
    pairs = [
        (
            lambda w, g: tt.normal_(w, t(1.0), t(0.5), generator=g),
            lambda w, g: tt.normal_(w, 1.0, 0.5, generator=g),
        ),
        (
            lambda w, g: tt.uniform_(w, t(-1.0), t(2.0), generator=g),
            lambda w, g: tt.uniform_(w, -1.0, 2.0, generator=g),
        ),
        (
            lambda w, g: tt.trunc_normal_(w, t(0.0), t(0.1), t(-0.1), t(0.2), generator=g),
            lambda w, g: tt.trunc_normal_(w, 0.0, 0.1, -0.1, 0.2, generator=g),
        ),
        (
            lambda w, g: tt.xavier_uniform_(w, gain=t(2.0), generator=g),
            lambda w, g: tt.xavier_uniform_(w, gain=2.0, generator=g),
        ),
        (
            lambda w, g: tt.kaiming_normal_(w, a=t(0.1), generator=g),
            lambda w, g: tt.kaiming_normal_(w, a=0.1, generator=g),
        ),
        (
            lambda w, g: tt.orthogonal_(w, gain=t(3.0), generator=g),
            lambda w, g: tt.orthogonal_(w, gain=3.0, generator=g),
        ),
        (lambda w, g: tt.constant_(w, t(0.25)), lambda w, g: tt.constant_(w, 0.25)),
    ]
    for ours, plain in pairs:
        assert torch.equal(ours(torch.empty(6, 4), 5), plain(torch.empty(6, 4), 5))


def test_exceptions_catchable_as_torch_raises_them():
    for call in (
        lambda w: tt.uniform_(w, 1.0, 0.0),  # torch: RuntimeError
        lambda w: tt.normal_(w, 0.0, -1.0),  # torch: RuntimeError
    ):
        with pytest.raises(RuntimeError):
            call(torch.empty(3))
        with pytest.raises(ValueError):
            call(torch.empty(3))
    # where torch raises ValueError, so do we (test_torch_init checks the types)
    with pytest.raises(ValueError, match="Fan in and fan out"):
        tt.xavier_uniform_(torch.empty(3))


def test_private_fan_helpers_and_deprecated_aliases():
    for shape in [(3, 4), (5, 2, 3), (8, 4, 3, 3), (2, 3, 1, 2, 2)]:
        w = torch.empty(shape)
        assert tt._calculate_fan_in_and_fan_out(w) == torch.nn.init._calculate_fan_in_and_fan_out(w)
        for mode in ("fan_in", "fan_out", "FAN_IN"):
            ours = tt._calculate_correct_fan(w, mode)
            assert ours == torch.nn.init._calculate_correct_fan(w, mode)
    with pytest.raises(ValueError, match="fewer than 2"):
        tt._calculate_fan_in_and_fan_out(torch.empty(3))
    with pytest.raises(ValueError, match="Mode fan_x not supported"):
        tt._calculate_correct_fan(torch.empty(3, 3), "fan_x")
    for old in (
        "uniform",
        "normal",
        "constant",
        "eye",
        "dirac",
        "xavier_uniform",
        "xavier_normal",
        "kaiming_uniform",
        "kaiming_normal",
        "orthogonal",
        "sparse",
    ):
        assert callable(getattr(tt, old)) and hasattr(torch.nn.init, old)
    with pytest.warns(
        FutureWarning, match=r"`nn.init.normal` is now deprecated in favor of `nn.init.normal_`"
    ):
        w = tt.normal(torch.empty(4, 4), 0.0, 1.0, generator=2)
    assert torch.equal(w, tt.normal_(torch.empty(4, 4), 0.0, 1.0, generator=2))


def test_fake_tensor_mode_is_a_no_op():
    from torch._subclasses.fake_tensor import FakeTensorMode

    with FakeTensorMode():
        w = torch.empty(64, 32)
        for fn in (tt.normal_, tt.xavier_uniform_, tt.orthogonal_, tt.zeros_, tt.eye_):
            assert fn(w) is w
        with pytest.raises(ValueError, match="Fan in and fan out"):
            tt.xavier_uniform_(torch.empty(3))


def test_inference_tensors():
    with torch.inference_mode():
        w = torch.empty(3, 4)
        tt.normal_(w, generator=0)  # allowed inside inference mode
    assert torch.equal(w, tt.normal_(torch.empty(3, 4), generator=0))
    for fn in (tt.normal_, tt.zeros_, tt.eye_):
        with pytest.raises(RuntimeError, match="inference tensor outside InferenceMode"):
            fn(w)


def test_torch_compile_fullgraph_gives_a_clear_error():
    def f(w):
        return tt.normal_(w, generator=0) * 2

    with pytest.raises(RuntimeError, match="cannot be traced by torch.compile"):
        torch.compile(f, fullgraph=True, backend="eager")(torch.empty(3))


def test_expanded_tensor_refused_before_generating():
    # 2**40 elements: a temporary would need 4 TiB; refused at once, as torch refuses it
    w = torch.empty(1).expand(2**20, 2**20)
    for fn in (tt.normal_, tt.uniform_, tt.kaiming_normal_, tt.trunc_normal_):
        with pytest.raises(RuntimeError, match="more than one element of the written-to tensor"):
            fn(w, generator=0)
    assert torch.equal(tt.zeros_(torch.empty(1).expand(3, 2)), torch.zeros(3, 2))  # fill_ works
