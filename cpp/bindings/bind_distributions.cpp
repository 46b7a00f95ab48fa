// uniform, normal, truncated_normal: fill a caller-provided array in place.
// The Python layer allocates (np.empty) or checks out=, derives keys and
// regions; here we re-check the buffer, release the GIL and run the kernel.
#include <cmath>

#include "bindings/common.hpp"
#include "samplers/distributions.hpp"
#include "samplers/truncated_normal_plan.hpp"

namespace turboinit::bindings {

void bind_distributions(py::module_& m) {
  m.def(
      "truncated_normal_plan",
      [](double lower, double upper, int dtype_code) {
        const dtype t = dtype_from_int(dtype_code);
        if (std::isnan(lower) || std::isnan(upper) || !(lower < upper))
          throw py::value_error("lower, upper: need lower < upper");
        const truncated_normal_plan p = plan_truncated_normal(lower, upper, !computes_in_double(t));
        py::dict d;
        d["method"] = kTruncMethodNames[static_cast<int>(p.method)];
        d["acceptance"] = p.acceptance;
        d["mirror"] = p.mirror;
        d["a"] = p.a;
        d["b"] = p.b;
        d["lambda"] = p.lambda;
        d["erf_a"] = p.erf_a;
        d["erf_width"] = p.erf_width;
        d["inverse_cdf_retries"] = p.inverse_cdf_retries;
        return d;
      },
      "lower"_a, "upper"_a, "dtype"_a,
      "The sampler chosen for a truncated standard normal on [lower, upper] in this output "
      "dtype and its exact acceptance rate (1 for the inverse CDF), for tests and docs.");
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
  m.def(
      "max_standard_normal",
      [](int dtype_code) { return max_standard_normal(dtype_from_int(dtype_code)); }, "dtype"_a,
      "The largest |z| the normal sampler can return when computing for this dtype.");

  def_fill<dtype, double, double>(
      m, "uniform",
      [](const fill_call<dtype>& c, double low, double high) {
        fill_uniform(c.out, c.type, c.region, c.stream, low, high, c.options);
      },
      "Fill out with U[low, high) values of the region of the tensor; never high, also "
      "after rounding.",
      "low"_a, "high"_a);
  def_fill<dtype, double, double>(
      m, "normal",
      [](const fill_call<dtype>& c, double mean, double std) {
        fill_normal(c.out, c.type, c.region, c.stream, mean, std, c.options);
      },
      "Fill out with N(mean, std^2) values (Box-Muller) of the region of the tensor.", "mean"_a,
      "std"_a);
  def_fill<dtype, double, double, double, double>(
      m, "truncated_normal",
      [](const fill_call<dtype>& c, double mean, double std, double lower, double upper) {
        fill_truncated_normal(c.out, c.type, c.region, c.stream, mean, std, lower, upper,
                              c.options);
      },
      "Fill out with N(mean, std^2) values restricted to [mean + lower std, mean + upper std] "
      "(exact rejection sampling) of the region of the tensor.",
      "mean"_a, "std"_a, "lower"_a, "upper"_a);
}

}  // namespace turboinit::bindings
