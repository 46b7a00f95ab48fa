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

// Runs body(begin, end) over [0, n) in chunks of `grain` items.
void parallel_for(uint64_t n, uint64_t grain,
                  const std::function<void(uint64_t, uint64_t)>& body,
                  const exec_options& options);

}  // namespace turboinit
