#include "tensor/gather.hpp"

#include <atomic>
#include <cstring>

namespace turboinit {

namespace {

// Rows [lo, hi) of dst; B the row size when known at compile time (one load
// and store per row), else 0 and the row size is b.
template <std::size_t B>
bool gather_range(const char* src, uint64_t rows, const int64_t* idx, uint64_t lo, uint64_t hi,
                  std::size_t b, char* dst) {
  const std::size_t size = B ? B : b;
  bool ok = true;
  for (uint64_t i = lo; i < hi; ++i) {
    const uint64_t k = static_cast<uint64_t>(idx[i]);
    ok &= k < rows;
    std::memcpy(dst + i * size, src + (k < rows ? k : 0) * size, size);
  }
  return ok;
}

}  // namespace

bool gather_rows(const void* src, uint64_t rows, const int64_t* idx, uint64_t n,
                 std::size_t row_bytes, void* dst, const exec_options& opt) {
  const char* s = static_cast<const char*>(src);
  char* d = static_cast<char*>(dst);
  std::atomic<bool> all_in{true};
  const uint64_t grain = row_bytes >= 4096 ? 16 : (uint64_t{1} << 16) / (row_bytes + 8) + 1;
  parallel_for(
      n, grain,
      [&](uint64_t lo, uint64_t hi) {
        bool ok;
        switch (row_bytes) {
          case 1: ok = gather_range<1>(s, rows, idx, lo, hi, 1, d); break;
          case 2: ok = gather_range<2>(s, rows, idx, lo, hi, 2, d); break;
          case 4: ok = gather_range<4>(s, rows, idx, lo, hi, 4, d); break;
          case 8: ok = gather_range<8>(s, rows, idx, lo, hi, 8, d); break;
          case 16: ok = gather_range<16>(s, rows, idx, lo, hi, 16, d); break;
          default: ok = gather_range<0>(s, rows, idx, lo, hi, row_bytes, d); break;
        }
        if (!ok) all_in.store(false, std::memory_order_relaxed);
      },
      opt);
  return all_in.load();
}

}  // namespace turboinit
