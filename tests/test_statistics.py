"""Statistics of uniform, normal and truncated_normal in every dtype.

Method (all at fixed seeds; outputs are bit-identical on every machine, kernel
and thread count, so these tests are deterministic):

* Kolmogorov–Smirnov tests, rejecting at p < 1e-4.  float64/float32 samples
  are compared with the exact continuous distribution (scipy.stats); their
  float32 grid (relative spacing 2**-24) is far below the test's resolution
  (~5e-3 at n = 200_000).  float16/bfloat16 samples are compared with the
  exact distribution of the *rounded* value: every representable value v is
  enumerated and P(X <= v) = F(midpoint(v, next(v))), with all mass beyond
  the bounds clamped onto the extreme representable values.  For such a
  discrete distribution the continuous Kolmogorov distribution gives a
  conservative p-value.
* Moment tests: sample mean and variance within 5 standard errors
  (sqrt(var/n) and sqrt((mu4 - var**2)/n)) of the exact values, which are
  those of the rounded distribution for float16/bfloat16 and of the
  continuous one (by quadrature) otherwise.
"""

from __future__ import annotations

import functools
import itertools
import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Callable

import numpy as np
import pytest
from _helpers import numpy_dtype
from scipy import integrate, special, stats

import turboinit as ti
from turboinit import _core
from turboinit._seed import philox_key
from turboinit.random import philox4x32

P_MIN = 1e-4
Z = 5.0
N = 200_000
INF = math.inf


# ---- exact distributions ----------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One call: the sampler, its parameters, and the exact law of its samples."""

    name: str
    kind: str  # "uniform", "normal", "truncated_normal"
    params: tuple[float, ...]

    def sample(self, dtype: str, n: int = N, seed: int = 20240601) -> np.ndarray:
        return getattr(ti, self.kind)(n, *self.params, seed=seed, dtype=dtype)

    def bounds(self) -> tuple[float, float, bool]:
        """The closed interval [lo, hi] of the law, and whether hi itself is excluded."""
        if self.kind == "uniform":
            low, high = self.params
            return low, high, True
        if self.kind == "normal":
            return -INF, INF, False
        mean, std, lower, upper = self.params
        lo = mean + lower * std if math.isfinite(lower) else -INF
        hi = mean + upper * std if math.isfinite(upper) else INF
        return lo, hi, False

    def cdf(self, x: np.ndarray) -> np.ndarray:
        if self.kind == "uniform":
            low, high = self.params
            return stats.uniform(loc=low, scale=high - low).cdf(x)
        if self.kind == "normal":
            return stats.norm(*self.params).cdf(x)
        mean, std, lower, upper = self.params
        return stats.truncnorm(lower, upper, loc=mean, scale=std).cdf(x)

    def continuous_moments(self) -> tuple[float, float, float]:
        """Mean, variance and fourth central moment of the continuous law."""
        if self.kind == "uniform":
            low, high = self.params
            var = (high - low) ** 2 / 12
            return (low + high) / 2, var, 1.8 * var**2
        if self.kind == "normal":
            mean, std = self.params
            return mean, std**2, 3 * std**4
        mean, std, lower, upper = self.params
        m, v, m4 = standard_truncated_moments(lower, upper)
        return mean + std * m, std**2 * v, std**4 * m4


@functools.cache
def standard_truncated_moments(lower: float, upper: float) -> tuple[float, float, float]:
    """Moments of N(0, 1) restricted to [lower, upper], by adaptive quadrature.

    Integrated over t in [0, 1] with x = a + (b - a) t, so that every integral
    is of order 1 however narrow the interval; the weight exp(-(x^2 - c^2)/2),
    with c the point of the interval nearest 0, is at most 1, so far tails
    such as [30, inf) lose no precision; infinite ends are cut 40 standard
    units from c (weight < e^-800 beyond).
    """
    c = 0.0 if lower < 0 < upper else (lower if lower >= 0 else upper)
    a, b = max(lower, c - 40.0), min(upper, c + 40.0)
    h = b - a

    def integral(f: Callable[[float], float]) -> float:
        def g(t: float) -> float:
            x = a + h * t
            return f(t) * math.exp(-(x - c) * (x + c) / 2)

        breaks = [1e-4, 1e-3, 1e-2, 0.1, 0.5, 0.9, 0.99, 0.999, 0.9999]
        return integrate.quad(g, 0.0, 1.0, points=breaks, epsabs=1e-15, epsrel=1e-11, limit=500)[0]

    z = integral(lambda t: 1.0)
    mean = integral(lambda t: t) / z
    var = integral(lambda t: (t - mean) ** 2) / z
    m4 = integral(lambda t: (t - mean) ** 4) / z
    return a + h * mean, h**2 * var, h**4 * m4


@functools.cache
def representable_values(dtype: str) -> np.ndarray:
    """All finite values of a 16-bit dtype, sorted, as float64 (+0 and -0 merged)."""
    dt = numpy_dtype(dtype)
    with np.errstate(invalid="ignore"):  # the NaN patterns
        values = np.arange(2**16, dtype=np.uint32).astype(np.uint16).view(dt).astype(np.float64)
    return np.unique(values[np.isfinite(values)])


