// The GEMM micro-kernels and dot products, one source for every SIMD target.
// simd/gemm_<target>.cpp defines TURBOINIT_TARGET and TURBOINIT_WIDTH (32-bit
// lanes) and includes this file; CMake compiles it with the target's flags.
//
// Every lane runs the same chain of fused multiply-adds whatever the width,
// so all targets give the same bits (gemm.hpp).  FMA is the one operation the
// vector extensions cannot spell, hence the intrinsics in vfma below; the
// baseline target calls the C library's correctly rounded fma per lane.

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <utility>

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#endif

#include "linalg/gemm_kernels.hpp"

namespace turboinit::linalg::micro::TURBOINIT_TARGET {
namespace {

#include "simd/vec.hpp"

// One native register of doubles (simd/vec.hpp's vf64 spans two).
using vd64 = vf64n;

template <class T>
struct vt;
template <>
struct vt<float> {
  using type = vf32;
  static constexpr int lanes = W;
};
template <>
struct vt<double> {
  using type = vd64;
  static constexpr int lanes = W / 2;
};

// x in every lane (exactly: no arithmetic, so -0.0 stays -0.0).
static inline vf32 bcast(float x) {
#if defined(__AVX512F__) && TURBOINIT_WIDTH == 16
  return (vf32)_mm512_set1_ps(x);
#elif defined(__AVX__) && TURBOINIT_WIDTH == 8
  return (vf32)_mm256_set1_ps(x);
#elif defined(__SSE2__) && TURBOINIT_WIDTH == 4
  return (vf32)_mm_set1_ps(x);
#else
  vf32 v;
  for (int i = 0; i < W; ++i) v[i] = x;
  return v;
#endif
}
static inline vd64 bcast(double x) {
#if defined(__AVX512F__) && TURBOINIT_WIDTH == 16
  return (vd64)_mm512_set1_pd(x);
#elif defined(__AVX__) && TURBOINIT_WIDTH == 8
  return (vd64)_mm256_set1_pd(x);
#elif defined(__SSE2__) && TURBOINIT_WIDTH == 4
  return (vd64)_mm_set1_pd(x);
#else
  vd64 v;
  for (int i = 0; i < W / 2; ++i) v[i] = x;
  return v;
#endif
}

// a * b + c with one rounding, lane by lane: vfma of simd/vec.hpp.

// The MR x NR tile (MR = MV vectors) of C += / -= A_panel B_panel.
template <class T, int MV, int NR>
void micro(int64_t kc, const T* a, const T* b, T* c, int64_t ldc, int rows, int cols,
           bool subtract) {
  using V = typename vt<T>::type;
  constexpr int L = vt<T>::lanes;
  constexpr int MR = MV * L;
  V acc[MV][NR];
#pragma GCC unroll 32
  for (int j = 0; j < NR; ++j)
#pragma GCC unroll 4
    for (int m = 0; m < MV; ++m) acc[m][j] = V{};
  for (int64_t k = 0; k < kc; ++k) {
    V av[MV];
#pragma GCC unroll 4
    for (int m = 0; m < MV; ++m) av[m] = load<V>(a + k * MR + m * L);
#pragma GCC unroll 32
    for (int j = 0; j < NR; ++j) {
      const V bj = bcast(b[k * NR + j]);
#pragma GCC unroll 4
      for (int m = 0; m < MV; ++m) acc[m][j] = vfma(av[m], bj, acc[m][j]);
    }
  }
  if (rows == MR && cols == NR) {
#pragma GCC unroll 32
    for (int j = 0; j < NR; ++j)
#pragma GCC unroll 4
      for (int m = 0; m < MV; ++m) {
        T* p = c + j * ldc + m * L;
        const V old = load<V>(p);
        store(p, subtract ? old - acc[m][j] : old + acc[m][j]);
      }
    return;
  }
  T tile[MR * NR];
  for (int j = 0; j < NR; ++j)
    for (int m = 0; m < MV; ++m) store(tile + j * MR + m * L, acc[m][j]);
  for (int j = 0; j < cols; ++j)
    for (int i = 0; i < rows; ++i) {
      T& x = c[j * ldc + i];
      x = subtract ? x - tile[j * MR + i] : x + tile[j * MR + i];
    }
}

// dot16 of x with up to four vectors: 16 logical lanes as 16 / L vectors.
template <class T, int COUNT>
void dots_n(int64_t n, const T* x, const T* const* y, T* out) {
  using V = typename vt<T>::type;
  constexpr int L = vt<T>::lanes;
  constexpr int NV = 16 / L;
  V acc[COUNT][NV];
  for (int q = 0; q < COUNT; ++q)
    for (int v = 0; v < NV; ++v) acc[q][v] = V{};
  int64_t k = 0;
  for (; k + 16 <= n; k += 16) {
#pragma GCC unroll 8
    for (int v = 0; v < NV; ++v) {
      const V xv = load<V>(x + k + v * L);
#pragma GCC unroll 4
      for (int q = 0; q < COUNT; ++q) acc[q][v] = vfma(xv, load<V>(y[q] + k + v * L), acc[q][v]);
    }
  }
  if (k < n) {  // zero-padded last step
    T xt[16] = {}, yt[COUNT][16] = {};
    std::memcpy(xt, x + k, sizeof(T) * static_cast<std::size_t>(n - k));
    for (int q = 0; q < COUNT; ++q)
      std::memcpy(yt[q], y[q] + k, sizeof(T) * static_cast<std::size_t>(n - k));
    for (int v = 0; v < NV; ++v)
      for (int q = 0; q < COUNT; ++q)
        acc[q][v] = vfma(load<V>(xt + v * L), load<V>(yt[q] + v * L), acc[q][v]);
  }
  for (int q = 0; q < COUNT; ++q) {
    T s[16];
    for (int v = 0; v < NV; ++v) store(s + v * L, acc[q][v]);
    for (int h = 8; h >= 1; h /= 2)
      for (int l = 0; l < h; ++l) s[l] = s[l] + s[l + h];
    out[q] = s[0];
  }
}

template <class T>
void dots(int64_t n, const T* x, const T* const* y, int count, T* out) {
  switch (count) {
    case 1: return dots_n<T, 1>(n, x, y, out);
    case 2: return dots_n<T, 2>(n, x, y, out);
    case 3: return dots_n<T, 3>(n, x, y, out);
    default: return dots_n<T, 4>(n, x, y, out);
  }
}

// Register tiles: MV vectors of rows by NR columns, NR * MV accumulators
// plus MV + 1 operand registers within the target's register file.
#if TURBOINIT_WIDTH == 16
constexpr int kMV = 2, kNR = 12;  // 32 registers
#elif TURBOINIT_WIDTH == 8
constexpr int kMV = 2, kNR = 6;  // 16 registers
#else
constexpr int kMV = 2, kNR = 4;
#endif

}  // namespace

// Declared for every target in linalg/gemm_kernels.hpp; external linkage.
const gemm_table kGemmTable = {
    TURBOINIT_TARGET_NAME,   kMV * vt<float>::lanes,   kNR,          kMV * vt<double>::lanes, kNR,
    &micro<float, kMV, kNR>, &micro<double, kMV, kNR>, &dots<float>, &dots<double>,
};

}  // namespace turboinit::linalg::micro::TURBOINIT_TARGET
