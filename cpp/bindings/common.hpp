// Shared by the bind_*.cpp files: the only place where Python meets the core.
// Every fill binding starts with the same arguments, converted here once:
// the target (out, dtype, shape, start, extent), the key (k0, k1) and the
// counter (block_offset).
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <type_traits>
#include <utility>
#include <vector>

#include "rng/philox.hpp"
#include "runtime/parallel.hpp"
#include "samplers/integers.hpp"
#include "tensor/dtype.hpp"
#include "tensor/region.hpp"

namespace turboinit::bindings {

namespace py = pybind11;
using namespace pybind11::literals;

void bind_contract(py::module_& m);
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

// The region (shape, start, extent), validated (the bindings that do not go
// through convert() below).
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

// The element type of a fill: dtype (floats), int_dtype (integers) or raw32
// (the raw 32-bit words of bits(), which takes no dtype argument).
struct raw32 {};

// A fill binding's shared arguments, converted and checked.
template <class Type>
struct fill_call {
  Type type;
  tensor_region region;
  philox_stream stream;
  void* out;
  exec_options options;
};

using dims = std::vector<uint64_t>;

// Checks the region, then `out` against it: the one conversion of the shared
// arguments.
fill_call<dtype> convert(py::array& out, int dtype_code, const dims& shape, const dims& start,
                         const dims& extent, uint32_t k0, uint32_t k1, uint64_t block_offset);
fill_call<int_dtype> convert_int(py::array& out, int dtype_code, const dims& shape,
                                 const dims& start, const dims& extent, uint32_t k0, uint32_t k1,
                                 uint64_t block_offset);
fill_call<raw32> convert_raw32(py::array& out, const dims& shape, const dims& start,
                               const dims& extent, uint32_t k0, uint32_t k1, uint64_t block_offset);

// Defines `name(out, [dtype,] shape, start, extent, k0, k1, block_offset,
// params...)`: converts the shared arguments under the GIL, then runs
// body(call, params...) without it.  `Params` are the C++ types of the
// sampler's own parameters, `names` their py::arg names.
template <class Type, class... Params, class Body, class... Names>
void def_fill(py::module_& m, const char* name, Body body, const char* doc, Names... names) {
  if constexpr (std::is_same_v<Type, raw32>) {
    m.def(
        name,
        [body](py::array out, dims shape, dims start, dims extent, uint32_t k0, uint32_t k1,
               uint64_t block_offset, Params... params) {
          const auto call = convert_raw32(out, shape, start, extent, k0, k1, block_offset);
          run_without_gil([&] { body(call, params...); });
        },
        "out"_a, "shape"_a, "start"_a, "extent"_a, "k0"_a, "k1"_a, "block_offset"_a, names..., doc);
  } else {
    m.def(
        name,
        [body](py::array out, int dtype_code, dims shape, dims start, dims extent, uint32_t k0,
               uint32_t k1, uint64_t block_offset, Params... params) {
          const auto call = [&] {
            if constexpr (std::is_same_v<Type, int_dtype>)
              return convert_int(out, dtype_code, shape, start, extent, k0, k1, block_offset);
            else
              return convert(out, dtype_code, shape, start, extent, k0, k1, block_offset);
          }();
          run_without_gil([&] { body(call, params...); });
        },
        "out"_a, "dtype"_a, "shape"_a, "start"_a, "extent"_a, "k0"_a, "k1"_a, "block_offset"_a,
        names..., doc);
  }
}

}  // namespace turboinit::bindings