@dataclass
class RoundedLaw:
    """The exact distribution of a 16-bit sample: support and CDF at each point."""

    support: np.ndarray
    cdf: np.ndarray

    @property
    def pmf(self) -> np.ndarray:
        return np.diff(self.cdf, prepend=0.0)

    def moments(self) -> tuple[float, float, float]:
        p = self.pmf
        mean = float(np.sum(p * self.support))
        d = self.support - mean
        return mean, float(np.sum(p * d**2)), float(np.sum(p * d**4))


def rounded_law(case: Case, dtype: str) -> RoundedLaw:
    """Law of round_to_dtype(clamp(Y)) for Y ~ case, the clamp keeping the
    result inside the bounds (and below ``high`` for uniform)."""
    values = representable_values(dtype)
    lo, hi, open_top = case.bounds()
    keep = (values >= lo) & ((values < hi) if open_top else (values <= hi))
    support = values[keep]
    if support.size == 0:
        return RoundedLaw(support, support)
    mids = (support[:-1] + support[1:]) / 2  # exact in float64
    cdf = np.append(case.cdf(mids), 1.0)
    return RoundedLaw(support, cdf)


def ks_pvalue(case: Case, dtype: str, x: np.ndarray) -> float:
    x = np.sort(x.astype(np.float64))
    if dtype in ("float64", "float32"):
        return float(stats.kstest(x, case.cdf).pvalue)
    law = rounded_law(case, dtype)
    assert np.isin(x, law.support).all(), "a sample lies outside the support of the law"
    ecdf = np.searchsorted(x, law.support, side="right") / x.size
    d = float(np.max(np.abs(ecdf - law.cdf)))
    return float(stats.kstwo(x.size).sf(d))


def exact_moments(case: Case, dtype: str) -> tuple[float, float, float]:
    if dtype in ("float64", "float32"):
        return case.continuous_moments()
    return rounded_law(case, dtype).moments()


def check_moments(case: Case, dtype: str, x: np.ndarray) -> None:
    mean, var, m4 = exact_moments(case, dtype)
    x = x.astype(np.float64)
    n = x.size
    if var == 0.0:
        assert (x == mean).all()
        return
    se_mean = math.sqrt(var / n)
    se_var = math.sqrt(max(m4 - var**2, 0.0) / n)
    got_mean = float(x.mean())
    got_var = float(np.mean((x - got_mean) ** 2))
    assert abs(got_mean - mean) <= Z * se_mean, (got_mean, mean, se_mean)
    assert abs(got_var - var) <= Z * se_var, (got_var, var, se_var)


# ---- cases ------------------------------------------------------------------------


UNIFORM = [
    Case("unit", "uniform", (0.0, 1.0)),
    Case("wide", "uniform", (-3.0, 5.0)),
    Case("small", "uniform", (-0.05, 0.05)),
    Case("offset", "uniform", (100.0, 101.5)),
]
NORMAL = [
    Case("standard", "normal", (0.0, 1.0)),
    Case("shifted", "normal", (3.0, 0.25)),
    Case("init", "normal", (0.0, 0.02)),
    Case("large", "normal", (-100.0, 20.0)),
]
# Named by the sampler cpp/samplers/truncated_normal_plan.cpp picks in float64 (the
# inverse CDF, or the proposal with the highest exact acceptance rate), so that every
# proposal is exercised.  In float32 compute, every interval inside [-3, 3] holding
# >= 1/16 of the mass is drawn by the inverse CDF
# (test_float32_plan_uses_the_inverse_cdf_where_it_reaches), so the cases below also
# test that sampler in float32, float16 and bfloat16.
TRUNCATED = [
    Case("normal[-2,2]", "truncated_normal", (0.0, 1.0, -2.0, 2.0)),
    Case("normal[-1,inf)", "truncated_normal", (0.0, 1.0, -1.0, INF)),
    Case("normal(-inf,1]-shifted", "truncated_normal", (0.5, 2.0, -INF, 1.0)),
    Case("inverse_cdf[-0.5,3]-shifted", "truncated_normal", (-1.5, 0.5, -0.5, 3.0)),
    Case("normal[-2,2]-init", "truncated_normal", (0.0, 0.02, -2.0, 2.0)),
    Case("half_normal[0,inf)", "truncated_normal", (0.0, 1.0, 0.0, INF)),
    Case("half_normal(-inf,0]", "truncated_normal", (0.0, 1.0, -INF, 0.0)),
    Case("half_normal[0,3]-shifted", "truncated_normal", (2.0, 3.0, 0.0, 3.0)),
    Case("half_normal[-3,0]-shifted", "truncated_normal", (-1.0, 0.25, -3.0, 0.0)),
    Case("inverse_cdf[0.3,0.3001]", "truncated_normal", (0.0, 1.0, 0.3, 0.3001)),
    Case("uniform[3.2,3.3]", "truncated_normal", (0.0, 1.0, 3.2, 3.3)),
    Case("inverse_cdf[0,1]", "truncated_normal", (0.0, 1.0, 0.0, 1.0)),
    Case("inverse_cdf[-0.1,0.1]", "truncated_normal", (0.0, 1.0, -0.1, 0.1)),
    Case("inverse_cdf[-0.05,0.05]", "truncated_normal", (0.0, 1.0, -0.05, 0.05)),
    Case("uniform[-1e-6,1e-6]", "truncated_normal", (0.0, 1.0, -1e-6, 1e-6)),
    Case("inverse_cdf[2,2.2]-shifted", "truncated_normal", (3.0, 0.5, 2.0, 2.2)),
    Case("uniform[-3.4,-3.3]-shifted", "truncated_normal", (3.0, 0.5, -3.4, -3.3)),
    Case("exponential[6,9]", "truncated_normal", (0.0, 1.0, 6.0, 9.0)),
    Case("exponential[-12,-10]", "truncated_normal", (0.0, 1.0, -12.0, -10.0)),
    Case("inverse_cdf[2,2.5]", "truncated_normal", (0.0, 1.0, 2.0, 2.5)),
    Case("exponential[3,3.5]", "truncated_normal", (0.0, 1.0, 3.0, 3.5)),
    Case("exponential[10,10.5]", "truncated_normal", (0.0, 1.0, 10.0, 10.5)),
    Case("exponential[30,inf)", "truncated_normal", (0.0, 1.0, 30.0, INF)),
    Case("exponential(-inf,-5]", "truncated_normal", (0.0, 1.0, -INF, -5.0)),
    Case("exponential[0.5,inf)-shifted", "truncated_normal", (-4.0, 2.0, 0.5, INF)),
    Case("inverse_cdf[-3,-0.5]-shifted", "truncated_normal", (1.0, 0.1, -3.0, -0.5)),
]
ALL_CASES = UNIFORM + NORMAL + TRUNCATED


