// Haar-distributed orthogonal matrices (Mezzadri, 2007): the Q factor of a
// Gaussian matrix's QR, with the signs of R's diagonal moved into Q.
#pragma once

#include <cstdint>

#include "dtype.hpp"
#include "parallel.hpp"
#include "philox.hpp"

namespace turboinit {

enum class orthogonal_method : int {
  qr = 0,   // Householder QR, columns times sign(R_jj): Haar distributed
  svd = 1,  // U or V^T of the SVD (Saxe et al. 2014, Lasagne's Orthogonal)
};

// Writes gain * Q to `out`, a row-major rows x cols array of `out_dtype`.
// G = normal((rows, cols)) under `stream` (float64 for float64 output,
// float32 otherwise), exactly as fill_normal draws it.  qr: for rows >= cols,
// Q is the thin Q of G = QR times diag(sign(R_jj)) (sign(0) = +1); for
// rows < cols, Q is the transpose of that of G^T.  svd: Q is U (rows >= cols)
// or V^T (rows < cols) of G's thin SVD.  float16/bfloat16 are computed in
// float32 and rounded once.  The qr result is the same bits for any thread
// count and SIMD target; the svd result is computed on one thread.
// Throws std::invalid_argument / std::overflow_error naming the argument.
void fill_orthogonal(void* out, dtype out_dtype, uint64_t rows, uint64_t cols,
                     const philox_stream& stream, double gain, orthogonal_method method,
                     const exec_options& options);

}  // namespace turboinit
