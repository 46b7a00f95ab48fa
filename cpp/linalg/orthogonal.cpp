#include "linalg/orthogonal.hpp"

// Eigen's own products must not split work by thread count (nor read the
// machine's cache sizes, see svd_orthogonal) for results to be reproducible.
#define EIGEN_DONT_PARALLELIZE
#include <Eigen/Dense>
#include <Eigen/SVD>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "samplers/distributions.hpp"
#include "runtime/errors.hpp"
#include "linalg/gemm.hpp"
#include "linalg/householder_qr.hpp"
#include "tensor/region.hpp"
#include "tensor/region_fill.hpp"

namespace turboinit {
namespace {

using linalg::view;

template <class T>
std::unique_ptr<T[]> uninitialized(uint64_t n) {
  return std::unique_ptr<T[]>(new T[n]);
}

// out[i * cols + j] = store(q[i + j * rows]): a column-major rows x cols
// matrix written row-major, rounded to the output dtype.
template <class T, class Store>
void write_transposed(const T* q, uint64_t rows, uint64_t cols, const Store& store,
                      const exec_options& options) {
  constexpr uint64_t B = 64;
  parallel_for((rows + B - 1) / B, 1,
               [&](uint64_t b0, uint64_t b1) {
                 for (uint64_t i0 = b0 * B; i0 < std::min(rows, b1 * B); i0 += B)
                   for (uint64_t j0 = 0; j0 < cols; j0 += B)
                     for (uint64_t i = i0; i < std::min(rows, i0 + B); ++i)
                       for (uint64_t j = j0; j < std::min(cols, j0 + B); ++j)
                         store(i * cols + j, q[i + j * rows]);
               },
               options);
}

template <class T, class Store>
void write_same(const T* q, uint64_t n, const Store& store, const exec_options& options) {
  parallel_for(
      n, kFillGrain,
      [&](uint64_t i0, uint64_t i1) {
        for (uint64_t i = i0; i < i1; ++i) store(i, q[i]);
      },
      options);
}

// Copies (rounding once for float16/bfloat16) the column-major m x n `q`
// into `out`, row-major rows x cols: q itself when `transpose` (out = q^T),
// else q written transposed (out = q).
template <class T>
void write_output(const T* q, uint64_t rows, uint64_t cols, bool transpose, dtype t, void* out,
                  const exec_options& options) {
  const bool tall = !transpose;
  auto write = [&](const auto& store) {
    if (tall)
      write_transposed(q, rows, cols, store, options);
    else
      write_same(q, rows * cols, store, options);
  };
  if (t == dtype::float16) {
    auto* o = static_cast<uint16_t*>(out);
    write([o](uint64_t i, T x) { o[i] = float_to_half_bits(static_cast<float>(x)); });
  } else if (t == dtype::bfloat16) {
    auto* o = static_cast<uint16_t*>(out);
    write([o](uint64_t i, T x) { o[i] = float_to_bfloat16_bits(static_cast<float>(x)); });
  } else {
    auto* o = static_cast<T*>(out);
    write([o](uint64_t i, T x) { o[i] = x; });
  }
}

template <class T>
dtype compute_dtype() {
  return std::is_same_v<T, double> ? dtype::float64 : dtype::float32;
}

// A (m x n, m >= n, column-major) = normal((n, m)) read column-major: the
// Gaussian matrix of the output's shape when it is wide or square, its
// transpose when tall.  QR, signs and gain, then Q in place of A; the output
// is Q (tall) or Q^T (otherwise; Q^T of a Haar Q is Haar too).
template <class T>
void qr_orthogonal(void* out, dtype out_dtype, uint64_t rows, uint64_t cols,
                   const philox_stream& stream, T gain, const exec_options& options) {
  const bool tall = rows > cols;
  const uint64_t m = std::max(rows, cols), n = std::min(rows, cols);
  const uint64_t size = tensor_region::whole({n, m}).full_size();
  // A wide float32/float64 output is Q^T row-major = Q column-major: work in it.
  const bool in_place = !tall && out_dtype == compute_dtype<T>();
  std::unique_ptr<T[]> buffer;
  if (!in_place) buffer = uninitialized<T>(size);
  T* a = in_place ? static_cast<T*>(out) : buffer.get();
  fill_normal(a, compute_dtype<T>(), tensor_region::whole({n, m}), stream, 0.0, 1.0, options);

  const auto mi = static_cast<int64_t>(m), ni = static_cast<int64_t>(n);
  auto t = uninitialized<T>(static_cast<uint64_t>(linalg::kPanel) * n);
  linalg::householder_qr<T>(mi, ni, a, mi, t.get(), options);
  // Q diag(sign(R_jj)) gain: Haar distributed (Mezzadri 2007), scaled.
  // Applying the reflectors to diag(d) passes through values of a few times
  // |gain|, which overflow to inf/NaN for gains near the largest value: form
  // Q with gain / 2^k then and scale back by 2^k (exact: a power of two).
  constexpr int kHeadroom = 16;
  const bool huge = std::fabs(gain) > std::ldexp(std::numeric_limits<T>::max(), -kHeadroom);
  const T g = huge ? std::ldexp(gain, -kHeadroom) : gain;
  auto d = uninitialized<T>(n);
  for (int64_t j = 0; j < ni; ++j) d[j] = a[j + j * mi] < T(0) ? -g : g;
  linalg::form_q<T>(mi, ni, a, mi, t.get(), d.get(), options);
  if (huge) {
    const T up = std::ldexp(T(1), kHeadroom);
    for (uint64_t i = 0; i < size; ++i) a[i] *= up;
  }
  if (!in_place) write_output(a, rows, cols, !tall, out_dtype, out, options);
}

// Eigen's blocking follows the cache sizes; fix them so that every machine
// runs the same operations.
void fix_eigen_blocking() {
  static std::once_flag once;
  std::call_once(once, [] { Eigen::setCpuCacheSizes(32 * 1024, 1024 * 1024, 32 * 1024 * 1024); });
}

// G = normal((rows, cols)); Q = U (rows >= cols) or V^T (rows < cols) of
// G's thin SVD, on one thread.
template <class T>
void svd_orthogonal(void* out, dtype out_dtype, uint64_t rows, uint64_t cols,
                    const philox_stream& stream, T gain, const exec_options& options) {
  using matrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>;
  using row_major = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  fix_eigen_blocking();
  const uint64_t size = tensor_region::whole({rows, cols}).full_size();
  auto g = uninitialized<T>(size);
  fill_normal(g.get(), compute_dtype<T>(), tensor_region::whole({rows, cols}), stream, 0.0, 1.0,
              options);
  const auto r = static_cast<Eigen::Index>(rows), c = static_cast<Eigen::Index>(cols);
  const Eigen::Map<const row_major> a(g.get(), r, c);
  const int wanted = rows >= cols ? Eigen::ComputeThinU : Eigen::ComputeThinV;
  auto take = [&](const auto& svd) {
    if (svd.info() != Eigen::Success)
      throw std::runtime_error("orthogonal: the SVD did not converge");
    check_interrupt(options);
    // Q column-major: U, or V^T as (V^T)^T = V read row-major.
    Eigen::Map<matrix> q(g.get(), rows >= cols ? r : c, rows >= cols ? c : r);
    q = gain * (rows >= cols ? svd.matrixU() : svd.matrixV());
  };
  if (rows == 1 && cols >= 16) {
    // BDCSVD transposes a wide matrix and bidiagonalises the (cols, 1) column:
    // an empty Householder sequence binds a reference to a null pointer
    // (UBSan).  JacobiSVD, which BDCSVD itself uses below 16 columns (so for
    // every (rows, 1) and (1, < 16) shape), handles it.
    take(Eigen::JacobiSVD<matrix>(a, wanted));
  } else {
    take(Eigen::BDCSVD<matrix>(a, wanted));
  }
  write_output(g.get(), rows, cols, rows < cols, out_dtype, out, options);
}

template <class T>
void run(void* out, dtype out_dtype, uint64_t rows, uint64_t cols, const philox_stream& stream,
         double gain, orthogonal_method method, const exec_options& options) {
  if (method == orthogonal_method::svd)
    svd_orthogonal<T>(out, out_dtype, rows, cols, stream, T(gain), options);
  else
    qr_orthogonal<T>(out, out_dtype, rows, cols, stream, T(gain), options);
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
