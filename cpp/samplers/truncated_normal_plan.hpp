// Choosing the sampler of a truncated standard normal on [a, b].  An interval
// inside [-kInverseCdfReach, kInverseCdfReach] is drawn by the inverse CDF (no
// rejection): in float32 compute (one word per value) if it holds at least
// kInverseCdfMinMass of the normal's mass; in float64 (two words per value) if
// it holds at least kInverseCdf64MinMass, unless the best rejection proposal
// is the normal or half-normal one accepting at least
// kInverseCdf64MaxAcceptance: then that proposal, its rejected candidates
// redrawn once by the float64 inverse CDF (inverse_cdf_retries).  Otherwise:
// the rejection proposal with
// the highest exact acceptance rate among normal, half-normal, uniform and
// Robert's (1995) exponential proposals.  The best of them accepts at least
// ~0.4 of candidates for every a < b, so the expected work per element is
// bounded everywhere.
#pragma once

#include "simd/kernels.hpp"

namespace turboinit {

// The names of kernels::trunc_method, indexed by its value.
inline constexpr const char* kTruncMethodNames[] = {"normal", "half_normal", "uniform",
                                                    "exponential", "inverse_cdf"};

// Where the float32 inverse CDF's polynomial is fitted (|x| <= 3, see
// inverse_cdf_sampler in simd/samplers-inl.hpp), and the least mass
// Phi(b) - Phi(a) it takes: below it, the float32 grid of erf values across
// the interval would be coarser than 2^21 steps, and the rejection samplers
// resolve the interval finer.
inline constexpr double kInverseCdfReach = 3.0;
inline constexpr double kInverseCdfMinMass = 1.0 / 16;
// float64 compute keeps the normal or half-normal rejection proposal where it
// accepts at least this: the inverse CDF's 53-bit uniforms cost two words per
// value and its polynomial is long, so there Box-Muller rejection is as fast
// or faster (docs/performance.md).
inline constexpr double kInverseCdf64MaxAcceptance = 0.9;
// The least mass the float64 inverse CDF takes: erf(b/sqrt2) - erf(a/sqrt2) is
// then known to a relative 2e-9 (each erf within 5.3 ulp), and its 53-bit grid
// of e values is still fine; narrower intervals keep the uniform proposal.
inline constexpr double kInverseCdf64MinMass = 0x1p-20;

struct truncated_normal_plan {
  kernels::trunc_method method = kernels::trunc_method::normal;
  double a = 0.0, b = 0.0;              // the interval the proposal samples, mirrored if needed
  bool mirror = false;                  // sample on [-upper, -lower] and negate
  double lambda = 0.0;                  // exponential rate
  double m = 0.0;                       // point of [a, b] closest to 0 (uniform proposal)
  double acceptance = 1.0;              // exact probability that a candidate is accepted
  double erf_a = 0.0, erf_width = 0.0;  // inverse_cdf: erf(a/sqrt2), erf(b/sqrt2) - erf(a/sqrt2)
  // float64, normal or half-normal proposal on [a, b] inside [-kInverseCdfReach,
  // kInverseCdfReach]: a rejected candidate is redrawn once, by the inverse
  // CDF (erf_a, erf_width set), instead of by the proposal again.
  bool inverse_cdf_retries = false;
};

// lower < upper, either may be infinite; float32_compute: the output dtype
// computes in float32 (float32, float16, bfloat16).
truncated_normal_plan plan_truncated_normal(double lower, double upper, bool float32_compute);

// erf(x) from + * / alone (the same bits on every machine), for |x| <= 3/sqrt2:
// the inverse CDF's erf(a/sqrt2) and erf(b/sqrt2).
double reproducible_erf(double x);

// Mills ratio (1 - Phi(x)) / phi(x) for x >= 0 (0 at +inf), accurate in the far tail.
double mills_ratio(double x);

}  // namespace turboinit
