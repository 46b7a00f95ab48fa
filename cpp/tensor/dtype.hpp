// Output element types and the scalar rounding rules shared by the kernels'
// set-up code (the kernels themselves round with the same bit-exact rules on
// vectors, in simd/vec.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace turboinit {

enum class dtype : int { float64 = 0, float32 = 1, float16 = 2, bfloat16 = 3 };

std::size_t itemsize(dtype t);
const char* dtype_name(dtype t);
dtype dtype_from_int(int code);  // throws std::invalid_argument

// The kernels compute float64 outputs in double, the others in float32.
inline bool computes_in_double(dtype t) { return t == dtype::float64; }

// Round a double to the nearest value of `t` (ties to even), returned as a
// double.  For float16/bfloat16 this rounds first to float32, as the kernels
// do (compute in float32, round once at the store).
double round_to(dtype t, double x);
// The largest finite value of `t`.
double max_finite(dtype t);
// Magnitude from which values round to infinity in `t` (ties to even): max_finite
// plus half an ulp; +inf for float64.
double overflow_threshold(dtype t);
// Smallest value of `t` that is >= x (x finite or -inf); +inf if none.
double representable_at_or_above(dtype t, double x);
// Largest value of `t` that is <= x; -inf if none.
double representable_at_or_below(dtype t, double x);
// Largest value of `t` strictly below x.
double representable_below(dtype t, double x);

// Scalar bit-exact conversions (round to nearest even).
uint16_t float_to_half_bits(float f);
float half_bits_to_float(uint16_t h);
uint16_t float_to_bfloat16_bits(float f);
float bfloat16_bits_to_float(uint16_t h);

}  // namespace turboinit
