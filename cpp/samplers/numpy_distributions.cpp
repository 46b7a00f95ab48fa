#include "samplers/numpy_distributions.hpp"

#include <stdexcept>
#include <string>

#include "runtime/dispatch.hpp"
#include "tensor/region_fill.hpp"

namespace turboinit {

bool bulk_returns_int64(bulk_kind kind) {
  return kind == bulk_kind::geometric || kind == bulk_kind::poisson ||
         kind == bulk_kind::binomial || kind == bulk_kind::permutation;
}

int bulk_per_block(bulk_kind kind, dtype compute) {
  if (kind >= bulk_kind::gamma) return 1;  // permutation: one block per slice
  return compute == dtype::float64 ? 2 : 4;
}

bulk_kind bulk_kind_from_int(int code) {
  if (code < 0 || code > static_cast<int>(bulk_kind::permutation))
    throw std::invalid_argument("kind: unknown bulk distribution " + std::to_string(code));
  return static_cast<bulk_kind>(code);
}

void fill_bulk(void* out, bulk_kind kind, dtype compute, const tensor_region& region,
               const philox_stream& stream, bulk_param p0, bulk_param p1,
               const exec_options& options) {
  const bool f32_ok = kind == bulk_kind::exponential || kind == bulk_kind::gamma;
  if (!(compute == dtype::float64 || (compute == dtype::float32 && f32_ok)))
    throw std::invalid_argument(std::string("dtype: ") + dtype_name(compute) +
                                " is not supported by this distribution");
  region.validate();
  if (kind == bulk_kind::permutation) {
    // One block per slice of p0 elements; the slice length must be an integer >= 1.
    const double n = p0.scalar;
    if (p0.values || !(n >= 1 && n <= 0x1p53 && n == static_cast<double>(static_cast<uint64_t>(n))))
      throw std::invalid_argument("p0: the permutation length must be one integer in [1, 2^53]");
    const uint64_t slices =
        (region.full_size() + static_cast<uint64_t>(n) - 1) / static_cast<uint64_t>(n);
    check_counter_space(tensor_region::whole({slices}), stream, 1);
  } else {
    check_counter_space(region, stream, bulk_per_block(kind, compute));
  }
  kernels::bulk_args args;
  args.stream = stream;
  args.kind = kind;
  args.out = compute;
  const std::size_t item = bulk_returns_int64(kind) ? 8 : itemsize(compute);
  const auto& k = active_kernel();
  char* const base = static_cast<char*>(out);
  fill_region(out, item, region, options, [&](uint64_t first, uint64_t count, void* dst) {
    // Per-element parameters follow the region's order, like the output.
    const uint64_t e = static_cast<uint64_t>(static_cast<char*>(dst) - base) / item;
    kernels::bulk_args local = args;
    local.p[0] = p0;
    local.p[1] = p1;
    if (p0.values) local.p[0].values = p0.values + e;
    if (p1.values) local.p[1].values = p1.values + e;
    k.bulk(local, first, count, dst);
  });
}

}  // namespace turboinit
