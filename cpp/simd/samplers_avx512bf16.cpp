// The sampler bodies compiled for the avx512bf16 target: avx512 plus AVX-512
// BF16, whose vcvtneps2bf16 rounds bfloat16 stores (simd/vec.hpp); the same
// bits as every other target.  GEMM is avx512's (flags in CMakeLists.txt).
#define TURBOINIT_TARGET avx512bf16
#define TURBOINIT_TARGET_NAME "avx512bf16"
#define TURBOINIT_WIDTH 16
#define TURBOINIT_GEMM_TARGET avx512
#include "simd/samplers-inl.hpp"
#include "simd/integers-inl.hpp"
#include "simd/bulk-inl.hpp"
#include "simd/table-inl.hpp"

namespace turboinit::kernels {
const kernel_table* table_avx512bf16() { return &avx512bf16::kTable; }
}  // namespace turboinit::kernels
