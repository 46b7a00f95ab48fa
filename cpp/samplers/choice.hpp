// choice with probabilities: the inverse of a discrete cumulative distribution
// at the uniforms of fill_uniform, as NumPy's Generator.choice computes it
// (searchsorted(cdf, u, side="right")), searched in O(1) expected time per
// element through a guide table (Chen and Asau 1974, "indexed search").
#pragma once

#include <cstdint>
#include <vector>

#include "rng/philox.hpp"
#include "runtime/parallel.hpp"
#include "tensor/region.hpp"

namespace turboinit {

// A non-decreasing cdf[0..n) and its guide table: m = 2^k buckets, bucket j
// holds the u in [j/m, (j+1)/m) (u * m is exact, so floor(u * m) = j puts u
// in its bucket without rounding), and guide[j] is the answer for u = j/m.
// Answers are monotone in u, so the answer for any u in bucket j lies in
// [guide[j], guide[j + 1]] (guide[m] = n - 1): two comparisons, or a binary
// search when the bucket holds more than two cdf values.  A uniform u's
// bucket holds about n / m cdf values on average, whatever their spacing
// (at most 1 unless the table is capped).
class cdf_inverse {
 public:
  // Checks the cdf (n >= 1, no NaN, non-decreasing: std::invalid_argument
  // naming `cdf` otherwise) and builds the table, in parallel, for about
  // `draws` searches: m is the power of two >= min(n, draws), at most 2^22.
  // The cdf must outlive the object.
  cdf_inverse(const double* cdf, uint64_t n, uint64_t draws, const exec_options& options);

  // out[i] = min(first j with cdf[j] > u[i], n - 1): NumPy's
  // searchsorted(cdf, u, side="right") clipped to n - 1, exactly, for any
  // u[i] in [0, 1).
  void invert(const double* u, int64_t* out, uint64_t count) const;

 private:
  static constexpr uint64_t kScan = 8;  // table build: longer steps by binary search

  // The first i in [lo, hi) with cdf[i] > u, or hi.
  uint64_t upper(uint64_t lo, uint64_t hi, double u) const;

  const double* cdf_;
  uint64_t buckets_;
  double scale_;                 // buckets_, as a double
  std::vector<uint64_t> guide_;  // buckets_ + 1 entries
};

// Writes region.size() int64 values to `out`, in the region's row-major
// order: element i is cdf_inverse::invert's answer for u_i, the float64
// uniform that fill_uniform(float64, low 0, high 1) gives at flat index i
// with the same stream (made and searched in one pass, by chunks, so any
// thread count and SIMD kernel give the same values).  Throws std::invalid_argument for a
// bad cdf and std::overflow_error when the counters do not fit, before
// writing anything.
void fill_choice(int64_t* out, const double* cdf, uint64_t n, const tensor_region& region,
                 const philox_stream& stream, const exec_options& options);

}  // namespace turboinit
