#include "householder_qr.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace turboinit::linalg {
namespace {

template <class T>
view<const T> cv(const view<T>& v) {
  return {v.data, v.rows, v.cols, v.rs, v.cs};
}

// C = C + alpha A B (or overwritten), with the argument types spelled out.
template <class T>
void mul(T alpha, const view<T>& a, const view<T>& b, const view<T>& c, bool overwrite,
         const exec_options& options) {
  gemm<T>(alpha, cv(a), cv(b), c, overwrite, options);
}

void poll(const exec_options& options) {
  if (options.poll && options.poll()) throw interrupted();
}

// While alive, the top n x n block of a panel's V holds V's explicit unit
// lower triangle (ones, and zeros above), so products can read V densely;
// R's entries there are restored afterwards.
template <class T>
class unit_lower_guard {
 public:
  unit_lower_guard(T* a, int64_t lda, int64_t n) : a_(a), lda_(lda), n_(n) {
    saved_.reserve(static_cast<std::size_t>(n * (n + 1) / 2));
    for (int64_t j = 0; j < n; ++j)
      for (int64_t i = 0; i <= j; ++i) {
        T& x = a[i + j * lda];
        saved_.push_back(x);
        x = i == j ? T(1) : T(0);
      }
  }
  ~unit_lower_guard() {
    std::size_t s = 0;
    for (int64_t j = 0; j < n_; ++j)
      for (int64_t i = 0; i <= j; ++i) a_[i + j * lda_] = saved_[s++];
  }
  unit_lower_guard(const unit_lower_guard&) = delete;
  unit_lower_guard& operator=(const unit_lower_guard&) = delete;

 private:
  T* a_;
  int64_t lda_, n_;
  std::vector<T> saved_;
};

// LAPACK's dlarfg on x[0..m): returns tau, leaves beta in x[0] and v[1:] in
// x[1:].  No rescaling: the inputs are Gaussian, far from over/underflow.
template <class T>
T larfg(int64_t m, T* x) {
  if (m <= 1) return T(0);
  const T alpha = x[0];
  const T tail = dot<T>(m - 1, x + 1, x + 1);
  if (tail == T(0)) return T(0);
  const T norm = std::sqrt(alpha * alpha + tail);
  const T beta = alpha >= T(0) ? -norm : norm;
  const T tau = (beta - alpha) / beta;
  const T scale = T(1) / (alpha - beta);
  for (int64_t i = 1; i < m; ++i) x[i] *= scale;
  x[0] = beta;
  return tau;
}

// Recursive QR of an m x n panel (m >= n) with its T factor (geqrt3).
template <class T>
void panel_qr(int64_t m, int64_t n, T* a, int64_t lda, T* t, int64_t ldt,
              const exec_options& options) {
  if (n == 1) {
    t[0] = larfg(m, a);
    return;
  }
  const int64_t n1 = n / 2, n2 = n - n1;
  panel_qr(m, n1, a, lda, t, ldt, options);

  const view<T> t11 = col_major(t, n1, n1, ldt);
  const view<T> t12 = col_major(t + n1 * ldt, n1, n2, ldt);
  const view<T> t22 = col_major(t + n1 + n1 * ldt, n2, n2, ldt);
  std::vector<T> w1(static_cast<std::size_t>(n1 * n2)), w2(w1.size());
  const view<T> w = col_major(w1.data(), n1, n2, n1);
  const view<T> ww = col_major(w2.data(), n1, n2, n1);
  {  // A2 := Q1^T A2 = A2 - V1 T11^T V1^T A2
    unit_lower_guard<T> g(a, lda, n1);
    const view<T> v1 = col_major(a, m, n1, lda);
    const view<T> a2 = col_major(a + n1 * lda, m, n2, lda);
    mul(T(1), v1.t(), a2, w, true, options);
    mul(T(1), t11.t(), w, ww, true, options);
    mul(T(-1), v1, ww, a2, false, options);
  }
  panel_qr(m - n1, n2, a + n1 + n1 * lda, lda, t + n1 + n1 * ldt, ldt, options);
  {  // T12 = -T11 (V1^T V2) T22; V2 is zero in V1's first n1 rows.
    unit_lower_guard<T> g(a + n1 + n1 * lda, lda, n2);
    const view<T> v1 = col_major(a + n1, m - n1, n1, lda);
    const view<T> v2 = col_major(a + n1 + n1 * lda, m - n1, n2, lda);
    mul(T(1), v1.t(), v2, w, true, options);
    mul(T(1), t11, w, ww, true, options);
    mul(T(-1), ww, t22, t12, true, options);
  }
}

}  // namespace

