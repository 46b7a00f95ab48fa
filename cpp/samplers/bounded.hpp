// Lemire's (2019) bounded draw, "Fast random integer generation in an
// interval", shared by the integer kernels (simd/integers-inl.hpp) and the
// sparse masks (samplers/sparse.hpp).
//
// For s values and a uniform k-bit word x (k = 32 or 64), the product
// m = x * s (2k bits) gives the candidate hi(m) in [0, s), accepted iff
// lo(m) >= t = 2^k mod s.  Accepting exactly those leaves 2^k - t words per
// value, the same number for every value: no modulo bias.  t < s, so
// lo(m) >= s always accepts and t is computed only when needed (the
// nearly-divisionless variant), unless the caller already knows it.
//
// Everything here has internal linkage: the per-target kernels compile it
// with their own instruction-set flags.
#pragma once

#include <cstdint>

namespace turboinit::bounded {

__extension__ typedef unsigned __int128 u128;

// `t` not computed yet (every real t is < s <= 2^64 - 1).
inline constexpr uint64_t kUnknown = ~uint64_t{0};

// t = 2^32 mod s, for s in [1, 2^32].
static inline uint64_t threshold32(uint64_t s) { return (uint64_t{1} << 32) % s; }
// t = 2^64 mod s, for s in [1, 2^64); s = 0 stands for 2^64 (t = 0).
static inline uint64_t threshold64(uint64_t s) { return s == 0 ? 0 : (0 - s) % s; }

// One 32-bit candidate x against s in [1, 2^32] values: v in [0, s), false if
// x is rejected.  `t` is 2^32 mod s or kUnknown (then computed and kept).
static inline bool accept(uint32_t x, uint64_t s, uint64_t& t, uint32_t& v) {
  const uint64_t m = uint64_t{x} * s;  // < 2^64 since s <= 2^32
  v = static_cast<uint32_t>(m >> 32);
  const uint32_t l = static_cast<uint32_t>(m);
  if (l >= s) return true;
  if (t == kUnknown) t = threshold32(s);
  return l >= t;
}

// One 64-bit candidate x against s values (s = 0 stands for 2^64: x as it is).
static inline bool accept(uint64_t x, uint64_t s, uint64_t& t, uint64_t& v) {
  if (s == 0) {
    v = x;
    return true;
  }
  const u128 m = static_cast<u128>(x) * s;
  v = static_cast<uint64_t>(m >> 64);
  const uint64_t l = static_cast<uint64_t>(m);
  if (l >= s) return true;
  if (t == kUnknown) t = threshold64(s);
  return l >= t;
}

// A span stored as an unsigned integer of `itemsize` bytes (1, 2, 4 or 8).
static inline uint64_t read_span(const void* p, int itemsize) {
  switch (itemsize) {
    case 1: return *static_cast<const uint8_t*>(p);
    case 2: return *static_cast<const uint16_t*>(p);
    case 4: return *static_cast<const uint32_t*>(p);
    default: return *static_cast<const uint64_t*>(p);
  }
}

}  // namespace turboinit::bounded
