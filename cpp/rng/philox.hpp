// Philox4x32 (Salmon, Moraes, Dror, Shaw, SC'11): a counter-based generator,
// i.e. a keyed bijection of a 128-bit counter.  This scalar version is the
// reference; the SIMD kernels implement the same rounds on vectors of blocks.
#pragma once

#include <array>
#include <cstdint>

namespace turboinit {

inline constexpr uint32_t kPhiloxM0 = 0xD2511F53u;
inline constexpr uint32_t kPhiloxM1 = 0xCD9E8D57u;
inline constexpr uint32_t kPhiloxW0 = 0x9E3779B9u;  // golden ratio
inline constexpr uint32_t kPhiloxW1 = 0xBB67AE85u;  // sqrt(3) - 1
inline constexpr int kPhiloxRounds = 10;

using philox_counter = std::array<uint32_t, 4>;
using philox_key = std::array<uint32_t, 2>;

inline philox_counter philox4x32(philox_counter c, philox_key k, int rounds = kPhiloxRounds) {
  for (int r = 0; r < rounds; ++r) {
    if (r > 0) {
      k[0] += kPhiloxW0;
      k[1] += kPhiloxW1;
    }
    const uint64_t p0 = uint64_t{kPhiloxM0} * c[0];
    const uint64_t p1 = uint64_t{kPhiloxM1} * c[2];
    c = {uint32_t(p1 >> 32) ^ c[1] ^ k[0], uint32_t(p1), uint32_t(p0 >> 32) ^ c[3] ^ k[1],
         uint32_t(p0)};
  }
  return c;
}

// Where a call's random numbers come from: the key, and the first 64-bit
// block index of the counter space it may use.  Counter word 2 holds the
// rejection attempt, word 3 is zero (reserved).
struct philox_stream {
  philox_key key{};
  uint64_t block_offset = 0;
};

}  // namespace turboinit
