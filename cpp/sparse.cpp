#include "sparse.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>

#include "dispatch.hpp"
#include "distributions.hpp"
#include "kernels.hpp"
#include "region.hpp"

namespace turboinit {
namespace {

constexpr uint64_t kWorkPerChunk = uint64_t{1} << 16;  // elements touched per parallel chunk
// Below this share of kept entries a row is written entry by entry; above it,
// the whole row is generated and the rest zeroed (same values either way).
constexpr uint64_t kDenseRowDivisor = 16;

std::string num(double x) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", x);
  return buf;
}

// 64-bit random words of one unit: two per Philox block.
class unit_draws {
 public:
  unit_draws(const philox_stream& stream, uint64_t unit)
      : key_(stream.key), block_(stream.block_offset + unit) {}

  uint64_t next() {
    if (half_ == 0) {
      if (draw_block_ > std::numeric_limits<uint32_t>::max())
        throw std::overflow_error("sparse: a unit needs more than 2^33 random draws");
      words_ = philox4x32({uint32_t(block_), uint32_t(block_ >> 32), uint32_t(draw_block_),
                           kSparseCounterTag},
                          key_);
      ++draw_block_;
    }
    const uint64_t lo = words_[2 * half_], hi = words_[2 * half_ + 1];
    half_ ^= 1;
    return lo | (hi << 32);
  }

  // Uniform on [0, range), range >= 1, without bias (Lemire 2019).
  uint64_t below(uint64_t range) {
    __uint128_t m = static_cast<__uint128_t>(next()) * range;
    uint64_t low = static_cast<uint64_t>(m);
    if (low < range) {
      const uint64_t threshold = (0 - range) % range;
      while (low < threshold) {
        m = static_cast<__uint128_t>(next()) * range;
        low = static_cast<uint64_t>(m);
      }
    }
    return static_cast<uint64_t>(m >> 64);
  }

