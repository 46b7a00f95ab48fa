#include "sparse.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

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

inline int lowest_bit(uint64_t bits) { return __builtin_ctzll(bits); }
// Writes +0 (all bits clear in every dtype) to one element.
inline void zero_at(char* p, std::size_t item) {
  switch (item) {
    case 2: std::memset(p, 0, 2); break;
    case 4: std::memset(p, 0, 4); break;
    default: std::memset(p, 0, 8); break;
  }
}

// The word with the lowest `width` (<= 64) bits set.
inline uint64_t low_bits(uint64_t width) {
  return width >= 64 ? ~uint64_t{0} : (uint64_t{1} << width) - 1;
}

void validate(dtype t, uint64_t rows, uint64_t cols, const philox_stream& stream, double std,
              sparse_mode mode, uint64_t count) {
  if (mode != sparse_mode::zeros_per_column && mode != sparse_mode::nonzeros_per_row)
    throw std::invalid_argument("mode: expected 0 (zeros per column) or 1 (non-zeros per row)");
  if (!std::isfinite(std)) throw std::invalid_argument("std: must be finite, got " + num(std));
  if (std < 0) throw std::invalid_argument("std: must be >= 0, got " + num(std));
  const double reach = max_standard_normal(t) * std;
  if (!(std::fabs(round_to(t, reach)) <= max_finite(t)))
    throw std::overflow_error("std: N(0, " + num(std) + "^2) samples can reach " + num(reach) +
                              ", beyond the largest " + dtype_name(t) + " (" +
                              num(max_finite(t)) + ")");
  const bool per_column = mode == sparse_mode::zeros_per_column;
  const uint64_t limit = per_column ? rows : cols;
  if (count > limit)
    throw std::invalid_argument(std::string(per_column ? "zeros per column" : "nonzero_per_unit") +
                                ": " + std::to_string(count) + " exceeds the " +
                                (per_column ? "rows" : "columns") + " (" +
                                std::to_string(limit) + ")");
  uint64_t size = 0, end = 0;
  if (__builtin_mul_overflow(rows, cols, &size) ||
      __builtin_add_overflow(stream.block_offset, size, &end) ||
      __builtin_add_overflow(end, uint64_t{64}, &end))
    throw std::overflow_error(
        "stream: the tensor does not fit in the counter space left after the offset");
}

// PyTorch mode, after the normal fill: zero `zeros` entries of every column.
// Columns go in blocks of 64 so that one word per row holds the block's mask
// and the zeros are written row by row, not down strided columns.
void zero_columns(char* out, std::size_t item, uint64_t rows, uint64_t cols,
                  const philox_stream& stream, uint64_t zeros, const exec_options& options) {
  if (zeros == 0) return;
  const bool complement = sparse_complement(rows, zeros);
  const uint64_t draws = complement ? rows - zeros : zeros;
  const uint64_t blocks = (cols + 63) / 64;
  const uint64_t grain = std::max<uint64_t>(1, kWorkPerChunk / (64 * draws + rows));
  parallel_for(
      blocks, grain,
      [&](uint64_t b0, uint64_t b1) {
        std::vector<uint64_t> mask(rows);
        for (uint64_t b = b0; b < b1; ++b) {
          const uint64_t c0 = 64 * b, width = std::min<uint64_t>(64, cols - c0);
          std::fill(mask.begin(), mask.end(), 0);
          for (uint64_t j = 0; j < width; ++j) {
            const uint64_t bit = uint64_t{1} << j;
            sparse_select(
                stream, c0 + j, rows, draws, [&](uint64_t r) { return (mask[r] & bit) != 0; },
                [&](uint64_t r) { mask[r] |= bit; });
          }
          for (uint64_t r = 0; r < rows; ++r) {
            char* dst = out + (r * cols + c0) * item;
            const uint64_t zero = complement ? ~mask[r] & low_bits(width) : mask[r];
            for (uint64_t bits = zero; bits != 0; bits &= bits - 1)
              zero_at(dst + lowest_bit(bits) * item, item);
          }
        }
      },
      options);
}

// Martens mode: every row keeps `keep` normal values, the rest are zero.
void fill_rows(char* out, dtype t, uint64_t rows, uint64_t cols, const philox_stream& stream,
               double std, uint64_t keep, const exec_options& options) {
  const std::size_t item = itemsize(t);
  kernels::normal_args args;  // exactly what fill_normal(mean=0, std) uses
  args.stream = stream;
  args.store = {t, 0.0, std, -std::numeric_limits<double>::infinity(),
                std::numeric_limits<double>::infinity()};
  const auto& k = active_kernel();
  const bool dense = keep * kDenseRowDivisor >= cols;
  const bool complement = sparse_complement(cols, keep);
  const uint64_t draws = complement ? cols - keep : keep;
  const uint64_t words = (cols + 63) / 64;
  const uint64_t grain = std::max<uint64_t>(1, kWorkPerChunk / cols);
  parallel_for(
      rows, grain,
      [&](uint64_t r0, uint64_t r1) {
        std::vector<uint64_t> kept(words);
        for (uint64_t r = r0; r < r1; ++r) {
          char* row = out + r * cols * item;
          const uint64_t first = r * cols;
          std::fill(kept.begin(), kept.end(), 0);
          sparse_select(
              stream, r, cols, draws,
              [&](uint64_t c) { return ((kept[c >> 6] >> (c & 63)) & 1u) != 0; },
              [&](uint64_t c) { kept[c >> 6] |= uint64_t{1} << (c & 63); });
          if (complement)  // the draws chose the zeros
            for (uint64_t w = 0; w < words; ++w) {
              kept[w] = ~kept[w] & low_bits(cols - 64 * w);
            }
          if (dense) {
            // One kernel call for the row, then zero what is not kept.
            k.normal(args, first, cols, row);
            for (uint64_t w = 0; w < words; ++w) {
              for (uint64_t bits = ~kept[w] & low_bits(cols - 64 * w); bits != 0;
                   bits &= bits - 1)
                zero_at(row + (64 * w + lowest_bit(bits)) * item, item);
            }
          } else {
            std::memset(row, 0, cols * item);
            for (uint64_t w = 0; w < words; ++w)
              for (uint64_t bits = kept[w]; bits != 0; bits &= bits - 1) {
                const uint64_t c = 64 * w + lowest_bit(bits);
                k.normal(args, first + c, 1, row + c * item);
              }
          }
        }
      },
      options);
}

}  // namespace

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
