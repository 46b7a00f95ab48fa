// The sampler bodies compiled for the avx512 target (flags in CMakeLists.txt).
#define TURBOINIT_TARGET avx512
#define TURBOINIT_TARGET_NAME "avx512"
#define TURBOINIT_WIDTH 16
#include "simd/samplers-inl.hpp"
#include "simd/integers-inl.hpp"
#include "simd/bulk-inl.hpp"
#include "simd/table-inl.hpp"

namespace turboinit::kernels {
const kernel_table* table_avx512() { return &avx512::kTable; }
}  // namespace turboinit::kernels
