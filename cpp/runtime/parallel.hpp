// Threads for the kernels: OpenMP teams over dynamically scheduled chunks,
// with cooperative cancellation.  Results never depend on the thread count or
// the chunking, because every kernel is a pure function of the element index.
#pragma once

#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>

namespace turboinit {

// Thrown by parallel_for when the poll callback asked it to stop.
struct interrupted : std::runtime_error {
  interrupted() : std::runtime_error("interrupted") {}
};

// Threads a call uses: set_num_threads(n) if it was called (n >= 1), else
// OpenMP's default for the calling thread (OMP_NUM_THREADS).  A lower limit
// set on the calling thread through omp_set_num_threads (which is what
// threadpoolctl does) is honoured in both cases.
int get_num_threads();
void set_num_threads(int n);  // n >= 1; 0 restores the default
std::string openmp_runtime();

struct exec_options {
  int num_threads = 0;  // 0: get_num_threads()
  // Called from the calling thread now and then (every ~20 ms of work) while
  // the others keep working; returning true stops the loop and makes
  // parallel_for throw `interrupted`.
  std::function<bool()> poll;
};

// The IEEE floating-point mode for the lifetime of the object, on this thread:
// no flush-to-zero or denormals-are-zero, rounding to nearest; the previous
// mode comes back after.  A library built with -Ofast turns FTZ/DAZ on in the
// thread that loads it (and threads inherit the mode they are created with),
// which made subnormal-scale results zeros on some threads only, so the bits
// depended on the thread count.  Every worker of parallel_for and every call
// from Python runs under one.  (x86 SSE/AVX only: MXCSR; elsewhere a no-op.)
class ieee_float_mode {
 public:
  ieee_float_mode();
  ~ieee_float_mode();
  ieee_float_mode(const ieee_float_mode&) = delete;
  ieee_float_mode& operator=(const ieee_float_mode&) = delete;

 private:
  unsigned saved_ = 0;
};

// For sequential work: calls options.poll (if set) and throws `interrupted` when it asks
// to stop, as parallel_for does between its chunks.
inline void check_interrupt(const exec_options& options) {
  if (options.poll && options.poll()) throw interrupted();
}

// Runs body(begin, end) over [0, n) in chunks of `grain` items.
void parallel_for(uint64_t n, uint64_t grain, const std::function<void(uint64_t, uint64_t)>& body,
                  const exec_options& options);

}  // namespace turboinit
