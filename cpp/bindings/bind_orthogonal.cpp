// orthogonal: fill a caller-provided (rows, cols) array in place with a
// scaled Haar-distributed orthogonal matrix.  Flattening, layouts and output
// allocation live in the Python layer (turboinit._orthogonal).
#include "bindings/common.hpp"
#include "linalg/orthogonal.hpp"

namespace turboinit::bindings {

void bind_orthogonal(py::module_& m) {
  m.def(
      "orthogonal",
      [](py::array out, int dtype_code, uint64_t rows, uint64_t cols, uint32_t k0, uint32_t k1,
         uint64_t block_offset, double gain, int method) {
        const dtype t = dtype_from_int(dtype_code);
        if (method != 0 && method != 1)
          throw py::value_error("method: expected 0 (qr) or 1 (svd), got " +
                                std::to_string(method));
        uint64_t elements = 0;
        if (__builtin_mul_overflow(rows, cols, &elements))
          throw py::value_error("rows, cols: too many elements");
        void* ptr = checked_output(out, itemsize(t), elements);
        const philox_stream stream{{k0, k1}, block_offset};
        const exec_options options = interruptible();
        run_without_gil([&] {
          fill_orthogonal(ptr, t, rows, cols, stream, gain, static_cast<orthogonal_method>(method),
                          options);
        });
      },
      "out"_a, "dtype"_a, "rows"_a, "cols"_a, "k0"_a, "k1"_a, "block_offset"_a, "gain"_a,
      "method"_a,
      "Fill out, a row-major (rows, cols) array, with gain times a Haar orthogonal matrix "
      "(method: ORTHOGONAL_METHODS).");
}

}  // namespace turboinit::bindings
