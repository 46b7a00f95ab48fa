#include "linalg/affine_rows.hpp"

#include <vector>

namespace turboinit {

void affine_rows(double* x, uint64_t rows, uint64_t k, const double* a, const double* mu,
                 const exec_options& opt) {
  if (rows == 0 || k == 0) return;
  const uint64_t grain = k >= 4096 ? 1 : 4096 / k + 1;
  parallel_for(
      rows, grain,
      [&](uint64_t lo, uint64_t hi) {
        std::vector<double> acc(k);
        for (uint64_t r = lo; r < hi; ++r) {
          double* row = x + r * k;
          const double z0 = row[0];
          for (uint64_t j = 0; j < k; ++j) acc[j] = z0 * a[j];
          for (uint64_t i = 1; i < k; ++i) {
            const double zi = row[i];
            const double* ai = a + i * k;
            for (uint64_t j = 0; j < k; ++j) acc[j] = acc[j] + zi * ai[j];
          }
          for (uint64_t j = 0; j < k; ++j) row[j] = acc[j] + mu[j];
        }
      },
      opt);
}

}  // namespace turboinit
