// The raw Philox4x32 block function and the raw 32-bit stream.
#include "bindings/common.hpp"
#include "samplers/distributions.hpp"
#include "rng/philox.hpp"

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
      py::arg("counter"), py::arg("k0"), py::arg("k1"), py::arg("rounds"));

  m.def(
      "bits",
      [](py::array out, std::vector<uint64_t> shape, std::vector<uint64_t> start,
         std::vector<uint64_t> extent, uint32_t k0, uint32_t k1, uint64_t block_offset) {
        const tensor_region region = make_region(shape, start, extent);
        void* ptr = checked_output(out, 4, region.size());
        const philox_stream stream{{k0, k1}, block_offset};
        run_without_gil([&] {
          fill_bits(static_cast<uint32_t*>(ptr), region, stream, interruptible());
        });
      },
      py::arg("out"), py::arg("shape"), py::arg("start"), py::arg("extent"), py::arg("k0"),
      py::arg("k1"), py::arg("block_offset"));
}

}  // namespace turboinit::bindings
