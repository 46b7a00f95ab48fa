"""Concurrency and interrupts: Python threads sharing one Generator and
calling every function at once, the GIL released during generation, fork and
spawn after threads ran, and Ctrl-C during long calls of every kind.

A shared Generator must hand each call its own counter blocks.  The proof is
a replay: every output is found again, bit for bit, by a fresh Generator
whose counter is set to one group-aligned offset, and the block ranges of all
calls tile ``[0, final counter)`` exactly (no overlap, no gap).
"""

from __future__ import annotations

import json
import math
import multiprocessing
import os
import queue
import select
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable

import numpy as np
import pytest
from _helpers import same_bits

import turboinit as ti
from turboinit.random import Generator, default_rng

# ---- one Generator shared by many threads --------------------------------------------------

# kind -> (method, args, kwargs, elements per Philox block); sizes are drawn per call.
KINDS: dict[str, tuple[str, tuple[Any, ...], dict[str, Any], int]] = {
    "random64": ("random", (), {}, 2),
    "random32": ("random", (), {"dtype": np.float32}, 4),
    "std_normal64": ("standard_normal", (), {}, 2),
    "std_normal32": ("standard_normal", (), {"dtype": np.float32}, 4),
    "uniform16": ("uniform", (-1.0, 3.0), {"dtype": np.float16}, 4),
    "normal64": ("normal", (1.0, 2.0), {}, 2),
    "truncated64": ("truncated_normal", (0.0, 1.0, 0.5, 3.0), {}, 1),
    "truncated32": ("truncated_normal", (0.0, 1.0, -1.0, 1.0), {"dtype": np.float32}, 2),
    "integers32": ("integers", (0, 2**32), {"dtype": np.uint32}, 4),
    "integers64": ("integers", (-(2**63), 2**63), {"dtype": np.int64}, 2),
    "uniform_array": ("uniform", ([0.0, 1.0], [1.0, 5.0]), {}, 2),
}
GROUP = 16  # blocks per group: every call reserves whole groups
FINGERPRINT = 8  # leading elements that identify an output's offset


