"""The process around the calls: interpreter exit while a daemon thread is inside
a call, and a floating-point mode (FTZ/DAZ) set by another library."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap

import pytest
from _exit_probe import exit_script, run_exit_probe

EXIT_SCRIPT = exit_script(
    """
    import turboinit as ti
    rng = ti.random.default_rng(0)
    calls = {
        "normal": lambda: ti.normal(2**14, seed=0),
        "big_normal": lambda: ti.normal(2**22, seed=0),
        "orthogonal": lambda: ti.orthogonal((64, 64), seed=0),
        "svd": lambda: ti.orthogonal((48, 48), seed=0, method="svd"),
        "generator": lambda: rng.standard_normal(2**14),
        "integers": lambda: rng.integers(0, 10, 2**14),
        "sparse": lambda: ti.sparse((256, 64), 0.5, seed=0),
        "truncated": lambda: ti.truncated_normal(2**14, seed=0),
    }
    call = calls[sys.argv[1]]
    """,
    "call()",
)


@pytest.mark.parametrize(
    "name",
    ["normal", "big_normal", "orthogonal", "svd", "generator", "integers", "sparse", "truncated"],
)
def test_interpreter_exit_while_daemon_threads_are_inside_calls(name):
    # Was: "terminate called without an active exception", SIGABRT (rc 134),
    # every time: the GIL was taken back in a destructor, where CPython's
    # pthread_exit of a daemon thread during finalisation cannot unwind.
    for _ in range(3):
        done = run_exit_probe(EXIT_SCRIPT, name)
        assert done.returncode == 0, (done.returncode, done.stderr[-2000:])
        assert "terminate" not in done.stderr


FTZ_SOURCE = r"""
#include <xmmintrin.h>
void set_ftz_daz(void) { _mm_setcsr(_mm_getcsr() | 0x8040u); }
unsigned get_mxcsr(void) { return _mm_getcsr(); }
"""

FTZ_SCRIPT = textwrap.dedent(
    """
    import ctypes, sys
    import numpy as np
    import turboinit as ti

    def sample():
        # float32 results of subnormal scale (std 1e-40), and float64 at 1e-310
        return [
            ti.normal(2**16, std=1e-40, seed=1, dtype="float32"),
            ti.uniform(2**16, 0, 1e-39, seed=1, dtype="float32"),
            ti.normal(2**16, std=1e-310, seed=1, dtype="float64"),
            ti.truncated_normal(2**16, std=1e-40, seed=1, dtype="float32"),
            ti.random.default_rng(1).standard_normal(2**16, dtype=np.float32) * np.float32(1),
        ]

    ti.set_num_threads(2)
    reference = sample()
    assert all((r != 0).any() for r in reference[:4])
    lib = ctypes.CDLL(sys.argv[1])
    lib.get_mxcsr.restype = ctypes.c_uint
    lib.set_ftz_daz()  # what loading a library built with -Ofast does to this thread
    before = lib.get_mxcsr()
    assert before & 0x8040 == 0x8040
    for threads in (1, 2, 3):
        ti.set_num_threads(threads)
        for got, want in zip(sample(), reference):
            assert got.tobytes() == want.tobytes(), threads
    assert lib.get_mxcsr() == before  # the caller's mode is given back
    print("ok")
    """
)


@pytest.mark.skipif(
    not (sys.platform.startswith("linux") and __import__("platform").machine() == "x86_64"),
    reason="MXCSR is x86-64",
)
def test_flush_to_zero_set_by_another_library_changes_no_bits(tmp_path):
    cc = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    if cc is None:
        pytest.skip("no C compiler to build the FTZ/DAZ helper")
    src = tmp_path / "ftz.c"
    src.write_text(FTZ_SOURCE)
    lib = tmp_path / "libftz.so"
    subprocess.run([cc, "-shared", "-fPIC", "-O1", str(src), "-o", str(lib)], check=True)
    done = subprocess.run(
        [sys.executable, "-c", FTZ_SCRIPT, str(lib)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-3000:]
