// Elementary functions on SIMD vectors, written once with plain IEEE
// operations and explicit fused multiply-adds (vfma: one rounding, on every
// target), no libm, so that every target and every width returns the same
// bits.  Only what the samplers need: log, sqrt and sin/cos of an angle given
// in turns.  Included by simd/samplers-inl.hpp inside the target namespace,
// after simd/vec.hpp.

// (pi/2)^n / n!, the Taylor coefficients of sin and cos of (pi/2) g.
constexpr double half_pi_taylor(int n) {
  double v = 1.0;
  for (int i = 1; i <= n; ++i) v *= 1.57079632679489661923 / i;
  return v;
}

// Natural logarithm of x > 0 (normal numbers).  x = 2^k m with m in
// [sqrt(1/2), sqrt(2)), log m = 2 atanh(s), s = (m - 1) / (m + 1).  N
// vectors at once, step by step across them (independent chains side by side
// for the scheduler); vlog(x) is N = 1.  The same operations per lane either way.
template <int N>
static TURBOINIT_HOT void vlog_rows(const vf32 (&x)[N], vf32 (&out)[N]) {
  vf32 kf[N], s[N], z[N], p[N];
  for (int r = 0; r < N; ++r) {
    const vu32 ix = (vu32)x[r] - 0x3f3504f3u;
    kf[r] = to_f32((vi32)ix >> 23);
    const vf32 m = (vf32)((ix & 0x007fffffu) + 0x3f3504f3u);
    const vf32 f = m - 1.0f;
    s[r] = f / (f + 2.0f);
    z[r] = s[r] * s[r];
  }
  // Truncation error z^5/11 < 2e-9 relative for |s| < 0.1716: below float32's half ulp.
  for (int r = 0; r < N; ++r) p[r] = vfma(z[r], 1.0f / 9, 1.0f / 7);
  for (int r = 0; r < N; ++r) p[r] = vfma(p[r], z[r], 1.0f / 5);
  for (int r = 0; r < N; ++r) p[r] = vfma(p[r], z[r], 1.0f / 3);
  for (int r = 0; r < N; ++r) p[r] = vfma(p[r], z[r], 1.0f);
  for (int r = 0; r < N; ++r)
    out[r] =
        vfma(kf[r], 0.693145751953125f, vfma(s[r] + s[r], p[r], kf[r] * 1.428606820309417232e-06f));
}

// The same reduction; log m = 2s + s R(s^2) with the minimax R of fdlibm's
// e_log.c (Lg1..Lg7, |error| < 2^-58.45), halved (exactly) so that
// log m = 2s (1 + R/2).
//
// Written once for a native half vector (vf64n) and for a full vector (vf64,
// two registers): on the full one every operation is two independent
// instructions side by side, so the out-of-order core overlaps the two halves'
// long chains (division, polynomial) instead of running them one after the
// other.  Same operations, same bits.
template <class V, class U, int N>
static TURBOINIT_HOT void vlog_f64_rows(const V (&x)[N], V (&out)[N]) {
  V kd[N], s[N], z[N], p[N];
  for (int r = 0; r < N; ++r) {
    const U ix = (U)x[r] - 0x3fe6a09e667f3bcdull;
    // k = ix >> 52 (arithmetic) as a double: AVX2 has no 64-bit arithmetic
    // shift, so flip the 12-bit sign and subtract 2048, exactly.
    kd[r] = (V)(((ix >> 52) ^ 0x800u) | 0x4330000000000000ull) - (0x1p52 + 2048.0);
    const V m = (V)((ix & 0x000fffffffffffffull) + 0x3fe6a09e667f3bcdull);
    const V f = m - 1.0;
    s[r] = f / (f + 2.0);
    z[r] = s[r] * s[r];
  }
  for (int r = 0; r < N; ++r)
    p[r] = vfma(z[r], 0.5 * 1.479819860511658591e-01, 0.5 * 1.531383769920937332e-01);
  for (int r = 0; r < N; ++r) p[r] = vfma(p[r], z[r], 0.5 * 1.818357216161805012e-01);
  for (int r = 0; r < N; ++r) p[r] = vfma(p[r], z[r], 0.5 * 2.222219843214978396e-01);
  for (int r = 0; r < N; ++r) p[r] = vfma(p[r], z[r], 0.5 * 2.857142874366239149e-01);
  for (int r = 0; r < N; ++r) p[r] = vfma(p[r], z[r], 0.5 * 3.999999999940941908e-01);
  for (int r = 0; r < N; ++r) p[r] = vfma(p[r], z[r], 0.5 * 6.666666666666735130e-01);
  for (int r = 0; r < N; ++r) p[r] = vfma(p[r], z[r], 1.0);
  for (int r = 0; r < N; ++r)
    out[r] = vfma(kd[r], 6.93147180369123816490e-01,
                  vfma(s[r] + s[r], p[r], kd[r] * 1.90821492927058770002e-10));
}
template <int N>
static TURBOINIT_HOT void vlog_rows(const vf64n (&x)[N], vf64n (&out)[N]) {
  vlog_f64_rows<vf64n, vu64n, N>(x, out);
}
template <int N>
static TURBOINIT_HOT void vlog_rows(const vf64 (&x)[N], vf64 (&out)[N]) {
  vlog_f64_rows<vf64, vu64, N>(x, out);
}

