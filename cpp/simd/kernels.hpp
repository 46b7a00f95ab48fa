// The interface between the generic core and the per-target SIMD kernels.
// A kernel fills `count` consecutive elements of a row-major tensor, starting
// at flat index `first`, into `out`.  It is a pure function of its arguments:
// the value at flat index i never depends on `first`, `count` or the target.
#pragma once

#include <cstdint>

#include "tensor/dtype.hpp"
#include "linalg/gemm_kernels.hpp"
#include "rng/philox.hpp"

namespace turboinit::kernels {

// Rejection-sampling proposal of the truncated normal, chosen per call by
// truncated_normal_plan.cpp from the exact acceptance rates.
enum class trunc_method : int { normal = 0, half_normal = 1, uniform = 2, exponential = 3 };

// y = offset + scale * x, then clamped to [lo, hi] (values of the output dtype,
// possibly infinite), then rounded once to the output dtype.
struct affine_store {
  dtype out = dtype::float32;
  double offset = 0.0, scale = 1.0;
  double lo = 0.0, hi = 0.0;
};

struct uniform_args {  // x ~ U[0, 1)
  philox_stream stream;
  affine_store store;
};

struct normal_args {  // x ~ N(0, 1), Box-Muller
  philox_stream stream;
  affine_store store;
};

struct truncated_normal_args {  // x ~ N(0, 1) restricted to [a, b], 0 <= a unless method == normal
  philox_stream stream;
  affine_store store;
  trunc_method method = trunc_method::normal;
  double a = 0.0, b = 0.0;
  double lambda = 0.0;  // rate of the exponential proposal
  double m = 0.0;       // closest point of [a, b] to 0, for the uniform proposal
};

using uniform_fn = void (*)(const uniform_args&, uint64_t first, uint64_t count, void* out);
using normal_fn = void (*)(const normal_args&, uint64_t first, uint64_t count, void* out);
using truncated_normal_fn = void (*)(const truncated_normal_args&, uint64_t first,
                                     uint64_t count, void* out);
// The raw 32-bit words in the layout of a float32 uniform: word i is the
// word that float32 element i is made from.
using bits_fn = void (*)(const philox_stream&, uint64_t first, uint64_t count, uint32_t* out);

// Bounded integers low + [0, span] (cpp/simd/integers-inl.hpp), stored in
// `itemsize` bytes (two's complement).  `wide`: two words per candidate, 2
// per block (needed when a span is >= 2^32), else one word, 4 per block.
// `per_element`: on entry out[i] holds element i's own span (unsigned,
// `itemsize` bytes), `low` and `span` are unused, and out[i] receives the
// offset in [0, span_i].
struct integers_args {
  philox_stream stream;
  int itemsize = 8;
  uint64_t low = 0, span = 0;
  bool wide = false, per_element = false;
};
using integers_fn = void (*)(const integers_args&, uint64_t first, uint64_t count, void* out);

struct kernel_table {
  const char* name;
  int simd_bits;
  uniform_fn uniform;
  normal_fn normal;
  truncated_normal_fn truncated_normal;
  bits_fn bits;
  integers_fn integers;
  const linalg::micro::gemm_table* gemm;  // the same target's GEMM micro-kernels
};

// Elements per Philox block for each sampler, in float32 and float64.  Part
// of the counter-layout contract (docs/counter_layout.md).
inline constexpr int kBlocksPerGroup = 16;
inline constexpr int candidates_per_block(bool f64, bool two_uniforms) {
  return (f64 ? 2 : 4) / (two_uniforms ? 2 : 1);
}

// One dispatch table per SIMD target: simd/samplers_<target>.cpp.
const kernel_table* table_baseline();
const kernel_table* table_avx2();
const kernel_table* table_avx512();

}  // namespace turboinit::kernels
