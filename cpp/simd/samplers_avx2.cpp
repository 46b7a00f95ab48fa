// The sampler bodies compiled for the avx2 target (flags in CMakeLists.txt).
#define TURBOINIT_TARGET avx2
#define TURBOINIT_TARGET_NAME "avx2"
#define TURBOINIT_WIDTH 8
#include "simd/samplers-inl.hpp"
#include "simd/integers-inl.hpp"
#include "simd/bulk-inl.hpp"
#include "simd/table-inl.hpp"

namespace turboinit::kernels {
const kernel_table* table_avx2() { return &avx2::kTable; }
}  // namespace turboinit::kernels
