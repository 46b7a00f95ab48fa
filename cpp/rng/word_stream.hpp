// The sequential words of turboinit.random.Philox, NumPy's BitGenerator
// interface: NumPy's samplers draw one 32- or 64-bit word at a time, so the
// words are buffered, 1024 at once, from 256 blocks taken at the block
// counter that a Generator's parallel calls reserve their blocks from too.
// Word i of a refill at block b is element i of the raw-bits layout at
// block_offset b: word (i mod 64) div 16 of block b + 16 (i div 64) + (i mod 16)
// (docs/counter_layout.md).
#pragma once

#include <cstdint>

#include "rng/philox.hpp"

namespace turboinit {

class word_stream {
 public:
  static constexpr uint32_t kBufferBlocks = 256;  // 16 groups of 16 blocks
  static constexpr uint32_t kBufferWords = 4 * kBufferBlocks;

  // Writes words [first, first + count) of the raw-bits layout at the
  // stream's block offset (a SIMD kernel's bits(); injected, so that this
  // layer does not depend on the dispatch layer).
  using fill_fn = void (*)(const philox_stream&, uint64_t first, uint64_t count, uint32_t* out);

  word_stream(philox_key key, fill_fn fill) : key_(key), fill_(fill) {}

  uint32_t next_uint32() {
    if (position_ == kBufferWords) refill();
    return buffer_[position_++];
  }
  // Two words, the first in the low half (so the bytes are the 32-bit stream's).
  uint64_t next_uint64() {
    const uint64_t lo = next_uint32();
    return lo | uint64_t{next_uint32()} << 32;
  }
  // 53 bits in [0, 1), as NumPy's bit generators make them.
  double next_double() { return static_cast<double>(next_uint64() >> 11) * 0x1.0p-53; }

  const philox_key& key() const { return key_; }
  // The next free block; `at_end` when all 2^64 blocks are taken (counter 2^64).
  uint64_t counter() const { return counter_; }
  bool at_end() const { return at_end_; }
  void set_counter(uint64_t counter, bool at_end) {
    counter_ = at_end ? 0 : counter;
    at_end_ = at_end;
  }
  uint64_t buffer_block() const { return buffer_block_; }
  uint32_t buffer_position() const { return position_; }
  // Replaces the whole state.  The buffered words are recomputed from
  // `block` (which must leave room for kBufferBlocks blocks below 2^64)
  // unless `position` is kBufferWords (an empty buffer).  Throws
  // std::invalid_argument and changes nothing on a bad value.
  void set_state(philox_key key, uint64_t counter, bool at_end, uint64_t block, uint32_t position);

 private:
  // Takes the next kBufferBlocks blocks at the counter.  Past the end of the
  // counter space (reachable only by setting the state there: 2^70 words)
  // it starts again at block 0, as NumPy's C samplers cannot take an error.
  void refill();

  philox_key key_;
  fill_fn fill_;
  uint64_t counter_ = 0;
  bool at_end_ = false;
  uint64_t buffer_block_ = 0;
  uint32_t position_ = kBufferWords;
  alignas(64) uint32_t buffer_[kBufferWords] = {};
};

}  // namespace turboinit
