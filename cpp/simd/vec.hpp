// Portable SIMD vectors for the kernel source.  The only file that may use
// intrinsics.  Included by simd/samplers-inl.hpp inside a per-target namespace
// after TURBOINIT_WIDTH (32-bit lanes per vector) is defined; everything here
// has internal linkage so the per-target copies never meet at link time.
//
// Vectors are GCC/Clang vector extensions: the same source compiles to
// AVX-512, AVX2, SSE2 or NEON code.  All floating-point operations are IEEE
// (no FMA contraction, see CMakeLists.txt), so every target gives the same bits.

constexpr int W = TURBOINIT_WIDTH;

// For the small functions of the hot loops (Philox rounds, the transforms):
// inlined whatever GCC's size heuristics say, so that vectors stay in
// registers instead of crossing calls through memory.
#ifndef TURBOINIT_HOT
#define TURBOINIT_HOT __attribute__((always_inline)) inline
#endif
static_assert(W == 4 || W == 8 || W == 16, "unsupported SIMD width");

// A vector of W lanes of T: one vector-extension type for 32-bit lanes (a
// native register on every target).  For 64-bit lanes (vf64, vi64, vu64: two
// registers) it is a vpair of native halves, below.
template <class T>
struct half_of {
  typedef T type __attribute__((vector_size(sizeof(T) * W / 2)));
};
template <class H>
struct vpair;
template <class T>
struct vec_of {
  typedef T type __attribute__((vector_size(sizeof(T) * W)));
};
template <>
struct vec_of<double> {
  using type = vpair<half_of<double>::type>;
};
template <>
struct vec_of<int64_t> {
  using type = vpair<half_of<int64_t>::type>;
};
template <>
struct vec_of<uint64_t> {
  using type = vpair<half_of<uint64_t>::type>;
};

// W lanes of 64 bits as two native half vectors of W / 2 lanes.  GCC 12 keeps
// a vector-extension type wider than a register in memory between operations
// (stored in 16-byte pieces and reloaded whole: a store-forwarding stall per
// operation) and lowers its shuffles lane by lane; a struct of two halves
// stays in two registers.  Every operator applies the same IEEE or integer
// operation to each half, so the bits are those of the plain vector type.
// A cast between two vpairs (`(vu64)x`) reinterprets each half, as a cast
// between vector types does.
template <class H>
struct vpair {
  H h[2];
  using lane = std::remove_cv_t<std::remove_reference_t<decltype(std::declval<H&>()[0])>>;
  static constexpr int N = W / 2;  // lanes per half
  TURBOINIT_HOT lane& operator[](int i) { return h[i / N][i % N]; }
  TURBOINIT_HOT lane operator[](int i) const { return h[i / N][i % N]; }
  template <class H2>
  TURBOINIT_HOT explicit operator vpair<H2>() const {
    return {{(H2)h[0], (H2)h[1]}};
  }
};
template <class T>
struct is_vpair : std::false_type {};
template <class H>
struct is_vpair<vpair<H>> : std::true_type {};

#define TURBOINIT_PAIR_BINARY(op)                                                \
  template <class H>                                                             \
  TURBOINIT_HOT vpair<H> operator op(const vpair<H>& a, const vpair<H>& b) {     \
    return {{a.h[0] op b.h[0], a.h[1] op b.h[1]}};                               \
  }                                                                              \
  template <class H, class S, class = std::enable_if_t<std::is_arithmetic_v<S>>> \
  TURBOINIT_HOT vpair<H> operator op(const vpair<H>& a, S b) {                   \
    return {{a.h[0] op b, a.h[1] op b}};                                         \
  }                                                                              \
  template <class H, class S, class = std::enable_if_t<std::is_arithmetic_v<S>>> \
  TURBOINIT_HOT vpair<H> operator op(S a, const vpair<H>& b) {                   \
    return {{a op b.h[0], a op b.h[1]}};                                         \
  }                                                                              \
  template <class H, class R>                                                    \
  TURBOINIT_HOT vpair<H>& operator op## = (vpair<H> & a, const R& b) {           \
    return a = a op b;                                                           \
  }
