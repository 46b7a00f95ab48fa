// Build and run-time configuration: kernels, threads, versions.
#include <string>

#include "bindings/common.hpp"
#include "runtime/dispatch.hpp"

namespace turboinit::bindings {

void bind_config(py::module_& m) {
  m.def(
      "build_info",
      [] {
        py::dict d;
#ifdef TURBOINIT_VERSION
        d["version"] = TURBOINIT_VERSION;
#endif
        const auto& k = active_kernel();
        d["kernel"] = k.name;
        d["simd_bits"] = k.simd_bits;
        py::list supported;
        for (const auto* s : supported_kernels()) supported.append(s->name);
        d["kernels_supported"] = supported;
        d["kernel_warning"] = kernel_selection_warning();
        d["num_threads"] = get_num_threads();
        d["openmp"] = openmp_runtime();
#if defined(__clang__)
        d["compiler"] = std::string("clang ") + __clang_version__;
#elif defined(__GNUC__)
        d["compiler"] = std::string("gcc ") + __VERSION__;
#endif
        return d;
      },
      "Version, the kernel in use, supported kernels, threads, OpenMP runtime and compiler.");
  m.def(
      "set_kernel", [](const std::string& name) { set_active_kernel(name); }, "name"_a,
      "Use the SIMD kernel `name` (one of build_info()['kernels_supported']) from now on.");
  m.def("get_num_threads", &get_num_threads, "The number of threads the kernels use.");
  m.def("set_num_threads", &set_num_threads, "n"_a,
        "Use n threads (0: the default, OpenMP's or TURBOINIT_NUM_THREADS).");
}

}  // namespace turboinit::bindings