def has_values(case: Case, dtype: str) -> bool:
    return dtype in ("float64", "float32") or rounded_law(case, dtype).support.size > 0


@pytest.mark.parametrize("case", ALL_CASES, ids=lambda c: f"{c.kind}-{c.name}")
def test_kolmogorov_smirnov(case: Case, dtype: str) -> None:
    if not has_values(case, dtype):  # e.g. bfloat16 on [0.3, 0.3001]
        with pytest.raises(ValueError, match=f"no {dtype} value"):
            case.sample(dtype)
        return
    x = case.sample(dtype)
    p = ks_pvalue(case, dtype, x)
    assert p > P_MIN, f"KS p = {p:.2e}"


@pytest.mark.parametrize("case", ALL_CASES, ids=lambda c: f"{c.kind}-{c.name}")
def test_mean_and_variance(case: Case, dtype: str) -> None:
    if not has_values(case, dtype):  # e.g. bfloat16 on [0.3, 0.3001]
        with pytest.raises(ValueError, match=f"no {dtype} value"):
            case.sample(dtype)
        return
    check_moments(case, dtype, case.sample(dtype, seed=7))


def test_truncated_cases_cover_all_four_proposals() -> None:
    # Each case is named after the sampler the core's plan picks for it in float64.
    f64 = _core.DTYPES["float64"]
    for case in TRUNCATED:
        label = case.name.split("[")[0].split("(")[0]
        assert _core.truncated_normal_plan(*case.params[2:], f64)["method"] == label, case.name
    proposals = {c.name.split("[")[0].split("(")[0] for c in TRUNCATED}
    assert proposals == {"normal", "half_normal", "uniform", "exponential", "inverse_cdf"}
    intervals = {c.params[2:] for c in TRUNCATED}
    required = [
        (-2, 2), (0, INF), (-INF, 0), (-1, INF), (6, 9), (-12, -10), (0.3, 0.3001), (0, 1),
        (2, 2.5), (-0.1, 0.1), (10, 10.5), (30, INF), (-INF, -5),
    ]  # fmt: skip
    assert all(tuple(map(float, r)) in intervals for r in required)


def exact_acceptance(method: str, lower: float, upper: float, lam: float) -> float:
    """Acceptance rate of a proposal for N(0, 1) on [lower, upper], from SciPy.

    normal: Z; half-normal: 2 Z; uniform: Z / ((b - a) phi(m)), m the point
    nearest 0; Robert's exponential: lambda exp(-(lambda - a)^2 / 2) Z / phi(a);
    with Z = P(lower <= N <= upper), computed in logs so far tails do not underflow.
    """
    if upper <= 0:  # mirror onto [a, b] with a >= 0 (normal/uniform around 0 are symmetric)
        lower, upper = -upper, -lower
    a, b = lower, upper
    if a >= 0:  # log Z = log sf(a) + log(1 - sf(b) / sf(a))
        log_sf_a = special.log_ndtr(-a)
        log_z = log_sf_a + (np.log1p(-np.exp(special.log_ndtr(-b) - log_sf_a)) if b < INF else 0)
    else:
        log_z = math.log(special.ndtr(b) - special.ndtr(a))
    log_phi = lambda x: -0.5 * x * x - 0.5 * math.log(2 * math.pi)  # noqa: E731
    if method == "inverse_cdf":  # no rejection
        return 1.0
    if method == "normal":
        return math.exp(log_z)
    if method == "half_normal":
        return 2 * math.exp(log_z)
    if method == "uniform":
        m = 0.0 if a < 0 < b else a
        return math.exp(log_z - log_phi(m)) / (b - a)
    return lam * math.exp(-0.5 * (lam - a) ** 2 + log_z - log_phi(a))


