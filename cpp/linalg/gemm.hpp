// Reproducible matrix products for the Householder QR (householder_qr.hpp).
//
// Every element of a product is computed by one fixed sequence of IEEE
// operations that depends only on the operands and the shape (M, N, K):
// never on the thread count, the tiling or the SIMD target.
//   - M * N <= kDotElements (skinny products, e.g. V^T A inside a panel):
//     s = dot16(row i of A, column j of B): 16 partial sums, lane l takes
//     k = l (mod 16) by fused multiply-adds (zero padding at the end), then
//     the lanes are added as the fixed tree (l, l+8), (l, l+4), (l, l+2),
//     (l, l+1).
//   - otherwise K is cut into blocks of kKC; for each block in order,
//     s = fma chain over its k (starting from 0) and C = C + alpha * s.
// alpha is +1 or -1, so C + alpha * s is one rounding (C + s or C - s).
// The targets differ only in how many elements they compute at once.
#pragma once

#include <cstdint>
#include <type_traits>
#include <vector>

#include "runtime/parallel.hpp"

namespace turboinit::linalg {

inline constexpr int64_t kKC = 256;
inline constexpr int64_t kDotElements = 256;
inline constexpr int kDotLanes = 16;

// A strided matrix: element (i, j) is data[i * rs + j * cs].
template <class T>
struct view {
  T* data = nullptr;
  int64_t rows = 0, cols = 0, rs = 1, cs = 1;

  T& operator()(int64_t i, int64_t j) const { return data[i * rs + j * cs]; }
  view block(int64_t i, int64_t j, int64_t r, int64_t c) const {
    return {data + i * rs + j * cs, r, c, rs, cs};
  }
  view t() const { return {data, cols, rows, cs, rs}; }
  // A view of T converts to a view of const T.
  template <class U, class = std::enable_if_t<std::is_same_v<U, const T>>>
  operator view<U>() const {
    return {data, rows, cols, rs, cs};
  }
};

template <class T>
view<T> col_major(T* data, int64_t rows, int64_t cols, int64_t ld) {
  return {data, rows, cols, 1, ld};
}

// C = C + alpha * A B, or C = 0 + alpha * A B when `overwrite`.  alpha is +1
// or -1.  C must be column- or row-major (rs == 1 or cs == 1; column-major
// with a packed A) and must not overlap A or B.  Runs on options.num_threads threads (0:
// get_num_threads()) for large products; throws `interrupted` if options.poll asks to stop.
template <class T>
void gemm(T alpha, view<const T> a, view<const T> b, view<T> c, bool overwrite,
          const exec_options& options);

// A's values laid out as the micro-kernels of the current SIMD target read
// them, to share one packing among many products (e.g. one panel's V against
// every column tile).  The source must outlive it and stay unchanged.
template <class T>
class packed_matrix {
 public:
  packed_matrix() = default;
  packed_matrix(view<const T> a, const exec_options& options) { assign(a, options); }
  // Packs `a` in place of the current contents (keeping the allocation).
  void assign(view<const T> a, const exec_options& options);
  const view<const T>& source() const { return a_; }
  const T* data() const { return data_.data(); }
  const char* target() const { return target_; }

 private:
  view<const T> a_;
  std::vector<T> data_;
  const char* target_ = nullptr;
};

// gemm with a pre-packed A: the same results as with a.source().
template <class T>
void gemm(T alpha, const packed_matrix<T>& a, view<const T> b, view<T> c, bool overwrite,
          const exec_options& options);

// The fixed 16-lane dot product described above (exposed for larfg).
template <class T>
T dot(int64_t n, const T* x, const T* y);

}  // namespace turboinit::linalg