TURBOINIT_PAIR_BINARY(+)
TURBOINIT_PAIR_BINARY(-)
TURBOINIT_PAIR_BINARY(*)
TURBOINIT_PAIR_BINARY(/)
TURBOINIT_PAIR_BINARY(&)
TURBOINIT_PAIR_BINARY(|)
TURBOINIT_PAIR_BINARY(^)
TURBOINIT_PAIR_BINARY(<<)
TURBOINIT_PAIR_BINARY(>>)
#undef TURBOINIT_PAIR_BINARY
#define TURBOINIT_PAIR_COMPARE(op)                                                  \
  template <class H>                                                                \
  TURBOINIT_HOT auto operator op(const vpair<H>& a, const vpair<H>& b) {            \
    return vpair<decltype(a.h[0] op b.h[0])>{{a.h[0] op b.h[0], a.h[1] op b.h[1]}}; \
  }                                                                                 \
  template <class H, class S, class = std::enable_if_t<std::is_arithmetic_v<S>>>    \
  TURBOINIT_HOT auto operator op(const vpair<H>& a, S b) {                          \
    return vpair<decltype(a.h[0] op b)>{{a.h[0] op b, a.h[1] op b}};                \
  }
TURBOINIT_PAIR_COMPARE(==)
TURBOINIT_PAIR_COMPARE(!=)
TURBOINIT_PAIR_COMPARE(<)
TURBOINIT_PAIR_COMPARE(<=)
TURBOINIT_PAIR_COMPARE(>)
TURBOINIT_PAIR_COMPARE(>=)
#undef TURBOINIT_PAIR_COMPARE
template <class H>
TURBOINIT_HOT vpair<H> operator-(const vpair<H>& a) {
  return {{-a.h[0], -a.h[1]}};
}
template <class H>
TURBOINIT_HOT vpair<H> operator~(const vpair<H>& a) {
  return {{~a.h[0], ~a.h[1]}};
}

using vf32 = vec_of<float>::type;
using vi32 = vec_of<int32_t>::type;
using vu32 = vec_of<uint32_t>::type;
using vf64 = vec_of<double>::type;
using vi64 = vec_of<int64_t>::type;
using vu64 = vec_of<uint64_t>::type;
using vu16 = vec_of<uint16_t>::type;

// (A vpair half by half: a whole-struct memcpy goes through the stack.)
template <class V>
static inline V load(const void* p) {
  V v;
  if constexpr (is_vpair<V>::value) {
    std::memcpy(&v.h[0], p, sizeof v.h[0]);
    std::memcpy(&v.h[1], static_cast<const char*>(p) + sizeof v.h[0], sizeof v.h[1]);
  } else {
    std::memcpy(&v, p, sizeof v);
  }
  return v;
}
template <class V>
static inline void store(void* p, const V& v) {
  if constexpr (is_vpair<V>::value) {
    std::memcpy(p, &v.h[0], sizeof v.h[0]);
    std::memcpy(static_cast<char*>(p) + sizeof v.h[0], &v.h[1], sizeof v.h[1]);
  } else {
    std::memcpy(p, &v, sizeof v);
  }
}
template <class V>
static inline void store_lanes(void* p, const V& v, int lanes) {
  if constexpr (is_vpair<V>::value) {
    constexpr int n = V::N;
    const std::size_t lane = sizeof v.h[0] / n;
    std::memcpy(p, &v.h[0], lane * static_cast<unsigned>(lanes < n ? lanes : n));
    if (lanes > n)
      std::memcpy(static_cast<char*>(p) + sizeof v.h[0], &v.h[1],
                  lane * static_cast<unsigned>(lanes - n));
  } else {
    std::memcpy(p, &v, sizeof v / W * static_cast<unsigned>(lanes));
  }
}

template <class V, class T>
static inline V splat(T x) {
  return V{} + x;
}
static inline vu32 iota_u32() {
  vu32 v;
  for (int i = 0; i < W; ++i) v[i] = static_cast<uint32_t>(i);
  return v;
}

template <class M, class V>
static inline V select(M mask, V a, V b) {
  return mask ? a : b;
}
template <class V>
static inline V vmin(V a, V b) {
  return a < b ? a : b;
}
template <class V>
static inline V vmax(V a, V b) {
  return a > b ? a : b;
}

static inline vf32 vsqrt(vf32 a) {
  vf32 r;
  for (int i = 0; i < W; ++i) r[i] = __builtin_sqrtf(a[i]);  // vectorised: vsqrtps
  return r;
}
// float64 vectors of W / 2 lanes: one native register on every target
// (AVX-512 zmm, AVX2 ymm, SSE2/NEON xmm).  A full vf64 (W lanes) is two of
// them; the float64 math runs on halves because GCC lowers some operations
// on vectors wider than a register lane by lane.
using vf64n = half_of<double>::type;
using vi64n = half_of<int64_t>::type;
using vu64n = half_of<uint64_t>::type;
using vu32h = half_of<uint32_t>::type;
using vi32h = half_of<int32_t>::type;
using vf32h = half_of<float>::type;

