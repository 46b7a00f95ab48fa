// sparse: PyTorch's and Martens's sparse initialisation of a 2-D matrix,
// filled in place into a caller-provided array.
#include <stdexcept>

#include "bindings/common.hpp"
#include "samplers/sparse.hpp"

namespace turboinit::bindings {

void bind_sparse(py::module_& m) {
  def_fill<dtype, double, int, uint64_t>(
      m, "sparse",
      [](const fill_call<dtype>& c, double std, int mode, uint64_t count) {
        if (mode != 0 && mode != 1) throw std::invalid_argument("mode: expected 0 or 1");
        fill_sparse(c.out, c.type, c.region, c.stream, std, static_cast<sparse_mode>(mode), count,
                    c.options);
      },
      "Fill out with N(0, std^2) values of which `count` per column are zero (mode "
      "zeros_per_column) or only `count` per row are non-zero (nonzeros_per_row).",
      "std"_a, "mode"_a, "count"_a);
}

}  // namespace turboinit::bindings
