// Shared by the bind_*.cpp files: the only place where Python meets the core.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <utility>
#include <vector>

#include "tensor/dtype.hpp"
#include "runtime/parallel.hpp"
#include "tensor/region.hpp"

namespace turboinit::bindings {

namespace py = pybind11;
using namespace pybind11::literals;

void bind_config(py::module_& m);
void bind_philox(py::module_& m);
void bind_distributions(py::module_& m);
void bind_orthogonal(py::module_& m);
void bind_integers(py::module_& m);
void bind_sparse(py::module_& m);
void bind_bitgen(py::module_& m);
void bind_bulk(py::module_& m);

// The caller's array as a raw pointer, after checking everything a kernel
// relies on: item size, C-contiguity, alignment, writability and size.
// Nothing is copied or cast; a mismatch raises ValueError/TypeError.
void* checked_output(py::array& out, std::size_t item, uint64_t elements);

tensor_region make_region(const std::vector<uint64_t>& shape, const std::vector<uint64_t>& start,
                          const std::vector<uint64_t>& extent);

// Options that let Ctrl-C stop a kernel: the calling thread checks Python's
// signal flag every ~20 ms (taking the GIL for that moment only).  Only for
// calls on the main thread: Python runs signal handlers there alone
// (PyErr_CheckSignals does nothing on other threads), and only there can
// taking the GIL not meet finalisation, which that thread itself performs.
exec_options interruptible();

// Records the interpreter's main thread (at import, under the GIL).
void remember_main_thread();

// Called without the GIL before taking it back: if the interpreter is
// finalising (and this is not the main thread, which finalises it), sleeps
// until the process exits, as CPython 3.14 does with such threads, instead
// of asking for the GIL, which makes CPython end the thread by unwinding it.
void park_if_finalizing();

// Runs f without the GIL, in the IEEE floating-point mode (see
// ieee_float_mode); a KeyboardInterrupt (or other signal handler exception)
// raised while it ran is re-raised here.
//
// While the interpreter finalises, CPython ends a daemon thread that asks
// for the GIL with pthread_exit, a forced unwind.  Out of a destructor
// (noexcept, as gil_scoped_release's) that unwind calls std::terminate
// (SIGABRT at exit).  So a thread that finds the interpreter finalising
// does not ask (park_if_finalizing), and the GIL is taken back by a plain
// call, not by a destructor: should finalisation begin between the check
// and the call, the unwind passes through pybind11, which lets it through.
template <class F>
void run_without_gil(F&& f) {
  bool stopped = false;
  PyThreadState* state = PyEval_SaveThread();
  try {
    ieee_float_mode mode;
    std::forward<F>(f)();
  } catch (const interrupted&) {
    stopped = true;
  } catch (...) {
    park_if_finalizing();
    PyEval_RestoreThread(state);
    throw;
  }
  park_if_finalizing();
  PyEval_RestoreThread(state);  // finalisation may still begin now: see above
  if (stopped) throw py::error_already_set();
}

}  // namespace turboinit::bindings
