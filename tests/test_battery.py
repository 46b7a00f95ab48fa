"""Statistical batteries on the raw Philox words, as the library uses them.

The words are those of ``turboinit._core.bits`` (word ``i`` is the one
float32 element ``i`` of ``uniform`` is made of, the same words ``random`` and
``integers`` consume), taken across block, stream, seed, region and
counter-offset boundaries:

* ``sequential``: one stream, read region after region of a huge tensor;
* ``streams``: 16 adjacent integer streams under one seed, interleaved word by word;
* ``names``: 16 parameter-name streams (``"layer.<i>.weight"``), interleaved word by word;
* ``seeds``: 16 adjacent seeds, interleaved word by word;
* ``offsets``: pieces of one group (16 blocks, 64 words) at block offsets
  spread over the 64-bit counter space, up to its last group, as a
  Generator would reserve them after ``state`` jumps;
* ``regions``: ragged column ranges of the rows of a 2-D tensor, so pieces
  start and end inside blocks;
* ``mixed``: the six above in turn, 1 MiB each.

Opt-in (marker ``battery``): runs only with ``TURBOINIT_BATTERY=1`` and
Debian's ``dieharder`` installed; a bounded subset of quick tests per stream.
The fuller run recorded in docs/hardening.md is::

    python tests/test_battery.py mixed | dieharder -g 200 -d 0   # etc., see the doc

Run as a script, this file writes the chosen stream to stdout, raw, forever.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator

import numpy as np

WORDS = 1 << 18  # per piece of the sequential modes (1 MiB)
LANES = 16  # interleaved streams


def _keys_of_streams(streams: list) -> list[tuple[int, int]]:
    from turboinit._seed import philox_key

    return [philox_key(20240601, s) for s in streams]


def _bits(
    key: tuple[int, int], start: int, n: int, offset: int = 0, total: int = 2**60
) -> np.ndarray:
    from turboinit import _core

    out = np.empty(n, np.uint32)
    _core.bits(out, (total,), (start,), (n,), key[0], key[1], offset)
    return out


def sequential() -> Iterator[np.ndarray]:
    key = _keys_of_streams([0])[0]
    pos = 0
    while True:
        yield _bits(key, pos, WORDS)
        pos += WORDS


def _interleaved(keys: list[tuple[int, int]]) -> Iterator[np.ndarray]:
    per = WORDS // len(keys)
    pos = 0
    while True:
        lanes = [_bits(k, pos, per) for k in keys]
        yield np.stack(lanes, axis=1).reshape(-1)  # word i of every stream, then i + 1, ...
        pos += per


def streams() -> Iterator[np.ndarray]:
    return _interleaved(_keys_of_streams(list(range(LANES))))


def names() -> Iterator[np.ndarray]:
    return _interleaved(_keys_of_streams([f"layer.{i}.weight" for i in range(LANES)]))


def seeds() -> Iterator[np.ndarray]:
    from turboinit._seed import philox_key

    return _interleaved([philox_key(s, 0) for s in range(LANES)])


def offsets() -> Iterator[np.ndarray]:
    # One group (16 blocks = 64 words) per piece, at offsets spread over the
    # whole 64-bit block counter (the last piece of each sweep ends at 2**64).
    key = _keys_of_streams(["offsets"])[0]
    sweep = 0
    while True:
        pieces = []
        for j in range(WORDS // 64):
            offset = (
                (j * 0x9E3779B97F4A7C15 + sweep * 0x632BE59BD9B4E019) % (2**64 // 16 - 1)
            ) * 16
            if j == WORDS // 64 - 1:
                offset = 2**64 - 16
            pieces.append(_bits(key, 0, 64, offset=offset, total=64))
        sweep += 1
        yield np.concatenate(pieces)


def regions() -> Iterator[np.ndarray]:
    # Rows of a (2**40, 1000) tensor, each cut to a ragged column range.
    from turboinit import _core

    key = _keys_of_streams(["regions"])[0]
    cols = 1000
    plan = np.random.default_rng(7)
    row = 0
    while True:
        pieces, n = [], 0
        while n < WORDS:
            a = int(plan.integers(0, cols - 1))
            b = int(plan.integers(a + 1, cols + 1))
            out = np.empty(b - a, np.uint32)
            _core.bits(out, (2**40, cols), (row, a), (1, b - a), key[0], key[1], 0)
            pieces.append(out)
            n += b - a
            row += 1
        yield np.concatenate(pieces)


def mixed() -> Iterator[np.ndarray]:
    sources = [sequential(), streams(), names(), seeds(), offsets(), regions()]
    while True:
        for s in sources:
            yield next(s)


MODES = {f.__name__: f for f in (sequential, streams, names, seeds, offsets, regions, mixed)}


def write_forever(mode: str, stream: object = None) -> None:
    out = stream if stream is not None else sys.stdout.buffer
    try:
        for chunk in MODES[mode]():
            out.write(chunk.tobytes())  # type: ignore[attr-defined]
    except (BrokenPipeError, ValueError):  # the reader is done
        pass


# ---- the opt-in test -----------------------------------------------------------------------

if __name__ != "__main__":
    import pytest

    pytestmark = [
        pytest.mark.battery,
        pytest.mark.skipif(
            os.environ.get("TURBOINIT_BATTERY") != "1", reason="set TURBOINIT_BATTERY=1"
        ),
        pytest.mark.skipif(shutil.which("dieharder") is None, reason="dieharder is not installed"),
    ]

    # Quick dieharder tests (number: -d) and their p-value samples (-p).
    QUICK = [(0, 30), (2, 10), (15, 30), (100, 30), (202, 30)]
    RESULT = re.compile(
        r"^\s*(\w+)\|\s*(\d+)\|\s*(\d+)\|\s*(\d+)\|([0-9.]+)\|\s*(PASSED|WEAK|FAILED)"
    )

    def run_dieharder(mode: str, test: int, psamples: int) -> list[tuple[str, float, str]]:
        cmd = [sys.executable, os.path.abspath(__file__), mode]
        with subprocess.Popen(cmd, stdout=subprocess.PIPE) as producer:
            try:
                done = subprocess.run(
                    ["dieharder", "-g", "200", "-d", str(test), "-p", str(psamples)],
                    stdin=producer.stdout,
                    capture_output=True,
                    text=True,
                    timeout=600,
                )
            finally:
                producer.kill()
        results = []
        for line in done.stdout.splitlines():
            m = RESULT.match(line)
            if m:
                results.append((m.group(1), float(m.group(5)), m.group(6)))
        assert results, done.stdout + done.stderr
        return results

    @pytest.mark.parametrize("mode", sorted(MODES))
    def test_dieharder_quick_subset(mode: str) -> None:
        # dieharder FAILS a test at p < 1e-6 (or > 1 - 1e-6): for a good
        # generator a false alarm somewhere in this run has probability ~1e-4.
        # WEAK (p < 0.005) happens to ~1% of good results and is allowed.
        results = [r for test, p in QUICK for r in run_dieharder(mode, test, p)]
        failed = [r for r in results if r[2] == "FAILED"]
        assert not failed, failed


if __name__ == "__main__":
    write_forever(sys.argv[1] if len(sys.argv) > 1 else "mixed")