BOUNDS = [0.0, 1e-6, 1e-3, 0.1, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0, 30.0, 100.0, 1000.0, INF]
GRID = sorted({s * x for x in BOUNDS for s in (1, -1)})


def test_plan_acceptance_is_exact_and_bounded_below() -> None:
    # Every proposal's stated acceptance matches SciPy, and the best one keeps
    # the expected work per element bounded (docs/counter_layout.md: >= 49 %).
    worst = 1.0
    for lower, upper in itertools.combinations(GRID, 2):
        plan = _core.truncated_normal_plan(lower, upper, _core.DTYPES["float64"])
        want = exact_acceptance(plan["method"], lower, upper, plan["lambda"])
        assert plan["acceptance"] == pytest.approx(want, rel=1e-6), (lower, upper, plan)
        worst = min(worst, plan["acceptance"])
    assert worst >= 0.49


def test_float32_plan_uses_the_inverse_cdf_where_it_reaches() -> None:
    # float32 compute: the inverse CDF exactly for intervals inside [-3, 3] holding at
    # least 1/16 of the mass (acceptance 1, never mirrored); elsewhere the rejection
    # proposal the float64 plan would take (float64 draws more intervals by its own
    # inverse CDF, test_float64_plan_takes_the_inverse_cdf_where_rejection_is_slower).
    reach, min_mass = _core.INVERSE_CDF_REACH, _core.INVERSE_CDF_MIN_MASS
    assert (reach, min_mass) == (3.0, 1 / 16)  # as documented (docs/counter_layout.md)
    n_inverse = 0
    for lower, upper in itertools.combinations(GRID, 2):
        plan64 = _core.truncated_normal_plan(lower, upper, _core.DTYPES["float64"])
        for dtype in ("float32", "float16", "bfloat16"):
            plan = _core.truncated_normal_plan(lower, upper, _core.DTYPES[dtype])
            mass = special.ndtr(upper) - special.ndtr(lower)
            if -reach <= lower and upper <= reach and mass >= min_mass:
                n_inverse += 1
                assert (plan["method"], plan["acceptance"], plan["mirror"]) == (
                    "inverse_cdf",
                    1.0,
                    False,
                ), (lower, upper, dtype)
                assert plan["erf_a"] == pytest.approx(special.erf(lower / math.sqrt(2)), abs=1e-15)
                assert plan["erf_width"] == pytest.approx(2 * mass, rel=1e-12)
            elif plan64["method"] != "inverse_cdf":
                assert plan == plan64, (lower, upper, dtype)
            else:
                assert plan["method"] == rejection_plan(lower, upper)[0], (lower, upper, dtype)
    assert n_inverse > 0


def rejection_plan(lower: float, upper: float) -> tuple[str, float]:
    """The rejection proposal with the highest exact acceptance (SciPy), and its rate."""
    a = lower if lower >= 0 else (-upper if upper <= 0 else None)
    if a is None:  # the interval holds 0
        methods = ["normal"] + (["uniform"] if math.isfinite(upper - lower) else [])
        lam = 0.0
    else:
        methods = ["half_normal", "exponential"] + (["uniform"] if math.isfinite(upper) else [])
        lam = (a + math.sqrt(a * a + 4)) / 2
    rates = {m: exact_acceptance(m, lower, upper, lam) for m in methods}
    best = max(rates, key=lambda m: rates[m])
    return best, rates[best]


def test_float64_plan_takes_the_inverse_cdf_where_rejection_is_slower() -> None:
    # float64 compute: the inverse CDF inside [-3, 3] for intervals holding >= 2^-20
    # of the mass, unless the best rejection proposal is the normal or half-normal one
    # (a Box-Muller pair per block) accepting >= 0.9: there rejection is as fast, and
    # its rejected candidates are redrawn by the inverse CDF of the sampled interval.
    reach, min_mass = _core.INVERSE_CDF_REACH, _core.INVERSE_CDF64_MIN_MASS
    max_acc = _core.INVERSE_CDF64_MAX_ACCEPTANCE
    assert (max_acc, min_mass) == (0.9, 2**-20)  # as documented (docs/counter_layout.md)
    extra = [(-1.0, 1.0), (0.5, 1.5), (-1.6, 1.6), (-1.8, 1.8), (0.0, 1.8), (1.0, 3.0)]
    extra += [(0.3, 0.3001), (2.9, 3.0), (-1e-6, 1e-6), (-1.5e-6, 1.5e-6), (3.0, 3.1)]
    n_inverse = n_rejection = 0
    for lower, upper in list(itertools.combinations(GRID, 2)) + extra:
        plan = _core.truncated_normal_plan(lower, upper, _core.DTYPES["float64"])
        mass = special.ndtr(upper) - special.ndtr(lower)
        best, rate = rejection_plan(lower, upper)
        inside = -reach <= lower and upper <= reach and mass >= min_mass
        if inside and not (best in ("normal", "half_normal") and rate >= max_acc):
            n_inverse += 1
            assert (plan["method"], plan["acceptance"], plan["mirror"]) == (
                "inverse_cdf",
                1.0,
                False,
            ), (lower, upper)
            assert plan["erf_a"] == pytest.approx(special.erf(lower / math.sqrt(2)), abs=1e-15)
            assert plan["erf_width"] == pytest.approx(2 * mass, rel=1e-12)
            assert not plan["inverse_cdf_retries"]
        else:
            n_rejection += inside
            assert plan["method"] == best, (lower, upper)
            assert plan["inverse_cdf_retries"] == inside, (lower, upper)
            if inside:
                a, b = plan["a"], plan["b"]  # the sampled interval, mirrored if needed
                assert plan["erf_a"] == pytest.approx(special.erf(a / math.sqrt(2)), abs=1e-15)
                assert plan["erf_width"] == pytest.approx(
                    special.erf(b / math.sqrt(2)) - special.erf(a / math.sqrt(2)), rel=1e-12
                )
    assert n_inverse > 0 and n_rejection > 0


