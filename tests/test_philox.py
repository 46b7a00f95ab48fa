"""Philox4x32: Random123's known answers, and the SIMD kernels' counter layout.

The known-answer vectors are copied from Random123's ``tests/kat_vectors``
(D. E. Shaw Research, github.com/DEShawResearch/random123) and, for the
single-bit counters and keys, from the longer ``examples/kat_vectors`` of the
Random123 distribution.  Format: rounds, counter[4], key[2], expected[4].

The layout tests pin what ``cpp/simd/samplers-inl.hpp`` documents: element ``i`` of
a float32 stream (a raw word of ``_core.bits``) is word ``k = r // 16`` of
Philox block ``b = block_offset + 16 g + r % 16`` with ``g = i // 64`` and
``r = i % 64``, under the counter ``(b mod 2**32, b // 2**32, 0, 0)``.
"""

from __future__ import annotations

import numpy as np
import pytest
from _helpers import KERNELS

import turboinit as ti
from turboinit import _core
from turboinit._seed import philox_key
from turboinit.random import philox4x32

# tests/kat_vectors of Random123: all-zero, all-ones and pi-digit inputs.
KAT_CANONICAL = """
7  00000000 00000000 00000000 00000000  00000000 00000000  5f6fb709 0d893f64 4f121f81 4f730a48
7  ffffffff ffffffff ffffffff ffffffff  ffffffff ffffffff  5207ddc2 45165e59 4d8ee751 8c52f662
7  243f6a88 85a308d3 13198a2e 03707344  a4093822 299f31d0  4dfccaba 190a87f0 c47362ba b6b5242a
10 00000000 00000000 00000000 00000000  00000000 00000000  6627e8d5 e169c58d bc57ac4c 9b00dbd8
10 ffffffff ffffffff ffffffff ffffffff  ffffffff ffffffff  408f276d 41c83b0e a20bc7c6 6d5451fd
10 243f6a88 85a308d3 13198a2e 03707344  a4093822 299f31d0  d16cfe09 94fdcceb 5001e420 24126ea1
"""

# examples/kat_vectors of Random123: one bit set in each counter word, per key.
KAT_EXTENDED = """
7  00000001 00000000 00000000 00000000  00000001 00000000  6b3257c3 820c5486 4de08b66 8771d665
7  00000000 00000001 00000000 00000000  00000001 00000000  03dd87e3 e457f6e9 36c1ef7a 2c08abd7
7  00000000 00000000 00000001 00000000  00000001 00000000  7b95d061 973a01c3 34a7320a b948ba2b
7  00000000 00000000 00000000 00000001  00000001 00000000  ec3a83e6 1b8a97b3 d62f2558 2bbefc0b
7  00000000 ffffffff 00000000 00000000  00000001 00000000  a84bdb23 ad074f5c d009bbed dc77d86c
7  00000000 80000000 00000000 00000000  00000001 00000000  fee842f9 4ab3aed6 d83a3a74 6166acec
7  243f6a88 85a308d3 13198a2e 03707344  00000001 00000000  64803f9b acd38b4b 5ea00643 770c3921
7  00000000 00000000 80000000 00000000  00000000 80000000  56ddb529 b18488a9 63f467c6 a689a8ad
7  00000000 00000000 00000000 ffffffff  00000000 80000000  414ea6b4 083011b4 08bc62cb 76d8fb76
7  452821e6 38d01377 be5466cf 34e90c6c  00000000 80000000  b30a1fd9 3149f07f 59ede6aa 95d62ce2
10 00000001 00000000 00000000 00000000  00000001 00000000  ac08141b dfc5ccbe 79c07a47 a7f66093
10 00000000 00000001 00000000 00000000  00000001 00000000  833ff8dc 225c963c 232b88b3 0b334b07
10 00000000 00000000 00000001 00000000  00000001 00000000  07071c12 428264b6 3909104b 6da2bda2
10 00000000 00000000 00000000 00000001  00000001 00000000  127bee41 1e047488 48842b20 0a393496
10 00000000 ffffffff 00000000 00000000  00000001 00000000  04e2eae1 463cc999 e7786310 65b3dc49
10 00000000 00000000 ffffffff 00000000  00000001 00000000  fb0905e2 78378790 ca37926b cdf58cfa
10 00000000 00000000 00000000 80000000  00000001 00000000  dde26e4e 17666f3b fc1f5b3a 83ac805d
10 a4093822 299f31d0 082efa98 ec4e6c89  00000001 00000000  fb9877f8 482895e2 60b01453 198ea67b
10 00000001 00000000 00000000 00000000  00000000 ffffffff  473ab778 330bacc0 acd5fc9a 5ede76b3
10 00000000 80000000 00000000 00000000  00000000 ffffffff  715a87cf f966a7f0 3e6dd95f e884e2fd
10 243f6a88 85a308d3 13198a2e 03707344  00000000 ffffffff  08f7720c 845ee9e0 502ccd3d a9a00e27
10 452821e6 38d01377 be5466cf 34e90c6c  00000000 80000000  94ca5566 14924b2f 28214292 59faeaee
"""


