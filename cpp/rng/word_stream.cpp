#include "rng/word_stream.hpp"

#include <limits>
#include <stdexcept>

namespace turboinit {

namespace {
constexpr uint64_t kLastStart =
    std::numeric_limits<uint64_t>::max() - (word_stream::kBufferBlocks - 1);
}  // namespace

void word_stream::set_state(philox_key key, uint64_t counter, bool at_end, uint64_t block,
                            uint32_t position) {
  if (position > kBufferWords) throw std::invalid_argument("buffer position past the buffer");
  if (block > kLastStart)
    throw std::invalid_argument("buffer block: the buffer would pass the end of the counter");
  key_ = key;
  set_counter(counter, at_end);
  buffer_block_ = block;
  position_ = position;
  if (position < kBufferWords) fill_(philox_stream{key_, block}, 0, kBufferWords, buffer_);
}

void word_stream::refill() {
  if (at_end_ || counter_ > kLastStart) set_counter(0, false);
  buffer_block_ = counter_;
  fill_(philox_stream{key_, counter_}, 0, kBufferWords, buffer_);
  if (counter_ == kLastStart)
    set_counter(0, true);
  else
    counter_ += kBufferBlocks;
  position_ = 0;
}

}  // namespace turboinit
