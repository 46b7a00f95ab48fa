// Sparse initialisation of a (rows, cols) weight matrix in PyTorch's (out, in)
// layout: PyTorch's sparse_ (a fixed number of zeros per column) and Martens's
// (2010) scheme (a fixed number of non-zero incoming weights per output unit,
// i.e. per row).
//
// Which entries are zero is drawn per unit (column or row) with Philox
// counters that name the unit, so it never depends on threads or chunking.
// The non-zero values are exactly the values fill_normal gives at the same
// flat indices, so sparse == where(mask, normal, 0) bit for bit.
#pragma once

#include <cstdint>
#include <limits>
#include <stdexcept>

#include "samplers/bounded.hpp"
#include "tensor/dtype.hpp"
#include "runtime/parallel.hpp"
#include "rng/philox.hpp"
#include "tensor/region.hpp"

namespace turboinit {

// Counter word 3 of every draw that picks sparse positions.  The samplers
// keep word 3 at zero, so these draws never reuse a sampler's counter.
inline constexpr uint32_t kSparseCounterTag = 0x53505253u;  // "SPRS"

enum class sparse_mode : int {
  zeros_per_column = 0,  // PyTorch: N(0, std^2), then `count` zeros in every column
  nonzeros_per_row = 1,  // Martens: `count` N(0, std^2) entries in every row, zeros elsewhere
};
// The Python names of sparse_mode, indexed by its value.
inline constexpr const char* kSparseModeNames[] = {"zeros_per_column", "nonzeros_per_row"};

// Fills `region` of the row-major (rows, cols) matrix region.shape into `out`
// (region.size() elements of dtype `t`, row-major), bit for bit equal to that
// region of the whole.  Requires a 2-D region, count <= rows
// (zeros_per_column) or count <= cols (nonzeros_per_row), std finite and
// >= 0.  Throws std::invalid_argument / std::overflow_error (naming the
// argument) before writing anything.
void fill_sparse(void* out, dtype t, const tensor_region& region, const philox_stream& stream,
                 double std, sparse_mode mode, uint64_t count, const exec_options& options);

// The 64-bit random words of one unit: block b = block_offset + unit gives
// the counters (lo(b), hi(b), d, kSparseCounterTag), d = 0, 1, ..., two words each.
class sparse_draws {
 public:
  sparse_draws(const philox_stream& stream, uint64_t unit)
      : key_(stream.key), block_(stream.block_offset + unit) {}

  uint64_t next() {
    if (half_ == 0) {
      if (draw_block_ > std::numeric_limits<uint32_t>::max())
        throw std::overflow_error("sparse: a unit needs more than 2^33 random draws");
      words_ = philox4x32(
          {uint32_t(block_), uint32_t(block_ >> 32), uint32_t(draw_block_), kSparseCounterTag},
          key_);
      ++draw_block_;
    }
    const uint64_t lo = words_[2 * half_], hi = words_[2 * half_ + 1];
    half_ ^= 1u;
    return lo | (hi << 32);
  }

  // Uniform on [0, range), range >= 1, without bias (samplers/bounded.hpp).
  uint64_t below(uint64_t range) {
    uint64_t t = bounded::kUnknown, v = 0;
    while (!bounded::accept(next(), range, t, v)) {
    }
    return v;
  }

 private:
  philox_key key_;
  uint64_t block_;
  uint64_t draw_block_ = 0;
  unsigned half_ = 0;
  philox_counter words_{};
};

// A uniformly random k-subset of [0, n) for unit `unit`: Floyd's algorithm,
// k draws.  `marked(p)` says whether p is already in this unit's subset;
// `mark(p)` adds it.  The subset depends only on (key, block_offset, unit, n,
// k), not on how it is stored.  Callers draw min(k, n - k) positions and take
// the complement when k > n / 2 (sparse_complement).
template <class Marked, class Mark>
void sparse_select(const philox_stream& stream, uint64_t unit, uint64_t n, uint64_t k,
                   Marked&& marked, Mark&& mark) {
  sparse_draws draws(stream, unit);
  for (uint64_t j = n - k; j < n; ++j) {
    const uint64_t pos = draws.below(j + 1);
    mark(marked(pos) ? j : pos);
  }
}

// Whether a unit with k of n positions chosen draws the n - k others instead.
inline bool sparse_complement(uint64_t n, uint64_t k) { return k > n - k; }

}  // namespace turboinit
