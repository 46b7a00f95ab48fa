#include "linalg/gemm.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "runtime/dispatch.hpp"
#include "linalg/gemm_kernels.hpp"

namespace turboinit::linalg {
namespace {

using micro::gemm_table;

// The GEMM kernels of the SIMD target in use: one dispatch table carries them.
const gemm_table& table() { return *active_kernel().gemm; }

template <class T>
struct traits;
template <>
struct traits<float> {
  static int mr(const gemm_table& t) { return t.mr_f32; }
  static int nr(const gemm_table& t) { return t.nr_f32; }
  static micro::micro_fn<float> micro(const gemm_table& t) { return t.micro_f32; }
  static micro::dots_fn<float> dots(const gemm_table& t) { return t.dots_f32; }
};
template <>
struct traits<double> {
  static int mr(const gemm_table& t) { return t.mr_f64; }
  static int nr(const gemm_table& t) { return t.nr_f64; }
  static micro::micro_fn<double> micro(const gemm_table& t) { return t.micro_f64; }
  static micro::dots_fn<double> dots(const gemm_table& t) { return t.dots_f64; }
};

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }
int64_t round_up(int64_t a, int64_t b) { return ceil_div(a, b) * b; }

// Packing buffers, one pair per thread, reused across calls.
template <class T>
std::vector<T>& scratch(int which) {
  thread_local std::vector<T> buf[2];
  return buf[which];
}

// Packing moves values only, so how it is done never changes a result.

typedef float f32x4 __attribute__((vector_size(16)));
typedef double f64x2 __attribute__((vector_size(16)));
typedef int32_t i32x4 __attribute__((vector_size(16)));
typedef int64_t i64x2 __attribute__((vector_size(16)));

template <class V>
V loadu(const void* p) {
  V v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
template <class V>
void storeu(void* p, V v) {
  std::memcpy(p, &v, sizeof v);
}

// Lane shuffles: indices 0..3 (0..1) pick from a, 4..7 (2..3) from b.
#if defined(__has_builtin)
#if __has_builtin(__builtin_shufflevector)
#define TI_HAVE_SHUFFLEVECTOR 1
#endif
#endif
#ifdef TI_HAVE_SHUFFLEVECTOR
#define TI_SHUFFLE4(a, b, i, j, k, l) __builtin_shufflevector(a, b, i, j, k, l)
#define TI_SHUFFLE2(a, b, i, j) __builtin_shufflevector(a, b, i, j)
#else
#define TI_SHUFFLE4(a, b, i, j, k, l) __builtin_shuffle(a, b, i32x4{i, j, k, l})
#define TI_SHUFFLE2(a, b, i, j) __builtin_shuffle(a, b, i64x2{i, j})
#endif

// dst[k * width + j] = src[k + j * ld] for k < kc, j < cols; zero for
// cols <= j < width.  A transpose, done in 4 x 4 (float) or 2 x 2 (double)
// register blocks.
void pack_transposed(int64_t kc, const float* src, int64_t ld, int cols, int width, float* dst) {
  int j = 0;
  for (; j + 4 <= cols; j += 4) {
    const float* s0 = src + j * ld;
    const float* s1 = s0 + ld;
    const float* s2 = s1 + ld;
    const float* s3 = s2 + ld;
    int64_t k = 0;
    for (; k + 4 <= kc; k += 4) {
      const f32x4 r0 = loadu<f32x4>(s0 + k), r1 = loadu<f32x4>(s1 + k);
      const f32x4 r2 = loadu<f32x4>(s2 + k), r3 = loadu<f32x4>(s3 + k);
      const f32x4 t0 = TI_SHUFFLE4(r0, r1, 0, 4, 1, 5);
      const f32x4 t1 = TI_SHUFFLE4(r0, r1, 2, 6, 3, 7);
      const f32x4 t2 = TI_SHUFFLE4(r2, r3, 0, 4, 1, 5);
      const f32x4 t3 = TI_SHUFFLE4(r2, r3, 2, 6, 3, 7);
      float* d = dst + k * width + j;
      storeu(d, TI_SHUFFLE4(t0, t2, 0, 1, 4, 5));
      storeu(d + width, TI_SHUFFLE4(t0, t2, 2, 3, 6, 7));
      storeu(d + 2 * width, TI_SHUFFLE4(t1, t3, 0, 1, 4, 5));
      storeu(d + 3 * width, TI_SHUFFLE4(t1, t3, 2, 3, 6, 7));
    }
    for (; k < kc; ++k) {
      float* d = dst + k * width + j;
      d[0] = s0[k], d[1] = s1[k], d[2] = s2[k], d[3] = s3[k];
    }
  }
  for (; j < cols; ++j)
    for (int64_t k = 0; k < kc; ++k) dst[k * width + j] = src[k + j * ld];
  if (cols < width)
    for (int64_t k = 0; k < kc; ++k) std::fill(dst + k * width + cols, dst + (k + 1) * width, 0.f);
}

void pack_transposed(int64_t kc, const double* src, int64_t ld, int cols, int width, double* dst) {
  int j = 0;
  for (; j + 2 <= cols; j += 2) {
    const double* s0 = src + j * ld;
    const double* s1 = s0 + ld;
    int64_t k = 0;
    for (; k + 2 <= kc; k += 2) {
      const f64x2 r0 = loadu<f64x2>(s0 + k), r1 = loadu<f64x2>(s1 + k);
      double* d = dst + k * width + j;
      storeu(d, TI_SHUFFLE2(r0, r1, 0, 2));
      storeu(d + width, TI_SHUFFLE2(r0, r1, 1, 3));
    }
    for (; k < kc; ++k) {
      double* d = dst + k * width + j;
      d[0] = s0[k], d[1] = s1[k];
    }
  }
  for (; j < cols; ++j)
    for (int64_t k = 0; k < kc; ++k) dst[k * width + j] = src[k + j * ld];
  if (cols < width)
    for (int64_t k = 0; k < kc; ++k) std::fill(dst + k * width + cols, dst + (k + 1) * width, 0.0);
}

// dst[k * width + j] = src[k * ld + j]: rows already in place, zero-padded.
template <class T>
void pack_rows(int64_t kc, const T* src, int64_t ld, int cols, int width, T* dst) {
  if (cols == width) {  // short rows: an inline copy beats calling memcpy
    for (int64_t k = 0; k < kc; ++k)
      for (int j = 0; j < width; ++j) dst[k * width + j] = src[k * ld + j];
    return;
  }
  for (int64_t k = 0; k < kc; ++k) {
    std::memcpy(dst + k * width, src + k * ld, sizeof(T) * static_cast<std::size_t>(cols));
    std::fill(dst + k * width + cols, dst + (k + 1) * width, T(0));
  }
}

// A general strided panel (neither layout), element by element.
template <class T>
void pack_strided(int64_t kc, const T* src, int64_t ks, int64_t js, int cols, int width, T* dst) {
  for (int64_t k = 0; k < kc; ++k)
    for (int j = 0; j < width; ++j) dst[k * width + j] = j < cols ? src[k * ks + j * js] : T(0);
}

// One panel of `cols` <= width vectors v_j(k) = src[k * ks + j * js], k < kc,
// laid out k-major: dst[k * width + j].
template <class T>
void pack_panel(int64_t kc, const T* src, int64_t ks, int64_t js, int cols, int width, T* dst) {
  if (js == 1)
    pack_rows(kc, src, ks, cols, width, dst);
  else if (ks == 1)
    pack_transposed(kc, src, js, cols, width, dst);
  else
    pack_strided(kc, src, ks, js, cols, width, dst);
}

// rows x kc block of A at (i0, k0) as MR-row panels.
template <class T>
void pack_a(const view<const T>& a, int64_t i0, int64_t rows, int64_t k0, int64_t kc, int mr,
            T* out) {
  for (int64_t p = 0; p < rows; p += mr) {
    const int r = static_cast<int>(std::min<int64_t>(mr, rows - p));
    pack_panel(kc, &a(i0 + p, k0), a.cs, a.rs, r, mr, out + p * kc);
  }
}

// kc x cols block of B at (k0, j0) as NR-column panels.
template <class T>
void pack_b(const view<const T>& b, int64_t k0, int64_t kc, int64_t j0, int64_t cols, int nr,
            T* out) {
  for (int64_t q = 0; q < cols; q += nr) {
    const int c = static_cast<int>(std::min<int64_t>(nr, cols - q));
    pack_panel(kc, &b(k0, j0 + q), b.rs, b.cs, c, nr, out + q * kc);
  }
}

int threads_for(const exec_options& options, double flops) {
  // Below ~4 Mflop (~0.1 ms) a parallel region costs more than it saves.
  if (flops < 4e6) return 1;
  return options.num_threads > 0 ? options.num_threads : get_num_threads();
}

// C (column-major) = C + alpha A B by packed panels and register tiles.
// One parallel region: each task owns a block of C (a column tile of nc
// columns, and a group of rows if there are too few column tiles for the
// threads) and walks all of K in blocks of kKC, in order: for each block it
// packs its kc x nc slice of B once, then each mc-row slice of A (which stays
// in L2), and runs the micro-kernel over the tile.
template <class T>
void gemm_packed(T alpha, const view<const T>& a, const T* a_packed, const view<const T>& b,
                 const view<T>& c, const exec_options& options) {
  const gemm_table& tab = table();
  const int mr = traits<T>::mr(tab), nr = traits<T>::nr(tab);
  const auto micro = traits<T>::micro(tab);
  const int64_t M = c.rows, N = c.cols, K = a.cols;
  const int threads = threads_for(options, 2.0 * double(M) * double(N) * double(K));
  const int64_t kc_max = std::min(K, kKC);

  // mc x kc of A in ~128 KiB (more rows for short K); nc x kc of B in ~384 KiB.
  const int64_t mc_target =
      std::max<int64_t>(128, (int64_t{128} << 10) / int64_t(sizeof(T)) / kc_max);
  const int64_t mc = round_up(std::min(M, mc_target), mr);
  const int64_t nc_max =
      std::max<int64_t>(nr, (int64_t{384} << 10) / int64_t(sizeof(T)) / kc_max / nr * nr);
  const int64_t want = 4 * int64_t(threads);
  const int64_t nc = std::min(nc_max, round_up(ceil_div(N, want), nr));
  const int64_t tiles_n = ceil_div(N, nc);
  const int64_t groups_m = std::min(ceil_div(M, mr), ceil_div(want, tiles_n));
  const int64_t rows_per_group = round_up(ceil_div(M, groups_m), mr);
  const int64_t groups = ceil_div(M, rows_per_group);
  const bool subtract = alpha < T(0);

  auto task = [&](uint64_t t0, uint64_t t1) {
    std::vector<T>& abuf = scratch<T>(0);
    std::vector<T>& bbuf = scratch<T>(1);
    const auto asize = static_cast<std::size_t>(mc * kc_max);
    const auto bsize = static_cast<std::size_t>(nc * kc_max);
    if (a_packed == nullptr && abuf.size() < asize) abuf.resize(asize);
    if (bbuf.size() < bsize) bbuf.resize(bsize);
    for (uint64_t t = t0; t < t1; ++t) {
      const int64_t g = static_cast<int64_t>(t) % groups;
      const int64_t j0 = static_cast<int64_t>(t) / groups * nc;
      const int64_t cols = std::min(nc, N - j0);
      const int64_t r0 = g * rows_per_group, r1 = std::min(M, r0 + rows_per_group);
      for (int64_t k0 = 0; k0 < K; k0 += kKC) {
        const int64_t kc = std::min(kKC, K - k0);
        pack_b(b, k0, kc, j0, cols, nr, bbuf.data());
        for (int64_t i0 = r0; i0 < r1; i0 += mc) {
          const int64_t rows = std::min(mc, r1 - i0);
          const T* ap = a_packed + k0 * round_up(M, mr) + i0 * kc;  // packed_a's layout
          if (a_packed == nullptr) {
            pack_a(a, i0, rows, k0, kc, mr, abuf.data());
            ap = abuf.data();
          }
          for (int64_t q = 0; q < cols; q += nr) {
            const int cn = static_cast<int>(std::min<int64_t>(nr, cols - q));
            for (int64_t p = 0; p < rows; p += mr) {
              const int rm = static_cast<int>(std::min<int64_t>(mr, rows - p));
              micro(kc, ap + p * kc, bbuf.data() + q * kc, &c(i0 + p, j0 + q), c.cs, rm, cn,
                    subtract);
            }
          }
        }
      }
    }
  };
  const auto tasks = static_cast<uint64_t>(groups * tiles_n);
  if (threads <= 1 || tasks <= 1) {
    task(0, tasks);
  } else {
    exec_options o = options;
    o.num_threads = threads;
    parallel_for(tasks, 1, task, o);
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

// Shapes, alpha, C's layout; row-major C becomes C^T = B^T A^T (the same
// products, element by element).  Returns false if there is nothing to do.
template <class T>
bool prologue(T alpha, const view<const T>& a, const view<const T>& b, const view<T>& c,
              bool overwrite) {
  if (a.rows != c.rows || b.cols != c.cols || a.cols != b.rows)
    throw std::invalid_argument("gemm: shapes do not match");
  if (alpha != T(1) && alpha != T(-1)) throw std::invalid_argument("gemm: alpha must be +1 or -1");
  if (c.rs != 1) throw std::invalid_argument("gemm: C must be column-major here");
  if (c.rows == 0 || c.cols == 0) return false;
  if (overwrite)
    for (int64_t j = 0; j < c.cols; ++j) std::fill_n(&c(0, j), c.rows, T(0));
  return a.cols > 0;
}

}  // namespace

template <class T>
void gemm(T alpha, view<const T> a, view<const T> b, view<T> c, bool overwrite,
          const exec_options& options) {
  if (c.rs != 1 && c.cs == 1) {
    gemm(alpha, b.t(), a.t(), c.t(), overwrite, options);
    return;
  }
  if (!prologue(alpha, a, b, c, overwrite)) return;
  if (c.rows * c.cols <= kDotElements)
    gemm_dots(alpha, a, b, c, options);
  else
    gemm_packed<T>(alpha, a, nullptr, b, c, options);
}

template <class T>
void packed_matrix<T>::assign(view<const T> a, const exec_options& options) {
  a_ = a;
  const gemm_table& tab = table();
  target_ = tab.name;
  const int mr = traits<T>::mr(tab);
  const int64_t mpad = round_up(a.rows, mr);
  data_.resize(static_cast<std::size_t>(mpad * a.cols));
  // Block k0 (kc = min(kKC, K - k0) columns) holds mpad x kc values from
  // data + k0 * mpad, as pack_a lays them out.
  const int64_t blocks = ceil_div(a.cols, kKC);
  const int threads = threads_for(options, 64.0 * double(mpad) * double(a.cols));
  auto body = [&](uint64_t b0, uint64_t b1) {
    for (auto bk = static_cast<int64_t>(b0); bk < static_cast<int64_t>(b1); ++bk) {
      const int64_t k0 = bk * kKC, kc = std::min(kKC, a.cols - k0);
      pack_a(a, 0, a.rows, k0, kc, mr, data_.data() + k0 * mpad);
    }
  };
  if (threads <= 1 || blocks <= 1) {
    body(0, static_cast<uint64_t>(blocks));
  } else {
    exec_options o = options;
    o.num_threads = threads;
    parallel_for(static_cast<uint64_t>(blocks), 1, body, o);
  }
}

template <class T>
void gemm(T alpha, const packed_matrix<T>& a, view<const T> b, view<T> c, bool overwrite,
          const exec_options& options) {
  if (!prologue(alpha, a.source(), b, c, overwrite)) return;
  if (c.rows * c.cols <= kDotElements)
    gemm_dots(alpha, a.source(), b, c, options);
  else if (a.target() != table().name)
    gemm_packed<T>(alpha, a.source(), nullptr, b, c, options);  // packed for another kernel
  else
    gemm_packed<T>(alpha, a.source(), a.data(), b, c, options);
}

template <class T>
T dot(int64_t n, const T* x, const T* y) {
  T out;
  traits<T>::dots(table())(n, x, &y, 1, &out);
  return out;
}

template void gemm<float>(float, view<const float>, view<const float>, view<float>, bool,
                          const exec_options&);
template void gemm<double>(double, view<const double>, view<const double>, view<double>, bool,
                           const exec_options&);
template class packed_matrix<float>;
template class packed_matrix<double>;
template void gemm<float>(float, const packed_matrix<float>&, view<const float>, view<float>, bool,
                          const exec_options&);
template void gemm<double>(double, const packed_matrix<double>&, view<const double>, view<double>,
                           bool, const exec_options&);
template float dot<float>(int64_t, const float*, const float*);
template double dot<double>(int64_t, const double*, const double*);

}  // namespace turboinit::linalg
