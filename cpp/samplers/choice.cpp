#include "samplers/choice.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "runtime/dispatch.hpp"
#include "runtime/errors.hpp"
#include "samplers/distributions.hpp"
#include "simd/kernels.hpp"
#include "tensor/region_fill.hpp"

namespace turboinit {
namespace {

constexpr uint64_t kMaxBuckets = uint64_t{1} << 22;  // a 32 MiB table at most
constexpr uint64_t kTableGrain = uint64_t{1} << 14;  // table entries per parallel chunk
// Uniforms made and searched at a time: 8 KiB, still in L1 when the search
// reads them back.
constexpr uint64_t kPass = 1024;

uint64_t bucket_count(uint64_t n, uint64_t draws) {
  const uint64_t want = std::min({n, std::max<uint64_t>(draws, 1), kMaxBuckets});
  uint64_t m = 1;
  while (m < want) m <<= 1;
  return m;
}

void check_cdf(const double* cdf, uint64_t n) {
  if (n == 0) throw std::invalid_argument("cdf: must hold at least one value");
  if (std::isnan(cdf[0])) throw std::invalid_argument("cdf: cdf[0] is NaN");
  for (uint64_t i = 1; i < n; ++i)
    if (!(cdf[i - 1] <= cdf[i]))  // also NaN
      throw std::invalid_argument("cdf: must be non-decreasing and not NaN, got cdf[" +
                                  std::to_string(i - 1) + "] = " + num(cdf[i - 1]) + ", cdf[" +
                                  std::to_string(i) + "] = " + num(cdf[i]));
}

}  // namespace

cdf_inverse::cdf_inverse(const double* cdf, uint64_t n, uint64_t draws, const exec_options& options)
    : cdf_(cdf) {
  check_cdf(cdf, n);
  buckets_ = bucket_count(n, draws);
  scale_ = static_cast<double>(buckets_);
  guide_.resize(buckets_ + 1);
  guide_[buckets_] = n - 1;
  // guide[j] = min(first i with cdf[i] > j/m, n - 1); j/m is exact (m = 2^k).
  // Each chunk finds its first entry by binary search, then walks forward.
  const double step = 1.0 / scale_;
  const uint64_t last = n - 1;
  parallel_for(
      buckets_, kTableGrain,
      [&](uint64_t j0, uint64_t j1) {
        uint64_t i = upper(0, last, static_cast<double>(j0) * step);
        guide_[j0] = i;
        for (uint64_t j = j0 + 1; j < j1; ++j) {
          const double t = static_cast<double>(j) * step;
          const uint64_t stop = std::min(i + kScan, last);
          while (i < stop && cdf_[i] <= t) ++i;
          if (i == stop && i < last && cdf_[i] <= t) i = upper(i, last, t);
          guide_[j] = i;
        }
      },
      options);
}

uint64_t cdf_inverse::upper(uint64_t lo, uint64_t hi, double u) const {
  return static_cast<uint64_t>(std::upper_bound(cdf_ + lo, cdf_ + hi, u) - cdf_);
}

void cdf_inverse::invert(const double* u, int64_t* out, uint64_t count) const {
  const double* const cdf = cdf_;
  const uint64_t* const guide = guide_.data();
  const uint64_t last_bucket = buckets_ - 1;
  const double scale = scale_;
  for (uint64_t i = 0; i < count; ++i) {
    const double x = u[i];
    // x * scale < 2^22 (x < 1): the signed conversion is one instruction.
    const uint64_t j =
        std::min(static_cast<uint64_t>(static_cast<int64_t>(x * scale)), last_bucket);
    const uint64_t lo = guide[j], hi = guide[j + 1], d = hi - lo;
    if (d <= 2) {
      // Most buckets (about n / m cdf values each): the answer is lo plus the
      // number of cdf[lo], cdf[lo + 1] (those before hi) that are <= x,
      // counted without a branch.  lo + (d > 0) <= hi <= n - 1 is in range.
      const double c0 = cdf[lo], c1 = cdf[lo + (d > 0)];
      out[i] = static_cast<int64_t>(lo + ((d > 0) & (c0 <= x)) + ((d > 1) & (c1 <= x)));
    } else {
      out[i] = static_cast<int64_t>(upper(lo, hi, x));
    }
  }
}

void fill_choice(int64_t* out, const double* cdf, uint64_t n, const tensor_region& region,
                 const philox_stream& stream, const exec_options& options) {
  const kernels::uniform_args args = plan_uniform(dtype::float64, region, stream, 0.0, 1.0);
  const cdf_inverse inverse(cdf, n, region.size(), options);
  const auto& k = active_kernel();
  fill_region(out, sizeof(int64_t), region, options,
              [&](uint64_t first, uint64_t count, void* dst) {
                double u[kPass];
                int64_t* const idx = static_cast<int64_t*>(dst);
                for (uint64_t s = 0; s < count; s += kPass) {
                  const uint64_t c = std::min(kPass, count - s);
                  k.uniform(args, first + s, c, u);
                  inverse.invert(u, idx + s, c);
                }
              });
}

}  // namespace turboinit
