"""sparse(): PyTorch's sparse_ (zeros per column) and Martens's scheme
(non-zeros per row).  Statistical checks use fixed seeds and p > 1e-4."""

from __future__ import annotations

import math
from itertools import combinations

import numpy as np
import pytest
from scipy import stats

import turboinit as ti

P_MIN = 1e-4


def torch_mask(w, z):
    """The mask, where z = the normal values the sparse values come from."""
    assert (z != 0).all()  # so a zero in w can only be a chosen position
    assert np.array_equal(w, np.where(w != 0, z, 0).astype(w.dtype))
    return w != 0


@pytest.mark.parametrize(
    "shape, sparsity",
    [
        ((10, 6), 0.3),
        ((100, 40), 0.1),
        ((7, 9), 0.0),
        ((7, 9), 1.0),
        ((33, 5), 0.5),
        ((1, 4), 0.01),
    ],
)
def test_zeros_per_column(shape, sparsity):
    w = ti.sparse(shape, sparsity, std=1.0, seed=1)
    z = ti.normal(shape, 0.0, 1.0, seed=1)
    mask = torch_mask(w, z)
    zeros = math.ceil(sparsity * shape[0])
    assert ((~mask).sum(axis=0) == zeros).all()


@pytest.mark.parametrize("k", [0, 1, 3, 15, 50, 99, 100])
def test_nonzeros_per_row(k):
    # k < cols / 16 and k >= cols / 16 take different code paths: same values.
    shape = (37, 100)
    w = ti.sparse(shape, nonzero_per_unit=k, std=0.5, seed=2, stream="fc")
    z = ti.normal(shape, 0.0, 0.5, seed=2, stream="fc")
    mask = torch_mask(w, z)
    assert (mask.sum(axis=1) == k).all()


def test_values_are_normal_with_std():
    w = ti.sparse((400, 500), 0.2, std=0.03, seed=3)
    v = w[w != 0].astype(np.float64)
    assert v.size == 400 * 500 - 80 * 500
    assert stats.kstest(v, stats.norm(0, 0.03).cdf).pvalue > P_MIN


def test_positions_uniform_per_row():
    # P(row r zeroed in a column) = z / rows for every r: chi-square over rows.
    rows, cols, zeros = 20, 20_000, 5
    w = ti.sparse((rows, cols), zeros / rows, std=1.0, seed=4)
    counts = (w == 0).sum(axis=1)
    expected = cols * zeros / rows
    assert counts.sum() == cols * zeros
    chi2 = ((counts - expected) ** 2 / expected).sum()
    # Multinomial-like counts with a fixed total: chi-square with rows - 1 dof is conservative.
    assert stats.chi2.sf(chi2, rows - 1) > P_MIN


def test_each_subset_equally_likely():
    # 2 zeros among 5 rows: all 10 subsets equally likely (Floyd's algorithm is exact).
    rows, cols = 5, 30_000
    w = ti.sparse((rows, cols), 0.4, std=1.0, seed=5)
    index = {s: i for i, s in enumerate(combinations(range(rows), 2))}
    keys = [tuple(np.flatnonzero(w[:, c] == 0)) for c in range(cols)]
    counts = np.bincount([index[k] for k in keys], minlength=len(index))
    assert stats.chisquare(counts).pvalue > P_MIN


def test_martens_subsets_equally_likely():
    rows, cols = 30_000, 4
    w = ti.sparse((rows, cols), nonzero_per_unit=2, std=1.0, seed=6)
    index = {s: i for i, s in enumerate(combinations(range(cols), 2))}
    codes = [index[tuple(np.flatnonzero(r))] for r in w]
    assert stats.chisquare(np.bincount(codes, minlength=len(index))).pvalue > P_MIN


