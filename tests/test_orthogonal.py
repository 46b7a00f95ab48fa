"""turboinit.orthogonal and turboinit.delta_orthogonal.

Orthogonality to the dtype's precision, the documented construction (the Q of
a Householder QR of ``normal((min, max)).T`` with diag(R)'s signs moved into
Q), the Haar distribution, gain, layouts, reproducibility across calls,
thread counts and SIMD kernels, ``out=``, dtypes, bad input, and agreement
with PyTorch and JAX's conventions.

Statistical tests run at fixed seeds; a Kolmogorov-Smirnov test fails below
p = 1e-4 (a correct implementation fails one with probability 1e-4).
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np
import pytest
from scipy import stats
from threadpoolctl import threadpool_limits

import turboinit as ti
from turboinit import _core

P_MIN = 1e-4
TOL = {"float32": 1e-5, "float64": 1e-12}


# -- helpers ---------------------------------------------------------------


def flatten(w: np.ndarray, layout: str, column_axis: int = -1) -> np.ndarray:
    """The matrix a framework orthogonalises, as float64."""
    w = np.asarray(w, dtype=np.float64)
    if layout == "torch":
        return w.reshape(w.shape[0], -1)
    if layout == "keras":
        return w.reshape(-1, w.shape[-1])
    moved = np.moveaxis(w, column_axis, -1)
    return moved.reshape(-1, moved.shape[-1])


def orthogonality_error(m: np.ndarray) -> float:
    """max |M^T M - I| (tall or square) or max |M M^T - I| (wide)."""
    g = m.T @ m if m.shape[0] >= m.shape[1] else m @ m.T
    return float(np.abs(g - np.eye(g.shape[0])).max())


def haar_reference(rows: int, cols: int, seed: int, stream: int, dtype: str) -> np.ndarray:
    """The documented construction, with NumPy's (LAPACK) QR in float64."""
    n, m = min(rows, cols), max(rows, cols)
    g = ti.normal((n, m), seed=seed, stream=stream, dtype=dtype).astype(np.float64)
    with threadpool_limits(1, user_api="blas"):  # small: BLAS threads only add noise
        q, r = np.linalg.qr(g.T)
    q = q * np.where(np.diag(r) < 0, -1.0, 1.0)
    return q if rows > cols else q.T


@pytest.fixture
def restore_threads() -> Iterator[None]:
    try:
        yield
    finally:
        ti.set_num_threads(None)


@pytest.fixture
def restore_kernel() -> Iterator[None]:
    before = _core.build_info()["kernel"]
    try:
        yield
    finally:
        _core.set_kernel(before)


# -- orthogonality and the construction --------------------------------------

SHAPES = [(64, 64), (200, 37), (37, 200), (300, 300), (3, 5), (5, 3), (1, 7), (7, 1), (1, 1)]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_orthonormal_rows_or_columns(shape: tuple[int, int], dtype: str) -> None:
    w = ti.orthogonal(shape, seed=1, dtype=dtype)
    assert w.shape == shape and w.dtype == np.dtype(dtype)
    assert orthogonality_error(w.astype(np.float64)) <= TOL[dtype]


@pytest.mark.parametrize("shape", [(300, 260), (260, 300), (257, 257), (1030, 140)])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_is_the_sign_corrected_householder_q(shape: tuple[int, int], dtype: str) -> None:
    # Several panels of 128 columns: the blocked code against LAPACK's QR of
    # the very Gaussian matrix the docstring names.
    w = ti.orthogonal(shape, seed=7, stream="w", dtype=dtype).astype(np.float64)
    ref = haar_reference(*shape, seed=7, stream="w", dtype=dtype)
    # Q is well conditioned: entries agree to a few hundred ulps of 1.
    atol = 5e-5 if dtype == "float32" else 1e-12
    np.testing.assert_allclose(w, ref, rtol=0, atol=atol)
    assert orthogonality_error(w) <= TOL[dtype]


def test_float32_accuracy_at_1536() -> None:
    w = ti.orthogonal((1536, 1536), seed=3)
    assert orthogonality_error(w.astype(np.float64)) <= 1e-5