template <class T>
void householder_qr(int64_t m, int64_t n, T* a, int64_t lda, T* t, const exec_options& options) {
  std::fill_n(t, kPanel * n, T(0));
  std::vector<T> w1(static_cast<std::size_t>(kPanel * n)), w2(w1.size());
  for (int64_t j0 = 0; j0 < n; j0 += kPanel) {
    const int64_t b = std::min(kPanel, n - j0);
    T* panel = a + j0 + j0 * lda;
    T* tj = t + j0 * kPanel;
    panel_qr(m - j0, b, panel, lda, tj, kPanel, options);
    const int64_t nc = n - j0 - b;
    if (nc > 0) {  // C := Q_p^T C = C - V T^T V^T C
      unit_lower_guard<T> g(panel, lda, b);
      const view<T> v = col_major(panel, m - j0, b, lda);
      const view<T> c = col_major(panel + b * lda, m - j0, nc, lda);
      const view<T> tv = col_major(tj, b, b, kPanel);
      const view<T> w = col_major(w1.data(), b, nc, b);
      const view<T> ww = col_major(w2.data(), b, nc, b);
      mul(T(1), v.t(), c, w, true, options);
      mul(T(1), tv.t(), w, ww, true, options);
      mul(T(-1), v, ww, c, false, options);
    }
    poll(options);
  }
}

template <class T>
void form_q(int64_t m, int64_t n, T* a, int64_t lda, const T* t, const T* d, view<T> q,
            const exec_options& options) {
  // q := diag(d) on top of zeros, written by the threads that will use it.
  const bool by_cols = q.rs == 1;
  const int64_t lines = by_cols ? n : m, len = by_cols ? m : n;
  const int64_t stride = by_cols ? q.cs : q.rs;
  parallel_for(
      static_cast<uint64_t>(lines), 16,
      [&](uint64_t l0, uint64_t l1) {
        for (auto l = static_cast<int64_t>(l0); l < static_cast<int64_t>(l1); ++l)
          std::fill_n(q.data + l * stride, len, T(0));
      },
      options);
  for (int64_t j = 0; j < n; ++j) q(j, j) = d[j];

  std::vector<T> w1(static_cast<std::size_t>(kPanel * n)), w2(w1.size());
  const int64_t panels = (n + kPanel - 1) / kPanel;
  for (int64_t p = panels - 1; p >= 0; --p) {
    const int64_t j0 = p * kPanel, b = std::min(kPanel, n - j0), nc = n - j0;
    T* panel = a + j0 + j0 * lda;
    for (int64_t j = 0; j < b; ++j)  // V's unit lower triangle, for good
      for (int64_t i = 0; i <= j; ++i) panel[i + j * lda] = i == j ? T(1) : T(0);
    // Q[j0:, j0:] := Q_p Q[j0:, j0:] = C - V T V^T C
    const view<T> v = col_major(panel, m - j0, b, lda);
    const view<T> c = q.block(j0, j0, m - j0, nc);
    const view<T> tv = col_major(const_cast<T*>(t) + j0 * kPanel, b, b, kPanel);
    const view<T> w = col_major(w1.data(), b, nc, b);
    const view<T> ww = col_major(w2.data(), b, nc, b);
    mul(T(1), v.t(), c, w, true, options);
    mul(T(1), tv, w, ww, true, options);
    mul(T(-1), v, ww, c, false, options);
    poll(options);
  }
}

template void householder_qr<float>(int64_t, int64_t, float*, int64_t, float*,
                                    const exec_options&);
template void householder_qr<double>(int64_t, int64_t, double*, int64_t, double*,
                                     const exec_options&);
template void form_q<float>(int64_t, int64_t, float*, int64_t, const float*, const float*,
                            view<float>, const exec_options&);
template void form_q<double>(int64_t, int64_t, double*, int64_t, const double*, const double*,
                             view<double>, const exec_options&);

}  // namespace turboinit::linalg