def test_matches_torch_sparse():
    torch = pytest.importorskip("torch")
    shape, sparsity, std = (300, 400), 0.25, 0.05
    t = torch.empty(shape)
    with torch.random.fork_rng():
        torch.manual_seed(0)
        torch.nn.init.sparse_(t, sparsity, std)
    ours = ti.sparse(shape, sparsity, std, seed=0)
    theirs = t.numpy()
    assert np.array_equal((ours == 0).sum(axis=0), (theirs == 0).sum(axis=0))
    assert stats.ks_2samp(ours[ours != 0], theirs[theirs != 0]).pvalue > P_MIN


def test_determinism_threads_and_streams(restore_threads):
    ti.set_num_threads(1)
    a1 = ti.sparse((2000, 600), 0.5, seed=8)
    b1 = ti.sparse((200, 4096), nonzero_per_unit=15, seed=8)
    c1 = ti.sparse((200, 4096), nonzero_per_unit=3000, seed=8)
    ti.set_num_threads(3)
    a3 = ti.sparse((2000, 600), 0.5, seed=8)
    b3 = ti.sparse((200, 4096), nonzero_per_unit=15, seed=8)
    c3 = ti.sparse((200, 4096), nonzero_per_unit=3000, seed=8)
    assert np.array_equal(a1, a3) and np.array_equal(b1, b3) and np.array_equal(c1, c3)
    assert not np.array_equal(a1 == 0, ti.sparse((2000, 600), 0.5, seed=8, stream=1) == 0)
    assert not np.array_equal(a1 == 0, ti.sparse((2000, 600), 0.5, seed=9) == 0)


REGION_CASES = [
    ((300, 200), {"sparsity": 0.1}),
    ((300, 200), {"sparsity": 0.9}),  # more than half zero: the draws pick the kept rows
    ((97, 301), {"nonzero_per_unit": 5}),  # entry-by-entry writes
    ((97, 301), {"nonzero_per_unit": 100}),  # whole-row writes
    ((97, 301), {"nonzero_per_unit": 250}),  # the draws pick the zeros
]


@pytest.mark.parametrize("shape, kw", REGION_CASES)
def test_region_is_the_slice_of_the_whole(shape, kw):
    full = ti.sparse(shape, std=1.0, seed=12, stream="w", **kw)
    for region in [
        (slice(0, shape[0]), slice(0, shape[1])),
        (slice(13, 71), slice(3, 170)),  # columns not aligned to 64
        (slice(5, 6), slice(64, 128)),
        (slice(40, 90),),
        (slice(0, 0), slice(2, 9)),
    ]:
        part = ti.sparse(shape, std=1.0, seed=12, stream="w", region=region, **kw)
        assert np.array_equal(part, full[region])
    out = np.empty(full[10:20, 50:60].shape, dtype=np.float32)
    r = ti.sparse(
        shape, std=1.0, seed=12, stream="w", out=out, region=(slice(10, 20), slice(50, 60)), **kw
    )
    assert r is out and np.array_equal(out, full[10:20, 50:60])


SHAPES_BY_PATH = [
    ((130, 70), {"sparsity": 0.3}),
    ((130, 70), {"sparsity": 0.8}),
    ((60, 130), {"nonzero_per_unit": 3}),
    ((60, 130), {"nonzero_per_unit": 40}),
    ((60, 130), {"nonzero_per_unit": 120}),
]


def test_same_bits_on_every_simd_kernel():
    # Positions come from scalar Philox; values from the active kernel, whose bits
    # the core guarantees alike on every target: the result must not depend on it.
    from turboinit import _core

    before = _core.build_info()["kernel"]
    results = {}
    try:
        for name in _core.build_info()["kernels_supported"]:
            _core.set_kernel(name)
            for dt in ("float32", "float64", "float16"):
                results.setdefault(dt, []).append(
                    [ti.sparse(s, std=1.0, seed=3, dtype=dt, **kw) for s, kw in SHAPES_BY_PATH]
                )
    finally:
        _core.set_kernel(before)
    for per_kernel in results.values():
        for other in per_kernel[1:]:
            assert all(a.tobytes() == b.tobytes() for a, b in zip(per_kernel[0], other))


