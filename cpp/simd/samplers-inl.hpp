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
#include <utility>

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#endif

#include "simd/kernels.hpp"

namespace turboinit::kernels::TURBOINIT_TARGET {
namespace {

#include "simd/vec.hpp"
#include "simd/math.hpp"

constexpr int kGroupBlocks = kBlocksPerGroup;
static_assert(kGroupBlocks % W == 0, "a group must hold whole vectors");
constexpr uint64_t kStageElems = 1024;
constexpr int kMaxAttempts = 4096;
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

struct words {
  vu32 x0, x1, x2, x3;
};

// GCC 12 reports its own AVX-512 headers' pass-through operands as
// uninitialised when philox4 is inlined with a tag word (GCC bug 105593).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif
// Philox4x32-10 on W counters (c0, c1, c2, c3) at once.
static inline words philox4(vu32 c0, vu32 c1, vu32 c2, vu32 c3, philox_key key) {
  uint32_t k0 = key[0], k1 = key[1];
  for (int r = 0; r < kPhiloxRounds; ++r) {
    if (r > 0) {
      k0 += kPhiloxW0;
      k1 += kPhiloxW1;
    }
    vu32 hi0, lo0, hi1, lo1;
    mulhilo(c0, kPhiloxM0, hi0, lo0);
    mulhilo(c2, kPhiloxM1, hi1, lo1);
    const vu32 n0 = hi1 ^ c1 ^ k0;
    const vu32 n2 = hi0 ^ c3 ^ k1;
    c0 = n0;
    c1 = lo1;
    c2 = n2;
    c3 = lo0;
  }
  return {c0, c1, c2, c3};
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

// The samplers' counters: (block lo, block hi, attempt, 0).
static inline words philox(vu32 c0, vu32 c1, vu32 c2, philox_key key) {
  return philox4(c0, c1, c2, vu32{}, key);
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
template <class F>
static inline void first_draws(const philox_stream& st, uint64_t g0, uint64_t ng, const F& f) {
  const vu32 attempt0 = {};
  for (uint64_t gi = 0; gi < ng; ++gi) {
    const uint64_t block0 = st.block_offset + (g0 + gi) * kGroupBlocks;
    for (int sub = 0; sub < kGroupBlocks; sub += W) {
      vu32 lo, hi;
      block_counters(block0 + sub, lo, hi);
      f(gi, sub, philox(lo, hi, attempt0, st.key));
    }
  }
}

// Uniforms from raw words.
static inline vf32 unit_f32(vu32 x) { return to_f32((vi32)(x >> 8)) * 0x1p-24f; }  // [0, 1)
static inline vf32 open_unit_f32(vu32 x) {                                         // (0, 1]
  return to_f32((vi32)(x >> 1)) * 0x1p-31f + 0x1p-32f;
}

// 53-bit uniforms from two words, on half vectors (one register each):
// [0, 1) and (0, 1].
static inline vf64n unit_f64(vu32h hi, vu32h lo) {
  return vfma(u32_to_f64(hi >> 11), 0x1p-21, u32_to_f64(lo) * 0x1p-53);  // exact
}
static inline vf64n open_unit_f64(vu32h hi, vu32h lo) {
  return vfma(u32_to_f64(hi >> 11), 0x1p-21, (u32_to_f64(lo) + 1.0) * 0x1p-53);  // exact
}

template <class V>
static inline void box_muller(V u_radius, V u_angle, V& z_cos, V& z_sin) {
  const V r = vsqrt(vlog(u_radius) * -2.0f);
  V s, c;
  vsincos_turns(u_angle, s, c);
  z_cos = r * c;
  z_sin = r * s;
}

static inline vf64 unit_f64(vu32 hi, vu32 lo) {  // [0, 1), 53 bits; exact
  return u32_to_f64(hi >> 11) * 0x1p-21 + u32_to_f64(lo) * 0x1p-53;
}
static inline vf64 open_unit_f64(vu32 hi, vu32 lo) {  // (0, 1], 53 bits; exact
  return u32_to_f64(hi >> 11) * 0x1p-21 + (u32_to_f64(lo) + 1.0) * 0x1p-53;
}

// float64 Box-Muller from the words, one half vector at a time: the same
// operations as box_muller(open_unit_f64(x0, x1), unit_f64(x2, x3)).
static inline void box_muller_f64(const words& w, vf64& z_cos, vf64& z_sin) {
  vf64n c0, s0, c1, s1;
  box_muller(open_unit_f64(lo_half(w.x0), lo_half(w.x1)), unit_f64(lo_half(w.x2), lo_half(w.x3)),
             c0, s0);
  box_muller(open_unit_f64(hi_half(w.x0), hi_half(w.x1)), unit_f64(hi_half(w.x2), hi_half(w.x3)),
             c1, s1);
  z_cos = join_halves(c0, c1);
  z_sin = join_halves(s0, s1);
}

// ---- samplers: C candidates from one block's words ------------------------

template <class CT>
struct uniform_sampler;
template <>
struct uniform_sampler<float> {
  static constexpr int C = 4;
  void operator()(const words& w, vf32 (&out)[C]) const {
    out[0] = unit_f32(w.x0);
    out[1] = unit_f32(w.x1);
    out[2] = unit_f32(w.x2);
    out[3] = unit_f32(w.x3);
  }
};
template <>
struct uniform_sampler<double> {
  static constexpr int C = 2;
  void operator()(const words& w, vf64 (&out)[C]) const {
    out[0] = unit_f64(w.x0, w.x1);
    out[1] = unit_f64(w.x2, w.x3);
  }
};

template <class CT>
struct normal_sampler;
template <>
struct normal_sampler<float> {
  static constexpr int C = 4;
  void operator()(const words& w, vf32 (&out)[C]) const {
    box_muller(open_unit_f32(w.x0), unit_f32(w.x1), out[0], out[1]);
    box_muller(open_unit_f32(w.x2), unit_f32(w.x3), out[2], out[3]);
  }
  // Candidate `row` of each lane's block alone (the same operations, so the
  // same bits as operator()).
  vf32 one(const words& w, vi32 row) const {
    const vi32 second = (row & 2) != 0;
    vf32 zc, zs;
    box_muller(open_unit_f32(select(second, w.x2, w.x0)), unit_f32(select(second, w.x3, w.x1)), zc,
               zs);
    return select((row & 1) != 0, zs, zc);
  }
};
template <>
struct normal_sampler<double> {
  static constexpr int C = 2;
  void operator()(const words& w, vf64 (&out)[C]) const { box_muller_f64(w, out[0], out[1]); }
  vf64 one(const words& w, vi32 row) const {
    vf64 zc, zs;
    box_muller_f64(w, zc, zs);
    return select(__builtin_convertvector((row & 1) != 0, vi64), zs, zc);
  }
};

// Truncated-normal proposals: candidates and their acceptance masks, for all
// C rows of a block (operator()) or for one row per lane (one(), retries).
template <class CT>
struct trunc_params {
  CT a, b, width, lambda, inv_lambda, m;
};

template <class CT, bool Half>
struct normal_proposal {  // N(0,1) or |N(0,1)|
  using vec = typename vtypes<CT>::vec;
  using mask = typename vtypes<CT>::mask;
  static constexpr int C = normal_sampler<CT>::C;
  trunc_params<CT> p;
  mask accept(vec& x) const {
    if (Half) x = vabs(x);
    return (x >= p.a) & (x <= p.b);
  }
  void operator()(const words& w, vec (&x)[C], mask (&ok)[C]) const {
    normal_sampler<CT>{}(w, x);
    for (int k = 0; k < C; ++k) ok[k] = accept(x[k]);
  }
  void one(const words& w, vi32 row, vec& x, mask& ok) const {
    x = normal_sampler<CT>{}.one(w, row);
    ok = accept(x);
  }
};

// The float32 proposals below take two words per candidate, pair(u1, u2, x,
// ok): two candidates per block, or the one of row `row`; in float64 they
// take all four words, one candidate per block.
template <class P>
static inline void pairs(const P& p, const words& w, vf32 (&x)[2], vi32 (&ok)[2]) {
  p.pair(w.x0, w.x1, x[0], ok[0]);
  p.pair(w.x2, w.x3, x[1], ok[1]);
}
template <class P>
static inline void pair_in_row(const P& p, const words& w, vi32 row, vf32& x, vi32& ok) {
  const vi32 second = row != 0;
  p.pair(select(second, w.x2, w.x0), select(second, w.x3, w.x1), x, ok);
}
template <class P>
static inline void single(const P& p, const words& w, vf64& x, vi64& ok) {
  vf64 xs[1];
  vi64 oks[1];
  p(w, xs, oks);
  x = xs[0];
  ok = oks[0];
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
  void operator()(const words& w, vf32 (&x)[C], vi32 (&ok)[C]) const { pairs(*this, w, x, ok); }
  void one(const words& w, vi32 row, vf32& x, vi32& ok) const { pair_in_row(*this, w, row, x, ok); }
};
template <>
struct uniform_proposal<double> {
  static constexpr int C = 1;
  trunc_params<double> p;
  void operator()(const words& w, vf64 (&x)[C], vi64 (&ok)[C]) const {
    x[0] = vfma(unit_f64(w.x0, w.x1), p.width, p.a);
    ok[0] = vlog(open_unit_f64(w.x2, w.x3)) <= (p.m - x[0]) * (p.m + x[0]) * 0.5;
  }
  void one(const words& w, vi32, vf64& x, vi64& ok) const { single(*this, w, x, ok); }
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
  void operator()(const words& w, vf32 (&x)[C], vi32 (&ok)[C]) const { pairs(*this, w, x, ok); }
  void one(const words& w, vi32 row, vf32& x, vi32& ok) const { pair_in_row(*this, w, row, x, ok); }
};
template <>
struct exponential_proposal<double> {
  static constexpr int C = 1;
  trunc_params<double> p;
  void operator()(const words& w, vf64 (&x)[C], vi64 (&ok)[C]) const {
    x[0] = vfma(vlog(open_unit_f64(w.x0, w.x1)), -p.inv_lambda, p.a);
    const vf64 d = x[0] - p.lambda;
    ok[0] = (x[0] <= p.b) & (vlog(open_unit_f64(w.x2, w.x3)) <= d * d * -0.5);
  }
  void one(const words& w, vi32, vf64& x, vi64& ok) const { single(*this, w, x, ok); }
};

// ---- stores: affine map, clamp, one rounding --------------------------------

template <class CT>
struct store_params {
  CT offset, scale, lo, hi;
};

template <class CT, dtype Out, bool Clamp>
static inline void store_run(const CT* src, uint64_t n, char* dst, const store_params<CT>& sp) {
  using vec = typename vtypes<CT>::vec;
  constexpr std::size_t out_size = (Out == dtype::float64) ? 8 : (Out == dtype::float32) ? 4 : 2;
  // Whole vectors with fixed-size stores, then the tail (a variable-size
  // copy, which compilers do not turn into one vector store).
  auto one = [&](uint64_t i, int lanes) {
    // Two roundings, not an fma: the Generator's array-parameter path applies
    // mean + std * x in NumPy and must give the same bits.
    vec y = load<vec>(src + i) * sp.scale + sp.offset;
    if (Clamp) y = vmin(vmax(y, splat<vec>(sp.lo)), splat<vec>(sp.hi));
    char* d = dst + i * out_size;
    auto put = [&](const auto& v) {
      if (lanes == W)
        store(d, v);
      else
        store_lanes(d, v, lanes);
    };
    if constexpr (Out == dtype::float16) {
      put(to_half_bits(y));
    } else if constexpr (Out == dtype::bfloat16) {
      put(to_bfloat16_bits(y));
    } else {
      put(y);
    }
  };
  uint64_t i = 0;
  for (; i + W <= n; i += W) one(i, W);
  if (i < n) one(i, static_cast<int>(n - i));
}

template <class CT, bool Clamp>
static inline void store_typed(const CT* src, uint64_t n, char* dst, dtype out,
                               const store_params<CT>& sp) {
  if constexpr (sizeof(CT) == 8) {
    store_run<CT, dtype::float64, Clamp>(src, n, dst, sp);
  } else {
    switch (out) {
      case dtype::float16: store_run<CT, dtype::float16, Clamp>(src, n, dst, sp); break;
      case dtype::bfloat16: store_run<CT, dtype::bfloat16, Clamp>(src, n, dst, sp); break;
      default: store_run<CT, dtype::float32, Clamp>(src, n, dst, sp); break;
    }
  }
}

// Clamping to [-inf, inf] changes nothing, so skip it (plain normals).
template <class CT>
static inline void store_any(const CT* src, uint64_t n, char* dst, dtype out,
                             const store_params<CT>& sp) {
  if (sp.lo == -__builtin_inf() && sp.hi == __builtin_inf())
    store_typed<CT, false>(src, n, dst, out, sp);
  else
    store_typed<CT, true>(src, n, dst, out, sp);
}

// ---- the group loop ----------------------------------------------------------

// Fill the flat range [first, first + count): generate whole groups into a
// small stage (stays in L1), then store the wanted part of it.
template <class Generate, class Store>
static inline void staged_run(uint64_t group_elems, uint64_t first, uint64_t count,
                              const Generate& generate, const Store& store_part) {
  const uint64_t groups_per_stage = kStageElems / group_elems;
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

template <class CT, class Sampler>
static void fill_plain(const Sampler& sampler, const philox_stream& st, const affine_store& as,
                       uint64_t first, uint64_t count, void* out) {
  using vec = typename vtypes<CT>::vec;
  constexpr int C = Sampler::C;
  constexpr uint64_t G = uint64_t{kGroupBlocks} * C;
  alignas(64) CT stage[kStageElems + W];
  std::memset(stage + kStageElems, 0, sizeof(CT) * W);
  const store_params<CT> sp{CT(as.offset), CT(as.scale), CT(as.lo), CT(as.hi)};
  auto generate = [&](uint64_t g0, uint64_t ng) {
    first_draws(st, g0, ng, [&](uint64_t gi, int sub, const words& w) {
      vec cand[C];
      sampler(w, cand);
      for (int k = 0; k < C; ++k) store(stage + gi * G + k * kGroupBlocks + sub, cand[k]);
    });
  };
  auto store_part = [&](uint64_t lo, uint64_t n, uint64_t done) {
    store_any<CT>(stage + lo, n, static_cast<char*>(out) + done * itemsize(as.out), as.out, sp);
  };
  staged_run(G, first, count, generate, store_part);
}

template <class CT, class Proposal>
static void fill_rejection(const Proposal& prop, const philox_stream& st, const affine_store& as,
                           CT fallback, uint64_t first, uint64_t count, void* out) {
  using vec = typename vtypes<CT>::vec;
  using mask = typename vtypes<CT>::mask;
  constexpr int C = Proposal::C;
  constexpr uint64_t G = uint64_t{kGroupBlocks} * C;
  alignas(64) CT stage[kStageElems + W];
  std::memset(stage + kStageElems, 0, sizeof(CT) * W);
  uint16_t pending[kStageElems + 2 * W];
  std::memset(pending, 0, sizeof pending);  // retries read whole vectors of it
  const store_params<CT> sp{CT(as.offset), CT(as.scale), CT(as.lo), CT(as.hi)};
  auto generate = [&](uint64_t g0, uint64_t ng) {
    uint32_t n_pending = 0;
    first_draws(st, g0, ng, [&](uint64_t gi, int sub, const words& w) {
      vec cand[C];
      mask ok[C];
      prop(w, cand, ok);
      for (int k = 0; k < C; ++k) {
        const uint64_t at = gi * G + k * kGroupBlocks + sub;
        store(stage + at, cand[k]);
        n_pending += append_set_lanes(pending + n_pending, static_cast<uint32_t>(at),
                                      ~mask_bits(ok[k]) & kLaneBits);
      }
    });
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
        // Stage position -> (block, row), for W pending elements at once.
        const vu32 pos = __builtin_convertvector(load<vu16>(pending + i), vu32);
        const vu32 r = pos % static_cast<uint32_t>(G);
        const vi32 row = (vi32)(r / static_cast<uint32_t>(kGroupBlocks));
        const vu32 local = (pos / static_cast<uint32_t>(G)) * kGroupBlocks + r % kGroupBlocks;
        const uint64_t base = st.block_offset + g0 * kGroupBlocks;
        const vu32 lo = splat<vu32>(static_cast<uint32_t>(base)) + local;
        const vu32 hi = splat<vu32>(static_cast<uint32_t>(base >> 32)) - (vu32)(lo < local);
        vec x;
        mask ok;
        prop.one(philox(lo, hi, splat<vu32>(attempt), st.key), row, x, ok);
        // Branch-free: a rejected lane's slot is written too, and rewritten
        // when one of its later attempts is accepted.
        const uint32_t good = mask_bits(ok);
        for (int l = 0; l < lanes; ++l) {
          const uint16_t p = pending[i + static_cast<uint32_t>(l)];
          stage[p] = x[l];
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
  staged_run(G, first, count, generate, store_part);
}

// ---- entry points --------------------------------------------------------------

void uniform_entry(const uniform_args& a, uint64_t first, uint64_t count, void* out) {
  if (a.store.out == dtype::float64)
    fill_plain<double>(uniform_sampler<double>{}, a.stream, a.store, first, count, out);
  else
    fill_plain<float>(uniform_sampler<float>{}, a.stream, a.store, first, count, out);
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
  switch (a.method) {
    case trunc_method::normal:
      fill_rejection<CT>(normal_proposal<CT, false>{p}, a.stream, a.store, fallback, first, count,
                         out);
      break;
    case trunc_method::half_normal:
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
