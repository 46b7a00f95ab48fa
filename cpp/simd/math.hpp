// Elementary functions on SIMD vectors, written once with plain IEEE
// operations (no libm, no FMA) so that every target and every width returns
// the same bits.  Only what the samplers need: log, sqrt and sin/cos of an
// angle given in turns.  Included by simd/samplers-inl.hpp inside the target
// namespace, after simd/vec.hpp.

// (pi/2)^n / n!, the Taylor coefficients of sin and cos of (pi/2) g.
constexpr double half_pi_taylor(int n) {
  double v = 1.0;
  for (int i = 1; i <= n; ++i) v *= 1.57079632679489661923 / i;
  return v;
}

// Natural logarithm of x > 0 (normal numbers).  x = 2^k m with m in
// [sqrt(1/2), sqrt(2)), log m = 2 atanh(s), s = (m - 1) / (m + 1).
static inline vf32 vlog(vf32 x) {
  const vu32 ix = (vu32)x - 0x3f3504f3u;
  const vi32 k = (vi32)ix >> 23;
  const vf32 m = (vf32)((ix & 0x007fffffu) + 0x3f3504f3u);
  const vf32 f = m - 1.0f;
  const vf32 s = f / (f + 2.0f);
  const vf32 z = s * s;
  // Truncation error z^5/11 < 2e-9 relative for |s| < 0.1716: below float32's half ulp.
  vf32 p = splat<vf32>(1.0f / 9);
  p = p * z + 1.0f / 7;
  p = p * z + 1.0f / 5;
  p = p * z + 1.0f / 3;
  p = p * z + 1.0f;
  const vf32 kf = to_f32(k);
  return kf * 0.693145751953125f + ((s + s) * p + kf * 1.428606820309417232e-06f);
}

static inline vf64 vlog(vf64 x) {
  const vu64 ix = (vu64)x - 0x3fe6a09e667f3bcdull;
  const vi64 k = (vi64)ix >> 52;
  const vf64 m = (vf64)((ix & 0x000fffffffffffffull) + 0x3fe6a09e667f3bcdull);
  const vf64 f = m - 1.0;
  const vf64 s = f / (f + 2.0);
  const vf64 z = s * s;
  vf64 p = splat<vf64>(1.0 / 23);
  p = p * z + 1.0 / 21;
  p = p * z + 1.0 / 19;
  p = p * z + 1.0 / 17;
  p = p * z + 1.0 / 15;
  p = p * z + 1.0 / 13;
  p = p * z + 1.0 / 11;
  p = p * z + 1.0 / 9;
  p = p * z + 1.0 / 7;
  p = p * z + 1.0 / 5;
  p = p * z + 1.0 / 3;
  p = p * z + 1.0;
  const vf64 kd = small_i64_to_f64(k);
  return kd * 6.93147180369123816490e-01 + ((s + s) * p + kd * 1.90821492927058770002e-10);
}

// sin and cos of 2 pi t for t in [0, 1).  4t = q + g with q an integer and
// g in [-1/2, 1/2], exactly; then sin/cos of (pi/2) g by Taylor series and
// the quadrant q mod 4 by swaps and signs.
static inline void vsincos_turns(vf32 t, vf32& sin_out, vf32& cos_out) {
  const vf32 x = t * 4.0f;
  const vi32 q = __builtin_convertvector(x + 0.5f, vi32);
  const vf32 g = x - to_f32(q);
  const vf32 g2 = g * g;
  // |g| <= 1/2: the first omitted terms, (pi/2)^11/11! g^11 and (pi/2)^12/12! g^12,
  // are below 7e-9, under float32's half ulp of the results.
  vf32 s = splat<vf32>(float(half_pi_taylor(9)));
  s = s * g2 + float(-half_pi_taylor(7));
  s = s * g2 + float(half_pi_taylor(5));
  s = s * g2 + float(-half_pi_taylor(3));
  s = s * g2 + float(half_pi_taylor(1));
  s = s * g;
  vf32 c = splat<vf32>(float(-half_pi_taylor(10)));
  c = c * g2 + float(half_pi_taylor(8));
  c = c * g2 + float(-half_pi_taylor(6));
  c = c * g2 + float(half_pi_taylor(4));
  c = c * g2 + float(-half_pi_taylor(2));
  c = c * g2 + 1.0f;
  const vi32 odd = (q & 1) != 0;
  const vu32 sin_sign = (vu32)(q & 2) << 30;
  const vu32 cos_sign = (vu32)((q + 1) & 2) << 30;
  sin_out = (vf32)((vu32)select(odd, c, s) ^ sin_sign);
  cos_out = (vf32)((vu32)select(odd, s, c) ^ cos_sign);
}

static inline void vsincos_turns(vf64 t, vf64& sin_out, vf64& cos_out) {
  const vf64 x = t * 4.0;
  const vi64 q = __builtin_convertvector(x + 0.5, vi64);
  const vf64 g = x - small_i64_to_f64(q);
  const vf64 g2 = g * g;
  vf64 s = splat<vf64>(-half_pi_taylor(19));
  s = s * g2 + half_pi_taylor(17);
  s = s * g2 - half_pi_taylor(15);
  s = s * g2 + half_pi_taylor(13);
  s = s * g2 - half_pi_taylor(11);
  s = s * g2 + half_pi_taylor(9);
  s = s * g2 - half_pi_taylor(7);
  s = s * g2 + half_pi_taylor(5);
  s = s * g2 - half_pi_taylor(3);
  s = s * g2 + half_pi_taylor(1);
  s = s * g;
  vf64 c = splat<vf64>(half_pi_taylor(20));
  c = c * g2 - half_pi_taylor(18);
  c = c * g2 + half_pi_taylor(16);
  c = c * g2 - half_pi_taylor(14);
  c = c * g2 + half_pi_taylor(12);
  c = c * g2 - half_pi_taylor(10);
  c = c * g2 + half_pi_taylor(8);
  c = c * g2 - half_pi_taylor(6);
  c = c * g2 + half_pi_taylor(4);
  c = c * g2 - half_pi_taylor(2);
  c = c * g2 + 1.0;
  const vi64 odd = (q & 1) != 0;
  const vu64 sin_sign = (vu64)(q & 2) << 62;
  const vu64 cos_sign = (vu64)((q + 1) & 2) << 62;
  sin_out = (vf64)((vu64)select(odd, c, s) ^ sin_sign);
  cos_out = (vf64)((vu64)select(odd, s, c) ^ cos_sign);
}