@pytest.mark.parametrize("dtype", ["float64", "float32", "float16", "bfloat16"])
def test_dtypes_and_out(dtype):
    if dtype == "bfloat16":
        pytest.importorskip("ml_dtypes")
    w = ti.sparse((50, 30), 0.2, std=0.5, seed=1, dtype=dtype)
    assert w.dtype.name == dtype
    z = ti.normal((50, 30), 0.0, 0.5, seed=1, dtype=dtype)
    torch_mask(w, z)
    out = np.full((50, 30), 3.0, dtype=w.dtype)
    assert ti.sparse((50, 30), 0.2, std=0.5, seed=1, dtype=dtype, out=out) is out
    assert np.array_equal(out.view(np.uint8), w.view(np.uint8))


def test_empty_shapes():
    assert ti.sparse((0, 5), seed=0).shape == (0, 5)
    assert ti.sparse((5, 0), nonzero_per_unit=0, seed=0).shape == (5, 0)


def test_std_zero_gives_zeros():
    assert not ti.sparse((6, 6), 0.5, std=0.0, seed=0).any()


@pytest.mark.parametrize("shape", [(5,), (2, 3, 4), ()])
def test_rank_must_be_two(shape):
    with pytest.raises(ValueError, match="2-dimensional"):
        ti.sparse(shape)


@pytest.mark.parametrize("sparsity", [-0.1, 1.0001, math.nan, math.inf])
def test_sparsity_outside_unit_interval(sparsity):
    with pytest.raises(ValueError, match=r"sparsity: must lie in \[0, 1\]"):
        ti.sparse((4, 4), sparsity)


def test_bad_arguments():
    out = np.full((4, 6), 2.0, dtype=np.float32)
    with pytest.raises(ValueError, match="std"):
        ti.sparse((4, 6), std=-1.0, out=out)
    with pytest.raises(ValueError, match=r"nonzero_per_unit: must lie in \[0, cols\]"):
        ti.sparse((4, 6), nonzero_per_unit=7, out=out)
    with pytest.raises(ValueError, match="nonzero_per_unit"):
        ti.sparse((4, 6), nonzero_per_unit=-1, out=out)
    with pytest.raises(TypeError, match="nonzero_per_unit"):
        ti.sparse((4, 6), nonzero_per_unit=2.0, out=out)
    with pytest.raises(TypeError, match="nonzero_per_unit"):
        ti.sparse((4, 6), nonzero_per_unit=True, out=out)
    with pytest.raises(TypeError, match="sparsity"):
        ti.sparse((4, 6), "0.1", out=out)
    with pytest.raises(OverflowError, match="std"):
        ti.sparse((4, 6), std=1e5, dtype="float16", out=np.empty((4, 6), np.float16))
    assert (out == 2.0).all()  # nothing written on bad input


def test_counter_space_guard():
    # Values use the normal sampler's blocks, positions the blocks block_offset + unit:
    # both must fit below 2^64.  A (1, 1000) float32 matrix: 256 value blocks
    # (16 groups of 16 blocks of 4 normals), 1000 column units.
    from turboinit import _core

    out = np.empty((1, 1000), dtype=np.float32)
    args = (out, 1, [1, 1000], [0, 0], [1, 1000], 1, 2)
    _core.sparse(*args, 2**64 - 1000, 1.0, 0, 1)
    with pytest.raises(OverflowError, match="units do not fit"):
        _core.sparse(*args, 2**64 - 999, 1.0, 0, 1)
    _core.sparse(*args, 2**64 - 256, 1.0, 1, 3)  # one row unit: only the values bound
    out = np.empty((100, 100), dtype=np.float32)  # 10000 values: 157 groups, 2512 blocks
    args = (out, 1, [100, 100], [0, 0], [100, 100], 1, 2)
    _core.sparse(*args, 2**64 - 2512, 1.0, 1, 3)
    with pytest.raises(OverflowError, match="tensor does not fit"):
        _core.sparse(*args, 2**64 - 2511, 1.0, 1, 3)


