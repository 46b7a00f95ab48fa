// The raw Philox4x32 block function and the raw 32-bit stream.
#include "bindings/common.hpp"
#include "rng/philox.hpp"
#include "samplers/distributions.hpp"

namespace turboinit::bindings {

void bind_philox(py::module_& m) {
  m.def(
      "philox4x32",
      [](py::array_t<uint32_t, py::array::c_style> counter, uint32_t k0, uint32_t k1, int rounds) {
        if (rounds < 0 || rounds > 16) throw py::value_error("rounds: must be in [0, 16]");
        py::array_t<uint32_t> result(counter.request().shape);
        const auto n = static_cast<std::size_t>(counter.size() / 4);
        const uint32_t* in = counter.data();
        uint32_t* out = result.mutable_data();
        for (std::size_t i = 0; i < n; ++i) {
          const philox_counter c{in[4 * i], in[4 * i + 1], in[4 * i + 2], in[4 * i + 3]};
          const philox_counter r = turboinit::philox4x32(c, {k0, k1}, rounds);
          for (int j = 0; j < 4; ++j) out[4 * i + j] = r[static_cast<std::size_t>(j)];
        }
        return result;
      },
      "counter"_a, "k0"_a, "k1"_a, "rounds"_a,
      "The Philox4x32 block function with `rounds` rounds on an (..., 4) array of counters "
      "under the key (k0, k1).");

  def_fill<raw32>(
      m, "bits",
      [](const fill_call<raw32>& c) {
        fill_bits(static_cast<uint32_t*>(c.out), c.region, c.stream, c.options);
      },
      "Fill out (uint32) with the raw words behind a float32 uniform of the same region.");
}

}  // namespace turboinit::bindings
