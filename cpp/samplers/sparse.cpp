#include "samplers/sparse.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "runtime/dispatch.hpp"
#include "runtime/errors.hpp"
#include "samplers/distributions.hpp"
#include "simd/kernels.hpp"
#include "tensor/region.hpp"
#include "tensor/region_fill.hpp"

namespace turboinit {
namespace {

// Below this share of kept entries a row is written entry by entry; above it,
// the whole row is generated and the rest zeroed (same values either way).
constexpr uint64_t kDenseRowDivisor = 16;

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

// The full matrix and the part of it being filled.
struct geometry {
  uint64_t rows, cols;  // the whole (rows, cols) matrix
  uint64_t r0, nr;      // rows [r0, r0 + nr) ...
  uint64_t c0, nc;      // ... and columns [c0, c0 + nc) are written, row-major, stride nc
};

geometry validate(dtype t, const tensor_region& region, const philox_stream& stream, double std,
                  sparse_mode mode, uint64_t count) {
  if (mode != sparse_mode::zeros_per_column && mode != sparse_mode::nonzeros_per_row)
    throw std::invalid_argument("mode: expected 0 (zeros per column) or 1 (non-zeros per row)");
  if (region.shape.size() != 2)
    throw std::invalid_argument("shape: sparse needs a 2-dimensional (rows, cols) shape");
  region.validate();
  const geometry g{region.shape[0],  region.shape[1], region.start[0],
                   region.extent[0], region.start[1], region.extent[1]};
  if (!std::isfinite(std)) throw std::invalid_argument("std: must be finite, got " + num(std));
  if (std < 0) throw std::invalid_argument("std: must be >= 0, got " + num(std));
  const double reach = max_standard_normal(t) * std;
  if (!(std::fabs(round_to(t, reach)) <= max_finite(t)))
    throw std::overflow_error("std: N(0, " + num(std) + "^2) samples can reach " + num(reach) +
                              ", beyond the largest " + dtype_name(t) + " (" + num(max_finite(t)) +
                              ")");
  const bool per_column = mode == sparse_mode::zeros_per_column;
  const uint64_t limit = per_column ? g.rows : g.cols;
  if (count > limit)
    throw std::invalid_argument(std::string(per_column ? "zeros per column" : "nonzero_per_unit") +
                                ": " + std::to_string(count) + " exceeds the " +
                                (per_column ? "rows" : "columns") + " (" + std::to_string(limit) +
                                ")");
  // The normal values' blocks, and the position draws' blocks offset + unit.
  check_counter_space(region, stream, kernels::candidates_per_block(t == dtype::float64, false));
  uint64_t last = 0;  // block of the last unit: offset + units - 1 < 2^64
  const uint64_t units = per_column ? g.cols : g.rows;
  if (units > 0 && __builtin_add_overflow(stream.block_offset, units - 1, &last))
    throw std::overflow_error(
        "stream: the units do not fit in the counter space left after the offset");
  return g;
}

// PyTorch mode, after the normal fill: zero `zeros` entries of every column.
// Columns go in blocks of 64 so that one word per region row holds the
// block's mask and the zeros are written row by row, not down strided
// columns.  Only the region's rows are asked about (sparse_unit), so a band
// of rows costs the band, not the whole columns.
void zero_columns(char* out, std::size_t item, const geometry& g, const philox_stream& stream,
                  uint64_t zeros, const exec_options& options) {
  if (zeros == 0) return;
  const uint64_t draws = std::min(zeros, g.rows - zeros);
  const uint64_t blocks = (g.nc + 63) / 64;
  const uint64_t per_block = 64 * (std::min(g.nr, draws) * 8 + g.nr) + 1;
  const uint64_t grain = std::max<uint64_t>(1, kFillGrain / per_block);
  parallel_for(
      blocks, grain,
      [&](uint64_t b0, uint64_t b1) {
        std::vector<uint64_t> mask(g.nr);
        for (uint64_t b = b0; b < b1; ++b) {
          const uint64_t width = std::min<uint64_t>(64, g.nc - 64 * b);
          std::fill(mask.begin(), mask.end(), 0);
          uint64_t inverted = 0;  // columns whose marks are the rows kept
          for (uint64_t j = 0; j < width; ++j) {
            const uint64_t bit = uint64_t{1} << j;
            if (sparse_unit(stream, g.c0 + 64 * b + j, g.rows, zeros, g.r0, g.nr,
                            [&](uint64_t r, uint64_t on) { mask[r - g.r0] |= on << j; }))
              inverted |= bit;
          }
          for (uint64_t i = 0; i < g.nr; ++i) {
            char* dst = out + (i * g.nc + 64 * b) * item;
            const uint64_t zero = mask[i] ^ inverted;
            for (uint64_t bits = zero; bits != 0; bits &= bits - 1)
              zero_at(dst + lowest_bit(bits) * item, item);
          }
        }
      },
      options);
}

// Martens mode: every row keeps `keep` normal values, the rest are zero.
// Only the region's columns of each row are asked about (sparse_unit).
void fill_rows(char* out, dtype t, const geometry& g, const philox_stream& stream, double std,
               uint64_t keep, const exec_options& options) {
  const std::size_t item = itemsize(t);
  kernels::normal_args args;  // exactly what fill_normal(mean=0, std) uses
  args.stream = stream;
  args.store = {t, 0.0, std, -std::numeric_limits<double>::infinity(),
                std::numeric_limits<double>::infinity()};
  const auto& k = active_kernel();
  const bool dense = keep * kDenseRowDivisor >= g.cols;
  const uint64_t draws = std::min(keep, g.cols - keep);
  // Bit c of the bitmap is the region's column c0 + c.
  const uint64_t words = (g.nc + 63) / 64;
  const uint64_t tail = low_bits(g.nc - 64 * (words - 1));  // valid bits of the last word
  const uint64_t grain = std::max<uint64_t>(1, kFillGrain / (std::min(g.nc, draws) * 8 + g.nc + 1));
  parallel_for(
      g.nr, grain,
      [&](uint64_t i0, uint64_t i1) {
        std::vector<uint64_t> kept(words);
        for (uint64_t r = g.r0 + i0; r < g.r0 + i1; ++r) {
          char* row = out + (r - g.r0) * g.nc * item;
          const uint64_t first = r * g.cols + g.c0;  // flat index of the region's column 0
          std::fill(kept.begin(), kept.end(), 0);
          const bool inverted =
              sparse_unit(stream, r, g.cols, keep, g.c0, g.nc, [&](uint64_t c, uint64_t on) {
                const uint64_t i = c - g.c0;
                kept[i >> 6] |= on << (i & 63);
              });
          if (inverted) {  // the marks are the zeros
            for (auto& w : kept) w = ~w;
            kept[words - 1] &= tail;
          }
          if (dense) {
            // One kernel call for the row, then zero what is not kept.
            k.normal(args, first, g.nc, row);
            for (uint64_t w = 0; w < words; ++w)
              for (uint64_t bits = ~kept[w] & (w + 1 == words ? tail : ~uint64_t{0}); bits != 0;
                   bits &= bits - 1)
                zero_at(row + (64 * w + lowest_bit(bits)) * item, item);
          } else {
            std::memset(row, 0, g.nc * item);
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

void fill_sparse(void* out, dtype t, const tensor_region& region, const philox_stream& stream,
                 double std, sparse_mode mode, uint64_t count, const exec_options& options) {
  const geometry g = validate(t, region, stream, std, mode, count);
  if (g.nr == 0 || g.nc == 0) return;
  char* dst = static_cast<char*>(out);
  if (mode == sparse_mode::zeros_per_column) {
    fill_normal(out, t, region, stream, 0.0, std, options);
    zero_columns(dst, itemsize(t), g, stream, count, options);
  } else {
    fill_rows(dst, t, g, stream, std, count, options);
  }
}

}  // namespace turboinit
