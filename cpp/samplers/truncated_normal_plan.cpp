#include "samplers/truncated_normal_plan.hpp"

#include <cmath>
#include <algorithm>
#include <limits>

namespace turboinit {
namespace {

constexpr double kInvSqrt2 = 0.70710678118654752440;
constexpr double kInvSqrt2Pi = 0.39894228040143267794;

double phi(double x) { return kInvSqrt2Pi * std::exp(-0.5 * x * x); }
double normal_cdf(double x) { return 0.5 * std::erfc(-x * kInvSqrt2); }

}  // namespace

double mills_ratio(double x) {
  if (std::isinf(x)) return 0.0;
  if (x < 5.0) return 0.5 * std::erfc(x * kInvSqrt2) / phi(x);
  // Laplace's continued fraction 1/(x+ 1/(x+ 2/(x+ 3/(x+ ...)))).
  double t = x;
  for (int k = 80; k >= 1; --k) t = x + k / t;
  return 1.0 / t;
}

truncated_normal_plan plan_truncated_normal(double lower, double upper, bool float32_compute) {
  using kernels::trunc_method;
  truncated_normal_plan plan;
  if (float32_compute && lower >= -kInverseCdfReach && upper <= kInverseCdfReach) {
    const double erf_a = std::erf(lower * kInvSqrt2);
    const double erf_width = std::erf(upper * kInvSqrt2) - erf_a;
    if (erf_width >= 2.0 * kInverseCdfMinMass) {
      plan.method = trunc_method::inverse_cdf;
      plan.a = lower;
      plan.b = upper;
      plan.erf_a = erf_a;
      plan.erf_width = erf_width;
      return plan;  // acceptance 1: no rejection
    }
  }
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

}  // namespace turboinit
