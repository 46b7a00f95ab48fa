// The GEMM source compiled for the avx512 target (flags in CMakeLists.txt).
#define TURBOINIT_TARGET avx512
#define TURBOINIT_TARGET_NAME "avx512"
#define TURBOINIT_WIDTH 16
#include "gemm_impl.hpp"

namespace turboinit::linalg::kernels {
const gemm_table* gemm_avx512() { return &avx512::kGemmTable; }
}  // namespace turboinit::linalg::kernels
