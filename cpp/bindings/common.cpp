// The conversions every binding shares (declared in bindings/common.hpp).
#include "bindings/common.hpp"

#include <chrono>
#include <string>
#include <thread>

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

tensor_region make_region(const dims& shape, const dims& start, const dims& extent) {
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

namespace {

template <class Type>
fill_call<Type> make_call(py::array& out, Type type, std::size_t item, const dims& shape,
                          const dims& start, const dims& extent, uint32_t k0, uint32_t k1,
                          uint64_t block_offset) {
  tensor_region region = make_region(shape, start, extent);
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
