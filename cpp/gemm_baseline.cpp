// The GEMM source compiled for the baseline target (flags in CMakeLists.txt).
#define TURBOINIT_TARGET baseline
#define TURBOINIT_TARGET_NAME "baseline"
#define TURBOINIT_WIDTH 4
#include "gemm_impl.hpp"

namespace turboinit::linalg::kernels {
const gemm_table* gemm_baseline() { return &baseline::kGemmTable; }
}  // namespace turboinit::linalg::kernels