LAYOUT_CASES = [
    ("torch", (32, 16, 3, 3), -1),  # (out, in, kh, kw): 32 x 144, rows orthonormal
    ("torch", (400, 8, 3), -1),  # 400 x 24, columns orthonormal
    ("keras", (3, 3, 16, 32), -1),  # (kh, kw, in, out): 144 x 32
    ("keras", (2, 40), -1),
    ("jax", (3, 3, 16, 32), -1),
    ("jax", (3, 4, 5), 1),  # columns on axis 1: 15 x 4
    ("jax", (6, 5, 4), 0),  # 20 x 6
    ("jax", (2, 50, 3), -2),  # 6 x 50, rows orthonormal
]


@pytest.mark.parametrize("layout, shape, column_axis", LAYOUT_CASES)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_layouts_flatten_like_their_framework(
    layout: str, shape: tuple[int, ...], column_axis: int, dtype: str
) -> None:
    w = ti.orthogonal(shape, layout=layout, column_axis=column_axis, seed=2, dtype=dtype)
    assert w.shape == shape and w.flags.c_contiguous
    assert orthogonality_error(flatten(w, layout, column_axis)) <= TOL[dtype]


def test_layouts_differ_only_in_flattening() -> None:
    shape = (4, 6, 5)
    torch_like = ti.orthogonal(shape, layout="torch", seed=5)
    keras_like = ti.orthogonal(shape, layout="keras", seed=5)
    jax_last = ti.orthogonal(shape, layout="jax", seed=5)
    # keras and jax (last axis) flatten alike: the same bits.
    assert np.array_equal(keras_like, jax_last)
    # torch's (4, 30) matrix is the same construction at that shape.
    assert np.array_equal(torch_like.reshape(4, 30), ti.orthogonal((4, 30), seed=5))
    # jax with another column axis moves that axis last, then back.
    moved = ti.orthogonal((4, 5, 6), layout="jax", seed=5)
    assert np.array_equal(
        ti.orthogonal(shape, layout="jax", column_axis=1, seed=5), np.moveaxis(moved, -1, 1)
    )


# -- gain ---------------------------------------------------------------------


@pytest.mark.parametrize("gain", [2.0, -0.5, math.sqrt(2.0)])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_gain_scales(gain: float, dtype: str) -> None:
    base = ti.orthogonal((150, 90), seed=4, dtype=dtype).astype(np.float64)
    w = ti.orthogonal((150, 90), gain, seed=4, dtype=dtype).astype(np.float64)
    # gain multiplies diag(sign R) before Q is formed: equal up to rounding.
    np.testing.assert_allclose(w, gain * base, rtol=0, atol=10 * TOL[dtype] * abs(gain))
    np.testing.assert_allclose(w.T @ w, gain**2 * np.eye(90), rtol=0, atol=TOL[dtype] * gain**2)


def test_zero_gain_gives_zeros() -> None:
    w = ti.orthogonal((20, 30), 0.0, seed=0)
    assert not np.any(w)


# -- the Haar distribution -------------------------------------------------------


def entries(shape: tuple[int, int], count: int, seed: int) -> np.ndarray:
    """count matrices of `shape` (streams 0..count-1), stacked."""
    return np.stack(
        [ti.orthogonal(shape, seed=seed, stream=s, dtype="float64") for s in range(count)]
    )


@pytest.mark.parametrize("shape", [(3, 3), (3, 2), (2, 3)])
def test_entries_of_a_haar_3x3_are_uniform(shape: tuple[int, int]) -> None:
    # For Haar O(3) every entry is uniform on [-1, 1] (the first column is
    # uniform on the sphere S^2: Archimedes).  Without the sign correction
    # Householder QR gives Q[0, 0] <= 0 always.  Tall and wide results are
    # columns and rows of Haar 3 x 3 matrices.
    qs = entries(shape, 3000, seed=11)
    for i in range(shape[0]):
        for j in range(shape[1]):
            p = stats.kstest(qs[:, i, j], stats.uniform(loc=-1, scale=2).cdf).pvalue
            assert p > P_MIN, (i, j, p)


@pytest.mark.parametrize("n", [2, 8, 40])
def test_first_entry_follows_beta(n: int) -> None:
    # Haar O(n)'s first column is uniform on the sphere S^(n-1), so
    # Q00^2 ~ Beta(1/2, (n - 1)/2), and Q00 is symmetric about 0.
    q00 = entries((n, n), 2000, seed=12)[:, 0, 0]
    p = stats.kstest(q00**2, stats.beta(0.5, (n - 1) / 2).cdf).pvalue
    assert p > P_MIN
    # Symmetry: the number of positive Q00 is Binomial(2000, 1/2).
    positive = int((q00 > 0).sum())
    assert stats.binomtest(positive, 2000, 0.5).pvalue > P_MIN