template <class H, class V, std::size_t... I>
static inline H take_lanes(V v, std::index_sequence<I...>) {
  return __builtin_shufflevector(v, v, I...);
}
template <class V, class H, std::size_t... I>
static inline V join_lanes(H a, H b, std::index_sequence<I...>) {
  return __builtin_shufflevector(a, b, I...);
}
template <std::size_t Off, std::size_t... I>
static inline std::index_sequence<(I + Off)...> shift_seq(std::index_sequence<I...>) {
  return {};
}
using half_seq = std::make_index_sequence<W / 2>;
using high_seq = decltype(shift_seq<W / 2>(half_seq{}));
// The low and the high W / 2 lanes of a full vector (W lanes of any type),
// and the full vector of two halves.
template <class V>
using lane_of = std::remove_cv_t<std::remove_reference_t<decltype(std::declval<V&>()[0])>>;
template <class V>
using half_vec = typename half_of<lane_of<V>>::type;
template <class V>
static inline half_vec<V> lo_half(V v) {
  return take_lanes<half_vec<V>>(v, half_seq{});
}
template <class V>
static inline half_vec<V> hi_half(V v) {
  return take_lanes<half_vec<V>>(v, high_seq{});
}
template <class H>
static TURBOINIT_HOT H lo_half(const vpair<H>& v) {
  return v.h[0];
}
template <class H>
static TURBOINIT_HOT H hi_half(const vpair<H>& v) {
  return v.h[1];
}
template <class H>
static TURBOINIT_HOT typename vec_of<lane_of<H>>::type join_halves(H a, H b) {
  using V = typename vec_of<lane_of<H>>::type;
  if constexpr (is_vpair<V>::value)
    return V{{a, b}};
  else
    return join_lanes<V>(a, b, std::make_index_sequence<W>{});
}
static inline vf64n vsqrt(vf64n a) {
  vf64n r;
  for (int i = 0; i < W / 2; ++i) r[i] = __builtin_sqrt(a[i]);
  return r;
}
static TURBOINIT_HOT vf64 vsqrt(vf64 a) {
  return join_halves(vsqrt(lo_half(a)), vsqrt(hi_half(a)));
}

// ---- comparisons and selects ----
// Named comparisons for code written once for float32 and float64: on vf32 the
// native operators; on vf64 (a vpair) its operators, one compare per half
// (GCC 12 lowered them on a two-register vector type lane by lane, with a
// branch per lane).  ?: has no vpair form: select() below, also per half.
#define TURBOINIT_VEC_COMPARE(name, op)                             \
  static inline vi32 name(vf32 a, vf32 b) { return a op b; }        \
  static inline vi32 name(vf32 a, float b) { return a op b; }       \
  static TURBOINIT_HOT vi64 name(vf64 a, vf64 b) { return a op b; } \
  static TURBOINIT_HOT vi64 name(vf64 a, double b) { return a op splat<vf64>(b); }
TURBOINIT_VEC_COMPARE(vlt, <)
TURBOINIT_VEC_COMPARE(vle, <=)
TURBOINIT_VEC_COMPARE(vgt, >)
TURBOINIT_VEC_COMPARE(vge, >=)
TURBOINIT_VEC_COMPARE(veq, ==)
TURBOINIT_VEC_COMPARE(vne, !=)
#undef TURBOINIT_VEC_COMPARE

template <class V>
static TURBOINIT_HOT V select_halves(vi64 m, V a, V b) {
  return join_halves(lo_half(m) ? lo_half(a) : lo_half(b), hi_half(m) ? hi_half(a) : hi_half(b));
}
static TURBOINIT_HOT vf64 select(vi64 m, vf64 a, vf64 b) { return select_halves(m, a, b); }
static TURBOINIT_HOT vi64 select(vi64 m, vi64 a, vi64 b) { return select_halves(m, a, b); }
static TURBOINIT_HOT vu64 select(vi64 m, vu64 a, vu64 b) { return select_halves(m, a, b); }
static TURBOINIT_HOT vf64 vmin(vf64 a, vf64 b) { return select(vlt(a, b), a, b); }
static TURBOINIT_HOT vf64 vmax(vf64 a, vf64 b) { return select(vgt(a, b), a, b); }

