// orthogonal: fill a caller-provided (rows, cols) array in place with a
// scaled Haar-distributed orthogonal matrix.  Flattening, layouts and output
// allocation live in the Python layer (turboinit._orthogonal).
#include "bindings/common.hpp"
#include "linalg/gemm.hpp"
#include "linalg/orthogonal.hpp"

namespace turboinit::bindings {

void bind_orthogonal(py::module_& m) {
  m.def(
      "orthogonal",
      [](py::array out, int dtype_code, uint64_t rows, uint64_t cols, uint32_t k0, uint32_t k1,
         uint64_t block_offset, double gain, int method) {
        const dtype t = dtype_from_int(dtype_code);
        if (method != 0 && method != 1)
          throw py::value_error("method: expected 0 (qr) or 1 (svd), got " + std::to_string(method));
        uint64_t elements = 0;
        if (__builtin_mul_overflow(rows, cols, &elements))
          throw py::value_error("rows, cols: too many elements");
        void* ptr = checked_output(out, itemsize(t), elements);
        const philox_stream stream{{k0, k1}, block_offset};
        run_without_gil([&] {
          fill_orthogonal(ptr, t, rows, cols, stream, gain, static_cast<orthogonal_method>(method),
                          interruptible());
        });
      },
      py::arg("out"), py::arg("dtype"), py::arg("rows"), py::arg("cols"), py::arg("k0"),
      py::arg("k1"), py::arg("block_offset"), py::arg("gain"), py::arg("method"));
  m.def("gemm_target", &linalg::gemm_target,
        "Name of the SIMD target whose kernels the QR's products use");
}

}  // namespace turboinit::bindings