def test_determinant_signs_balance() -> None:
    # Haar O(n) has det +1 and -1 with probability 1/2 each.
    dets = np.linalg.det(entries((4, 4), 2000, seed=13))
    np.testing.assert_allclose(np.abs(dets), 1.0, atol=1e-12)
    assert stats.binomtest(int((dets > 0).sum()), 2000, 0.5).pvalue > P_MIN


# -- reproducibility -------------------------------------------------------------


def test_same_bits_across_calls_and_distinct_streams() -> None:
    a = ti.orthogonal((130, 270), seed=8, stream="layer.0")
    b = ti.orthogonal((130, 270), seed=8, stream="layer.0")
    assert np.array_equal(a.view(np.uint32), b.view(np.uint32))
    assert not np.array_equal(a, ti.orthogonal((130, 270), seed=8, stream="layer.1"))
    assert not np.array_equal(a, ti.orthogonal((130, 270), seed=9, stream="layer.0"))


@pytest.mark.parametrize("shape", [(300, 260), (260, 300), (600, 140)])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_same_bits_for_any_thread_count(
    shape: tuple[int, int], dtype: str, restore_threads: None
) -> None:
    results = []
    for n in (1, 2, 3):
        ti.set_num_threads(n)
        results.append(ti.orthogonal(shape, seed=6, dtype=dtype).view(np.uint8))
    assert all(np.array_equal(results[0], r) for r in results[1:])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_same_bits_for_every_simd_kernel(dtype: str, restore_kernel: None) -> None:
    # Every product is one fixed chain of fused multiply-adds per element.
    kernels = ti.build_info()["kernels_supported"]
    results = {}
    for k in kernels:
        _core.set_kernel(k)
        results[k] = ti.orthogonal((270, 200), seed=10, dtype=dtype).view(np.uint8)
    first = results[kernels[0]]
    for k in kernels[1:]:
        assert np.array_equal(first, results[k]), k


# -- out=, dtypes, empty shapes -----------------------------------------------


def test_out_is_filled_in_place() -> None:
    out = np.empty((40, 3, 3), dtype=np.float32)
    res = ti.orthogonal((40, 3, 3), seed=1, out=out)
    assert res is out
    assert np.array_equal(out, ti.orthogonal((40, 3, 3), seed=1))
    jax_out = np.empty((3, 4, 5), dtype=np.float64)
    res = ti.orthogonal(
        (3, 4, 5), layout="jax", column_axis=1, seed=1, dtype="float64", out=jax_out
    )
    assert res is jax_out
    assert np.array_equal(
        jax_out, ti.orthogonal((3, 4, 5), layout="jax", column_axis=1, seed=1, dtype="float64")
    )


@pytest.mark.parametrize(
    "bad, error",
    [
        (np.empty((8, 6), dtype=np.float64), TypeError),  # dtype
        (np.empty((6, 8), dtype=np.float32), ValueError),  # shape
        (np.empty((8, 12), dtype=np.float32)[:, ::2], ValueError),  # not contiguous
        ([[0.0] * 6] * 8, TypeError),  # not an ndarray
    ],
)
def test_bad_out_is_rejected(bad: object, error: type[Exception]) -> None:
    with pytest.raises(error, match="out"):
        ti.orthogonal((8, 6), seed=0, out=bad)  # type: ignore[arg-type]


def test_rejected_call_leaves_out_untouched() -> None:
    out = np.full((8, 6), 7.0, dtype=np.float32)
    with pytest.raises(ValueError, match="gain"):
        ti.orthogonal((8, 6), float("nan"), seed=0, out=out)
    with pytest.raises(ValueError, match="method"):
        ti.orthogonal((8, 6), seed=0, out=out, method="lu")  # type: ignore[arg-type]
    assert np.all(out == 7.0)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
