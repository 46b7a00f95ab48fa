#include "linalg/sym_factor.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <functional>
#include <limits>
#include <numeric>
#include <vector>

namespace turboinit::linalg {

namespace {

// sqrt(a^2 + b^2) without overflow, as JAMA's Maths.hypot: IEEE operations and sqrt only,
// so the same bits everywhere (std::hypot's rounding is the C library's).
double hypot2(double a, double b) {
  const double fa = std::fabs(a);
  const double fb = std::fabs(b);
  if (fa > fb) {
    const double r = b / a;
    return fa * std::sqrt(1.0 + r * r);
  }
  if (b != 0.0) {
    const double r = a / b;
    return fb * std::sqrt(1.0 + r * r);
  }
  return 0.0;
}

// sum over q < len of x[q] y[q] in four interleaved partial sums, s_r over the q = r mod 4
// ascending, then (s_0 + s_1) + (s_2 + s_3): a fixed order (the bits do not depend on the
// compiler or the CPU), with four independent chains instead of one latency-bound chain.
double dot(const double* x, const double* y, std::size_t len) {
  double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
  std::size_t q = 0;
  for (; q + 4 <= len; q += 4) {
    s0 = s0 + x[q] * y[q];
    s1 = s1 + x[q + 1] * y[q + 1];
    s2 = s2 + x[q + 2] * y[q + 2];
    s3 = s3 + x[q + 3] * y[q + 3];
  }
  if (q < len) s0 = s0 + x[q] * y[q];
  if (q + 1 < len) s1 = s1 + x[q + 1] * y[q + 1];
  if (q + 2 < len) s2 = s2 + x[q + 2] * y[q + 2];
  return (s0 + s1) + (s2 + s3);
}

// QL's rotations: a parallel region for at least this many element updates, in blocks of
// kRowBlock rows.
constexpr std::size_t kSequentialRotations = std::size_t{1} << 18;
constexpr uint64_t kRowBlock = 64;
// The column loops of the tridiagonalisation: a parallel region from this many element
// updates (cols^2), in blocks of kColumnBlock columns.
constexpr std::size_t kParallelColumns = std::size_t{1} << 17;
constexpr uint64_t kColumnBlock = 16;

}  // namespace

bool cholesky_lower(int64_t k, const double* a, double* l, const exec_options& options) {
  const auto n = static_cast<std::size_t>(k);
  for (std::size_t i = 0; i < n * n; ++i) l[i] = 0.0;
  for (std::size_t j = 0; j < n; ++j) {
    const double* lj = l + j * n;
    const double s = a[j * n + j] - dot(lj, lj, j);
    if (s <= 0.0) return false;
    const double d = std::sqrt(s);
    l[j * n + j] = d;
    for (std::size_t i = j + 1; i < n; ++i) {
      const double* li = l + i * n;
      l[i * n + j] = (a[i * n + j] - dot(li, lj, j)) / d;
    }
    if ((j & 63) == 63) check_interrupt(options);
  }
  return true;
}

void gram_rows(int64_t k, const double* c, double* g, const exec_options& options) {
  const auto n = static_cast<std::size_t>(k);
  for (std::size_t i = 0; i < n; ++i) {
    const double* ci = c + i * n;
    for (std::size_t j = 0; j <= i; ++j) {
      const double* cj = c + j * n;
      const double s = dot(ci, cj, n);
      g[i * n + j] = s;
      g[j * n + i] = s;
    }
    if ((i & 63) == 63) check_interrupt(options);
  }
}

bool sym_eigen(int64_t k, const double* a, double* w, double* vt, const exec_options& options) {
  const auto n = static_cast<std::size_t>(k);
  if (n == 0) return true;
  // V(r, c) is stored at v[c * n + r] (column-major), so JAMA's loops over a column run
  // along memory, and on return column i, eigenvector i, is row i of vt.
  double* v = vt;
  auto V = [v, n](std::size_t r, std::size_t c) -> double& { return v[c * n + r]; };
  for (std::size_t r = 0; r < n; ++r)
    for (std::size_t c = 0; c <= r; ++c) V(r, c) = V(c, r) = a[r * n + c];
  std::vector<double> dv(n), ev(n), next(n);
  double* d = dv.data();
  double* e = ev.data();
  // body(lo, hi) over columns [0, cols), each about `cols` element updates: in parallel
  // when that is worth a region (each column is independent of the others).
  auto run_columns = [&](std::size_t cols, const std::function<void(uint64_t, uint64_t)>& body) {
    if (cols * cols < kParallelColumns) {
      body(0, cols);
    } else {
      parallel_for(cols, kColumnBlock, body, options);
    }
  };

  // tred2: Householder reduction to tridiagonal form, d the diagonal, e the subdiagonal.
  for (std::size_t j = 0; j < n; ++j) d[j] = V(n - 1, j);
  for (std::size_t i = n - 1; i > 0; --i) {
    double scale = 0.0;
    double h = 0.0;
    for (std::size_t q = 0; q < i; ++q) scale = scale + std::fabs(d[q]);
    if (scale == 0.0) {
      e[i] = d[i - 1];
      for (std::size_t j = 0; j < i; ++j) {
        d[j] = V(i - 1, j);
        V(i, j) = 0.0;
        V(j, i) = 0.0;
      }
    } else {
      for (std::size_t q = 0; q < i; ++q) {
        d[q] = d[q] / scale;
        h = h + d[q] * d[q];
      }
      double f = d[i - 1];
      double g = std::sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h = h - f * g;
      d[i - 1] = f - g;
      for (std::size_t j = 0; j < i; ++j) e[j] = 0.0;
      for (std::size_t j = 0; j < i; ++j) {
        f = d[j];
        V(j, i) = f;
        double* vj = &V(0, j);
        g = e[j] + V(j, j) * f;
        if (j + 1 < i) g = g + dot(vj + j + 1, d + j + 1, i - j - 1);
        for (std::size_t q = j + 1; q < i; ++q) e[q] = e[q] + vj[q] * f;
        e[j] = g;
      }
      f = 0.0;
      for (std::size_t j = 0; j < i; ++j) {
        e[j] = e[j] / h;
        f = f + e[j] * d[j];
      }
      const double hh = f / (h + h);
      for (std::size_t j = 0; j < i; ++j) e[j] = e[j] - hh * d[j];
      // Column j of the rank-2 update reads d and e and writes column j alone, and every
      // read of d sees its value from before the loop: the new d goes to `next` first, so
      // the columns can be updated in parallel.
      auto update = [&](uint64_t lo, uint64_t hi) {
        for (std::size_t j = lo; j < hi; ++j) {
          const double fj = d[j];
          const double gj = e[j];
          double* vj = &V(0, j);
          for (std::size_t q = j; q < i; ++q) vj[q] = vj[q] - (fj * e[q] + gj * d[q]);
          next[j] = vj[i - 1];
          vj[i] = 0.0;
        }
      };
      run_columns(i, update);
      std::copy(next.begin(), next.begin() + static_cast<std::ptrdiff_t>(i), d);
    }
    d[i] = h;
    if ((i & 31) == 0) check_interrupt(options);
  }
  // Accumulate the transformations.
  for (std::size_t i = 0; i + 1 < n; ++i) {
    V(n - 1, i) = V(i, i);
    V(i, i) = 1.0;
    const double h = d[i + 1];
    if (h != 0.0) {
      for (std::size_t q = 0; q <= i; ++q) d[q] = V(q, i + 1) / h;
      // Column j reads column i + 1 and d and writes column j alone: in parallel.
      run_columns(i + 1, [&](uint64_t lo, uint64_t hi) {
        for (std::size_t j = lo; j < hi; ++j) {
          const double g = dot(&V(0, i + 1), &V(0, j), i + 1);
          double* vj = &V(0, j);
          for (std::size_t q = 0; q <= i; ++q) vj[q] = vj[q] - g * d[q];
        }
      });
    }
    for (std::size_t q = 0; q <= i; ++q) V(q, i + 1) = 0.0;
    if ((i & 31) == 31) check_interrupt(options);
  }
  for (std::size_t j = 0; j < n; ++j) {
    d[j] = V(n - 1, j);
    V(n - 1, j) = 0.0;
  }
  V(n - 1, n - 1) = 1.0;
  e[0] = 0.0;

  // tql2: the implicit QL method on the tridiagonal matrix.
  for (std::size_t i = 1; i < n; ++i) e[i - 1] = e[i];
  e[n - 1] = 0.0;
  double f = 0.0;
  double tst1 = 0.0;
  const double eps = 0x1p-52;
  std::vector<double> rot_c(n), rot_s(n);  // one QL iteration's rotations, by i
  for (std::size_t l = 0; l < n; ++l) {
    tst1 = std::fmax(tst1, std::fabs(d[l]) + std::fabs(e[l]));
    std::size_t m = l;
    while (m < n && !(std::fabs(e[m]) <= eps * tst1)) ++m;
    if (m == n) return false;  // NaN reached the subdiagonal
    if (m > l) {
      int iter = 0;
      do {
        if (++iter > 60) return false;
        double g = d[l];
        double p = (d[l + 1] - g) / (2.0 * e[l]);
        double r = hypot2(p, 1.0);
        if (p < 0) r = -r;
        d[l] = e[l] / (p + r);
        d[l + 1] = e[l] * (p + r);
        const double dl1 = d[l + 1];
        double h = g - d[l];
        for (std::size_t i = l + 2; i < n; ++i) d[i] = d[i] - h;
        f = f + h;
        p = d[m];
        double c = 1.0;
        double c2 = c;
        double c3 = c;
        const double el1 = e[l + 1];
        double s = 0.0;
        double s2 = 0.0;
        for (std::size_t i = m; i-- > l;) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i];
          h = c * p;
          r = hypot2(p, e[i]);
          e[i + 1] = s * r;
          s = e[i] / r;
          c = p / r;
          p = c * d[i] - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]);
          rot_c[i] = c;
          rot_s[i] = s;
        }
        // The iteration's rotations of columns (i, i + 1) of V, i = m - 1 down to l, applied
        // to blocks of rows in parallel: each element sees the same operations in the same
        // order for any blocks and any SIMD width, so the bits do not depend on threads.
        auto rotate = [&](uint64_t lo, uint64_t hi) {
          for (std::size_t i = m; i-- > l;) {
            const double ci = rot_c[i];
            const double si = rot_s[i];
            double* vi = v + i * n;
            double* vi1 = vi + n;
            for (std::size_t q = lo; q < hi; ++q) {
              const double t = vi1[q];
              vi1[q] = si * vi[q] + ci * t;
              vi[q] = ci * vi[q] - si * t;
            }
          }
        };
        if (n * (m - l) < kSequentialRotations) {
          rotate(0, n);
        } else {
          parallel_for(n, kRowBlock, rotate, options);
        }
        p = -s * s2 * c3 * el1 * e[l] / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (std::fabs(e[l]) > eps * tst1);
    }
    d[l] = d[l] + f;
    e[l] = 0.0;
    if ((l & 15) == 15) check_interrupt(options);
  }
  // Eigenvalues ascending (a stable selection sort, as JAMA), their vectors with them.
  for (std::size_t i = 0; i + 1 < n; ++i) {
    std::size_t q = i;
    double p = d[i];
    for (std::size_t j = i + 1; j < n; ++j)
      if (d[j] < p) {
        q = j;
        p = d[j];
      }
    if (q != i) {
      d[q] = d[i];
      d[i] = p;
      for (std::size_t r = 0; r < n; ++r) std::swap(V(r, i), V(r, q));
    }
  }
  for (std::size_t i = 0; i < n; ++i) w[i] = d[i];
  return true;
}

