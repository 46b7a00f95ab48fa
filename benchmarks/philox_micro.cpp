// Single-thread micro-benchmark of the Philox4x32-10 rounds on the avx512
// target (issue 15): what the rounds alone cost per 32-bit word, in the
// library's formulation (even and odd lanes apart, two vectors of blocks at
// once: philox4_n<2> in simd/samplers-inl.hpp, as first_draws runs them), one
// vector at a time (philox4), and in the formulation before both, which the
// targets without a split-lane version still use (every product split and
// rejoined with blends, philox4_portable), and what a float32 uniform adds
// (conversion and a store into a 64 KiB buffer, in L1/L2).  No Python, no
// threads.
// Build (from the repository root):
//   c++ -O3 -std=c++17 -ffp-contract=off -fno-math-errno -mavx512f -mavx512dq
//       -mavx512bw -mavx512vl -mavx2 -mfma -mf16c -Wno-psabi -Icpp
//       benchmarks/philox_micro.cpp cpp/tensor/dtype.cpp -o /tmp/pmicro
//   /tmp/pmicro [LOG2N] [REPEAT] [BUFFER_FLOATS]     or     /tmp/pmicro check
// (BUFFER_FLOATS: the uniforms' buffer, cycled; default 16384 = 64 KiB, a
// power of two)
// Prints, per stage, ns per word (best of REPEAT) and the 1-minute load
// average; `check` compares the formulations' words bit for bit.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "simd/samplers_avx512.cpp"

namespace turboinit::linalg::micro::avx512 {
const gemm_table kGemmTable{};
}

namespace turboinit::kernels::avx512 {
namespace {
// The key at run time (a constant key lets GCC rematerialise the round keys).
volatile uint32_t g_key[2] = {0x12345678u, 0x9abcdef0u};

template <int S>
__attribute__((noinline)) uint32_t stage(uint64_t nb, float* buf, uint64_t mask) {
  const round_keys rk = make_round_keys(philox_key{g_key[0], g_key[1]});
  vu32 acc{};
  if constexpr (S == 3) {  // two vectors of blocks through the rounds together
    for (uint64_t b = 0; b < nb; b += 2 * W) {
      vu32 c[2][4] = {};
      block_counters(b, c[0][0], c[0][1]);
      block_counters(b + W, c[1][0], c[1][1]);
      words w[2];
      philox4_n<2>(c, rk, w);
      acc ^= w[0].x0 ^ w[0].x1 ^ w[0].x2 ^ w[0].x3 ^ w[1].x0 ^ w[1].x1 ^ w[1].x2 ^ w[1].x3;
    }
  }
  for (uint64_t b = 0; S != 3 && b < nb; b += W) {
    vu32 lo, hi;
    block_counters(b, lo, hi);
    if constexpr (S == 0) {
      const words w = philox(lo, hi, vu32{}, rk);
      acc ^= w.x0 ^ w.x1 ^ w.x2 ^ w.x3;
    } else if constexpr (S == 1) {
      const words w = philox4_portable(lo, hi, vu32{}, vu32{}, rk);
      acc ^= w.x0 ^ w.x1 ^ w.x2 ^ w.x3;
    } else {
      const words w = philox(lo, hi, vu32{}, rk);
      float* at = buf + ((b * 4) & mask);  // cycled (one vector of blocks at a time)
      store(at, unit_f32(w.x0));
      store(at + W, unit_f32(w.x1));
      store(at + 2 * W, unit_f32(w.x2));
      store(at + 3 * W, unit_f32(w.x3));
    }
  }
  uint32_t r = 0;
  for (int l = 0; l < W; ++l) r ^= acc[l];
  return r;
}

int check() {
  const round_keys rk = make_round_keys(philox_key{g_key[0], g_key[1]});
  auto same = [](const words& x, const words& y) {
    for (int l = 0; l < W; ++l)
      if (x.x0[l] != y.x0[l] || x.x1[l] != y.x1[l] || x.x2[l] != y.x2[l] || x.x3[l] != y.x3[l])
        return false;
    return true;
  };
  for (uint64_t b = 0; b < (uint64_t{1} << 20); b += W) {
    vu32 lo, hi;
    block_counters(b * 0x9e3779b97f4aull, lo, hi);
    const vu32 a = splat<vu32>(static_cast<uint32_t>(b));
    const vu32 c[2][4] = {{lo, hi, a, ~a}, {hi, lo, ~a, a}};
    words pair[2];
    philox4_n<2>(c, rk, pair);
    const words y = philox4_portable(lo, hi, a, ~a, rk), z = philox4_portable(hi, lo, ~a, a, rk);
    if (!same(philox4(lo, hi, a, ~a, rk), y) || !same(pair[0], y) || !same(pair[1], z)) {
      std::printf("differ at block %llu\n", static_cast<unsigned long long>(b));
      return 1;
    }
  }
  std::printf("split-lane rounds (one and two vectors) and blend rounds agree on 2^20 blocks\n");
  return 0;
}
}  // namespace
}  // namespace turboinit::kernels::avx512

int main(int argc, char** argv) {
  using namespace turboinit::kernels::avx512;
  if (argc > 1 && std::string(argv[1]) == "check") return check();
  const int log2n = argc > 1 ? std::atoi(argv[1]) : 24;
  const int repeat = argc > 2 ? std::atoi(argv[2]) : 7;
  const uint64_t nb = uint64_t{1} << log2n;  // blocks; 4 words each
  const uint64_t floats = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 16384;
  if (floats < 64 || (floats & (floats - 1)) != 0) {
    std::fprintf(stderr, "BUFFER_FLOATS: a power of two of at least 64\n");
    return 2;
  }
  std::vector<float> buf(floats + 64);
  const char* names[4] = {"rounds (split lanes, one vector)", "rounds (blends, before)",
                          "uniform float32 + store", "rounds (split lanes, two vectors)"};
  uint32_t sink = 0;
  for (int s : {3, 0, 1, 2}) {
    double best = 1e300;
    for (int r = 0; r < repeat; ++r) {
      const auto t0 = std::chrono::steady_clock::now();
      sink ^= s == 0   ? stage<0>(nb, buf.data(), floats - 1)
              : s == 1 ? stage<1>(nb, buf.data(), floats - 1)
              : s == 2 ? stage<2>(nb, buf.data(), floats - 1)
                       : stage<3>(nb, buf.data(), floats - 1);
      const std::chrono::duration<double, std::nano> dt = std::chrono::steady_clock::now() - t0;
      best = std::min(best, dt.count());
    }
    std::printf("%-40s %.3f ns/word\n", names[s], best / double(nb * 4));
  }
  double load = 0;
  if (FILE* f = std::fopen("/proc/loadavg", "r")) {
    if (std::fscanf(f, "%lf", &load) != 1) load = -1;
    std::fclose(f);
  }
  std::printf("load average %.2f (sink %u)\n", load, sink);
  return 0;
}
