"""Memory hardening: impossible shapes fail fast without touching pages, a
small region of a huge tensor costs only the region, a wrong ``out=`` is
refused before any write (also by the compiled core on its own), and 10^5
calls leak nothing.

Resident-memory measurements run in fresh interpreters (``/proc/self/status``),
so other tests cannot disturb them; Linux only.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from typing import Any, Callable

import numpy as np
import pytest
from _helpers import run_python

import turboinit as ti
from turboinit import _core
from turboinit.random import default_rng

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc/self/status")

RSS_HELPER = """
import gc, json
def rss(field="VmRSS"):
    gc.collect()
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
"""

# Shapes beyond any address space (> 2**62 bytes: ValueError before NumPy is
# asked) and beyond this machine (2**47 bytes and more: NumPy's allocation
# fails, MemoryError), per rank.  Every one is at least 2**47 bytes, so a
# call that did allocate could not succeed quietly.
IMPOSSIBLE_CHILD = (
    RSS_HELPER
    + """
import turboinit as ti
from turboinit.random import default_rng
import numpy as np

BEYOND_ADDRESSES = {
    1: [(2**63,), (2**100,)], 2: [(2**40, 2**40), (2**62, 2)], 3: [(2**31,) * 3, (2**40, 2**40, 1)]
}
BEYOND_MACHINE = {
    1: [(2**48,)], 2: [(2**45, 4), (2**20, 2**30)], 3: [(2**45, 4, 1), (2**20, 2**30, 1)]
}
rng = default_rng(0)
calls = {
    # name: (call, rank of the shapes it takes)
    "uniform": (lambda s: ti.uniform(s, seed=0), 1),
    "normal": (lambda s: ti.normal(s, seed=0, dtype="float16"), 2),
    "truncated_normal": (lambda s: ti.truncated_normal(s, seed=0, dtype="float64"), 3),
    "kaiming_normal": (lambda s: ti.kaiming_normal(s, seed=0), 2),
    "xavier_uniform": (lambda s: ti.xavier_uniform(s, seed=0), 3),
    "variance_scaling": (lambda s: ti.variance_scaling(s, seed=0), 2),
    "zeros": (lambda s: ti.zeros(s), 1),
    "constant": (lambda s: ti.constant(s, 0.5), 2),
    "eye": (lambda s: ti.eye(s), 2),
    "dirac": (lambda s: ti.dirac(s), 3),
    "sparse": (lambda s: ti.sparse(s, seed=0), 2),
    "orthogonal": (lambda s: ti.orthogonal(s, seed=0), 2),
    # (kernel, in, out) with in <= out
    "delta_orthogonal": (lambda s: ti.delta_orthogonal((s[2], min(s[:2]), max(s[:2])), seed=0), 3),
    "relu_bias": (lambda s: ti.relu_bias(s), 1),
    "Generator.random": (lambda s: rng.random(s), 1),
    "Generator.standard_normal": (lambda s: rng.standard_normal(s, dtype=np.float32), 2),
    "Generator.uniform": (lambda s: rng.uniform(size=s), 3),
    "Generator.normal": (lambda s: rng.normal(size=s), 1),
    "Generator.truncated_normal": (lambda s: rng.truncated_normal(size=s), 2),
    "Generator.integers": (lambda s: rng.integers(0, 10, size=s, dtype=np.int8), 2),
}
ti.normal(10, seed=0); rng.random(10)  # load everything first
counter = rng.state["counter"]
before = rss("VmHWM")
report = {"unexpected": []}
for name, (call, rank) in calls.items():
    cases = ((ValueError, BEYOND_ADDRESSES[rank]), (MemoryError, BEYOND_MACHINE[rank]))
    for expected, shapes in cases:
        for s in shapes:
            try:
                call(s)
                report["unexpected"].append([name, list(s), "returned"])
            except expected as exc:
                if not str(exc).startswith(("shape", "size")):
                    report["unexpected"].append([name, list(s), "message: " + str(exc)])
            except Exception as exc:
                report["unexpected"].append([name, list(s), type(exc).__name__ + ": " + str(exc)])
report["peak_growth"] = rss("VmHWM") - before
report["counter"] = rng.state["counter"] - counter
print(json.dumps(report))
"""
)


@linux_only
def test_impossible_shapes_fail_fast_without_touching_memory() -> None:
    # A hang (e.g. a kernel writing 2**47 bytes) fails through the timeout.
    proc = run_python(IMPOSSIBLE_CHILD, timeout=120)
    assert proc.returncode == 0, proc.stderr
    r = json.loads(proc.stdout)
    assert r["unexpected"] == []
    assert r["peak_growth"] < 16 * 2**20, f"peak RSS grew by {r['peak_growth'] / 2**20:.1f} MiB"
    assert r["counter"] == 0, "a refused Generator call reserved counter blocks"


SMALL_REGION_CHILD = (
    RSS_HELPER
    + """
