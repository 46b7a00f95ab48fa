"""Run-time behaviour: configuration, threads, the GIL, Ctrl-C, memory, fork.

Nothing here asserts a speed.  The one time bound (a KeyboardInterrupt within
2 s of SIGINT) is a functional requirement: Ctrl-C must stop a long call.
"""

from __future__ import annotations

import hashlib
import io
import json
import multiprocessing
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pytest
from _helpers import KERNELS, run_python, same_bits

import turboinit as ti
from turboinit import _core

BIG = 300_001  # several parallel chunks


def digest(a: np.ndarray) -> str:
    return hashlib.sha256(a.tobytes()).hexdigest()


# ---- configuration -----------------------------------------------------------------


def test_build_info() -> None:
    info = ti.build_info()
    assert info["version"] == ti.__version__
    assert info["kernel"] in info["kernels_supported"] == KERNELS
    assert info["simd_bits"] in (128, 256, 512)
    assert info["num_threads"] == ti.get_num_threads() >= 1
    assert "OpenMP" in info["openmp"]
    assert info["kernel_warning"] == ""
    info["kernel"] = "changed"  # a copy: the caller cannot corrupt it
    assert ti.build_info()["kernel"] != "changed"


def test_show_config_prints_version_kernel_threads_and_openmp(
    capsys: pytest.CaptureFixture[str], restore_threads: None
) -> None:
    ti.set_num_threads(3)
    ti.show_config()
    text = capsys.readouterr().out
    info = ti.build_info()
    assert f"turboinit {ti.__version__}" in text
    assert f"kernel:            {info['kernel']}" in text
    assert "threads:           3" in text
    assert info["openmp"] in text
    buffer = io.StringIO()
    ti.show_config(file=buffer)
    assert buffer.getvalue() == text


def test_config_command_line() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "turboinit", "config"], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert f"turboinit {ti.__version__}" in proc.stdout
    assert "OpenMP" in proc.stdout


@pytest.mark.parametrize("name", ["baseline", "avx2", "avx512", "avx512bf16"])
def test_kernel_environment_variable(name: str) -> None:
    proc = run_python(
        "import json, turboinit as ti; print(json.dumps(ti.build_info()))",
        env={"TURBOINIT_KERNEL": name},
    )
    assert proc.returncode == 0, proc.stderr
    info = json.loads(proc.stdout)
    if name in KERNELS:
        assert info["kernel"] == name and info["kernel_warning"] == ""
    else:  # not supported by this CPU/build: the default, with a warning
        assert info["kernel"] == KERNELS[0]
        assert name in info["kernel_warning"]


def test_unknown_kernel_name_falls_back_with_a_warning() -> None:
    proc = run_python(
        "import json, turboinit as ti; print(json.dumps(ti.build_info())); ti.show_config()",
        env={"TURBOINIT_KERNEL": "sse9"},
    )
    assert proc.returncode == 0, proc.stderr
    info = json.loads(proc.stdout.splitlines()[0])
    assert info["kernel"] == KERNELS[0]
    assert "sse9" in info["kernel_warning"]
    assert "warning:" in proc.stdout


def test_set_kernel_rejects_unknown_names() -> None:
    before = ti.build_info()["kernel"]
    with pytest.raises(ValueError, match="kernel"):
        _core.set_kernel("sse9")
    assert ti.build_info()["kernel"] == before


# ---- threads -----------------------------------------------------------------------


def test_set_and_get_num_threads(restore_threads: None) -> None:
    default = ti.get_num_threads()
    assert default >= 1
    for n in (1, 2, 3, 7):
        ti.set_num_threads(n)
        assert ti.get_num_threads() == n
        assert ti.build_info()["num_threads"] == n
    ti.set_num_threads(None)
    assert ti.get_num_threads() == default


@pytest.mark.parametrize(
    ("n", "error"),
    [(0, ValueError), (-1, ValueError), (1.5, TypeError), ("2", TypeError), (True, TypeError),
     (2.0, TypeError), (np.bool_(True), TypeError), (np.float64(2), TypeError),
     (10**6, ValueError), (2**64, ValueError), (np.int64(0), ValueError)],
)  # fmt: skip
def test_set_num_threads_rejects_bad_values(
    n: Any, error: type[Exception], restore_threads: None
) -> None:
    ti.set_num_threads(2)
    with pytest.raises(error, match="n"):
        ti.set_num_threads(n)
    assert ti.get_num_threads() == 2


