// Table lookups for a ziggurat in float64, on one core: the cost of looking up
// two tables per value (a layer's width and its accept ratio) by AVX-512
// gathers, by vpermt2pd from a 32-entry table held in registers, or not at all,
// around the same arithmetic (a 52-bit uniform in (-1, 1) from the top bits, a
// product, two compares) over 4096 words in L1.  Results and their use:
// benchmarks/results/ab/truncnorm_f64_floor/table_lookup_micro.txt,
// docs/performance.md ("[-2, 2] in float64 stays above 1.2x our normal").
//
//   g++ -O2 -march=x86-64-v4 -o /tmp/table_lookup_micro benchmarks/table_lookup_micro.cpp
//   /tmp/table_lookup_micro
#include <immintrin.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>

namespace {

alignas(64) double kWidth[256], kRatio[256];
alignas(64) uint64_t in[4096];
alignas(64) double out[4096];
uint8_t accepted[4096 / 8];

enum class lookup { gather, none, permute32 };

// Entries idx & 31 of a 32-entry table: two vpermt2pd (bits 0-3) and a blend (bit 4).
__m512d permute32(const double* t, __m512i idx) {
  const __m512d lo = _mm512_permutex2var_pd(_mm512_load_pd(t), idx, _mm512_load_pd(t + 8));
  const __m512d hi = _mm512_permutex2var_pd(_mm512_load_pd(t + 16), idx, _mm512_load_pd(t + 24));
  return _mm512_mask_blend_pd(_mm512_test_epi64_mask(idx, _mm512_set1_epi64(16)), lo, hi);
}

template <lookup How>
__attribute__((noinline)) void run() {
  for (int i = 0; i < 4096; i += 8) {
    const __m512i w = _mm512_load_si512(in + i);
    const __m512i idx = _mm512_and_si512(w, _mm512_set1_epi64(How == lookup::permute32 ? 31 : 255));
    // u in (-1, 1) from the top 52 bits: [1, 2) scaled to [2, 4), minus 3.
    const __m512d m = _mm512_castsi512_pd(
        _mm512_or_si512(_mm512_srli_epi64(w, 12), _mm512_castpd_si512(_mm512_set1_pd(1.0))));
    const __m512d u = _mm512_fmsub_pd(m, _mm512_set1_pd(2.0), _mm512_set1_pd(3.0));
    __m512d width, ratio;
    if constexpr (How == lookup::gather) {
      width = _mm512_i64gather_pd(idx, kWidth, 8);
      ratio = _mm512_i64gather_pd(idx, kRatio, 8);
    } else if constexpr (How == lookup::permute32) {
      width = permute32(kWidth, idx);
      ratio = permute32(kRatio, idx);
    } else {  // the index still feeds the result, as a bit pattern
      width = _mm512_add_pd(_mm512_set1_pd(3.0), _mm512_castsi512_pd(idx));
      ratio = _mm512_set1_pd(0.9);
    }
    const __m512d x = _mm512_mul_pd(u, width);
    const __mmask8 fast = _mm512_cmp_pd_mask(_mm512_abs_pd(u), ratio, _CMP_LT_OQ);
    const __mmask8 inside = _mm512_cmp_pd_mask(_mm512_abs_pd(x), _mm512_set1_pd(2.0), _CMP_LE_OQ);
    _mm512_store_pd(out + i, x);
    accepted[i / 8] = static_cast<uint8_t>(fast & inside);
  }
}

template <lookup How>
double ns_per_value() {
  double best = 1e9;
  for (int rep = 0; rep < 200; ++rep) {
    const auto t0 = std::chrono::steady_clock::now();
    for (int k = 0; k < 100; ++k) run<How>();
    const auto t1 = std::chrono::steady_clock::now();
    best = std::min(best, std::chrono::duration<double>(t1 - t0).count() / (100 * 4096) * 1e9);
  }
  return best;
}

}  // namespace

int main() {
  for (int i = 0; i < 256; ++i) kWidth[i] = 3.7 * std::sqrt(1.0 - i / 300.0);
  for (int i = 0; i < 255; ++i) kRatio[i] = kWidth[i + 1] / kWidth[i];
  kRatio[255] = 0.0;
  uint64_t s = 88172645463325252ull;  // xorshift64
  for (auto& v : in) {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    v = s;
  }
  std::printf("two lookups by gather (256 entries): %.3f ns per value\n",
              ns_per_value<lookup::gather>());
  std::printf("two lookups by vpermt2pd (32 entries): %.3f ns per value\n",
              ns_per_value<lookup::permute32>());
  std::printf("no lookup: %.3f ns per value\n", ns_per_value<lookup::none>());
  return int(accepted[0] & 0);
}
