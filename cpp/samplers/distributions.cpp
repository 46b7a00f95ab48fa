#include "samplers/distributions.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>

#include "runtime/dispatch.hpp"
#include "runtime/errors.hpp"
#include "simd/kernels.hpp"
#include "tensor/region_fill.hpp"
#include "samplers/truncated_normal_plan.hpp"

namespace turboinit {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

void require_finite(double x, const char* name) {
  if (!std::isfinite(x))
    throw std::invalid_argument(std::string(name) + ": must be finite, got " + num(x));
}

void prepare(const tensor_region& region, const philox_stream& stream, dtype t,
             bool two_uniforms = false) {
  region.validate();
  check_counter_space(region, stream,
                      kernels::candidates_per_block(computes_in_double(t), two_uniforms));
}

// The weight of the last bit of a float32 (normal) value v != 0; of 2^-149 for
// a subnormal one.
double float32_lsb(float v) {
  return std::fpclassify(v) == FP_NORMAL ? std::ldexp(1.0, std::ilogb(v) - 23) : 0x1p-149;
}

// Whether the float32 store y = (x * scale) + offset (two roundings, on the
// float32 values of scale and offset), clamped to [lo, hi], is never
// subnormal when every nonzero |x| is at least x_min (0: unknown), nor NaN
// (x is finite: only the uniform, normal and truncated normal set-ups ask).
//  * |offset| >= 2^-100: where |p| = |fl(x scale)| <= |offset| / 2, |y| >=
//    |offset| / 2 >= 2^-101; elsewhere both p and offset are at least 2^-101,
//    so multiples of 2^-124, and so is their sum: 0 or at least 2^-124.
//  * offset == 0: y = p, and |x scale| >= |scale| x_min >= 2^-125 for x != 0.
// lo and hi (the values clamped to) must be zero, infinite or normal.
bool store_never_subnormal(dtype t, const kernels::affine_store& s, double x_min) {
  if (computes_in_double(t)) return false;
  auto zero_inf_or_normal = [](double v) {
    const float f = float(v);
    return f == 0.0f || std::isinf(f) || std::fpclassify(f) == FP_NORMAL;
  };
  if (!zero_inf_or_normal(s.lo) || !zero_inf_or_normal(s.hi)) return false;
  const float offset = float(s.offset), scale = float(s.scale);
  if (!std::isfinite(offset) || !std::isfinite(scale)) return false;
  if (std::fabs(offset) >= 0x1p-100f) return true;
  return offset == 0.0f && double(std::fabs(scale)) * x_min >= 0x1p-125;
}

// The smallest nonzero |x| of the float32 samplers: a uniform is a multiple of
// 2^-24; a Box-Muller normal is r s with r >= sqrt(-2 log(1 - 2^-24)) > 2^-12
// and |s| (a sine or cosine of (pi/2) g, g a multiple of 2^-22) > 2^-22.
constexpr double kUniformMin32 = kernels::kUniformStep32;
constexpr double kNormalMin32 = 0x1p-34;

// What the kernels store for x before the clamp and the rounding to t:
// (x * scale) + offset, two roundings in the compute type (affine_clamp in
// simd/samplers-inl.hpp); x must be exact in that type.
double stored_value(dtype t, const kernels::affine_store& s, double x) {
  if (computes_in_double(t)) return x * s.scale + s.offset;
  return double(float(x) * float(s.scale) + float(s.offset));
}

// Drop the sides of the uniform's clamp that change no value (set to -inf /
// inf; the kernels then skip them: the same bits).  The store y = (x * scale)
// + offset (two roundings in the compute type; scale >= 0) is nondecreasing
// in x, so the lower side is idle when y(0) >= lo and the upper one when
// y(x_max) <= hi, x_max = 1 - 2^-24 in float32 compute, 1 - 2^-53 in float64
// (the largest uniforms, kernels::kUniformStep32 / kUniformStep64 below 1).
void drop_idle_clamp_sides(dtype t, kernels::affine_store& s) {
  if (!(s.scale >= 0.0)) return;
  const double step = computes_in_double(t) ? kernels::kUniformStep64 : kernels::kUniformStep32;
  const double y0 = stored_value(t, s, 0.0), y1 = stored_value(t, s, 1.0 - step);
  if (s.lo <= y0) s.lo = -kInf;
  if (y1 <= s.hi) s.hi = kInf;
}

// The 16-bit uniform's upper clamp folded into its draw, where that gives the
// same bits.  The store y(k) = fl(fl(k 2^-24 scale) + offset) of the float32
// uniform's 24-bit integer k (its word's top) is nondecreasing in k.  With
// k_max the last k with y(k) <= hi: for k <= k_max the clamp does nothing, and
// for k > k_max it stores hi, which is what y(k_max) stores too if it rounds
// to hi in the dtype (checked here).  Then capping every word at k_max's
// largest word gives the clamp's bits and the store needs no clamp: one
// vector min on the words instead of one on the values, a float16 uniform on
// [0, 1) in cache 0.276 -> 0.270 ns per value (benchmarks/results/ab/f16_clamp/).
// Returns the cap, or kernels::kNoWordCap where the clamp stays.
uint32_t cap_uniform_words(dtype t, const kernels::affine_store& s) {
  if (t != dtype::float16 && t != dtype::bfloat16) return kernels::kNoWordCap;
  if (s.lo != -kInf || !std::isfinite(s.hi) || !(s.scale > 0.0)) return kernels::kNoWordCap;
  const float hi = float(s.hi);
  if (std::fpclassify(hi) != FP_NORMAL && hi != 0.0f) return kernels::kNoWordCap;
  auto y = [&](uint32_t k) {  // k 2^-24 is exact in float32
    return float(stored_value(t, s, double(k) * kernels::kUniformStep32));
  };
  uint32_t last = 0, over = (1u << 24) - 1;  // y(last) <= hi < y(over)
  if (!(y(last) <= hi) || y(over) <= hi) return kernels::kNoWordCap;
  while (over - last > 1) {
    const uint32_t mid = last + (over - last) / 2;
    (y(mid) <= hi ? last : over) = mid;
  }
  if (round_to(t, double(y(last))) != double(hi)) return kernels::kNoWordCap;
  return (last << 8) | 0xffu;
}

kernels::uniform_args uniform_setup(dtype t, double low, double high) {
  require_finite(low, "low");
  require_finite(high, "high");
  if (high < low)
    throw std::invalid_argument("high: must be >= low, got low=" + num(low) +
                                ", high=" + num(high));
  // Samples of [low, high) must all round to finite values of the dtype.
  const double limit = overflow_threshold(t);
  if (high > limit || low <= -limit)
    throw std::overflow_error(std::string("low, high: [") + num(low) + ", " + num(high) +
                              ") reaches beyond the largest " + dtype_name(t) + " (" +
                              num(max_finite(t)) + ")");
  kernels::uniform_args args;
  args.store.out = t;
  args.store.offset = low;
  const double span = high - low;
  const double span_c = computes_in_double(t) ? span : double(float(span));
  if (!std::isfinite(span_c))
    throw std::overflow_error("high - low: range " + num(span) + " overflows " +
                              (computes_in_double(t) ? "float64" : "float32"));
  args.store.scale = span_c;
  if (high == low) {
    const double v = round_to(t, low);
    if (!std::isfinite(v))
      throw std::overflow_error(std::string("low: not representable as ") + dtype_name(t));
    args.store.lo = args.store.hi = v;
  } else {
    args.store.lo = representable_at_or_above(t, low);
    args.store.hi = representable_below(t, high);
    if (!(args.store.lo <= args.store.hi))
      throw std::invalid_argument(std::string("low, high: no ") + dtype_name(t) +
                                  " value lies in [" + num(low) + ", " + num(high) + ")");
    drop_idle_clamp_sides(t, args.store);
  }
  args.store.never_subnormal = store_never_subnormal(t, args.store, kUniformMin32);
  args.word_cap = cap_uniform_words(t, args.store);
  if (args.word_cap != kernels::kNoWordCap) args.store.hi = kInf;  // the cap is the clamp
  return args;
}

// The kernel's arguments (all but the stream) and whether its proposal takes
// two uniforms per candidate; every parameter rule is checked here.
std::pair<kernels::truncated_normal_args, bool> truncated_normal_setup(dtype t, double mean,
                                                                       double std, double lower,
                                                                       double upper) {
  require_finite(mean, "mean");
  require_finite(std, "std");
  if (std < 0) throw std::invalid_argument("std: must be >= 0, got " + num(std));
  if (std::isnan(lower) || std::isnan(upper))
    throw std::invalid_argument("lower, upper: must not be NaN");
  if (!(lower < upper))
    throw std::invalid_argument("lower, upper: need lower < upper, got lower=" + num(lower) +
                                ", upper=" + num(upper));
  const truncated_normal_plan plan = plan_truncated_normal(lower, upper, !computes_in_double(t));
  kernels::truncated_normal_args args;
  args.method = plan.method;
  args.erf_a = plan.erf_a;
  args.erf_width = plan.erf_width;
  args.inverse_cdf_retries = plan.inverse_cdf_retries;
  // Bounds far beyond what the compute type can resolve behave like these.
  const double far = computes_in_double(t) ? 1e300 : 1e30;
  args.a = std::clamp(plan.a, -far, far);
  args.b = std::clamp(plan.b, -far, far);
  args.lambda = std::min(plan.lambda, far);
  args.m = std::clamp(plan.m, -far, far);
  args.store.out = t;
  args.store.offset = mean;
  args.store.scale = plan.mirror ? -std : std;
  // Bounds beyond every normal candidate: the first candidate is always
  // accepted, so the kernel can skip the test and the retry bookkeeping.
  args.never_rejects = plan.method == kernels::trunc_method::normal &&
                       plan.a <= -max_standard_normal(t) && plan.b >= max_standard_normal(t);

  if (std == 0.0) {
    const double v = round_to(t, mean);
    if (!std::isfinite(v))
      throw std::overflow_error("mean: " + num(mean) + " is beyond the largest " + dtype_name(t) +
                                " (" + num(max_finite(t)) + ")");
    args.store.lo = args.store.hi = v;
  } else {
    // The bounds as values of the output dtype, rounded inwards.
    const double lo_abs = std::isinf(lower) ? -kInf : mean + lower * std;
    const double hi_abs = std::isinf(upper) ? kInf : mean + upper * std;
    args.store.lo = representable_at_or_above(t, lo_abs);
    args.store.hi = representable_at_or_below(t, hi_abs);
    if (!(args.store.lo <= args.store.hi))
      throw std::invalid_argument(std::string("lower, upper: no ") + dtype_name(t) +
                                  " value lies in [mean + lower*std, mean + upper*std] = [" +
                                  num(lo_abs) + ", " + num(hi_abs) + "]");
    // What the samples can reach: the bounds, and within them the proposal's
    // own reach (a normal draw never exceeds zmax, an exponential tail draw
    // a + exp_tail / lambda).  Checking the bounds alone refused wide finite
    // bounds ([-1e5, 1e5] in float16, +-1e39 in float32) that [-inf, inf]
    // accepts, although both give the same samples.
    const double zmax = max_standard_normal(t);
    const double exp_tail = computes_in_double(t) ? 36.8 : 22.2;  // -log(smallest u)
    double x_min = plan.a, x_max = plan.b;
    switch (plan.method) {
      case kernels::trunc_method::normal:
        x_min = std::max(x_min, -zmax);
        x_max = std::min(x_max, zmax);
        break;
      case kernels::trunc_method::half_normal: x_max = std::min(x_max, zmax); break;
      case kernels::trunc_method::exponential:
        x_max = std::min(x_max, plan.a + exp_tail / plan.lambda);
        break;
      case kernels::trunc_method::uniform:
      case kernels::trunc_method::inverse_cdf: break;
    }
    for (double x : {x_min, x_max}) {
      const double v = mean + args.store.scale * x;
      if (!(std::fabs(round_to(t, v)) <= max_finite(t)))
        throw std::overflow_error("std: truncated normal samples can reach " + num(v) +
                                  ", beyond the largest " + dtype_name(t) +
                                  "; give finite bounds or a smaller std");
    }
  }
  if (args.inverse_cdf_retries) {
    // The store is monotone in x, so [a, b] maps between the images of its
    // ends; the clamp (y > lo ? y : lo, then y < hi ? y : hi) changes no bit
    // of those unless one lies beyond a bound, or on a zero bound (the other
    // zero's sign).
    const double ya = stored_value(t, args.store, args.a);
    const double yb = stored_value(t, args.store, args.b);
    const double y_lo = std::min(ya, yb), y_hi = std::max(ya, yb);
    const double lo = args.store.lo, hi = args.store.hi;
    args.accepted_unclamped =
        (y_lo > lo || (y_lo == lo && lo != 0.0)) && (y_hi < hi || (y_hi == hi && hi != 0.0));
  }
  // The smallest nonzero |x|: the normal proposals' is Box-Muller's (or a
  // bound's, the fallback); the inverse CDF's x = e P(w) has P >= 1.25 and
  // e = fma(c, step, erf_a) a multiple of the last bit of step or of erf_a;
  // the uniform and exponential proposals' is not bounded here (0: the store
  // keeps its test).
  double x_min = 0.0;
  if (plan.method == kernels::trunc_method::normal ||
      plan.method == kernels::trunc_method::half_normal) {
    x_min = kNormalMin32;
    // An element rejected 4096 times takes a bound (p < 2^-4096).
    for (double bound : {args.a, args.b})
      if (float(bound) != 0.0f) x_min = std::min<double>(x_min, std::fabs(float(bound)));
  }
  if (plan.method == kernels::trunc_method::inverse_cdf) {
    const float erf_a = kernels::inverse_cdf_erf_a(args), step = kernels::inverse_cdf_step(args);
    x_min = erf_a == 0.0f ? float32_lsb(step) : std::min(float32_lsb(step), float32_lsb(erf_a));
  }
  args.store.never_subnormal = store_never_subnormal(t, args.store, x_min);
  const bool two_uniforms = plan.method == kernels::trunc_method::uniform ||
                            plan.method == kernels::trunc_method::exponential;
  return {args, two_uniforms};
}

}  // namespace

