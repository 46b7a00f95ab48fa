"""Peak memory of one call, measured in a fresh Python process.

``tracemalloc`` does not see C++ or PyTorch allocations, so the child reads the
kernel's own counters: it builds the call (and its ``out=`` buffer), runs the
method once on a tiny target so lazy start-up (thread pools, JIT) is not
counted, resets the peak (``echo 5 > /proc/self/clear_refs``), notes ``VmRSS``,
runs the call once and reads ``VmHWM``.  The difference is the memory the call
needed at its peak: the output itself for a fresh array (ratio 1.0 is ideal)
plus any temporaries; 0 is ideal for ``out=``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

_STATUS = "/proc/self/status"


def supported() -> bool:
    return sys.platform.startswith("linux") and os.path.exists(_STATUS)


def _status_kib(field: str) -> int:
    with open(_STATUS) as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"{field} not in {_STATUS}")


def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def probe(
    case: str, method: str, n: int, dtype: str, mode: str, threads: int | None, timeout: float = 600
) -> dict[str, Any]:
    """Run the child; returns ``{"peak_bytes": int or None, "exact": bool, "error": str}``."""
    spec = json.dumps(
        {"case": case, "method": method, "n": n, "dtype": dtype, "mode": mode, "threads": threads}
    )
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "turboinit._bench.memory", spec],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {"peak_bytes": None, "exact": False, "error": f"timed out after {timeout:.0f} s"}
    if proc.returncode != 0:
        tail = (proc.stderr.strip().splitlines() or [f"exit status {proc.returncode}"])[-1]
        return {"peak_bytes": None, "exact": False, "error": tail}
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def _child(spec: dict[str, Any]) -> dict[str, Any]:
    from .methods import CASES, THREAD_SETTERS

    case = CASES[spec["case"]]
    method = case.method(spec["method"])
    if spec["threads"] is not None and method.library in THREAD_SETTERS:
        THREAD_SETTERS[method.library][1](int(spec["threads"]))
    small = method.build(case.target(1024, spec["dtype"], spec["mode"]))
    if small is not None:
        small()
    call = method.build(case.target(spec["n"], spec["dtype"], spec["mode"]))
    if call is None:
        return {"peak_bytes": None, "exact": False, "error": "not supported"}
    exact = _reset_peak()
    hwm_before = _status_kib("VmHWM")
    rss = _status_kib("VmRSS")
    result = call()  # kept alive until the peak is read
    hwm = _status_kib("VmHWM")
    del result
    if not exact and hwm <= hwm_before:
        # The peak was not reset and the call stayed under an older peak: unknown.
        return {"peak_bytes": None, "exact": False, "error": "peak not resettable"}
    return {"peak_bytes": (hwm - rss) * 1024, "exact": exact, "error": ""}


if __name__ == "__main__":
    print(json.dumps(_child(json.loads(sys.argv[1]))))
