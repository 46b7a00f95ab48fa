// Run-time choice of the SIMD kernel: the best one the CPU and OS support,
// or the one named by TURBOINIT_KERNEL (avx512bf16, avx512, avx2, baseline).
#pragma once

#include <string>
#include <vector>

#include "simd/kernels.hpp"

namespace turboinit {

// Kernels compiled into this build that the running CPU can execute, best first.
std::vector<const kernels::kernel_table*> supported_kernels();
// The kernel in use.  Chosen on first use; TURBOINIT_KERNEL is read then.
const kernels::kernel_table& active_kernel();
// Force a kernel by name; throws std::invalid_argument if unknown or unsupported.
void set_active_kernel(const std::string& name);
// Why the environment variable was not honoured, if it was not ("" otherwise).
std::string kernel_selection_warning();

}  // namespace turboinit
