// Sparse initialisation of a (rows, cols) weight matrix in PyTorch's (out, in)
// layout: PyTorch's sparse_ (a fixed number of zeros per column) and Martens's
// (2010) scheme (a fixed number of non-zero incoming weights per output unit,
// i.e. per row).
//
// Which entries are zero is drawn per unit (column or row) with Philox
// counters that name the unit, so it never depends on threads or chunking.
// The non-zero values are exactly the values fill_normal gives at the same
// flat indices, so sparse == where(mask, normal, 0) bit for bit.
#pragma once

#include <cstdint>
#include <limits>
#include <stdexcept>

#include "samplers/bounded.hpp"
#include "tensor/dtype.hpp"
#include "runtime/parallel.hpp"
#include "rng/philox.hpp"
#include "tensor/region.hpp"

namespace turboinit {

// Counter word 3 of every draw that picks sparse positions.  The samplers
// keep word 3 at zero, so these draws never reuse a sampler's counter.
inline constexpr uint32_t kSparseCounterTag = 0x53505253u;  // "SPRS"

enum class sparse_mode : int {
  zeros_per_column = 0,  // PyTorch: N(0, std^2), then `count` zeros in every column
  nonzeros_per_row = 1,  // Martens: `count` N(0, std^2) entries in every row, zeros elsewhere
};
// The Python names of sparse_mode, indexed by its value.
inline constexpr const char* kSparseModeNames[] = {"zeros_per_column", "nonzeros_per_row"};

// Fills `region` of the row-major (rows, cols) matrix region.shape into `out`
// (region.size() elements of dtype `t`, row-major), bit for bit equal to that
// region of the whole.  Requires a 2-D region, count <= rows
// (zeros_per_column) or count <= cols (nonzeros_per_row), std finite and
// >= 0.  Throws std::invalid_argument / std::overflow_error (naming the
// argument) before writing anything.
void fill_sparse(void* out, dtype t, const tensor_region& region, const philox_stream& stream,
                 double std, sparse_mode mode, uint64_t count, const exec_options& options);

// The 64-bit random words of one unit: block b = block_offset + unit gives
// the counters (lo(b), hi(b), d, kSparseCounterTag), d = 0, 1, ..., two words each.
class sparse_draws {
 public:
  sparse_draws(const philox_stream& stream, uint64_t unit)
      : key_(stream.key), block_(stream.block_offset + unit) {}

  uint64_t next() {
    if (half_ == 0) {
      if (draw_block_ > std::numeric_limits<uint32_t>::max())
        throw std::overflow_error("sparse: a unit needs more than 2^33 random draws");
      words_ = philox4x32(
          {uint32_t(block_), uint32_t(block_ >> 32), uint32_t(draw_block_), kSparseCounterTag},
          key_);
      ++draw_block_;
    }
    const uint64_t lo = words_[2 * half_], hi = words_[2 * half_ + 1];
    half_ ^= 1u;
    return lo | (hi << 32);
  }

  // Uniform on [0, range), range >= 1, without bias (samplers/bounded.hpp).
  uint64_t below(uint64_t range) {
    uint64_t t = bounded::kUnknown, v = 0;
    while (!bounded::accept(next(), range, t, v)) {
    }
    return v;
  }

 private:
  philox_key key_;
  uint64_t block_;
  uint64_t draw_block_ = 0;
  unsigned half_ = 0;
  philox_counter words_{};
};

// A uniformly random k-subset of [0, n) for unit `unit`: Floyd's algorithm,
// k draws.  `marked(p)` says whether p is already in this unit's subset;
// `mark(p)` adds it.  The subset depends only on (key, block_offset, unit, n,
// k), not on how it is stored.  Callers draw min(k, n - k) positions and take
// the complement when k > n / 2 (sparse_complement).  Used for units of at
// most kSparseFloydMax positions (sparse_unit).
template <class Marked, class Mark>
void sparse_select(const philox_stream& stream, uint64_t unit, uint64_t n, uint64_t k,
                   Marked&& marked, Mark&& mark) {
  sparse_draws draws(stream, unit);
  for (uint64_t j = n - k; j < n; ++j) {
    const uint64_t pos = draws.below(j + 1);
    mark(marked(pos) ? j : pos);
  }
}

// Whether a unit with k of n positions chosen draws the n - k others instead.
inline bool sparse_complement(uint64_t n, uint64_t k) { return k > n - k; }

// Units up to this many positions draw their subset with Floyd's algorithm
// (exactly uniform; the subset fits one 64-bit word, so a region of the unit
// costs at most 32 draws).  Larger units use sparse_permutation.
inline constexpr uint64_t kSparseFloydMax = 64;

// A keyed pseudo-random permutation pi of [0, n), n > kSparseFloydMax, for one
// unit: the unit's subset of k positions is {p : pi(p) < k}.  So whether one
// position is chosen costs one evaluation of pi, and the whole subset
// min(k, n - k) evaluations of pi^-1, whatever the rest of the unit: a region
// of the unit costs in proportion to the region.
//
// pi is an 8-round Feistel network on the smallest power-of-two domain 2^b >=
// n (b = h + l bits: the high h = ceil(b / 2) and low l = floor(b / 2) bits),
// restricted to [0, n) by cycle walking (apply it again until the value is <
// n; on average < 2 applications).  Round i (i = 0..7) adds, by exclusive or,
// F_i(the other half) to the high half (even i) or to the low half (odd i),
// with F_i(v) = mix64(v ^ K_i).  The round keys K_i = mix64(W_{i mod 4} ^
// ((i + 1) * 0x9E3779B97F4A7C15)), W_0..W_3 the 64-bit words (x0 + 2^32 x1,
// x2 + 2^32 x3) of the blocks d = 0, 1 of sparse_draws' counters for the unit.
// mix64 is the splitmix64 finaliser.  Integers only: the same bits everywhere.
class sparse_permutation {
 public:
  static constexpr int kRounds = 8;