def inverse_cdf_ulps(lower: float, upper: float, dtype: str, n: int) -> float:
    """The largest distance, in ulps of ``dtype``, of the inverse-CDF truncated normal
    from the exact quantile of its ``e``.

    Element i is sqrt(2) erfinv(e) with e = fma(u_i, erf_width, erf_a) in the compute
    precision and u_i the uniform of the same element (docs/counter_layout.md): e is
    recomputed with its single rounding (float32: the sum is exact in float64; float64:
    in rationals), the quantile by SciPy's erfinv in float64.
    """
    plan = _core.truncated_normal_plan(lower, upper, _core.DTYPES[dtype])
    assert plan["method"] == "inverse_cdf"
    z = ti.truncated_normal(n, 0.0, 1.0, lower, upper, seed=3, dtype=dtype).astype(np.float64)
    u = ti.uniform(n, 0.0, 1.0, seed=3, dtype=dtype).astype(np.float64)
    if dtype == "float32":
        erf_a, erf_width = float(np.float32(plan["erf_a"])), float(np.float32(plan["erf_width"]))
        e = (u * erf_width + erf_a).astype(np.float32).astype(np.float64)
    else:
        fa, fw = Fraction(plan["erf_a"]), Fraction(plan["erf_width"])
        e = np.array([float(Fraction(x) * fw + fa) for x in u.tolist()])
    want = np.clip(math.sqrt(2) * special.erfinv(e), lower, upper)
    ulp = np.spacing(np.abs(want).astype(dtype)).astype(np.float64)
    return float((np.abs(z - want) / ulp).max())


@pytest.mark.parametrize(
    "lower,upper", [(-2.0, 2.0), (-3.0, 3.0), (0.0, 3.0), (-3.0, -0.5), (-1.0, 0.5), (-0.1, 0.3)]
)
def test_float32_inverse_cdf_is_within_three_ulp_of_the_exact_quantile(
    lower: float, upper: float
) -> None:
    # The sampler's own bound is 2.3 ulp (polynomial < 2.3e-8, log, roundings).
    assert inverse_cdf_ulps(lower, upper, "float32", 1 << 18) <= 3.0


@pytest.mark.parametrize(
    "lower,upper",
    [
        (-1.0, 1.0),
        (0.5, 1.5),
        (-3.0, -1.0),
        (1.0, 3.0),
        (-0.2, 0.3),
        (-2.9, -0.5),
        (0.3, 0.3001),
        (2.9, 3.0),
    ],
)
def test_float64_inverse_cdf_is_within_eight_ulp_of_the_exact_quantile(
    lower: float, upper: float
) -> None:
    # The bound: the polynomials are within 2.8e-16 (1.3 ulp) of sqrt(2) erfinv(e) / e
    # (scripts/fit_erfinv64.py), plus the log's error (< 1 ulp of w, scaled by
    # w P'/P < 0.5), the rounding of e P and SciPy's own error (a few ulp).
    assert inverse_cdf_ulps(lower, upper, "float64", 1 << 12) <= 8.0