def parse_kat(text: str) -> list[tuple[int, list[int], list[int], list[int]]]:
    cases = []
    for line in text.strip().splitlines():
        fields = line.split()
        rounds = int(fields[0])
        words = [int(w, 16) for w in fields[1:]]
        assert len(words) == 10, line
        cases.append((rounds, words[:4], words[4:6], words[6:]))
    return cases


KAT = parse_kat(KAT_CANONICAL) + parse_kat(KAT_EXTENDED)


def reference_philox(counter: list[int], key: list[int], rounds: int) -> list[int]:
    """Philox4x32-R (Salmon et al., SC'11) on Python ints, written from the paper."""
    mask = 0xFFFFFFFF
    c0, c1, c2, c3 = counter
    k0, k1 = key
    for r in range(rounds):
        if r > 0:
            k0 = (k0 + 0x9E3779B9) & mask
            k1 = (k1 + 0xBB67AE85) & mask
        p0 = 0xD2511F53 * c0
        p1 = 0xCD9E8D57 * c2
        c0, c1, c2, c3 = (p1 >> 32) ^ c1 ^ k0, p1 & mask, (p0 >> 32) ^ c3 ^ k1, p0 & mask
    return [c0, c1, c2, c3]


# ---- known answers --------------------------------------------------------------


def test_canonical_vectors_cover_both_round_counts() -> None:
    canonical = parse_kat(KAT_CANONICAL)
    assert sorted(r for r, *_ in canonical) == [7, 7, 7, 10, 10, 10]


@pytest.mark.parametrize(("rounds", "counter", "key", "expected"), KAT)
def test_known_answer_vectors(
    rounds: int, counter: list[int], key: list[int], expected: list[int]
) -> None:
    got = philox4x32(counter, key, rounds)
    assert got.dtype == np.uint32
    assert got.shape == (4,)
    assert [int(v) for v in got] == expected


@pytest.mark.parametrize(("rounds", "counter", "key", "expected"), KAT)
def test_python_reference_matches_known_answers(
    rounds: int, counter: list[int], key: list[int], expected: list[int]
) -> None:
    # Validates the oracle used by the random-input test below.
    assert reference_philox(counter, key, rounds) == expected


def test_default_rounds_is_ten() -> None:
    counter, key = [0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344], [0xA4093822, 0x299F31D0]
    assert philox4x32(counter, key).tolist() == philox4x32(counter, key, 10).tolist()


def test_zero_rounds_is_the_identity() -> None:
    counter = [1, 2, 0xFFFFFFFF, 0x80000000]
    assert philox4x32(counter, [5, 6], 0).tolist() == counter


@pytest.mark.parametrize("rounds", range(17))
def test_random_inputs_match_python_reference(rounds: int) -> None:
    rng = np.random.default_rng(1234 + rounds)
    counters = rng.integers(0, 2**32, size=(64, 4), dtype=np.uint64)
    key = rng.integers(0, 2**32, size=2, dtype=np.uint64)
    got = philox4x32(counters, key, rounds)
    want = [reference_philox([int(w) for w in c], [int(k) for k in key], rounds) for c in counters]
    assert got.tolist() == want


# ---- shapes and conversions -----------------------------------------------------


@pytest.mark.parametrize("shape", [(4,), (1, 4), (5, 4), (2, 3, 4), (0, 4), (2, 0, 4)])
def test_batch_shape_is_preserved(shape: tuple[int, ...]) -> None:
    rng = np.random.default_rng(7)
    counters = rng.integers(0, 2**32, size=shape, dtype=np.uint64).astype(np.uint32)
    got = philox4x32(counters, [3, 4])
    assert got.shape == shape
    assert got.dtype == np.uint32
    flat = counters.reshape(-1, 4)
    want = np.array([reference_philox([int(w) for w in c], [3, 4], 10) for c in flat])
    assert got.reshape(-1, 4).tolist() == want.reshape(-1, 4).tolist()


