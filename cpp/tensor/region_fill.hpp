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

// The blocks the whole tensor uses at `candidates_per_block` elements per
// block, rounded up to whole groups of 16 blocks, must fit after the offset:
// offset + blocks <= 2^64.  Throws std::overflow_error naming `stream`.
void check_counter_space(const tensor_region& region, const philox_stream& stream,
                         int candidates_per_block);

// Runs fill(first_flat_index, count, destination) over the region's runs of
// consecutive flat indices, in parallel chunks of kFillGrain elements.
template <class Fill>
void fill_region(void* out, std::size_t itemsize, const tensor_region& region,
                 const exec_options& options, const Fill& fill) {
  const run_decomposition runs(region);
  const uint64_t n = region.size();
  const uint64_t len = runs.run_length();
  if (n == 0) return;
  parallel_for(
      n, kFillGrain,
      [&](uint64_t e0, uint64_t e1) {
        uint64_t e = e0;
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