def test_set_num_threads_accepts_numpy_integers(restore_threads: None) -> None:
    for n in (np.int64(2), np.uint8(3), np.int32(1)):
        ti.set_num_threads(n)
        assert ti.get_num_threads() == int(n)


def test_set_num_threads_maximum(restore_threads: None) -> None:
    limit = ti.max_num_threads()
    assert limit == max(64, 4 * len(os.sched_getaffinity(0)))
    with pytest.raises(ValueError, match=f"n: at most {limit} threads"):
        ti.set_num_threads(limit + 1)


def test_threads_that_cannot_start_raise_instead_of_ending_the_process() -> None:
    # An address-space limit just above what the process uses: 63 more thread
    # stacks cannot be mapped.  GNU OpenMP would exit the process at the next
    # call ("Thread creation failed"); set_num_threads refuses first.
    script = textwrap.dedent(
        """
        import resource
        import turboinit as ti
        ti.normal(10**6, seed=0)
        for line in open("/proc/self/status"):
            if line.startswith("VmSize"):
                vm = int(line.split()[1]) * 1024
        resource.setrlimit(resource.RLIMIT_AS, (vm + 64 * 2**20, resource.RLIM_INFINITY))
        before = ti.get_num_threads()
        try:
            ti.set_num_threads(64)
        except RuntimeError as exc:
            print("refused:", exc)
        assert ti.get_num_threads() == before
        ti.normal(10**6, seed=0)
        print("alive")
        """
    )
    if not os.path.exists("/proc/self/status"):
        pytest.skip("needs Linux /proc")
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    assert "refused: n: this system cannot start 64 threads" in proc.stdout
    assert proc.stdout.rstrip().endswith("alive")


def test_threadpoolctl_limit_is_honoured(restore_threads: None) -> None:
    threadpoolctl = pytest.importorskip("threadpoolctl")
    expected = ti.normal(BIG, seed=3)
    ti.set_num_threads(3)
    with threadpoolctl.threadpool_limits(limits=1, user_api="openmp"):
        assert ti.get_num_threads() == 1
        assert same_bits(ti.normal(BIG, seed=3), expected)
    assert ti.get_num_threads() == 3
    ti.set_num_threads(None)
    with threadpoolctl.threadpool_limits(limits=1):
        assert ti.get_num_threads() == 1


@pytest.mark.parametrize("n", [1, 3])
def test_omp_num_threads_sets_the_default(n: int) -> None:
    proc = run_python(
        "import turboinit as ti; print(ti.get_num_threads())", env={"OMP_NUM_THREADS": str(n)}
    )
    assert proc.returncode == 0, proc.stderr
    assert int(proc.stdout) == n


# ---- the GIL and Python threads -------------------------------------------------------


def test_gil_is_released_while_generating() -> None:
    # With a 100 s switch interval the interpreter never preempts a thread, so
    # this thread can only count while the worker sits in a call that released
    # the GIL.  time.sleep(0) hands the GIL back so the worker can return.
    n = 64 * 2**20
    counter = 0
    in_call = threading.Event()
    result: dict[str, Any] = {}

    def work() -> None:
        in_call.set()
        x = ti.normal(n, seed=0)
        result["progress"] = counter
        result["shape"] = x.shape

    old = sys.getswitchinterval()
    sys.setswitchinterval(100.0)
    try:
        worker = threading.Thread(target=work)
        worker.start()
        in_call.wait()
        while "progress" not in result:
            counter += 1
            time.sleep(0)
        worker.join()
    finally:
        sys.setswitchinterval(old)
    assert result["shape"] == (n,)
    assert result["progress"] >= 100, f"only {result['progress']} steps while the call ran"


def test_concurrent_python_threads_give_the_sequential_results() -> None:
    jobs = [
        (kind, seed, dtype)
        for kind in ("uniform", "normal", "truncated_normal")
        for seed in (1, 2)
        for dtype in ("float32", "float64", "float16")
    ]
    jobs = jobs + jobs[:6]  # some identical calls run at the same time, too

    def run(job: tuple[str, int, str]) -> np.ndarray:
        kind, seed, dtype = job
        return getattr(ti, kind)((BIG,), seed=seed, stream=kind, dtype=dtype)

    sequential = [run(job) for job in jobs]
    for _ in range(2):
        with ThreadPoolExecutor(max_workers=8) as pool:
            concurrent = list(pool.map(run, jobs))
        for job, a, b in zip(jobs, concurrent, sequential):
            assert same_bits(a, b), job


