// x = z A + mu on every row of a C-contiguous (rows, k) float64 array, in
// place and in parallel: Generator.multivariate_normal's map of standard
// normals.  Each output is z_0 A_0j, then + z_i A_ij for i = 1, ..., k - 1
// (each product rounded, then the sum), then + mu_j: plain IEEE operations
// in a fixed order, so the bits do not depend on threads, SIMD or BLAS.
#pragma once

#include <cstdint>

#include "runtime/parallel.hpp"

namespace turboinit {

void affine_rows(double* x, uint64_t rows, uint64_t k, const double* a, const double* mu,
                 const exec_options& opt);

}  // namespace turboinit