def test_accepts_any_integer_dtype_and_strided_input() -> None:
    base = np.arange(32, dtype=np.int64).reshape(4, 8) * 123457
    strided = base[:, ::2]  # not contiguous
    assert not strided.flags.c_contiguous
    want = philox4x32(np.ascontiguousarray(strided, dtype=np.uint32), (9, 10))
    assert philox4x32(strided, (9, 10)).tolist() == want.tolist()
    assert philox4x32(strided.astype(np.uint64), np.array([9, 10], np.int8)).tolist() == (
        want.tolist()
    )
    assert philox4x32(strided.tolist(), [9, 10]).tolist() == want.tolist()


def test_extreme_word_values_are_accepted() -> None:
    top = 2**32 - 1
    assert philox4x32([top] * 4, [top, top], 10).tolist() == reference_philox(
        [top] * 4, [top, top], 10
    )


# ---- bad input -------------------------------------------------------------------


@pytest.mark.parametrize("counter", [[0, 0, 0], [0] * 5, np.zeros((2, 3)), np.zeros((4, 2)), 0])
def test_counter_must_end_in_four_words(counter: object) -> None:
    with pytest.raises((ValueError, TypeError), match="counter"):
        philox4x32(np.asarray(counter, dtype=np.uint32), [0, 0])


@pytest.mark.parametrize("key", [[0], [0, 0, 0], [[0, 0]], 0, np.zeros((2, 2), np.uint32)])
def test_key_must_be_two_words(key: object) -> None:
    with pytest.raises(ValueError, match="key"):
        philox4x32([0, 0, 0, 0], key)


@pytest.mark.parametrize(
    ("counter", "key", "argname"),
    [
        ([0, 0, 0, -1], [0, 0], "counter"),
        ([0, 0, 2**32, 0], [0, 0], "counter"),
        ([0, 0, 0, 0], [-1, 0], "key"),
        ([0, 0, 0, 0], [0, 2**32], "key"),
        ([0, 0, 0, 0], [0, 2**40], "key"),
    ],
)
def test_words_outside_uint32_raise(counter: list[int], key: list[int], argname: str) -> None:
    with pytest.raises(ValueError, match=argname):
        philox4x32(counter, key)


@pytest.mark.parametrize(
    ("counter", "key", "argname"),
    [
        ([0.0, 1.0, 2.0, 3.0], [0, 0], "counter"),
        (np.zeros(4, np.float32), [0, 0], "counter"),
        ([0, 0, 0, 0], [0.5, 1.0], "key"),
        (["a", "b", "c", "d"], [0, 0], "counter"),
        ([0, 0, 0, 0], [1 + 2j, 0], "key"),
    ],
)
def test_non_integer_words_raise_type_error(counter: object, key: object, argname: str) -> None:
    with pytest.raises(TypeError, match=argname):
        philox4x32(counter, key)


@pytest.mark.parametrize("rounds", [-1, 17, 100])
def test_rounds_out_of_range(rounds: int) -> None:
    with pytest.raises(ValueError, match="rounds"):
        philox4x32([0, 0, 0, 0], [0, 0], rounds)


@pytest.mark.parametrize("rounds", [10.0, "10", True, None])
def test_rounds_must_be_an_int(rounds: object) -> None:
    with pytest.raises(TypeError, match="rounds"):
        philox4x32([0, 0, 0, 0], [0, 0], rounds)  # type: ignore[arg-type]


def test_numpy_integer_rounds_accepted() -> None:
    assert philox4x32([0] * 4, [0, 0], np.int64(7)).tolist() == KAT[0][3]


# ---- the SIMD kernels compute the same Philox -----------------------------------


