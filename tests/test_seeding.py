"""Seeds and streams: accepted forms, independence, reproducibility, bad input.

Independence is checked statistically: the Pearson correlation of two
independent samples of size n has standard error 1/sqrt(n), so every
correlation must lie within 5 standard errors of 0.
"""

from __future__ import annotations

import hashlib
import itertools

import numpy as np
import pytest
from _helpers import same_bits, sampler

import turboinit as ti
from turboinit._seed import philox_key

N_CORR = 2**18
Z = 5.0


def corr(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.corrcoef(a.astype(np.float64), b.astype(np.float64))[0, 1])


# ---- reproducibility -------------------------------------------------------------


@pytest.mark.parametrize("stream", [0, 7, "encoder.0.weight", ""])
def test_same_seed_and_stream_give_identical_bits(
    distribution: str, dtype: str, stream: int | str
) -> None:
    f = sampler(distribution)
    a = f((33, 65), seed=12345, stream=stream, dtype=dtype)
    b = f((33, 65), seed=12345, stream=stream, dtype=dtype)
    assert same_bits(a, b)


def test_key_derivation_is_the_documented_seed_sequence_hash() -> None:
    # SeedSequence(seed) with spawn_key (tag, stream) -> two uint32 words.
    def expected(seed: int, tag: int, value: int) -> tuple[int, int]:
        words = np.random.SeedSequence(seed, spawn_key=(tag, value)).generate_state(2, np.uint32)
        return int(words[0]), int(words[1])

    assert philox_key(0, 0) == expected(0, 0, 0)
    assert philox_key(2**70 + 3, 2**32 - 1) == expected(2**70 + 3, 0, 2**32 - 1)
    digest = int.from_bytes(hashlib.sha256(b"encoder.0.weight").digest(), "little")
    assert philox_key(5, "encoder.0.weight") == expected(5, 1, digest)


# ---- accepted seeds ----------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2**31, 2**32, 2**63, 2**64 - 1, 2**64, 2**200 + 17])
def test_integer_seeds_of_any_size(seed: int) -> None:
    x = ti.uniform(64, seed=seed)
    assert x.shape == (64,)
    assert same_bits(x, ti.uniform(64, seed=seed))


def test_distinct_integer_seeds_give_distinct_outputs() -> None:
    seeds = [0, 1, 2, 2**32, 2**32 + 1, 2**64 - 1, 2**64, 2**128, 2**200 + 17]
    outputs = {ti.uniform(16, seed=s).tobytes() for s in seeds}
    assert len(outputs) == len(seeds)


@pytest.mark.parametrize("seed", [np.int64(7), np.uint64(7), np.uint8(7), np.int32(7)])
def test_numpy_integer_seeds_equal_python_ints(seed: np.integer) -> None:
    assert same_bits(ti.normal(100, seed=seed), ti.normal(100, seed=7))


def test_seed_sequence_equals_its_integer_entropy() -> None:
    ss = np.random.SeedSequence(2024)
    assert same_bits(ti.normal(100, seed=ss), ti.normal(100, seed=2024))


def test_spawned_seed_sequences_are_distinct() -> None:
    parent = np.random.SeedSequence(2024)
    children = parent.spawn(3)
    outputs = [ti.uniform(32, seed=s).tobytes() for s in [parent, *children]]
    assert len(set(outputs)) == 4
    # Spawning is deterministic: the same child twice gives the same bits.
    again = np.random.SeedSequence(2024).spawn(3)
    assert outputs[1:] == [ti.uniform(32, seed=s).tobytes() for s in again]


def test_none_seed_draws_fresh_entropy_each_call() -> None:
    a = ti.uniform(8, seed=None)
    b = ti.uniform(8, seed=None)
    c = ti.uniform(8)  # the default
    assert len({a.tobytes(), b.tobytes(), c.tobytes()}) == 3


# ---- streams -------------------------------------------------------------------------


def test_streams_give_distinct_outputs() -> None:
    streams: list[int | str] = [0, 1, 2, 2**32 - 1, 2**32, 2**64, "0", "1", "", "a", "é"]
    outputs = {ti.uniform(16, seed=3, stream=s).tobytes() for s in streams}
    assert len(outputs) == len(streams)


@pytest.mark.parametrize("stream", [np.int64(11), np.uint32(11), np.uint64(11)])
def test_numpy_integer_streams_equal_python_ints(stream: np.integer) -> None:
    assert same_bits(ti.uniform(40, seed=1, stream=stream), ti.uniform(40, seed=1, stream=11))