# ---- Ctrl-C ----------------------------------------------------------------------------

INTERRUPT_CHILD = """
import json, sys, time
import numpy as np
import turboinit as ti

ti.set_num_threads({threads})
n = 1_500_000_000                    # 3 GB of float16, seconds of work on {threads} thread(s);
buf = np.empty(n, dtype=np.float16)  # pages are only touched as they are written
buf[-1] = np.nan                     # the last element is written last
report = {{}}
print("ready", flush=True)
try:
    ti.normal(n, seed=0, dtype="float16", out=buf)
    report["interrupted"] = False
except KeyboardInterrupt:
    report["caught_at"] = time.monotonic()
    report["interrupted"] = True
report["last_untouched"] = bool(np.isnan(buf[-1]))
del buf
import hashlib
report["after"] = [hashlib.sha256(ti.normal({big}, seed=s).tobytes()).hexdigest() for s in (5, 6)]
print(json.dumps(report), flush=True)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("threads", [1, 2])
def test_ctrl_c_stops_a_long_call_and_the_next_call_works(threads: int) -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", INTERRUPT_CHILD.format(threads=threads, big=BIG)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
        time.sleep(0.3)
        sent_at = time.monotonic()
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=120)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == 0, err
    report = json.loads(out.strip().splitlines()[-1])
    assert report["interrupted"], "the call ran to completion: SIGINT was not handled inside it"
    assert report["last_untouched"], "the call finished its work before stopping"
    latency = report["caught_at"] - sent_at
    assert 0 <= latency < 2.0, f"KeyboardInterrupt {latency:.2f} s after SIGINT"
    assert report["after"] == [digest(ti.normal(BIG, seed=s)) for s in (5, 6)]


# ---- memory ----------------------------------------------------------------------------

PEAK_MEMORY_CHILD = """
import json, resource, sys
import numpy as np
import turboinit as ti

def peak():
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    scale = 1 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale

ti.normal(1000, seed=0)  # load everything first
before = peak()
x = ti.normal(2**28, seed=0)  # 1 GiB of float32
after = peak()
print(json.dumps({"before": before, "after": after, "nbytes": x.nbytes}))
"""


@pytest.mark.skipif(sys.platform == "win32", reason="peak RSS via /proc or getrusage")
def test_peak_memory_is_the_output_only() -> None:
    proc = run_python(PEAK_MEMORY_CHILD)
    assert proc.returncode == 0, proc.stderr
    r = json.loads(proc.stdout)
    growth = r["after"] - r["before"]
    assert r["nbytes"] == 2**30
    assert growth >= 0.9 * 2**30, "the measurement missed the output itself"
    assert growth < 2**30 + 64 * 2**20, (
        f"peak grew by {growth / 2**20:.0f} MiB for a 1024 MiB result"
    )


# ---- fork ------------------------------------------------------------------------------


def _generate_in_child(seed: int) -> tuple[int, bytes]:
    return ti.get_num_threads(), ti.normal(BIG, seed=seed).tobytes()


@pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(), reason="no fork start method"
)
@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_fork_after_a_multithreaded_call(restore_threads: None) -> None:
    # GNU OpenMP's pool does not survive fork(); the child must neither hang
    # nor change the bits.
    ti.set_num_threads(2)
    expected = ti.normal(BIG, seed=8)  # the parent's thread pool is now running
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(1) as pool:
        threads, data = pool.apply_async(_generate_in_child, (8,)).get(timeout=120)
        # A second call in the same child, too.
        threads2, data2 = pool.apply_async(_generate_in_child, (8,)).get(timeout=120)
    assert threads == threads2 == 2
    assert data == data2 == expected.tobytes()
    # And the parent still works.
    assert same_bits(ti.normal(BIG, seed=8), expected)


def test_num_threads_setting_is_process_wide(restore_threads: None) -> None:
    ti.set_num_threads(2)
    seen: list[int] = []
    t = threading.Thread(target=lambda: seen.append(ti.get_num_threads()))
    t.start()
    t.join()
    assert seen == [2]
