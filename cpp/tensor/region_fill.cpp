#include "tensor/region_fill.hpp"

#include <stdexcept>

#include "simd/kernels.hpp"

namespace turboinit {

void check_counter_space(const tensor_region& region, const philox_stream& stream,
                         int candidates_per_block) {
  const uint64_t per_group = uint64_t{kernels::kBlocksPerGroup} * uint64_t(candidates_per_block);
  const uint64_t n = region.full_size();
  const uint64_t groups = n / per_group + (n % per_group != 0);
  __extension__ typedef unsigned __int128 u128;
  const u128 end = u128{stream.block_offset} + u128{groups} * kernels::kBlocksPerGroup;
  if (end > (u128{1} << 64))
    throw std::overflow_error(
        "stream: the tensor does not fit in the counter space left after the offset");
}

}  // namespace turboinit
