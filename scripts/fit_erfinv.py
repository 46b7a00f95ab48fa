"""The constants of the float32 inverse-CDF truncated normal (cpp/simd/samplers-inl.hpp).

``inverse_cdf_sampler`` computes ``x = sqrt(2) erfinv(e)`` as ``e P(w)`` with
``w = -log(1 - e^2)`` (Giles' variable) for ``|x| <= 3``, and ``w`` with a 16-entry
table logarithm.  This script derives both from first principles and checks them against
the C++ source:

* ``P``: degree 9 in ``w`` on ``[0, W]``, ``W = -log(1 - erf(R/sqrt2)^2)`` with ``R`` the
  plan's reach (``_core.INVERSE_CDF_REACH``, 3), fitted for
  minimax relative error by Lawson's iteratively reweighted least squares on 4000
  Chebyshev nodes (SciPy's ``erfinv`` as the reference), the coefficients rounded to
  float32; its relative error is then measured on a dense grid.
* the table: ``R_j = 1/c_j`` rounded to float32, ``c_j = 1 + (j + 1/2)/16``, and
  ``L_j = log(R_j)`` (of the rounded ``R_j``, in double) rounded to float32; the
  logarithm's absolute error is measured on a dense grid of ``y`` in ``(2^-9, 1]``.

    python scripts/fit_erfinv.py           # print, and compare with the C++ source
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np
from scipy import special

from turboinit import _core

SOURCE = Path(__file__).resolve().parent.parent / "cpp" / "simd" / "samplers-inl.hpp"
REACH = _core.INVERSE_CDF_REACH  # |x| the plan sends to the inverse CDF
DEGREE = 9
NODES = 4000
ITERATIONS = 200


def fit_p() -> tuple[np.ndarray, float]:
    e_max = special.erf(REACH / np.sqrt(2))
    w_max = -np.log((1 - e_max) * (1 + e_max))
    k = np.arange(NODES)
    w = (w_max / 2) * (1 - np.cos(np.pi * (k + 0.5) / NODES))
    e = np.sqrt(-np.expm1(-w))
    y = np.sqrt(2) * special.erfinv(e) / e
    vander = np.vander(w, DEGREE + 1)
    weights = np.ones(NODES)
    for _ in range(ITERATIONS):
        rows = vander * (np.sqrt(weights) / y)[:, None]
        c = np.linalg.lstsq(rows, np.sqrt(weights), rcond=None)[0]
        err = np.abs(vander @ c / y - 1)
        weights *= err
        weights /= weights.sum()
    c32 = c.astype(np.float32).astype(np.float64)
    ws = np.linspace(0, w_max, 400_001)
    es = np.sqrt(-np.expm1(-ws))
    es[0] = 1e-9
    p = np.zeros_like(ws)
    for ck in c32:
        p = p * ws + ck
    exact = np.sqrt(2) * special.erfinv(es) / es
    return c32, float(np.max(np.abs(p / exact - 1)))


def log_tables() -> tuple[np.ndarray, np.ndarray, float]:
    c = 1 + (np.arange(16) + 0.5) / 16
    recip = (1 / c).astype(np.float32)
    log_recip = np.log(recip.astype(np.float64)).astype(np.float32)
    y = np.linspace(2.0**-9, 1.0, 2_000_001).astype(np.float32)
    iy = y.view(np.uint32)
    k = (iy >> 23).astype(np.int64) - 127
    j = (iy >> 19) & 15
    m = ((iy & 0x7FFFFF) | 0x3F800000).view(np.float32).astype(np.float64)
    t = (m * recip[j] - 1).astype(np.float32).astype(np.float64)  # one rounding (fma)
    neg_log = (
        -k * np.float64(np.float32(np.log(2)))
        + log_recip[j]
        - t * (1 - t / 2 + t * t / 3 - t**3 / 4)
    )
    err = float(np.max(np.abs(neg_log + np.log(y.astype(np.float64)))))
    return recip, log_recip, err


def c_hex(v: float) -> str:
    """A float32 as the shortest C hex literal (0x1.8e5394p-27f)."""
    mant, exp = float(v).hex().split("p")
    return f"{mant.rstrip('0').rstrip('.')}p{exp}f"


def source_floats(pattern: str) -> list[float]:
    block = re.search(pattern, SOURCE.read_text(), re.S)
    assert block is not None, pattern
    return [float.fromhex(h.rstrip("f")) for h in re.findall(r"-?0x[0-9a-f.]+p[-+]?\d+f", block[1])]


def main() -> int:
    c, p_err = fit_p()
    recip, log_recip, log_err = log_tables()
    print(f"P (degree {DEGREE}, highest first), relative error {p_err:.2e}:")
    print("  " + ", ".join(c_hex(v) for v in c))
    print(f"log table, absolute error {log_err:.2e}:")
    print("  kRecip    " + ", ".join(c_hex(v) for v in recip))
    print("  kLogRecip " + ", ".join(c_hex(v) for v in log_recip))
    src_p = source_floats(r"kP\[10\] = \{(.*?)\};")
    src_recip = source_floats(r"kRecip\[16\] = \{(.*?)\};")
    src_log = source_floats(r"kLogRecip\[16\] = \{(.*?)\};")
    ok = (
        src_p == [float(v) for v in c]
        and src_recip == [float(v) for v in recip]
        and src_log == [float(v) for v in log_recip]
    )
    print("the C++ source holds these constants" if ok else "MISMATCH with the C++ source")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
