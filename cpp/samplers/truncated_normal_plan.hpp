// Choosing the rejection sampler of a truncated standard normal on [a, b]:
// the proposal with the highest exact acceptance rate among normal,
// half-normal, uniform and Robert's (1995) exponential proposals.  The best
// of them accepts at least ~0.4 of candidates for every a < b, so the
// expected work per element is bounded everywhere.
#pragma once

#include "simd/kernels.hpp"

namespace turboinit {

// The names of kernels::trunc_method, indexed by its value.
inline constexpr const char* kTruncMethodNames[] = {"normal", "half_normal", "uniform",
                                                    "exponential"};

struct truncated_normal_plan {
  kernels::trunc_method method = kernels::trunc_method::normal;
  double a = 0.0, b = 0.0;  // the interval the proposal samples, mirrored if needed
  bool mirror = false;      // sample on [-upper, -lower] and negate
  double lambda = 0.0;      // exponential rate
  double m = 0.0;           // point of [a, b] closest to 0 (uniform proposal)
  double acceptance = 1.0;  // exact probability that a candidate is accepted
};

// lower < upper, either may be infinite.
truncated_normal_plan plan_truncated_normal(double lower, double upper);

// Mills ratio (1 - Phi(x)) / phi(x) for x >= 0 (0 at +inf), accurate in the far tail.
double mills_ratio(double x);

}  // namespace turboinit
