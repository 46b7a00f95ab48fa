// Blocked Householder QR and the forming of Q, in LAPACK's conventions
// (geqrf / orgqr), built on the reproducible products of gemm.hpp: the
// result is the same bits for any thread count and SIMD target.
//
// Panels of kPanel columns are factored recursively (Elmroth & Gustavson,
// 2000: LAPACK's geqrt3), which also gives each panel's compact-WY factor T
// (Schreiber & Van Loan, 1989): H_j0 ... H_j0+b-1 = I - V T V^T.  The trailing
// matrix is then updated with three products, C -= V (T^T (V^T C)), tile
// by tile of columns: one parallel region per panel, in which one task
// updates and factors the next panel (look-ahead) while the others update
// the rest.  V is copied and packed once per panel.  Products run inside a
// task on its thread, so how tiles fall on threads never changes a result.
#pragma once

#include <cstdint>

#include "linalg/gemm.hpp"
#include "runtime/parallel.hpp"

namespace turboinit::linalg {

inline constexpr int64_t kPanel = 128;
// Columns per task when a panel's reflectors are applied to the matrix (times
// up to 5 for matrices taller than 8192 rows).
inline constexpr int64_t kTile = 48;

// QR of the m x n column-major `a` (m >= n, leading dimension lda), in place:
// R on and above the diagonal, v_j below it (v_j(j) = 1 implied), with
// H_j = I - tau_j v_j v_j^T and beta_j = R(j, j) chosen as LAPACK's dlarfg
// does (beta = -sign(alpha) ||x||).  `t` (kPanel x n, column-major, leading
// dimension kPanel) receives the T factor of the panel starting at column j0
// in its columns j0 .. j0 + b - 1.  options.poll is called between panels;
// throws `interrupted` when it asks to stop.
template <class T>
void householder_qr(int64_t m, int64_t n, T* a, int64_t lda, T* t, const exec_options& options);

// Overwrites householder_qr's result in `a` with (H_0 ... H_{n-1})[:, :n]
// diag(d): the thin Q, its column j multiplied by d[j] (as LAPACK's orgqr,
// in place, panels last to first).
template <class T>
void form_q(int64_t m, int64_t n, T* a, int64_t lda, const T* t, const T* d,
            const exec_options& options);

}  // namespace turboinit::linalg