// a * b + c with one rounding (IEEE fusedMultiplyAdd), lane by lane: one
// vfmadd on targets with FMA, a correctly rounded fma()/fmaf() call per lane
// elsewhere (x86 baseline: slow, but only CPUs without FMA run it).  Every
// kernel calls it explicitly, so every target rounds alike; the build still
// forbids implicit contraction.
#if defined(__FMA__) && defined(__AVX512F__) && TURBOINIT_WIDTH == 16
static inline vf32 vfma(vf32 a, vf32 b, vf32 c) {
  return (vf32)_mm512_fmadd_ps((__m512)a, (__m512)b, (__m512)c);
}
static inline vf64n vfma(vf64n a, vf64n b, vf64n c) {
  return (vf64n)_mm512_fmadd_pd((__m512d)a, (__m512d)b, (__m512d)c);
}
#elif defined(__FMA__) && TURBOINIT_WIDTH == 8
static inline vf32 vfma(vf32 a, vf32 b, vf32 c) {
  return (vf32)_mm256_fmadd_ps((__m256)a, (__m256)b, (__m256)c);
}
static inline vf64n vfma(vf64n a, vf64n b, vf64n c) {
  return (vf64n)_mm256_fmadd_pd((__m256d)a, (__m256d)b, (__m256d)c);
}
#else
static inline vf32 vfma(vf32 a, vf32 b, vf32 c) {
  vf32 r;
  for (int i = 0; i < W; ++i) r[i] = __builtin_fmaf(a[i], b[i], c[i]);
  return r;
}
static inline vf64n vfma(vf64n a, vf64n b, vf64n c) {
  vf64n r;
  for (int i = 0; i < W / 2; ++i) r[i] = __builtin_fma(a[i], b[i], c[i]);
  return r;
}
#endif
static TURBOINIT_HOT vf64 vfma(vf64 a, vf64 b, vf64 c) {
  return join_halves(vfma(lo_half(a), lo_half(b), lo_half(c)),
                     vfma(hi_half(a), hi_half(b), hi_half(c)));
}
template <class V, class B, class C>
static inline V vfma(V a, B b, C c) {  // scalar b and/or c, broadcast
  return vfma(a, V{} + b, V{} + c);
}

static inline vf32 vabs(vf32 a) { return (vf32)((vu32)a & 0x7fffffffu); }
static TURBOINIT_HOT vf64 vabs(vf64 a) { return (vf64)((vu64)a & 0x7fffffffffffffffull); }
static inline vf64n vabs(vf64n a) { return (vf64n)((vu64n)a & 0x7fffffffffffffffull); }

// Exact conversions.  i32 -> f32 is one instruction everywhere; u32 -> f64 and
// small i64 -> f64 use the 2^52 magic numbers (AVX2 has no 64-bit conversion).
static inline vf32 to_f32(vi32 a) { return __builtin_convertvector(a, vf32); }
// __builtin_convertvector to vectors of W lanes, half by half: HT is the half
// type of the result (vu64n: widen 32-bit lanes; vu32h, vf32h: narrow).
template <class HT, class V>
static TURBOINIT_HOT auto convert_halves(const V& v) {
  return join_halves(__builtin_convertvector(lo_half(v), HT),
                     __builtin_convertvector(hi_half(v), HT));
}
// 32-bit lanes zero-extended to 64 bits: one vpmovzxdq per half on AVX2
// (GCC's generic conversion takes two 128-bit ones and an insert there).
static TURBOINIT_HOT vu64n widen_u32(vu32h a) {
#if defined(__AVX2__) && TURBOINIT_WIDTH == 8
  return (vu64n)_mm256_cvtepu32_epi64((__m128i)a);
#else
  return __builtin_convertvector(a, vu64n);
#endif
}
static TURBOINIT_HOT vu64 widen_u64(vu32 a) {
  return join_halves(widen_u32(lo_half(a)), widen_u32(hi_half(a)));
}

static TURBOINIT_HOT vf64 small_i64_to_f64(vi64 a) {  // |a| < 2^51
  return (vf64)((vu64)a + 0x4338000000000000ull) - 0x1.8p52;
}
static TURBOINIT_HOT vf64n u32_to_f64(vu32h a) {
  return (vf64n)(widen_u32(a) | 0x4330000000000000ull) - 0x1p52;
}
static TURBOINIT_HOT vf64 u32_to_f64(vu32 a) {
  return join_halves(u32_to_f64(lo_half(a)), u32_to_f64(hi_half(a)));
}

