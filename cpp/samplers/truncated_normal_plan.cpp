#include "samplers/truncated_normal_plan.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

namespace turboinit {
namespace {

constexpr double kInvSqrt2 = 0.70710678118654752440;
constexpr double kInvSqrt2Pi = 0.39894228040143267794;
constexpr double kTwoOverSqrtPi = 1.12837916709551257390;

double phi(double x) { return kInvSqrt2Pi * std::exp(-0.5 * x * x); }
double normal_cdf(double x) { return 0.5 * std::erfc(-x * kInvSqrt2); }

}  // namespace

double reproducible_erf(double x) {
  // erf x = (2/sqrt(pi)) x e^(-x^2) sum_n (2x^2)^n / (1 3 5 ... (2n+1)), and
  // e^(x^2) = sum_k x^(2k) / k!: every term positive, so no cancellation.
  // Only + * / in a fixed order (the build forbids contraction), so every
  // IEEE machine gives the same bits, where libm's erf may differ in the last
  // one.  Within 5.3 ulp of erf for |x| <= kInverseCdfReach / sqrt2 (6001
  // points against 40-digit erf); the samples shift by as little.
  const double y = x * x;
  double series = 1.0, term = 1.0;
  for (int n = 1; n < 200 && term > series * 0x1p-60; ++n) {
    term = term * (2.0 * y) / (2 * n + 1);
    series += term;
  }
  double exp_y = 1.0;
  term = 1.0;
  for (int k = 1; k < 200 && term > exp_y * 0x1p-60; ++k) {
    term = term * y / k;
    exp_y += term;
  }
  return kTwoOverSqrtPi * x * series / exp_y;
}

double mills_ratio(double x) {
  if (std::isinf(x)) return 0.0;
  if (x < 5.0) return 0.5 * std::erfc(x * kInvSqrt2) / phi(x);
  // Laplace's continued fraction 1/(x+ 1/(x+ 2/(x+ 3/(x+ ...)))).
  double t = x;
  for (int k = 80; k >= 1; --k) t = x + k / t;
  return 1.0 / t;
}

namespace {

// erf(a/sqrt2) and erf(b/sqrt2) - erf(a/sqrt2) by reproducible_erf, kept for the
// last (a, b) of this thread: the two series cost ~235 ns, most of a small
// call's set-up, and calls mostly repeat their bounds.
void erf_pair(double a, double b, double& erf_a, double& erf_width) {
  thread_local uint64_t last_a = ~uint64_t{0}, last_b = ~uint64_t{0};  // NaN bits: never a bound
  thread_local double last_erf_a = 0.0, last_erf_width = 0.0;
  uint64_t bits_a, bits_b;
  std::memcpy(&bits_a, &a, sizeof a);
  std::memcpy(&bits_b, &b, sizeof b);
  if (bits_a != last_a || bits_b != last_b) {
    last_erf_a = reproducible_erf(a * kInvSqrt2);
    last_erf_width = reproducible_erf(b * kInvSqrt2) - last_erf_a;
    last_a = bits_a;
    last_b = bits_b;
  }
  erf_a = last_erf_a;
  erf_width = last_erf_width;
}

// The rejection proposal with the highest exact acceptance rate.
truncated_normal_plan plan_rejection(double lower, double upper) {
  using kernels::trunc_method;
  truncated_normal_plan plan;
  if (lower < 0.0 && upper > 0.0) {
    // The interval holds 0: plain normal rejection, or uniform if it is short.
    plan.a = lower;
    plan.b = upper;
    const double z = normal_cdf(upper) - normal_cdf(lower);
    plan.method = trunc_method::normal;
    plan.acceptance = z;
    if (std::isfinite(lower) && std::isfinite(upper)) {
      const double uniform_acc = z / ((upper - lower) * kInvSqrt2Pi);
      if (uniform_acc > plan.acceptance) {
        plan.method = trunc_method::uniform;
        plan.acceptance = uniform_acc;
        plan.m = 0.0;
      }
    }
    return plan;
  }
  // One side of 0: work on [a, b] with 0 <= a, mirroring a negative interval.
  plan.mirror = upper <= 0.0;
  const double a = plan.mirror ? -upper : lower;
  const double b = plan.mirror ? -lower : upper;
  plan.a = a;
  plan.b = b;
  // q = Z / phi(a) with Z = Phi(b) - Phi(a), without underflow in the tails.
  const double q =
      mills_ratio(a) - (std::isinf(b) ? 0.0 : mills_ratio(b) * std::exp(-0.5 * (b - a) * (b + a)));

  plan.method = trunc_method::half_normal;
  plan.acceptance = 2.0 * phi(a) * q;

  const double lambda = a + 2.0 / (a + std::hypot(a, 2.0));  // (a + sqrt(a^2 + 4)) / 2
  const double exp_acc = lambda * std::exp(-0.5 * (lambda - a) * (lambda - a)) * q;
  if (exp_acc > plan.acceptance) {
    plan.method = trunc_method::exponential;
    plan.acceptance = exp_acc;
    plan.lambda = lambda;
  }
  if (std::isfinite(b)) {
    // q / (b - a) loses digits when b - a is tiny; the density ratio over
    // [a, b] bounds the acceptance from below and is exact in that limit.
    const double uniform_acc = std::max(q / (b - a), std::exp(-0.5 * (b - a) * (b + a)));
    if (uniform_acc > plan.acceptance || !(plan.acceptance > 0.0)) {
      plan.method = trunc_method::uniform;
      plan.acceptance = uniform_acc;
      plan.m = a;
    }
  }
  return plan;
}

}  // namespace

truncated_normal_plan plan_truncated_normal(double lower, double upper, bool float32_compute) {
  const truncated_normal_plan rejection = plan_rejection(lower, upper);
  // float64: the normal and half-normal proposals (a Box-Muller pair per
  // block) beat the inverse CDF where they accept at least
  // kInverseCdf64MaxAcceptance; the uniform and exponential ones (a block and
  // an exp per candidate) never do inside the reach.
  const bool rejection_faster = (rejection.method == kernels::trunc_method::normal ||
                                 rejection.method == kernels::trunc_method::half_normal) &&
                                rejection.acceptance >= kInverseCdf64MaxAcceptance;
  if (lower >= -kInverseCdfReach && upper <= kInverseCdfReach &&
      (float32_compute || !rejection_faster)) {
    double erf_a, erf_width;
    erf_pair(lower, upper, erf_a, erf_width);
    if (erf_width >= 2.0 * (float32_compute ? kInverseCdfMinMass : kInverseCdf64MinMass)) {
      truncated_normal_plan plan;
      plan.method = kernels::trunc_method::inverse_cdf;
      plan.a = lower;
      plan.b = upper;
      plan.erf_a = erf_a;
      plan.erf_width = erf_width;
      return plan;  // acceptance 1: no rejection
    }
  }
  if (!float32_compute && rejection_faster && rejection.a >= -kInverseCdfReach &&
      rejection.b <= kInverseCdfReach) {
    // Its rejected candidates are redrawn once by the inverse CDF of the
    // sampled interval (acceptance >= 0.9 gives it far more than the least
    // mass the float64 inverse CDF takes).
    truncated_normal_plan plan = rejection;
    plan.inverse_cdf_retries = true;
    erf_pair(plan.a, plan.b, plan.erf_a, plan.erf_width);
    return plan;
  }
  return rejection;
}

}  // namespace turboinit
