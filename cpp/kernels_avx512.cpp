// The kernel source compiled for the avx512 target (flags in CMakeLists.txt).
#define TURBOINIT_TARGET avx512
#define TURBOINIT_TARGET_NAME "avx512"
#define TURBOINIT_WIDTH 16
#include "kernels_impl.hpp"

namespace turboinit::kernels {
const kernel_table* table_avx512() { return &avx512::kTable; }
}  // namespace turboinit::kernels
