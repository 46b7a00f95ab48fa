#include "orthogonal.hpp"

// Eigen's own products must not split work by thread count (nor read the
// machine's cache sizes, see svd_orthogonal) for results to be reproducible.
#define EIGEN_DONT_PARALLELIZE
#include <Eigen/Dense>
#include <Eigen/SVD>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "distributions.hpp"
#include "gemm.hpp"
#include "householder_qr.hpp"
#include "region.hpp"

namespace turboinit {
namespace {

using linalg::view;

template <class T>
std::unique_ptr<T[]> uninitialized(uint64_t n) {
  return std::unique_ptr<T[]>(new T[n]);
}

std::string num(double x) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", x);
  return buf;
}

// dst (cols x rows, row-major) = src^T (src rows x cols, row-major).
template <class T>
void transpose(const T* src, uint64_t rows, uint64_t cols, T* dst, const exec_options& options) {
  constexpr uint64_t B = 64;
  parallel_for(
      (rows + B - 1) / B, 1,
      [&](uint64_t b0, uint64_t b1) {
        for (uint64_t i0 = b0 * B; i0 < std::min(rows, b1 * B); i0 += B)
          for (uint64_t j0 = 0; j0 < cols; j0 += B)
            for (uint64_t i = i0; i < std::min(rows, i0 + B); ++i)
              for (uint64_t j = j0; j < std::min(cols, j0 + B); ++j)
                dst[j * rows + i] = src[i * cols + j];
      },
      options);
}

// out (float16/bfloat16 bits) = round(q), once.
void round_to_half(const float* q, uint64_t n, dtype t, void* out, const exec_options& options) {
  auto* o = static_cast<uint16_t*>(out);
  parallel_for(
      n, uint64_t{1} << 16,
      [&](uint64_t i0, uint64_t i1) {
        if (t == dtype::float16)
          for (uint64_t i = i0; i < i1; ++i) o[i] = float_to_half_bits(q[i]);
        else
          for (uint64_t i = i0; i < i1; ++i) o[i] = float_to_bfloat16_bits(q[i]);
      },
      options);
}

template <class T>
dtype compute_dtype() {
  return std::is_same_v<T, double> ? dtype::float64 : dtype::float32;
}

template <class T>
void qr_orthogonal(std::unique_ptr<T[]> g, void* out, dtype out_dtype, uint64_t rows,
                   uint64_t cols, T gain, const exec_options& options) {
  const bool tall = rows >= cols;
  const auto m = static_cast<int64_t>(std::max(rows, cols));
  const auto n = static_cast<int64_t>(std::min(rows, cols));
  const uint64_t size = rows * cols;

  // A = G (tall) or G^T (wide), column-major m x n.  G row-major is G^T
  // column-major, so only a tall G needs moving.
  std::unique_ptr<T[]> a = std::move(g);
  if (tall) {
    auto at = uninitialized<T>(size);
    transpose(a.get(), rows, cols, at.get(), options);
    a = std::move(at);
  }
  auto t = uninitialized<T>(static_cast<uint64_t>(linalg::kPanel * n));
  linalg::householder_qr<T>(m, n, a.get(), m, t.get(), options);

  // Q diag(sign(R_jj)) gain: Haar distributed (Mezzadri 2007), scaled.
  auto d = uninitialized<T>(static_cast<uint64_t>(n));
  for (int64_t j = 0; j < n; ++j) d[j] = a[j + j * m] < T(0) ? -gain : gain;

  std::unique_ptr<float[]> rounded;
  T* q = static_cast<T*>(out);
  if (out_dtype != compute_dtype<T>()) {
    if constexpr (std::is_same_v<T, float>) {
      rounded = uninitialized<float>(size);
      q = rounded.get();
    }
  }
  // out (rows x cols, row-major) is Q^T column-major when wide, Q row-major when tall.
  const view<T> qv = tall ? view<T>{q, m, n, n, 1} : linalg::col_major(q, m, n, m);
  linalg::form_q<T>(m, n, a.get(), m, t.get(), d.get(), qv, options);
  if (rounded) round_to_half(rounded.get(), size, out_dtype, out, options);
}

// Eigen's blocking follows the cache sizes; fix them so that every machine
// runs the same operations.
void fix_eigen_blocking() {
  static std::once_flag once;
  std::call_once(once, [] { Eigen::setCpuCacheSizes(32 * 1024, 1024 * 1024, 32 * 1024 * 1024); });
}

template <class T>
void svd_orthogonal(std::unique_ptr<T[]> g, void* out, dtype out_dtype, uint64_t rows,
                    uint64_t cols, T gain, const exec_options& options) {
  using matrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>;
  using row_major = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  fix_eigen_blocking();
  const auto r = static_cast<Eigen::Index>(rows), c = static_cast<Eigen::Index>(cols);
  Eigen::Map<const row_major> gm(g.get(), r, c);
  Eigen::BDCSVD<matrix> svd(gm, Eigen::ComputeThinU | Eigen::ComputeThinV);
  if (svd.info() != Eigen::Success) throw std::runtime_error("orthogonal: the SVD did not converge");
  if (options.poll && options.poll()) throw interrupted();
  std::unique_ptr<float[]> rounded;
  T* q = static_cast<T*>(out);
  if (out_dtype != compute_dtype<T>()) {
    if constexpr (std::is_same_v<T, float>) {
      rounded = uninitialized<float>(rows * cols);
      q = rounded.get();
    }
  }
  Eigen::Map<row_major> qm(q, r, c);
  if (rows >= cols)
    qm = gain * svd.matrixU();
  else
    qm = gain * svd.matrixV().transpose();
  if (rounded) round_to_half(rounded.get(), rows * cols, out_dtype, out, options);
}

template <class T>
void run(void* out, dtype out_dtype, uint64_t rows, uint64_t cols, const philox_stream& stream,
         double gain, orthogonal_method method, const exec_options& options) {
  const uint64_t size = tensor_region::whole({rows, cols}).full_size();
  auto g = uninitialized<T>(size);
  fill_normal(g.get(), compute_dtype<T>(), tensor_region::whole({rows, cols}), stream, 0.0, 1.0,
              options);
  if (method == orthogonal_method::svd)
    svd_orthogonal<T>(std::move(g), out, out_dtype, rows, cols, T(gain), options);
  else
    qr_orthogonal<T>(std::move(g), out, out_dtype, rows, cols, T(gain), options);
}

}  // namespace

void fill_orthogonal(void* out, dtype out_dtype, uint64_t rows, uint64_t cols,
                     const philox_stream& stream, double gain, orthogonal_method method,
                     const exec_options& options) {
  if (!std::isfinite(gain)) throw std::invalid_argument("gain: must be finite, got " + num(gain));
  // |Q_ij| <= 1, so |gain| bounds the output.
  if (!(std::fabs(round_to(out_dtype, gain)) <= max_finite(out_dtype)))
    throw std::overflow_error("gain: " + num(gain) + " exceeds the largest " +
                              dtype_name(out_dtype) + " (" + num(max_finite(out_dtype)) + ")");
  if (method != orthogonal_method::qr && method != orthogonal_method::svd)
    throw std::invalid_argument("method: expected qr (0) or svd (1)");
  if (rows > (uint64_t{1} << 31) || cols > (uint64_t{1} << 31))
    throw std::overflow_error("shape: a dimension of the flattened matrix exceeds 2^31");
  if (rows == 0 || cols == 0) return;
  if (out_dtype == dtype::float64)
    run<double>(out, out_dtype, rows, cols, stream, gain, method, options);
  else
    run<float>(out, out_dtype, rows, cols, stream, gain, method, options);
}

}  // namespace turboinit
