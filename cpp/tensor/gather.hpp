// Rows of a C-contiguous array in a given order: dst row i = src row idx[i].
// Applies a permutation (Generator.shuffle, permuted, permutation of an
// array) on all cores; random reads are bound by memory latency, which more
// threads hide.
#pragma once

#include <cstddef>
#include <cstdint>

#include "runtime/parallel.hpp"

namespace turboinit {

// dst row i = src row idx[i] for i in [0, n), rows of row_bytes bytes, src
// holding `rows` rows.  Returns false, with dst partly written, when an index
// is outside [0, rows).  src and dst must not overlap.
bool gather_rows(const void* src, uint64_t rows, const int64_t* idx, uint64_t n,
                 std::size_t row_bytes, void* dst, const exec_options& opt);

}  // namespace turboinit
