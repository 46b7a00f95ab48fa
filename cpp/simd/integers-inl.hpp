// Bounded integers: part of the one sampler source.  Included by
// simd/samplers_<target>.cpp right after simd/samplers-inl.hpp, whose Philox
// rounds, block_counters, staged_run, mask_bits and append_set_lanes it uses
// (same per-target anonymous namespace).
//
// Method: Lemire's bounded draw (samplers/bounded.hpp) on s = span + 1
// values; with one span per call t is computed once, which takes the same
// decisions.  s = 2^k (full range) takes x as it is.
//
// Counter layout (same scheme as the other samplers): a candidate is one
// 32-bit word when every span is < 2^32 ("narrow": C = 4 candidates per
// block, word k is candidate k), else two words ("wide": C = 2, candidate k
// is (word 2k << 32) | word 2k+1).  Elements come in groups of 16 C; element
// r of group g is candidate r / 16 of block 16 g + r % 16 (plus the call's
// block offset), counter = (block lo, block hi, attempt, 0).  A rejected
// candidate is redrawn from the same block and candidate slot with attempt 1,
// 2, ...  So the value at flat index i depends only on (key, block offset, i,
// low, span of i, narrow/wide), never on the SIMD width, the thread count or
// the region: a narrow call gives the same value to every dtype wide enough
// to hold it.

#include "samplers/bounded.hpp"

