#include "samplers/integers.hpp"

#include "samplers/bounded.hpp"

#include <algorithm>
#include <atomic>
#include <limits>
#include <stdexcept>
#include <string>

#include "runtime/dispatch.hpp"
#include "simd/kernels.hpp"
#include "tensor/region_fill.hpp"

namespace turboinit {
namespace {

struct int_info {
  const char* name;
  int bytes;
  bool is_signed;
};

int_info info(int_dtype t) {
  switch (t) {
    case int_dtype::int8: return {"int8", 1, true};
    case int_dtype::int16: return {"int16", 2, true};
    case int_dtype::int32: return {"int32", 4, true};
    case int_dtype::int64: return {"int64", 8, true};
    case int_dtype::uint8: return {"uint8", 1, false};
    case int_dtype::uint16: return {"uint16", 2, false};
    case int_dtype::uint32: return {"uint32", 4, false};
    case int_dtype::uint64: return {"uint64", 8, false};
    case int_dtype::boolean: return {"bool", 1, false};
  }
  throw std::invalid_argument("dtype: unknown integer dtype");
}

// The largest span the layout and the dtype allow.
uint64_t max_span(int_dtype t, bool wide) {
  if (t == int_dtype::boolean) return 1;
  const int bits = 8 * info(t).bytes;
  const uint64_t by_type = bits == 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1;
  return wide ? by_type : std::min<uint64_t>(by_type, 0xFFFFFFFFu);
}

void run(void* out, int_dtype t, const tensor_region& region, const kernels::integers_args& args,
         const exec_options& options) {
  const auto& k = active_kernel();
  fill_region(out, itemsize(t), region, options, [&](uint64_t first, uint64_t count, void* dst) {
    k.integers(args, first, count, dst);
  });
}

}  // namespace

std::size_t itemsize(int_dtype t) { return static_cast<std::size_t>(info(t).bytes); }
const char* dtype_name(int_dtype t) { return info(t).name; }

int_dtype int_dtype_from_int(int code) {
  if (code < 0 || code > static_cast<int>(int_dtype::boolean))
    throw std::invalid_argument("dtype: unknown integer dtype code " + std::to_string(code));
  return static_cast<int_dtype>(code);
}

void fill_integers(void* out, int_dtype t, const tensor_region& region, const philox_stream& stream,
                   uint64_t low, uint64_t span, const exec_options& options) {
  const int_info ti = info(t);
  const std::string of = std::string(" is out of bounds for ") + ti.name;
  __extension__ typedef __int128 i128;
  // The dtype's range and the requested one, exactly.
  const int bits = t == int_dtype::boolean ? 1 : 8 * ti.bytes;
  const i128 lo_t = ti.is_signed ? -(i128{1} << (bits - 1)) : 0;
  const i128 hi_t = ti.is_signed ? (i128{1} << (bits - 1)) - 1 : (i128{1} << bits) - 1;
  const i128 lo = ti.is_signed ? i128{static_cast<int64_t>(low)} : i128{low};
  if (lo < lo_t || lo > hi_t) throw std::invalid_argument("low" + of);
  if (lo + i128{span} > hi_t) throw std::invalid_argument("high" + of);
  region.validate();
  const bool wide = span > 0xFFFFFFFFu;
  check_counter_space(region, stream, integers_per_block(wide));
  kernels::integers_args args;
  args.stream = stream;
  args.itemsize = ti.bytes;
  args.low = low;
  args.span = span;
  args.wide = wide;
  run(out, t, region, args, options);
}

void fill_integers_in_place(void* out, int_dtype t, const tensor_region& region,
                            const philox_stream& stream, bool wide, const exec_options& options) {
  const int item = info(t).bytes;
  region.validate();
  check_counter_space(region, stream, integers_per_block(wide));
  // The kernel relies on every span fitting the layout: check them all first.
  const uint64_t limit = max_span(t, wide);
  if (limit != ~uint64_t{0} && region.size() > 0) {
    std::atomic<bool> bad{false};
    parallel_for(
        region.size(), kFillGrain,
        [&](uint64_t e0, uint64_t e1) {
          const char* p = static_cast<const char*>(out);
          uint64_t worst = 0;
          for (uint64_t e = e0; e < e1; ++e)
            worst = std::max(worst, bounded::read_span(p + e * item, item));
          if (worst > limit) bad.store(true);
        },
        options);  // interruptible too: it reads the whole output
    if (bad.load())
      throw std::invalid_argument(
          std::string("spans: a span exceeds ") + std::to_string(limit) +
          (t == int_dtype::boolean ? " (bool)" : " (pass wide=true for spans >= 2^32)"));
  }
  kernels::integers_args args;
  args.stream = stream;
  args.itemsize = item;
  args.wide = wide;
  args.per_element = true;
  run(out, t, region, args, options);
}

}  // namespace turboinit
