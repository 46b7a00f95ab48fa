// The contract between the core and the Python layer, exported once so that
// Python never retypes it: enum codes, counter-layout constants and the
// dtypes' rounding rules (cpp/tensor/dtype.cpp).
#include <cmath>

#include "bindings/common.hpp"
#include "linalg/orthogonal.hpp"
#include "samplers/integers.hpp"
#include "samplers/sparse.hpp"
#include "samplers/truncated_normal_plan.hpp"
#include "simd/kernels.hpp"

namespace turboinit::bindings {

namespace {

// {name: value} of an enum whose names are listed in value order.
template <std::size_t N>
py::dict codes(const char* const (&names)[N]) {
  py::dict d;
  for (std::size_t i = 0; i < N; ++i) d[names[i]] = i;
  return d;
}

// A rounding rule of dtype.cpp applied elementwise; NaN stays NaN.
template <double (*rule)(dtype, double)>
double elementwise(int dtype_code, double x) {
  return std::isnan(x) ? x : rule(dtype_from_int(dtype_code), x);
}

}  // namespace

void bind_contract(py::module_& m) {
  py::dict dtypes, int_dtypes;
  for (int c = 0; c <= static_cast<int>(dtype::bfloat16); ++c)
    dtypes[dtype_name(static_cast<dtype>(c))] = c;
  for (int c = 0; c <= static_cast<int>(int_dtype::boolean); ++c)
    int_dtypes[dtype_name(static_cast<int_dtype>(c))] = c;
  m.attr("DTYPES") = dtypes;
  m.attr("INT_DTYPES") = int_dtypes;
  m.attr("ORTHOGONAL_METHODS") = codes(kOrthogonalMethodNames);
  m.attr("SPARSE_MODES") = codes(kSparseModeNames);
  m.attr("TRUNC_METHODS") = codes(kTruncMethodNames);
  // Where the truncated normal is drawn by its inverse CDF.
  m.attr("INVERSE_CDF_REACH") = kInverseCdfReach;
  m.attr("INVERSE_CDF_MIN_MASS") = kInverseCdfMinMass;
  m.attr("INVERSE_CDF64_MAX_ACCEPTANCE") = kInverseCdf64MaxAcceptance;
  m.attr("INVERSE_CDF64_MIN_MASS") = kInverseCdf64MinMass;
  m.attr("INVERSE_CDF64_SHORT_REACH") = kernels::kInverseCdf64ShortReach;

  // docs/counter_layout.md: a call reserves whole groups of blocks, and each
  // Philox block yields this many values of a sampler.
  m.attr("BLOCKS_PER_GROUP") = kernels::kBlocksPerGroup;
  py::dict per_block;
  per_block["float64"] = kernels::candidates_per_block(true, false);
  per_block["float32"] = kernels::candidates_per_block(false, false);
  per_block["float64_two_uniforms"] = kernels::candidates_per_block(true, true);
  per_block["float32_two_uniforms"] = kernels::candidates_per_block(false, true);
  per_block["integers_narrow"] = integers_per_block(false);
  per_block["integers_wide"] = integers_per_block(true);
  m.attr("VALUES_PER_BLOCK") = per_block;

  m.def("round_to", py::vectorize(&elementwise<round_to>), "dtype"_a, "x"_a,
        "x rounded to the nearest value of the dtype (16-bit types through float32), "
        "as a float64 array; elementwise");
  m.def("at_or_above", py::vectorize(&elementwise<representable_at_or_above>), "dtype"_a, "x"_a,
        "The smallest value of the dtype >= x (-max for x <= -max, +inf if none); elementwise");
  m.def("at_or_below", py::vectorize(&elementwise<representable_at_or_below>), "dtype"_a, "x"_a,
        "The largest value of the dtype <= x (max for x >= max, -inf if none); elementwise");
  m.def("below", py::vectorize(&elementwise<representable_below>), "dtype"_a, "x"_a,
        "The largest value of the dtype strictly below x; elementwise");
  m.def(
      "overflow_threshold",
      [](int dtype_code) { return overflow_threshold(dtype_from_int(dtype_code)); }, "dtype"_a,
      "The smallest magnitude that rounds to infinity in the dtype (inf for float64)");
  m.def(
      "max_finite", [](int dtype_code) { return max_finite(dtype_from_int(dtype_code)); },
      "dtype"_a, "The largest finite value of the dtype");
}

}  // namespace turboinit::bindings