namespace turboinit::kernels::TURBOINIT_TARGET {
namespace {

template <bool Wide>
struct int_lanes;
template <>
struct int_lanes<false> {
  using scalar = uint32_t;
  using vec = vu32;
  static constexpr int C = 4;
  static void candidates(const words& w, vu32 (&x)[C]) {
    x[0] = w.x0;
    x[1] = w.x1;
    x[2] = w.x2;
    x[3] = w.x3;
  }
};
template <>
struct int_lanes<true> {
  using scalar = uint64_t;
  using vec = vu64;
  static constexpr int C = 2;
  static vu64 join(vu32 hi, vu32 lo) { return (widen_u64(hi) << 32) | widen_u64(lo); }
  static void candidates(const words& w, vu64 (&x)[C]) {
    x[0] = join(w.x0, w.x1);
    x[1] = join(w.x2, w.x3);
  }
};

template <class T, class S>
static inline void store_offsets(const S* src, uint64_t n, char* dst, uint64_t low) {
  T* d = reinterpret_cast<T*>(dst);  // aligned: checked by the caller
  for (uint64_t i = 0; i < n; ++i) d[i] = static_cast<T>(low + src[i]);
}

template <bool Wide, bool PerElement>
static void fill_integers_typed(const integers_args& a, uint64_t first, uint64_t count, void* out) {
  using L = int_lanes<Wide>;
  using S = typename L::scalar;
  using V = typename L::vec;
  constexpr int C = L::C;
  constexpr uint64_t G = uint64_t{kGroupBlocks} * C;
  const philox_stream& st = a.stream;
  char* const dst = static_cast<char*>(out);
  const uint64_t end = first + count;
  const int item = a.itemsize;

  // One span for the whole call: s and t once.
  const uint64_t s_all = a.span + 1;  // narrow: in [1, 2^32]; wide: 0 means 2^64
  const bool full32 = !Wide && s_all == (uint64_t{1} << 32);
  const uint64_t t_all = Wide ? bounded::threshold64(s_all) : bounded::threshold32(s_all);

  // Value of candidate x for flat index `flat`; false if rejected.
  auto draw = [&](S x, uint64_t flat, S& v) -> bool {
    if constexpr (PerElement) {
      uint64_t t = bounded::kUnknown;
      return bounded::accept(x, bounded::read_span(dst + (flat - first) * item, item) + 1, t, v);
    } else {
      uint64_t t = t_all;
      return bounded::accept(x, s_all, t, v);
    }
  };

  alignas(64) S stage[kStageElems];
  uint16_t pending[kStageElems + W];  // append_set_lanes writes up to W past the end
  auto generate = [&](uint64_t g0, uint64_t ng) {
    uint32_t n_pending = 0;
    const uint64_t flat0 = g0 * G;
    first_draws(st, g0, ng, [&](uint64_t gi, int sub, const words& w) {
      V cand[C];
      L::candidates(w, cand);
      for (int k = 0; k < C; ++k) {
        const uint64_t at = gi * G + static_cast<uint64_t>(k * kGroupBlocks + sub);
        if constexpr (!Wide && !PerElement) {
          if (full32) {
            store(stage + at, cand[k]);
            continue;
          }
          vu32 h, l;
          mulhilo(cand[k], static_cast<uint32_t>(s_all), h, l);
          store(stage + at, h);
          const vi32 ok = l >= splat<vu32>(static_cast<uint32_t>(t_all));
          n_pending += append_set_lanes(pending + n_pending, static_cast<uint32_t>(at),
                                        ~mask_bits(ok) & kLaneBits);
        } else {
          for (int j = 0; j < W; ++j) {
            const uint64_t flat = flat0 + at + j;
            // Only this call's elements: a neighbour's may already hold values.
            if (PerElement && (flat < first || flat >= end)) {
              stage[at + j] = 0;
              continue;
            }
            if (!draw(cand[k][j], flat, stage[at + j]))
              pending[n_pending++] = static_cast<uint16_t>(at + j);
          }
        }
      }
    });
    // Redraw the rejected elements, W at a time, each from its own block and
    // candidate slot with the next attempt number.
    for (uint32_t attempt = 1; n_pending > 0; ++attempt) {
      if (attempt >= static_cast<uint32_t>(kMaxAttempts)) {
        // Probability < 2^-4096; any value in range will do.
        for (uint32_t i = 0; i < n_pending; ++i) stage[pending[i]] = 0;
        break;
      }
      uint32_t kept = 0;
      for (uint32_t i = 0; i < n_pending; i += W) {
        const int lanes = (n_pending - i >= static_cast<uint32_t>(W)) ? W : int(n_pending - i);
        uint16_t pos[W];
        int row[W];
        vu32 lo, hi;
        for (int l = 0; l < W; ++l) {
          pos[l] = pending[i + (l < lanes ? l : lanes - 1)];
          const uint64_t gi = pos[l] / G, r = pos[l] % G;
          row[l] = static_cast<int>(r / kGroupBlocks);
          const uint64_t block = st.block_offset + (g0 + gi) * kGroupBlocks + r % kGroupBlocks;
          lo[l] = static_cast<uint32_t>(block);
          hi[l] = static_cast<uint32_t>(block >> 32);
        }
        V cand[C];
        L::candidates(philox(lo, hi, splat<vu32>(attempt), st.key), cand);
        for (int l = 0; l < lanes; ++l) {
          S v;
          if (draw(cand[row[l]][l], flat0 + pos[l], v)) {
            stage[pos[l]] = v;
          } else {
            pending[kept++] = pos[l];
          }
        }
      }
      n_pending = kept;
    }
  };
  const uint64_t low = PerElement ? 0 : a.low;
  auto store_part = [&](uint64_t lo, uint64_t n, uint64_t done) {
    char* d = dst + done * item;
    switch (item) {
      case 1: store_offsets<uint8_t>(stage + lo, n, d, low); break;
      case 2: store_offsets<uint16_t>(stage + lo, n, d, low); break;
      case 4: store_offsets<uint32_t>(stage + lo, n, d, low); break;
      default: store_offsets<uint64_t>(stage + lo, n, d, low); break;
    }
  };
  staged_run(G, first, count, generate, store_part);
}

void integers_entry(const integers_args& a, uint64_t first, uint64_t count, void* out) {
  if (a.wide) {
    if (a.per_element)
      fill_integers_typed<true, true>(a, first, count, out);
    else
      fill_integers_typed<true, false>(a, first, count, out);
  } else {
    if (a.per_element)
      fill_integers_typed<false, true>(a, first, count, out);
    else
      fill_integers_typed<false, false>(a, first, count, out);
  }
}

}  // namespace
}  // namespace turboinit::kernels::TURBOINIT_TARGET
