// Factors of a covariance matrix for Generator.multivariate_normal, in plain IEEE
// double operations in a fixed order: no BLAS or LAPACK, no fused multiply-add (the core
// is compiled with -ffp-contract=off), no libm call but sqrt (correctly rounded).  So
// the factor, and with it every multivariate normal, has the same bits on every machine.
// NumPy's factor comes from the LAPACK it was built with, whose bits depend on the
// library's version and on the CPU's kernels (seen: another Intel CPU, another
// OpenBLAS build, another factor).  Sequential and O(k^3): k is a covariance's side.
#pragma once

#include <cstdint>

#include "runtime/parallel.hpp"

namespace turboinit::linalg {

// The lower Cholesky factor of the k x k row-major `a`, of which only the lower triangle
// is read (LAPACK's potrf with uplo 'L'), into `l` (row-major, zeros above the
// diagonal).  Returns false when a pivot is <= 0: not positive definite.  A NaN pivot is
// not refused (it makes NaN factors, as OpenBLAS's potrf does).
bool cholesky_lower(int64_t k, const double* a, double* l, const exec_options& options);

// c c^T of the k x k row-major `c`, into `g` (row-major): g_ij = sum over p ascending of
// c_ip c_jp, each product rounded, then the sum.
void gram_rows(int64_t k, const double* c, double* g, const exec_options& options);

// Eigenvalues and eigenvectors of the symmetric k x k row-major matrix whose lower
// triangle (with the diagonal) is `a`'s (LAPACK's syev with uplo 'L' reads the same):
// Householder reduction to tridiagonal form and the implicit QL method (EISPACK's tred2
// and tql2, as JAMA writes them).  `w` gets the eigenvalues ascending; `vt` (row-major)
// the unit eigenvectors as its rows: vt[i * k + j] is component j of vector i.  Returns
// false when QL has not converged after 60 iterations for one eigenvalue (LAPACK gives up
// after 30 k in all); `a` must be finite.  options.poll is called between steps.
bool sym_eigen(int64_t k, const double* a, double* w, double* vt, const exec_options& options);

enum class factor_method { cholesky, eigh, svd };
enum class factor_status { ok, not_positive_definite, no_convergence };

// The k x k row-major `f` with x = z f for Generator.multivariate_normal, by NumPy's
// `method` (its factor_.T; the law of x is NumPy's, the bits are ours):
//   cholesky  L^T, L = cholesky_lower(cov);
//   eigh      row i = sqrt(|w_i|) v_i, (w, v) = sym_eigen(cov), w ascending;
//   svd       row i = sqrt(s_i) u_i, s descending: the singular values and left singular
//             vectors of cov, here (s, u) = (|w|, v) of sym_eigen(cov) when cov equals its
//             transpose, else (sqrt(w), v) of sym_eigen(gram_rows(cov)).  A tie in s keeps
//             the ascending order of w.
// `w` gets the k eigenvalues (eigh: ascending) or singular values (svd: descending);
// unused for cholesky.  A cov with a NaN or an infinity gives NaN f and w (eigh, svd), as
// LAPACK's drivers do; cholesky runs on it.
factor_status covariance_factor(int64_t k, const double* cov, factor_method method, double* f,
                                double* w, const exec_options& options);

}  // namespace turboinit::linalg
