// integers: bounded random integers into a caller-provided array, with one
// span for the whole call or one span per element (in place).
#include "bindings/common.hpp"
#include "samplers/integers.hpp"

namespace turboinit::bindings {

void bind_integers(py::module_& m) {
  def_fill<int_dtype, uint64_t, uint64_t>(
      m, "integers",
      [](const fill_call<int_dtype>& c, uint64_t low, uint64_t span) {
        fill_integers(c.out, c.type, c.region, c.stream, low, span, c.options);
      },
      "Fill out with low + U{0, ..., span} (low as 64-bit two's complement bits), without "
      "modulo bias.",
      "low"_a, "span"_a);
  def_fill<int_dtype, bool>(
      m, "integers_in_place",
      [](const fill_call<int_dtype>& c, bool wide) {
        fill_integers_in_place(c.out, c.type, c.region, c.stream, wide, c.options);
      },
      "Replace each element's span in out by an offset in [0, span]; wide: the two-word "
      "layout, needed when a span is >= 2**32.",
      "wide"_a);
}

}  // namespace turboinit::bindings
