// sparse: PyTorch's and Martens's sparse initialisation of a 2-D matrix,
// filled in place into a caller-provided array.
#include "common.hpp"
#include "sparse.hpp"

#include <stdexcept>

namespace turboinit::bindings {

void bind_sparse(py::module_& m) {
  m.def(
      "sparse",
      [](py::array out, int dtype_code, uint64_t rows, uint64_t cols, uint32_t k0, uint32_t k1,
         uint64_t block_offset, double std, int mode, uint64_t count) {
        const dtype t = dtype_from_int(dtype_code);
        if (mode != 0 && mode != 1) throw py::value_error("mode: expected 0 or 1");
        uint64_t elements = 0;
        if (__builtin_mul_overflow(rows, cols, &elements))
          throw std::overflow_error("shape: rows * cols overflows 64 bits");
        void* ptr = checked_output(out, itemsize(t), elements);
        const philox_stream stream{{k0, k1}, block_offset};
        run_without_gil([&] {
          fill_sparse(ptr, t, rows, cols, stream, std, static_cast<sparse_mode>(mode), count,
                      interruptible());
        });
      },
      py::arg("out"), py::arg("dtype"), py::arg("rows"), py::arg("cols"), py::arg("k0"),
      py::arg("k1"), py::arg("block_offset"), py::arg("std"), py::arg("mode"), py::arg("count"));
}

}  // namespace turboinit::bindings
