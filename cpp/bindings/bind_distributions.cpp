// uniform, normal, truncated_normal: fill a caller-provided array in place.
// The Python layer allocates (np.empty) or checks out=, derives keys and
// regions; here we re-check the buffer, release the GIL and run the kernel.
#include <cmath>

#include "bindings/common.hpp"
#include "samplers/distributions.hpp"
#include "samplers/truncated_normal_plan.hpp"

namespace turboinit::bindings {

namespace {

struct call {
  dtype type;
  tensor_region region;
  philox_stream stream;
  void* ptr;
};

call prepare(py::array& out, int dtype_code, const std::vector<uint64_t>& shape,
             const std::vector<uint64_t>& start, const std::vector<uint64_t>& extent, uint32_t k0,
             uint32_t k1, uint64_t block_offset) {
  const dtype t = dtype_from_int(dtype_code);
  tensor_region region = make_region(shape, start, extent);
  void* ptr = checked_output(out, itemsize(t), region.size());
  return {t, std::move(region), philox_stream{{k0, k1}, block_offset}, ptr};
}

}  // namespace

void bind_distributions(py::module_& m) {
  m.def(
      "truncated_normal_plan",
      [](double lower, double upper) {
        if (std::isnan(lower) || std::isnan(upper) || !(lower < upper))
          throw py::value_error("lower, upper: need lower < upper");
        const truncated_normal_plan p = plan_truncated_normal(lower, upper);
        py::dict d;
        d["method"] = kTruncMethodNames[static_cast<int>(p.method)];
        d["acceptance"] = p.acceptance;
        d["mirror"] = p.mirror;
        d["a"] = p.a;
        d["b"] = p.b;
        d["lambda"] = p.lambda;
        return d;
      },
      py::arg("lower"), py::arg("upper"),
      "The proposal chosen for a truncated standard normal on [lower, upper] and its exact "
      "acceptance rate (for tests and docs).");
  m.def(
      "check_uniform",
      [](int dtype_code, double low, double high) {
        check_uniform(dtype_from_int(dtype_code), low, high);
      },
      "dtype"_a, "low"_a, "high"_a,
      "Raise what uniform() would raise for these parameters; draws and writes nothing.");
  m.def(
      "check_truncated_normal",
      [](int dtype_code, double mean, double std, double lower, double upper) {
        check_truncated_normal(dtype_from_int(dtype_code), mean, std, lower, upper);
      },
      "dtype"_a, "mean"_a, "std"_a, "lower"_a, "upper"_a,
      "Raise what truncated_normal() would raise for these parameters; draws and writes nothing.");
  m.def("max_standard_normal", [](int dtype_code) { return max_standard_normal(dtype_from_int(dtype_code)); },
        py::arg("dtype"));


  m.def(
      "uniform",
      [](py::array out, int dtype_code, std::vector<uint64_t> shape, std::vector<uint64_t> start,
         std::vector<uint64_t> extent, uint32_t k0, uint32_t k1, uint64_t block_offset,
         double low, double high) {
        call c = prepare(out, dtype_code, shape, start, extent, k0, k1, block_offset);
        run_without_gil([&] {
          fill_uniform(c.ptr, c.type, c.region, c.stream, low, high, interruptible());
        });
      },
      py::arg("out"), py::arg("dtype"), py::arg("shape"), py::arg("start"), py::arg("extent"),
      py::arg("k0"), py::arg("k1"), py::arg("block_offset"), py::arg("low"), py::arg("high"));

  m.def(
      "normal",
      [](py::array out, int dtype_code, std::vector<uint64_t> shape, std::vector<uint64_t> start,
         std::vector<uint64_t> extent, uint32_t k0, uint32_t k1, uint64_t block_offset,
         double mean, double std) {
        call c = prepare(out, dtype_code, shape, start, extent, k0, k1, block_offset);
        run_without_gil([&] {
          fill_normal(c.ptr, c.type, c.region, c.stream, mean, std, interruptible());
        });
      },
      py::arg("out"), py::arg("dtype"), py::arg("shape"), py::arg("start"), py::arg("extent"),
      py::arg("k0"), py::arg("k1"), py::arg("block_offset"), py::arg("mean"), py::arg("std"));

  m.def(
      "truncated_normal",
      [](py::array out, int dtype_code, std::vector<uint64_t> shape, std::vector<uint64_t> start,
         std::vector<uint64_t> extent, uint32_t k0, uint32_t k1, uint64_t block_offset,
         double mean, double std, double lower, double upper) {
        call c = prepare(out, dtype_code, shape, start, extent, k0, k1, block_offset);
        run_without_gil([&] {
          fill_truncated_normal(c.ptr, c.type, c.region, c.stream, mean, std, lower, upper,
                                interruptible());
        });
      },
      py::arg("out"), py::arg("dtype"), py::arg("shape"), py::arg("start"), py::arg("extent"),
      py::arg("k0"), py::arg("k1"), py::arg("block_offset"), py::arg("mean"), py::arg("std"),
      py::arg("lower"), py::arg("upper"));
}

}  // namespace turboinit::bindings