double max_standard_normal(dtype out_dtype) {
  // sqrt(-2 log u) with u >= 2^-32 (float32: 6.660437) or 2^-53 (float64: 8.571674), times
  // |cos| or |sin| <= 1, rounded up with margin for the rounding of log and sqrt.  (Before
  // 0.1.0 these were 6.6604 and 8.5716: below the largest reachable values.)
  return computes_in_double(out_dtype) ? 8.5717 : 6.6605;
}

kernels::uniform_args plan_uniform(dtype t, const tensor_region& region,
                                   const philox_stream& stream, double low, double high) {
  kernels::uniform_args args = uniform_setup(t, low, high);
  prepare(region, stream, t);
  args.stream = stream;
  return args;
}

void fill_uniform(void* out, dtype t, const tensor_region& region, const philox_stream& stream,
                  double low, double high, const exec_options& options) {
  const kernels::uniform_args args = plan_uniform(t, region, stream, low, high);
  const auto& k = active_kernel();
  fill_region(out, itemsize(t), region, options, [&](uint64_t first, uint64_t count, void* dst) {
    k.uniform(args, first, count, dst);
  });
}

void check_uniform(dtype t, double low, double high) { uniform_setup(t, low, high); }

void fill_normal(void* out, dtype t, const tensor_region& region, const philox_stream& stream,
                 double mean, double std, const exec_options& options) {
  require_finite(mean, "mean");
  require_finite(std, "std");
  if (std < 0) throw std::invalid_argument("std: must be >= 0, got " + num(std));
  const double reach = std::fabs(mean) + max_standard_normal(t) * std;
  if (!(std::fabs(round_to(t, reach)) <= max_finite(t)))
    throw std::overflow_error("std: N(" + num(mean) + ", " + num(std) + "^2) samples can reach " +
                              num(reach) + ", beyond the largest " + dtype_name(t) + " (" +
                              num(max_finite(t)) + ")");
  prepare(region, stream, t);
  kernels::normal_args args;
  args.stream = stream;
  args.store = {t, mean, std, -kInf, kInf};
  args.store.never_subnormal = store_never_subnormal(t, args.store, kNormalMin32);
  const auto& k = active_kernel();
  fill_region(out, itemsize(t), region, options, [&](uint64_t first, uint64_t count, void* dst) {
    k.normal(args, first, count, dst);
  });
}

void fill_truncated_normal(void* out, dtype t, const tensor_region& region,
                           const philox_stream& stream, double mean, double std, double lower,
                           double upper, const exec_options& options) {
  auto [args, two_uniforms] = truncated_normal_setup(t, mean, std, lower, upper);
  prepare(region, stream, t, two_uniforms);
  args.stream = stream;
  const auto& k = active_kernel();
  fill_region(out, itemsize(t), region, options, [&](uint64_t first, uint64_t count, void* dst) {
    k.truncated_normal(args, first, count, dst);
  });
}

void check_truncated_normal(dtype t, double mean, double std, double lower, double upper) {
  truncated_normal_setup(t, mean, std, lower, upper);
}

void fill_bits(uint32_t* out, const tensor_region& region, const philox_stream& stream,
               const exec_options& options) {
  prepare(region, stream, dtype::float32);
  const auto& k = active_kernel();
  fill_region(out, 4, region, options, [&](uint64_t first, uint64_t count, void* dst) {
    k.bits(stream, first, count, static_cast<uint32_t*>(dst));
  });
}

}  // namespace turboinit
