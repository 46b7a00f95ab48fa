// A rectangular region of a row-major tensor, and its decomposition into
// runs of consecutive flat indices.
#pragma once

#include <cstdint>
#include <vector>

namespace turboinit {

struct tensor_region {
  std::vector<uint64_t> shape;  // the full tensor
  std::vector<uint64_t> start;  // per dimension, start + extent <= shape
  std::vector<uint64_t> extent;

  static tensor_region whole(std::vector<uint64_t> shape);
  uint64_t full_size() const;  // product of shape
  uint64_t size() const;       // product of extent
  // Throws std::invalid_argument (naming `region`) if inconsistent, and
  // std::overflow_error if the element count overflows 64 bits.
  void validate() const;
};

// The region as `runs` runs of `run_length` consecutive flat indices.
class run_decomposition {
 public:
  explicit run_decomposition(const tensor_region& r);
  uint64_t run_length() const { return run_length_; }
  uint64_t runs() const { return runs_; }
  // Flat index (in the full tensor) of the first element of run `i`.
  uint64_t run_start(uint64_t i) const;

 private:
  std::vector<uint64_t> outer_extent_, outer_start_, outer_stride_;
  uint64_t base_ = 0, run_length_ = 0, runs_ = 0;
};

}  // namespace turboinit
