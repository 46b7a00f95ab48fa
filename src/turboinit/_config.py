"""Threads, kernel choice and build information."""

from __future__ import annotations

import sys
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


def set_num_threads(n: Optional[int]) -> None:
    """Use ``n`` threads in every call (``None`` restores the default).

    The default is OpenMP's (``OMP_NUM_THREADS``, else all cores).  A lower
    limit set with ``threadpoolctl.threadpool_limits`` is honoured on top.
    Results never depend on the thread count.

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
    _core.set_num_threads(integer(n, "n", minimum=1, expected="a positive int or None"))


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
        "  kernel override:   TURBOINIT_KERNEL=avx512|avx2|baseline",
        f"  threads:           {info['num_threads']}",
        f"  OpenMP runtime:    {info['openmp']}",
        f"  compiler:          {info.get('compiler', '?')}",
    ]
    if info.get("kernel_warning"):
        lines.append(f"  warning:           {info['kernel_warning']}")
    print("\n".join(lines), file=out)


def main(argv: Optional[list[str]] = None) -> int:
    """``python -m turboinit config``: print :func:`show_config`."""
    show_config()
    return 0
