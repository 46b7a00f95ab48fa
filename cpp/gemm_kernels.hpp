// The interface between gemm.cpp and the per-target micro-kernels
// (gemm_impl.hpp, compiled once per SIMD target like kernels_impl.hpp).
#pragma once

#include <cstdint>

namespace turboinit::linalg::kernels {

// Packed operands, as gemm.cpp lays them out:
//   a: kc steps of MR values (column k of an MR-row panel of A),
//   b: kc steps of NR values (row k of an NR-column panel of B).
// c is column-major with leading dimension ldc; only the top-left
// rows x cols of the MR x NR tile are written: c = c + s or c - s.
template <class T>
using micro_fn = void (*)(int64_t kc, const T* a, const T* b, T* c, int64_t ldc, int rows,
                          int cols, bool subtract);

// out[j] = dot16(x, y[j]) for j < count <= 4, all of length n (gemm.hpp).
template <class T>
using dots_fn = void (*)(int64_t n, const T* x, const T* const* y, int count, T* out);

struct gemm_table {
  const char* name;
  int mr_f32, nr_f32, mr_f64, nr_f64;
  micro_fn<float> micro_f32;
  micro_fn<double> micro_f64;
  dots_fn<float> dots_f32;
  dots_fn<double> dots_f64;
};

const gemm_table* gemm_baseline();
const gemm_table* gemm_avx2();
const gemm_table* gemm_avx512();

}  // namespace turboinit::linalg::kernels