def layout_words(flat: np.ndarray, key: tuple[int, int], block_offset: int) -> np.ndarray:
    """The documented word of each flat element index, via the scalar Philox."""
    flat = np.asarray(flat, dtype=np.uint64)
    group, r = flat // np.uint64(64), flat % np.uint64(64)
    word = (r // np.uint64(16)).astype(np.intp)
    block = np.uint64(block_offset) + np.uint64(16) * group + r % np.uint64(16)
    counters = np.zeros(flat.shape + (4,), dtype=np.uint64)
    counters[..., 0] = block & np.uint64(0xFFFFFFFF)
    counters[..., 1] = block >> np.uint64(32)
    words = philox4x32(counters.reshape(-1, 4), key)
    return words[np.arange(words.shape[0]), word.reshape(-1)].reshape(flat.shape)


def core_bits(
    shape: tuple[int, ...],
    region: tuple[slice, ...],
    key: tuple[int, int],
    block_offset: int,
) -> np.ndarray:
    starts = tuple(s.start for s in region)
    extent = tuple(s.stop - s.start for s in region)
    out = np.empty(extent, dtype=np.uint32)
    _core.bits(out, shape, starts, extent, key[0], key[1], block_offset)
    return out


def region_flat_indices(shape: tuple[int, ...], region: tuple[slice, ...]) -> np.ndarray:
    grids = np.meshgrid(
        *[np.arange(s.start, s.stop, dtype=np.uint64) for s in region], indexing="ij"
    )
    flat = np.zeros(grids[0].shape, dtype=np.uint64) if grids else np.zeros((), np.uint64)
    for g, n in zip(grids, shape):
        flat = flat * np.uint64(n) + g
    return flat


# Offsets whose blocks carry into the high counter word inside one SIMD vector,
# and offsets near the top of the 64-bit block space.
BLOCK_OFFSETS = [
    0,
    1,
    2**32 - 37,
    2**32 - 16 * 5 - 3,
    2**32,
    2**33 + 5,
    2**63 - 100,
    2**64 - 2**20,
    2**64 - 4096 - 64 - 1,  # the last offset the counter-space guard allows for 4096 elements
]

REGIONS = [
    ((4096,), (slice(0, 4096),)),
    ((4096,), (slice(17, 4001),)),
    ((64, 64), (slice(3, 61), slice(5, 63))),
    ((8, 16, 32), (slice(1, 7), slice(0, 16), slice(31, 32))),
]


@pytest.mark.parametrize("block_offset", BLOCK_OFFSETS)
@pytest.mark.parametrize(("shape", "region"), REGIONS)
def test_kernel_bits_follow_the_documented_layout(
    kernel: str, block_offset: int, shape: tuple[int, ...], region: tuple[slice, ...]
) -> None:
    key = (0x243F6A88, 0x85A308D3)
    got = core_bits(shape, region, key, block_offset)
    want = layout_words(region_flat_indices(shape, region), key, block_offset)
    assert got.shape == want.shape
    mismatches = np.flatnonzero(got != want)
    assert mismatches.size == 0, (
        f"{kernel}: {mismatches.size} words differ, first at region index {mismatches[0]}"
    )


def test_every_kernel_is_exercised() -> None:
    assert "baseline" in KERNELS
    assert _core.build_info()["kernel"] in KERNELS


# 4096 words at 4 per block use 1024 blocks (64 whole groups of 16).
@pytest.mark.parametrize("block_offset", [2**64 - 1024 + 16, 2**64 - 1, 2**64 - 100])
def test_counter_space_overflow_is_refused(block_offset: int) -> None:
    out = np.full(4096, 7, dtype=np.uint32)
    with pytest.raises(OverflowError, match="counter space"):
        _core.bits(out, (4096,), (0,), (4096,), 1, 2, block_offset)
    assert (out == 7).all()


def test_counter_space_is_usable_to_its_last_block() -> None:
    out = np.empty(4096, dtype=np.uint32)
    offset = 2**64 - 1024
    _core.bits(out, (4096,), (0,), (4096,), 1, 2, offset)
    want = layout_words(np.arange(4096), (1, 2), offset)
    assert np.array_equal(out, want)


def test_public_uniform_float32_is_the_top_24_bits_of_the_words(kernel: str) -> None:
    # The brief's contract for _core.bits: the words float32 uniform element i is made of.
    seed, stream, n = 2024, "layer.0", 3 * 64 * 16 + 5
    key = philox_key(seed, stream)
    u = ti.uniform(n, seed=seed, stream=stream)
    words = layout_words(np.arange(n), key, 0)
    assert u.dtype == np.float32
    np.testing.assert_array_equal(u, (words >> 8).astype(np.float64) * 2.0**-24)


def test_public_uniform_float64_is_53_bits_of_two_words(kernel: str) -> None:
    # float64 candidates come two per block (groups of 32 elements): words
    # (x0, x1) give candidate 0 and (x2, x3) candidate 1, as hi >> 11 and lo.
    seed, n = 99, 32 * 40 + 7
    key = philox_key(seed, 0)
    i = np.arange(n, dtype=np.uint64)
    group, r = i // np.uint64(32), i % np.uint64(32)
    cand = (r // np.uint64(16)).astype(np.intp)
    block = np.uint64(16) * group + r % np.uint64(16)
    counters = np.zeros((n, 4), dtype=np.uint64)
    counters[:, 0] = block
    w = philox4x32(counters, key).astype(np.uint64)
    hi, lo = w[np.arange(n), 2 * cand], w[np.arange(n), 2 * cand + 1]
    want = (hi >> np.uint64(11)).astype(np.float64) * 2.0**-21 + lo.astype(np.float64) * 2.0**-53
    np.testing.assert_array_equal(ti.uniform(n, seed=seed, dtype="float64"), want)


def test_public_normal_is_box_muller_of_the_words(kernel: str) -> None:
    # float32: candidates (z0, z1) from words (x0, x1) and (z2, z3) from (x2, x3),
    # u1 = (x >> 1) 2^-31 + 2^-32 in (0, 1] (rounded to float32), u2 = (x >> 8) 2^-24.
    # The SIMD log and sincos are polynomials: allow 4 ulp of max(1, |z|).
    seed, n = 5, 64 * 256 + 9
    key = philox_key(seed, 0)
    i = np.arange(n)
    cand = (i % 64) // 16
    counters = np.zeros((n, 4), dtype=np.uint32)
    counters[:, 0] = 16 * (i // 64) + i % 16
    block_words = philox4x32(counters, key)
    pair = cand // 2
    x_radius = block_words[i, 2 * pair]
    x_angle = block_words[i, 2 * pair + 1]
    u1 = ((x_radius >> 1).astype(np.float32) * np.float32(2**-31) + np.float32(2**-32)).astype(
        np.float64
    )
    u2 = (x_angle >> 8).astype(np.float64) * 2.0**-24
    radius = np.sqrt(-2.0 * np.log(u1))
    z = np.where(cand % 2 == 0, radius * np.cos(2 * np.pi * u2), radius * np.sin(2 * np.pi * u2))
    got = ti.normal(n, seed=seed).astype(np.float64)
    tol = 4 * np.finfo(np.float32).eps * np.maximum(1.0, np.abs(z))
    assert np.all(np.abs(got - z) <= tol), float(np.max(np.abs(got - z) / tol))


def test_public_normal_float64_is_box_muller_of_the_words(kernel: str) -> None:
    # float64: one pair per block, u1 = (x0 >> 11) 2^-21 + (x1 + 1) 2^-53 in (0, 1],
    # u2 = (x2 >> 11) 2^-21 + x3 2^-53; candidate 0 is the cosine branch.
    seed, n = 6, 32 * 300 + 3
    key = philox_key(seed, 0)
    i = np.arange(n, dtype=np.uint64)
    group, r = i // np.uint64(32), i % np.uint64(32)
    cand = (r // np.uint64(16)).astype(np.intp)
    counters = np.zeros((n, 4), dtype=np.uint64)
    counters[:, 0] = np.uint64(16) * group + r % np.uint64(16)
    w = philox4x32(counters, key).astype(np.uint64)
    s11 = np.uint64(11)
    u1 = (w[:, 0] >> s11).astype(np.float64) * 2.0**-21 + (w[:, 1] + np.uint64(1)).astype(
        np.float64
    ) * 2.0**-53
    u2 = (w[:, 2] >> s11).astype(np.float64) * 2.0**-21 + w[:, 3].astype(np.float64) * 2.0**-53
    radius = np.sqrt(-2.0 * np.log(u1))
    z = np.where(cand == 0, radius * np.cos(2 * np.pi * u2), radius * np.sin(2 * np.pi * u2))
    got = ti.normal(n, seed=seed, dtype="float64")
    tol = 16 * np.finfo(np.float64).eps * np.maximum(1.0, np.abs(z))
    assert np.all(np.abs(got - z) <= tol), float(np.max(np.abs(got - z) / tol))


def test_region_far_beyond_2_to_the_32_uses_64_bit_indices() -> None:
    # A tiny region at flat index ~2**60 of a tensor that is never allocated:
    # its blocks have a non-zero high counter word.
    shape = (2**40, 2**20)
    region = (slice(2**40 - 2, 2**40), slice(2**20 - 70, 2**20))
    seed = 31
    got = ti.uniform(shape, seed=seed, region=region)
    assert got.shape == (2, 70)
    flat = region_flat_indices(shape, region)
    assert int(flat.min()) > 2**59
    words = layout_words(flat, philox_key(seed, 0), 0)
    np.testing.assert_array_equal(got, (words >> 8).astype(np.float64) * 2.0**-24)