// y = 2^k m with m in [1, 2), for y > 0 normal: one instruction each on
// AVX-512 (vgetmantps, vgetexpps; exact), the bits of y elsewhere.
static inline void mantissa_exponent(vf32 y, vf32& m, vf32& k) {
#if defined(__AVX512F__) && TURBOINIT_WIDTH == 16
  __m512 v;
  std::memcpy(&v, &y, sizeof v);
  const __m512 vm = _mm512_getmant_ps(v, _MM_MANT_NORM_1_2, _MM_MANT_SIGN_src);
  const __m512 vk = _mm512_getexp_ps(v);
  std::memcpy(&m, &vm, sizeof m);
  std::memcpy(&k, &vk, sizeof k);
#else
  const vi32 iy = (vi32)y;
  m = (vf32)((iy & 0x007fffff) | 0x3f800000);
  k = to_f32((iy >> 23) - 127);
#endif
}

// table[idx & 15] in every lane: one permute on AVX-512, two and a blend on
// AVX2 (both read only the low 4 bits of each index), lane by lane on the
// baseline; the same values everywhere.
static inline vf32 lookup16(const float (&table)[16], vi32 idx) {
#if defined(__AVX512F__) && TURBOINIT_WIDTH == 16
  __m512i vi;
  std::memcpy(&vi, &idx, sizeof vi);
  const __m512 r = _mm512_permutexvar_ps(vi, _mm512_loadu_ps(table));
  vf32 out;
  std::memcpy(&out, &r, sizeof out);
  return out;
#elif defined(__AVX2__) && TURBOINIT_WIDTH == 8
  __m256i vi;
  std::memcpy(&vi, &idx, sizeof vi);
  const __m256 lo = _mm256_permutevar8x32_ps(_mm256_loadu_ps(table), vi);
  const __m256 hi = _mm256_permutevar8x32_ps(_mm256_loadu_ps(table + 8), vi);
  // blendv picks by each lane's sign bit: bit 3 of idx moved there.
  const __m256 r = _mm256_blendv_ps(lo, hi, _mm256_castsi256_ps(_mm256_slli_epi32(vi, 28)));
  vf32 out;
  std::memcpy(&out, &r, sizeof out);
  return out;
#else
  vf32 out;
  for (int l = 0; l < W; ++l) out[l] = table[idx[l] & 15];
  return out;
#endif
}

// 32x32 -> 64-bit products of every lane with a constant, split in halves.
static inline void mulhilo(vu32 a, uint32_t m, vu32& hi, vu32& lo) {
#if defined(__AVX512F__) && TURBOINIT_WIDTH == 16
  __m512i va, vh;
  std::memcpy(&va, &a, sizeof va);
  const __m512i vm = _mm512_set1_epi32(static_cast<int>(m));
  const __m512i even = _mm512_mul_epu32(va, vm);
  const __m512i odd = _mm512_mul_epu32(_mm512_srli_epi64(va, 32), vm);
  vh = _mm512_mask_blend_epi32(0xAAAA, _mm512_srli_epi64(even, 32), odd);
  std::memcpy(&hi, &vh, sizeof vh);
  // The low halves come from the same two products (cheaper than vpmulld).
  const __m512i vl = _mm512_mask_blend_epi32(0xAAAA, even, _mm512_slli_epi64(odd, 32));
  std::memcpy(&lo, &vl, sizeof vl);
#elif defined(__AVX2__) && TURBOINIT_WIDTH == 8
  __m256i va, vh;
  std::memcpy(&va, &a, sizeof va);
  const __m256i vm = _mm256_set1_epi32(static_cast<int>(m));
  const __m256i even = _mm256_mul_epu32(va, vm);
  const __m256i odd = _mm256_mul_epu32(_mm256_srli_epi64(va, 32), vm);
  vh = _mm256_blend_epi32(_mm256_srli_epi64(even, 32), odd, 0xAA);
  std::memcpy(&hi, &vh, sizeof vh);
  const __m256i vl = _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xAA);
  std::memcpy(&lo, &vl, sizeof vl);
#else
  const vu64 p = widen_u64(a) * static_cast<uint64_t>(m);
  hi = convert_halves<vu32h>(p >> 32);
  lo = convert_halves<vu32h>(p);
#endif
}

