// vcvtneps2bf16 against turboinit's bfloat16 rounding, on all 2^32 float32 inputs.
//
//   g++ -O2 -mavx512f -mavx512dq -mavx512bw -mavx512vl -mavx512bf16 \
//       scripts/bf16_vcvt_exhaustive.cpp -o /tmp/bf16_check && /tmp/bf16_check
//
// (needs a CPU with AVX-512 BF16; about 3 s).  The avx512bf16 kernel
// (cpp/simd/vec.hpp, to_bfloat16_bits) relies on the result: the instruction
// gives our bits for every input that is not subnormal.  Exit status 1 if any
// other input differs.
#include <immintrin.h>

#include <cstdint>
#include <cstdio>
#include <cstring>

// The portable rule of cpp/simd/vec.hpp: round to nearest even, NaN quietened.
static uint16_t formula(uint32_t u) {
  if ((u & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((u >> 16) | 0x40u);
  return static_cast<uint16_t>((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
}

int main() {
  uint64_t subnormal_differ = 0, other_differ = 0;
  alignas(64) uint32_t in[16];
  alignas(32) uint16_t out[16];
  for (uint64_t base = 0; base < (uint64_t{1} << 32); base += 16) {
    for (int l = 0; l < 16; ++l) in[l] = static_cast<uint32_t>(base + l);
    __m512 v;
    std::memcpy(&v, in, sizeof v);
    const __m256bh h = _mm512_cvtneps_pbh(v);
    std::memcpy(out, &h, sizeof out);
    const __mmask16 subnormal = _mm512_fpclass_ps_mask(v, 0x20);
    for (int l = 0; l < 16; ++l) {
      if (out[l] == formula(in[l])) continue;
      if ((subnormal >> l) & 1) {
        ++subnormal_differ;
      } else {
        if (other_differ < 5)
          std::printf("differs: %08x -> %04x, want %04x\n", in[l], out[l], formula(in[l]));
        ++other_differ;
      }
    }
  }
  std::printf("inputs that differ: %llu subnormal, %llu others\n",
              static_cast<unsigned long long>(subnormal_differ),
              static_cast<unsigned long long>(other_differ));
  return other_differ == 0 ? 0 : 1;
}
