// The raw Philox4x32 block function and the raw 32-bit stream.
#include <algorithm>
#include <cstring>
#include <string>
#include <tuple>
#include <vector>

#if defined(__linux__)
#include <sys/mman.h>
#endif

#include <pybind11/typing.h>

#include "bindings/common.hpp"
#include "rng/philox.hpp"
#include "samplers/distributions.hpp"

namespace turboinit::bindings {

namespace {
// Transparent huge pages for the 2 MiB-aligned inside of a large new buffer
// (Linux, THP in madvise mode), as NumPy asks for its own arrays from 4 MiB:
// the parallel first touch then faults in 2 MiB pages instead of 4 KiB ones.
void advise_huge_pages(char* p, uint64_t n) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  constexpr uintptr_t kHuge = uintptr_t{1} << 21;
  if (n < (uint64_t{4} << 20)) return;
  const uintptr_t lo = (reinterpret_cast<uintptr_t>(p) + kHuge - 1) & ~(kHuge - 1);
  const uintptr_t hi = (reinterpret_cast<uintptr_t>(p) + n) & ~(kHuge - 1);
  if (hi > lo) madvise(reinterpret_cast<void*>(lo), hi - lo, MADV_HUGEPAGE);  // a hint only
#else
  (void)p;
  (void)n;
#endif
}
}  // namespace

void bind_philox(py::module_& m) {
  m.def(
      "philox4x32",
      [](py::array_t<uint32_t, py::array::c_style> counter, uint32_t k0, uint32_t k1, int rounds) {
        if (rounds < 0 || rounds > 16) throw py::value_error("rounds: must be in [0, 16]");
        py::array_t<uint32_t> result(counter.request().shape);
        const auto n = static_cast<std::size_t>(counter.size() / 4);
        const uint32_t* in = counter.data();
        uint32_t* out = result.mutable_data();
        for (std::size_t i = 0; i < n; ++i) {
          const philox_counter c{in[4 * i], in[4 * i + 1], in[4 * i + 2], in[4 * i + 3]};
          const philox_counter r = turboinit::philox4x32(c, {k0, k1}, rounds);
          for (int j = 0; j < 4; ++j) out[4 * i + j] = r[static_cast<std::size_t>(j)];
        }
        return result;
      },
      "counter"_a, "k0"_a, "k1"_a, "rounds"_a,
      "The Philox4x32 block function with `rounds` rounds on an (..., 4) array of counters "
      "under the key (k0, k1).");

  def_fill<raw32>(
      m, "bits",
      [](const fill_call<raw32>& c) {
        fill_bits(static_cast<uint32_t*>(c.out), c.region, c.stream, c.options);
      },
      "Fill out (uint32) with the raw words behind a float32 uniform of the same region.");

  m.def(
      "bits_bytes",
      [](uint64_t length, const py::typing::Callable<py::object()>& reserve) {
        // The new bytes object first: a MemoryError leaves the stream untouched.
        if (length == 0 || length > static_cast<uint64_t>(PY_SSIZE_T_MAX))
          throw py::value_error("length: must be in [1, PY_SSIZE_T_MAX], got " +
                                std::to_string(length));
        auto result = py::reinterpret_steal<py::bytes>(
            PyBytes_FromStringAndSize(nullptr, static_cast<Py_ssize_t>(length)));
        if (!result) throw py::error_already_set();
        const auto keys = reserve().cast<std::tuple<uint32_t, uint32_t, uint64_t>>();
        const philox_stream stream{{std::get<0>(keys), std::get<1>(keys)}, std::get<2>(keys)};
        const uint64_t whole = length / 4, words = whole + (length % 4 != 0);
        char* const dst = PyBytes_AS_STRING(result.ptr());
        advise_huge_pages(dst, length);
        const exec_options options = interruptible();
        run_without_gil([&] {
          auto fill = [&](uint32_t* out, uint64_t start, uint64_t n) {
            fill_bits(out, make_region({words}, {start}, {n}), stream, options);
          };
          if (whole > 0) {
            if (reinterpret_cast<uintptr_t>(dst) % alignof(uint32_t) == 0) {
              fill(reinterpret_cast<uint32_t*>(dst), 0, whole);
            } else {
              std::vector<uint32_t> tmp(whole);
              fill(tmp.data(), 0, whole);
              std::memcpy(dst, tmp.data(), whole * 4);
            }
          }
          if (whole < words) {
            uint32_t last = 0;
            fill(&last, whole, 1);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
            last = __builtin_bswap32(last);
#endif
            std::memcpy(dst + whole * 4, &last, length % 4);
          }
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
          auto* w = reinterpret_cast<unsigned char*>(dst);
          for (uint64_t i = 0; i < whole; ++i) std::reverse(w + 4 * i, w + 4 * i + 4);
#endif
        });
        return result;
      },
      "length"_a, "reserve"_a,
      "A new bytes object of `length` (>= 1) bytes: the little-endian bytes of the raw words "
      "bits() gives for ceil(length / 4) elements, written in place (no copy). reserve() is "
      "called once the object exists and returns the stream's (k0, k1, block_offset).");
}

}  // namespace turboinit::bindings
