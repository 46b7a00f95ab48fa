// The one sampler source.  simd/samplers_<target>.cpp defines TURBOINIT_TARGET
// (a namespace name) and TURBOINIT_WIDTH (32-bit lanes), then includes this
// file, simd/integers-inl.hpp and simd/table-inl.hpp;
// CMake compiles each with its target's flags.  Nothing here depends on the
// width: the counter layout is fixed by kBlocksPerGroup, so every target fills
// every element with the same bits.
//
// Counter layout (docs/counter_layout.md): a sampler turns one Philox block
// into C candidates.  Elements come in groups of G = 16 C; element r of group
// g is candidate r / 16 of block 16 g + r % 16, so a vector of W <= 16
// consecutive blocks yields W consecutive elements of each candidate row.
// Counter = (block lo, block hi, attempt, 0); rejected candidates are
// redrawn from the same block index with attempt 1, 2, ...

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>
#include <utility>

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#endif

#include "simd/kernels.hpp"

namespace turboinit::kernels::TURBOINIT_TARGET {
namespace {

// GCC 12 reports its own AVX-512 headers' pass-through operands as
// uninitialised where their intrinsics are inlined (GCC bug 105593).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif
#include "simd/vec.hpp"
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
#include "simd/math.hpp"

constexpr int kGroupBlocks = kBlocksPerGroup;
static_assert(kGroupBlocks % W == 0, "a group must hold whole vectors");
constexpr uint64_t kStageElems = 1024;
constexpr int kMaxAttempts = 4096;
// The truncated normal's stage: 32 KiB of candidates per pass (in L1 with its
// pending list on the x86 cores we target, or nearly), so that its retries run
// in full vectors of pending elements more often, and its last attempts, whose
// vectors are nearly empty and wait on each other, come less often per value
// (float64 on [-2, 2]: 2-3% faster than 16 KiB, docs/performance.md).
constexpr uint64_t kRejectStageBytes = 32768;
constexpr uint32_t kLaneBits = (W == 32) ? ~0u : ((1u << W) - 1u);

template <class CT>
struct vtypes;
template <>
struct vtypes<float> {
  using vec = vf32;
  using mask = vi32;
};
template <>
struct vtypes<double> {
  using vec = vf64;
  using mask = vi64;
};

// What the samplers' own fill loops compute on: a float32 candidate row of W
// blocks is one vf32; a float64 row is H = 2 native half vectors vf64n
// (blocks [0, W/2) and [W/2, W)), so no float64 value ever passes through a
// vector wider than a register (GCC lowers those through the stack).
template <class CT>
struct ctypes;
template <>
struct ctypes<float> {
  using vec = vf32;
  using mask = vi32;
  static constexpr int H = 1;
};
template <>
struct ctypes<double> {
  using vec = vf64n;
  using mask = vi64n;
  static constexpr int H = 2;
};

struct words {
  vu32 x0, x1, x2, x3;
};

template <int h>
static inline vu32h half(vu32 v) {
  if constexpr (h == 0)
    return lo_half(v);
  else
    return hi_half(v);
}

// The ten round keys of a Philox key, broadcast once per fill rather than
// once per vector of blocks (the round loop is the hottest code there is).
struct round_keys {
  vu32 k0[kPhiloxRounds], k1[kPhiloxRounds];
};
static inline round_keys make_round_keys(philox_key key) {
  round_keys rk;
  uint32_t k0 = key[0], k1 = key[1];
  for (int r = 0; r < kPhiloxRounds; ++r) {
    if (r > 0) {
      k0 += kPhiloxW0;
      k1 += kPhiloxW1;
    }
    rk.k0[r] = splat<vu32>(k0);
    rk.k1[r] = splat<vu32>(k1);
  }
  return rk;
}

// GCC 12 reports its own AVX-512 headers' pass-through operands as
// uninitialised when philox4 is inlined with a tag word (GCC bug 105593).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif
// Philox4x32-10 on W counters (c0, c1, c2, c3) at once, every product's
// halves taken apart and put back in place (mulhilo) each round: the rounds
// of the targets without a split-lane version below (and what
// benchmarks/philox_micro.cpp compares that version with).
static TURBOINIT_HOT words philox4_portable(vu32 c0, vu32 c1, vu32 c2, vu32 c3,
                                            const round_keys& rk) {
  for (int r = 0; r < kPhiloxRounds; ++r) {
    vu32 hi0, lo0, hi1, lo1;
    mulhilo(c0, kPhiloxM0, hi0, lo0);
    mulhilo(c2, kPhiloxM1, hi1, lo1);
    const vu32 n0 = hi1 ^ c1 ^ rk.k0[r];
    const vu32 n2 = hi0 ^ c3 ^ rk.k1[r];
    c0 = n0;
    c1 = lo1;
    c2 = n2;
    c3 = lo0;
  }
  return {c0, c1, c2, c3};
}
// Philox4x32-10 on W counters (c0, c1, c2, c3) at once, inlined into the
// caller's loop so that the counters stay in registers.
#if (defined(__AVX512F__) && TURBOINIT_WIDTH == 16) || (defined(__AVX2__) && TURBOINIT_WIDTH == 8)
// On x86 the rounds run on the even and the odd lanes apart, each word in the
// low half of a 64-bit lane (the high half is don't-care: vpmuludq reads only
// the low one).  A round is then a product, a shift for its high half and a
// three-way xor per word pair, with no blends to split and rejoin the halves
// of every product (on AVX-512, 12 instructions per round for 16 blocks
// instead of 16).  The lanes are rejoined once, after the last round.
#if TURBOINIT_WIDTH == 16
using philox_reg = __m512i;
static inline philox_reg pr_set(uint32_t m) { return _mm512_set1_epi64(m); }
static inline philox_reg pr_mul(philox_reg a, philox_reg m) { return _mm512_mul_epu32(a, m); }
static inline philox_reg pr_down(philox_reg a) { return _mm512_srli_epi64(a, 32); }
static inline philox_reg pr_xor3(philox_reg a, philox_reg b, philox_reg c) {
  return _mm512_ternarylogic_epi64(a, b, c, 0x96);
}
static inline philox_reg pr_join(philox_reg even, philox_reg odd) {
  return _mm512_mask_blend_epi32(0xAAAA, even, _mm512_slli_epi64(odd, 32));
}
#else
using philox_reg = __m256i;
static inline philox_reg pr_set(uint32_t m) { return _mm256_set1_epi64x(m); }
static inline philox_reg pr_mul(philox_reg a, philox_reg m) { return _mm256_mul_epu32(a, m); }
static inline philox_reg pr_down(philox_reg a) { return _mm256_srli_epi64(a, 32); }
static inline philox_reg pr_xor3(philox_reg a, philox_reg b, philox_reg c) {
  return _mm256_xor_si256(_mm256_xor_si256(a, b), c);
}
static inline philox_reg pr_join(philox_reg even, philox_reg odd) {
  return _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xAA);
}
#endif
static_assert(sizeof(philox_reg) == sizeof(vu32), "one register per vector of blocks");
// N vectors of blocks at once, their rounds interleaved: a round's product,
// shift and xor form a chain of about 7 cycles on Zen 5, so one vector's 4
// chains per round leave the pipes half idle; two vectors' 8 fill them.  Two
// vectors' state takes 16 registers: AVX-512 has 32, AVX2 16 (it would spill).
constexpr bool kPhiloxPairs = TURBOINIT_WIDTH == 16;
template <int N>
static TURBOINIT_HOT void philox4_n(const vu32 (&c)[N][4], const round_keys& rk, words (&out)[N]) {
  philox_reg x[N][2][4];
  for (int n = 0; n < N; ++n) {
    for (int j = 0; j < 4; ++j) {
      philox_reg v;
      std::memcpy(&v, &c[n][j], sizeof v);
      x[n][0][j] = v;
      x[n][1][j] = pr_down(v);
    }
  }
  const philox_reg m0 = pr_set(kPhiloxM0), m1 = pr_set(kPhiloxM1);
  for (int r = 0; r < kPhiloxRounds; ++r) {
    philox_reg k0, k1;
    std::memcpy(&k0, &rk.k0[r], sizeof k0);
    std::memcpy(&k1, &rk.k1[r], sizeof k1);
    for (int n = 0; n < N; ++n) {
      for (int h = 0; h < 2; ++h) {
        philox_reg* v = x[n][h];
        const philox_reg p0 = pr_mul(v[0], m0);
        const philox_reg p1 = pr_mul(v[2], m1);
        v[0] = pr_xor3(pr_down(p1), v[1], k0);
        v[2] = pr_xor3(pr_down(p0), v[3], k1);
        v[1] = p1;
        v[3] = p0;
      }
    }
  }
  for (int n = 0; n < N; ++n) {
    vu32* o[4] = {&out[n].x0, &out[n].x1, &out[n].x2, &out[n].x3};
    for (int j = 0; j < 4; ++j) {
      const philox_reg v = pr_join(x[n][0][j], x[n][1][j]);
      std::memcpy(o[j], &v, sizeof v);
    }
  }
}
#else
constexpr bool kPhiloxPairs = false;
template <int N>
static TURBOINIT_HOT void philox4_n(const vu32 (&c)[N][4], const round_keys& rk, words (&out)[N]) {
  for (int n = 0; n < N; ++n) out[n] = philox4_portable(c[n][0], c[n][1], c[n][2], c[n][3], rk);
}
#endif
static TURBOINIT_HOT words philox4(vu32 c0, vu32 c1, vu32 c2, vu32 c3, const round_keys& rk) {
  const vu32 c[1][4] = {{c0, c1, c2, c3}};
  words out[1];
  philox4_n<1>(c, rk, out);
  return out[0];
}
static inline words philox4(vu32 c0, vu32 c1, vu32 c2, vu32 c3, philox_key key) {
  return philox4(c0, c1, c2, c3, make_round_keys(key));
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

// The samplers' counters: (block lo, block hi, attempt, 0).
static inline words philox(vu32 c0, vu32 c1, vu32 c2, philox_key key) {
  return philox4(c0, c1, c2, vu32{}, key);
}
static TURBOINIT_HOT words philox(vu32 c0, vu32 c1, vu32 c2, const round_keys& rk) {
  return philox4(c0, c1, c2, vu32{}, rk);
}

// Counters of the W consecutive blocks starting at `block` (carry into hi).
static inline void block_counters(uint64_t block, vu32& lo, vu32& hi) {
  const vu32 io = iota_u32();
  lo = splat<vu32>(static_cast<uint32_t>(block)) + io;
  hi = splat<vu32>(static_cast<uint32_t>(block >> 32)) - (vu32)(lo < io);
}

// The first draw (attempt 0) of every block of groups [g0, g0 + ng), W blocks
// at a time: f(gi, sub, words) for blocks block_offset + (g0 + gi) *
// kGroupBlocks + sub + [0, W).  Every sampler's stage starts here.
template <class F, class F2>
static inline void first_draws_paired(const philox_stream& st, uint64_t g0, uint64_t ng, const F& f,
                                      const F2& f2) {
  constexpr uint64_t kSubs = kGroupBlocks / W;  // vectors of blocks per group
  const round_keys rk = make_round_keys(st.key);
  const uint64_t block0 = st.block_offset + g0 * kGroupBlocks;
  const uint64_t units = ng * kSubs;
  auto counters = [&](uint64_t u, vu32(&c)[4]) {
    block_counters(block0 + u * W, c[0], c[1]);
    c[2] = c[3] = vu32{};  // attempt 0
  };
  uint64_t u = 0;
  for (; kPhiloxPairs && u + 2 <= units; u += 2) {
    vu32 c[2][4];
    counters(u, c[0]);
    counters(u + 1, c[1]);
    words w[2];
    philox4_n<2>(c, rk, w);
    f2(u / kSubs, int(u % kSubs) * W, w[0], (u + 1) / kSubs, int((u + 1) % kSubs) * W, w[1]);
  }
  for (; u < units; ++u) {
    vu32 c[1][4];
    counters(u, c[0]);
    words w[1];
    philox4_n<1>(c, rk, w);
    f(u / kSubs, int(u % kSubs) * W, w[0]);
  }
}
template <class F>
static inline void first_draws(const philox_stream& st, uint64_t g0, uint64_t ng, const F& f) {
  first_draws_paired(
      st, g0, ng, f,
      [&](uint64_t gi0, int sub0, const words& w0, uint64_t gi1, int sub1, const words& w1) {
        f(gi0, sub0, w0);
        f(gi1, sub1, w1);
      });
}

// Uniforms from raw words.
// The top 24 bits of each word, as a float (exact): k, the uniform's k 2^-24.
static inline vf32 top24_f32(vu32 x) { return to_f32((vi32)(x >> 8)); }
static inline vf32 unit_f32(vu32 x) { return top24_f32(x) * kUniformStep32; }  // [0, 1)
static inline vf32 open_unit_f32(vu32 x) {                                     // (0, 1]
  return to_f32((vi32)(x >> 1)) * 0x1p-31f + 0x1p-32f;
}

// 53-bit uniforms from two words, on half vectors (one register each):
// [0, 1) and (0, 1], u = (hi >> 11) 2^-21 + lo 2^-53 (+ 2^-53).  Each word is
// put into the mantissa of a double whose ulp is its weight:
//   a = 2^31 + (hi >> 11) 2^-21,  b = 1/2 + lo 2^-53,
// then u = (a - (2^31 + 1/2)) + b.  a - (2^31 + 1/2) is exact (Sterbenz), in
// [-1/2, 1/2); the sum's exact value is u, a multiple of 2^-53 in [0, 1], so
// it is representable and the addition returns it.  Five vector operations
// fewer per pair of halves than two int -> double conversions, a multiply and
// a fused multiply-add, for the same bits (u = 0 is +0 both ways).
static TURBOINIT_HOT vf64n unit_f64_hi_part(vu32h hi) {  // (hi >> 11) 2^-21 - 1/2, exact
  return (vf64n)(widen_u32(hi >> 11) | 0x41e0000000000000ull) - (0x1p31 + 0.5);
}
static TURBOINIT_HOT vf64n unit_f64(vu32h hi, vu32h lo) {
  return unit_f64_hi_part(hi) + (vf64n)(widen_u32(lo) | 0x3fe0000000000000ull);  // exact
}
static TURBOINIT_HOT vf64n open_unit_f64(vu32h hi, vu32h lo) {
  return unit_f64_hi_part(hi) +
         ((vf64n)(widen_u32(lo) | 0x3fe0000000000000ull) + 0x1p-53);  // exact
}

template <class V>
static TURBOINIT_HOT void box_muller(V u_radius, V u_angle, V& z_cos, V& z_sin) {
  const V r = vsqrt(vlog(u_radius) * -2.0f);
  V s, c;
  vsincos_turns(u_angle, s, c);
  z_cos = r * c;
  z_sin = r * s;
}
// Box-Muller on N pairs of uniform vectors at once, step by step across them
// (vlog_rows, vsincos_turns_rows), the same operations per lane as
// box_muller.  One pair takes box_muller as written: through the arrays, the
// AVX2 kernel's float32 normal measured 8-12% slower and its float64 normal
// 3% slower (bench_ab.py runs, not stored).
template <class V, int N>
static TURBOINIT_HOT void box_muller_rows(const V (&u_radius)[N], const V (&u_angle)[N],
                                          V (&z_cos)[N], V (&z_sin)[N]) {
  if constexpr (N == 1) {
    box_muller(u_radius[0], u_angle[0], z_cos[0], z_sin[0]);
  } else {
    V l[N], s[N], c[N];
    vlog_rows<N>(u_radius, l);
    vsincos_turns_rows<N>(u_angle, s, c);
    for (int r = 0; r < N; ++r) {
      const V radius = vsqrt(l[r] * -2.0f);
      z_cos[r] = radius * c[r];
      z_sin[r] = radius * s[r];
    }
  }
}

// The same on W lanes: (hi >> 11) 2^-21 + lo 2^-53 (+ 2^-53), exact either way.
static TURBOINIT_HOT vf64 unit_f64(vu32 hi, vu32 lo) {  // [0, 1), 53 bits
  return join_halves(unit_f64(half<0>(hi), half<0>(lo)), unit_f64(half<1>(hi), half<1>(lo)));
}
static TURBOINIT_HOT vf64 open_unit_f64(vu32 hi, vu32 lo) {  // (0, 1], 53 bits
  return join_halves(open_unit_f64(half<0>(hi), half<0>(lo)),
                     open_unit_f64(half<1>(hi), half<1>(lo)));
}

// ---- samplers: C candidates from one block's words ------------------------
//
// rows(w, out): every candidate row of W blocks, as ctypes<CT> vectors
// (out[row][h], h the half for float64); the samplers' fill loops use it.
// operator()(w, out): the same values as vtypes<CT> vectors (the bulk
// samplers' interface, simd/bulk-inl.hpp).

template <class CT>
struct uniform_sampler;
template <>
struct uniform_sampler<float> {
  static constexpr int C = 4;
  void rows(const words& w, vf32 (&out)[C][1]) const {
    out[0][0] = unit_f32(w.x0);
    out[1][0] = unit_f32(w.x1);
    out[2][0] = unit_f32(w.x2);
    out[3][0] = unit_f32(w.x3);
  }
  TURBOINIT_HOT void operator()(const words& w, vf32 (&out)[C]) const {
    vf32 r[C][1];
    rows(w, r);
    for (int k = 0; k < C; ++k) out[k] = r[k][0];
  }
};
template <>
struct uniform_sampler<double> {
  static constexpr int C = 2;
  void rows(const words& w, vf64n (&out)[C][2]) const {
    out[0][0] = unit_f64(half<0>(w.x0), half<0>(w.x1));
    out[0][1] = unit_f64(half<1>(w.x0), half<1>(w.x1));
    out[1][0] = unit_f64(half<0>(w.x2), half<0>(w.x3));
    out[1][1] = unit_f64(half<1>(w.x2), half<1>(w.x3));
  }
  TURBOINIT_HOT void operator()(const words& w, vf64 (&out)[C]) const {
    out[0] = unit_f64(w.x0, w.x1);
    out[1] = unit_f64(w.x2, w.x3);
  }
};

// A sampler's rows_n for one vector of blocks, and for the two that
// first_draws_paired draws together.
template <class S, class Rows>
static TURBOINIT_HOT void rows_of(const S& s, const words& w, Rows& out) {
  const words* const ws[1] = {&w};
  Rows* const os[1] = {&out};
  s.template rows_n<1>(ws, os);
}
template <class S, class Rows>
static TURBOINIT_HOT void rows_pair_of(const S& s, const words& w0, const words& w1, Rows& a,
                                       Rows& b) {
  const words* const ws[2] = {&w0, &w1};
  Rows* const os[2] = {&a, &b};
  s.template rows_n<2>(ws, os);
}

template <class CT>
struct normal_sampler;
template <>
struct normal_sampler<float> {
  static constexpr int C = 4;
  // The rows of NB vectors of blocks (w[b] -> *out[b]), their 2 NB pairs side
  // by side.
  static constexpr bool kRowsPair = kPhiloxPairs;
  template <int NB>
  TURBOINIT_HOT void rows_n(const words* const* w, vf32 (*const* out)[C][1]) const {
    vf32 ur[2 * NB], ua[2 * NB], zc[2 * NB], zs[2 * NB];
    for (int b = 0; b < NB; ++b) {
      ur[2 * b] = open_unit_f32(w[b]->x0);
      ua[2 * b] = unit_f32(w[b]->x1);
      ur[2 * b + 1] = open_unit_f32(w[b]->x2);
      ua[2 * b + 1] = unit_f32(w[b]->x3);
    }
    box_muller_rows<vf32, 2 * NB>(ur, ua, zc, zs);
    for (int b = 0; b < NB; ++b) {
      for (int j = 0; j < 2; ++j) {
        (*out[b])[2 * j][0] = zc[2 * b + j];
        (*out[b])[2 * j + 1][0] = zs[2 * b + j];
      }
    }
  }
  TURBOINIT_HOT void rows(const words& w, vf32 (&out)[C][1]) const {
    if constexpr (kPhiloxPairs) {  // 32 registers: both pairs side by side
      rows_of(*this, w, out);
    } else {  // 16 registers (AVX2): side by side measured 7% slower
      box_muller(open_unit_f32(w.x0), unit_f32(w.x1), out[0][0], out[1][0]);
      box_muller(open_unit_f32(w.x2), unit_f32(w.x3), out[2][0], out[3][0]);
    }
  }
  TURBOINIT_HOT void operator()(const words& w, vf32 (&out)[C]) const {
    vf32 r[C][1];
    rows(w, r);
    for (int k = 0; k < C; ++k) out[k] = r[k][0];
  }
  // Candidate `row` of each lane's block alone (the same operations, so the
  // same bits as rows()).
  void one(const words& w, vi32 row, vf32 (&x)[1]) const {
    const vi32 second = (row & 2) != 0;
    vf32 zc, zs;
    box_muller(open_unit_f32(select(second, w.x2, w.x0)), unit_f32(select(second, w.x3, w.x1)), zc,
               zs);
    x[0] = select((row & 1) != 0, zs, zc);
  }
};
template <>
struct normal_sampler<double> {
  static constexpr int C = 2;
  // The rows of NB vectors of blocks (w[b] -> *out[b]), their NB pairs side by
  // side, each on both halves at once (vf64: every operation on two registers
  // side by side, see vlog_f64_rows), the same operations as one half at a
  // time.
  static constexpr bool kRowsPair = kPhiloxPairs;
  template <int NB>
  TURBOINIT_HOT void rows_n(const words* const* w, vf64n (*const* out)[C][2]) const {
    vf64 ur[NB], ua[NB], zc[NB], zs[NB];
    for (int b = 0; b < NB; ++b) {
      ur[b] = open_unit_f64(w[b]->x0, w[b]->x1);
      ua[b] = unit_f64(w[b]->x2, w[b]->x3);
    }
    box_muller_rows<vf64, NB>(ur, ua, zc, zs);
    for (int b = 0; b < NB; ++b) {
      (*out[b])[0][0] = lo_half(zc[b]);
      (*out[b])[0][1] = hi_half(zc[b]);
      (*out[b])[1][0] = lo_half(zs[b]);
      (*out[b])[1][1] = hi_half(zs[b]);
    }
  }
  TURBOINIT_HOT void rows(const words& w, vf64n (&out)[C][2]) const { rows_of(*this, w, out); }
  TURBOINIT_HOT void operator()(const words& w, vf64 (&out)[C]) const {
    vf64n r[C][2];
    rows(w, r);
    for (int k = 0; k < C; ++k) out[k] = join_halves(r[k][0], r[k][1]);
  }
  void one(const words& w, vi32 row, vf64n (&x)[2]) const {
    vf64n r[C][2];
    rows(w, r);
    const vi32 odd = (row & 1) != 0;
    x[0] = select(__builtin_convertvector(lo_half(odd), vi64n), r[1][0], r[0][0]);
    x[1] = select(__builtin_convertvector(hi_half(odd), vi64n), r[1][1], r[0][1]);
  }
};

// Whether a sampler transforms the two vectors of blocks that
// first_draws_paired draws together in one go (rows_n<2>, where kRowsPair).
template <class S, class = void>
struct has_rows_pair : std::false_type {};
template <class S>
struct has_rows_pair<S, std::void_t<decltype(S::kRowsPair)>> : std::bool_constant<S::kRowsPair> {};

// Truncated-normal proposals: candidates and their acceptance masks, for all
// C rows of a block (operator()) or for one row per lane (one(), retries),
// as ctypes<CT> vectors (H halves in float64).
template <class CT>
struct trunc_params {
  CT a, b, width, lambda, inv_lambda, m;
};

template <class CT, bool Half>
struct normal_proposal {  // N(0,1) or |N(0,1)|
  using vec = typename ctypes<CT>::vec;
  using mask = typename ctypes<CT>::mask;
  static constexpr int C = normal_sampler<CT>::C;
  static constexpr int H = ctypes<CT>::H;
  trunc_params<CT> p;
  TURBOINIT_HOT mask accept(vec& x) const {
    if (Half) x = vabs(x);
    return (x >= p.a) & (x <= p.b);
  }
  TURBOINIT_HOT void accept_rows(vec (&x)[C][H], mask (&ok)[C][H]) const {
    for (int k = 0; k < C; ++k)
      for (int h = 0; h < H; ++h) ok[k][h] = accept(x[k][h]);
  }
  TURBOINIT_HOT void operator()(const words& w, vec (&x)[C][H], mask (&ok)[C][H]) const {
    normal_sampler<CT>{}.rows(w, x);
    accept_rows(x, ok);
  }
  static constexpr bool kRowsPair = has_rows_pair<normal_sampler<CT>>::value;
  TURBOINIT_HOT void rows_pair(const words& w0, const words& w1, vec (&x0)[C][H], mask (&ok0)[C][H],
                               vec (&x1)[C][H], mask (&ok1)[C][H]) const {
    rows_pair_of(normal_sampler<CT>{}, w0, w1, x0, x1);
    accept_rows(x0, ok0);
    accept_rows(x1, ok1);
  }
  void one(const words& w, vi32 row, vec (&x)[H], mask (&ok)[H]) const {
    normal_sampler<CT>{}.one(w, row, x);
    for (int h = 0; h < H; ++h) ok[h] = accept(x[h]);
  }
};

// The float32 proposals below take two words per candidate, pair(u1, u2, x,
// ok): two candidates per block, or the one of row `row`; in float64 they
// take all four words, one candidate per block.
template <class P>
static inline void pairs(const P& p, const words& w, vf32 (&x)[2][1], vi32 (&ok)[2][1]) {
  p.pair(w.x0, w.x1, x[0][0], ok[0][0]);
  p.pair(w.x2, w.x3, x[1][0], ok[1][0]);
}
template <class P>
static inline void pair_in_row(const P& p, const words& w, vi32 row, vf32 (&x)[1], vi32 (&ok)[1]) {
  const vi32 second = row != 0;
  p.pair(select(second, w.x2, w.x0), select(second, w.x3, w.x1), x[0], ok[0]);
}
template <class P>
static inline void single(const P& p, const words& w, vf64n (&x)[2], vi64n (&ok)[2]) {
  vf64n xs[1][2];
  vi64n oks[1][2];
  p(w, xs, oks);
  for (int h = 0; h < 2; ++h) {
    x[h] = xs[0][h];
    ok[h] = oks[0][h];
  }
}

// U(a, b), accepted with probability exp((m^2 - x^2) / 2).
template <class CT>
struct uniform_proposal;
template <>
struct uniform_proposal<float> {
  static constexpr int C = 2;
  trunc_params<float> p;
  void pair(vu32 ux, vu32 ut, vf32& x, vi32& ok) const {
    x = vfma(unit_f32(ux), p.width, p.a);
    ok = vlog(open_unit_f32(ut)) <= (p.m - x) * (p.m + x) * 0.5f;  // (m^2 - x^2) / 2
  }
  void operator()(const words& w, vf32 (&x)[C][1], vi32 (&ok)[C][1]) const {
    pairs(*this, w, x, ok);
  }
  void one(const words& w, vi32 row, vf32 (&x)[1], vi32 (&ok)[1]) const {
    pair_in_row(*this, w, row, x, ok);
  }
};
template <>
struct uniform_proposal<double> {
  static constexpr int C = 1;
  trunc_params<double> p;
  template <int h>
  void half_cand(const words& w, vf64n& x, vi64n& ok) const {
    x = vfma(unit_f64(half<h>(w.x0), half<h>(w.x1)), p.width, p.a);
    ok = vlog(open_unit_f64(half<h>(w.x2), half<h>(w.x3))) <= (p.m - x) * (p.m + x) * 0.5;
  }
  void operator()(const words& w, vf64n (&x)[C][2], vi64n (&ok)[C][2]) const {
    half_cand<0>(w, x[0][0], ok[0][0]);
    half_cand<1>(w, x[0][1], ok[0][1]);
  }
  void one(const words& w, vi32, vf64n (&x)[2], vi64n (&ok)[2]) const { single(*this, w, x, ok); }
};

// Robert (1995): a + Exp(lambda), accepted with probability exp(-(x - lambda)^2 / 2).
template <class CT>
struct exponential_proposal;
template <>
struct exponential_proposal<float> {
  static constexpr int C = 2;
  trunc_params<float> p;
  void pair(vu32 ue, vu32 ut, vf32& x, vi32& ok) const {
    x = vfma(vlog(open_unit_f32(ue)), -p.inv_lambda, p.a);
    const vf32 d = x - p.lambda;
    ok = (x <= p.b) & (vlog(open_unit_f32(ut)) <= d * d * -0.5f);
  }
  void operator()(const words& w, vf32 (&x)[C][1], vi32 (&ok)[C][1]) const {
    pairs(*this, w, x, ok);
  }
  void one(const words& w, vi32 row, vf32 (&x)[1], vi32 (&ok)[1]) const {
    pair_in_row(*this, w, row, x, ok);
  }
};
template <>
struct exponential_proposal<double> {
  static constexpr int C = 1;
  trunc_params<double> p;
  template <int h>
  void half_cand(const words& w, vf64n& x, vi64n& ok) const {
    x = vfma(vlog(open_unit_f64(half<h>(w.x0), half<h>(w.x1))), -p.inv_lambda, p.a);
    const vf64n d = x - p.lambda;
    ok = (x <= p.b) & (vlog(open_unit_f64(half<h>(w.x2), half<h>(w.x3))) <= d * d * -0.5);
  }
  void operator()(const words& w, vf64n (&x)[C][2], vi64n (&ok)[C][2]) const {
    half_cand<0>(w, x[0][0], ok[0][0]);
    half_cand<1>(w, x[0][1], ok[0][1]);
  }
  void one(const words& w, vi32, vf64n (&x)[2], vi64n (&ok)[2]) const { single(*this, w, x, ok); }
};

// The truncated normal on [a, b] inside [-3, 3], float32 compute, by the
// inverse CDF (docs/counter_layout.md): x = sqrt(2) erfinv(e), e = erf(a/sqrt2)
// + u (erf(b/sqrt2) - erf(a/sqrt2)) with u the float32 uniform of the same
// word (one value per word, the layout of the float32 uniform).  No rejection,
// so no retry.  erfinv(e) = e P(w) with w = -log(1 - e^2), after Giles (2011);
// P is our own degree-9 fit in w (scripts/fit_erfinv.py), sqrt(2) folded in:
// relative error < 2.3e-8 for |e| <= erf(3/sqrt2) (w <= 5.2228), under
// float32's half ulp; with the float32 evaluation, within 2.3 ulp of the exact
// quantile of e (tests/test_statistics.py).  1.13x the cost of our normal per
// value on AVX-512, against 1.5x for the normal proposal's rejection loop.
struct inverse_cdf_sampler {
  static constexpr int C = 4;
  float erf_a, erf_step;  // erf(a/sqrt2), (erf(b/sqrt2) - erf(a/sqrt2)) 2^-24
  // -log y for y in (2^-9, 1], to an absolute 5e-8 (all that P(w) needs):
  // y = 2^k m, m in [1, 2); c = 1 + (j + 1/2)/16 the centre of m's sixteenth
  // j, kRecip[j] = 1/c rounded to float32, kLogRecip[j] = log(kRecip[j])
  // rounded to float32 (scripts/fit_erfinv.py); then t = m kRecip[j] - 1 has
  // |t| <= 1/33 and -log(1 + t) = -t + t^2/2 - t^3/3 + t^4/4 to 6e-9.
  static constexpr float kRecip[16] = {
      0x1.f07c2p-1f,  0x1.d41d42p-1f, 0x1.bacf92p-1f, 0x1.a41a42p-1f,
      0x1.8f9c18p-1f, 0x1.7d05f4p-1f, 0x1.6c16c2p-1f, 0x1.5c9882p-1f,
      0x1.4e5e0ap-1f, 0x1.414142p-1f, 0x1.3521dp-1f,  0x1.29e412p-1f,
      0x1.1f7048p-1f, 0x1.15b1e6p-1f, 0x1.0c9714p-1f, 0x1.041042p-1f};
  static constexpr float kLogRecip[16] = {
      -0x1.f8299p-6f,  -0x1.6f0d28p-4f, -0x1.29552cp-3f, -0x1.9525a8p-3f,
      -0x1.fb918cp-3f, -0x1.2e8e2cp-2f, -0x1.5d1bdap-2f, -0x1.89a33ap-2f,
      -0x1.b44f7ap-2f, -0x1.dd469ep-2f, -0x1.02552ap-1f, -0x1.154c3ep-1f,
      -0x1.2795ep-1f,  -0x1.393e0ep-1f, -0x1.4a4f88p-1f, -0x1.5ad402p-1f};
  static TURBOINIT_HOT vf32 neg_log(vf32 y) {
    const vi32 j = (vi32)y >> 19;  // lookup16 reads its low 4 bits: m's sixteenth
    vf32 m, k;
    mantissa_exponent(y, m, k);
    const vf32 t = vfma(m, lookup16(kRecip, j), -1.0f);
    vf32 q = vfma(t, 0.25f, -1.0f / 3);
    q = vfma(q, t, 0.5f);
    q = vfma(q, t, -1.0f);
    return vfma(k, -0.693147182f, vfma(q, t, lookup16(kLogRecip, j)));
  }
  // sqrt(2) erfinv(e) for the C rows at once, step by step across the rows
  // (four independent chains side by side for the scheduler): w = -log(1 -
  // e^2), 1 - e^2 rounded once (fma), then P(w) e.
  static constexpr float kP[10] = {
      -0x1.8e5394p-27f, 0x1.3c55fcp-22f, -0x1.61cp-19f,  0x1.471f98p-18f, 0x1.111a5ep-14f,
      -0x1.811ba8p-13f, -0x1.b04d8ep-9f, 0x1.0b90f6p-6f, 0x1.4ffdfcp-2f,  0x1.40d932p+0f};
  template <int N>
  static TURBOINIT_HOT void z_rows(vf32 (&e)[N]) {
    vf32 w[N], p[N];
    for (int k = 0; k < N; ++k) w[k] = neg_log(vfma(-e[k], e[k], 1.0f));
    for (int k = 0; k < N; ++k) p[k] = vfma(w[k], kP[0], kP[1]);
    for (int i = 2; i < 10; ++i)
      for (int k = 0; k < N; ++k) p[k] = vfma(p[k], w[k], kP[i]);
    for (int k = 0; k < N; ++k) e[k] = p[k] * e[k];
  }
  // The rows of NB vectors of blocks (w[b] -> *out[b]), their C NB rows side
  // by side.
  static constexpr bool kRowsPair = kPhiloxPairs;
  template <int NB>
  TURBOINIT_HOT void rows_n(const words* const* w, vf32 (*const* out)[C][1]) const {
    // e = erf_a + u erf_width with u = (x >> 8) 2^-24: the 2^-24 is in erf_step.
    vf32 e[NB * C];
    for (int b = 0; b < NB; ++b) {
      const vu32 x[C] = {w[b]->x0, w[b]->x1, w[b]->x2, w[b]->x3};
      for (int k = 0; k < C; ++k) e[b * C + k] = vfma(top24_f32(x[k]), erf_step, erf_a);
    }
    z_rows<NB * C>(e);
    for (int b = 0; b < NB; ++b)
      for (int k = 0; k < C; ++k) (*out[b])[k][0] = e[b * C + k];
  }
  TURBOINIT_HOT void rows(const words& w, vf32 (&out)[C][1]) const { rows_of(*this, w, out); }
};

// The truncated normal on [a, b] inside [-3, 3], float64 compute, by the
// inverse CDF (plan_truncated_normal): x = sqrt(2) erfinv(e), e = fma(u,
// erf_width, erf_a) with u the float64 uniform of the same element (its
// layout: C = 2, a 53-bit u from two words).  sqrt(2) erfinv(e) = e P(w - c),
// w = -log(fma(-e, e, 1)) by the contract's float64 log, P our own fit with
// sqrt(2) folded in (scripts/fit_erfinv64.py): kShort, degree 15, for [a, b]
// inside [-2, 2] (w <= 2.425), kFull, degree 20, up to |x| = 3 (w <= 5.233);
// relative errors 1.6e-16 and 2.8e-16 with Horner's rule
// (tests/test_statistics.py bounds the result by 8 ulp of the exact quantile
// of e).  One thread on Zen 5 (AVX-512): 1.22-1.25 ns per value inside [-2,
// 2], 1.32-1.34 beyond, where the rejection samplers it replaces took 1.55-3.6
// and the normal proposal takes 1.30 on [-2, 2] (docs/performance.md).
template <bool Short>
struct inverse_cdf_f64_sampler {
  static constexpr int C = 2;
  double erf_a, erf_width;
  static constexpr double kShortCenter = 0x1.365df7e858b06p+0;
  static constexpr double kShort[16] = {
      0x1.1510180dca225p-42,  -0x1.2786b4ac194ddp-40, -0x1.5632ff48ca6bdp-37, 0x1.459cc7f0d1455p-34,
      0x1.0a646dc084654p-32,  -0x1.0fd075dc15e94p-28, -0x1.3f1e2c8978707p-32, 0x1.842d49a78ccbdp-23,
      -0x1.0a885f14e0a45p-21, -0x1.d686d8a1bda4bp-18, 0x1.7f026edd43f0dp-15,  0x1.9829cab774a11p-13,
      -0x1.a5b13fc5d84b3p-9,  0x1.007ab9886f07bp-8,   0x1.690e2db454e14p-2,   0x1.ab44f82870845p+0};
  static constexpr double kFullCenter = 0x1.4eed361f3455fp+1;
  static constexpr double kFull[21] = {
      0x1.0c09e8aaf0f63p-58,  -0x1.8a92879c96a7dp-56, -0x1.d05d2a7a2bfdfp-53,
      0x1.3cf9a04992f4ap-49,  0x1.314358f2a41eap-52,  -0x1.f1ce37ca32811p-44,
      0x1.3feb3494e26e5p-41,  0x1.4d73b8a70302dp-39,  -0x1.6a41ea8d6bd9ap-35,
      0x1.e10a2be6fd424p-34,  0x1.91b25f362f9cfp-30,  -0x1.d886ea78bad17p-27,
      0x1.f9a06266df229p-29,  0x1.71131d06786a1p-21,  -0x1.1ed1e3997fa5bp-18,
      -0x1.57fca04fd35abp-17, 0x1.3e54f758d44bbp-12,  -0x1.aaf67003990e7p-10,
      -0x1.aa232a11712f1p-8,  0x1.63b0bc0db79abp-2,   0x1.14fadbfa8ad56p+1};
  // The rows of NB vectors of blocks (w[b] -> *out[b]), their 2 NB rows side
  // by side.
  static constexpr bool kRowsPair = kPhiloxPairs;
  template <int NB>
  TURBOINIT_HOT void rows_n(const words* const* w, vf64n (*const* out)[C][2]) const {
    constexpr int N = C * NB;
    vf64 x[N];
    for (int b = 0; b < NB; ++b) {
      x[C * b] = unit_f64(w[b]->x0, w[b]->x1);
      x[C * b + 1] = unit_f64(w[b]->x2, w[b]->x3);
    }
    quantiles<N>(x);
    for (int b = 0; b < NB; ++b) {
      for (int r = 0; r < C; ++r) {
        (*out[b])[r][0] = lo_half(x[C * b + r]);
        (*out[b])[r][1] = hi_half(x[C * b + r]);
      }
    }
  }
  // The quantiles of N vectors of uniforms u (in place), side by side.
  template <int N>
  TURBOINIT_HOT void quantiles(vf64 (&x)[N]) const {
    constexpr int D = Short ? 16 : 21;
    const double* const kP = Short ? kShort : kFull;
    const double center = Short ? kShortCenter : kFullCenter;
    vf64 e[N], y[N], t[N], p[N];
    for (int k = 0; k < N; ++k) {
      e[k] = vfma(x[k], erf_width, erf_a);
      y[k] = vfma(-e[k], e[k], 1.0);
    }
    vlog_rows<N>(y, t);  // log(1 - e^2) = -w
    for (int k = 0; k < N; ++k) {
      t[k] = -t[k] - center;
      p[k] = vfma(t[k], kP[0], kP[1]);
    }
    for (int i = 2; i < D; ++i)
      for (int k = 0; k < N; ++k) p[k] = vfma(p[k], t[k], kP[i]);
    for (int k = 0; k < N; ++k) x[k] = p[k] * e[k];
  }
  TURBOINIT_HOT void rows(const words& w, vf64n (&out)[C][2]) const { rows_of(*this, w, out); }
};

// ---- stores: affine map, clamp, one rounding --------------------------------

template <class CT>
struct store_params {
  CT offset, scale, lo, hi;
  bool never_subnormal;  // affine_store::never_subnormal
};
template <class CT>
static inline store_params<CT> make_store_params(const affine_store& as) {
  return {CT(as.offset), CT(as.scale), CT(as.lo), CT(as.hi), as.never_subnormal};
}

// Which sides of [lo, hi] a store clamps to (a side at infinity is never
// crossed, so it is skipped: the same bits).
enum class clamp_sides { none, hi, both };

// y = x * scale + offset, clamped to Clamp's sides: every store's value before
// its rounding to the output dtype.
template <class CT, clamp_sides Clamp>
static inline typename ctypes<CT>::vec affine_clamp(typename ctypes<CT>::vec x,
                                                    const store_params<CT>& sp) {
  using vec = typename ctypes<CT>::vec;
  // Two roundings, not an fma: the Generator's array-parameter path applies
  // mean + std * x in NumPy and must give the same bits.
  vec y = x * sp.scale + sp.offset;
  if constexpr (Clamp == clamp_sides::both)
    y = vmin(vmax(y, splat<vec>(sp.lo)), splat<vec>(sp.hi));
  else if constexpr (Clamp == clamp_sides::hi)
    y = vmin(y, splat<vec>(sp.hi));
  return y;
}

// One ctypes<CT> vector (or its first `lanes` lanes) to dst: y = x * scale +
// offset, clamped to Clamp's sides, rounded once to the output dtype
// (NoSubnormal: y is known never to be subnormal).
template <class CT, dtype Out, clamp_sides Clamp, bool NoSubnormal>
static inline void put_vec(typename ctypes<CT>::vec x, char* dst, int lanes,
                           const store_params<CT>& sp) {
  using vec = typename ctypes<CT>::vec;
  constexpr int L = W / ctypes<CT>::H;
  const vec y = affine_clamp<CT, Clamp>(x, sp);
  // Whole vectors with fixed-size stores, then the tail (a variable-size
  // copy, which compilers do not turn into one vector store).
  auto put = [&](const auto& v) {
    if (lanes == L)
      store(dst, v);
    else
      std::memcpy(dst, &v, sizeof v / L * static_cast<unsigned>(lanes));
  };
  if constexpr (Out == dtype::float16) {
    put(to_half_bits(y));
  } else if constexpr (Out == dtype::bfloat16) {
    if constexpr (NoSubnormal)
      put(to_bfloat16_bits_of_normal(y));
    else
      put(to_bfloat16_bits(y));
  } else {
    put(y);
  }
}

// Whether put_pair rounds two vectors in one instruction: bfloat16 of values
// known never to be subnormal, with AVX-512 BF16.
template <class CT, dtype Out, bool NoSubnormal>
constexpr bool kPairedStore =
#if defined(__AVX512BF16__) && TURBOINIT_WIDTH == 16
    std::is_same_v<CT, float> && Out == dtype::bfloat16 && NoSubnormal;
#else
    false;
#endif

// Two whole vectors to dst, x0's values first: put_vec's bits, where
// kPairedStore (its callers check it).
template <class CT, dtype Out, clamp_sides Clamp, bool NoSubnormal>
static inline void put_pair(typename ctypes<CT>::vec x0, typename ctypes<CT>::vec x1, char* dst,
                            const store_params<CT>& sp) {
  static_assert(kPairedStore<CT, Out, NoSubnormal>, "only where one instruction rounds both");
#if defined(__AVX512BF16__) && TURBOINIT_WIDTH == 16
  store_bfloat16_pair_vcvt(affine_clamp<CT, Clamp>(x0, sp), affine_clamp<CT, Clamp>(x1, sp), dst);
#endif
}

template <class CT, dtype Out, clamp_sides Clamp, bool NoSubnormal>
static inline void store_run(const CT* src, uint64_t n, char* dst, const store_params<CT>& sp) {
  using vec = typename ctypes<CT>::vec;
  constexpr int L = W / ctypes<CT>::H;
  constexpr std::size_t out_size = (Out == dtype::float64) ? 8 : (Out == dtype::float32) ? 4 : 2;
  uint64_t i = 0;
  if constexpr (kPairedStore<CT, Out, NoSubnormal>)
    for (; i + 2 * L <= n; i += 2 * L)
      put_pair<CT, Out, Clamp, NoSubnormal>(load<vec>(src + i), load<vec>(src + i + L),
                                            dst + i * out_size, sp);
  for (; i + L <= n; i += L)
    put_vec<CT, Out, Clamp, NoSubnormal>(load<vec>(src + i), dst + i * out_size, L, sp);
  if (i < n)
    put_vec<CT, Out, Clamp, NoSubnormal>(load<vec>(src + i), dst + i * out_size,
                                         static_cast<int>(n - i), sp);
}

// f(std::integral_constant<dtype, Out>, std::integral_constant<clamp_sides,
// Clamp>, std::bool_constant<NoSubnormal>) with the output dtype, the clamped
// sides and (bfloat16 only) the never-subnormal guarantee of `out` and `sp` as
// compile-time constants.  A side at infinity changes nothing, so it is
// skipped: both for plain normals, the lower one for a uniform whose smallest
// value already lies inside (uniform_setup).
template <class CT, class F>
static inline void with_store(dtype out, const store_params<CT>& sp, const F& f) {
  auto typed = [&](auto clamp) {
    constexpr std::false_type checked{};
    if constexpr (sizeof(CT) == 8) {
      f(std::integral_constant<dtype, dtype::float64>{}, clamp, checked);
    } else {
      switch (out) {
        case dtype::float16:
          f(std::integral_constant<dtype, dtype::float16>{}, clamp, checked);
          break;
        case dtype::bfloat16:
          if (sp.never_subnormal)
            f(std::integral_constant<dtype, dtype::bfloat16>{}, clamp, std::true_type{});
          else
            f(std::integral_constant<dtype, dtype::bfloat16>{}, clamp, checked);
          break;
        default: f(std::integral_constant<dtype, dtype::float32>{}, clamp, checked); break;
      }
    }
  };
  if (sp.lo == -__builtin_inf() && sp.hi == __builtin_inf())
    typed(std::integral_constant<clamp_sides, clamp_sides::none>{});
  else if (sp.lo == -__builtin_inf())
    typed(std::integral_constant<clamp_sides, clamp_sides::hi>{});
  else
    typed(std::integral_constant<clamp_sides, clamp_sides::both>{});
}

template <class CT>
static inline void store_any(const CT* src, uint64_t n, char* dst, dtype out,
                             const store_params<CT>& sp) {
  with_store<CT>(out, sp, [&](auto o, auto clamp, auto no_sub) {
    store_run<CT, decltype(o)::value, decltype(clamp)::value, decltype(no_sub)::value>(src, n, dst,
                                                                                       sp);
  });
}

// ---- the group loop ----------------------------------------------------------

// Fill the flat range [first, first + count): generate whole groups into a
// small stage (stays in L1), then store the wanted part of it.
template <class Generate, class Store>
static inline void staged_run(uint64_t group_elems, uint64_t first, uint64_t count,
                              const Generate& generate, const Store& store_part,
                              uint64_t stage_elems = kStageElems) {
  const uint64_t groups_per_stage = stage_elems / group_elems;
  const uint64_t end = first + count;
  uint64_t pos = first;
  while (pos < end) {
    const uint64_t g0 = pos / group_elems;
    const uint64_t last = (end - 1) / group_elems;
    const uint64_t ng = (last - g0 + 1 < groups_per_stage) ? last - g0 + 1 : groups_per_stage;
    generate(g0, ng);
    const uint64_t lo = pos - g0 * group_elems;
    const uint64_t hi_all = ng * group_elems;
    const uint64_t hi = (end - g0 * group_elems < hi_all) ? end - g0 * group_elems : hi_all;
    store_part(lo, hi - lo, pos - first);
    pos = g0 * group_elems + hi;
  }
}

// The plain drivers' split of [first, first + count) at groups of G elements:
// whole(g_lo, n) for the n whole groups from group g_lo (straight from
// registers), staged(from, n) for the partial groups at either end (possibly
// empty; all of the range when it holds no whole group).
template <class Staged, class Whole>
static TURBOINIT_HOT void split_at_groups(uint64_t G, uint64_t first, uint64_t count,
                                          const Staged& staged, const Whole& whole) {
  const uint64_t end = first + count;
  const uint64_t g_lo = first / G + (first % G != 0);  // first whole group
  const uint64_t g_hi = end / G;                       // past the last whole group
  if (g_lo >= g_hi) {
    staged(first, count);
    return;
  }
  staged(first, g_lo * G - first);
  whole(g_lo, g_hi - g_lo);
  staged(g_hi * G, end - g_hi * G);
}

// A partial range [from, from + n) of a plain driver through a small stage:
// put(base, w) writes the candidates of Philox draw `w` at `base` (element
// k * 16 of the stage from there is candidate k), store_part(part, n_part,
// done) takes n_part staged values for call elements done.. of the range.
template <class CT, class Put, class StorePart>
static TURBOINIT_HOT void staged_plain(const philox_stream& st, uint64_t G, uint64_t from,
                                       uint64_t n, const Put& put, const StorePart& store_part) {
  if (n == 0) return;
  alignas(64) CT stage[kStageElems + W];
  std::memset(stage + kStageElems, 0, sizeof(CT) * W);
  staged_run(
      G, from, n,
      [&](uint64_t g0, uint64_t ng) {
        first_draws(st, g0, ng,
                    [&](uint64_t gi, int sub, const words& w) { put(stage + gi * G + sub, w); });
      },
      [&](uint64_t lo, uint64_t n_part, uint64_t done) { store_part(stage + lo, n_part, done); });
}

// A plain sampler (no rejection).  Whole groups inside the range go straight
// from registers to `out` (in a group, element k * 16 + b is row k of block b,
// so a row of W blocks is W consecutive elements); the partial groups at the
// ends go through the stage.
template <class CT, class Sampler>
static void fill_plain(const Sampler& sampler, const philox_stream& st, const affine_store& as,
                       uint64_t first, uint64_t count, void* out) {
  using vec = typename ctypes<CT>::vec;
  constexpr int C = Sampler::C;
  constexpr int H = ctypes<CT>::H;
  constexpr int L = W / H;
  constexpr uint64_t G = uint64_t{kGroupBlocks} * C;
  const store_params<CT> sp = make_store_params<CT>(as);
  const std::size_t item = itemsize(as.out);
  char* const dst = static_cast<char*>(out);
  auto staged = [&](uint64_t from, uint64_t n) {
    staged_plain<CT>(
        st, G, from, n,
        [&](CT* base, const words& w) {
          vec cand[C][H];
          sampler.rows(w, cand);
          for (int k = 0; k < C; ++k)
            for (int h = 0; h < H; ++h) store(base + k * kGroupBlocks + h * L, cand[k][h]);
        },
        [&](const CT* part, uint64_t n_part, uint64_t done) {
          store_any<CT>(part, n_part, dst + (from - first + done) * item, as.out, sp);
        });
  };
  auto whole = [&](uint64_t g_lo, uint64_t groups) {
    with_store<CT>(as.out, sp, [&](auto o, auto clamp, auto no_sub) {
      constexpr dtype Out = decltype(o)::value;
      constexpr clamp_sides Clamp = decltype(clamp)::value;
      constexpr bool NoSubnormal = decltype(no_sub)::value;
      auto put = [&](uint64_t gi, int sub, const vec(&cand)[C][H]) {
        char* const at = dst + ((g_lo + gi) * G - first + static_cast<uint64_t>(sub)) * item;
        if constexpr (kPairedStore<CT, Out, NoSubnormal> && H == 1 && C % 2 == 0 &&
                      kGroupBlocks == L) {
          // Rows k and k + 1 are adjacent in `out`: one rounding for both.
          for (int k = 0; k < C; k += 2)
            put_pair<CT, Out, Clamp, NoSubnormal>(cand[k][0], cand[k + 1][0],
                                                  at + k * kGroupBlocks * item, sp);
        } else {
          for (int k = 0; k < C; ++k)
            for (int h = 0; h < H; ++h)
              put_vec<CT, Out, Clamp, NoSubnormal>(cand[k][h],
                                                   at + (k * kGroupBlocks + h * L) * item, L, sp);
        }
      };
      auto one = [&](uint64_t gi, int sub, const words& w) {
        vec cand[C][H];
        sampler.rows(w, cand);
        put(gi, sub, cand);
      };
      if constexpr (has_rows_pair<Sampler>::value) {
        first_draws_paired(
            st, g_lo, groups, one,
            [&](uint64_t gi0, int sub0, const words& w0, uint64_t gi1, int sub1, const words& w1) {
              vec a[C][H], b[C][H];
              rows_pair_of(sampler, w0, w1, a, b);
              put(gi0, sub0, a);
              put(gi1, sub1, b);
            });
      } else {
        first_draws(st, g_lo, groups, one);
      }
    });
  };
  split_at_groups(G, first, count, staged, whole);
}

// The positions of the set bits of rejected[0, n_words) in ascending order
// (bit j of word i is position i * 64 + j) to pending; returns how many.  The
// rejection drivers' list of rejected elements (4.6% of a pass for the normal
// proposal on [-2, 2]): a scan of the bits costs less than appending each
// vector's rejects as they are drawn, and a vpcompressd per 16 bits, without
// a branch per word, measured slower still (docs/performance.md).
static inline uint32_t rejected_positions(const uint64_t* rejected, uint64_t n_words,
                                          uint16_t* pending) {
  uint32_t n = 0;
  for (uint64_t i = 0; i < n_words; ++i)
    for (uint64_t bits = rejected[i]; bits != 0; bits &= bits - 1)
      pending[n++] = static_cast<uint16_t>(i * 64 + __builtin_ctzll(bits));
  return n;
}

// The blocks and rows of W pass positions (pos, relative to the pass's first
// group, whose first block is `base`): position p of groups of G elements is
// row (p mod G) div 16 of block base + 16 (p div G) + p mod 16
// (docs/counter_layout.md); lo, hi are the block's counter words 0 and 1.
template <uint64_t G>
static inline void pass_blocks(vu32 pos, uint64_t base, vu32& lo, vu32& hi, vi32& row) {
  const vu32 r = pos % static_cast<uint32_t>(G);
  row = (vi32)(r / static_cast<uint32_t>(kGroupBlocks));
  const vu32 local = (pos / static_cast<uint32_t>(G)) * kGroupBlocks + r % kGroupBlocks;
  lo = splat<vu32>(static_cast<uint32_t>(base)) + local;
  hi = splat<vu32>(static_cast<uint32_t>(base >> 32)) - (vu32)(lo < local);
}

// A proposal's first draws (attempt 0) of groups [g0, g0 + ng): record(gi,
// sub, candidates, masks) per vector of blocks, two vectors' rows side by side
// where the proposal has rows_pair.  Both rejection drivers start here.
template <class CT, class Proposal, class Record>
static TURBOINIT_HOT void proposal_draws(const Proposal& prop, const philox_stream& st, uint64_t g0,
                                         uint64_t ng, const Record& record) {
  using vec = typename ctypes<CT>::vec;
  using mask = typename ctypes<CT>::mask;
  constexpr int C = Proposal::C;
  constexpr int H = ctypes<CT>::H;
  auto one = [&](uint64_t gi, int sub, const words& w) {
    vec cand[C][H];
    mask ok[C][H];
    prop(w, cand, ok);
    record(gi, sub, cand, ok);
  };
  if constexpr (has_rows_pair<Proposal>::value) {
    first_draws_paired(
        st, g0, ng, one,
        [&](uint64_t gi0, int sub0, const words& w0, uint64_t gi1, int sub1, const words& w1) {
          vec a[C][H], b[C][H];
          mask oka[C][H], okb[C][H];
          prop.rows_pair(w0, w1, a, oka, b, okb);
          record(gi0, sub0, a, oka);
          record(gi1, sub1, b, okb);
        });
  } else {
    first_draws(st, g0, ng, one);
  }
}

template <class CT, class Proposal>
static void fill_rejection(const Proposal& prop, const philox_stream& st, const affine_store& as,
                           CT fallback, uint64_t first, uint64_t count, void* out) {
  using vec = typename ctypes<CT>::vec;
  using mask = typename ctypes<CT>::mask;
  constexpr int C = Proposal::C;
  constexpr int H = ctypes<CT>::H;
  constexpr int L = W / H;
  constexpr uint32_t kVecBits = (L == 32) ? ~0u : ((1u << L) - 1u);
  constexpr uint64_t G = uint64_t{kGroupBlocks} * C;
  constexpr uint64_t kRejectStageElems = kRejectStageBytes / sizeof(CT);
  alignas(64) CT stage[kRejectStageElems + W];
  std::memset(stage + kRejectStageElems, 0, sizeof(CT) * W);
  uint16_t pending[kRejectStageElems + 2 * W];
  std::memset(pending, 0, sizeof pending);  // retries read whole vectors of it
  // Bit i: stage element i was rejected.  A group's G candidates start at a
  // multiple of G, which divides 64, so a draw's bits are in one word: they
  // are gathered in a register and or-ed into it once (not once per vector,
  // a chain through memory).
  static_assert(64 % G == 0, "a group's bits in one word");
  uint64_t rejected[kRejectStageElems / 64 + 1];
  const store_params<CT> sp = make_store_params<CT>(as);
  const round_keys rk = make_round_keys(st.key);
  auto generate = [&](uint64_t g0, uint64_t ng) {
    const uint64_t n_words = (ng * G + 63) / 64;
    std::memset(rejected, 0, sizeof(uint64_t) * n_words);
    auto record = [&](uint64_t gi, int sub, const vec(&cand)[C][H], const mask(&ok)[C][H]) {
      uint64_t bits = 0;
      for (int k = 0; k < C; ++k) {
        for (int h = 0; h < H; ++h) {
          const uint64_t in_group = k * kGroupBlocks + sub + h * L;
          store(stage + gi * G + in_group, cand[k][h]);
          bits |= uint64_t{~mask_bits(ok[k][h]) & kVecBits} << in_group;
        }
      }
      rejected[gi * G / 64] |= bits << (gi * G % 64);
    };
    proposal_draws<CT>(prop, st, g0, ng, record);
    uint32_t n_pending = rejected_positions(rejected, n_words, pending);
    // Redraw the rejected elements, W at a time, each from its own block and
    // row with the next attempt number.
    for (uint32_t attempt = 1; n_pending > 0; ++attempt) {
      if (attempt >= static_cast<uint32_t>(kMaxAttempts)) {
        for (uint32_t i = 0; i < n_pending; ++i) stage[pending[i]] = fallback;
        break;
      }
      uint32_t kept = 0;
      for (uint32_t i = 0; i < n_pending; i += W) {
        const int lanes = (n_pending - i >= static_cast<uint32_t>(W)) ? W : int(n_pending - i);
        vu32 lo, hi;
        vi32 row;
        pass_blocks<G>(__builtin_convertvector(load<vu16>(pending + i), vu32),
                       st.block_offset + g0 * kGroupBlocks, lo, hi, row);
        vec x[H];
        mask ok[H];
        prop.one(philox(lo, hi, splat<vu32>(attempt), rk), row, x, ok);
        // Branch-free: a rejected lane's slot is written too, and rewritten
        // when one of its later attempts is accepted.
        uint32_t good = 0;
        for (int h = 0; h < H; ++h) good |= mask_bits(ok[h]) << (h * L);
        for (int l = 0; l < lanes; ++l) {
          const uint16_t p = pending[i + static_cast<uint32_t>(l)];
          stage[p] = x[l / L][l % L];
          pending[kept] = p;
          kept += ((good >> l) & 1u) ^ 1u;
        }
      }
      n_pending = kept;
    }
  };
  auto store_part = [&](uint64_t lo, uint64_t n, uint64_t done) {
    store_any<CT>(stage + lo, n, static_cast<char*>(out) + done * itemsize(as.out), as.out, sp);
  };
  staged_run(G, first, count, generate, store_part, kRejectStageElems);
}

// float64 rejection with the normal or half-normal proposal on [a, b] inside
// the inverse CDF's reach (truncated_normal_args::inverse_cdf_retries): each
// element is its block's candidate if accepted, else the inverse CDF of the
// uniform of its row in its block's attempt-1 draw, exact and never rejected
// (docs/counter_layout.md).  So there is no retry loop: whole groups go from
// registers to `out` as the normal's do, with the rejected elements' positions
// recorded as bits, and then those elements are rewritten, W at a time and
// kRetryVecs vectors side by side.  The partial groups at the ends of the
// range take the same steps on a stage.  Passes of 64 KiB of `out` (the
// retries' stores still hit L1 or L2; 32 KiB measured 1.2% slower, 128 KiB no
// faster), four vectors of retries at once (two: 1% slower).  One Zen 5 core
// on [-2, 2]: 1.066 ns per value against the retry loop's 1.208 and the
// normal's 0.894 (benchmarks/results/ab/truncnorm_f64_icdf_retries/).
template <bool Short, class Proposal>
static void fill_rejection_icdf(const Proposal& prop, const inverse_cdf_f64_sampler<Short>& icdf,
                                const philox_stream& st, const affine_store& as,
                                bool accepted_unclamped, uint64_t first, uint64_t count,
                                void* out) {
  using vec = vf64n;
  using mask = vi64n;
  constexpr int C = Proposal::C;
  constexpr int H = 2;
  constexpr int L = W / H;
  constexpr uint64_t G = uint64_t{kGroupBlocks} * C;
  constexpr uint64_t kPassElems = 2 * kRejectStageBytes / sizeof(double);
  constexpr uint64_t kPassGroups = kPassElems / G;
  constexpr int kRetryVecs = kPhiloxPairs ? 4 : 2;
  static_assert(C == 2 && 64 % G == 0, "two rows per block; a group's bits in one word");
  const store_params<double> sp = make_store_params<double>(as);
  const round_keys rk = make_round_keys(st.key);
  uint64_t rejected[kPassElems / 64];
  alignas(64) uint16_t pending[kPassElems + kRetryVecs * W];
  // Groups [g0, g0 + ng) of the call to dst (its element 0 is the first of
  // group g0): put(x, at) stores a vector of candidates, fix(y) maps redrawn
  // values as put does.
  auto pass = [&](uint64_t g0, uint64_t ng, double* dst, const auto& put, const auto& fix) {
    const uint64_t n_words = (ng * G + 63) / 64;
    std::memset(rejected, 0, sizeof(uint64_t) * n_words);
    // The candidates' own bounds test (prop's masks are left unused): the
    // half-normal's candidates are already |x|.
    auto record = [&](uint64_t gi, int sub, const vec(&cand)[C][H], const mask(&)[C][H]) {
      uint64_t bits = 0;
      for (int k = 0; k < C; ++k) {
        for (int h = 0; h < H; ++h) {
          const uint64_t in_group = k * kGroupBlocks + sub + h * L;
          put(cand[k][h], dst + gi * G + in_group);
          bits |= uint64_t{outside_bits(cand[k][h], prop.p.a, prop.p.b)} << in_group;
        }
      }
      rejected[gi * G / 64] |= bits << (gi * G % 64);
    };
    proposal_draws<double>(prop, st, g0, ng, record);
    const uint32_t n_pending = rejected_positions(rejected, n_words, pending);
    // The redraws read whole vectors of it (lanes past the end compute a
    // value that is not stored).
    std::memset(pending + n_pending, 0, sizeof(uint16_t) * kRetryVecs * W);
    // Each from its block's attempt 1: row 0 from (x0, x1), row 1 from (x2, x3).
    for (uint32_t i = 0; i < n_pending; i += kRetryVecs * W) {
      vu32 c[kRetryVecs][4];
      vi32 second[kRetryVecs];
      for (int v = 0; v < kRetryVecs; ++v) {
        pass_blocks<G>(__builtin_convertvector(load<vu16>(pending + i + v * W), vu32),
                       st.block_offset + g0 * kGroupBlocks, c[v][0], c[v][1], second[v]);
        second[v] = second[v] != 0;
        c[v][2] = splat<vu32>(1u);
        c[v][3] = vu32{};
      }
      words w[kRetryVecs];
      philox4_n<kRetryVecs>(c, rk, w);
      vf64 x[kRetryVecs];
      for (int v = 0; v < kRetryVecs; ++v)
        x[v] = unit_f64(select(second[v], w[v].x2, w[v].x0), select(second[v], w[v].x3, w[v].x1));
      icdf.template quantiles<kRetryVecs>(x);
      alignas(64) double y[kRetryVecs * W];
      for (int v = 0; v < kRetryVecs; ++v) {
        store(y + v * W, fix(lo_half(x[v])));
        store(y + v * W + L, fix(hi_half(x[v])));
      }
      const uint32_t n = std::min<uint32_t>(kRetryVecs * W, n_pending - i);
      for (uint32_t l = 0; l < n; ++l) dst[pending[i + l]] = y[l];
    }
  };
  auto staged = [&](uint64_t from, uint64_t n) {  // raw candidates, then store_any
    if (n == 0) return;
    alignas(64) double stage[2 * G];
    const uint64_t g0 = from / G;
    const uint64_t ng = (from + n - 1) / G - g0 + 1;  // a partial group, or two with no whole one
    pass(g0, ng, stage, [](vec x, double* at) { store(at, x); }, [](vec x) { return x; });
    store_any<double>(stage + (from - g0 * G), n, static_cast<char*>(out) + (from - first) * 8,
                      as.out, sp);
  };
  auto whole = [&](uint64_t g_lo, uint64_t groups) {
    with_store<double>(as.out, sp, [&](auto, auto clamp, auto) {
      constexpr clamp_sides Clamp = decltype(clamp)::value;
      // The first draws' clamp: none where no accepted candidate needs it
      // (their rejected lanes are rewritten, clamped, by the retries).
      auto run = [&](auto first_clamp) {
        constexpr clamp_sides First = decltype(first_clamp)::value;
        for (uint64_t done = 0; done < groups; done += kPassGroups) {
          const uint64_t ng = std::min(kPassGroups, groups - done);
          pass(
              g_lo + done, ng, static_cast<double*>(out) + ((g_lo + done) * G - first),
              [&](vec x, double* at) { store(at, affine_clamp<double, First>(x, sp)); },
              [&](vec x) { return affine_clamp<double, Clamp>(x, sp); });
        }
      };
      if (accepted_unclamped)
        run(std::integral_constant<clamp_sides, clamp_sides::none>{});
      else
        run(clamp);
    });
  };
  split_at_groups(G, first, count, staged, whole);
}

// ---- entry points --------------------------------------------------------------

// The float32 uniform's 24-bit integer k as a float, for a store whose scale
// takes the 2^-24: fl(k scale 2^-24) is fl(u scale) for u = k 2^-24.
struct uniform_integer_sampler {
  static constexpr int C = 4;
  void rows(const words& w, vf32 (&out)[C][1]) const {
    out[0][0] = top24_f32(w.x0);
    out[1][0] = top24_f32(w.x1);
    out[2][0] = top24_f32(w.x2);
    out[3][0] = top24_f32(w.x3);
  }
};

// S's rows of the words min(w, cap): the float32 uniform with its top values
// replaced by the cap's (uniform_args::word_cap).
template <class S>
struct capped_words {
  static constexpr int C = S::C;
  S sampler;
  uint32_t cap;
  void rows(const words& w, vf32 (&out)[C][1]) const {
    const vu32 c = splat<vu32>(cap);
    sampler.rows(words{vmin(w.x0, c), vmin(w.x1, c), vmin(w.x2, c), vmin(w.x3, c)}, out);
  }
};

void uniform_entry(const uniform_args& a, uint64_t first, uint64_t count, void* out) {
  if (a.store.out == dtype::float64) {
    fill_plain<double>(uniform_sampler<double>{}, a.stream, a.store, first, count, out);
    return;
  }
  auto fill = [&](const auto& sampler, const affine_store& store) {
    using S = std::decay_t<decltype(sampler)>;
    if (a.word_cap != kNoWordCap)
      fill_plain<float>(capped_words<S>{sampler, a.word_cap}, a.stream, store, first, count, out);
    else
      fill_plain<float>(sampler, a.stream, store, first, count, out);
  };
  // One multiply fewer per vector where scale 2^-24 is exact (zero or a
  // normal float32): the same products, so the same bits.
  const float scale = float(a.store.scale);
  const float smallest = std::numeric_limits<float>::min() / kUniformStep32;
  if (scale == 0.0f || scale >= smallest || scale <= -smallest) {
    affine_store folded = a.store;
    folded.scale = double(scale * kUniformStep32);
    fill(uniform_integer_sampler{}, folded);
  } else {
    fill(uniform_sampler<float>{}, a.store);
  }
}

void normal_entry(const normal_args& a, uint64_t first, uint64_t count, void* out) {
  if (a.store.out == dtype::float64)
    fill_plain<double>(normal_sampler<double>{}, a.stream, a.store, first, count, out);
  else
    fill_plain<float>(normal_sampler<float>{}, a.stream, a.store, first, count, out);
}

template <class CT>
void truncated_normal_typed(const truncated_normal_args& a, uint64_t first, uint64_t count,
                            void* out) {
  const trunc_params<CT> p{
      CT(a.a), CT(a.b), CT(a.b - a.a), CT(a.lambda), CT(a.lambda > 0 ? 1.0 / a.lambda : 0.0),
      CT(a.m)};
  // Only reachable with probability < 0.5^4096; any value inside the bounds.
  const CT fallback = CT(a.method == trunc_method::normal && !(a.a > -1e300) ? a.b : a.a);
  // The float64 normal and half-normal proposals inside the inverse CDF's
  // reach: false where the plan keeps the retries by the proposal.
  auto icdf_retries = [&](const auto& prop) {
    if constexpr (sizeof(CT) == 8) {
      if (!a.inverse_cdf_retries) return false;
      if (a.a >= -kInverseCdf64ShortReach && a.b <= kInverseCdf64ShortReach)
        fill_rejection_icdf(prop, inverse_cdf_f64_sampler<true>{a.erf_a, a.erf_width}, a.stream,
                            a.store, a.accepted_unclamped, first, count, out);
      else
        fill_rejection_icdf(prop, inverse_cdf_f64_sampler<false>{a.erf_a, a.erf_width}, a.stream,
                            a.store, a.accepted_unclamped, first, count, out);
      return true;
    } else {
      (void)prop;
      return false;
    }
  };
  switch (a.method) {
    case trunc_method::inverse_cdf:
      if constexpr (sizeof(CT) == 4)
        fill_plain<float>(inverse_cdf_sampler{inverse_cdf_erf_a(a), inverse_cdf_step(a)}, a.stream,
                          a.store, first, count, out);
      else if (a.a >= -kInverseCdf64ShortReach && a.b <= kInverseCdf64ShortReach)
        fill_plain<double>(inverse_cdf_f64_sampler<true>{a.erf_a, a.erf_width}, a.stream, a.store,
                           first, count, out);
      else
        fill_plain<double>(inverse_cdf_f64_sampler<false>{a.erf_a, a.erf_width}, a.stream, a.store,
                           first, count, out);
      break;
    case trunc_method::normal:
      // Every candidate accepted at its first draw: the normal itself, clamped
      // (the same bits as the rejection loop would give).
      if (a.never_rejects)
        fill_plain<CT>(normal_sampler<CT>{}, a.stream, a.store, first, count, out);
      else if (!icdf_retries(normal_proposal<CT, false>{p}))
        fill_rejection<CT>(normal_proposal<CT, false>{p}, a.stream, a.store, fallback, first, count,
                           out);
      break;
    case trunc_method::half_normal:
      if (!icdf_retries(normal_proposal<CT, true>{p}))
        fill_rejection<CT>(normal_proposal<CT, true>{p}, a.stream, a.store, fallback, first, count,
                           out);
      break;
    case trunc_method::uniform:
      fill_rejection<CT>(uniform_proposal<CT>{p}, a.stream, a.store, fallback, first, count, out);
      break;
    case trunc_method::exponential:
      fill_rejection<CT>(exponential_proposal<CT>{p}, a.stream, a.store, fallback, first, count,
                         out);
      break;
  }
}

void truncated_normal_entry(const truncated_normal_args& a, uint64_t first, uint64_t count,
                            void* out) {
  if (a.store.out == dtype::float64)
    truncated_normal_typed<double>(a, first, count, out);
  else
    truncated_normal_typed<float>(a, first, count, out);
}

void bits_entry(const philox_stream& st, uint64_t first, uint64_t count, uint32_t* out) {
  constexpr uint64_t G = uint64_t{kGroupBlocks} * 4;
  alignas(64) uint32_t stage[kStageElems];
  auto generate = [&](uint64_t g0, uint64_t ng) {
    first_draws(st, g0, ng, [&](uint64_t gi, int sub, const words& w) {
      uint32_t* at = stage + gi * G + sub;
      store(at, w.x0);
      store(at + kGroupBlocks, w.x1);
      store(at + 2 * kGroupBlocks, w.x2);
      store(at + 3 * kGroupBlocks, w.x3);
    });
  };
  auto store_part = [&](uint64_t lo, uint64_t n, uint64_t done) {
    std::memcpy(out + done, stage + lo, n * sizeof(uint32_t));
  };
  staged_run(G, first, count, generate, store_part);
}

}  // namespace
}  // namespace turboinit::kernels::TURBOINIT_TARGET
