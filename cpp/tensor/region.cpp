#include "tensor/region.hpp"

#include <stdexcept>
#include <string>

namespace turboinit {

tensor_region tensor_region::whole(std::vector<uint64_t> shape) {
  tensor_region r;
  r.start.assign(shape.size(), 0);
  r.extent = shape;
  r.shape = std::move(shape);
  return r;
}

static uint64_t checked_product(const std::vector<uint64_t>& v, const char* what) {
  uint64_t p = 1;
  bool zero = false;
  for (uint64_t d : v) zero = zero || d == 0;
  if (zero) return 0;
  for (uint64_t d : v) {
    if (__builtin_mul_overflow(p, d, &p) || p > (uint64_t{1} << 62))
      throw std::overflow_error(std::string(what) + ": too many elements");
  }
  return p;
}

uint64_t tensor_region::full_size() const { return checked_product(shape, "shape"); }
uint64_t tensor_region::size() const { return checked_product(extent, "region"); }

void tensor_region::validate() const {
  if (start.size() != shape.size() || extent.size() != shape.size())
    throw std::invalid_argument("region: must have one slice per dimension of shape");
  for (std::size_t d = 0; d < shape.size(); ++d) {
    if (start[d] > shape[d] || extent[d] > shape[d] - start[d])
      throw std::invalid_argument("region: slice " + std::to_string(d) + " lies outside shape");
  }
  (void)full_size();
}

run_decomposition::run_decomposition(const tensor_region& r) {
  const std::size_t nd = r.shape.size();
  // Innermost dimensions that the region covers whole merge into one run.
  std::size_t split = nd;  // dims [split, nd) form the run
  uint64_t len = 1;
  while (split > 0) {
    const std::size_t d = split - 1;
    len *= r.extent[d];
    split = d;
    if (r.extent[d] != r.shape[d]) break;
  }
  run_length_ = len;
  uint64_t stride = 1;
  std::vector<uint64_t> strides(nd, 1);
  for (std::size_t d = nd; d-- > 0;) {
    strides[d] = stride;
    stride *= r.shape[d];
  }
  base_ = 0;
  for (std::size_t d = 0; d < nd; ++d) base_ += r.start[d] * strides[d];
  runs_ = 1;
  for (std::size_t d = 0; d < split; ++d) {
    outer_extent_.push_back(r.extent[d]);
    outer_start_.push_back(r.start[d]);
    outer_stride_.push_back(strides[d]);
    runs_ *= r.extent[d];
  }
  if (run_length_ == 0) runs_ = 0;
}

uint64_t run_decomposition::run_start(uint64_t i) const {
  uint64_t flat = base_;
  for (std::size_t d = outer_extent_.size(); d-- > 0;) {
    const uint64_t idx = i % outer_extent_[d];
    i /= outer_extent_[d];
    flat += idx * outer_stride_[d];
  }
  return flat;
}

}  // namespace turboinit