@pytest.mark.parametrize(
    "lower,upper", [(-2.0, 2.0), (-3.0, 3.0), (-1.5, 2.5), (0.0, 2.0), (-3.0, 0.0)]
)
def test_float64_rejection_redraws_by_the_inverse_cdf(lower: float, upper: float) -> None:
    # float64 with the normal or half-normal proposal on [a, b] inside [-3, 3]
    # (docs/counter_layout.md): element i is its normal candidate (|z| for the
    # half-normal) where that lies in [a, b], else sqrt(2) erfinv(e) of the 53-bit
    # uniform of its row in its block's attempt-1 draw, e = fma(u, erf_width, erf_a).
    # Rebuilt here from the normal sampler (the same counters), philox4x32 and SciPy;
    # 4099 elements end in a partial group (the kernel's staged path).
    plan = _core.truncated_normal_plan(lower, upper, _core.DTYPES["float64"])
    assert plan["inverse_cdf_retries"] and plan["method"] in ("normal", "half_normal")
    n, seed = 4099, 11
    z = ti.truncated_normal(n, 0.0, 1.0, lower, upper, seed=seed, dtype="float64")
    cand = ti.normal(n, 0.0, 1.0, seed=seed, dtype="float64")
    if plan["method"] == "half_normal":
        cand = np.abs(cand)
    sign = -1.0 if plan["mirror"] else 1.0
    a, b = plan["a"], plan["b"]
    accepted = (cand >= a) & (cand <= b)
    assert np.array_equal(z[accepted], sign * cand[accepted])
    rejected = np.flatnonzero(~accepted)
    assert 0.002 * n < rejected.size < 0.1 * n  # 1 - acceptance of the plan, roughly
    key = philox_key(seed, 0)
    fa, fw = Fraction(plan["erf_a"]), Fraction(plan["erf_width"])
    for i in rejected.tolist():
        g, r = divmod(i, 32)
        block, row = 16 * g + r % 16, r // 16
        w = [int(v) for v in philox4x32([block & 0xFFFFFFFF, block >> 32, 1, 0], key)]
        u = Fraction(w[2 * row] >> 11, 2**21) + Fraction(w[2 * row + 1], 2**53)
        e = float(u * fw + fa)
        want = float(np.clip(math.sqrt(2) * special.erfinv(e), a, b))
        assert abs(sign * z[i] - want) <= 8 * np.spacing(abs(want)), (i, z[i], want)


def test_rounded_law_is_a_distribution() -> None:
    # Sanity check of the oracle itself: a CDF from 0 to 1, non-decreasing.
    for dtype in ("float16", "bfloat16"):
        for case in (NORMAL[0], UNIFORM[0], TRUNCATED[13]):
            law = rounded_law(case, dtype)
            assert law.cdf[-1] == 1.0
            assert (law.pmf >= 0).all()
            assert law.pmf.sum() == pytest.approx(1.0, abs=1e-12)


# ---- 16-bit dtypes: computed in float32, rounded once --------------------------------


ROUNDING_CASES = [
    Case("standard", "normal", (0.0, 1.0)),
    Case("subnormal-float16", "normal", (0.0, 1e-6)),
    Case("large", "normal", (1000.0, 300.0)),
    Case("symmetric", "uniform", (-1.0, 1.0)),
    Case("unit", "uniform", (0.0, 1.0)),
    Case("coarse", "uniform", (2048.0, 2050.0)),
    Case("[-2,2]", "truncated_normal", (0.0, 1.0, -2.0, 2.0)),
    Case("tiny-std", "truncated_normal", (0.0, 1e-5, -2.0, 2.0)),
    Case("unrepresentable-bounds", "truncated_normal", (0.0, 1.0, 0.1, 0.2)),
    Case("tail", "truncated_normal", (0.0, 1.0, 6.0, 9.0)),
    Case("one-sided", "truncated_normal", (5.0, 2.0, 1 / 3, INF)),
]


@pytest.mark.parametrize("case", ROUNDING_CASES, ids=lambda c: f"{c.kind}-{c.name}")
@pytest.mark.parametrize("dtype16", ["float16", "bfloat16"])
def test_16_bit_output_is_the_float32_output_rounded_once(case: Case, dtype16: str) -> None:
    # Both dtypes compute in float32 from the same words; the 16-bit result is
    # the float32 one rounded to nearest-even (NumPy / ml_dtypes casts), then
    # kept inside the bounds' representable values.
    dt = numpy_dtype(dtype16)
    x32 = case.sample("float32", n=50_000, seed=3)
    x16 = case.sample(dtype16, n=50_000, seed=3)
    support = rounded_law(case, dtype16).support
    want = np.clip(x32.astype(dt).astype(np.float64), support[0], support[-1]).astype(dt)
    assert x16.dtype == dt
    mismatch = np.flatnonzero(x16.view(np.uint16) != want.view(np.uint16))
    assert mismatch.size == 0, (mismatch.size, x16[mismatch[:3]], want[mismatch[:3]])


# ---- uniform: bits and the open upper bound ------------------------------------------


def test_uniform_float32_has_24_random_bits() -> None:
    n = 2**20
    x = ti.uniform(n, seed=11, dtype="float32").astype(np.float64)
    k = x * 2.0**24
    assert (k == np.floor(k)).all(), "a value is not a multiple of 2**-24"
    k = k.astype(np.uint64)
    assert k.max() < 2**24
    # Every one of the 24 bits is a fair coin (binomial, 5 standard errors).
    for bit in range(24):
        ones = int(np.count_nonzero((k >> np.uint64(bit)) & np.uint64(1)))
        assert abs(ones - n / 2) <= Z * math.sqrt(n / 4), f"bit {bit}: {ones} ones of {n}"


def test_uniform_float64_has_53_random_bits() -> None:
    n = 2**20
    x = ti.uniform(n, seed=12, dtype="float64")
    k = x * 2.0**53
    assert (k == np.floor(k)).all(), "a value is not a multiple of 2**-53"
    k = k.astype(np.uint64)
    assert int(k.max()) < 2**53
    for bit in range(53):
        ones = int(np.count_nonzero((k >> np.uint64(bit)) & np.uint64(1)))
        assert abs(ones - n / 2) <= Z * math.sqrt(n / 4), f"bit {bit}: {ones} ones of {n}"


