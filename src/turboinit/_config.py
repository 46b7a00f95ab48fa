"""Threads, kernel choice and build information."""

from __future__ import annotations

import os
import sys
import threading
from typing import Any, Optional, TextIO

from . import _core
from ._args import integer


def get_num_threads() -> int:
    """Threads the next call on this Python thread will use.

    Examples
    --------
    >>> import turboinit as ti
    >>> ti.get_num_threads() >= 1
    True
    """
    return int(_core.get_num_threads())


def max_num_threads() -> int:
    """The largest ``n`` that :func:`set_num_threads` accepts: ``max(64, 4 * CPUs)``.

    ``CPUs`` are those this process may run on (``os.sched_getaffinity``
    where available, else ``os.cpu_count()``).  More threads than that only
    add overhead to these compute-bound kernels, and each costs a stack.

    Examples
    --------
    >>> import turboinit as ti
    >>> ti.max_num_threads() >= 64
    True
    """
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    return max(64, 4 * cpus)


def set_num_threads(n: Optional[int]) -> None:
    """Use ``n`` threads in every call (``None`` restores the default).

    The default is OpenMP's (``OMP_NUM_THREADS``, else all cores).  A lower
    limit set with ``threadpoolctl.threadpool_limits`` is honoured on top.
    Results never depend on the thread count.

    ``n`` is an int (Python or NumPy, not bool) from 1 to
    :func:`max_num_threads`.  The threads are started once here, so a system
    that cannot create them (a process or container limit) raises
    ``RuntimeError`` now instead of ending the process later (GNU OpenMP
    exits when it cannot start a thread).

    Examples
    --------
    >>> import numpy as np, turboinit as ti
    >>> ti.set_num_threads(1)
    >>> one = ti.normal((1000,), seed=3)
    >>> ti.set_num_threads(None)       # back to the default
    >>> np.array_equal(one, ti.normal((1000,), seed=3))
    True
    """
    if n is None:
        _core.set_num_threads(0)
        return
    count = integer(n, "n", minimum=1, expected="a positive int or None")
    limit = max_num_threads()
    if count > limit:
        raise ValueError(
            f"n: at most {limit} threads (turboinit.max_num_threads(): 4 per CPU, at least "
            f"64), got {count}"
        )
    _check_threads_can_start(count)
    _core.set_num_threads(count)


def _check_threads_can_start(n: int) -> None:
    """Start ``n - 1`` idle threads and stop them: RuntimeError if the system refuses."""
    gate = threading.Event()
    started: list[threading.Thread] = []
    failure: Optional[BaseException] = None
    try:
        for _ in range(n - 1):
            t = threading.Thread(target=gate.wait, name="turboinit-probe", daemon=True)
            t.start()
            started.append(t)
    except RuntimeError as exc:  # "can't start new thread"
        failure = exc
    finally:
        gate.set()
        for t in started:
            t.join()
    if failure is not None:
        raise RuntimeError(
            f"n: this system cannot start {n} threads (only {len(started) + 1} could run "
            f"together: {failure}); use fewer"
        ) from None


def build_info() -> dict[str, Any]:
    """Version, kernel in use, supported kernels, threads and OpenMP runtime.

    Examples
    --------
    >>> import turboinit as ti
    >>> info = ti.build_info()
    >>> info["kernel"] in info["kernels_supported"]
    True
    """
    return dict(_core.build_info())


def show_config(file: Optional[TextIO] = None) -> None:
    """Print the version, the SIMD kernel in use, threads and the OpenMP runtime.

    ``python -m turboinit config`` prints the same.

    Examples
    --------
    >>> import io, turboinit as ti
    >>> buf = io.StringIO()
    >>> ti.show_config(file=buf)
    >>> buf.getvalue().startswith("turboinit ")
    True
    """
    info = build_info()
    out = file if file is not None else sys.stdout
    lines = [
        f"turboinit {info.get('version', '?')}",
        f"  kernel:            {info['kernel']} ({info['simd_bits']}-bit vectors)",
        f"  kernels supported: {', '.join(info['kernels_supported'])}",
        "  kernel override:   TURBOINIT_KERNEL=avx512bf16|avx512|avx2|baseline",
        f"  threads:           {info['num_threads']}",
        f"  OpenMP runtime:    {info['openmp']}",
        f"  compiler:          {info.get('compiler', '?')}",
    ]
    if info.get("kernel_warning"):
        lines.append(f"  warning:           {info['kernel_warning']}")
    print("\n".join(lines), file=out)


# Optional packages turboinit uses when present: distribution name -> what for.
OPTIONAL_PACKAGES: dict[str, str] = {
    "ml_dtypes": "bfloat16 output",
    "torch": "turboinit.torch",
    "dask": "turboinit.dask",
    "distributed": "turboinit.dask on a cluster",
    "safetensors": "loading checkpoints written by turboinit.checkpoint",
    "threadpoolctl": "threadpool_limits is honoured",
    "matplotlib": "bench and demo figures",
    "tqdm": "progress bars",
    "jax": "bench baselines",
}


def optional_packages() -> dict[str, Optional[str]]:
    """Installed version of each optional package (``None``: not installed).

    Read from the installed metadata, without importing the packages.
    """
    from importlib.metadata import PackageNotFoundError, version

    found: dict[str, Optional[str]] = {}
    for name in ("numpy", *OPTIONAL_PACKAGES):
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = None
    return found


def main(argv: Optional[list[str]] = None) -> int:
    """``python -m turboinit config``: :func:`show_config` and the optional packages found."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m turboinit config",
        description="Print the build and run-time configuration and the optional packages "
        "found, with their versions.",
    )
    parser.parse_args(argv)  # --help; anything else is an error (exit status 2)
    show_config()
    found = optional_packages()
    width = max(len(n) for n in found)
    print("packages:")
    for name, ver in found.items():
        use = "required" if name == "numpy" else OPTIONAL_PACKAGES[name]
        print(f"  {name.ljust(width)}  {ver or 'not installed':<14}  {use}")
    return 0
