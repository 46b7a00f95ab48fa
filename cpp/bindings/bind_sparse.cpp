// sparse: PyTorch's and Martens's sparse initialisation of a 2-D matrix,
// filled in place into a caller-provided array.
#include "bindings/common.hpp"
#include "samplers/sparse.hpp"

namespace turboinit::bindings {

void bind_sparse(py::module_& m) {
  m.def(
      "sparse",
      [](py::array out, int dtype_code, std::vector<uint64_t> shape, std::vector<uint64_t> start,
         std::vector<uint64_t> extent, uint32_t k0, uint32_t k1, uint64_t block_offset,
         double std, int mode, uint64_t count) {
        const dtype t = dtype_from_int(dtype_code);
        if (mode != 0 && mode != 1) throw py::value_error("mode: expected 0 or 1");
        const tensor_region region = make_region(shape, start, extent);
        void* ptr = checked_output(out, itemsize(t), region.size());
        const philox_stream stream{{k0, k1}, block_offset};
        run_without_gil([&] {
          fill_sparse(ptr, t, region, stream, std, static_cast<sparse_mode>(mode), count,
                      interruptible());
        });
      },
      py::arg("out"), py::arg("dtype"), py::arg("shape"), py::arg("start"), py::arg("extent"),
      py::arg("k0"), py::arg("k1"), py::arg("block_offset"), py::arg("std"), py::arg("mode"),
      py::arg("count"));
}

}  // namespace turboinit::bindings