import turboinit as ti
import numpy as np
ti.eye((4, 4)); ti.normal(4, seed=0)
before = rss("VmHWM")
region2 = (slice(5, 8), slice(3, 9))
results = {
    "eye": ti.eye((2**28, 2**28), region=region2).tolist(),
    "identity_far": ti.identity(
        (2**40, 2**20), region=(slice(2**20 - 2, 2**20 + 1), slice(2**20 - 3, 2**20))
    ).tolist(),
    "dirac": ti.dirac((2**28, 2**28, 3), region=(slice(0, 3), slice(0, 3))).tolist(),
    "dirac_groups": ti.dirac(
        (2**26, 2**25, 1, 1), groups=4, region=(slice(2**24, 2**24 + 2), slice(0, 2))
    ).tolist(),
    "normal": ti.normal((2**40, 2**20), seed=0, region=region2).tolist(),
    "kaiming": ti.kaiming_uniform((2**40, 2**20), seed=0, region=region2).tolist(),
}
results["peak_growth"] = rss("VmHWM") - before
print(json.dumps(results))
"""
)


@linux_only
def test_a_small_region_of_a_huge_tensor_costs_only_the_region() -> None:
    # Regression: eye/identity and dirac built index arrays for the whole
    # diagonal (2**28 entries: ~3 GB and ~20 s) to keep the few in the region.
    proc = run_python(SMALL_REGION_CHILD, timeout=120)
    assert proc.returncode == 0, proc.stderr
    r = json.loads(proc.stdout)
    assert r["peak_growth"] < 16 * 2**20, f"peak RSS grew by {r['peak_growth'] / 2**20:.1f} MiB"
    eye = np.zeros((3, 6))
    eye[0, 2] = eye[1, 3] = eye[2, 4] = 1  # (5, 5), (6, 6), (7, 7)
    assert r["eye"] == eye.tolist()
    far = np.zeros((3, 3))
    far[0, 1] = far[1, 2] = (
        1  # (2**20 - 2, 2**20 - 2), (2**20 - 1, 2**20 - 1); the matrix has 2**20 columns
    )
    assert r["identity_far"] == far.tolist()
    assert (
        r["dirac"] == np.eye(3)[:, :, None].repeat(3, axis=2).__mul__(np.array([0, 1, 0])).tolist()
    )
    # Group 1 starts at row 2**24: rows 2**24 and 2**24 + 1 hold columns 0 and 1.
    assert r["dirac_groups"] == np.eye(2)[:, :, None, None].tolist()
    assert np.isfinite(r["normal"]).all() and np.shape(r["normal"]) == (3, 6)
    assert np.shape(r["kaiming"]) == (3, 6)


def test_eye_and_dirac_regions_match_the_whole_small_tensor() -> None:
    # The region arithmetic of the regression fix, against whole tensors.
    full = ti.eye((7, 5), 2.0)
    for r0 in range(0, 8, 3):
        for r1 in range(r0, 8, 2):
            for c0 in range(0, 6, 2):
                for c1 in range(c0, 6, 3):
                    region = (slice(r0, r1), slice(c0, c1))
                    assert (ti.eye((7, 5), 2.0, region=region) == full[region]).all()
    for shape, groups in (((6, 4, 3), 2), ((6, 2, 3, 2), 3), ((4, 6, 1, 1, 3), 1), ((8, 3, 2), 4)):
        whole = ti.dirac(shape, groups)
        for r0 in range(shape[0] + 1):
            for r1 in range(r0, shape[0] + 1, 2):
                for c0 in range(shape[1]):
                    region = (slice(r0, r1), slice(c0, shape[1]), slice(1, None))
                    assert (ti.dirac(shape, groups, region=region) == whole[region]).all()


# ---- out= of the wrong size: refused before any write --------------------------------------

SENTINEL = np.float32(-7.0)


def wrong_outs() -> list[tuple[str, np.ndarray]]:
    base = np.full(64, SENTINEL, np.float32)
    return [
        ("one element short", base[:11]),
        ("one element long", base[:13]),
        ("same size, other shape", base[:12].reshape(4, 3)),
        ("empty", base[:0]),
        ("twice the size, as 2-D", base[:24].reshape(3, 8)),
    ]


CALLS_WITH_OUT: dict[str, Callable[[np.ndarray], Any]] = {
    "uniform": lambda o: ti.uniform((3, 4), seed=0, out=o),
    "normal": lambda o: ti.normal((3, 4), seed=0, out=o),
    "truncated_normal": lambda o: ti.truncated_normal((3, 4), seed=0, out=o),
    "kaiming_normal": lambda o: ti.kaiming_normal((3, 4), seed=0, out=o),
    "xavier_uniform": lambda o: ti.xavier_uniform((3, 4), seed=0, out=o),
    "zeros": lambda o: ti.zeros((3, 4), out=o),
    "constant": lambda o: ti.constant((3, 4), 1.0, out=o),
    "eye": lambda o: ti.eye((3, 4), out=o),
    "sparse": lambda o: ti.sparse((3, 4), seed=0, out=o),
    "orthogonal": lambda o: ti.orthogonal((3, 4), seed=0, out=o),
    "delta_orthogonal": lambda o: ti.delta_orthogonal((3, 4, 1), seed=0, out=o),
    "region": lambda o: ti.normal((9, 9), seed=0, out=o, region=(slice(0, 3), slice(2, 6))),
    "Generator.random": lambda o: default_rng(0).random((3, 4), dtype=np.float32, out=o),
    "Generator.standard_normal": lambda o: default_rng(0).standard_normal((3, 4), np.float32, o),
    "Generator.truncated_normal": lambda o: default_rng(0).truncated_normal(
        size=(3, 4), dtype=np.float32, out=o
    ),
}


@pytest.mark.parametrize("name", sorted(CALLS_WITH_OUT))
def test_out_of_the_wrong_size_is_refused_before_any_write(name: str) -> None:
    for what, out in wrong_outs():
        with pytest.raises(ValueError):
            CALLS_WITH_OUT[name](out)
        assert (out.base == SENTINEL).all(), f"{name}: {what} out= was written"


CORE_CALLS: dict[str, Callable[[np.ndarray, tuple[int, ...]], None]] = {
    "uniform": lambda o, s: _core.uniform(o, 1, s, (0,) * len(s), s, 1, 2, 0, 0.0, 1.0),
    "normal": lambda o, s: _core.normal(o, 1, s, (0,) * len(s), s, 1, 2, 0, 0.0, 1.0),
    "truncated_normal": lambda o, s: _core.truncated_normal(
        o, 1, s, (0,) * len(s), s, 1, 2, 0, 0.0, 1.0, -2.0, 2.0
    ),
    "bits": lambda o, s: _core.bits(o.view(np.uint32), s, (0,) * len(s), s, 1, 2, 0),
    "sparse": lambda o, s: _core.sparse(o, 1, s, (0,) * len(s), s, 1, 2, 0, 1.0, 0, 1),
    "orthogonal": lambda o, s: _core.orthogonal(o, 1, s[0], s[1], 1, 2, 0, 1.0, 0),
    "integers": lambda o, s: _core.integers(
        o.view(np.int32), 2, s, (0,) * len(s), s, 1, 2, 0, 0, 9
    ),
    "integers_in_place": lambda o, s: _core.integers_in_place(
        o.view(np.int32), 2, s, (0,) * len(s), s, 1, 2, 0, False
    ),
}


@pytest.mark.parametrize("name", sorted(CORE_CALLS))
def test_the_compiled_core_checks_out_on_its_own(name: str) -> None:
    # Defence in depth: the bindings re-check what the Python layer checked.
    raw = np.full(512, 0xA5, np.uint8)

    def view(offset: int, n: int, stride: int = 4, dtype: Any = np.float32) -> np.ndarray:
        return np.ndarray((n,), dtype=dtype, buffer=raw, offset=offset, strides=(stride,))

    read_only = view(64, 12)
    read_only.flags.writeable = False
    bad = [
        view(64, 11),  # wrong element count
        view(64, 13),
        view(64, 12, stride=8),  # non-contiguous
        view(64, 12, stride=8, dtype=np.float64),  # wrong item size
        view(65, 12),  # misaligned
        read_only,
    ]
    for out in bad:
        with pytest.raises((ValueError, TypeError), match="^out: "):
            CORE_CALLS[name](out, (3, 4))
    assert (raw == 0xA5).all()
    # The same call with a good out= runs (so the refusals above were about out=).
    good = np.zeros((3, 4), np.float32)
    CORE_CALLS[name](good, (3, 4))


def test_the_compiled_core_refuses_inconsistent_regions() -> None:
    out = np.full(12, SENTINEL, np.float32)
    for shape, start, extent in [
        ((3, 4), (0, 0), (3,)),  # rank mismatch
        ((3, 4), (1, 0), (3, 4)),  # beyond the shape
        ((3, 4), (2**64 - 1, 0), (3, 4)),  # start + extent wraps around 2**64
        ((2**40, 2**40), (0, 0), (3, 4)),  # too many elements
    ]:
        with pytest.raises((ValueError, OverflowError)):
            _core.normal(out, 1, shape, start, extent, 1, 2, 0, 0.0, 1.0)
    assert (out == SENTINEL).all()


# ---- leaks ----------------------------------------------------------------------------

LEAK_CHILD = (
    RSS_HELPER
    + """
