"""The first touch of fresh memory by a turboinit fill, and what might make it cheaper.

    python benchmarks/first_touch.py            # 1 GiB tensors, 5 interleaved rounds
    python benchmarks/first_touch.py --quick    # 16 MiB, 2 rounds: checks the script

A fill into fresh memory pays a page fault per 4 KiB page; on some hosts (VMs whose
memory the hypervisor backs lazily) that costs more than generating the values.  Each
round takes, one after the other, a fresh ``torch.empty(n)`` float32 tensor and times
``turboinit.torch.uniform_`` on it twice (the first fill, then the fill again on the
touched memory), prepared in one of these ways (timed with the first fill):

* ``plain``: nothing;
* ``hugepage``: ``madvise(MADV_HUGEPAGE)`` on the 2 MiB-aligned inside of its storage
  (effective where transparent huge pages are in ``madvise`` or ``always`` mode);
* ``populate1`` / ``populate2``: ``madvise(MADV_POPULATE_WRITE)`` (Linux 5.14+) on its
  storage from one thread / two threads;
* ``zero``: PyTorch's own ``zero_()`` first;
* ``threads1``: nothing, with turboinit on one thread (both fills).

Medians per way; the load average before and after; JSON with ``--json``.  Linux only.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import statistics
import sys
import threading
import time
from typing import Any, Callable

import torch

import turboinit as ti
import turboinit.torch as tt

MADV_HUGEPAGE = 14
MADV_POPULATE_WRITE = 23
PAGE = 4096
HUGE = 1 << 21
_libc = ctypes.CDLL(None, use_errno=True)


def _madvise(lo: int, hi: int, advice: int) -> None:
    if hi > lo and _libc.madvise(ctypes.c_void_p(lo), ctypes.c_size_t(hi - lo), advice) != 0:
        raise OSError(ctypes.get_errno(), f"madvise({advice})")


def _span(t: torch.Tensor, align: int) -> tuple[int, int]:
    start = t.data_ptr()
    end = start + t.numel() * t.element_size()
    return (start + align - 1) // align * align, end // align * align


def _populate(t: torch.Tensor, parts: int) -> None:
    lo, hi = _span(t, PAGE)
    step = ((hi - lo) // parts + PAGE - 1) // PAGE * PAGE
    workers = [
        threading.Thread(target=_madvise, args=(a, min(a + step, hi), MADV_POPULATE_WRITE))
        for a in range(lo, hi, step)
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join()


def _zero(t: torch.Tensor) -> None:
    t.zero_()


WAYS: dict[str, Callable[[torch.Tensor], None]] = {
    "plain": lambda t: None,
    "hugepage": lambda t: _madvise(*_span(t, HUGE), MADV_HUGEPAGE),
    "populate1": lambda t: _populate(t, 1),
    "populate2": lambda t: _populate(t, 2),
    "zero": _zero,
    "threads1": lambda t: ti.set_num_threads(1),
}


def run(n: int, rounds: int) -> dict[str, Any]:
    times: dict[str, list[tuple[float, float]]] = {w: [] for w in WAYS}
    tt.uniform_(torch.empty(2**16), generator=1)  # the thread pool starts outside the rounds
    for _ in range(rounds):
        for way, prepare in WAYS.items():
            t = torch.empty(n)
            t0 = time.perf_counter()
            prepare(t)
            tt.uniform_(t, generator=1)
            t1 = time.perf_counter()
            tt.uniform_(t, generator=1)
            t2 = time.perf_counter()
            ti.set_num_threads(None)
            times[way].append((t1 - t0, t2 - t1))
            del t
    rows = {}
    for way, samples in times.items():
        first = statistics.median(s[0] for s in samples)
        again = statistics.median(s[1] for s in samples)
        rows[way] = {"first_s": first, "again_s": again, "first_touch_s": first - again,
                     "samples": samples}  # fmt: skip
        print(f"{way:10} first fill {first * 1e3:8.1f} ms  again {again * 1e3:8.1f} ms  "
              f"difference {(first - again) * 1e3:8.1f} ms", flush=True)  # fmt: skip
    return rows


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true")
    p.add_argument("--n", type=int, default=2**28, help="float32 elements (default 1 GiB)")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--json")
    args = p.parse_args(argv)
    if args.quick:
        args.n, args.rounds = 2**22, 2
    try:
        thp = open("/sys/kernel/mm/transparent_hugepage/enabled").read().strip()
    except OSError:
        thp = None
    load_before = os.getloadavg()
    rows = run(args.n, args.rounds)
    result = {"n": args.n, "rounds": args.rounds, "threads": ti.get_num_threads(),
              "transparent_hugepage": thp, "kernel_release": os.uname().release,
              "load_before": load_before, "load_after": os.getloadavg(), "ways": rows}  # fmt: skip
    print(f"load {load_before[0]:.2f} -> {result['load_after'][0]:.2f}", file=sys.stderr)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
