#include "samplers/numpy_distributions.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "runtime/dispatch.hpp"
#include "tensor/region_fill.hpp"

namespace turboinit {

namespace {

// Elements of a run of rows that dirichlet generates and normalises while it
// is in cache.
constexpr uint64_t kDirichletRun = 4096;

// A tile shorter than a vector is read value by value (a division and a step per
// lane); padded with kTilePad more of its own values (kept alive by `keep`), every
// vector of it is one load.  The values are the same.
constexpr uint64_t kTilePad = 64;  // at least the widest vector's lanes
bulk_param with_padded_tile(bulk_param p, std::vector<double>& keep) {
  if (!p.values || p.period == 0 || p.period >= kTilePad) return p;
  keep.resize(p.period + kTilePad);
  for (uint64_t i = 0; i < keep.size(); ++i) keep[i] = p.values[i % p.period];
  p.values = keep.data();
  p.readable = keep.size();
  return p;
}

}  // namespace

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
  std::vector<double> keep0, keep1;
  p0 = with_padded_tile(p0, keep0);
  p1 = with_padded_tile(p1, keep1);
  fill_region(out, item, region, options, [&](uint64_t first, uint64_t count, void* dst) {
    // Per-element parameters follow the region's order, like the output.
    const uint64_t e = static_cast<uint64_t>(static_cast<char*>(dst) - base) / item;
    kernels::bulk_args local = args;
    local.p[0] = p0.from(e);
    local.p[1] = p1.from(e);
    k.bulk(local, first, count, dst);
  });
}

void fill_dirichlet(double* out, uint64_t rows, const double* alpha, uint64_t k,
                    const philox_stream& stream, const exec_options& options) {
  const uint64_t n = rows * k;
  if (n == 0) return;
  const tensor_region whole = tensor_region::whole({n});
  check_counter_space(whole, stream, 1);
  // Gamma(alpha[i % k]) at flat index i, scale 1: the bulk gamma with alpha as a tile.
  bulk_param shape;
  shape.values = alpha;
  shape.period = k;
  std::vector<double> keep;
  shape = with_padded_tile(shape, keep);
  bulk_param one;
  one.scalar = 1.0;
  // Each row over the sum of its gammas, added in index order.
  auto normalise = [k](double* x, uint64_t nrows) {
    for (uint64_t r = 0; r < nrows; ++r, x += k) {
      double total = x[0];
      for (uint64_t j = 1; j < k; ++j) total += x[j];
      for (uint64_t j = 0; j < k; ++j) x[j] /= total;
    }
  };
  if (k >= kFillGrain) {  // long rows: the gammas in parallel, then the rows one by one
    fill_bulk(out, bulk_kind::gamma, dtype::float64, whole, stream, shape, one, options);
    normalise(out, rows);
    return;
  }
  kernels::bulk_args args;
  args.stream = stream;
  args.kind = bulk_kind::gamma;
  args.out = dtype::float64;
  args.p[0] = shape;  // row-aligned runs: the tile starts at phase 0
  args.p[1] = one;
  const auto& kt = active_kernel();
  // Runs of whole rows small enough to stay in cache between the two passes.
  const uint64_t run_rows = std::max<uint64_t>(1, kDirichletRun / k);
  const fill_chunks chunks(reinterpret_cast<uintptr_t>(out), k * sizeof(double), rows,
                           std::max<uint64_t>(1, kFillGrain / k));
  parallel_for(
      chunks.count(), 1,
      [&](uint64_t c0, uint64_t c1) {
        const uint64_t r1 = chunks.start(c1);
        for (uint64_t r = chunks.start(c0); r < r1; r += run_rows) {
          const uint64_t nr = std::min(run_rows, r1 - r);
          kt.bulk(args, r * k, nr * k, out + r * k);
          normalise(out + r * k, nr);
        }
      },
      options);
}

}  // namespace turboinit