def _spy_regions(monkeypatch):
    """Replace turboinit.sparse with a wrapper that records every region asked for."""
    import functools

    real = ti.sparse
    seen = []

    @functools.wraps(real)
    def spy(*args, **kwargs):
        seen.append((kwargs.get("region"), kwargs.get("nonzero_per_unit")))
        return real(*args, **kwargs)

    monkeypatch.setattr(ti, "sparse", spy)
    return seen, real


def test_checkpoint_writes_sparse_in_plain_blocks_of_rows(tmp_path, monkeypatch):
    # A band of rows redid the zero selection of every column (Floyd's algorithm
    # needs all of a column's draws), so a 1 MiB budget was 40x slower than 256 MiB.
    # Now a position's membership is one evaluation of a per-column permutation:
    # sparse is split like every other tensor, in blocks of whole rows.
    pytest.importorskip("safetensors")
    from safetensors.numpy import load_file

    from turboinit.checkpoint import write

    seen, real = _spy_regions(monkeypatch)
    spec = {"tensors": {"s": {"shape": [300, 200], "init": "sparse", "args": {"sparsity": 0.5}}}}
    write(spec, tmp_path / "s.safetensors", seed=2, max_memory=20_000)
    regions = [r for r, _ in seen if r is not None and r[0].stop - r[0].start > 1]
    assert len(regions) > 1
    assert all(r[1] == slice(0, 200) for r in regions)
    assert sum(r[0].stop - r[0].start for r in regions) == 300
    got = load_file(str(tmp_path / "s.safetensors"))["s"]
    want = real((300, 200), 0.5, seed=2, stream="s")
    assert got.tobytes() == want.tobytes()


def test_dask_chunks_of_sparse_are_generated_as_asked(monkeypatch):
    pytest.importorskip("dask.array")
    import turboinit.dask as tid

    seen, real = _spy_regions(monkeypatch)
    for kwargs in ({}, {"nonzero_per_unit": 5}):
        seen.clear()
        x = tid.from_function(ti.sparse, (120, 90), 0.3, chunks=(16, 16), seed=4, **kwargs)
        assert x.chunks == da_chunks((120, 90), 16)
        got = x.compute(scheduler="synchronous")
        want = real((120, 90), 0.3, seed=4, **kwargs)
        assert got.tobytes() == want.tobytes()
        regions = [r for r, _ in seen if r is not None and all(s.stop > s.start for s in r)]
        chunk_regions = [
            (slice(r0, min(r0 + 16, 120)), slice(c0, min(c0 + 16, 90)))
            for r0 in range(0, 120, 16)
            for c0 in range(0, 90, 16)
        ]
        # each chunk made once, by itself; the rest are one-element argument checks
        made = [r for r in regions if r != (slice(0, 1), slice(0, 1))]
        assert sorted(map(str, made)) == sorted(map(str, chunk_regions))


@pytest.mark.parametrize(
    "shape, kw",
    [
        ((2**40, 70), {"sparsity": 0.5}),
        ((2**40, 70), {"sparsity": 0.9}),
        ((3, 2**40), {"nonzero_per_unit": 2**39}),
        ((3, 2**40), {"nonzero_per_unit": 7}),
    ],
)
def test_a_region_of_huge_units_costs_the_region(shape, kw):
    # Units of 2**40 positions: drawing a whole unit (what a region cost before)
    # would take hours and terabytes; a small region is made alone, consistently.
    big = (slice(1000, 1010), slice(0, 70)) if shape[0] > 3 else (slice(0, 3), slice(500, 600))
    small = (slice(1003, 1005), slice(5, 60)) if shape[0] > 3 else (slice(1, 2), slice(530, 531))
    whole = ti.sparse(shape, std=1.0, seed=7, region=big, **kw)
    part = ti.sparse(shape, std=1.0, seed=7, region=small, **kw)
    inner = tuple(slice(s.start - b.start, s.stop - b.start) for s, b in zip(small, big))
    assert np.array_equal(part, whole[inner])
    z = ti.normal(shape, 0.0, 1.0, seed=7, region=big)
    assert np.array_equal(whole, np.where(whole != 0, z, 0).astype(np.float32))
    assert 0 < (whole == 0).sum() < whole.size or kw.get("nonzero_per_unit") == 7


