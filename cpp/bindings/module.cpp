// turboinit._core: the private compiled module.  One bind_*.cpp per concept.
#include "bindings/common.hpp"

#include <stdexcept>
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

exec_options interruptible() {
  exec_options o;
  o.poll = [] {
    py::gil_scoped_acquire gil;
    return PyErr_CheckSignals() != 0;
  };
  return o;
}

}  // namespace turboinit::bindings

PYBIND11_MODULE(_core, m) {
  m.doc() = "turboinit's compiled core (private; use the turboinit package)";
  turboinit::bindings::bind_contract(m);
  turboinit::bindings::bind_config(m);
  turboinit::bindings::bind_philox(m);
  turboinit::bindings::bind_distributions(m);
  turboinit::bindings::bind_orthogonal(m);
  turboinit::bindings::bind_integers(m);
  turboinit::bindings::bind_sparse(m);
}
