// Single-thread micro-benchmark of the bulk samplers' kernel (no Python, no
// threads): includes one SIMD target's translation unit and calls its
// bulk_entry directly, so `perf stat` / `valgrind --tool=callgrind` count the
// kernel alone.  Build (from the repository root):
//   c++ -O3 -std=c++17 -ffp-contract=off -fno-math-errno -mavx2 -mfma -mf16c
//       -Wno-psabi -Icpp benchmarks/bulk_kernel_micro.cpp cpp/tensor/dtype.cpp -o /tmp/bulk_micro
//   /tmp/bulk_micro KIND P0 P1 LOG2N [F32] [REPEAT] [ARRAYS]
// Prints ns per element (best of REPEAT), a checksum of the output (same bits
// before/after a change) and the 1-minute load average.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "simd/samplers_avx2.cpp"

// The kernel table names the GEMM table; the harness never calls it.
namespace turboinit::linalg::micro::avx2 {
const gemm_table kGemmTable{};
}

int main(int argc, char** argv) {
  using namespace turboinit::kernels;
  using turboinit::dtype;
  if (argc < 5) {
    std::fprintf(stderr, "usage: %s KIND P0 P1 LOG2N [F32] [REPEAT] [ARRAYS]\n", argv[0]);
    return 2;
  }
  bulk_args a;
  a.kind = static_cast<bulk_kind>(std::atoi(argv[1]));
  a.p[0].scalar = std::atof(argv[2]);
  a.p[1].scalar = std::atof(argv[3]);
  const uint64_t n = uint64_t{1} << std::atoi(argv[4]);
  const bool f32 = argc > 5 && std::atoi(argv[5]) == 1;
  const int repeat = argc > 6 ? std::atoi(argv[6]) : 3;
  const bool ints = a.kind == bulk_kind::poisson || a.kind == bulk_kind::binomial ||
                    a.kind == bulk_kind::geometric || a.kind == bulk_kind::permutation;
  a.out = f32 ? dtype::float32 : dtype::float64;  // the compute type (int kinds: float64)
  (void)ints;
  a.stream.key = {0x12345678u, 0x9abcdef0u};
  a.stream.block_offset = 0;
  // ARRAYS = 1: the parameters as per-element arrays (the same values).
  const bool arrays = argc > 7 && std::atoi(argv[7]) == 1;
  std::vector<double> v0(arrays ? n : 0, a.p[0].scalar), v1(arrays ? n : 0, a.p[1].scalar);
  if (arrays) {
    a.p[0].values = v0.data();
    a.p[1].values = v1.data();
  }
  std::vector<double> buf(n);
  double best = 1e30;
  for (int r = 0; r < repeat; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    avx2::bulk_entry(a, 0, n, buf.data());
    const auto t1 = std::chrono::steady_clock::now();
    const double ns = std::chrono::duration<double, std::nano>(t1 - t0).count() / double(n);
    if (ns < best) best = ns;
  }
  unsigned long long h = 0;
  const unsigned char* p = reinterpret_cast<const unsigned char*>(buf.data());
  for (uint64_t i = 0; i < n * (f32 ? 4 : 8); ++i) h = h * 1099511628211ull ^ p[i];
  double load[3] = {0.0, 0.0, 0.0};
  if (getloadavg(load, 3) < 0) load[0] = -1.0;  // timings on a busy machine are noise
  std::printf("%.2f ns/elem  hash %016llx  load %.2f\n", best, h, load[0]);
  return 0;
}
