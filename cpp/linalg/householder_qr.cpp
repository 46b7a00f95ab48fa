#include "linalg/householder_qr.hpp"

#include <algorithm>
#include <cmath>
#include <memory>
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

// Products inside a task run on the task's thread; only the thread that
// started the parallel region polls.
exec_options serial_options() {
  exec_options o;
  o.num_threads = 1;
  return o;
}

// The options for one step's parallel region: a step of fewer than ~50 Mflop
// (~1 ms on one core) runs on the calling thread, where waking the other
// threads would cost more than it saves.
// Columns per tile when `rows` rows are updated: kTile, widened for tall
// matrices so that streaming V (rows x b) is paid over more columns.  A
// function of the shape only (the tiling never changes a result anyway).
int64_t tile_width(int64_t rows) { return kTile * std::clamp<int64_t>(rows / 4096, 1, 5); }

exec_options step_options(const exec_options& options, double flops) {
  exec_options o = options;
  if (flops < 5e7) o.num_threads = 1;
  return o;
}

// One panel's reflectors, H_j0 ... H_j0+b-1 = I - V T V^T, ready to be
// applied to many column tiles: V is copied out of the matrix (with its
// explicit unit lower triangle) and packed once, as V^T and as V.
template <class T>
class block_reflector {
 public:
  // Takes panel's reflectors (rows x b below the diagonal at `panel`, T
  // factor at t), reusing this object's buffers.
  void assign(const T* panel, int64_t lda, int64_t rows, int64_t b, T* t, int64_t ldt) {
    v_.resize(static_cast<std::size_t>(rows * b));
    for (int64_t j = 0; j < b; ++j) {
      T* col = v_.data() + j * rows;
      std::fill_n(col, j, T(0));
      col[j] = T(1);
      std::copy(panel + j + 1 + j * lda, panel + rows + j * lda, col + j + 1);
    }
    vv_ = col_major(v_.data(), rows, b, rows);
    tf_ = col_major(t, b, b, ldt);
    vt_packed_.assign(cv(vv_.t()), serial_options());
    v_packed_.assign(cv(vv_), serial_options());
  }

  // C := (I - V T' V^T) C, T' = T^T (applying Q_p^T) or T (applying Q_p),
  // on the calling thread.
  void apply(const view<T>& c, bool transpose_t) const {
    const exec_options serial = serial_options();
    const int64_t b = vv_.cols, nc = c.cols;
    std::vector<T> w1(static_cast<std::size_t>(b * nc)), w2(w1.size());
    const view<T> w = col_major(w1.data(), b, nc, b);
    const view<T> ww = col_major(w2.data(), b, nc, b);
    gemm<T>(T(1), vt_packed_, cv(c), w, true, serial);
    mul(T(1), transpose_t ? tf_.t() : tf_, w, ww, true, serial);
    gemm<T>(T(-1), v_packed_, cv(ww), c, false, serial);
  }

 private:
  std::vector<T> v_;
  view<T> vv_, tf_;
  packed_matrix<T> vt_packed_, v_packed_;
};

}  // namespace

template <class T>
void householder_qr(int64_t m, int64_t n, T* a, int64_t lda, T* t, const exec_options& options) {
  std::fill_n(t, kPanel * n, T(0));
  if (n == 0) return;
  const exec_options serial = serial_options();
  auto panel_at = [&](int64_t j) { return a + j + j * lda; };
  auto prepare = [&](block_reflector<T>& r, int64_t j) {
    r.assign(panel_at(j), lda, m - j, std::min(kPanel, n - j), t + j * kPanel, kPanel);
  };
  panel_qr(m, std::min(kPanel, n), a, lda, t, kPanel, serial);
  auto cur = std::make_unique<block_reflector<T>>();
  auto next = std::make_unique<block_reflector<T>>();
  prepare(*cur, 0);
  // Step p applies panel p's reflectors to the columns after it.  Task 0
  // updates the next panel's columns, factors that panel and prepares its
  // reflectors (look-ahead) while the other tasks update tiles of the rest.
  for (int64_t j0 = 0; j0 < n; j0 += kPanel) {
    const int64_t j1 = j0 + std::min(kPanel, n - j0), b1 = std::min(kPanel, n - j1);
    if (b1 <= 0) break;
    const int64_t rest0 = j1 + b1;
    const int64_t tile = tile_width(m - j0);
    const auto tiles = static_cast<uint64_t>((n - rest0 + tile - 1) / tile);
    const double flops = 4.0 * double(m - j0) * double(j1 - j0) * double(n - j1);
    parallel_for(
        1 + tiles, 1,
        [&](uint64_t i0, uint64_t i1) {
          for (uint64_t i = i0; i < i1; ++i) {
            if (i == 0) {
              cur->apply(col_major(a + j0 + j1 * lda, m - j0, b1, lda), true);
              panel_qr(m - j1, b1, panel_at(j1), lda, t + j1 * kPanel, kPanel, serial);
              if (rest0 < n) prepare(*next, j1);
            } else {
              const int64_t c0 = rest0 + static_cast<int64_t>(i - 1) * tile;
              cur->apply(col_major(a + j0 + c0 * lda, m - j0, std::min(tile, n - c0), lda), true);
            }
          }
        },
        step_options(options, flops));
    std::swap(cur, next);
    check_interrupt(options);
  }
}

template <class T>
void form_q(int64_t m, int64_t n, T* a, int64_t lda, const T* t, const T* d,
            const exec_options& options) {
  const int64_t panels = (n + kPanel - 1) / kPanel;
  block_reflector<T> reflector;
  for (int64_t p = panels - 1; p >= 0; --p) {
    const int64_t j0 = p * kPanel, b = std::min(kPanel, n - j0);
    reflector.assign(a + j0 + j0 * lda, lda, m - j0, b, const_cast<T*>(t) + j0 * kPanel, kPanel);
    // The panel's columns of Q start as those of diag(d) (R and V are spent).
    for (int64_t j = j0; j < j0 + b; ++j) {
      std::fill_n(a + j * lda, m, T(0));
      a[j + j * lda] = d[j];
    }
    // Q[j0:, j0:] := Q_p Q[j0:, j0:], tile by tile.
    const int64_t tile = tile_width(m - j0);
    const auto tiles = static_cast<uint64_t>((n - j0 + tile - 1) / tile);
    const double flops = 4.0 * double(m - j0) * double(b) * double(n - j0);
    parallel_for(
        tiles, 1,
        [&](uint64_t i0, uint64_t i1) {
          for (uint64_t i = i0; i < i1; ++i) {
            const int64_t c0 = j0 + static_cast<int64_t>(i) * tile;
            reflector.apply(col_major(a + j0 + c0 * lda, m - j0, std::min(tile, n - c0), lda),
                            false);
          }
        },
        step_options(options, flops));
    check_interrupt(options);
  }
}

template void householder_qr<float>(int64_t, int64_t, float*, int64_t, float*, const exec_options&);
template void householder_qr<double>(int64_t, int64_t, double*, int64_t, double*,
                                     const exec_options&);
template void form_q<float>(int64_t, int64_t, float*, int64_t, const float*, const float*,
                            const exec_options&);
template void form_q<double>(int64_t, int64_t, double*, int64_t, const double*, const double*,
                             const exec_options&);

}  // namespace turboinit::linalg
