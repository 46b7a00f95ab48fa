// The NumPy distributions of turboinit.random.Generator's bulk methods: part
// of the one sampler source.  Included by simd/samplers_<target>.cpp after
// simd/samplers-inl.hpp, whose Philox rounds, uniforms, Box-Muller, vlog,
// staged_run, split_at_groups and staged_plain it uses (same per-target
// anonymous namespace).  The elementary functions added here (exp, expm1,
// log1p, floor, log-factorial) are plain IEEE operations too, so every target
// returns the same bits.
//
// Counter layout (docs/counter_layout.md):
//  * plain kinds (one candidate per element, no rejection) use the uniform's
//    layout: C = 4 (float32, candidate k = word k) or 2 (float64, candidate k
//    = words 2k, 2k+1) per block, groups of 16 blocks; lognormal uses the
//    normal's layout;
//  * rejection kinds use one block per element: element i of the call draws
//    attempt j from counter (b lo, b hi, j, tag), b = block_offset + i, with
//    a tag per independent sub-stream (0, 1, ...).  So an element depends only
//    on its own counters, never on its neighbours, the SIMD width, the thread
//    count or the region.

namespace turboinit::kernels::TURBOINIT_TARGET {
namespace {

// ---- more elementary functions -------------------------------------------------

// Always inlined, round keys and all (the philox_key overload of philox4 is
// not): GCC 12 otherwise calls philox4 out of line from some of the rejection
// loops (gamma, the binomial), which costs ~6% of their instructions.
static TURBOINIT_HOT words philox_tagged(vu32 c0, vu32 c1, vu32 c2, uint32_t tag, philox_key key) {
  return philox4(c0, c1, c2, splat<vu32>(tag), make_round_keys(key));
}

// e^x: x = k ln2 + r (Cody-Waite, |r| <= ln2 / 2), e^r by its Taylor series
// to r^N / N! (truncation below half an ulp), 2^k applied in two exact halves
// so that subnormal results round once.  Written once for float64 and
// float32; exp_consts holds what differs.
template <class T>
struct exp_consts;
template <>
struct exp_consts<double> {
  using vec = vf64;
  using ivec = vi64;
  static constexpr double lo = -746.0, hi = 710.0;  // clamp: e^lo rounds to 0, e^hi to inf
  static constexpr double magic = 0x1.8p52, log2e = 1.4426950408889634;
  static constexpr double ln2_hi = 6.93147180369123816490e-01;
  static constexpr double ln2_lo = 1.90821492927058770002e-10;
  static constexpr int terms = 13, bias = 1023, mantissa = 52;
};
template <>
struct exp_consts<float> {
  using vec = vf32;
  using ivec = vi32;
  static constexpr float lo = -104.0f, hi = 89.0f;
  static constexpr float magic = 0x1.8p23f, log2e = 1.44269504f;
  static constexpr float ln2_hi = 0.693145751953125f;
  static constexpr float ln2_lo = 1.428606765330187045e-06f;
  static constexpr int terms = 8, bias = 127, mantissa = 23;
};
// 1 / n! for n = 0 .. N, each rounded once to T.
template <class T, int N>
struct inverse_factorials {
  T c[N + 1] = {};
  constexpr inverse_factorials() {
    double f = 1.0;  // n! is exact in double for n <= 18
    for (int n = 0; n <= N; ++n) {
      if (n > 0) f *= n;
      c[n] = T(1) / T(f);
    }
  }
};

template <class T>
static TURBOINIT_HOT typename exp_consts<T>::vec vexp_of(typename exp_consts<T>::vec x) {
  using E = exp_consts<T>;
  using V = typename E::vec;
  using I = typename E::ivec;
  static constexpr inverse_factorials<T, E::terms> kInv{};
  const V xc = vmin(vmax(x, splat<V>(E::lo)), splat<V>(E::hi));
  const V t = xc * E::log2e + E::magic;
  const V kf = t - E::magic;
  const I k = (I)t - (I)splat<V>(E::magic);
  const V r = (xc - kf * E::ln2_hi) - kf * E::ln2_lo;
  V p = splat<V>(kInv.c[E::terms]);
  for (int n = E::terms - 1; n >= 0; --n) p = p * r + kInv.c[n];
  const I k1 = k >> 1;
  const I k2 = k - k1;
  const V s1 = (V)((k1 + E::bias) << E::mantissa);
  const V s2 = (V)((k2 + E::bias) << E::mantissa);
  const V y = (p * s1) * s2;
  return select(veq(x, x), y, x);  // NaN stays NaN
}
static TURBOINIT_HOT vf64 vexp(vf64 x) { return vexp_of<double>(x); }
static TURBOINIT_HOT vf32 vexp(vf32 x) { return vexp_of<float>(x); }

// e^x - 1, accurate near 0: Taylor series for |x| < 1/2, else e^x - 1.
static TURBOINIT_HOT vf64 vexpm1(vf64 x) {
  vf64 p = splat<vf64>(1.0 / 355687428096000.0);  // 1/17!
  double f = 355687428096000.0;
  for (int n = 16; n >= 1; --n) {
    f /= (n + 1);
    p = p * x + 1.0 / f;
  }
  return select(vlt(vabs(x), 0.5), p * x, vexp(x) - 1.0);
}

// log(1 + x) for x > -1 (Goldberg: exact when 1 + x rounds to 1).
static TURBOINIT_HOT vf64 vlog1p(vf64 x) {
  const vf64 u = x + 1.0;
  const vf64 safe = select(veq(u, 1.0), splat<vf64>(2.0), u);
  return select(veq(u, 1.0), x, vlog(safe) * (x / (safe - 1.0)));
}

// floor(y) for |y| < 2^51 (round to nearest by the 2^52 magic, then step down).
static TURBOINIT_HOT vf64 vfloor(vf64 y) {
  const vf64 r = (y + 0x1.8p52) - 0x1.8p52;
  return select(vgt(r, y), r - 1.0, r);
}

// log(x!) ... log Gamma(x) for integer-valued x >= 1: exact table below 7,
// NumPy's Stirling series (random_loggam) from 7 on.
static TURBOINIT_HOT vf64 vloggam_int(vf64 x) {
  static constexpr double a[10] = {
      8.333333333333333e-02, -2.777777777777778e-03, 7.936507936507937e-04, -5.952380952380952e-04,
      8.417508417508418e-04, -1.917526917526918e-03, 6.410256410256410e-03, -2.955065359477124e-02,
      1.796443723688307e-01, -1.39243221690590e+00};
  const vf64 x0 = vmax(x, splat<vf64>(7.0));
  const vf64 x2 = 1.0 / (x0 * x0);
  vf64 gl0 = splat<vf64>(a[9]);
  for (int k = 8; k >= 0; --k) gl0 = gl0 * x2 + a[k];
  const vf64 gl = gl0 / x0 + 0.91893853320467267 + (x0 - 0.5) * vlog(x0) - x0;
  vf64 small = splat<vf64>(0.0);
  small = select(veq(x, 3.0), splat<vf64>(0.69314718055994531), small);
  small = select(veq(x, 4.0), splat<vf64>(1.791759469228055), small);
  small = select(veq(x, 5.0), splat<vf64>(3.1780538303479458), small);
  small = select(veq(x, 6.0), splat<vf64>(4.7874917427820458), small);
  return select(vlt(x, 7.0), small, gl);
}

// ---- uniforms of one candidate -------------------------------------------------

struct cand32 {  // float32: one word
  vu32 x;
};
struct cand64 {  // float64: two words, high first
  vu32 hi, lo;
};
static TURBOINIT_HOT vf32 u_open_right(const cand32& c) { return open_unit_f32(c.x); }  // (0, 1]
static TURBOINIT_HOT vf64 u_open_right(const cand64& c) { return open_unit_f64(c.hi, c.lo); }
// (m + 1/2) 2^-23 (float32) or 2^-52 (float64): in (0, 1), and 1 - u is exact.
static TURBOINIT_HOT vf32 u_open(const cand32& c) {
  return (to_f32((vi32)(c.x >> 9)) + 0.5f) * 0x1p-23f;
}
static TURBOINIT_HOT vf64 u_open(const cand64& c) {
  return u32_to_f64(c.hi >> 12) * 0x1p-20 + (u32_to_f64(c.lo) + 0.5) * 0x1p-52;
}
// A bit the uniforms above leave unused: bit 0 of the (high) word.
static TURBOINIT_HOT vf32 with_sign(vf32 v, const cand32& c) {
  return (vf32)((vu32)v ^ ((c.x & 1u) << 31));
}
static TURBOINIT_HOT vf64 with_sign(vf64 v, const cand64& c) {
  return (vf64)((vu64)v ^ (widen_u64(c.hi & 1u) << 63));
}

// The standard variate of a plain kind, from one candidate.
template <bulk_kind K, class Cand>
static TURBOINIT_HOT auto plain_value(const Cand& c) {
  using vec = decltype(u_open(c));
  if constexpr (K == bulk_kind::laplace) {
    return with_sign(vec{} - vlog(u_open_right(c)), c);
  } else if constexpr (K == bulk_kind::logistic) {
    const vec u = u_open(c);
    return vlog(u) - vlog((u - u + 1) - u);  // 1 - u, exact
  } else if constexpr (K == bulk_kind::gumbel) {
    return vec{} - vlog(vec{} - vlog(u_open(c)));
  } else if constexpr (K == bulk_kind::cauchy) {
    vec s, co;
    vsincos_turns(u_open(c) * 0.5f, s, co);  // tan(pi (u - 1/2)) = -cos(pi u) / sin(pi u)
    return (vec{} - co) / s;
  } else if constexpr (K == bulk_kind::rayleigh) {
    const vec e = vec{} - vlog(u_open_right(c));
    return vsqrt(e + e);
  } else {  // exponential, weibull, pareto, power, geometric: E = -log(u) >= +0
    return vec{} - vlog(u_open_right(c));
  }
}

template <class CT, bulk_kind K>
struct plain_sampler;
template <bulk_kind K>
struct plain_sampler<float, K> {
  static constexpr int C = 4;
  TURBOINIT_HOT void operator()(const words& w, vf32 (&out)[C]) const {
    out[0] = plain_value<K>(cand32{w.x0});
    out[1] = plain_value<K>(cand32{w.x1});
    out[2] = plain_value<K>(cand32{w.x2});
    out[3] = plain_value<K>(cand32{w.x3});
  }
};
template <bulk_kind K>
struct plain_sampler<double, K> {
  static constexpr int C = 2;
  TURBOINIT_HOT void operator()(const words& w, vf64 (&out)[C]) const {
    out[0] = plain_value<K>(cand64{w.x0, w.x1});
    out[1] = plain_value<K>(cand64{w.x2, w.x3});
  }
};

// ---- parameters and stores ---------------------------------------------------------

// W consecutive parameters from p, rounded to CT.
template <class CT>
static TURBOINIT_HOT typename vtypes<CT>::vec load_params(const double* p) {
  using vec = typename vtypes<CT>::vec;
  if constexpr (sizeof(CT) == 8)
    return load<vec>(p);
  else
    return convert_halves<vf32h>(load<vf64>(p));
}

// An array parameter (p.values set) of the W elements from call index j
// (lanes past `lanes` repeat a valid one).
template <class CT>
static TURBOINIT_HOT typename vtypes<CT>::vec array_param(const bulk_param& p, uint64_t j,
                                                          int lanes) {
  using vec = typename vtypes<CT>::vec;
  vec v;
  if (p.period == 0) {  // one value per element
    if (lanes == W) return load_params<CT>(p.values + j);
    for (int l = 0; l < W; ++l) v[l] = CT(p.values[j + static_cast<uint64_t>(l < lanes ? l : 0)]);
  } else {  // one division per vector, then a load or a step through the tile
    uint64_t r = (p.phase + j) % p.period;
    if (r + W <= std::max(p.period, p.readable)) return load_params<CT>(p.values + r);
    for (int l = 0; l < W; ++l) {
      v[l] = CT(p.values[r]);
      r = (r + 1 == p.period) ? 0 : r + 1;
    }
  }
  return v;
}

// A parameter's vectors for one call: a scalar one is broadcast once here.
// (Per vector, GCC builds the broadcast of a two-register vf64 through eight
// stack stores and reloads it, a store-forwarding stall in every transform:
// float64 exponential ran at 12 ns per element instead of 8.)
template <class CT>
struct param_source {
  using vec = typename vtypes<CT>::vec;
  const bulk_param* p;
  vec scalar;
  explicit param_source(const bulk_param& q) : p(&q), scalar(splat<vec>(CT(q.scalar))) {}
  vec operator()(uint64_t j, int lanes) const {
    return p->values ? array_param<CT>(*p, j, lanes) : scalar;
  }
};

// store_lanes with a plain vector store for a whole vector (store_lanes'
// run-time length makes a memcpy call).
template <class V>
static TURBOINIT_HOT void store_n(void* p, const V& v, int lanes) {
  if (lanes == W)
    store(p, v);
  else
    store_lanes(p, v, lanes);
}

template <class CT>
static TURBOINIT_HOT void put(void* out, uint64_t j, typename vtypes<CT>::vec y, int lanes) {
  store_n(static_cast<CT*>(out) + j, y, lanes);
}

// Non-negative integer-valued doubles (or +inf) to int64, saturating at 2^63 - 1.
// Below 2^52 by the 2^52 magic number (AVX2 has no float64 -> int64 conversion).
static TURBOINIT_HOT void put_count(void* out, uint64_t j, vf64 y, int lanes) {
  const vi64 big = vge(y, 0x1p63);
  vi64 k;
  if ((mask_bits(vlt(y, 0x1p52)) & kLaneBits) == kLaneBits)
    k = (vi64)(y + 0x1p52) - (vi64)splat<vf64>(0x1p52);
  else
    k = convert_halves<vi64n>(select(big, splat<vf64>(0.0), y));
  store_n(static_cast<int64_t*>(out) + j, select(big, splat<vi64>(INT64_MAX), k), lanes);
}

// ---- the plain driver --------------------------------------------------------------

// Standard variates of the call's range [first, first + count), group by
// group, each vector handed to transform(s, j, lanes), which maps and stores
// the `lanes` elements from call index j.  As fill_plain: whole groups inside
// the range go straight from registers to transform (in a group, element
// k * 16 + b is candidate k of block b, so candidate k of W consecutive
// blocks is W consecutive elements); the partial groups at the ends go
// through a small stage.  The values never depend on which way an element
// went.
template <class CT, class Sampler, class Transform>
static void bulk_plain(const Sampler& sampler, const philox_stream& st, uint64_t first,
                       uint64_t count, const Transform& transform) {
  using vec = typename vtypes<CT>::vec;
  constexpr int C = Sampler::C;
  constexpr uint64_t G = uint64_t{kGroupBlocks} * C;
  auto staged = [&](uint64_t from, uint64_t n) {
    staged_plain<CT>(
        st, G, from, n,
        [&](CT* base, const words& w) {
          vec cand[C];
          sampler(w, cand);
          for (int k = 0; k < C; ++k) store(base + k * kGroupBlocks, cand[k]);
        },
        [&](const CT* part, uint64_t n_part, uint64_t done) {
          for (uint64_t i = 0; i < n_part; i += W) {
            const int lanes =
                (n_part - i >= static_cast<uint64_t>(W)) ? W : static_cast<int>(n_part - i);
            transform(load<vec>(part + i), from - first + done + i, lanes);
          }
        });
  };
  auto whole = [&](uint64_t g_lo, uint64_t groups) {
    first_draws(st, g_lo, groups, [&](uint64_t gi, int sub, const words& w) {
      vec cand[C];
      sampler(w, cand);
      const uint64_t j = (g_lo + gi) * G - first + static_cast<uint64_t>(sub);
      for (int k = 0; k < C; ++k) transform(cand[k], j + uint64_t(k) * kGroupBlocks, W);
    });
  };
  split_at_groups(G, first, count, staged, whole);
}

template <class CT, bulk_kind K, class Transform>
static void plain(const bulk_args& a, uint64_t first, uint64_t count, const Transform& t) {
  bulk_plain<CT>(plain_sampler<CT, K>{}, a.stream, first, count, t);
}

// ---- rejection kinds: one block per element ------------------------------------------

template <class Body>
static inline void per_element(const bulk_args& a, uint64_t first, uint64_t count,
                               const Body& body) {
  for (uint64_t j = 0; j < count; j += W) {
    const int lanes = (count - j >= static_cast<uint64_t>(W)) ? W : static_cast<int>(count - j);
    vu32 lo, hi;
    block_counters(a.stream.block_offset + first + j, lo, hi);
    body(lo, hi, j, lanes, lanes == 32 ? ~0u : ((1u << lanes) - 1u));
  }
}

// The rejection kinds in passes over a stage of up to kStageElems elements.
// fast(lo, hi, p0, p1, live, value) decides what it can from the first
// attempt, W elements at a time, and returns the bits of the lanes it
// decided.  The others are gathered W at a time (their own counters and
// parameters): step(lo, hi, p0, p1, j, live, value), where given, runs the
// complete test of attempt j = 0, 1, .. kSteps - 1 on the lanes still
// undecided, compacted again after each attempt, and returns the bits of
// those it accepts (value: theirs); full(lo, hi, p0, p1, live) runs the
// complete lane function (from attempt 0) on whatever is left.  Every lane
// depends only on its own counters and parameters, so the values are those
// of full alone, but a lane that rejects no longer holds up the W - 1 beside
// it.  emit(value, j, lanes) stores the W elements from call index j.
constexpr uint32_t kRejectionSteps = 8;  // attempts by step before full()
struct no_steps {
  static constexpr uint32_t kSteps = 0;
  template <class... A>
  uint32_t operator()(A&&...) const {
    return 0;
  }
};
template <uint32_t N, class F>
struct steps {  // step functions of per_element_compact: attempts 0 .. N - 1
  static constexpr uint32_t kSteps = N;
  F f;
  template <class... A>
  TURBOINIT_HOT uint32_t operator()(A&&... args) const {
    return f(std::forward<A>(args)...);
  }
};
template <uint32_t N, class F>
static steps<N, F> make_steps(F f) {
  return {f};
}
template <class CT, class Fast, class Full, class Emit, class Step = no_steps>
static void per_element_compact(const bulk_args& a, uint64_t first, uint64_t count,
                                const Fast& fast, const Full& full, const Emit& emit,
                                const Step& step = Step{}) {
  using vec = typename vtypes<CT>::vec;
  alignas(64) CT val[kStageElems + W];
  uint16_t pending[kStageElems + 2 * W], next[kStageElems + 2 * W];
  const param_source<CT> p0_of(a.p[0]), p1_of(a.p[1]);
  // The lanes pending[q .. q + lanes) of the stage from c0: counters, parameters.
  auto gather = [&](uint64_t c0, const uint16_t* idx, int lanes, vu32& lo, vu32& hi, vec& p0,
                    vec& p1) {
    for (int l = 0; l < W; ++l) {
      const uint64_t e = c0 + idx[l < lanes ? l : 0];
      const uint64_t b = a.stream.block_offset + first + e;
      lo[l] = static_cast<uint32_t>(b);
      hi[l] = static_cast<uint32_t>(b >> 32);
      p0[l] = CT(a.p[0].at(e));
      p1[l] = CT(a.p[1].at(e));
    }
  };
  for (uint64_t c0 = 0; c0 < count; c0 += kStageElems) {
    const uint64_t n = (count - c0 < kStageElems) ? count - c0 : kStageElems;
    uint32_t n_pending = 0;
    for (uint64_t i = 0; i < n; i += W) {
      const int lanes = (n - i >= static_cast<uint64_t>(W)) ? W : static_cast<int>(n - i);
      const uint32_t live = (lanes == 32) ? ~0u : ((1u << lanes) - 1u);
      vu32 lo, hi;
      block_counters(a.stream.block_offset + first + c0 + i, lo, hi);
      vec v = {};
      const uint32_t done = fast(lo, hi, p0_of(c0 + i, lanes), p1_of(c0 + i, lanes), live, v);
      store(val + i, v);
      n_pending += append_set_lanes(pending + n_pending, static_cast<uint32_t>(i), ~done & live);
    }
    for (uint32_t j = 0; j < Step::kSteps && n_pending != 0; ++j) {
      uint32_t n_next = 0;
      for (uint32_t q = 0; q < n_pending; q += W) {
        const int lanes = (n_pending - q >= static_cast<uint32_t>(W)) ? W : int(n_pending - q);
        const uint32_t live = (lanes == 32) ? ~0u : ((1u << lanes) - 1u);
        vu32 lo = {}, hi = {};  // every lane is set ({}: GCC's -Wmaybe-uninitialized)
        vec p0 = {}, p1 = {}, v = {};
        gather(c0, pending + q, lanes, lo, hi, p0, p1);
        const uint32_t ok = step(lo, hi, p0, p1, j, live, v);
        for (int l = 0; l < lanes; ++l) {
          const uint16_t e = pending[q + static_cast<uint32_t>(l)];
          if ((ok >> l) & 1u)
            val[e] = v[l];
          else
            next[n_next++] = e;
        }
      }
      std::memcpy(pending, next, n_next * sizeof next[0]);
      n_pending = n_next;
    }
    for (uint32_t q = 0; q < n_pending; q += W) {
      const int lanes = (n_pending - q >= static_cast<uint32_t>(W)) ? W : int(n_pending - q);
      vu32 lo = {}, hi = {};
      vec p0 = {}, p1 = {};
      gather(c0, pending + q, lanes, lo, hi, p0, p1);
      const vec v = full(lo, hi, p0, p1, (lanes == 32) ? ~0u : ((1u << lanes) - 1u));
      for (int l = 0; l < lanes; ++l) val[pending[q + static_cast<uint32_t>(l)]] = v[l];
    }
    for (uint64_t i = 0; i < n; i += W) {
      const int lanes = (n - i >= static_cast<uint64_t>(W)) ? W : static_cast<int>(n - i);
      emit(load<vec>(val + i), c0 + i, lanes);
    }
  }
}

// A gamma candidate: a standard normal x and an acceptance uniform u in (0, 1].
static TURBOINIT_HOT void gamma_candidate(const words& w, vf64& x, vf64& u) {
  vf64 zs;
  box_muller(open_unit_f64(w.x0, w.x1), u32_to_f64(w.x2) * 0x1p-32, x, zs);
  u = (u32_to_f64(w.x3) + 1.0) * 0x1p-32;
}
static TURBOINIT_HOT void gamma_candidate(const words& w, vf32& x, vf32& u) {
  vf32 zs;
  box_muller(open_unit_f32(w.x0), unit_f32(w.x1), x, zs);
  u = open_unit_f32(w.x2);
}
static TURBOINIT_HOT vf64 open_unit_of(const words& w, double) { return open_unit_f64(w.x0, w.x1); }
static TURBOINIT_HOT vf32 open_unit_of(const words& w, float) { return open_unit_f32(w.x0); }

// Marsaglia and Tsang (2000) on a = shape (shape >= 1) or shape + 1 (`small`:
// 0 < shape < 1), per lane: d = a - 1/3, c = 1 / sqrt(9 d).  Shape 0, +inf and
// NaN (`trivial`) give themselves (their lanes run on a = 1).
template <class CT>
struct gamma_setup {
  using vec = typename vtypes<CT>::vec;
  using mask = typename vtypes<CT>::mask;
  mask trivial, small;
  vec d, c;
  explicit gamma_setup(vec shape)
      : trivial(veq(shape, CT(0)) | vne(shape, shape) | veq(shape, CT(__builtin_inf()))),
        small(vlt(shape, CT(1)) & ~trivial) {
    const vec a = select(trivial, splat<vec>(CT(1)), select(small, shape + CT(1), shape));
    d = a - CT(1) / CT(3);
    c = CT(1) / vsqrt(d * CT(9));
  }
};

// One attempt: the candidate d v, v = (1 + c x)^3 (x a standard normal; v = 1
// where 1 + c x <= 0, `pos` false), and the lanes their squeeze
// u < 1 - 0.0331 x^4 accepts without logarithms (~98%).
template <class CT>
struct gamma_attempt {
  using vec = typename vtypes<CT>::vec;
  using mask = typename vtypes<CT>::mask;
  vec u, v, x2;
  mask pos, squeezed;
};
template <class CT>
TURBOINIT_HOT gamma_attempt<CT> gamma_try(const philox_stream& st, vu32 lo, vu32 hi, vu32 attempt,
                                          uint32_t tag, const gamma_setup<CT>& g) {
  using vec = typename vtypes<CT>::vec;
  gamma_attempt<CT> t;
  vec x;
  gamma_candidate(philox_tagged(lo, hi, attempt, tag, st.key), x, t.u);
  const vec v = CT(1) + g.c * x;
  t.pos = vgt(v, CT(0));
  t.v = select(t.pos, v * v * v, splat<vec>(CT(1)));
  t.x2 = x * x;
  t.squeezed = t.pos & vlt(t.u, CT(1) - CT(0.0331) * (t.x2 * t.x2));
  return t;
}

// log U / shape on the small lanes (0 elsewhere), U from sub-stream tag + 1,
// attempt 0: Gamma(shape) = Gamma(shape + 1) U^(1 / shape).
template <class CT>
static inline typename vtypes<CT>::vec gamma_logboost(const philox_stream& st, vu32 lo, vu32 hi,
                                                      uint32_t tag, typename vtypes<CT>::vec shape,
                                                      const gamma_setup<CT>& g, uint32_t live) {
  using vec = typename vtypes<CT>::vec;
  if (!(mask_bits(g.small) & live)) return vec{};
  const vec ub = open_unit_of(philox_tagged(lo, hi, vu32{}, tag + 1, st.key), CT(0));
  return select(g.small, vlog(ub) / shape, vec{});
}

// Gamma(shape) per lane as value * exp(logboost) (gamma_setup): candidates
// from sub-stream `tag`, attempts 0, 1, ..., each tested by the squeeze, then
// (lanes it leaves) by the logarithmic test.
template <class CT>
static inline typename vtypes<CT>::vec gamma_accepted(const philox_stream& st, vu32 lo, vu32 hi,
                                                      uint32_t tag, typename vtypes<CT>::vec shape,
                                                      const gamma_setup<CT>& g, uint32_t live) {
  using mask = typename vtypes<CT>::mask;
  typename vtypes<CT>::vec value = shape;
  mask done = g.trivial;
  uint32_t pending = ~mask_bits(done) & live;
  for (uint32_t j = 0; pending != 0; ++j) {
    if (j == static_cast<uint32_t>(kMaxAttempts)) {  // probability far below 2^-4096
      value = select(done, value, g.d);
      break;
    }
    const gamma_attempt<CT> t = gamma_try<CT>(st, lo, hi, splat<vu32>(j), tag, g);
    // The full test runs only when a pending lane needs it, and a lane's
    // decision is squeeze | full either way, so it never depends on its
    // neighbours.
    mask ok = t.squeezed;
    if (~mask_bits(ok | done) & live)
      ok = ok | (t.pos & vlt(vlog(t.u), t.x2 * CT(0.5) + g.d - g.d * t.v + g.d * vlog(t.v)));
    value = select(ok & ~done, g.d * t.v, value);
    done = done | ok;
    pending = ~mask_bits(done) & live;
  }
  return value;
}
template <class CT>
static inline void gamma_lanes(const philox_stream& st, vu32 lo, vu32 hi, uint32_t tag,
                               typename vtypes<CT>::vec shape, uint32_t live,
                               typename vtypes<CT>::vec& value,
                               typename vtypes<CT>::vec& logboost) {
  const gamma_setup<CT> g(shape);
  value = gamma_accepted<CT>(st, lo, hi, tag, shape, g, live);
  logboost = gamma_logboost<CT>(st, lo, hi, tag, shape, g, live);
}

template <class CT>
static inline typename vtypes<CT>::vec gamma_value(const philox_stream& st, vu32 lo, vu32 hi,
                                                   uint32_t tag, typename vtypes<CT>::vec shape,
                                                   uint32_t live) {
  typename vtypes<CT>::vec v, lb;
  gamma_lanes<CT>(st, lo, hi, tag, shape, live, v, lb);
  if (!(mask_bits(vne(lb, typename vtypes<CT>::vec{})) & live))
    return v;  // shape >= 1 everywhere: no boost
  return v * vexp(lb);
}

// The first attempt of gamma_lanes with the squeeze alone: the value (before
// any logboost) of the lanes it accepts (and of shape 0, +inf, NaN), the bits
// of those lanes.
template <class CT>
TURBOINIT_HOT uint32_t gamma_fast_accepted(const philox_stream& st, vu32 lo, vu32 hi, uint32_t tag,
                                           typename vtypes<CT>::vec shape, const gamma_setup<CT>& g,
                                           typename vtypes<CT>::vec& value) {
  const gamma_attempt<CT> t = gamma_try<CT>(st, lo, hi, vu32{}, tag, g);
  value = select(t.squeezed & ~g.trivial, g.d * t.v, shape);
  return mask_bits(t.squeezed | g.trivial);
}
// The same, as gamma_value: value exp(logboost), applied where a live lane is
// small (exp(0) = 1 exactly on the others).
template <class CT>
static inline uint32_t gamma_fast(const philox_stream& st, vu32 lo, vu32 hi, uint32_t tag,
                                  typename vtypes<CT>::vec shape, const gamma_setup<CT>& g,
                                  uint32_t live, typename vtypes<CT>::vec& value) {
  const uint32_t done = gamma_fast_accepted<CT>(st, lo, hi, tag, shape, g, value);
  if (mask_bits(g.small) & live)
    value = value * vexp(gamma_logboost<CT>(st, lo, hi, tag, shape, g, live));
  return done;
}

// The gamma_setup of a call's shapes (parameter p times `scale`), made once
// when p is one scalar: a square root and two divisions per vector otherwise.
template <class CT>
struct gamma_setups {
  using vec = typename vtypes<CT>::vec;
  bool scalar;
  gamma_setup<CT> one;
  gamma_setups(const bulk_param& p, CT scale)
      : scalar(!p.values), one(splat<vec>(CT(p.scalar) * scale)) {}
  TURBOINIT_HOT gamma_setup<CT> operator()(vec shape) const {
    return scalar ? one : gamma_setup<CT>(shape);
  }
};

// One candidate of Hoermann's transformed rejection (PTRS, BTRS), attempt j
// of sub-stream 1: U = u - 1/2 (u from words 0-1), V from words 2-3,
// us = 1/2 - |U| (usafe: 1/2 where us <= 0) and x = (2a / usafe + b) U, the
// candidate before its shift.
struct tr_candidate {
  vf64 U, V, us, usafe, x;
  // The quick acceptance, before any logarithm.
  vi64 quick(vf64 vr) const { return vge(us, 0.07) & vle(V, vr); }
};
static TURBOINIT_HOT tr_candidate tr_draw(const philox_stream& st, vu32 lo, vu32 hi, vu32 attempt,
                                          vf64 a, vf64 b) {
  const words w = philox_tagged(lo, hi, attempt, 1, st.key);
  tr_candidate c;
  c.U = unit_f64(w.x0, w.x1) - 0.5;
  c.V = open_unit_f64(w.x2, w.x3);
  c.us = 0.5 - vabs(c.U);
  c.usafe = select(vgt(c.us, 0.0), c.us, splat<vf64>(0.5));
  c.x = (2.0 * a / c.usafe + b) * c.U;
  return c;
}
// Attempts 0, 1, ... of a transformed rejection with setup s (a, b, k_of)
// until every live lane is done: a lane takes the k of the first attempt
// that accept(candidate, k) accepts (res where none does in kMaxAttempts).
template <class Setup, class Accept>
static inline vf64 tr_run(const philox_stream& st, vu32 lo, vu32 hi, uint32_t live, const Setup& s,
                          vi64 done, vf64 res, const Accept& accept) {
  for (uint32_t j = 0; (~mask_bits(done) & live) != 0; ++j) {
    if (j == static_cast<uint32_t>(kMaxAttempts)) break;
    const tr_candidate c = tr_draw(st, lo, hi, splat<vu32>(j), s.a, s.b);
    const vf64 kf = s.k_of(c);
    const vi64 ok = accept(c, kf);
    res = select(ok & ~done, kf, res);
    done = done | ok;
  }
  return res;
}

// The inversion part of poisson_lanes: k for the lanes of `small` (0 elsewhere).
static inline vf64 poisson_inversion(const philox_stream& st, vu32 lo, vu32 hi, vf64 lam,
                                     vi64 small, uint32_t live) {
  vf64 k = splat<vf64>(0.0);
  const words w = philox_tagged(lo, hi, vu32{}, 0, st.key);
  const vf64 u = unit_f64(w.x0, w.x1);
  const vf64 ls = select(small, lam, splat<vf64>(0.0));
  vf64 p = vexp(vf64{} - ls), f = p;
  for (int it = 0; it < 4096; ++it) {
    const vi64 go = small & vgt(u, f) & vgt(p, f * 0x1p-60);
    if (!(mask_bits(go) & live)) break;
    k = select(go, k + 1.0, k);
    p = select(go, p * ls / k, p);
    f = select(go, f + p, f);
  }
  return k;
}

// poisson_inversion for one rate lam < 10 shared by a whole call: its sums f_i
// (and the last index before the terms fall below 2^-60 of the sum),
// computed once by the same IEEE operations as the lanes do.  The sums never
// decrease, so the search's k is the number of f_i below u: the same value.
struct poisson_table {
  static constexpr int kMax = 256;
  int n = -1;  // -1: not usable (per-element rates or lam >= 10)
  double f[kMax];
};
static inline poisson_table make_poisson_table(const bulk_param& lam) {
  poisson_table t;
  if (lam.values || !(lam.scalar < 10.0)) return t;
  const double ls = lam.scalar;
  double p = vexp(splat<vf64>(-ls))[0], f = p, k = 0.0;
  for (int i = 0; i < poisson_table::kMax; ++i) {
    if (!(p > f * 0x1p-60)) {
      t.n = i;
      return t;
    }
    t.f[i] = f;
    k = k + 1.0;
    p = p * ls / k;
    f = f + p;
  }
  return t;  // never for lam < 10: the terms fall below 2^-60 within ~60 steps
}
static inline vf64 poisson_by_table(const philox_stream& st, vu32 lo, vu32 hi,
                                    const poisson_table& t) {
  const words w = philox_tagged(lo, hi, vu32{}, 0, st.key);
  const vf64 u = unit_f64(w.x0, w.x1);
  vf64 k = splat<vf64>(0.0);
  for (int i = 0; i < t.n; ++i) {
    const vi64 go = vgt(u, t.f[i]);
    if (!mask_bits(go)) break;
    k = select(go, k + 1.0, k);
  }
  return k;
}

// PTRS's constants on l = lam (10 on the lanes of `small`, which inversion
// takes), and a candidate's k = floor(x + l + 0.43), clamped to [-1, 2^50].
struct ptrs_setup {
  vf64 l, b, a, vr;
  ptrs_setup(vf64 lam, vi64 small) : l(select(small, splat<vf64>(10.0), lam)) {
    const vf64 slam = vsqrt(l);
    b = 0.931 + 2.53 * slam;
    a = -0.059 + 0.02483 * b;
    vr = 0.9277 - 3.6224 / (b - 2.0);
  }
  vf64 k_of(const tr_candidate& c) const {
    return vfloor(vmin(vmax(c.x + l + 0.43, splat<vf64>(-1.0)), splat<vf64>(0x1p50)));
  }
};

// PTRS's acceptance of candidate c (k = kf): the quick test, then the
// logarithmic one, as NumPy's random_poisson_ptrs.
struct ptrs_accept {
  const ptrs_setup& s;
  vf64 loglam, log_invalpha;
  explicit ptrs_accept(const ptrs_setup& su)
      : s(su), loglam(vlog(su.l)), log_invalpha(vlog(1.1239 + 1.1328 / (su.b - 3.4))) {}
  TURBOINIT_HOT vi64 operator()(const tr_candidate& c, vf64 kf) const {
    const vi64 valid = vge(kf, 0.0) & ~(vlt(c.us, 0.013) & vgt(c.V, c.us));
    const vi64 slow = valid & vle(vlog(c.V) + log_invalpha - vlog(s.a / (c.usafe * c.usafe) + s.b),
                                  -s.l + kf * loglam - vloggam_int(kf + 1.0));
    return vgt(c.us, 0.0) & (c.quick(s.vr) | slow);
  }
};

// Poisson(lam), lam >= 0 finite: inversion by search for lam < 10 (u from
// attempt 0, tag 0; stops where the terms fall below 2^-60 of the sum),
// Hoermann's PTRS (1993) for lam >= 10 (attempts 0, 1, ... of tag 1: U from
// words 0-1, V from words 2-3), as NumPy's random_poisson.
static inline vf64 poisson_lanes(const philox_stream& st, vu32 lo, vu32 hi, vf64 lam,
                                 uint32_t live) {
  const vi64 small = vlt(lam, 10.0);
  vf64 k = splat<vf64>(0.0);
  if (mask_bits(small) & live) k = poisson_inversion(st, lo, hi, lam, small, live);
  const uint32_t large_bits = ~mask_bits(small) & live;
  if (large_bits) {
    const ptrs_setup s(lam, small);
    const vf64 res = tr_run(st, lo, hi, live, s, small, vfloor(s.l), ptrs_accept(s));
    k = select(small, k, res);
  }
  return k;
}

// Attempt j of PTRS alone on the lanes outside `small` (setup s of their lam,
// acceptance acc on s): the lanes it accepts, and k.
static inline uint32_t poisson_step(const philox_stream& st, vu32 lo, vu32 hi, const ptrs_setup& s,
                                    const ptrs_accept& acc, vi64 small, uint32_t j, vf64& value) {
  const tr_candidate c = tr_draw(st, lo, hi, splat<vu32>(j), s.a, s.b);
  value = s.k_of(c);
  return mask_bits(acc(c, value) & ~small);
}

// The first attempt of poisson_lanes with PTRS's quick acceptance alone (and
// the whole inversion): the lanes it decided.
static inline uint32_t poisson_fast(const philox_stream& st, vu32 lo, vu32 hi, vf64 lam,
                                    uint32_t live, vf64& value, const ptrs_setup* one = nullptr) {
  const vi64 small = vlt(lam, 10.0);
  vf64 k = splat<vf64>(0.0);
  uint32_t done = mask_bits(small);
  if (done & live) k = poisson_inversion(st, lo, hi, lam, small, live);
  if (~done & live) {
    const ptrs_setup s = one ? *one : ptrs_setup(lam, small);  // one: the call's rate
    const tr_candidate c = tr_draw(st, lo, hi, vu32{}, s.a, s.b);
    const vi64 fast = c.quick(s.vr) & ~small;
    k = select(fast, s.k_of(c), k);
    done |= mask_bits(fast);
  }
  value = k;
  return done;
}

// The inversion part of binomial_lanes: k for the lanes of `small` (0 elsewhere),
// on pp = min(p, 1 - p), q = 1 - pp, np = n pp.  NumPy's
// random_binomial_inversion searches U - px_0 - ... - px_(k-1) <= px_k; this
// compares U with the running sums F_k = F_(k-1) + px_k instead (the same
// law), so that for one (n, p) shared by a call the F_k can be tabulated
// once (binomial_table) with the same operations: the same bits either way.
// k > bound restarts with the next attempt's U.
static inline vf64 binomial_inversion(const philox_stream& st, vu32 lo, vu32 hi, vf64 n, vf64 pp,
                                      vf64 q, vf64 np, vi64 small, uint32_t live) {
  const vf64 qn = vexp(select(small, n, splat<vf64>(0.0)) * vlog1p(vf64{} - pp));
  const vf64 bound = vmin(n, np + 10.0 * vsqrt(np * q + 1.0));
  vu32 attempt = vu32{};
  const words w = philox_tagged(lo, hi, attempt, 0, st.key);
  vf64 u = unit_f64(w.x0, w.x1);
  vf64 k = splat<vf64>(0.0), px = qn, f = qn;
  for (int it = 0; it < (1 << 20); ++it) {
    const vi64 go = small & vgt(u, f);
    if (!(mask_bits(go) & live)) break;
    k = select(go, k + 1.0, k);
    const vi64 restart = go & vgt(k, bound);
    if (mask_bits(restart) & live) {
      attempt = attempt - convert_halves<vu32h>(restart);  // +1 where restarting
      const words r = philox_tagged(lo, hi, attempt, 0, st.key);
      u = select(restart, unit_f64(r.x0, r.x1), u);
      k = select(restart, splat<vf64>(0.0), k);
    }
    const vi64 step = go & ~restart;
    px = select(step, ((n - k + 1.0) * pp * px) / (k * q), select(restart, qn, px));
    f = select(step, f + px, select(restart, qn, f));
  }
  return k;
}

// binomial_inversion's sums F_0 .. F_m (m = floor(bound)) for one (n, p)
// shared by a whole call with n min(p, 1 - p) < 10, by the same operations.
struct binomial_table {
  static constexpr int kMax = 64;  // m <= np + 10 sqrt(np q + 1) < 44
  int m = -1;                      // -1: not usable
  bool flip = false;
  double n = 0.0;
  double f[kMax];
};
static inline binomial_table make_binomial_table(const bulk_param& pn, const bulk_param& pp_) {
  binomial_table t;
  if (pn.values || pp_.values) return t;
  const double n = pn.scalar, p = pp_.scalar;
  const bool flip = p > 0.5;
  const double pp = flip ? 1.0 - p : p;
  const double q = 1.0 - pp;
  const double np = n * pp;
  if (!(np < 10.0)) return t;
  const double qn = vexp(splat<vf64>(n) * vlog1p(splat<vf64>(0.0 - pp)))[0];
  const double sd = vsqrt(splat<vf64>(np * q + 1.0))[0];
  const double bound = vmin(splat<vf64>(n), splat<vf64>(np + 10.0 * sd))[0];
  double k = 0.0, px = qn, f = qn;
  int i = 0;
  for (; i < binomial_table::kMax; ++i) {
    if (k > bound) break;  // F_i for i <= bound only
    t.f[i] = f;
    k = k + 1.0;
    px = ((n - k + 1.0) * pp * px) / (k * q);
    f = f + px;
  }
  if (i == binomial_table::kMax) return t;  // never (bound < 44)
  t.m = i - 1;
  t.flip = flip;
  t.n = n;
  return t;
}
static inline vf64 binomial_by_table(const philox_stream& st, vu32 lo, vu32 hi,
                                     const binomial_table& t, uint32_t live) {
  vf64 k = splat<vf64>(0.0);
  uint32_t pending = live;
  for (uint32_t attempt = 0; pending != 0 && attempt < (1u << 20); ++attempt) {
    const words w = philox_tagged(lo, hi, splat<vu32>(attempt), 0, st.key);
    const vf64 u = unit_f64(w.x0, w.x1);
    vf64 c = splat<vf64>(0.0);
    for (int i = 0; i <= t.m; ++i) {
      const vi64 go = vgt(u, t.f[i]);
      if (!(mask_bits(go) & pending)) break;
      c = select(go, c + 1.0, c);
    }
    const vi64 take = lanes_of_bits(pending);
    k = select(take, c, k);
    pending &= mask_bits(vgt(c, double(t.m)));  // past the bound: restart
  }
  return t.flip ? t.n - k : k;
}

// Binomial(n, p)'s two arms: on pp = min(p, 1 - p) (flip: p > 1/2, the
// result mirrored), q = 1 - pp and np = n pp, inversion takes the lanes of
// `small` (np < 10), BTRS the others.
struct binomial_arms {
  vi64 flip, small;
  vf64 pp, q, np;
  binomial_arms(vf64 n, vf64 p) : flip(vgt(p, 0.5)) {
    pp = select(flip, 1.0 - p, p);
    q = 1.0 - pp;
    np = n * pp;
    small = vlt(np, 10.0);
  }
};

// BTRS's constants on (nl, pl) = (n, pp) ((100, 1/2) on the lanes of
// `small`), and a candidate's k = floor(x + c), clamped to [-1, nl + 1].
struct btrs_setup {
  vf64 nl, pl, ql, spq, b, a, c, vr;
  btrs_setup(vf64 n, const binomial_arms& arms)
      : nl(select(arms.small, splat<vf64>(100.0), n)),
        pl(select(arms.small, splat<vf64>(0.5), arms.pp)) {
    ql = 1.0 - pl;
    spq = vsqrt(nl * pl * ql);
    b = 1.15 + 2.53 * spq;
    a = -0.0873 + 0.0248 * b + 0.01 * pl;
    c = nl * pl + 0.5;
    vr = 0.92 - 4.2 / b;
  }
  vf64 k_of(const tr_candidate& t) const {
    return vfloor(vmin(vmax(t.x + c, splat<vf64>(-1.0)), nl + 1.0));
  }
};

// BTRS's acceptance of candidate c (k = kf): the quick test, then the
// logarithmic one, as NumPy's random_binomial_btpe's sibling in Hoermann (1993).
struct btrs_accept {
  const btrs_setup& s;
  vf64 log_alpha, lpq, m, h;
  explicit btrs_accept(const btrs_setup& su)
      : s(su),
        log_alpha(vlog((2.83 + 5.1 / su.b) * su.spq)),
        lpq(vlog(su.pl / su.ql)),
        m(vfloor((su.nl + 1.0) * su.pl)),
        h(vloggam_int(m + 1.0) + vloggam_int(su.nl - m + 1.0)) {}
  TURBOINIT_HOT vi64 operator()(const tr_candidate& c, vf64 kf) const {
    const vi64 in = vge(kf, 0.0) & vle(kf, s.nl);
    const vf64 kc = vmin(vmax(kf, splat<vf64>(0.0)), s.nl);
    const vi64 slow =
        in & vle(vlog(c.V) + log_alpha - vlog(s.a / (c.usafe * c.usafe) + s.b),
                 h - vloggam_int(kc + 1.0) - vloggam_int(s.nl - kc + 1.0) + (kc - m) * lpq);
    return vgt(c.us, 0.0) & in & (c.quick(s.vr) | slow);
  }
};

// Binomial(n, p), n a non-negative integer-valued double, p in [0, 1]: on
// q' = min(p, 1 - p) (the result mirrored when p > 1/2), inversion as NumPy's
// random_binomial_inversion for n q' < 10 (uniforms from tag 0, attempts
// 0, 1, ... at each restart), else Hoermann's BTRS (1993) (tag 1: U from
// words 0-1, V from words 2-3).
static inline vf64 binomial_lanes(const philox_stream& st, vu32 lo, vu32 hi, vf64 n, vf64 p,
                                  uint32_t live) {
  const binomial_arms arms(n, p);
  vf64 k = splat<vf64>(0.0);
  if (mask_bits(arms.small) & live)
    k = binomial_inversion(st, lo, hi, n, arms.pp, arms.q, arms.np, arms.small, live);
  if (~mask_bits(arms.small) & live) {
    const btrs_setup s(n, arms);
    const btrs_accept accept(s);
    const vf64 res = tr_run(st, lo, hi, live, s, arms.small, accept.m, accept);
    k = select(arms.small, k, res);
  }
  return select(arms.flip, n - k, k);
}

// The first attempt of binomial_lanes with BTRS's quick acceptance alone (and
// the whole inversion): the lanes it decided.
static inline uint32_t binomial_fast(const philox_stream& st, vu32 lo, vu32 hi, vf64 n, vf64 p,
                                     uint32_t live, vf64& value, const btrs_setup* one = nullptr) {
  const binomial_arms arms(n, p);
  vf64 k = splat<vf64>(0.0);
  uint32_t done = mask_bits(arms.small);
  if (done & live)
    k = binomial_inversion(st, lo, hi, n, arms.pp, arms.q, arms.np, arms.small, live);
  if (~done & live) {
    const btrs_setup s = one ? *one : btrs_setup(n, arms);  // one: the call's (n, p)
    const tr_candidate c = tr_draw(st, lo, hi, vu32{}, s.a, s.b);
    const vf64 kf = s.k_of(c);
    const vi64 ok = c.quick(s.vr) & vge(kf, 0.0) & vle(kf, s.nl) & ~arms.small;
    k = select(ok, kf, k);
    done |= mask_bits(ok);
  }
  value = select(arms.flip, n - k, k);
  return done;
}

// Attempt j of BTRS alone on the lanes outside arms.small (setup s, acceptance
// acc on s): the lanes it accepts, and their value.
static inline uint32_t binomial_step(const philox_stream& st, vu32 lo, vu32 hi, vf64 n,
                                     const binomial_arms& arms, const btrs_setup& s,
                                     const btrs_accept& acc, uint32_t j, vf64& value) {
  const tr_candidate c = tr_draw(st, lo, hi, splat<vu32>(j), s.a, s.b);
  const vf64 kf = s.k_of(c);
  value = select(arms.flip, n - kf, kf);
  return mask_bits(acc(c, kf) & ~arms.small);
}

// Permutations of [0, n): a Feistel network on the b = ceil(log2 n) bits of a
// position (at least 1), split into a high part of ceil(b/2) bits and a low
// part of floor(b/2) bits, kFeistelRounds rounds: even round r xors
// mix32(low xor K_r) into the high part, odd round r mix32(high xor K_r) into
// the low part (each masked to the part's width).  K_0..K_7 are the words of
// Philox at the counters (b lo, b hi, 0, kPermutationTag) and (b lo, b hi, 1,
// kPermutationTag), b = block_offset + slice, made once per slice, and mix32
// is the integer hash "lowbias32" (Wellons).  Images >= n walk the cycle
// (apply the network again) until they fall in [0, n), fewer than 2 steps on
// average.  A keyed bijection, so any element is computed alone.
constexpr int kFeistelRounds = 8;
constexpr uint32_t kPermutationTag = 0x50000000u;

struct feistel_keys {
  uint32_t k[kFeistelRounds];
};
static inline feistel_keys slice_keys(const philox_stream& st, uint64_t slice) {
  const uint64_t b = st.block_offset + slice;
  feistel_keys f;
  for (uint32_t half = 0; half < 2; ++half) {
    const philox_counter w = philox4x32(
        {static_cast<uint32_t>(b), static_cast<uint32_t>(b >> 32), half, kPermutationTag}, st.key);
    for (int i = 0; i < 4; ++i) f.k[4 * half + i] = w[static_cast<std::size_t>(i)];
  }
  return f;
}
static inline vu32 mix32(vu32 x) {
  x ^= x >> 16;
  x *= 0x7feb352du;
  x ^= x >> 15;
  x *= 0x846ca68bu;
  return x ^ (x >> 16);
}

// The widths of a position's parts.
struct feistel_split {
  int lo_bits;
  uint32_t hi_mask, lo_mask;
  explicit feistel_split(uint64_t n) {
    int b = 1;
    while (b < 64 && (uint64_t{1} << b) < n) ++b;
    const int hi_bits = (b + 1) / 2;
    lo_bits = b / 2;
    hi_mask = (hi_bits == 32) ? ~0u : ((1u << hi_bits) - 1u);
    lo_mask = (lo_bits == 32) ? ~0u : ((1u << lo_bits) - 1u);
  }
};

// The rounds on U independent vectors side by side, so that their chains of
// multiplications overlap.
template <int U>
static inline void feistel_rounds(vu32 (&hi)[U], vu32 (&lo)[U], const vu32* k,
                                  const feistel_split& fs) {
  for (int r = 0; r < kFeistelRounds; r += 2) {
    for (int u = 0; u < U; ++u) hi[u] ^= mix32(lo[u] ^ k[r]) & fs.hi_mask;
    for (int u = 0; u < U; ++u) lo[u] ^= mix32(hi[u] ^ k[r + 1]) & fs.lo_mask;
  }
}
static inline vu64 feistel_image(vu32 hi, vu32 lo, const feistel_split& fs) {
  return (widen_u64(hi) << static_cast<uint64_t>(fs.lo_bits)) | widen_u64(lo);
}

// The network applied again and again from (hi, lo) on the lanes `pending`:
// each one's first image in [0, n) (0 in the other lanes).
static inline vu64 feistel_walk(vu32 hi, vu32 lo, const vu32* k, const feistel_split& fs,
                                uint64_t n, uint32_t pending) {
  vu64 y = {};
  while (pending) {
    vu32 h1[1] = {hi}, l1[1] = {lo};
    feistel_rounds<1>(h1, l1, k, fs);
    hi = h1[0];
    lo = l1[0];
    const vu64 img = feistel_image(hi, lo, fs);
    const uint32_t bits = mask_bits(img < n);
    // Lanes already done keep their value; the others take this image.
    const vi64 take = lanes_of_bits(pending);
    y = select(take, img, y);
    pending &= ~bits;
  }
  return y;
}

static inline void permutation_run(const bulk_args& a, uint64_t first, uint64_t count, void* out) {
  constexpr int U = 4;  // vectors per step on the fast path
  const uint64_t n = static_cast<uint64_t>(a.p[0].scalar);
  const feistel_split fs(n);
  int64_t* const dst = static_cast<int64_t*>(out);
  uint64_t s = first / n, i = first % n;
  uint64_t keyed = UINT64_MAX;  // the slice whose keys `kv` holds
  vu32 kv[kFeistelRounds];
  auto keys_of = [&](uint64_t slice) {
    if (keyed == slice) return;
    const feistel_keys f = slice_keys(a.stream, slice);
    for (int r = 0; r < kFeistelRounds; ++r) kv[r] = splat<vu32>(f.k[r]);
    keyed = slice;
  };
  auto advance = [&](uint64_t by) {
    i += by;
    if (i == n) {
      i = 0;
      ++s;
    }
  };
  uint64_t j = 0;
  // Fast path: U whole vectors of one slice, n <= 2^32 (32-bit positions).
  const bool narrow = n <= (uint64_t{1} << 32);
  const vu32 n32 = splat<vu32>(static_cast<uint32_t>(n - 1));
  while (narrow && count - j >= uint64_t{U} * W && n - i >= uint64_t{U} * W) {
    keys_of(s);
    vu32 hi[U], lo[U];
    for (int u = 0; u < U; ++u) {
      const vu32 x =
          splat<vu32>(static_cast<uint32_t>(i + static_cast<uint64_t>(u * W))) + iota_u32();
      hi[u] = x >> static_cast<uint32_t>(fs.lo_bits);
      lo[u] = x & fs.lo_mask;
    }
    feistel_rounds<U>(hi, lo, kv, fs);
    // Images >= n walk on, gathered (value, position) into whole vectors;
    // branch-free: every image is written, and the accepted one last.
    alignas(64) uint32_t wimg[U * W];
    uint16_t wpos[U * W + W];  // append_set_lanes writes up to W past the end
    uint32_t nw = 0;
    for (int u = 0; u < U; ++u) {
      const vu32 img = (hi[u] << static_cast<uint32_t>(fs.lo_bits)) | lo[u];
      store(dst + j + static_cast<uint64_t>(u * W), widen_u64(img));
      store(wimg + u * W, img);
      nw += append_set_lanes(wpos + nw, static_cast<uint32_t>(u * W),
                             ~mask_bits((vi32)(img <= n32)) & kLaneBits);
    }
    for (uint32_t q = 0; q < nw; ++q) wimg[q] = wimg[wpos[q]];  // wpos[q] >= q
    while (nw > 0) {
      vu32 wh[U], wl[U];
      for (int u = 0; u < U; ++u) {
        const vu32 img = load<vu32>(wimg + u * W);  // lanes past nw: stale, unused
        wh[u] = img >> static_cast<uint32_t>(fs.lo_bits);
        wl[u] = img & fs.lo_mask;
      }
      if (nw <= static_cast<uint32_t>(W)) {
        vu32 h1[1] = {wh[0]}, l1[1] = {wl[0]};
        feistel_rounds<1>(h1, l1, kv, fs);
        wh[0] = h1[0];
        wl[0] = l1[0];
      } else {
        feistel_rounds<U>(wh, wl, kv, fs);
      }
      for (int u = 0; u < U; ++u)
        store(wimg + u * W, (wh[u] << static_cast<uint32_t>(fs.lo_bits)) | wl[u]);
      uint32_t kept = 0;
      for (uint32_t q = 0; q < nw; ++q) {
        const uint32_t img = wimg[q];
        dst[j + wpos[q]] = img;
        wimg[kept] = img;
        wpos[kept] = wpos[q];
        kept += img > static_cast<uint32_t>(n - 1);
      }
      nw = kept;
    }
    j += uint64_t{U} * W;
    advance(uint64_t{U} * W);
  }
  // Any other vector, lane by lane where it spans slices.
  for (; j < count; j += W) {
    const int lanes = (count - j >= static_cast<uint64_t>(W)) ? W : static_cast<int>(count - j);
    vu32 hi = {}, lo = {};
    const vu32* k = kv;
    vu32 kl[kFeistelRounds] = {};
    if (n - i >= static_cast<uint64_t>(lanes)) {  // the lanes lie in one slice
      keys_of(s);
      for (int l = 0; l < W; ++l) {
        hi[l] = static_cast<uint32_t>((i + static_cast<uint64_t>(l)) >> fs.lo_bits);
        lo[l] = static_cast<uint32_t>(i + static_cast<uint64_t>(l)) & fs.lo_mask;
      }
      advance(static_cast<uint64_t>(lanes));
    } else {
      feistel_keys f = slice_keys(a.stream, s);
      for (int l = 0; l < W; ++l) {
        hi[l] = static_cast<uint32_t>(i >> fs.lo_bits);
        lo[l] = static_cast<uint32_t>(i) & fs.lo_mask;
        for (int r = 0; r < kFeistelRounds; ++r) kl[r][l] = f.k[r];
        if (l < lanes && ++i == n) {
          i = 0;
          ++s;
          if (l + 1 < lanes) f = slice_keys(a.stream, s);
        }
      }
      k = kl;
    }
    const uint32_t live = (lanes == 32) ? ~0u : ((1u << lanes) - 1u);
    store_lanes(dst + j, (vi64)feistel_walk(hi, lo, k, fs, n, live), lanes);
  }
}

// ---- the entry point -----------------------------------------------------------------

template <class CT>
void bulk_typed(const bulk_args& a, uint64_t first, uint64_t count, void* out) {
  using vec = typename vtypes<CT>::vec;
  const param_source<CT> P0(a.p[0]), P1(a.p[1]);
  const philox_stream& st = a.stream;
  switch (a.kind) {
    case bulk_kind::exponential:
      plain<CT, bulk_kind::exponential>(a, first, count, [&](vec s, uint64_t j, int lanes) {
        put<CT>(out, j, P0(j, lanes) * s, lanes);
      });
      break;
    case bulk_kind::laplace:
      plain<CT, bulk_kind::laplace>(a, first, count, [&](vec s, uint64_t j, int lanes) {
        put<CT>(out, j, P0(j, lanes) + P1(j, lanes) * s, lanes);
      });
      break;
    case bulk_kind::logistic:
      plain<CT, bulk_kind::logistic>(a, first, count, [&](vec s, uint64_t j, int lanes) {
        put<CT>(out, j, P0(j, lanes) + P1(j, lanes) * s, lanes);
      });
      break;
    case bulk_kind::gumbel:
      plain<CT, bulk_kind::gumbel>(a, first, count, [&](vec s, uint64_t j, int lanes) {
        put<CT>(out, j, P0(j, lanes) + P1(j, lanes) * s, lanes);
      });
      break;
    case bulk_kind::cauchy:
      plain<CT, bulk_kind::cauchy>(
          a, first, count, [&](vec s, uint64_t j, int lanes) { put<CT>(out, j, s, lanes); });
      break;
    case bulk_kind::rayleigh:
      plain<CT, bulk_kind::rayleigh>(a, first, count, [&](vec s, uint64_t j, int lanes) {
        put<CT>(out, j, P0(j, lanes) * s, lanes);
      });
      break;
    case bulk_kind::lognormal:
      bulk_plain<CT>(normal_sampler<CT>{}, st, first, count, [&](vec s, uint64_t j, int lanes) {
        put<CT>(out, j, vexp(P0(j, lanes) + P1(j, lanes) * s), lanes);
      });
      break;
    case bulk_kind::weibull:
      plain<CT, bulk_kind::weibull>(a, first, count, [&](vec s, uint64_t j, int lanes) {
        const vec k = P0(j, lanes);
        const vec safe = select(vgt(s, CT(0)), s, splat<vec>(CT(1)));
        const vec y = select(vgt(s, CT(0)), vexp(vlog(safe) / k), vec{});
        put<CT>(out, j, select(veq(k, CT(0)), vec{}, y), lanes);
      });
      break;
    case bulk_kind::pareto:
      if constexpr (sizeof(CT) == 8) {
        plain<CT, bulk_kind::pareto>(a, first, count, [&](vec s, uint64_t j, int lanes) {
          put<CT>(out, j, vexpm1(s / P0(j, lanes)), lanes);
        });
      }
      break;
    case bulk_kind::power:
      plain<CT, bulk_kind::power>(a, first, count, [&](vec s, uint64_t j, int lanes) {
        put<CT>(out, j, vexp((vec{} - s) / P0(j, lanes)), lanes);
      });
      break;
    case bulk_kind::geometric:
      if constexpr (sizeof(CT) == 8) {
        plain<CT, bulk_kind::geometric>(a, first, count, [&](vec s, uint64_t j, int lanes) {
          const vec p = P0(j, lanes);
          const auto one = vge(p, 1.0);
          const vec rate = vec{} - vlog1p(vec{} - select(one, splat<vec>(0.5), p));
          const vec y = s / rate;
          const vec small = vmin(y, splat<vec>(0x1p50));
          const vec c = vec{} - vfloor(vec{} - small);  // ceil
          const vec k = vmax(select(vge(y, 0x1p50), y, c), splat<vec>(1.0));
          put_count(out, j, select(one, splat<vec>(1.0), k), lanes);
        });
      }
      break;
    case bulk_kind::gamma: {
      const gamma_setups<CT> setup(a.p[0], CT(1));
      per_element_compact<CT>(
          a, first, count,
          [&](vu32 lo, vu32 hi, vec p0, vec, uint32_t live, vec& v) {
            return gamma_fast<CT>(st, lo, hi, 0, p0, setup(p0), live, v);
          },
          [&](vu32 lo, vu32 hi, vec p0, vec, uint32_t live) {
            return gamma_value<CT>(st, lo, hi, 0, p0, live);
          },
          [&](vec v, uint64_t j, int lanes) { put<CT>(out, j, P1(j, lanes) * v, lanes); });
      break;
    }
    case bulk_kind::log_gamma:
      per_element(a, first, count, [&](vu32 lo, vu32 hi, uint64_t j, int lanes, uint32_t live) {
        vec v, lb;
        gamma_lanes<CT>(st, lo, hi, 0, P0(j, lanes), live, v, lb);
        const vec safe = select(vgt(v, CT(0)), v, splat<vec>(CT(1)));
        const vec lg = select(vgt(v, CT(0)), vlog(safe) + lb, splat<vec>(CT(-__builtin_inf())));
        put<CT>(out, j, select(veq(v, v), lg, v), lanes);
      });
      break;
    case bulk_kind::beta: {
      // X / (X + Y) = 1 / (1 + Y / X), in logs so tiny shapes do not give 0 / 0.
      auto ratio = [](vec x, vec lx, vec y, vec ly) {
        const vec sx = select(vgt(x, CT(0)), x, splat<vec>(CT(1)));
        const vec sy = select(vgt(y, CT(0)), y, splat<vec>(CT(1)));
        const vec t = (vlog(sy) + ly) - (vlog(sx) + lx);
        const vec r = CT(1) / (CT(1) + vexp(t));
        return select(veq(x, x) & veq(y, y), r, x + y);  // NaN shapes: NaN
      };
      const gamma_setups<CT> setup_x(a.p[0], CT(1)), setup_y(a.p[1], CT(1));
      // X and Y of a stage each through their own compaction, so that a lane
      // whose X the squeeze accepts and whose Y it rejects redraws Y alone; the
      // values are gamma_lanes' either way, so the bits are those of drawing
      // both per lane.
      alignas(64) CT xs[kStageElems + W], ys[kStageElems + W];
      for (uint64_t s0 = 0; s0 < count; s0 += kStageElems) {
        const uint64_t n = std::min<uint64_t>(kStageElems, count - s0);
        bulk_args part = a;
        part.p[0] = a.p[0].from(s0);
        part.p[1] = a.p[1].from(s0);
        auto draw = [&](uint32_t tag, bool second, const gamma_setups<CT>& setup, CT* dst) {
          per_element_compact<CT>(
              part, first + s0, n,
              [&](vu32 lo, vu32 hi, vec p0, vec p1, uint32_t, vec& v) {
                const vec shape = second ? p1 : p0;
                return gamma_fast_accepted<CT>(st, lo, hi, tag, shape, setup(shape), v);
              },
              [&](vu32 lo, vu32 hi, vec p0, vec p1, uint32_t live) {
                const vec shape = second ? p1 : p0;
                return gamma_accepted<CT>(st, lo, hi, tag, shape, gamma_setup<CT>(shape), live);
              },
              [&](vec v, uint64_t j, int lanes) { store_n(dst + j, v, lanes); });
        };
        draw(0, false, setup_x, xs);
        draw(2, true, setup_y, ys);
        const param_source<CT> Q0(part.p[0]), Q1(part.p[1]);
        for (uint64_t j = 0; j < n; j += W) {
          const int lanes = (n - j >= static_cast<uint64_t>(W)) ? W : static_cast<int>(n - j);
          const uint32_t live = (lanes == 32) ? ~0u : ((1u << lanes) - 1u);
          vu32 lo, hi;
          block_counters(st.block_offset + first + s0 + j, lo, hi);
          const vec p0 = Q0(j, lanes), p1 = Q1(j, lanes);
          const vec lx = gamma_logboost<CT>(st, lo, hi, 0, p0, setup_x(p0), live);
          const vec ly = gamma_logboost<CT>(st, lo, hi, 2, p1, setup_y(p1), live);
          put<CT>(out, s0 + j, ratio(load<vec>(xs + j), lx, load<vec>(ys + j), ly), lanes);
        }
      }
      break;
    }
    case bulk_kind::standard_t: {
      auto t_of = [&](vu32 lo, vu32 hi, vec df, vec g) {
        const words w = philox_tagged(lo, hi, vu32{}, 4, st.key);
        vec z, zs;
        if constexpr (sizeof(CT) == 8)
          box_muller(open_unit_f64(w.x0, w.x1), unit_f64(w.x2, w.x3), z, zs);
        else
          box_muller(open_unit_f32(w.x0), unit_f32(w.x1), z, zs);
        return z * vsqrt(df * CT(0.5)) / vsqrt(g);
      };
      const gamma_setups<CT> setup(a.p[0], CT(0.5));
      per_element_compact<CT>(
          a, first, count,
          [&](vu32 lo, vu32 hi, vec df, vec, uint32_t live, vec& v) {
            vec g;
            const vec shape = df * CT(0.5);
            const uint32_t done = gamma_fast<CT>(st, lo, hi, 0, shape, setup(shape), live, g);
            if (done & live) v = t_of(lo, hi, df, g);
            return done;
          },
          [&](vu32 lo, vu32 hi, vec df, vec, uint32_t live) {
            return t_of(lo, hi, df, gamma_value<CT>(st, lo, hi, 0, df * CT(0.5), live));
          },
          [&](vec v, uint64_t j, int lanes) { put<CT>(out, j, v, lanes); });
      break;
    }
    case bulk_kind::poisson:
      if constexpr (sizeof(CT) == 8) {
        const poisson_table table = make_poisson_table(a.p[0]);
        const vi64 one_small = vlt(splat<vf64>(a.p[0].scalar), 10.0);
        const ptrs_setup one_s(splat<vf64>(a.p[0].scalar), one_small);
        const ptrs_accept one_acc(one_s);
        per_element_compact<CT>(
            a, first, count,
            [&](vu32 lo, vu32 hi, vec p0, vec, uint32_t live, vec& v) {
              if (table.n >= 0) {
                v = poisson_by_table(st, lo, hi, table);
                return live;
              }
              return poisson_fast(st, lo, hi, p0, live, v, a.p[0].values ? nullptr : &one_s);
            },
            [&](vu32 lo, vu32 hi, vec p0, vec, uint32_t live) {
              return poisson_lanes(st, lo, hi, p0, live);
            },
            [&](vec v, uint64_t j, int lanes) { put_count(out, j, v, lanes); },
            make_steps<kRejectionSteps>(
                [&](vu32 lo, vu32 hi, vec p0, vec, uint32_t at, uint32_t, vec& v) {
                  if (!a.p[0].values)  // one rate: its constants once
                    return poisson_step(st, lo, hi, one_s, one_acc, one_small, at, v);
                  const vi64 small = vlt(p0, 10.0);
                  const ptrs_setup s(p0, small);
                  return poisson_step(st, lo, hi, s, ptrs_accept(s), small, at, v);
                }));
      }
      break;
    case bulk_kind::binomial:
      if constexpr (sizeof(CT) == 8) {
        const binomial_table table = make_binomial_table(a.p[0], a.p[1]);
        const binomial_arms one_arms(splat<vf64>(a.p[0].scalar), splat<vf64>(a.p[1].scalar));
        const btrs_setup one_s(splat<vf64>(a.p[0].scalar), one_arms);
        const btrs_accept one_acc(one_s);
        per_element_compact<CT>(
            a, first, count,
            [&](vu32 lo, vu32 hi, vec p0, vec p1, uint32_t live, vec& v) {
              if (table.m >= 0) {
                v = binomial_by_table(st, lo, hi, table, live);
                return live;
              }
              return binomial_fast(st, lo, hi, p0, p1, live, v,
                                   a.p[0].values || a.p[1].values ? nullptr : &one_s);
            },
            [&](vu32 lo, vu32 hi, vec p0, vec p1, uint32_t live) {
              return binomial_lanes(st, lo, hi, p0, p1, live);
            },
            [&](vec v, uint64_t j, int lanes) { put_count(out, j, v, lanes); },
            make_steps<kRejectionSteps>(
                [&](vu32 lo, vu32 hi, vec p0, vec p1, uint32_t at, uint32_t, vec& v) {
                  if (!a.p[0].values && !a.p[1].values)  // one (n, p): its constants once
                    return binomial_step(st, lo, hi, p0, one_arms, one_s, one_acc, at, v);
                  const binomial_arms arms(p0, p1);
                  const btrs_setup s(p0, arms);
                  return binomial_step(st, lo, hi, p0, arms, s, btrs_accept(s), at, v);
                }));
      }
      break;
    case bulk_kind::permutation:  // permutation_run
      break;
  }
}

void bulk_entry(const bulk_args& a, uint64_t first, uint64_t count, void* out) {
  if (a.kind == bulk_kind::permutation) return permutation_run(a, first, count, out);
  if (a.out == dtype::float32)
    bulk_typed<float>(a, first, count, out);
  else
    bulk_typed<double>(a, first, count, out);
}

}  // namespace
}  // namespace turboinit::kernels::TURBOINIT_TARGET
