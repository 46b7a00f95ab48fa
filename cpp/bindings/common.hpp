// Shared by the bind_*.cpp files: the only place where Python meets the core.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <utility>
#include <vector>

#include "tensor/dtype.hpp"
#include "runtime/parallel.hpp"
#include "tensor/region.hpp"

namespace turboinit::bindings {

namespace py = pybind11;
using namespace pybind11::literals;

void bind_contract(py::module_& m);

void bind_config(py::module_& m);
void bind_philox(py::module_& m);
void bind_distributions(py::module_& m);
void bind_orthogonal(py::module_& m);
void bind_integers(py::module_& m);
void bind_sparse(py::module_& m);

// The caller's array as a raw pointer, after checking everything a kernel
// relies on: item size, C-contiguity, alignment, writability and size.
// Nothing is copied or cast; a mismatch raises ValueError/TypeError.
void* checked_output(py::array& out, std::size_t item, uint64_t elements);

tensor_region make_region(const std::vector<uint64_t>& shape, const std::vector<uint64_t>& start,
                          const std::vector<uint64_t>& extent);

// Options that let Ctrl-C stop a kernel: the calling thread checks Python's
// signal flag every ~20 ms (taking the GIL for that moment only).
exec_options interruptible();

// Runs f without the GIL; a KeyboardInterrupt (or other signal handler
// exception) raised while it ran is re-raised here.
template <class F>
void run_without_gil(F&& f) {
  bool stopped = false;
  {
    py::gil_scoped_release release;
    try {
      std::forward<F>(f)();
    } catch (const interrupted&) {
      stopped = true;
    }
  }
  if (stopped) throw py::error_already_set();
}

}  // namespace turboinit::bindings
