// The NumPy distributions behind turboinit.random.Generator's bulk methods:
// fill a region of a tensor, in parallel, with values that depend only on
// (stream, flat index, parameters).  The per-target bodies are in
// cpp/simd/bulk-inl.hpp; the counter layout is in docs/counter_layout.md.
#pragma once

#include <cstdint>

#include "rng/philox.hpp"
#include "runtime/parallel.hpp"
#include "simd/kernels.hpp"
#include "tensor/dtype.hpp"
#include "tensor/region.hpp"

namespace turboinit {

using kernels::bulk_kind;
using kernels::bulk_param;

// True for the kinds that return int64 (geometric, poisson, binomial).
bool bulk_returns_int64(bulk_kind kind);
// Elements per Philox block of a kind in float64 / float32 compute: the
// uniform's 2 / 4 for the plain kinds, 1 for the rejection kinds.
int bulk_per_block(bulk_kind kind, dtype compute);
// kind from its integer code; std::invalid_argument names `kind` otherwise.
bulk_kind bulk_kind_from_int(int code);

// Writes region.size() values of `kind` to `out` (float64/float32 as
// `compute`, or int64 for the integer kinds, with compute float64).  A
// parameter with `values` holds one float64 per element of the region, in
// its row-major order, or (period > 0) a tile of `period` of them repeated
// from the region's first element on.  The caller validates the parameters
// (NumPy's rules); here only the dtype and the counter space are checked.
void fill_bulk(void* out, bulk_kind kind, dtype compute, const tensor_region& region,
               const philox_stream& stream, bulk_param p0, bulk_param p1,
               const exec_options& options);

// Dirichlet(alpha) rows, alpha of length k >= 1, into `rows` rows of k
// float64: element i = r k + j is a gamma of shape alpha[j] at flat index i
// (the bulk gamma's counters, scale 1), divided by the sum of its row's
// gammas added in index order.  The caller takes this path only when that
// sum is a positive finite float (every alpha in [0.1, 1e300]); rows are
// made in parallel, each generated and normalised while in cache.
void fill_dirichlet(double* out, uint64_t rows, const double* alpha, uint64_t k,
                    const philox_stream& stream, const exec_options& options);

}  // namespace turboinit