  sparse_permutation(const philox_stream& stream, uint64_t unit, uint64_t n) : n_(n) {
    sparse_draws draws(stream, unit);
    uint64_t w[4];
    for (auto& x : w) x = draws.next();
    for (int i = 0; i < kRounds; ++i)
      keys_[i] = mix64(w[i % 4] ^ (uint64_t(i + 1) * 0x9E3779B97F4A7C15ull));
    const unsigned b = 64u - unsigned(__builtin_clzll(n - 1));  // n > 64: b in [7, 64]
    lo_bits_ = b / 2;
    lo_mask_ = (uint64_t{1} << lo_bits_) - 1;
    hi_mask_ = (b - lo_bits_ >= 64 ? ~uint64_t{0} : (uint64_t{1} << (b - lo_bits_)) - 1);
  }

  // pi(x) for x < n.
  uint64_t forward(uint64_t x) const {
    do x = round_trip<true>(x);
    while (x >= n_);
    return x;
  }
  // pi^-1(y) for y < n.
  uint64_t inverse(uint64_t y) const {
    do y = round_trip<false>(y);
    while (y >= n_);
    return y;
  }

  static uint64_t mix64(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }

 private:
  template <bool Forward>
  uint64_t round_trip(uint64_t x) const {
    uint64_t hi = x >> lo_bits_, lo = x & lo_mask_;
    for (int j = 0; j < kRounds; ++j) {
      const int i = Forward ? j : kRounds - 1 - j;
      if (i % 2 == 0)
        hi ^= mix64(lo ^ keys_[i]) & hi_mask_;
      else
        lo ^= mix64(hi ^ keys_[i]) & lo_mask_;
    }
    return (hi << lo_bits_) | lo;
  }

  uint64_t n_;
  unsigned lo_bits_;
  uint64_t lo_mask_, hi_mask_;
  uint64_t keys_[kRounds];
};

// The positions in [lo, lo + len) of unit `unit`'s k-subset of [0, n): calls
// mark(p, 1) for each, or, when it returns true, for each position in the range
// NOT in the subset (the caller inverts); mark(p, 0) may be called for other
// positions (so a caller can OR the flag in without a branch).  The subset is a pure function of
// (key, block_offset, unit, n, k); the cost is O(min(len, min(k, n - k))) for
// units above kSparseFloydMax, at most 32 draws below.
template <class Mark>
bool sparse_unit(const philox_stream& stream, uint64_t unit, uint64_t n, uint64_t k, uint64_t lo,
                 uint64_t len, Mark&& mark) {
  const bool complement = sparse_complement(n, k);
  const uint64_t draws = complement ? n - k : k;
  if (n <= kSparseFloydMax) {
    uint64_t chosen = 0;
    sparse_select(
        stream, unit, n, draws, [&](uint64_t p) { return ((chosen >> p) & 1u) != 0; },
        [&](uint64_t p) { chosen |= uint64_t{1} << p; });
    for (uint64_t p = lo; p < lo + len; ++p) mark(p, (chosen >> p) & 1u);
    return complement;
  }
  if (draws == 0) return complement;
  const sparse_permutation pi(stream, unit, n);
  if (len <= draws) {  // ask each position of the range
    for (uint64_t p = lo; p < lo + len; ++p) mark(p, uint64_t{pi.forward(p) < k});
    return false;
  }
  // enumerate the (smaller) chosen or unchosen side: pi^-1 of [0, k) or [k, n)
  const uint64_t first = complement ? k : 0;
  for (uint64_t y = first; y < first + draws; ++y) {
    const uint64_t p = pi.inverse(y);
    if (p >= lo && p - lo < len) mark(p, 1);
  }
  return complement;
}

}  // namespace turboinit
