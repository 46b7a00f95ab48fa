// The sampler bodies compiled for the baseline target (flags in CMakeLists.txt).
#define TURBOINIT_TARGET baseline
#define TURBOINIT_TARGET_NAME "baseline"
#define TURBOINIT_WIDTH 4
#include "simd/samplers-inl.hpp"
#include "simd/integers-inl.hpp"
#include "simd/bulk-inl.hpp"
#include "simd/table-inl.hpp"

namespace turboinit::kernels {
const kernel_table* table_baseline() { return &baseline::kTable; }
}  // namespace turboinit::kernels
