// Single-thread micro-benchmark of where a float64 standard normal's time goes
// (issue 15): the Philox words alone, plus the 53-bit uniforms, plus log,
// plus sin/cos, and the whole Box-Muller pair, all on the AVX2 target's own
// inlined functions (no Python, no threads, no store except in "full").
// Build (from the repository root):
//   c++ -O3 -std=c++17 -ffp-contract=off -fno-math-errno -mavx2 -mfma -mf16c
//       -Wno-psabi -Icpp benchmarks/normal_f64_micro.cpp cpp/tensor/dtype.cpp -o /tmp/nmicro
//   /tmp/nmicro [LOG2N] [REPEAT]     or     /tmp/nmicro check
// Prints, per stage, M values/s (best of REPEAT; a value = one float64
// normal, i.e. 64 random bits = 2 Philox words) and the 1-minute load average.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "simd/samplers_avx2.cpp"

namespace turboinit::linalg::micro::avx2 {
const gemm_table kGemmTable{};
}

namespace turboinit::kernels::avx2 {
namespace {
// Stage s on nb blocks (2 normals each); returns a value that depends on all
// results so that nothing is optimised away.
// The key at run time (a constant key lets GCC rematerialise the round keys
// with broadcasts in the loop, which the library never does).
volatile uint32_t g_key[2] = {0x12345678u, 0x9abcdef0u};

// The accumulator as two native halves (a full vf64 += goes through the
// stack with GCC 12, which would be charged to the stage).
struct acc64 {
  vf64n lo{}, hi{};
  acc64& operator+=(vf64 v) {
    lo += lo_half(v);
    hi += hi_half(v);
    return *this;
  }
};

template <int S>
__attribute__((noinline)) double stage(uint64_t nb, double* out) {
  const round_keys rk = make_round_keys(philox_key{g_key[0], g_key[1]});
  vu32 acc_u{};
  acc64 acc;
  for (uint64_t b = 0; b < nb; b += W) {
    vu32 lo, hi;
    block_counters(b, lo, hi);
    const words w = philox(lo, hi, vu32{}, rk);
    if constexpr (S == 0) {
      acc_u ^= w.x0 ^ w.x1 ^ w.x2 ^ w.x3;
    } else {
      const vf64 ur = join_halves(open_unit_f64(half<0>(w.x0), half<0>(w.x1)),
                                  open_unit_f64(half<1>(w.x0), half<1>(w.x1)));
      const vf64 ua = join_halves(unit_f64(half<0>(w.x2), half<0>(w.x3)),
                                  unit_f64(half<1>(w.x2), half<1>(w.x3)));
      if constexpr (S == 1) {
        acc += ur + ua;
      } else if constexpr (S == 2) {
        acc += vlog(ur) + ua;
      } else if constexpr (S == 3) {
        vf64 s, c;
        vsincos_turns(ua, s, c);
        acc += ur + s + c;
      } else if constexpr (S == 4) {
        vf64 zc, zs;
        box_muller(ur, ua, zc, zs);
        acc += zc + zs;
      } else if constexpr (S == 6) {
        // Cost estimate of a ziggurat's fast path (NOT a sampler: no
        // rejections, dummy tables): per 64-bit value an 8-bit layer index,
        // a 53-bit magnitude, two table gathers (x scale, accept bound), a
        // compare and a sign; AVX2 vgatherdpd on 4 lanes.
        alignas(64) static double wn[256], kn[256];
        if (wn[0] == 0)
          for (int i = 0; i < 256; ++i) wn[i] = 1.0 + i * 1e-3, kn[i] = 0.99;
        const vu32 xs[2][2] = {{w.x0, w.x1}, {w.x2, w.x3}};
        for (int v = 0; v < 2; ++v)
          for (int h = 0; h < 2; ++h) {
            const vu32h hi = h ? half<1>(xs[v][0]) : half<0>(xs[v][0]);
            const vu32h lo = h ? half<1>(xs[v][1]) : half<0>(xs[v][1]);
            const vu32h idx = lo & 0xffu;
            const vf64n r = unit_f64(hi, lo >> 9);
            __m128i ix;
            std::memcpy(&ix, &idx, sizeof ix);
            const __m256d g1 = _mm256_i32gather_pd(wn, ix, 8);
            const __m256d g2 = _mm256_i32gather_pd(kn, ix, 8);
            vf64n a, b;
            std::memcpy(&a, &g1, sizeof a);
            std::memcpy(&b, &g2, sizeof b);
            const vi64n ok = r < b;
            const vu64n sign = __builtin_convertvector(lo & 0x100u, vu64n) << 55;
            const vf64n x = (vf64n)(((vu64n)(r * a) ^ sign) & (vu64n)ok);
            acc += join_halves(x, x);
          }
      } else {  // the library's own normal_sampler<double> + store (2 rows)
        vf64 r[2];
        normal_sampler<double>{}(w, r);
        std::memcpy(out + 2 * b, &r[0], sizeof(vf64));
        std::memcpy(out + 2 * b + W, &r[1], sizeof(vf64));
      }
    }
  }
  double t = 0;
  for (int i = 0; i < W; ++i) t += double(acc_u[i]);
  for (int i = 0; i < W / 2; ++i) t += acc.lo[i] + acc.hi[i];
  return t;
}
}  // namespace
}  // namespace turboinit::kernels::avx2