@pytest.mark.parametrize("shape", [(90, 60), (60, 90)])
def test_half_types_are_the_float32_result_rounded_once(dtype: str, shape: tuple[int, int]) -> None:
    if dtype == "bfloat16":
        ml_dtypes = pytest.importorskip("ml_dtypes")
        np_dtype = np.dtype(ml_dtypes.bfloat16)
    else:
        np_dtype = np.dtype(np.float16)
    w = ti.orthogonal(shape, 1.5, seed=3, dtype=dtype)
    assert w.dtype == np_dtype
    ref = ti.orthogonal(shape, 1.5, seed=3, dtype="float32").astype(np_dtype)
    assert np.array_equal(w.view(np.uint16), ref.view(np.uint16))


def test_gain_beyond_float16_overflows() -> None:
    with pytest.raises(OverflowError, match="gain"):
        ti.orthogonal((4, 4), 1e5, seed=0, dtype="float16")


@pytest.mark.parametrize("shape", [(0, 5), (5, 0), (3, 0, 2), (0, 0)])
def test_empty_shapes_give_empty_arrays(shape: tuple[int, ...]) -> None:
    # torch.nn.init.orthogonal_ returns an empty tensor unchanged.
    w = ti.orthogonal(shape, seed=0)
    assert w.shape == shape and w.size == 0
    out = np.empty(shape, dtype=np.float32)
    assert ti.orthogonal(shape, seed=0, out=out) is out


# -- bad input ------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"shape": (5,)}, ValueError, "Only tensors with 2 or more dimensions are supported"),
        ({"shape": ()}, ValueError, "2 or more dimensions"),
        ({"shape": (3, -1)}, ValueError, "shape"),
        ({"shape": (3, 2.5)}, TypeError, "shape"),
        ({"shape": (3, 4), "layout": "mxnet"}, ValueError, "layout"),
        ({"shape": (3, 4), "method": "lu"}, ValueError, "method"),
        ({"shape": (3, 4), "column_axis": 0}, ValueError, "column_axis"),
        ({"shape": (3, 4), "layout": "keras", "column_axis": 0}, ValueError, "column_axis"),
        ({"shape": (3, 4), "layout": "jax", "column_axis": 2}, ValueError, "column_axis"),
        ({"shape": (3, 4), "layout": "jax", "column_axis": 1.0}, TypeError, "column_axis"),
        ({"shape": (3, 4), "gain": float("inf")}, ValueError, "gain"),
        ({"shape": (3, 4), "gain": "2"}, TypeError, "gain"),
        ({"shape": (3, 4), "dtype": "int32"}, TypeError, "dtype"),
        ({"shape": (3, 4), "seed": -1}, ValueError, "seed"),
    ],
)
def test_bad_arguments(kwargs: dict, error: type[Exception], match: str) -> None:
    kwargs = {"seed": 0, **kwargs}
    with pytest.raises(error, match=match):
        ti.orthogonal(**kwargs)


def test_no_region_argument() -> None:
    # Every entry of Q depends on all of G: there is no region to generate alone.
    with pytest.raises(TypeError):
        ti.orthogonal((4, 4), seed=0, region=(slice(0, 2),))  # type: ignore[call-arg]


# -- method="svd" (Saxe et al., Lasagne) ----------------------------------------------


@pytest.mark.parametrize("shape", [(50, 20), (20, 50), (30, 30)])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_svd_method_is_lasagnes_orthonormal_factor(shape: tuple[int, int], dtype: str) -> None:
    w = ti.orthogonal(shape, 2.0, method="svd", seed=4, dtype=dtype).astype(np.float64)
    tol = {"float32": 1e-5, "float64": 1e-12}[dtype]
    assert orthogonality_error(w / 2.0) <= tol
    # Lasagne: u if it has the output's shape, else v (of a = normal(shape)).
    g = ti.normal(shape, seed=4, dtype=dtype).astype(np.float64)
    with threadpool_limits(1, user_api="blas"):
        u, _, vt = np.linalg.svd(g, full_matrices=False)
    ref = u if u.shape == shape else vt
    # Singular vectors are defined up to sign: align, then compare.
    axis = 0 if u.shape == shape else 1
    signs = np.sign((ref * w).sum(axis=axis, keepdims=True))
    np.testing.assert_allclose(
        w, 2.0 * ref * signs, rtol=0, atol=1e-3 if dtype == "float32" else 1e-9
    )


# -- PyTorch ----------------------------------------------------------------------