// Lane i of a comparison mask as bit i of an integer.
static inline uint32_t mask_bits(vi32 m) {
#if defined(__AVX512DQ__) && TURBOINIT_WIDTH == 16
  __m512i v;
  std::memcpy(&v, &m, sizeof v);
  return _mm512_movepi32_mask(v);
#elif defined(__AVX2__) && TURBOINIT_WIDTH == 8
  __m256 v;
  std::memcpy(&v, &m, sizeof v);
  return static_cast<uint32_t>(_mm256_movemask_ps(v));
#elif defined(__SSE2__) && TURBOINIT_WIDTH == 4
  __m128 v;
  std::memcpy(&v, &m, sizeof v);
  return static_cast<uint32_t>(_mm_movemask_ps(v));
#else
  uint32_t bits = 0;
  for (int i = 0; i < W; ++i) bits |= (m[i] != 0 ? 1u : 0u) << i;
  return bits;
#endif
}
// The same for float64 comparison masks of half vectors (W / 2 lanes).
static inline uint32_t mask_bits(vi64n m) {
#if defined(__AVX512DQ__) && TURBOINIT_WIDTH == 16
  __m512i v;
  std::memcpy(&v, &m, sizeof v);
  return _mm512_movepi64_mask(v);
#elif defined(__AVX2__) && TURBOINIT_WIDTH == 8
  __m256d v;
  std::memcpy(&v, &m, sizeof v);
  return static_cast<uint32_t>(_mm256_movemask_pd(v));
#elif defined(__SSE2__) && TURBOINIT_WIDTH == 4
  __m128d v;
  std::memcpy(&v, &m, sizeof v);
  return static_cast<uint32_t>(_mm_movemask_pd(v));
#else
  uint32_t bits = 0;
  for (int i = 0; i < W / 2; ++i) bits |= (m[i] != 0 ? 1u : 0u) << i;
  return bits;
#endif
}
static TURBOINIT_HOT uint32_t mask_bits(vi64 m) {
  // Per native half (GCC 12 narrows a two-register vi64 to vi32 through
  // 8-byte stack stores and a 16-byte reload: a store-forwarding stall of
  // ~15 cycles in every rejection loop's exit test).
  return mask_bits(lo_half(m)) | (mask_bits(hi_half(m)) << (W / 2));
}

// Bit l set where lane l of x lies outside [a, b] (x never NaN): mask_bits of
// !((x >= a) & (x <= b)).  With AVX-512 two compares into mask registers, the
// second masked by the first, instead of vector masks converted back to bits
// (1.011 against 1.037 ns per value for the float64 truncated normal's first
// draws on Zen 5).
static inline uint32_t outside_bits(vf64n x, double a, double b) {
#if defined(__AVX512F__) && TURBOINIT_WIDTH == 16
  __m512d v;
  std::memcpy(&v, &x, sizeof v);
  const __mmask8 ge = _mm512_cmp_pd_mask(v, _mm512_set1_pd(a), _CMP_GE_OQ);
  return static_cast<uint8_t>(~_mm512_mask_cmp_pd_mask(ge, v, _mm512_set1_pd(b), _CMP_LE_OQ));
#else
  constexpr uint32_t kLanes = (1u << (W / 2)) - 1u;
  return ~mask_bits((x >= a) & (x <= b)) & kLanes;
#endif
}

// All ones in 64-bit lane l where bit l of `bits` is set, zero elsewhere.
static TURBOINIT_HOT vi64 lanes_of_bits(uint32_t bits) {
  vi64n lo = {}, hi = {};
  for (int l = 0; l < W / 2; ++l) {
    lo[l] = ((bits >> l) & 1u) ? -1 : 0;
    hi[l] = ((bits >> (l + W / 2)) & 1u) ? -1 : 0;
  }
  return join_halves(lo, hi);
}

// Appends base + l for every set bit l of `bits` (l < W) to dst, without
// branches on the data; returns how many were appended.  dst must have room
// for W entries beyond the ones appended.
static inline uint32_t append_set_lanes(uint16_t* dst, uint32_t base, uint32_t bits) {
#if defined(__AVX512F__) && TURBOINIT_WIDTH == 16
  const __m512i idx =
      _mm512_add_epi32(_mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
                       _mm512_set1_epi32(static_cast<int>(base)));
  const __m512i packed = _mm512_maskz_compress_epi32(static_cast<__mmask16>(bits), idx);
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst), _mm512_cvtepi32_epi16(packed));
#elif TURBOINIT_WIDTH == 8
  // All eight lanes at once: a table of the set-bit positions of each byte
  // (4 KiB), written whole.
  struct byte_table {
    uint16_t pos[256][8];
  };
  static constexpr byte_table kByte = [] {
    byte_table t{};
    for (int b = 0; b < 256; ++b) {
      int n = 0;
      for (int l = 0; l < 8; ++l)
        if ((b >> l) & 1) t.pos[b][n++] = static_cast<uint16_t>(l);
    }
    return t;
  }();
  typedef uint16_t v8u16 __attribute__((vector_size(16)));
  const v8u16 lanes = load<v8u16>(kByte.pos[bits & 255u]) + static_cast<uint16_t>(base);
  store(dst, lanes);
