// integers: bounded random integers into a caller-provided array, with one
// span for the whole call or one span per element (in place).
#include "bindings/common.hpp"
#include "samplers/integers.hpp"

namespace turboinit::bindings {

void bind_integers(py::module_& m) {
  m.def(
      "integers",
      [](py::array out, int dtype_code, std::vector<uint64_t> shape, std::vector<uint64_t> start,
         std::vector<uint64_t> extent, uint32_t k0, uint32_t k1, uint64_t block_offset,
         uint64_t low, uint64_t span) {
        const int_dtype t = int_dtype_from_int(dtype_code);
        const tensor_region region = make_region(shape, start, extent);
        void* ptr = checked_output(out, itemsize(t), region.size());
        const philox_stream stream{{k0, k1}, block_offset};
        run_without_gil(
            [&] { fill_integers(ptr, t, region, stream, low, span, interruptible()); });
      },
      py::arg("out"), py::arg("dtype"), py::arg("shape"), py::arg("start"), py::arg("extent"),
      py::arg("k0"), py::arg("k1"), py::arg("block_offset"), py::arg("low"), py::arg("span"));

  m.def(
      "integers_in_place",
      [](py::array out, int dtype_code, std::vector<uint64_t> shape, std::vector<uint64_t> start,
         std::vector<uint64_t> extent, uint32_t k0, uint32_t k1, uint64_t block_offset,
         bool wide) {
        const int_dtype t = int_dtype_from_int(dtype_code);
        const tensor_region region = make_region(shape, start, extent);
        void* ptr = checked_output(out, itemsize(t), region.size());
        const philox_stream stream{{k0, k1}, block_offset};
        run_without_gil(
            [&] { fill_integers_in_place(ptr, t, region, stream, wide, interruptible()); });
      },
      py::arg("out"), py::arg("dtype"), py::arg("shape"), py::arg("start"), py::arg("extent"),
      py::arg("k0"), py::arg("k1"), py::arg("block_offset"), py::arg("wide"));
}

}  // namespace turboinit::bindings