import numpy as np
import turboinit as ti
from turboinit import _core
from turboinit.random import default_rng

rng = default_rng(0)
buf = np.empty(8, np.float32)
wrong = np.empty(7, np.float32)

def round_(i):
    # five calls: values, out=, a Generator, an initializer and two refused calls
    ti.normal(16, seed=i, stream="w", dtype="float16")
    ti.uniform(8, seed=i % 7, out=buf)
    rng.integers(0, 1000, size=8); rng.uniform([0.0, 1.0], 2.0)
    ti.kaiming_uniform((4, 4), seed=i)
    try:
        ti.truncated_normal(4, std=-1.0, seed=0)  # C++ exception -> ValueError
    except ValueError:
        pass
    try:
        _core.normal(wrong, 1, (8,), (0,), (8,), 1, 2, 0, 0.0, 1.0)
    except ValueError:
        pass

for i in range(5_000):  # warm-up: caches (key memo of 4096 seeds), allocator pools
    round_(i)
before = rss()
calls = 0
for i in range(5_000, 5_000 + ROUNDS):
    round_(i)
    calls += 7
after = rss()
print(json.dumps({"before": before, "after": after, "calls": calls}))
"""
)


@linux_only
def test_no_leak_over_100k_calls() -> None:
    rounds = 14_300  # 7 calls each: 100,100 calls
    env = None
    if "libasan" in os.environ.get("LD_PRELOAD", ""):
        # Under AddressSanitizer freed blocks wait in a quarantine (256 MB by
        # default) that looks like growth: measure without it.
        env = {"ASAN_OPTIONS": os.environ.get("ASAN_OPTIONS", "") + ":quarantine_size_mb=0"}
    proc = run_python(LEAK_CHILD.replace("ROUNDS", str(rounds)), env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr
    r = json.loads(proc.stdout)
    assert r["calls"] >= 100_000
    growth = r["after"] - r["before"]
    # Without a leak this grows by ~16 KiB; one small Python object (a
    # 24-byte bytes, ~60 bytes with its list slot) leaked per round of seven
    # calls shows as ~1.1 MiB.
    assert growth < 2**20, (
        f"resident memory grew by {growth / 2**20:.2f} MiB over {r['calls']} calls"
    )


def test_dirac_and_eye_validate_first_and_allocate_only_the_result():
    # A (2**26, 1, 1) float16 dirac is 128 MiB; its index arrays used to take
    # three int64 arrays of the region's rows (1.5 GiB), and an empty region of
    # a (2**33, 1, 1) shape 64 GiB.  The address space is capped at 512 MiB
    # above the start, so only the result (plus small pieces) fits.
    script = textwrap.dedent(
        """
        import resource
        import numpy as np
        import turboinit as ti
        for line in open("/proc/self/status"):
            if line.startswith("VmSize"):
                vm = int(line.split()[1]) * 1024
        resource.setrlimit(resource.RLIMIT_AS, (vm + 512 * 2**20, resource.RLIM_INFINITY))
        empty = ti.dirac((2**33, 1, 1), region=(slice(None), slice(0, 1), slice(0, 0)))
        assert empty.shape == (2**33, 1, 0)
        w = ti.dirac((2**26, 1, 1), 2**25, dtype="float16")
        assert (w[::2] == 1).all() and (w[1::2] == 0).all()
        del w
        # refusals come before the output exists: these would need 32 GiB
        for call, match in [
            (lambda: ti.dirac((2**33, 1)), "shape: only 3-"),
            (lambda: ti.dirac((2**33, 1, 1), 3), "groups: dim 0"),
            (lambda: ti.dirac((2**33, 1, 1), gain=1e300), "gain: "),
            (lambda: ti.eye((2**33, 1, 1)), "shape: only 2-"),
            (lambda: ti.eye((2**33, 1), gain=float("nan")), "gain: "),
            (lambda: ti.constant(2**33, 1e300), "value: "),
        ]:
            try:
                call()
            except (ValueError, OverflowError) as exc:
                assert str(exc).startswith(match), exc
            else:
                raise AssertionError(match)
        print("ok")
        """
    )
    if not os.path.exists("/proc/self/status"):
        pytest.skip("needs Linux /proc")
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr
