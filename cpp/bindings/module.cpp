// turboinit._core: the private compiled module.  A table of contents: one
// bind_*.cpp per concept, the shared conversions in common.cpp.
#include "bindings/common.hpp"

PYBIND11_MODULE(_core, m) {
  using namespace turboinit::bindings;
  m.doc() = "turboinit's compiled core (private; use the turboinit package)";
  remember_main_thread();  // for Ctrl-C polling and finalisation (common.cpp)
  bind_contract(m);        // enum codes, counter layout, dtype rules
  bind_config(m);          // kernels, threads, build information
  bind_philox(m);          // the raw block function and 32-bit words
  bind_distributions(m);   // uniform, normal, truncated normal
  bind_orthogonal(m);      // Haar orthogonal matrices
  bind_integers(m);        // bounded integers
  bind_sparse(m);          // sparse initialisation
  bind_bitgen(m);          // numpy.random's BitGenerator interface on our Philox
  bind_bulk(m);            // the Generator's parallel NumPy distributions
}
