// The loop every sampler shares: fill a region of a tensor in parallel, run
// by run, and the guard that its counters fit in the 64-bit block space.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "runtime/parallel.hpp"
#include "rng/philox.hpp"
#include "tensor/region.hpp"

namespace turboinit {

inline constexpr uint64_t kFillGrain = uint64_t{1} << 16;  // elements per parallel chunk

// Outputs of at least kPageChunkBytes go in chunks of whole 2 MiB pages of the
// destination (the first chunk up to the first 2 MiB boundary), so that no two
// threads first-touch the same transparent huge page: on a 2-core VM, chunks of
// kFillGrain shared each fresh 2 MiB page between the threads, and a second
// thread then made the first touch slower instead of faster.  Only the chunking
// changes; every element is still a pure function of its index.
inline constexpr uint64_t kHugePageBytes = uint64_t{1} << 21;
inline constexpr uint64_t kPageChunkBytes = uint64_t{4} << 20;  // NumPy's huge-page threshold

// The chunks of an n-item destination at `address` with items of `itemsize` bytes:
// chunk c is [start(c), start(c + 1)).  Under kPageChunkBytes in all, chunks of `grain`
// items; from there, chunk c > 0 starts at the first item that begins at or after the
// c-th 2 MiB boundary past `address` (an item across a boundary stays with the chunk
// before it).
class fill_chunks {
 public:
  fill_chunks(uintptr_t address, std::size_t itemsize, uint64_t n, uint64_t grain = kFillGrain)
      : n_(n), grain_(grain), address_(address), itemsize_(itemsize) {
    const uint64_t bytes = n * itemsize;
    if (bytes < kPageChunkBytes) {
      count_ = n / grain + (n % grain != 0);
      return;
    }
    paged_ = true;
    first_boundary_ = (address / kHugePageBytes + 1) * kHugePageBytes;
    const uint64_t boundaries = (address + bytes - 1 - first_boundary_) / kHugePageBytes + 1;
    count_ = boundaries + 1;
  }
  uint64_t count() const { return count_; }
  uint64_t start(uint64_t c) const {
    if (c >= count_) return n_;
    if (!paged_) return c * grain_;
    if (c == 0) return 0;
    const uint64_t offset = first_boundary_ + (c - 1) * kHugePageBytes - address_;
    return std::min(n_, (offset + itemsize_ - 1) / itemsize_);
  }

 private:
  uint64_t n_, grain_, count_ = 0, first_boundary_ = 0;
  uintptr_t address_;
  std::size_t itemsize_;
  bool paged_ = false;
};

// The blocks the whole tensor uses at `candidates_per_block` elements per
// block, rounded up to whole groups of 16 blocks, must fit after the offset:
// offset + blocks <= 2^64.  Throws std::overflow_error naming `stream`.
void check_counter_space(const tensor_region& region, const philox_stream& stream,
                         int candidates_per_block);

// Runs fill(first_flat_index, count, destination) over the region's runs of
// consecutive flat indices, in parallel chunks (fill_chunks).
template <class Fill>
void fill_region(void* out, std::size_t itemsize, const tensor_region& region,
                 const exec_options& options, const Fill& fill) {
  const run_decomposition runs(region);
  const uint64_t n = region.size();
  const uint64_t len = runs.run_length();
  if (n == 0) return;
  const fill_chunks chunks(reinterpret_cast<uintptr_t>(out), itemsize, n);
  parallel_for(
      chunks.count(), 1,
      [&](uint64_t c0, uint64_t c1) {
        uint64_t e = chunks.start(c0);
        const uint64_t e1 = chunks.start(c1);
        while (e < e1) {
          const uint64_t r = e / len, o = e % len;
          const uint64_t count = std::min(len - o, e1 - e);
          fill(runs.run_start(r) + o, count, static_cast<char*>(out) + e * itemsize);
          e += count;
        }
      },
      options);
}

}  // namespace turboinit