def call_kind(rng: Generator, kind: str, n: int) -> np.ndarray:
    method, args, kwargs, _ = KINDS[kind]
    size: Any = (n // 2, 2) if kind == "uniform_array" else n
    return np.asarray(getattr(rng, method)(*args, size=size, **kwargs))


def blocks(kind: str, n: int) -> int:
    """Blocks a call of n elements reserves: ceil(n / per block), in whole groups."""
    per = KINDS[kind][3]
    used = -(-n // per)
    return -(-used // GROUP) * GROUP


def at_counter(seed: int, counter: int) -> Generator:
    rng = default_rng(seed)
    state = rng.state
    state["counter"] = counter
    rng.state = state
    return rng


def test_shared_generator_hands_out_disjoint_counter_ranges() -> None:
    seed, workers, calls = 31, 8, 30
    rng = default_rng(seed)
    plan = np.random.default_rng(0)
    jobs = [
        [
            (str(plan.choice(sorted(KINDS))), 2 * int(plan.integers(FINGERPRINT // 2, 150)))
            for _ in range(calls)
        ]
        for _ in range(workers)
    ]
    outputs: list[list[tuple[str, int, np.ndarray]]] = [[] for _ in range(workers)]
    start = threading.Barrier(workers)

    def work(w: int) -> None:
        start.wait()
        for kind, n in jobs[w]:
            outputs[w].append((kind, n, call_kind(rng, kind, n)))

    threads = [threading.Thread(target=work, args=(w,)) for w in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
        assert not t.is_alive(), "a thread hung"
    done = [o for out in outputs for o in out]
    assert len(done) == workers * calls
    final = rng.state["counter"]
    assert final == sum(blocks(kind, n) for kind, n, _ in done)

    # Fingerprints of every kind at every group-aligned offset of the run.
    offsets: dict[str, dict[bytes, int]] = {}
    for kind in {k for k, _, _ in done}:
        table = {}
        for g in range(0, final, GROUP):
            head = call_kind(at_counter(seed, g), kind, FINGERPRINT).tobytes()
            assert head not in table, f"{kind}: fingerprint repeats at {g}"
            table[head] = g
        offsets[kind] = table
    spans = []
    for kind, n, x in done:
        start_block = offsets[kind][x.reshape(-1)[:FINGERPRINT].tobytes()]
        replay = call_kind(at_counter(seed, start_block), kind, n)
        assert same_bits(replay, x), f"{kind} of {n} differs from its replay at {start_block}"
        spans.append((start_block, start_block + blocks(kind, n)))
    spans.sort()
    assert spans[0][0] == 0 and spans[-1][1] == final
    for (_, end), (begin, _) in zip(spans, spans[1:]):
        assert end == begin, "counter ranges overlap or leave a gap"


# ---- every function from many threads at once ------------------------------------------------

CALLS: list[tuple[str, Callable[[], np.ndarray]]] = [
    ("normal", lambda: ti.normal((300, 257), seed=1, stream="a", dtype="float16")),
    ("uniform", lambda: ti.uniform(70_001, -2.0, 3.0, seed=2, region=slice(5, 60_000))),
    (
        "truncated",
        lambda: ti.truncated_normal((128, 999), 0.0, 2.0, 1.0, 4.0, seed=3, dtype="float64"),
    ),
    ("kaiming", lambda: ti.kaiming_normal((256, 300), seed=4, stream="w", dtype="bfloat16")),
    ("xavier", lambda: ti.xavier_uniform((64, 64, 3, 3), seed=5)),
    ("variance", lambda: ti.variance_scaling((500, 200), 2.0, "fan_avg", seed=6, layout="keras")),
    ("lecun", lambda: ti.lecun_normal((300, 300), truncated=True, seed=7)),
    ("sparse", lambda: ti.sparse((400, 300), 0.3, seed=8)),
    ("sparse_rows", lambda: ti.sparse((300, 400), nonzero_per_unit=15, seed=8)),
    ("eye", lambda: ti.eye((500, 300), 2.0)),
    ("orthogonal", lambda: ti.orthogonal((300, 200), seed=12, stream="q")),
    ("orthogonal_svd", lambda: ti.orthogonal((64, 96), seed=12, method="svd")),
    ("delta_orthogonal", lambda: ti.delta_orthogonal((64, 32, 3, 3), seed=13)),
    ("dirac", lambda: ti.dirac((64, 32, 3, 3), 2)),
    ("rng_integers", lambda: default_rng(9).integers(-5, 10**12, size=100_000)),
    (
        "rng_normal",
        lambda: default_rng(10).normal([0.0, 5.0], 2.0, size=(40_000, 2), dtype=np.float16),
    ),
    ("rng_truncated", lambda: default_rng(11).truncated_normal(1.0, [1.0, 2.0], size=(30_000, 2))),
]


def test_all_functions_from_many_threads_give_the_sequential_results(restore_threads: None) -> None:
    expected = {name: call() for name, call in CALLS}
    stop = threading.Event()

    def toggle_threads() -> None:
        # The thread count changes under the running calls: results must not.
        n = 0
        while not stop.is_set():
            ti.set_num_threads([1, 2, None, 3][n % 4])
            n += 1
            time.sleep(0.001)

    toggler = threading.Thread(target=toggle_threads)
    toggler.start()
    try:
        jobs = CALLS * 3
        with ThreadPoolExecutor(max_workers=12) as pool:
            results = list(pool.map(lambda job: (job[0], job[1]()), jobs))
    finally:
        stop.set()
        toggler.join()
    assert len(results) == len(jobs)
    for name, x in results:
        assert same_bits(x, expected[name]), name


# ---- the GIL is released -----------------------------------------------------------------------

GIL_CALLS: dict[str, Callable[[], Any]] = {
    "Generator.standard_normal": lambda: default_rng(0).standard_normal(24 * 2**20),
    "Generator.integers": lambda: default_rng(0).integers(0, 2**40, size=24 * 2**20),
    "kaiming_normal": lambda: ti.kaiming_normal((6 * 2**10, 2**12), seed=0),
    "truncated_normal": lambda: ti.truncated_normal(24 * 2**20, lower=0.5, upper=0.6, seed=0),
    "sparse": lambda: ti.sparse((4096, 4096), 0.5, seed=0),
    "orthogonal": lambda: ti.orthogonal((1536, 1536), seed=0),
}


@pytest.mark.parametrize("name", sorted(GIL_CALLS))
def test_gil_is_released(name: str) -> None:
    # As in test_runtime: with a 100 s switch interval this thread only gets
    # to count while the worker sits in a call that released the GIL.
    counter = 0
    in_call = threading.Event()
    done = threading.Event()
    result: dict[str, Any] = {}

    def work() -> None:
        in_call.set()
        GIL_CALLS[name]()
        result["progress"] = counter
        done.set()

    old = sys.getswitchinterval()
    sys.setswitchinterval(100.0)
    try:
        worker = threading.Thread(target=work)
        worker.start()
        in_call.wait()
        while not done.is_set():
            counter += 1
            time.sleep(0)
        worker.join()
    finally:
        sys.setswitchinterval(old)
    assert result["progress"] >= 50, f"only {result['progress']} steps while {name} ran"


# ---- fork and spawn after threads ran ------------------------------------------------------------


def child_work(seed: int) -> list[bytes]:
    rng = default_rng(seed)
    return [
        ti.normal(300_000, seed=seed, dtype="float16").tobytes(),
        ti.kaiming_uniform((512, 512), seed=seed).tobytes(),
        rng.integers(0, 1000, size=200_000).tobytes(),
        rng.standard_normal(200_000).tobytes(),
        ti.sparse((300, 300), 0.5, seed=seed).tobytes(),
    ]


def warm_up_threads() -> None:
    """Run OpenMP teams and several Python threads inside the extension."""
    ti.set_num_threads(2)
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda s: ti.normal(500_000, seed=s), range(8)))
    ti.normal(2_000_000, seed=0)


@pytest.mark.parametrize("method", ["fork", "spawn", "forkserver"])
@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_processes_after_threads_ran(method: str, restore_threads: None) -> None:
    if method not in multiprocessing.get_all_start_methods():
        pytest.skip(f"no {method} start method")
    warm_up_threads()
    expected = [child_work(s) for s in (3, 4)]
    ctx = multiprocessing.get_context(method)
    with ctx.Pool(2) as pool:
        # A hang in a child (e.g. a dead OpenMP pool after fork) fails here.
        got = pool.map_async(child_work, [3, 4, 3]).get(timeout=120)
    assert got == [expected[0], expected[1], expected[0]]
    assert [child_work(s) for s in (3, 4)] == expected  # the parent is fine too


@pytest.mark.skipif(not hasattr(os, "fork"), reason="os.fork")
@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_fork_while_another_thread_is_generating(restore_threads: None) -> None:
    # The parent forks while one of its threads sits in a long OpenMP call:
    # the child gets no worker threads, only the atfork fallback to std::thread.
    warm_up_threads()
    expected = ti.normal(1_000_000, seed=12).tobytes()
    busy = threading.Event()

    def generate() -> None:
        busy.set()
        for _ in range(20):
            ti.normal(4_000_000, seed=1)

    t = threading.Thread(target=generate)
    t.start()
    busy.wait()
    time.sleep(0.05)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: report, then leave without running pytest's cleanup
        try:
            ok = ti.normal(1_000_000, seed=12).tobytes() == expected
            os.write(write, b"1" if ok else b"0")
        finally:
            os._exit(0)
    os.close(write)
    try:
        ready, _, _ = select.select([read], [], [], 120)
        answer = os.read(read, 1) if ready else b""
    finally:
        os.close(read)
        if not answer:
            os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        t.join()
    assert answer == b"1", "the forked child hung or generated different bits"


# ---- Ctrl-C during long calls of every kind ---------------------------------------------

INTERRUPT_CHILD = r"""
import json, sys, time
import numpy as np
import turboinit as ti
from turboinit import _core
from turboinit.random import default_rng

_core.set_kernel("baseline")  # slow and steady: each call below takes many seconds
ti.set_num_threads(1)
N = 1_500_000_000
buf16 = np.empty(N, np.float16)  # pages are touched only as they are written
buf32 = np.empty(N // 2, np.float32)
rng = default_rng(0)
reference = (ti.normal(1000, seed=5).tobytes(), default_rng(9).random(10).tobytes())

last = [None]

def mark(b):
    b.reshape(-1)[-1] = np.nan  # the last element is written last
    last[0] = b
    return b

M = (N // 1000, 1000)
h16 = dict(seed=0, dtype="float16")
COV = np.eye(2000) + np.tri(2000) * 1e-3  # its lower triangle: a symmetric definite matrix
calls = {
    "normal": lambda: ti.normal(N, out=mark(buf16), **h16),
    "uniform/2 threads": lambda: (ti.set_num_threads(2), ti.uniform(N, out=mark(buf16), **h16)),
    "truncated_normal": lambda: ti.truncated_normal(N, lower=3.0, upper=9, out=mark(buf16), **h16),
    "kaiming_normal": lambda: ti.kaiming_normal(M, out=mark(buf16.reshape(M)), **h16),
    "xavier_uniform": lambda: ti.xavier_uniform(M, out=mark(buf16.reshape(M)), **h16),
    "variance_scaling": lambda: ti.variance_scaling(M, out=mark(buf16.reshape(M)), **h16),
    "sparse": lambda: ti.sparse(
        (30_000, 30_000), 0.5, out=mark(buf16[: 9 * 10**8].reshape(30_000, 30_000)), **h16
    ),
    # (4000 x 4000: the Gaussian matrix is made in ~0.1 s, SIGINT lands in the
    # QR; a square float32 output is the QR's workspace, so no mark)
    "orthogonal": lambda: ti.orthogonal(
        (4000, 4000), seed=0, out=buf32[: 16 * 10**6].reshape(4000, 4000)
    ),
    "Generator.random": lambda: rng.random(dtype=np.float32, out=mark(buf32)),
    "Generator.standard_normal": lambda: rng.standard_normal(dtype=np.float32, out=mark(buf32)),
    "Generator.truncated_normal": lambda: rng.truncated_normal(
        size=N // 2, dtype=np.float32, out=mark(buf32)
    ),
    "Generator.normal arrays": lambda: rng.normal(
        [0.0, 1.0], 1.0, size=(N // 2, 2), dtype=np.float16
    ),
    "Generator.integers": lambda: rng.integers(0, 100, size=N, dtype=np.int8),
    "Generator.choice p": lambda: rng.choice(1000, size=N // 2, p=np.full(1000, 1e-3)),
    # (array bounds: NumPy first copies the spans into the output, a pass no
    # signal can stop; a smaller output keeps that pass short)
    "Generator.integers arrays": lambda: rng.integers(0, [10, 2**40], size=(N // 60, 2)),
    # (the covariance's factor, O(k^3) sequential operations: many seconds at k = 2000)
    "Generator.multivariate_normal factor": lambda: rng.multivariate_normal(
        np.zeros(2000), COV, method="eigh"
    ),
}
for name, call in calls.items():
    ti.set_num_threads(1)
    last[0] = None
    print("ready " + name, flush=True)
    report = {"name": name}
    try:
        call()
        report["interrupted"] = False
    except KeyboardInterrupt:
        report["caught_at"] = time.monotonic()
        report["interrupted"] = True
    if last[0] is not None:
        report["last_untouched"] = bool(np.isnan(last[0].reshape(-1)[-1]))
    report["next_call_works"] = (
        ti.normal(1000, seed=5).tobytes(), default_rng(9).random(10).tobytes()
    ) == reference and bool(np.isfinite(rng.random(10)).all())
    print(json.dumps(report), flush=True)
print("done", flush=True)
"""


class LineReader:
    """The child's stdout lines through a reader thread, each with a timeout
    (select() on a buffered pipe misses lines already in the buffer)."""

    def __init__(self, stream: Any) -> None:
        self.lines: queue.Queue[str] = queue.Queue()
        self.thread = threading.Thread(target=self._pump, args=(stream,), daemon=True)
        self.thread.start()

    def _pump(self, stream: Any) -> None:
        for line in stream:
            self.lines.put(line.strip())
        self.lines.put("")  # end of output

    def read(self, timeout: float) -> str:
        try:
            return self.lines.get(timeout=timeout)
        except queue.Empty:
            raise TimeoutError(f"no output from the child in {timeout} s") from None


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_ctrl_c_stops_every_kind_of_long_call_and_the_next_call_works() -> None:
    reports = []
    with subprocess.Popen(
        [sys.executable, "-c", INTERRUPT_CHILD],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as proc:
        lines = LineReader(proc.stdout)
        try:
            while True:
                line = lines.read(120)
                if line == "done":
                    break
                assert line.startswith("ready "), line
                time.sleep(0.3)
                sent_at = time.monotonic()
                proc.send_signal(signal.SIGINT)
                report = json.loads(lines.read(60))
                report["latency"] = report.get("caught_at", math.inf) - sent_at
                reports.append(report)
            proc.wait(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
            errors = proc.stderr.read() if proc.stderr else ""
    assert proc.returncode == 0, errors
    assert len(reports) == 16
    for r in reports:
        assert r["interrupted"], f"{r['name']}: ran to completion, SIGINT not handled inside it"
        # Array bounds of integers: NumPy first copies the spans over the whole
        # output (400 MB here), a pass no signal stops; allow for it.
        limit = 5.0 if r["name"] == "Generator.integers arrays" else 2.0
        assert 0 <= r["latency"] < limit, (
            f"{r['name']}: KeyboardInterrupt {r['latency']:.2f} s after SIGINT"
        )
        assert r.get("last_untouched", True), f"{r['name']}: finished its work before stopping"
        assert r["next_call_works"], f"{r['name']}: the next calls failed or changed"
