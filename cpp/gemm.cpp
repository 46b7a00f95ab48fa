#include "gemm.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "dispatch.hpp"
#include "gemm_kernels.hpp"

namespace turboinit::linalg {
namespace {

using kernels::gemm_table;

// The GEMM kernels of the SIMD target in use (set_kernel switches both).
const gemm_table& table() {
  const std::string name = active_kernel().name;
#ifdef TURBOINIT_HAVE_AVX512
  if (name == "avx512") return *kernels::gemm_avx512();
#endif
#ifdef TURBOINIT_HAVE_AVX2
  if (name == "avx2") return *kernels::gemm_avx2();
#endif
  return *kernels::gemm_baseline();
}

template <class T>
struct traits;
template <>
struct traits<float> {
  static int mr(const gemm_table& t) { return t.mr_f32; }
  static int nr(const gemm_table& t) { return t.nr_f32; }
  static kernels::micro_fn<float> micro(const gemm_table& t) { return t.micro_f32; }
  static kernels::dots_fn<float> dots(const gemm_table& t) { return t.dots_f32; }
};
template <>
struct traits<double> {
  static int mr(const gemm_table& t) { return t.mr_f64; }
  static int nr(const gemm_table& t) { return t.nr_f64; }
  static kernels::micro_fn<double> micro(const gemm_table& t) { return t.micro_f64; }
  static kernels::dots_fn<double> dots(const gemm_table& t) { return t.dots_f64; }
};

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }
int64_t round_up(int64_t a, int64_t b) { return ceil_div(a, b) * b; }

// Packing buffers, one pair per thread, reused across calls.
template <class T>
std::vector<T>& scratch(int which) {
  thread_local std::vector<T> buf[2];
  return buf[which];
}

// rows x kc block of A at (i0, k0) as MR-row panels, zero-padded to MR.
template <class T>
void pack_a(const view<const T>& a, int64_t i0, int64_t rows, int64_t k0, int64_t kc, int mr,
            T* out) {
  for (int64_t p = 0; p < rows; p += mr) {
    const int64_t r = std::min<int64_t>(mr, rows - p);
    T* dst = out + p * kc;
    if (a.rs == 1) {
      for (int64_t k = 0; k < kc; ++k) {
        const T* src = &a(i0 + p, k0 + k);
        T* d = dst + k * mr;
        for (int64_t i = 0; i < r; ++i) d[i] = src[i];
        for (int64_t i = r; i < mr; ++i) d[i] = T(0);
      }
    } else {
      for (int64_t i = 0; i < r; ++i) {
        const T* src = &a(i0 + p + i, k0);
        for (int64_t k = 0; k < kc; ++k) dst[k * mr + i] = src[k * a.cs];
      }
      for (int64_t i = r; i < mr; ++i)
        for (int64_t k = 0; k < kc; ++k) dst[k * mr + i] = T(0);
    }
  }
}

// kc x cols block of B at (k0, j0) as NR-column panels, zero-padded to NR.
template <class T>
void pack_b(const view<const T>& b, int64_t k0, int64_t kc, int64_t j0, int64_t cols, int nr,
            T* out) {
  for (int64_t q = 0; q < cols; q += nr) {
    const int64_t c = std::min<int64_t>(nr, cols - q);
    T* dst = out + q * kc;
    if (b.cs == 1) {
      for (int64_t k = 0; k < kc; ++k) {
        const T* src = &b(k0 + k, j0 + q);
        T* d = dst + k * nr;
        for (int64_t j = 0; j < c; ++j) d[j] = src[j];
        for (int64_t j = c; j < nr; ++j) d[j] = T(0);
      }
    } else {
      for (int64_t j = 0; j < c; ++j) {
        const T* src = &b(k0, j0 + q + j);
        for (int64_t k = 0; k < kc; ++k) dst[k * nr + j] = src[k * b.rs];
      }
      for (int64_t j = c; j < nr; ++j)
        for (int64_t k = 0; k < kc; ++k) dst[k * nr + j] = T(0);
    }
  }
}

int threads_for(const exec_options& options, double flops) {
  // Below ~1 Mflop a parallel region costs more than it saves.
  if (flops < 1e6) return 1;
  return options.num_threads > 0 ? options.num_threads : get_num_threads();
}

// C (column-major) = C + alpha A B by packed panels and register tiles.
template <class T>
void gemm_packed(T alpha, const view<const T>& a, const view<const T>& b, const view<T>& c,
                 const exec_options& options) {
  const gemm_table& tab = table();
  const int mr = traits<T>::mr(tab), nr = traits<T>::nr(tab);
  const auto micro = traits<T>::micro(tab);
  const int64_t M = c.rows, N = c.cols, K = a.cols;
  const int threads = threads_for(options, 2.0 * double(M) * double(N) * double(K));

  // Tiles of C: MC rows (A block in L2) by NC columns, enough for the threads.
  const int64_t mc = round_up(std::min<int64_t>(M, 128), mr);
  const int64_t tiles_m = ceil_div(M, mc);
  const int64_t want_n = std::max<int64_t>(1, ceil_div(4 * threads, tiles_m));
  const int64_t nc_max = (sizeof(T) == 4 ? 384 : 192);
  const int64_t nc = std::min(nc_max, round_up(ceil_div(N, want_n), nr));
  const int64_t tiles_n = ceil_div(N, nc);
  const bool subtract = alpha < T(0);

  auto tile = [&](uint64_t t0, uint64_t t1) {
    std::vector<T>& abuf = scratch<T>(0);
    std::vector<T>& bbuf = scratch<T>(1);
    const std::size_t asize = static_cast<std::size_t>(mc * kKC);
    const std::size_t bsize = static_cast<std::size_t>(nc * kKC);
    if (abuf.size() < asize) abuf.resize(asize);
    if (bbuf.size() < bsize) bbuf.resize(bsize);
    for (uint64_t t = t0; t < t1; ++t) {
      const int64_t i0 = static_cast<int64_t>(t) % tiles_m * mc;
      const int64_t j0 = static_cast<int64_t>(t) / tiles_m * nc;
      const int64_t rows = std::min(mc, M - i0), cols = std::min(nc, N - j0);
      for (int64_t k0 = 0; k0 < K; k0 += kKC) {
        const int64_t kc = std::min(kKC, K - k0);
        pack_a(a, i0, rows, k0, kc, mr, abuf.data());
        pack_b(b, k0, kc, j0, cols, nr, bbuf.data());
        for (int64_t q = 0; q < cols; q += nr) {
          const int cn = static_cast<int>(std::min<int64_t>(nr, cols - q));
          for (int64_t p = 0; p < rows; p += mr) {
            const int rm = static_cast<int>(std::min<int64_t>(mr, rows - p));
            micro(kc, abuf.data() + p * kc, bbuf.data() + q * kc, &c(i0 + p, j0 + q), c.cs, rm,
                  cn, subtract);
          }
        }
      }
    }
  };
  const uint64_t tiles = static_cast<uint64_t>(tiles_m * tiles_n);
  if (threads <= 1) {
    tile(0, tiles);
  } else {
    exec_options o = options;
    o.num_threads = threads;
    parallel_for(tiles, 1, tile, o);
  }
}

// C = C + alpha A B element by element with dot16 (small M * N).
template <class T>
void gemm_dots(T alpha, const view<const T>& a, const view<const T>& b, const view<T>& c,
               const exec_options& options) {
  const auto dots = traits<T>::dots(table());
  const int64_t M = c.rows, N = c.cols, K = a.cols;
  // Contiguous rows of A and columns of B.
  std::vector<T> arows, bcols;
  const T* ap = a.data;
  int64_t lda = a.rs;
  if (a.cs != 1) {
    arows.resize(static_cast<std::size_t>(M * K));
    for (int64_t i = 0; i < M; ++i)
      for (int64_t k = 0; k < K; ++k) arows[static_cast<std::size_t>(i * K + k)] = a(i, k);
    ap = arows.data();
    lda = K;
  }
  const T* bp = b.data;
  int64_t ldb = b.cs;
  if (b.rs != 1) {
    bcols.resize(static_cast<std::size_t>(N * K));
    for (int64_t j = 0; j < N; ++j)
      for (int64_t k = 0; k < K; ++k) bcols[static_cast<std::size_t>(j * K + k)] = b(k, j);
    bp = bcols.data();
    ldb = K;
  }
  const bool subtract = alpha < T(0);
  auto rows = [&](uint64_t i0, uint64_t i1) {
    for (int64_t i = static_cast<int64_t>(i0); i < static_cast<int64_t>(i1); ++i) {
      for (int64_t j = 0; j < N; j += 4) {
        const int count = static_cast<int>(std::min<int64_t>(4, N - j));
        const T* ys[4];
        T s[4];
        for (int q = 0; q < count; ++q) ys[q] = bp + (j + q) * ldb;
        dots(K, ap + i * lda, ys, count, s);
        for (int q = 0; q < count; ++q) {
          T& x = c(i, j + q);
          x = subtract ? x - s[q] : x + s[q];
        }
      }
    }
  };
  const int threads = threads_for(options, 2.0 * double(M) * double(N) * double(K));
  if (threads <= 1 || M < 2) {
    rows(0, static_cast<uint64_t>(M));
  } else {
    exec_options o = options;
    o.num_threads = threads;
    parallel_for(static_cast<uint64_t>(M), 1, rows, o);
  }
}

}  // namespace

