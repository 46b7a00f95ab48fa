"""The constants of the float64 inverse-CDF truncated normal (cpp/simd/samplers-inl.hpp).

``inverse_cdf_f64_sampler`` computes ``x = sqrt(2) erfinv(e)`` as ``e P(w - c)`` with
``w = -log(1 - e^2)`` (Giles' variable).  This script derives its polynomials from first
principles in 40-digit arithmetic (mpmath) and checks them against the C++ source:

* ``P``: two polynomials in ``w - c``, ``sqrt(2)`` folded in: ``kShort`` (degree 15) on
  ``[0, W(2)]`` for intervals inside ``[-2, 2]`` (``_core.INVERSE_CDF64_SHORT_REACH``), and
  ``kFull`` (degree 20) on ``[0, W(3)]`` (``_core.INVERSE_CDF_REACH``), ``W(r) = -log(1 -
  erf(r/sqrt2)^2)`` widened by 0.2%, ``c`` its middle; least squares in relative error on
  Chebyshev nodes, the coefficients rounded to double; their relative error is measured
  with double Horner's rule on a grid.

    python scripts/fit_erfinv64.py           # print, and compare with the C++ source
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import mpmath as mp
import numpy as np

from turboinit import _core

SOURCE = Path(__file__).resolve().parent.parent / "cpp" / "simd" / "samplers-inl.hpp"
mp.mp.dps = 40


def w_of(reach: float) -> mp.mpf:
    e = mp.erf(mp.mpf(reach) / mp.sqrt(2))
    return -mp.log(1 - e * e)


def g(w: mp.mpf) -> mp.mpf:
    """sqrt(2) erfinv(e) / e at e = sqrt(1 - exp(-w))."""
    if w == 0:
        return mp.sqrt(2) * mp.sqrt(mp.pi) / 2
    e = mp.sqrt(-mp.expm1(-w))
    return mp.sqrt(2) * mp.erfinv(e) / e


def fit(reach: float, degree: int) -> tuple[float, list[float], float]:
    top = w_of(reach) * mp.mpf("1.002")
    center = float(top / 2)
    n = 3 * degree + 30
    nodes = [top / 2 * (1 - mp.cos(mp.pi * (k + mp.mpf(1) / 2) / n)) for k in range(n)]
    a = mp.matrix(n, degree + 1)
    b = mp.matrix(n, 1)
    for i, w in enumerate(nodes):
        y = g(w)
        for j in range(degree + 1):
            a[i, j] = (w - center) ** (degree - j) / y
        b[i] = 1
    c = mp.lu_solve(a.T * a, a.T * b)
    coefs = [float(c[j]) for j in range(degree + 1)]
    worst = 0.0
    for w in np.linspace(0.0, float(top), 1201):
        p = 0.0
        for ck in coefs:
            p = p * (w - center) + ck
        ref = g(mp.mpf(w))
        worst = max(worst, abs(float((mp.mpf(p) - ref) / ref)))
    return center, coefs, worst


def source_array(name: str) -> list[float]:
    text = SOURCE.read_text()
    m = re.search(name + r"\[\d+\] = \{([^}]*)\}", text)
    assert m, name
    return [float.fromhex(v.strip()) for v in m.group(1).split(",") if v.strip()]


def source_value(name: str) -> float:
    m = re.search(name + r" = ([-+0-9a-fA-Fxp.]+);", SOURCE.read_text())
    assert m, name
    return float.fromhex(m.group(1))


def fits() -> dict[str, tuple[float, list[float], float]]:
    """Both polynomials by their C++ names: (center, coefficients, relative error)."""
    return {
        "kShort": fit(_core.INVERSE_CDF64_SHORT_REACH, 15),
        "kFull": fit(_core.INVERSE_CDF_REACH, 20),
    }


def main(results: dict[str, tuple[float, list[float], float]] | None = None) -> int:
    ok = True
    for name, (center, coefs, worst) in (results or fits()).items():
        print(f"{name}: center {center!r}, relative error {worst:.3g}")
        print("  " + ", ".join(c.hex() for c in coefs))
        ok &= source_array(name) == coefs and source_value(name + "Center") == center
    print("matches the C++ source" if ok else "DIFFERS from the C++ source")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
