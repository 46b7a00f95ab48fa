#include "tensor/dtype.hpp"

#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>

namespace turboinit {
namespace {

uint32_t bits_of(float f) {
  uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return u;
}
float float_of(uint32_t u) {
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}

uint16_t to_bits16(dtype t, float f) {
  return t == dtype::float16 ? float_to_half_bits(f) : float_to_bfloat16_bits(f);
}
float from_bits16(dtype t, uint16_t h) {
  return t == dtype::float16 ? half_bits_to_float(h) : bfloat16_bits_to_float(h);
}
// Neighbours in a 16-bit sign-magnitude format; the largest finite value steps
// to infinity, which callers treat as "none".
uint16_t next_up16(uint16_t h) {
  if (h == 0x8000u) return 0x0001u;
  return (h & 0x8000u) ? uint16_t(h - 1) : uint16_t(h + 1);
}
uint16_t next_down16(uint16_t h) {
  if (h == 0x0000u) return 0x8001u;
  return (h & 0x8000u) ? uint16_t(h + 1) : uint16_t(h - 1);
}

double next_up(dtype t, double r) {
  constexpr double inf = std::numeric_limits<double>::infinity();
  switch (t) {
    case dtype::float64: return std::nextafter(r, inf);
    case dtype::float32: return std::nextafter(float(r), std::numeric_limits<float>::infinity());
    default: return from_bits16(t, next_up16(to_bits16(t, float(r))));
  }
}
double next_down(dtype t, double r) {
  constexpr double inf = std::numeric_limits<double>::infinity();
  switch (t) {
    case dtype::float64: return std::nextafter(r, -inf);
    case dtype::float32: return std::nextafter(float(r), -std::numeric_limits<float>::infinity());
    default: return from_bits16(t, next_down16(to_bits16(t, float(r))));
  }
}

}  // namespace

std::size_t itemsize(dtype t) {
  switch (t) {
    case dtype::float64: return 8;
    case dtype::float32: return 4;
    default: return 2;
  }
}

const char* dtype_name(dtype t) {
  switch (t) {
    case dtype::float64: return "float64";
    case dtype::float32: return "float32";
    case dtype::float16: return "float16";
    default: return "bfloat16";
  }
}

dtype dtype_from_int(int code) {
  if (code < 0 || code > 3) throw std::invalid_argument("dtype: unknown dtype code");
  return static_cast<dtype>(code);
}

double round_to(dtype t, double x) {
  switch (t) {
    case dtype::float64: return x;
    case dtype::float32: return double(float(x));
    default: return from_bits16(t, to_bits16(t, float(x)));
  }
}

double max_finite(dtype t) {
  switch (t) {
    case dtype::float64: return std::numeric_limits<double>::max();
    case dtype::float32: return std::numeric_limits<float>::max();
    case dtype::float16: return 65504.0;
    default: return from_bits16(t, 0x7F7Fu);
  }
}

double overflow_threshold(dtype t) {
  switch (t) {
    case dtype::float64: return std::numeric_limits<double>::infinity();
    case dtype::float32: return 0x1.ffffffp+127;
    case dtype::float16: return 65520.0;
    default: return 0x1.ffp+127;
  }
}

double representable_at_or_above(dtype t, double x) {
  if (std::isnan(x)) throw std::invalid_argument("bound is NaN");
  if (x <= -max_finite(t)) return -max_finite(t);
  if (x > max_finite(t)) return std::numeric_limits<double>::infinity();
  double r = round_to(t, x);
  if (r < x) r = next_up(t, r);
  return std::isinf(r) ? std::numeric_limits<double>::infinity() : r;
}

double representable_at_or_below(dtype t, double x) {
  if (std::isnan(x)) throw std::invalid_argument("bound is NaN");
  if (x >= max_finite(t)) return max_finite(t);
  if (x < -max_finite(t)) return -std::numeric_limits<double>::infinity();
  double r = round_to(t, x);
  if (r > x) r = next_down(t, r);
  return std::isinf(r) ? -std::numeric_limits<double>::infinity() : r;
}

double representable_below(dtype t, double x) {
  double r = representable_at_or_below(t, x);
  if (r == x) r = next_down(t, r);
  return std::isinf(r) ? -std::numeric_limits<double>::infinity() : r;
}

// Fabian Giesen's branch-light float -> half with round-to-nearest-even.
uint16_t float_to_half_bits(float f) {
  const uint32_t f32_infty = 255u << 23;
  const uint32_t f16_max = (127u + 16u) << 23;
  const uint32_t denorm_magic = ((127u - 15u) + (23u - 10u) + 1u) << 23;
  uint32_t u = bits_of(f);
  const uint32_t sign = u & 0x80000000u;
  u ^= sign;
  uint32_t o;
  if (u >= f16_max) {
    o = (u > f32_infty) ? 0x7e00u : 0x7c00u;
  } else if (u < (113u << 23)) {
    o = bits_of(float_of(u) + float_of(denorm_magic)) - denorm_magic;
  } else {
    const uint32_t mant_odd = (u >> 13) & 1u;
    u += (uint32_t(15 - 127) << 23) + 0xfffu;
    u += mant_odd;
    o = u >> 13;
  }
  return uint16_t(o | (sign >> 16));
}

float half_bits_to_float(uint16_t h) {
  const uint32_t sign = uint32_t(h & 0x8000u) << 16;
  const uint32_t exp = (h >> 10) & 0x1fu;
  const uint32_t mant = h & 0x3ffu;
  if (exp == 0) {
    const float v = float(mant) * 0x1p-24f;
    return sign ? -v : v;
  }
  if (exp == 31) return float_of(sign | 0x7f800000u | (mant << 13));
  return float_of(sign | ((exp + 112u) << 23) | (mant << 13));
}

uint16_t float_to_bfloat16_bits(float f) {
  const uint32_t u = bits_of(f);
  if ((u & 0x7fffffffu) > 0x7f800000u) return uint16_t((u >> 16) | 0x40u);  // quiet NaN
  return uint16_t((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
}

float bfloat16_bits_to_float(uint16_t h) { return float_of(uint32_t(h) << 16); }

}  // namespace turboinit