# (low, high) where low + (high - low) u rounds to high for a large share of
# u < 1 in the compute type, unless the result is clamped below high.
UPPER_BOUND_CASES = {
    "float64": [(0.0, 1.0), (2.0**53, 2.0**53 + 2), (-1.0, 1e-300), (1.0, 1.0 + 2**-51)],
    "float32": [(0.0, 1.0), (2.0**24, 2.0**24 + 2), (1.0, 2.0), (-1.0, 0.1)],
    "float16": [(0.0, 1.0), (2048.0, 2050.0), (0.0, 0.1), (-1.0, 1e-3), (1.0, 1.0004)],
    "bfloat16": [(0.0, 1.0), (256.0, 258.0), (0.0, 0.1), (-1.0, 1e-3), (1.0, 1.003)],
}


def test_uniform_never_returns_high(dtype: str) -> None:
    n = 2**20
    for low, high in UPPER_BOUND_CASES[dtype]:
        x = ti.uniform(n, low, high, seed=3, dtype=dtype).astype(np.float64)
        assert x.min() >= low, (low, high)
        assert x.max() < high, (low, high)


@pytest.mark.parametrize(("dtype", "low", "high"), [("float16", 0.0, 1.0), ("bfloat16", 0.0, 1.0)])
def test_uniform_16_bit_clamps_onto_the_value_below_high(
    dtype: str, low: float, high: float
) -> None:
    # In float16, u in [1 - 2**-12, 1) would round to 1.0 (probability 2**-12);
    # in bfloat16, u in [1 - 2**-9, 1) (probability 2**-9).  That mass belongs
    # to the largest value below 1, which is therefore hit more often.
    numpy_dtype(dtype)
    n = 2**20
    x = ti.uniform(n, low, high, seed=4, dtype=dtype).astype(np.float64)
    top = representable_values(dtype)
    top = top[top < high].max()
    law = rounded_law(Case("unit", "uniform", (low, high)), dtype)
    p_top = float(law.pmf[-1])
    hits = int(np.count_nonzero(x == top))
    assert abs(hits - n * p_top) <= Z * math.sqrt(n * p_top * (1 - p_top)), (hits, n * p_top)


# [0, 1) takes the word cap of cap_uniform_words (its y(k_max) is the value below 1
# itself); the others mix both sides of it and ranges where the clamp never acts.
CLAMP_CASES = [(0.0, 1.0), (-1.0, 1.0), (0.0, 0.1), (-1.0, 1e-3), (1.0, 1.0004), (0.5, 0.75),
               (-3.0, 5.0), (-2.0, -1.0), (1e-3, 2e-3), (-1.0, 0.0), (1e-6, 1.0), (3.0, 3.01),
               (-60000.0, 60000.0), (1000.0, 1001.5), (0.2, 0.201)]  # fmt: skip


@pytest.mark.parametrize("dtype16", ["float16", "bfloat16"])
def test_uniform_16_bit_is_the_float32_sample_rounded_and_clamped(
    kernel: str, dtype16: str
) -> None:
    # The 16-bit store rounds the float32 compute value y once, clamped to [lo, hi]
    # (the dtype's values in [low, high)); rounding is monotone and lo, hi are
    # representable, so that is the float32 sample rounded, then clamped. Where the
    # set-up folds the upper clamp into a cap on the words, the bits must not move.
    values = representable_values(dtype16)
    dt = numpy_dtype(dtype16)
    for low, high in CLAMP_CASES:
        x = ti.uniform(4099, low, high, seed=11, dtype=dtype16)
        f32 = ti.uniform(4099, low, high, seed=11, dtype="float32")
        lo, hi = values[values >= low].min(), values[values < high].max()
        expected = np.clip(f32.astype(dt).astype(np.float64), lo, hi).astype(dt)
        assert x.tobytes() == expected.tobytes(), (low, high)
        assert x.astype(np.float64).max() < high


def test_uniform_with_one_representable_value(dtype: str) -> None:
    # float16 [1, 1.0004) and bfloat16 [1, 1.003) hold only 1.0; low == high gives low.
    only = {"float64": (1.0, 1.0 + 2**-52), "float32": (1.0, 1.0 + 2**-23),
            "float16": (1.0, 1.0004), "bfloat16": (1.0, 1.003)}[dtype]  # fmt: skip
    assert (ti.uniform(1000, *only, seed=0, dtype=dtype) == 1.0).all()
    assert (ti.uniform(1000, 0.25, 0.25, seed=0, dtype=dtype) == 0.25).all()


# ---- truncated normal: bounds hold in every dtype ----------------------------------------


BOUNDS_CASES = [
    (0.0, 1.0, 0.1, 0.2),
    (0.1, 0.3, -1.7, 1.3),
    (1.0, 1e-3, -2.0, 2.0),
    (0.0, 1.0, -INF, 0.123),
    (5.0, 2.0, 1 / 3, INF),
    (0.0, 1.0, 6.0, 9.0),
    (0.0, 0.02, -2.0, 2.0),
    (-7.0, 3.0, -0.01, 0.02),
    (0.0, 1.0, 0.3, 0.3001),
]