// sin and cos of 2 pi t for t in [0, 1).  4t = q + g with q an integer and
// g in [-1/2, 1/2], exactly; then sin/cos of (pi/2) g by Taylor series and
// the quadrant q mod 4 by swaps and signs.  N vectors step by step, as
// vlog_rows.
template <int N>
static TURBOINIT_HOT void vsincos_turns_rows(const vf32 (&t)[N], vf32 (&sin_out)[N],
                                             vf32 (&cos_out)[N]) {
  vi32 q[N];
  vf32 g[N], g2[N], s[N], c[N];
  for (int r = 0; r < N; ++r) {
    const vf32 x = t[r] * 4.0f;
    q[r] = __builtin_convertvector(x + 0.5f, vi32);
    g[r] = x - to_f32(q[r]);
    g2[r] = g[r] * g[r];
  }
  // |g| <= 1/2: the first omitted terms, (pi/2)^11/11! g^11 and (pi/2)^12/12! g^12,
  // are below 7e-9, under float32's half ulp of the results.
  for (int r = 0; r < N; ++r)
    s[r] = vfma(g2[r], float(half_pi_taylor(9)), float(-half_pi_taylor(7)));
  for (int r = 0; r < N; ++r)
    c[r] = vfma(g2[r], float(-half_pi_taylor(10)), float(half_pi_taylor(8)));
  for (int r = 0; r < N; ++r) s[r] = vfma(s[r], g2[r], float(half_pi_taylor(5)));
  for (int r = 0; r < N; ++r) c[r] = vfma(c[r], g2[r], float(-half_pi_taylor(6)));
  for (int r = 0; r < N; ++r) s[r] = vfma(s[r], g2[r], float(-half_pi_taylor(3)));
  for (int r = 0; r < N; ++r) c[r] = vfma(c[r], g2[r], float(half_pi_taylor(4)));
  for (int r = 0; r < N; ++r) s[r] = vfma(s[r], g2[r], float(half_pi_taylor(1)));
  for (int r = 0; r < N; ++r) c[r] = vfma(c[r], g2[r], float(-half_pi_taylor(2)));
  for (int r = 0; r < N; ++r) s[r] = s[r] * g[r];
  for (int r = 0; r < N; ++r) c[r] = vfma(c[r], g2[r], 1.0f);
  for (int r = 0; r < N; ++r) {
    const vi32 odd = (q[r] & 1) != 0;
    const vu32 sin_sign = (vu32)(q[r] & 2) << 30;
    const vu32 cos_sign = (vu32)((q[r] + 1) & 2) << 30;
    sin_out[r] = (vf32)((vu32)select(odd, c[r], s[r]) ^ sin_sign);
    cos_out[r] = (vf32)((vu32)select(odd, s[r], c[r]) ^ cos_sign);
  }
}

