// Bounded random integers: fill a region of a tensor, in parallel, with
// values in [low, low + span] that depend only on (stream, flat index, low,
// span, narrow/wide), never on the thread count, the SIMD kernel or the
// region (counter layout in simd/integers-inl.hpp).
#pragma once

#include <cstddef>
#include <cstdint>

#include "runtime/parallel.hpp"
#include "rng/philox.hpp"
#include "tensor/region.hpp"

namespace turboinit {

// Output types of integers (the codes are part of the binding's interface).
enum class int_dtype : int {
  int8 = 0,
  int16 = 1,
  int32 = 2,
  int64 = 3,
  uint8 = 4,
  uint16 = 5,
  uint32 = 6,
  uint64 = 7,
  boolean = 8,
};

std::size_t itemsize(int_dtype t);
const char* dtype_name(int_dtype t);
int_dtype int_dtype_from_int(int code);  // throws std::invalid_argument

// Elements per Philox block: 4 when every span is < 2^32 (one 32-bit word
// per candidate), else 2 (two words).
inline constexpr int integers_per_block(bool wide) { return wide ? 2 : 4; }

// low + U{0, ..., span}, without modulo bias.  `low` is the lowest value as
// 64-bit two's complement bits (the dtype says whether it is signed); every
// value must be representable in `t`, else std::invalid_argument naming
// `low` or `high`.  Narrow (4 per block) when span < 2^32.
void fill_integers(void* out, int_dtype t, const tensor_region& region, const philox_stream& stream,
                   uint64_t low, uint64_t span, const exec_options& options);

// Per-element spans, in place: on entry out[i] holds the span of element i
// as an unsigned integer of t's size (bool: 0 or 1), on return the offset
// in [0, span_i] (the caller adds each element's low).  `wide` selects the
// layout and must be true if any span is >= 2^32; spans that break that
// (or exceed 1 for bool) raise std::invalid_argument before anything is
// written.  Element i equals fill_integers' element i for the same span and
// layout, minus low.
void fill_integers_in_place(void* out, int_dtype t, const tensor_region& region,
                            const philox_stream& stream, bool wide, const exec_options& options);

}  // namespace turboinit
