// turboinit._core: the private compiled module.  One bind_*.cpp per concept.
#include "bindings/common.hpp"

#include <chrono>
#include <stdexcept>
#include <thread>
#include <string>

namespace turboinit::bindings {

void* checked_output(py::array& out, std::size_t item, uint64_t elements) {
  if (static_cast<std::size_t>(out.itemsize()) != item)
    throw py::type_error("out: item size " + std::to_string(out.itemsize()) +
                         " does not match the dtype (" + std::to_string(item) + " bytes)");
  if (!(out.flags() & py::array::c_style))
    throw py::value_error("out: must be C-contiguous");
  if (!out.writeable()) throw py::value_error("out: must be writeable");
  if (!(out.flags() & py::detail::npy_api::NPY_ARRAY_ALIGNED_))
    throw py::value_error("out: must be aligned");
  if (static_cast<uint64_t>(out.size()) != elements)
    throw py::value_error("out: has " + std::to_string(out.size()) + " elements, expected " +
                          std::to_string(elements));
  return out.mutable_data();
}

tensor_region make_region(const std::vector<uint64_t>& shape, const std::vector<uint64_t>& start,
                          const std::vector<uint64_t>& extent) {
  tensor_region r{shape, start, extent};
  r.validate();
  return r;
}

namespace {
unsigned long g_main_thread = 0;

bool interpreter_finalizing() {
#if PY_VERSION_HEX >= 0x030D0000
  return Py_IsFinalizing() != 0;
#else
  return _Py_IsFinalizing() != 0;
#endif
}
}  // namespace

void park_if_finalizing() {
  if (!interpreter_finalizing() || PyThread_get_thread_ident() == g_main_thread) return;
  for (;;) std::this_thread::sleep_for(std::chrono::hours(1));
}

void remember_main_thread() {
  g_main_thread =
      py::module_::import("threading").attr("main_thread")().attr("ident").cast<unsigned long>();
}

exec_options interruptible() {
  exec_options o;
  if (PyThread_get_thread_ident() != g_main_thread) return o;
  o.poll = [] {
    if (interpreter_finalizing()) return false;  // an atexit handler: finish the call
    py::gil_scoped_acquire gil;
    return PyErr_CheckSignals() != 0;
  };
  return o;
}

}  // namespace turboinit::bindings

PYBIND11_MODULE(_core, m) {
  m.doc() = "turboinit's compiled core (private; use the turboinit package)";
  turboinit::bindings::remember_main_thread();
  turboinit::bindings::bind_config(m);
  turboinit::bindings::bind_philox(m);
  turboinit::bindings::bind_distributions(m);
  turboinit::bindings::bind_orthogonal(m);
  turboinit::bindings::bind_integers(m);
  turboinit::bindings::bind_sparse(m);
  turboinit::bindings::bind_bitgen(m);
  turboinit::bindings::bind_bulk(m);
}
