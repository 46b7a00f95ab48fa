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

// How the truncated normal is drawn, chosen per call by
// truncated_normal_plan.cpp: a rejection-sampling proposal (the highest exact
// acceptance rate), or the inverse CDF (float32 compute, bounds inside [-3, 3]).
enum class trunc_method : int {
  normal = 0,
  half_normal = 1,
  uniform = 2,
  exponential = 3,
  inverse_cdf = 4
};

// y = offset + scale * x, then clamped to [lo, hi] (values of the output dtype,
// possibly infinite), then rounded once to the output dtype.
struct affine_store {
  dtype out = dtype::float32;
  double offset = 0.0, scale = 1.0;
  double lo = 0.0, hi = 0.0;
  // No stored value (before rounding to bfloat16) can be a float32 subnormal
  // or a NaN (set by the set-up of a sampler whose x is finite, from its
  // smallest nonzero |x|, see store_never_subnormal in
  // samplers/distributions.cpp): bfloat16 stores may then skip their
  // subnormal and NaN tests.  False is always safe.
  bool never_subnormal = false;
};

// uniform_args::word_cap where no word is capped.
inline constexpr uint32_t kNoWordCap = 0xffffffffu;

struct uniform_args {  // x ~ U[0, 1)
  philox_stream stream;
  affine_store store;
  // float32 compute: each word is first capped at word_cap (the store's upper
  // clamp folded into the draw, same bits; cap_uniform_words in cpp/samplers).
  uint32_t word_cap = kNoWordCap;
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
  double lambda = 0.0;                  // rate of the exponential proposal
  double m = 0.0;                       // closest point of [a, b] to 0, for the uniform proposal
  double erf_a = 0.0, erf_width = 0.0;  // inverse_cdf: erf(a/sqrt2), erf(b/sqrt2) - erf(a/sqrt2)
  bool never_rejects = false;           // method normal with [a, b] holding every candidate
  bool inverse_cdf_retries = false;     // truncated_normal_plan::inverse_cdf_retries
  // The store maps every x in [a, b] into [store.lo, store.hi] with the same
  // bits unclamped (set for inverse_cdf_retries, whose accepted candidates
  // then skip the clamp).
  bool accepted_unclamped = false;
};
// The float32 uniform is k 2^-24 for k the top 24 bits of a word, the float64
// one a multiple of 2^-53 below 1 (simd/samplers-inl.hpp); the set-ups bound
// the stores with these.
inline constexpr float kUniformStep32 = 0x1p-24f;
inline constexpr double kUniformStep64 = 0x1p-53;
// The float64 inverse CDF's short polynomial covers [a, b] inside [-reach, reach].
inline constexpr double kInverseCdf64ShortReach = 2.0;
// The inverse CDF's float32 constants: e = erf_a + (word >> 8) step (the kernel's
// sampler, and the set-up's bound on its smallest |x|, use these).
inline float inverse_cdf_erf_a(const truncated_normal_args& a) { return float(a.erf_a); }
inline float inverse_cdf_step(const truncated_normal_args& a) {
  return float(a.erf_width) * kUniformStep32;
}

using uniform_fn = void (*)(const uniform_args&, uint64_t first, uint64_t count, void* out);
using normal_fn = void (*)(const normal_args&, uint64_t first, uint64_t count, void* out);
using truncated_normal_fn = void (*)(const truncated_normal_args&, uint64_t first, uint64_t count,
                                     void* out);
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

// The NumPy distributions of turboinit.random.Generator's bulk methods
// (cpp/simd/bulk-inl.hpp; counters in docs/counter_layout.md).  "Plain" kinds
// use the uniform's layout (C = 2 float64 / 4 float32 candidates per block);
// the rejection kinds (gamma and what is built on it, poisson, binomial) use
// one block per element, element i of the call at block block_offset + i,
// rejection attempt j in counter word 2 and a sub-stream tag in word 3.
enum class bulk_kind : int {
  exponential = 0,   // p0 * E                      E = -log(u), u in (0, 1]
  laplace = 1,       // p0 + p1 * (+-E)
  logistic = 2,      // p0 + p1 * log(u / (1 - u)), u in (0, 1)
  gumbel = 3,        // p0 - p1 * log(-log(u)),      u in (0, 1)
  cauchy = 4,        // tan(pi (u - 1/2)),           u in (0, 1)
  rayleigh = 5,      // p0 * sqrt(2 E)
  lognormal = 6,     // exp(p0 + p1 * Z)
  weibull = 7,       // E^(1 / p0) (0 if p0 == 0)
  pareto = 8,        // expm1(E / p0)
  power = 9,         // exp(-E / p0)
  geometric = 10,    // max(1, ceil(E / -log1p(-p0)))          (int64)
  gamma = 11,        // p1 * Gamma(p0)                  (Marsaglia-Tsang)
  log_gamma = 12,    // log Gamma(p0)
  beta = 13,         // X / (X + Y), X ~ Gamma(p0), Y ~ Gamma(p1)
  standard_t = 14,   // Z / sqrt(2 Gamma(p0 / 2) / p0)
  poisson = 15,      // Poisson(p0)                             (int64)
  binomial = 16,     // Binomial(n = p0, p = p1)                (int64)
  permutation = 17,  // element s n + i: pi_s(i), pi_s a keyed bijection of [0, n = p0) (int64)
};
// A parameter: one value for the call, one per element (values[j] for
// element j of the call's region, as float64), or a tile of `period` values
// repeated along the region (element j takes values[(phase + j) % period]:
// a parameter broadcast along leading axes, without its full-size copy).
struct bulk_param {
  const double* values = nullptr;
  double scalar = 0.0;
  uint64_t period = 0;  // 0: one value per element
  uint64_t phase = 0;   // tiled: the tile position of element 0, < period
  // Tiled: values[0, readable) holds the tile repeated (readable >= period, 0 means
  // period), so that the values of consecutive elements from tile position r are
  // one load while r + lanes <= readable (a short tile, padded: with_padded_tile).
  uint64_t readable = 0;
  double at(uint64_t j) const {
    if (!values) return scalar;
    return values[period ? (phase + j) % period : j];
  }
  // The same parameter for the elements from e on (its element 0 is element e).
  bulk_param from(uint64_t e) const {
    bulk_param q = *this;
    if (values && period)
      q.phase = (phase + e % period) % period;
    else if (values)
      q.values += e;
    return q;
  }
};
struct bulk_args {
  philox_stream stream;
  bulk_kind kind = bulk_kind::exponential;
  dtype out = dtype::float64;  // float64 or float32 (the compute type); int64 for integer kinds
  bulk_param p[2];
};
using bulk_fn = void (*)(const bulk_args&, uint64_t first, uint64_t count, void* out);

struct kernel_table {
  const char* name;
  int simd_bits;
  uniform_fn uniform;
  normal_fn normal;
  truncated_normal_fn truncated_normal;
  bits_fn bits;
  integers_fn integers;
  bulk_fn bulk;
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
const kernel_table* table_avx512bf16();

}  // namespace turboinit::kernels
