#include "runtime/dispatch.hpp"

#include <atomic>
#include <cstdlib>
#include <mutex>
#include <stdexcept>

namespace turboinit {
namespace {

bool cpu_has_avx512() {
#if defined(TURBOINIT_HAVE_AVX512) && (defined(__GNUC__) || defined(__clang__))
  // __builtin_cpu_supports also checks that the OS saves the zmm state.
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
         __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
         __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
         __builtin_cpu_supports("f16c");
#else
  return false;
#endif
}

bool cpu_has_avx512bf16() {
#if defined(TURBOINIT_HAVE_AVX512BF16) && (defined(__GNUC__) || defined(__clang__))
  return cpu_has_avx512() && __builtin_cpu_supports("avx512bf16");
#else
  return false;
#endif
}

bool cpu_has_avx2() {
#if defined(TURBOINIT_HAVE_AVX2) && (defined(__GNUC__) || defined(__clang__))
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
         __builtin_cpu_supports("f16c");  // compiled with -mf16c (float16 stores)
#else
  return false;
#endif
}

std::atomic<const kernels::kernel_table*> g_active{nullptr};
std::once_flag g_init;
std::string g_warning;

const kernels::kernel_table* find(const std::string& name) {
  for (const auto* k : supported_kernels())
    if (name == k->name) return k;
  return nullptr;
}

void init_from_environment() {
  const auto all = supported_kernels();
  const kernels::kernel_table* chosen = all.front();
  if (const char* env = std::getenv("TURBOINIT_KERNEL"); env != nullptr && *env != '\0') {
    const std::string name(env);
    if (name != "avx512bf16" && name != "avx512" && name != "avx2" && name != "baseline") {
      g_warning = "TURBOINIT_KERNEL='" + name +
                  "' is not one of 'avx512bf16', 'avx512', 'avx2', 'baseline'; using '" +
                  chosen->name + "'";
    } else if (const auto* k = find(name)) {
      chosen = k;
    } else {
      g_warning = "TURBOINIT_KERNEL='" + name + "' is not supported by this CPU or build; using '" +
                  chosen->name + "'";
    }
  }
  g_active.store(chosen);
}

}  // namespace

std::vector<const kernels::kernel_table*> supported_kernels() {
  std::vector<const kernels::kernel_table*> out;
#ifdef TURBOINIT_HAVE_AVX512BF16
  if (cpu_has_avx512bf16()) out.push_back(kernels::table_avx512bf16());
#endif
#ifdef TURBOINIT_HAVE_AVX512
  if (cpu_has_avx512()) out.push_back(kernels::table_avx512());
#endif
#ifdef TURBOINIT_HAVE_AVX2
  if (cpu_has_avx2()) out.push_back(kernels::table_avx2());
#endif
  out.push_back(kernels::table_baseline());
  return out;
}

const kernels::kernel_table& active_kernel() {
  std::call_once(g_init, init_from_environment);
  return *g_active.load();
}

void set_active_kernel(const std::string& name) {
  std::call_once(g_init, init_from_environment);
  const auto* k = find(name);
  if (k == nullptr)
    throw std::invalid_argument("kernel: '" + name +
                                "' is not available on this CPU/build (see show_config())");
  g_active.store(k);
}

std::string kernel_selection_warning() {
  std::call_once(g_init, init_from_environment);
  return g_warning;
}

}  // namespace turboinit