@pytest.mark.parametrize("rows", [63, 64, 65, 66, 127, 128, 129, 1000])
@pytest.mark.parametrize("which", ["0", "1", "2", "half", "n-2", "n-1", "n"])
def test_every_band_and_column_count_around_the_floyd_limit(rows, which):
    # Units of <= 64 positions use Floyd's algorithm, larger ones the permutation;
    # a band asks each of its positions (direct) or enumerates the smaller side.
    k = {"0": 0, "1": 1, "2": 2, "half": rows // 2, "n-2": rows - 2, "n-1": rows - 1}.get(
        which, rows
    )
    sparsity = k / rows
    if math.ceil(sparsity * rows) != k:  # k / rows rounded up
        sparsity = float(np.nextafter(sparsity, 0.0))
    shape = (rows, 70)
    full = ti.sparse(shape, sparsity, std=1.0, seed=9)
    assert ((full == 0).sum(axis=0) == k).all()
    for r0, r1 in [(0, 1), (rows - 1, rows), (3, 40), (rows // 2, rows), (0, rows)]:
        band = ti.sparse(shape, sparsity, std=1.0, seed=9, region=(slice(r0, r1),))
        assert np.array_equal(band, full[r0:r1])
    martens = ti.sparse((70, rows), nonzero_per_unit=k, std=1.0, seed=9)
    assert ((martens != 0).sum(axis=1) == k).all()
    for c0, c1 in [(0, 1), (rows - 1, rows), (3, 40), (rows // 2, rows)]:
        part = ti.sparse(
            (70, rows), nonzero_per_unit=k, std=1.0, seed=9, region=(slice(0, 70), slice(c0, c1))
        )
        assert np.array_equal(part, martens[:, c0:c1])


def test_permutation_subsets_equally_likely():
    # 80 rows (above the Floyd limit of 64): the 2-subsets chosen by the Feistel
    # permutation must be uniform over all C(80, 2) = 3160 pairs.
    rows, cols = 80, 3160 * 20
    w = ti.sparse((rows, cols), 2 / rows, std=1.0, seed=5)
    zr, zc = np.nonzero(w == 0)
    order = np.argsort(zc, kind="stable")
    pairs = zr[order].reshape(cols, 2)
    codes = pairs[:, 0] * rows + pairs[:, 1]
    counts = np.bincount(codes, minlength=rows * rows).reshape(rows, rows)
    counts = counts[np.triu_indices(rows, 1)]
    assert counts.sum() == cols
    assert stats.chisquare(counts).pvalue > P_MIN


def test_permutation_positions_uniform_per_row_and_independent_across_columns():
    rows, cols, zeros = 200, 20_000, 30
    w = ti.sparse((rows, cols), zeros / rows, std=1.0, seed=4)
    m = w == 0
    counts = m.sum(axis=1)
    expected = cols * zeros / rows
    chi2 = ((counts - expected) ** 2 / expected).sum()
    assert stats.chi2.sf(chi2, rows - 1) > P_MIN
    # neighbouring columns (consecutive unit indices) share zeros as independent ones do:
    # hypergeometric overlap, mean zeros^2 / rows
    overlap = (m[:, :-1] & m[:, 1:]).sum(axis=0)
    h = stats.hypergeom(rows, zeros, zeros)
    values = np.arange(zeros + 1)
    observed = np.bincount(overlap, minlength=zeros + 1)
    expected_counts = h.pmf(values) * overlap.size
    keep = expected_counts >= 5
    obs = np.append(observed[keep], observed[~keep].sum())
    exp = np.append(expected_counts[keep], expected_counts[~keep].sum())
    assert stats.chisquare(obs, exp * obs.sum() / exp.sum()).pvalue > P_MIN


def da_chunks(shape, c):
    return tuple(tuple([c] * (n // c) + ([n % c] if n % c else [])) for n in shape)