def test_matches_torch_shape_flattening_and_distribution() -> None:
    torch = pytest.importorskip("torch")
    shape = (8, 4, 3, 3)
    t = torch.empty(shape)
    torch.nn.init.orthogonal_(t, gain=1.5)
    w = ti.orthogonal(shape, 1.5, seed=0)
    assert tuple(t.shape) == w.shape
    # Both orthonormalise the (8, 36) flattening: rows, times gain.
    for m in (t.numpy().reshape(8, -1), w.reshape(8, -1)):
        np.testing.assert_allclose(m @ m.T, 2.25 * np.eye(8), atol=1e-5)
    # Entries of many 5 x 5 matrices: the same (Haar) distribution.
    torch.manual_seed(0)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny matrices
    try:
        theirs = []
        for _ in range(400):
            x = torch.empty(5, 5, dtype=torch.float64)
            torch.nn.init.orthogonal_(x)
            theirs.append(x.numpy())
    finally:
        torch.set_num_threads(threads)
    ours = entries((5, 5), 400, seed=14)
    assert stats.ks_2samp(np.ravel(theirs), ours.ravel()).pvalue > P_MIN


def test_empty_like_torch() -> None:
    torch = pytest.importorskip("torch")
    t = torch.empty(0, 3)
    assert torch.nn.init.orthogonal_(t).shape == (0, 3)
    assert ti.orthogonal((0, 3), seed=0).shape == (0, 3)
    with pytest.raises(ValueError, match="2 or more dimensions"):
        torch.nn.init.orthogonal_(torch.empty(3))


# -- delta_orthogonal (JAX's rules) --------------------------------------------------


@pytest.mark.parametrize(
    "shape", [(3, 4, 6), (5, 2, 2), (3, 3, 8, 8), (4, 4, 3, 5), (3, 2, 3, 4, 4), (1, 1, 1, 2, 3)]
)
@pytest.mark.parametrize("column_axis", [-1, -2])
def test_delta_orthogonal_structure(shape: tuple[int, ...], column_axis: int) -> None:
    w = ti.delta_orthogonal(shape, 1.5, column_axis=column_axis, seed=3, stream="conv")
    assert w.shape == shape and w.dtype == np.float32
    centre = tuple((k - 1) // 2 for k in shape[:-2])  # JAX: (k - 1) // 2 (torch dirac_: k // 2)
    block = ti.orthogonal(
        shape[-2:], 1.5, layout="jax", column_axis=column_axis, seed=3, stream="conv"
    )
    assert np.array_equal(w[centre], block)
    rest = w.copy()
    rest[centre] = 0
    assert not np.any(rest)
    m = w[centre].astype(np.float64)
    np.testing.assert_allclose(m @ m.T, 2.25 * np.eye(shape[-2]), atol=1e-5)


def test_delta_orthogonal_even_kernel_centre_is_jaxs() -> None:
    w = ti.delta_orthogonal((4, 4, 2, 2), seed=0)
    assert np.any(w[1, 1]) and not np.any(w[2, 2])


def test_delta_orthogonal_out_and_errors() -> None:
    out = np.full((3, 3, 2, 4), 9.0, dtype=np.float64)
    assert ti.delta_orthogonal((3, 3, 2, 4), seed=1, dtype="float64", out=out) is out
    assert np.array_equal(out, ti.delta_orthogonal((3, 3, 2, 4), seed=1, dtype="float64"))
    with pytest.raises(ValueError, match="in .* must be <= out"):
        ti.delta_orthogonal((3, 5, 4), seed=0)
    for bad in [(4, 4), (1, 1, 1, 1, 2, 2)]:
        with pytest.raises(ValueError, match="3-D, 4-D or 5-D"):
            ti.delta_orthogonal(bad, seed=0)
    with pytest.raises(ValueError, match="column_axis"):
        ti.delta_orthogonal((3, 2, 4), seed=0, column_axis=2)
    assert ti.delta_orthogonal((0, 2, 3), seed=0).shape == (0, 2, 3)


def test_delta_orthogonal_matches_jax_when_installed() -> None:
    jax = pytest.importorskip("jax")
    init = jax.nn.initializers.delta_orthogonal(scale=1.0)
    theirs = np.asarray(init(jax.random.PRNGKey(0), (4, 3, 5), np.float32))
    ours = ti.delta_orthogonal((4, 3, 5), seed=0)
    # Same support and orthonormal rows in the same place.
    assert np.array_equal(theirs != 0, ours != 0)