 private:
  philox_key key_;
  uint64_t block_;
  uint64_t draw_block_ = 0;
  unsigned half_ = 0;
  philox_counter words_{};
};

bool test_bit(const std::vector<uint64_t>& bits, uint64_t i) { return (bits[i >> 6] >> (i & 63)) & 1u; }
void set_bit(std::vector<uint64_t>& bits, uint64_t i) { bits[i >> 6] |= uint64_t{1} << (i & 63); }
void clear_bit(std::vector<uint64_t>& bits, uint64_t i) { bits[i >> 6] &= ~(uint64_t{1} << (i & 63)); }

void validate(dtype t, uint64_t rows, uint64_t cols, const philox_stream& stream, double std,
              sparse_mode mode, uint64_t count) {
  if (!std::isfinite(std)) throw std::invalid_argument("std: must be finite, got " + num(std));
  if (std < 0) throw std::invalid_argument("std: must be >= 0, got " + num(std));
  const double reach = max_standard_normal(t) * std;
  if (!(std::fabs(round_to(t, reach)) <= max_finite(t)))
    throw std::overflow_error("std: N(0, " + num(std) + "^2) samples can reach " + num(reach) +
                              ", beyond the largest " + dtype_name(t) + " (" +
                              num(max_finite(t)) + ")");
  const uint64_t limit = mode == sparse_mode::zeros_per_column ? rows : cols;
  if (mode != sparse_mode::zeros_per_column && mode != sparse_mode::nonzeros_per_row)
    throw std::invalid_argument("mode: expected 0 (zeros per column) or 1 (non-zeros per row)");
  if (count > limit)
    throw std::invalid_argument(
        std::string(mode == sparse_mode::zeros_per_column ? "zeros per column" : "nonzero_per_unit") +
        ": " + std::to_string(count) + " exceeds the " +
        (mode == sparse_mode::zeros_per_column ? "rows" : "columns") + " (" +
        std::to_string(limit) + ")");
  tensor_region::whole({rows, cols}).validate();
  uint64_t size = 0, end = 0;
  if (__builtin_mul_overflow(rows, cols, &size) ||
      __builtin_add_overflow(stream.block_offset, size, &end) ||
      __builtin_add_overflow(end, uint64_t{64}, &end))
    throw std::overflow_error(
        "stream: the tensor does not fit in the counter space left after the offset");
}

void zero_columns(char* out, std::size_t item, uint64_t rows, uint64_t cols,
                  const philox_stream& stream, uint64_t zeros, const exec_options& options) {
  if (zeros == 0) return;
  const uint64_t grain = std::max<uint64_t>(1, kWorkPerChunk / zeros);
  parallel_for(
      cols, grain,
      [&](uint64_t c0, uint64_t c1) {
        std::vector<uint64_t> chosen, seen((rows + 63) / 64, 0);
        chosen.reserve(zeros);
        for (uint64_t c = c0; c < c1; ++c) {
          chosen.clear();
          sparse_positions(stream, c, rows, zeros, chosen, seen);
          for (const uint64_t r : chosen) std::memset(out + (r * cols + c) * item, 0, item);
        }
      },
      options);
}

void fill_rows(char* out, dtype t, uint64_t rows, uint64_t cols, const philox_stream& stream,
               double std, uint64_t keep, const exec_options& options) {
  const std::size_t item = itemsize(t);
  kernels::normal_args args;  // exactly what fill_normal(mean=0, std) uses
  args.stream = stream;
  args.store = {t, 0.0, std, -std::numeric_limits<double>::infinity(),
                std::numeric_limits<double>::infinity()};
  const auto& k = active_kernel();
  const bool dense = keep * kDenseRowDivisor >= cols;
  const uint64_t grain = std::max<uint64_t>(1, kWorkPerChunk / std::max<uint64_t>(1, cols));
  parallel_for(
      rows, grain,
      [&](uint64_t r0, uint64_t r1) {
        std::vector<uint64_t> chosen, seen((cols + 63) / 64, 0);
        chosen.reserve(keep);
        for (uint64_t r = r0; r < r1; ++r) {
          char* row = out + r * cols * item;
          const uint64_t first = r * cols;
          chosen.clear();
          sparse_positions(stream, r, cols, keep, chosen, seen);
          if (dense) {
            // One kernel call for the row, then zero the gaps between kept entries.
            k.normal(args, first, cols, row);
            std::sort(chosen.begin(), chosen.end());
            uint64_t from = 0;
            for (const uint64_t c : chosen) {
              std::memset(row + from * item, 0, (c - from) * item);
              from = c + 1;
            }
            std::memset(row + from * item, 0, (cols - from) * item);
          } else {
            std::memset(row, 0, cols * item);
            for (const uint64_t c : chosen) k.normal(args, first + c, 1, row + c * item);
          }
        }
      },
      options);
}

}  // namespace

void sparse_positions(const philox_stream& stream, uint64_t unit, uint64_t n, uint64_t k,
                      std::vector<uint64_t>& chosen, std::vector<uint64_t>& seen) {
  // Floyd's algorithm: k draws for k distinct positions, each k-subset equally likely.
  unit_draws draws(stream, unit);
  const std::size_t begin = chosen.size();
  for (uint64_t j = n - k; j < n; ++j) {
    uint64_t pos = draws.below(j + 1);
    if (test_bit(seen, pos)) pos = j;
    set_bit(seen, pos);
    chosen.push_back(pos);
  }
  for (std::size_t i = begin; i < chosen.size(); ++i) clear_bit(seen, chosen[i]);
}

void fill_sparse(void* out, dtype t, uint64_t rows, uint64_t cols, const philox_stream& stream,
                 double std, sparse_mode mode, uint64_t count, const exec_options& options) {
  validate(t, rows, cols, stream, std, mode, count);
  if (rows == 0 || cols == 0) return;
  char* dst = static_cast<char*>(out);
  if (mode == sparse_mode::zeros_per_column) {
    fill_normal(out, t, tensor_region::whole({rows, cols}), stream, 0.0, std, options);
    zero_columns(dst, itemsize(t), rows, cols, stream, count, options);
  } else {
    fill_rows(dst, t, rows, cols, stream, std, count, options);
  }
}

}  // namespace turboinit