factor_status covariance_factor(int64_t k, const double* cov, factor_method method, double* f,
                                double* w, const exec_options& options) {
  const auto n = static_cast<std::size_t>(k);
  if (n == 0) return factor_status::ok;
  if (method == factor_method::cholesky) {
    std::vector<double> l(n * n);
    if (!cholesky_lower(k, cov, l.data(), options)) return factor_status::not_positive_definite;
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = 0; j < n; ++j) f[i * n + j] = l[j * n + i];
    return factor_status::ok;
  }
  if (!std::all_of(cov, cov + n * n, [](double x) { return std::isfinite(x); })) {
    std::fill(f, f + n * n, std::numeric_limits<double>::quiet_NaN());
    std::fill(w, w + n, std::numeric_limits<double>::quiet_NaN());
    return factor_status::ok;
  }
  std::vector<double> vt(n * n), ev(n);
  bool symmetric = true;
  for (std::size_t i = 0; i < n && symmetric; ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (!(cov[i * n + j] == cov[j * n + i])) {
        symmetric = false;
        break;
      }
  bool ok;
  if (method == factor_method::svd && !symmetric) {
    std::vector<double> g(n * n);
    gram_rows(k, cov, g.data(), options);
    ok = sym_eigen(k, g.data(), ev.data(), vt.data(), options);
    for (double& x : ev) x = std::sqrt(std::fmax(x, 0.0));  // singular values of cov
  } else {
    ok = sym_eigen(k, cov, ev.data(), vt.data(), options);
    if (method == factor_method::eigh) std::copy(ev.begin(), ev.end(), w);  // with their signs
    for (double& x : ev) x = std::fabs(x);  // eigh: sqrt(|w|); svd: |w| are the singular values
  }
  if (!ok) return factor_status::no_convergence;
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  if (method == factor_method::svd)
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return ev[a] > ev[b]; });
  for (std::size_t r = 0; r < n; ++r) {
    const std::size_t i = order[r];
    const double scale = std::sqrt(ev[i]);
    for (std::size_t j = 0; j < n; ++j) f[r * n + j] = scale * vt[i * n + j];
  }
  if (method == factor_method::svd)
    for (std::size_t r = 0; r < n; ++r) w[r] = ev[order[r]];  // singular values, descending
  return factor_status::ok;
}

}  // namespace turboinit::linalg
