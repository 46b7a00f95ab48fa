// The interface between gemm.cpp and the per-target micro-kernels
// (linalg/gemm-inl.hpp, compiled once per SIMD target by simd/gemm_<target>.cpp).
#pragma once

#include <cstdint>

namespace turboinit::linalg::micro {

// Packed operands, as gemm.cpp lays them out:
//   a: kc steps of MR values (column k of an MR-row panel of A),
//   b: kc steps of NR values (row k of an NR-column panel of B).
// c is column-major with leading dimension ldc; only the top-left
// rows x cols of the MR x NR tile are written: c = c + s or c - s.
template <class T>
using micro_fn = void (*)(int64_t kc, const T* a, const T* b, T* c, int64_t ldc, int rows, int cols,
                          bool subtract);

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

// One table per SIMD target (linalg/gemm-inl.hpp), reached through the
// dispatch table of simd/kernels.hpp.
namespace baseline {
extern const gemm_table kGemmTable;
}
namespace avx2 {
extern const gemm_table kGemmTable;
}
namespace avx512 {
extern const gemm_table kGemmTable;
}

}  // namespace turboinit::linalg::micro