template <class T>
void gemm(T alpha, view<const T> a, view<const T> b, view<T> c, bool overwrite,
          const exec_options& options) {
  if (a.rows != c.rows || b.cols != c.cols || a.cols != b.rows)
    throw std::invalid_argument("gemm: shapes do not match");
  if (alpha != T(1) && alpha != T(-1)) throw std::invalid_argument("gemm: alpha must be +1 or -1");
  if (c.rs != 1) {
    if (c.cs != 1) throw std::invalid_argument("gemm: C must be row- or column-major");
    // Row-major C: C^T = B^T A^T, the same products element by element.
    gemm(alpha, b.t(), a.t(), c.t(), overwrite, options);
    return;
  }
  if (c.rows == 0 || c.cols == 0) return;
  if (overwrite)
    for (int64_t j = 0; j < c.cols; ++j) std::fill_n(&c(0, j), c.rows, T(0));
  if (a.cols == 0) return;
  if (c.rows * c.cols <= kDotElements)
    gemm_dots(alpha, a, b, c, options);
  else
    gemm_packed(alpha, a, b, c, options);
}

template <class T>
T dot(int64_t n, const T* x, const T* y) {
  T out;
  traits<T>::dots(table())(n, x, &y, 1, &out);
  return out;
}

const char* gemm_target() { return table().name; }

template void gemm<float>(float, view<const float>, view<const float>, view<float>, bool,
                          const exec_options&);
template void gemm<double>(double, view<const double>, view<const double>, view<double>, bool,
                           const exec_options&);
template float dot<float>(int64_t, const float*, const float*);
template double dot<double>(int64_t, const double*, const double*);

}  // namespace turboinit::linalg
