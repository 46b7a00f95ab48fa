// The dispatch table of one SIMD target: every per-target entry point, the
// samplers' and the GEMM micro-kernels'.  Included last by
// simd/samplers_<target>.cpp, after the bodies that define the entries.

// A target may share another's GEMM micro-kernels (avx512bf16: avx512's).
#ifndef TURBOINIT_GEMM_TARGET
#define TURBOINIT_GEMM_TARGET TURBOINIT_TARGET
#endif

namespace turboinit::kernels::TURBOINIT_TARGET {
namespace {

const kernel_table kTable = {
    TURBOINIT_TARGET_NAME,
    W * 32,
    uniform_entry,
    normal_entry,
    truncated_normal_entry,
    bits_entry,
    integers_entry,
    bulk_entry,
    &linalg::micro::TURBOINIT_GEMM_TARGET::kGemmTable,
};

}  // namespace
}  // namespace turboinit::kernels::TURBOINIT_TARGET