using namespace turboinit::kernels::avx2;

template <int S>
static double run(uint64_t nb, int repeat, double* out, double* sink) {
  double best = 1e30;
  for (int r = 0; r < repeat; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    *sink += stage<S>(nb, out);
    const auto t1 = std::chrono::steady_clock::now();
    const double s = std::chrono::duration<double>(t1 - t0).count();
    if (s < best) best = s;
  }
  return 2.0 * double(nb) / best / 1e6;  // M normals/s
}

// The half-vector uniforms against the plain formula (u32 -> double, one
// multiply-add): every bit the same, on edge words and 2^26 random pairs.
static int check_uniforms() {
  uint64_t x = 0x9e3779b97f4a7c15ull, bad = 0;
  const uint32_t edge[] = {0u,          1u,          2047u,       2048u,       0x7fffffffu,
                           0x80000000u, 0xfffff7ffu, 0xfffff800u, 0xfffffffeu, 0xffffffffu};
  for (uint64_t it = 0; it < (uint64_t{1} << 24) + 100; ++it) {
    vu32h hi, lo;
    for (int i = 0; i < W / 2; ++i) {
      if (it < 100) {
        hi[i] = edge[(it / 10 + i) % 10];
        lo[i] = edge[(it + i) % 10];
      } else {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        hi[i] = uint32_t(x >> 32), lo[i] = uint32_t(x);
      }
    }
    const vf64n u = unit_f64(hi, lo), v = open_unit_f64(hi, lo);
    for (int i = 0; i < W / 2; ++i) {
      const double ref = double(hi[i] >> 11) * 0x1p-21 + double(lo[i]) * 0x1p-53;
      const double ref_open = double(hi[i] >> 11) * 0x1p-21 + (double(lo[i]) + 1.0) * 0x1p-53;
      uint64_t a, b, c, d;
      std::memcpy(&a, &u[i], 8), std::memcpy(&b, &ref, 8);
      std::memcpy(&c, &v[i], 8), std::memcpy(&d, &ref_open, 8);
      bad += (a != b) + (c != d);
    }
  }
  std::printf("uniform check: %llu mismatches\n", (unsigned long long)bad);
  return bad != 0;
}

int main(int argc, char** argv) {
  if (argc > 1 && std::string(argv[1]) == "check") return check_uniforms();
  const int log2n = argc > 1 ? std::atoi(argv[1]) : 15;
  const int repeat = argc > 2 ? std::atoi(argv[2]) : 200;
  const uint64_t nb = (uint64_t{1} << log2n) / 2;
  std::vector<double> out(2 * nb + 64);
  double sink = 0;
  const char* names[] = {"philox words",
                         "+ uniforms",
                         "+ log",
                         "+ sincos (no log)",
                         "box-muller (no store)",
                         "normal_sampler + store",
                         "ziggurat fast path est."};
  double r[7];
  r[0] = run<0>(nb, repeat, out.data(), &sink);
  r[1] = run<1>(nb, repeat, out.data(), &sink);
  r[2] = run<2>(nb, repeat, out.data(), &sink);
  r[3] = run<3>(nb, repeat, out.data(), &sink);
  r[4] = run<4>(nb, repeat, out.data(), &sink);
  r[5] = run<5>(nb, repeat, out.data(), &sink);
  r[6] = run<6>(nb, repeat, out.data(), &sink);
  double load[3] = {0, 0, 0};
  if (getloadavg(load, 3) < 0) load[0] = -1;
  for (int i = 0; i < 7; ++i)
    std::printf("%-26s %8.1f M values/s  %6.2f ns/value\n", names[i], r[i], 1e3 / r[i]);
  std::printf("load %.2f  (sink %g)\n", load[0], sink);
  return 0;
}
