#include "runtime/parallel.hpp"

#include <omp.h>
#include <pthread.h>
#if defined(__x86_64__) || defined(__i386__) || defined(_M_X64)
#include <xmmintrin.h>
#endif

#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

namespace turboinit {
namespace {

std::atomic<int> g_requested{0};
const int g_default_threads = omp_get_max_threads();

// GNU OpenMP's thread pool does not survive fork(): a parallel region in a
// child of a process that already ran one can hang.  After a fork we run
// the same chunks on plain std::threads instead.
std::atomic<bool> g_openmp_used{false};
std::atomic<bool> g_forked_after_openmp{false};
void on_fork_child() {
  if (g_openmp_used.load()) g_forked_after_openmp.store(true);
}
const bool g_atfork_registered = [] {
  pthread_atfork(nullptr, nullptr, on_fork_child);
  return true;
}();

}  // namespace

#if defined(__x86_64__) || defined(__i386__) || defined(_M_X64)
// MXCSR: FTZ (bit 15), DAZ (bit 6), rounding control (bits 13-14, 00 = nearest).
constexpr unsigned kModeBits = 0x8000u | 0x0040u | 0x6000u;
ieee_float_mode::ieee_float_mode() : saved_(_mm_getcsr()) {
  if (saved_ & kModeBits) _mm_setcsr(saved_ & ~kModeBits);
}
ieee_float_mode::~ieee_float_mode() {
  if (saved_ & kModeBits) _mm_setcsr(saved_);
}
#else
ieee_float_mode::ieee_float_mode() = default;
ieee_float_mode::~ieee_float_mode() = default;
#endif

int get_num_threads() {
  const int omp_now = omp_get_max_threads();  // this thread's ICV
  const int requested = g_requested.load();
  if (requested <= 0) return std::max(1, omp_now);
  // A limit lowered on this thread after start-up (threadpoolctl) wins.
  if (omp_now < g_default_threads) return std::max(1, std::min(requested, omp_now));
  return requested;
}

void set_num_threads(int n) {
  if (n < 0) throw std::invalid_argument("n: the number of threads must be >= 1 (or 0 to reset)");
  g_requested.store(n);
}

std::string openmp_runtime() {
  std::string name;
#if defined(__clang__)
  name = "LLVM OpenMP (libomp)";
#elif defined(__GNUC__)
  name = "GNU OpenMP (libgomp)";
#else
  name = "OpenMP";
#endif
  return name + ", spec " + std::to_string(_OPENMP);
}

void parallel_for(uint64_t n, uint64_t grain, const std::function<void(uint64_t, uint64_t)>& body,
                  const exec_options& options) {
  if (n == 0) return;
  grain = std::max<uint64_t>(grain, 1);
  const uint64_t chunks = n / grain + (n % grain != 0);
  const int wanted = options.num_threads > 0 ? options.num_threads : get_num_threads();
  const int threads = static_cast<int>(std::min<uint64_t>(std::max(wanted, 1), chunks));

  std::atomic<uint64_t> next{0};
  std::atomic<bool> stop{false};
  std::atomic<bool> was_interrupted{false};
  std::exception_ptr error;
  std::mutex error_mutex;

  auto worker = [&](bool is_caller) {
    const ieee_float_mode mode;
    using clock = std::chrono::steady_clock;
    auto last_poll = clock::now();
    for (;;) {
      if (stop.load(std::memory_order_relaxed)) return;
      const uint64_t c = next.fetch_add(1, std::memory_order_relaxed);
      if (c >= chunks) return;
      try {
        body(c * grain, std::min(n, (c + 1) * grain));
      } catch (...) {
        std::lock_guard<std::mutex> lock(error_mutex);
        if (!error) error = std::current_exception();
        stop.store(true);
        return;
      }
      if (is_caller && options.poll) {
        const auto now = clock::now();
        if (now - last_poll > std::chrono::milliseconds(20)) {
          last_poll = now;
          bool stop_now = false;
          try {  // nothing may leave an OpenMP region by an exception
            stop_now = options.poll();
          } catch (...) {
            std::lock_guard<std::mutex> lock(error_mutex);
            if (!error) error = std::current_exception();
            stop.store(true);
            return;
          }
          if (stop_now) {
            was_interrupted.store(true);
            stop.store(true);
            return;
          }
        }
      }
    }
  };

  if (threads <= 1) {
    worker(true);
  } else if (g_forked_after_openmp.load()) {
    std::vector<std::thread> pool;
    pool.reserve(static_cast<std::size_t>(threads - 1));
    try {
      for (int t = 1; t < threads; ++t) pool.emplace_back(worker, false);
    } catch (const std::system_error&) {
      // The system refused a thread: run on those that started (the bits do
      // not depend on how many); unwinding with joinable threads would abort.
    }
    worker(true);
    for (auto& th : pool) th.join();
  } else {
    g_openmp_used.store(true);
#pragma omp parallel num_threads(threads)
    worker(omp_get_thread_num() == 0);
  }
  if (error) std::rethrow_exception(error);
  if (was_interrupted.load()) throw interrupted();
}

}  // namespace turboinit