def test_default_stream_is_zero() -> None:
    assert same_bits(ti.normal(40, seed=1), ti.normal(40, seed=1, stream=0))


@pytest.mark.parametrize("small", [0, 5, 2**32 - 1])
def test_wide_integer_stream_does_not_alias_a_spawned_child(small: int) -> None:
    # SeedSequence flattens spawn keys into 32-bit words, so a wide stream given
    # as raw words would equal a child's (spawn_key + (0,)) smaller stream.
    parent = np.random.SeedSequence(42)
    child = parent.spawn(1)[0]
    assert philox_key(child, small) != philox_key(parent, small * 2**32)
    assert philox_key(child, small) != philox_key(parent, small << 64)


def test_huge_integer_streams_are_accepted_and_distinct() -> None:
    streams = [2**32, 2**32 + 1, 2**64 - 1, 2**64, 2**64 + 1, 2**300]
    keys = {philox_key(0, s) for s in streams}
    assert len(keys) == len(streams)


# ---- independence ----------------------------------------------------------------------


def test_two_streams_are_uncorrelated() -> None:
    n = 2**20
    a = ti.normal(n, seed=0, stream=0, dtype="float64")
    b = ti.normal(n, seed=0, stream=1, dtype="float64")
    assert abs(corr(a, b)) < Z / np.sqrt(n)
    # Not a shifted copy of each other either (lags within and across groups).
    for lag in (1, 16, 64, 1024):
        assert abs(corr(a[lag:], b[:-lag])) < Z / np.sqrt(n - lag)
        assert abs(corr(a[:-lag], b[lag:])) < Z / np.sqrt(n - lag)


@pytest.mark.parametrize("vary", ["seed", "stream"])
def test_adjacent_seeds_and_streams_are_pairwise_uncorrelated(vary: str) -> None:
    arrays = []
    for i in range(8):
        kwargs = {"seed": i, "stream": 0} if vary == "seed" else {"seed": 99, "stream": i}
        arrays.append(ti.normal(N_CORR, dtype="float64", **kwargs))
    bound = Z / np.sqrt(N_CORR)
    for i, j in itertools.combinations(range(8), 2):
        r = corr(arrays[i], arrays[j])
        assert abs(r) < bound, f"{vary} {i} vs {j}: r = {r:.2e} (bound {bound:.2e})"


def test_adjacent_seeds_share_no_float32_values_beyond_chance() -> None:
    # Equal float32 uniforms at the same index happen with probability 2**-24.
    n = 2**20
    a = ti.uniform(n, seed=10)
    b = ti.uniform(n, seed=11)
    expected = n * 2.0**-24
    assert int(np.count_nonzero(a == b)) <= expected + Z * np.sqrt(expected) + 1


# ---- bad seeds and streams ---------------------------------------------------------------


@pytest.mark.parametrize(
    "seed",
    [1.5, 1.0, np.float64(2.0), True, False, np.bool_(True), "1", b"1", [1, 2], (1,), 1 + 0j, {}],
)
def test_bad_seed_types(seed: object) -> None:
    with pytest.raises(TypeError, match="seed"):
        ti.uniform(4, seed=seed)  # type: ignore[arg-type]


@pytest.mark.parametrize("seed", [-1, -(2**70), np.int64(-3)])
def test_negative_seeds(seed: int) -> None:
    with pytest.raises(ValueError, match="seed"):
        ti.normal(4, seed=seed)


@pytest.mark.parametrize(
    "stream", [1.5, 2.0, True, np.bool_(False), None, b"x", ["a"], ("a",), 1j, object()]
)
def test_bad_stream_types(stream: object) -> None:
    with pytest.raises(TypeError, match="stream"):
        ti.uniform(4, seed=0, stream=stream)  # type: ignore[arg-type]


@pytest.mark.parametrize("stream", [-1, -(2**40), np.int32(-1)])
def test_negative_streams(stream: int) -> None:
    with pytest.raises(ValueError, match="stream"):
        ti.truncated_normal(4, seed=0, stream=stream)


def test_bad_seed_leaves_out_untouched(distribution: str) -> None:
    out = np.full(10, 123.0, dtype=np.float32)
    with pytest.raises(TypeError, match="seed"):
        sampler(distribution)(10, seed=1.5, out=out)
    assert (out == 123.0).all()