// float64: the same quadrant reduction, then x = (pi/2) g in [-pi/4, pi/4]
// and the minimax kernels of fdlibm's k_sin.c (S1..S6) and k_cos.c (C1..C6).
template <class V, class I, class U, int N>
static TURBOINIT_HOT void vsincos_turns_f64_rows(const V (&t)[N], V (&sin_out)[N],
                                                 V (&cos_out)[N]) {
  I q[N];
  V x[N], z[N], rr[N], c[N];
  for (int r = 0; r < N; ++r) {
    // 4t rounded to the nearest integer q (ties to even) by the 1.5 * 2^52
    // trick: q is then in the low bits of `big` (AVX2 has no float64 -> int64
    // conversion), and g = 4t - q is exact.
    const V y = t[r] * 4.0;
    const V big = y + 0x1.8p52;
    q[r] = (I)big;
    x[r] = (y - (big - 0x1.8p52)) * 1.57079632679489661923;
    z[r] = x[r] * x[r];
  }
  for (int r = 0; r < N; ++r)
    rr[r] = vfma(z[r], 1.58969099521155010221e-10, -2.50507602534068634195e-08);
  for (int r = 0; r < N; ++r)
    c[r] = vfma(z[r], -1.13596475577881948265e-11, 2.08757232129817482790e-09);
  for (int r = 0; r < N; ++r) rr[r] = vfma(rr[r], z[r], 2.75573137070700676789e-06);
  for (int r = 0; r < N; ++r) c[r] = vfma(c[r], z[r], -2.75573143513906633035e-07);
  for (int r = 0; r < N; ++r) rr[r] = vfma(rr[r], z[r], -1.98412698298579493134e-04);
  for (int r = 0; r < N; ++r) c[r] = vfma(c[r], z[r], 2.48015872894767294178e-05);
  for (int r = 0; r < N; ++r) rr[r] = vfma(rr[r], z[r], 8.33333333332248946124e-03);
  for (int r = 0; r < N; ++r) c[r] = vfma(c[r], z[r], -1.38888888888741095749e-03);
  for (int r = 0; r < N; ++r) rr[r] = vfma(rr[r], z[r], -1.66666666666666324348e-01);
  for (int r = 0; r < N; ++r) c[r] = vfma(c[r], z[r], 4.16666666666666019037e-02);
  for (int r = 0; r < N; ++r) {
    const V s = vfma(x[r] * z[r], rr[r], x[r]);
    const V cc = vfma(z[r] * z[r], c[r], vfma(z[r], -0.5, 1.0));
    // All ones where q is odd, by a subtraction and bitwise blends: GCC lowers
    // a vector compare or ?: on the two-register type lane by lane.
    const U odd = U{} - ((U)q[r] & 1u);
    const U sin_sign = (U)(q[r] & 2) << 62;
    const U cos_sign = (U)((q[r] + 1) & 2) << 62;
    const U swap = ((U)cc ^ (U)s) & odd;
    sin_out[r] = (V)((U)s ^ swap ^ sin_sign);
    cos_out[r] = (V)((U)cc ^ swap ^ cos_sign);
  }
}
template <int N>
static TURBOINIT_HOT void vsincos_turns_rows(const vf64n (&t)[N], vf64n (&sin_out)[N],
                                             vf64n (&cos_out)[N]) {
  vsincos_turns_f64_rows<vf64n, vi64n, vu64n, N>(t, sin_out, cos_out);
}
template <int N>
static TURBOINIT_HOT void vsincos_turns_rows(const vf64 (&t)[N], vf64 (&sin_out)[N],
                                             vf64 (&cos_out)[N]) {
  vsincos_turns_f64_rows<vf64, vi64, vu64, N>(t, sin_out, cos_out);
}

// One vector (vf32, vf64n or vf64): the N = 1 case of the above.
template <class V>
static TURBOINIT_HOT V vlog(V x) {
  const V in[1] = {x};
  V out[1];
  vlog_rows<1>(in, out);
  return out[0];
}
template <class V>
static TURBOINIT_HOT void vsincos_turns(V t, V& sin_out, V& cos_out) {
  const V in[1] = {t};
  V s[1], c[1];
  vsincos_turns_rows<1>(in, s, c);
  sin_out = s[0];
  cos_out = c[0];
}
