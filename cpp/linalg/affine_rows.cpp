#include "linalg/affine_rows.hpp"

#include <iterator>
#include <vector>

namespace turboinit {

namespace {

// One row, x = z A + mu, in the documented order; K > 0 is the row length
// known at compile time (unrolled, the accumulators in registers), K == 0
// any length k (acc: k doubles of scratch).
template <int K>
inline void map_row(double* row, uint64_t k, const double* a, const double* mu, double* acc) {
  const uint64_t n = K > 0 ? static_cast<uint64_t>(K) : k;
  const double z0 = row[0];
  for (uint64_t j = 0; j < n; ++j) acc[j] = z0 * a[j];
  for (uint64_t i = 1; i < n; ++i) {
    const double zi = row[i];
    const double* ai = a + i * n;
    for (uint64_t j = 0; j < n; ++j) acc[j] = acc[j] + zi * ai[j];
  }
  for (uint64_t j = 0; j < n; ++j) row[j] = acc[j] + mu[j];
}

template <int K>
void map_rows(double* x, uint64_t lo, uint64_t hi, uint64_t k, const double* a, const double* mu) {
  if constexpr (K > 0) {
    double acc[K];
    for (uint64_t r = lo; r < hi; ++r) map_row<K>(x + r * K, k, a, mu, acc);
  } else {
    std::vector<double> acc(k);
    for (uint64_t r = lo; r < hi; ++r) map_row<0>(x + r * k, k, a, mu, acc.data());
  }
}

}  // namespace

void affine_rows(double* x, uint64_t rows, uint64_t k, const double* a, const double* mu,
                 const exec_options& opt) {
  if (rows == 0 || k == 0) return;
  const uint64_t grain = k >= 4096 ? 1 : 4096 / k + 1;
  // Small rows (the common multivariate normals) with their length fixed at
  // compile time: the same operations in the same order, so the same bits.
  using rows_fn = void (*)(double*, uint64_t, uint64_t, uint64_t, const double*, const double*);
  constexpr rows_fn kFixed[] = {map_rows<0>, map_rows<1>, map_rows<2>, map_rows<3>, map_rows<4>,
                                map_rows<5>, map_rows<6>, map_rows<7>, map_rows<8>};
  const rows_fn run = k < std::size(kFixed) ? kFixed[k] : map_rows<0>;
  parallel_for(rows, grain, [&](uint64_t lo, uint64_t hi) { run(x, lo, hi, k, a, mu); }, opt);
}

}  // namespace turboinit
