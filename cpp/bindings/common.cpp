// The conversions every binding shares (declared in bindings/common.hpp).
#include "bindings/common.hpp"

#include <string>

namespace turboinit::bindings {

void* checked_output(py::array& out, std::size_t item, uint64_t elements) {
  if (static_cast<std::size_t>(out.itemsize()) != item)
    throw py::type_error("out: item size " + std::to_string(out.itemsize()) +
                         " does not match the dtype (" + std::to_string(item) + " bytes)");
  if (!(out.flags() & py::array::c_style)) throw py::value_error("out: must be C-contiguous");
  if (!out.writeable()) throw py::value_error("out: must be writeable");
  if (!(out.flags() & py::detail::npy_api::NPY_ARRAY_ALIGNED_))
    throw py::value_error("out: must be aligned");
  if (static_cast<uint64_t>(out.size()) != elements)
    throw py::value_error("out: has " + std::to_string(out.size()) + " elements, expected " +
                          std::to_string(elements));
  return out.mutable_data();
}

exec_options interruptible() {
  exec_options o;
  o.poll = [] {
    py::gil_scoped_acquire gil;
    return PyErr_CheckSignals() != 0;
  };
  return o;
}

namespace {

template <class Type>
fill_call<Type> make_call(py::array& out, Type type, std::size_t item, const dims& shape,
                          const dims& start, const dims& extent, uint32_t k0, uint32_t k1,
                          uint64_t block_offset) {
  tensor_region region{shape, start, extent};
  region.validate();
  void* ptr = checked_output(out, item, region.size());
  return {type, std::move(region), philox_stream{{k0, k1}, block_offset}, ptr, interruptible()};
}

}  // namespace

fill_call<dtype> convert(py::array& out, int dtype_code, const dims& shape, const dims& start,
                         const dims& extent, uint32_t k0, uint32_t k1, uint64_t block_offset) {
  const dtype t = dtype_from_int(dtype_code);
  return make_call(out, t, itemsize(t), shape, start, extent, k0, k1, block_offset);
}

fill_call<int_dtype> convert_int(py::array& out, int dtype_code, const dims& shape,
                                 const dims& start, const dims& extent, uint32_t k0, uint32_t k1,
                                 uint64_t block_offset) {
  const int_dtype t = int_dtype_from_int(dtype_code);
  return make_call(out, t, itemsize(t), shape, start, extent, k0, k1, block_offset);
}

fill_call<raw32> convert_raw32(py::array& out, const dims& shape, const dims& start,
                               const dims& extent, uint32_t k0, uint32_t k1,
                               uint64_t block_offset) {
  return make_call(out, raw32{}, sizeof(uint32_t), shape, start, extent, k0, k1, block_offset);
}

}  // namespace turboinit::bindings