#else
  // Four lanes at a time: a table of the set-bit positions of each nibble,
  // packed as 16-bit lanes, written whole.
  static constexpr uint64_t kNibble[16] = {
      0x0000000000000000ull, 0x0000000000000000ull, 0x0000000000000001ull, 0x0000000000010000ull,
      0x0000000000000002ull, 0x0000000000020000ull, 0x0000000000020001ull, 0x0000000200010000ull,
      0x0000000000000003ull, 0x0000000000030000ull, 0x0000000000030001ull, 0x0000000300010000ull,
      0x0000000000030002ull, 0x0000000300020000ull, 0x0000000300020001ull, 0x0003000200010000ull};
  uint32_t n = 0;
  for (int q = 0; q < W; q += 4) {
    const uint32_t nib = (bits >> q) & 15u;
    const uint64_t lanes =
        kNibble[nib] + (uint64_t{base + static_cast<uint32_t>(q)} * 0x0001000100010001ull);
    std::memcpy(dst + n, &lanes, sizeof lanes);
    n += static_cast<uint32_t>(__builtin_popcount(nib));
  }
#endif
  return static_cast<uint32_t>(__builtin_popcount(bits));
}

// 32-bit lanes holding values <= 0xffff, narrowed to 16 bits (AVX2: one
// saturating pack of the two 128-bit halves; GCC's generic narrowing shuffles).
static inline vu16 narrow_u16(vu32 v) {
#if defined(__AVX2__) && TURBOINIT_WIDTH == 8
  const __m256i x = (__m256i)v;
  const __m128i packed =
      _mm_packus_epi32(_mm256_castsi256_si128(x), _mm256_extracti128_si256(x, 1));
  return (vu16)packed;
#else
  return __builtin_convertvector(v, vu16);
#endif
}
// Round to nearest even, float32 -> float16 / bfloat16 bits (Giesen's method,
// the same rule as dtype.cpp's scalar float_to_half_bits).
// With F16C the conversion is one instruction (IEEE, round to nearest even:
// the same bits as the portable version for every non-NaN input; the samplers
// never produce NaN).
static inline vu16 to_half_bits(vf32 f) {
#if defined(__F16C__) && TURBOINIT_WIDTH == 8
  __m256 v;
  std::memcpy(&v, &f, sizeof v);
  const __m128i h = _mm256_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  vu16 o;
  std::memcpy(&o, &h, sizeof o);
  return o;
#elif defined(__AVX512F__) && TURBOINIT_WIDTH == 16
  __m512 v;
  std::memcpy(&v, &f, sizeof v);
  const __m256i h = _mm512_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  vu16 o;
  std::memcpy(&o, &h, sizeof o);
  return o;
#else
  const uint32_t f32_infty = 255u << 23;
  const uint32_t f16_max = (127u + 16u) << 23;
  const uint32_t denorm_magic = ((127u - 15u) + (23u - 10u) + 1u) << 23;
  vu32 u = (vu32)f;
  const vu32 sign = u & 0x80000000u;
  u ^= sign;
  const vu32 big = select(u > f32_infty, splat<vu32>(0x7e00u), splat<vu32>(0x7c00u));
  const vu32 sub = (vu32)((vf32)u + (vf32)splat<vu32>(denorm_magic)) - denorm_magic;
  const vu32 norm = (u + ((uint32_t(15 - 127) << 23) + 0xfffu) + ((u >> 13) & 1u)) >> 13;
  vu32 o = select(u < (113u << 23), sub, norm);
  o = select(u >= f16_max, big, o);
  return narrow_u16(o | (sign >> 16));
#endif
}
#if defined(__AVX512BW__) && TURBOINIT_WIDTH == 16
// The rounding below on AVX-512 (BW), in few instructions: the same bits as
// the portable formula for all 2^32 inputs.  The NaN test is one compare into
// a mask, its quiet bit a masked or, and one word permutation takes the 16
// high halves (no shift, no two-uop vpmovdw).
// NaN = false: the caller knows that no lane is a NaN (no test, no quiet bit).
template <bool NaN = true>
static inline vu16 to_bfloat16_bits_bw(vf32 f) {
  __m512 v;
  std::memcpy(&v, &f, sizeof v);
  const __m512i u = _mm512_castps_si512(v);
  const __m512i lsb = _mm512_and_si512(_mm512_srli_epi32(u, 16), _mm512_set1_epi32(1));
  const __m512i biased = _mm512_add_epi32(_mm512_add_epi32(u, _mm512_set1_epi32(0x7fff)), lsb);
  __m512i r = biased;
  if constexpr (NaN) {
    const __mmask16 nan = _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q);
    r = _mm512_mask_or_epi32(biased, nan, u, _mm512_set1_epi32(0x00400000));
  }
  const __m512i high = _mm512_set_epi16(31, 29, 27, 25, 23, 21, 19, 17, 15, 13, 11, 9, 7, 5, 3, 1,
                                        31, 29, 27, 25, 23, 21, 19, 17, 15, 13, 11, 9, 7, 5, 3, 1);
  const __m256i h = _mm512_castsi512_si256(_mm512_permutexvar_epi16(high, r));
  vu16 o;
  std::memcpy(&o, &h, sizeof o);
  return o;
}
#endif
#if defined(__AVX512BF16__) && TURBOINIT_WIDTH == 16
// AVX-512 BF16's vcvtneps2bf16 gives exactly the bits of to_bfloat16_bits for
// every input but a subnormal one, which it flushes to zero (checked on all
// 2^32 inputs: scripts/bf16_vcvt_exhaustive.cpp).
static inline vu16 to_bfloat16_bits_vcvt(vf32 f) {
  __m512 v;
  std::memcpy(&v, &f, sizeof v);
  const __m256bh h = _mm512_cvtneps_pbh(v);
  vu16 o;
  std::memcpy(&o, &h, sizeof o);
  return o;
}
#endif
#if defined(__AVX512BF16__) && TURBOINIT_WIDTH == 16
// Two vectors at once (vcvtne2ps2bf16, one instruction for 32 values, lo's in
// the low half): the same rounding as to_bfloat16_bits_vcvt, lane for lane.
static inline void store_bfloat16_pair_vcvt(vf32 lo, vf32 hi, void* dst) {
  __m512 a, b;
  std::memcpy(&a, &lo, sizeof a);
  std::memcpy(&b, &hi, sizeof b);
  const __m512bh h = _mm512_cvtne2ps_pbh(b, a);
  std::memcpy(dst, &h, sizeof h);
}
#endif
// Round to nearest even, NaN quietened: the high half of u + 0x7fff + (bit 16
// of u), or of u | 0x400000 for a NaN.
static inline vu16 to_bfloat16_bits(vf32 f) {
#if defined(__AVX512BF16__) && TURBOINIT_WIDTH == 16
  // A vector with a zero exponent field in some lane (subnormal, or zero,
  // which either way gives) takes the formula.
  if (mask_bits(((vu32)f & 0x7f800000u) == 0) != 0) return to_bfloat16_bits_bw(f);
  return to_bfloat16_bits_vcvt(f);
#elif defined(__AVX512BW__) && TURBOINIT_WIDTH == 16
  return to_bfloat16_bits_bw(f);
#else
  const vu32 u = (vu32)f;
  const vu32 rounded = (u + 0x7fffu + ((u >> 16) & 1u)) >> 16;
  const vu32 nan = (u >> 16) | 0x40u;
  // NaN iff |u| > inf's bits; both sides are below 2^31, so a signed compare
  // (one instruction; x86 has no unsigned vector compare) says the same.
  return narrow_u16(select((vi32)(u & 0x7fffffffu) > 0x7f800000, nan, rounded));
#endif
}
// The same for inputs that are never subnormal nor NaN (the caller's
// guarantee, see affine_store::never_subnormal): no test on the AVX-512 BF16
// path, no NaN test on AVX-512 (BW).
static inline vu16 to_bfloat16_bits_of_normal(vf32 f) {
#if defined(__AVX512BF16__) && TURBOINIT_WIDTH == 16
  return to_bfloat16_bits_vcvt(f);
#elif defined(__AVX512BW__) && TURBOINIT_WIDTH == 16
  return to_bfloat16_bits_bw<false>(f);
#else
  return to_bfloat16_bits(f);
#endif
}