@pytest.mark.parametrize(("mean", "std", "lower", "upper"), BOUNDS_CASES)
def test_truncated_normal_stays_within_bounds(
    dtype: str, mean: float, std: float, lower: float, upper: float
) -> None:
    lo = mean + lower * std if math.isfinite(lower) else -INF
    hi = mean + upper * std if math.isfinite(upper) else INF
    try:
        x = ti.truncated_normal(2**18, mean, std, lower, upper, seed=5, dtype=dtype)
    except ValueError as e:  # only when no value of the dtype lies in [lo, hi]
        assert dtype in ("float16", "bfloat16")
        assert (
            rounded_law(Case("", "truncated_normal", (mean, std, lower, upper)), dtype).support.size
            == 0
        )
        assert "lower, upper" in str(e)
        return
    x = x.astype(np.float64)
    assert np.isfinite(x).all()
    assert x.min() >= lo, (x.min(), lo)
    assert x.max() <= hi, (x.max(), hi)


def test_narrow_interval_in_float16_gives_its_only_value() -> None:
    # [0.3, 0.3001] holds exactly one float16: 1229 * 2**-12 = 0.300048828125.
    x = ti.truncated_normal(10_000, 0.0, 1.0, 0.3, 0.3001, seed=1, dtype="float16")
    assert (x == np.float16(1229 * 2.0**-12)).all()


def test_tight_interval_rounds_to_one_bfloat16_value() -> None:
    numpy_dtype("bfloat16")
    # [0.998, 1.002] holds only 1.0 in bfloat16 (neighbours 1 - 2**-8, 1 + 2**-7).
    x = ti.truncated_normal(10_000, 1.0, 1e-3, -2.0, 2.0, seed=1, dtype="bfloat16")
    assert (x.astype(np.float64) == 1.0).all()


@pytest.mark.parametrize(
    ("dtype", "mean", "std", "lower", "upper"),
    [
        ("bfloat16", 0.0, 1.0, 0.3, 0.3001),
        ("float16", 0.0, 1.0, 0.1, 0.10001),
        ("float32", 1.0, 1.0, 1e-8, 2e-8),
        ("bfloat16", 100.0, 0.01, 10.0, 20.0),
    ],
)
def test_empty_interval_raises(
    dtype: str, mean: float, std: float, lower: float, upper: float
) -> None:
    numpy_dtype(dtype)
    with pytest.raises(ValueError, match=f"no {dtype} value"):
        ti.truncated_normal(10, mean, std, lower, upper, seed=0, dtype=dtype)


@pytest.mark.parametrize(
    ("dtype", "low", "high"),
    [("float16", 0.1, 0.10003), ("bfloat16", 0.3, 0.3007), ("float32", 1.0 + 1e-8, 1.0 + 5e-8)],
)
def test_uniform_empty_interval_raises(dtype: str, low: float, high: float) -> None:
    numpy_dtype(dtype)
    with pytest.raises(ValueError, match=f"no {dtype} value"):
        ti.uniform(10, low, high, seed=0, dtype=dtype)


# ---- degenerate parameters ----------------------------------------------------------


def test_zero_std_gives_the_mean(dtype: str) -> None:
    assert (ti.normal(100, 0.5, 0.0, seed=0, dtype=dtype) == 0.5).all()
    assert (ti.truncated_normal(100, -1.25, 0.0, seed=0, dtype=dtype) == -1.25).all()


def test_normal_tails_are_bounded_as_documented() -> None:
    # |z| <= sqrt(-2 log u1) <= 6.660437 in float32 (u1 >= 2**-32) and 8.571674 in float64
    # (u1 >= 2**-53).
    x32 = ti.normal(2**20, seed=8, dtype="float32")
    x64 = ti.normal(2**20, seed=8, dtype="float64")
    assert np.abs(x32).max() <= 6.6605
    assert np.abs(x64).max() <= 8.5717


def load_script(name: str) -> Any:
    """scripts/<name>.py as a module."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "scripts" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_inverse_cdf_constants_derive_from_their_fit() -> None:
    # scripts/fit_erfinv.py refits the inverse CDF's polynomial and log table from
    # SciPy's erfinv and checks them against cpp/simd/samplers-inl.hpp.
    fit = load_script("fit_erfinv")
    c, p_err = fit.fit_p()
    _, _, log_err = fit.log_tables()
    assert p_err < 2.3e-8 and log_err < 5e-8
    assert fit.main() == 0


def test_float64_inverse_cdf_polynomials_derive_from_their_fit() -> None:
    # scripts/fit_erfinv64.py refits the float64 inverse CDF's two polynomials in
    # 40-digit arithmetic and checks them against cpp/simd/samplers-inl.hpp.
    fit = load_script("fit_erfinv64")
    results = fit.fits()  # fitted once, checked twice
    assert results["kShort"][2] < 2e-16
    assert results["kFull"][2] < 3e-16
    assert fit.main(results) == 0
