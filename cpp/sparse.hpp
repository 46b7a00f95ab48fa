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
#include <vector>

#include "dtype.hpp"
#include "parallel.hpp"
#include "philox.hpp"

namespace turboinit {

// Counter word 3 of every draw that picks sparse positions.  The samplers
// keep word 3 at zero, so these draws never reuse a sampler's counter.
inline constexpr uint32_t kSparseCounterTag = 0x53505253u;  // "SPRS"

enum class sparse_mode : int {
  zeros_per_column = 0,   // PyTorch: N(0, std^2), then `count` zeros in every column
  nonzeros_per_row = 1,   // Martens: `count` N(0, std^2) entries in every row, zeros elsewhere
};

// Fills the row-major (rows, cols) matrix `out` of dtype `t`.  Requires
// count <= rows (zeros_per_column) or count <= cols (nonzeros_per_row), std
// finite and >= 0.  Throws std::invalid_argument / std::overflow_error
// (naming the argument) before writing anything.
void fill_sparse(void* out, dtype t, uint64_t rows, uint64_t cols, const philox_stream& stream,
                 double std, sparse_mode mode, uint64_t count, const exec_options& options);

// The positions unit `unit` keeps (or zeroes): `k` distinct indices of [0, n),
// by Floyd's sampling algorithm on unbiased integers (Lemire's method) from
// the counters (lo(b), hi(b), draw, kSparseCounterTag), b = block_offset + unit.
// Appends to `chosen` in the order drawn; `seen` is scratch of >= ceil(n / 64)
// zero words, left zero on return.
void sparse_positions(const philox_stream& stream, uint64_t unit, uint64_t n, uint64_t k,
                      std::vector<uint64_t>& chosen, std::vector<uint64_t>& seen);

}  // namespace turboinit
