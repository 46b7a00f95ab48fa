// The GEMM source compiled for the avx2 target (flags in CMakeLists.txt).
#define TURBOINIT_TARGET avx2
#define TURBOINIT_TARGET_NAME "avx2"
#define TURBOINIT_WIDTH 8
#include "gemm_impl.hpp"

namespace turboinit::linalg::kernels {
const gemm_table* gemm_avx2() { return &avx2::kGemmTable; }
}  // namespace turboinit::linalg::kernels
