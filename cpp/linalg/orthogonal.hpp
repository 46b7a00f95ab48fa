// Haar-distributed orthogonal matrices (Mezzadri, 2007): the Q factor of a
// Gaussian matrix's QR, with the signs of R's diagonal moved into Q.
#pragma once

#include <cstdint>

#include "tensor/dtype.hpp"
#include "runtime/parallel.hpp"
#include "rng/philox.hpp"

namespace turboinit {

enum class orthogonal_method : int {
  qr = 0,   // Householder QR, columns times sign(R_jj): Haar distributed
  svd = 1,  // U or V^T of the SVD (Saxe et al. 2014, Lasagne's Orthogonal)
};
// The Python names of orthogonal_method, indexed by its value.
inline constexpr const char* kOrthogonalMethodNames[] = {"qr", "svd"};

// Writes gain * Q to `out`, a row-major rows x cols array of `out_dtype`.
// qr: with m = max(rows, cols), n = min(rows, cols) and N = normal((n, m))
// under `stream` (exactly as fill_normal draws it, in float64 for float64
// output and float32 otherwise), take the Householder QR N^T = QR and
// Q <- Q diag(sign(R_jj)) (sign(0) = +1); Q is Haar distributed (Mezzadri
// 2007).  The output is Q when rows > cols, Q^T otherwise (N has the
// output's shape then).  The result is the same bits for any thread count
// and SIMD target.  svd: G = normal((rows, cols)); Q is U (rows >= cols) or
// V^T (rows < cols) of G's thin SVD (Eigen's BDCSVD, one thread).
// float16/bfloat16 are computed in float32 and rounded once.  Throws
// std::invalid_argument / std::overflow_error naming the argument.
void fill_orthogonal(void* out, dtype out_dtype, uint64_t rows, uint64_t cols,
                     const philox_stream& stream, double gain, orthogonal_method method,
                     const exec_options& options);

}  // namespace turboinit
