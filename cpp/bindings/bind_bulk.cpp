// bulk: the NumPy distributions of turboinit.random.Generator, filling a
// caller-provided array in place; parameters are floats or float64 arrays
// with one value per element of the region.  choice: Generator.choice's
// inversion of a cumulative distribution at its uniforms.
#include <cstring>

#include "bindings/common.hpp"
#include "linalg/affine_rows.hpp"
#include "linalg/sym_factor.hpp"
#include "samplers/choice.hpp"
#include "samplers/numpy_distributions.hpp"
#include "tensor/gather.hpp"

namespace turboinit::bindings {

namespace {

// An array the core reads in place: of dtype T, C-contiguous and aligned (never a silent
// copy or cast of a large input).
template <class T>
bool plain_array(const py::array& a) {
  return a.dtype().is(py::dtype::of<T>()) && (a.flags() & py::array::c_style) &&
         (a.flags() & py::detail::npy_api::NPY_ARRAY_ALIGNED_);
}

// A float, or a C-contiguous float64 array (kept alive by `keep`) of `n`
// elements, or with `tiled` of a length that divides n (repeated).
bulk_param to_param(const py::object& p, uint64_t n, bool tiled, const char* name,
                    py::array_t<double>& keep) {
  bulk_param r;
  if (py::isinstance<py::array>(p)) {
    keep = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(p);
    if (!keep) throw py::value_error(std::string(name) + ": expected float64 values");
    const uint64_t len = static_cast<uint64_t>(keep.size());
    if (tiled && len != n) {
      if (len == 0 || n % len != 0)
        throw py::value_error(std::string(name) + ": expected a tile of float64 values whose " +
                              "length divides " + std::to_string(n) + ", got " +
                              std::to_string(len));
      r.period = len;
    } else if (len != n) {
      throw py::value_error(std::string(name) + ": expected " + std::to_string(n) +
                            " float64 values, one per element");
    }
    r.values = keep.data();
  } else {
    r.scalar = p.cast<double>();
  }
  return r;
}

}  // namespace

void bind_bulk(py::module_& m) {
  m.def(
      "bulk",
      [](py::array out, int kind_code, int dtype_code, std::vector<uint64_t> shape,
         std::vector<uint64_t> start, std::vector<uint64_t> extent, uint32_t k0, uint32_t k1,
         uint64_t block_offset, py::object p0, py::object p1, bool tiled) {
        const bulk_kind kind = bulk_kind_from_int(kind_code);
        const dtype t = dtype_from_int(dtype_code);
        const tensor_region region = make_region(shape, start, extent);
        const std::size_t item = bulk_returns_int64(kind) ? 8 : itemsize(t);
        void* ptr = checked_output(out, item, region.size());
        py::array_t<double> keep0, keep1;
        const bulk_param q0 = to_param(p0, region.size(), tiled, "p0", keep0);
        const bulk_param q1 = to_param(p1, region.size(), tiled, "p1", keep1);
        const philox_stream stream{{k0, k1}, block_offset};
        run_without_gil([&] { fill_bulk(ptr, kind, t, region, stream, q0, q1, interruptible()); });
      },
      "out"_a, "kind"_a, "dtype"_a, "shape"_a, "start"_a, "extent"_a, "k0"_a, "k1"_a,
      "block_offset"_a, "p0"_a = 0.0, "p1"_a = 0.0, "tiled"_a = false,
      "Fill `out` (float64/float32 by `dtype`, int64 for geometric, poisson and binomial) "
      "with the bulk distribution `kind` (cpp/simd/kernels.hpp, bulk_kind) on the region; "
      "p0, p1 are floats or float64 arrays with one value per element of the region (with "
      "`tiled`: of a length that divides the region's size, element j taking values[j % len]).");
  m.def(
      "bulk_scalar",
      [](int kind_code, int dtype_code, uint32_t k0, uint32_t k1, uint64_t block_offset, double p0,
         double p1) -> py::object {
        // One element (flat index 0 at block_offset): exactly what `bulk` writes
        // for a one-element region, returned as a Python float or int.  Too
        // short to release the GIL for.
        const bulk_kind kind = bulk_kind_from_int(kind_code);
        const dtype t = dtype_from_int(dtype_code);
        const tensor_region region = make_region({1}, {0}, {1});
        alignas(16) unsigned char value[16] = {};
        bulk_param q0, q1;
        q0.scalar = p0;
        q1.scalar = p1;
        const philox_stream stream{{k0, k1}, block_offset};
        exec_options one;
        one.num_threads = 1;
        fill_bulk(value, kind, t, region, stream, q0, q1, one);
        if (bulk_returns_int64(kind)) {
          int64_t v;
          std::memcpy(&v, value, sizeof v);
          return py::int_(v);
        }
        if (t == dtype::float32) {
          float v;
          std::memcpy(&v, value, sizeof v);
          return py::float_(v);
        }
        double v;
        std::memcpy(&v, value, sizeof v);
        return py::float_(v);
      },
      "kind"_a, "dtype"_a, "k0"_a, "k1"_a, "block_offset"_a, "p0"_a = 0.0, "p1"_a = 0.0,
      "One value of `bulk` (flat index 0 of a one-element region) as a Python float (int "
      "for geometric, poisson and binomial).");
  m.def(
      "dirichlet",
      [](py::array out, const py::array_t<double, py::array::c_style | py::array::forcecast>& alpha,
         uint32_t k0, uint32_t k1, uint64_t block_offset) {
        if (alpha.ndim() != 1) throw py::value_error("alpha: must be 1-dimensional");
        const uint64_t k = static_cast<uint64_t>(alpha.size());
        const uint64_t n = static_cast<uint64_t>(out.size());
        if (out.dtype().kind() != 'f') throw py::type_error("out: must be float64");
        if (k == 0 ? n != 0 : n % k != 0)
          throw py::value_error("out: " + std::to_string(n) + " elements are not rows of " +
                                std::to_string(k) + " (alpha's length)");
        double* ptr = static_cast<double*>(checked_output(out, sizeof(double), n));
        const double* a = alpha.data();
        const philox_stream stream{{k0, k1}, block_offset};
        run_without_gil([&] { fill_dirichlet(ptr, k ? n / k : 0, a, k, stream, interruptible()); });
      },
      "out"_a, "alpha"_a, "k0"_a, "k1"_a, "block_offset"_a,
      "Fill `out` (float64, C-contiguous, rows of len(alpha)) with Dirichlet(alpha) rows: the "
      "bulk gamma (kind 11, scale 1) of shape alpha[i % k] at flat index i, each row divided "
      "by its sum in index order.  For alpha in [0.1, 1e300] (no 0/0, no overflow).");
  m.def(
      "choice",
      [](py::array out, py::array cdf, dims shape, dims start, dims extent, uint32_t k0,
         uint32_t k1, uint64_t block_offset) {
        if (!out.dtype().is(py::dtype::of<int64_t>()))
          throw py::type_error("out: must be int64, got " +
                               py::str(out.dtype()).cast<std::string>());
        // The cdf is read as it is: never a silent copy or cast of a large table.
        if (!plain_array<double>(cdf) || cdf.ndim() != 1)
          throw py::type_error("cdf: must be a 1-dimensional, C-contiguous, aligned float64 array");
        const tensor_region region = make_region(shape, start, extent);
        auto* ptr = static_cast<int64_t*>(checked_output(out, 8, region.size()));
        const double* c = static_cast<const double*>(cdf.data());
        const uint64_t n = static_cast<uint64_t>(cdf.size());
        const philox_stream stream{{k0, k1}, block_offset};
        run_without_gil([&] { fill_choice(ptr, c, n, region, stream, interruptible()); });
      },
      "out"_a, "cdf"_a, "shape"_a, "start"_a, "extent"_a, "k0"_a, "k1"_a, "block_offset"_a,
      "Fill `out` (int64) on the region with min(searchsorted(cdf, u, 'right'), len(cdf) - 1), "
      "u the float64 uniforms uniform() gives for the same arguments (low 0, high 1); `cdf` "
      "is a C-contiguous float64 array, non-decreasing and without NaN.");
  m.def(
      "affine_rows",
      [](py::array x, const py::array& a, const py::array& mu) {
        if (!plain_array<double>(x) || x.ndim() != 2)
          throw py::type_error("x: must be a 2-dimensional, C-contiguous, aligned float64 array");
        const uint64_t rows = static_cast<uint64_t>(x.shape(0));
        const uint64_t k = static_cast<uint64_t>(x.shape(1));
        if (!plain_array<double>(a) || a.ndim() != 2 || static_cast<uint64_t>(a.shape(0)) != k ||
            static_cast<uint64_t>(a.shape(1)) != k)
          throw py::type_error("a: must be a C-contiguous float64 array of shape (k, k), k = " +
                               std::to_string(k));
        if (!plain_array<double>(mu) || mu.ndim() != 1 || static_cast<uint64_t>(mu.shape(0)) != k)
          throw py::type_error("mu: must be a C-contiguous float64 array of length " +
                               std::to_string(k));
        auto* p = static_cast<double*>(checked_output(x, sizeof(double), rows * k));
        const auto* pa = static_cast<const double*>(a.data());
        const auto* pm = static_cast<const double*>(mu.data());
        run_without_gil([&] { affine_rows(p, rows, k, pa, pm, interruptible()); });
      },
      "x"_a, "a"_a, "mu"_a,
      "x = x a + mu on every row of x (rows, k), in place: each output z_0 a_0j, then + z_i "
      "a_ij for i = 1..k-1, then + mu_j (plain IEEE operations in that order).");
  m.def(
      "covariance_factor",
      [](const py::array& cov, const std::string& method) {
        linalg::factor_method how;
        if (method == "cholesky") {
          how = linalg::factor_method::cholesky;
        } else if (method == "eigh") {
          how = linalg::factor_method::eigh;
        } else if (method == "svd") {
          how = linalg::factor_method::svd;
        } else {
          throw py::value_error("method: expected 'cholesky', 'eigh' or 'svd', got '" + method +
                                "'");
        }
        if (!plain_array<double>(cov) || cov.ndim() != 2 || cov.shape(0) != cov.shape(1))
          throw py::type_error("cov: must be a square, C-contiguous, aligned float64 array");
        const py::ssize_t k = cov.shape(0);
        py::array_t<double> f({k, k});
        py::array_t<double> w(k);
        const auto* pc = static_cast<const double*>(cov.data());
        double* pf = f.mutable_data();
        double* pw = w.mutable_data();
        auto status = linalg::factor_status::ok;
        run_without_gil([&] {
          status =
              linalg::covariance_factor(static_cast<int64_t>(k), pc, how, pf, pw, interruptible());
        });
        return py::make_tuple(f, w, static_cast<int>(status));
      },
      "cov"_a, "method"_a,
      "(f, w, status): f (k, k) with x = z f for multivariate normals of covariance `cov` by "
      "NumPy's `method` ('cholesky': L^T; 'eigh': rows sqrt(|w_i|) v_i, w ascending; 'svd': "
      "rows sqrt(s_i) u_i, s descending), in IEEE operations in a fixed order (the same bits "
      "on every machine); w the eigenvalues (eigh) or singular values (svd); status 0 ok, 1 "
      "not positive definite (cholesky), 2 no convergence.");
  m.def(
      "take_rows",
      [](const py::array& src, const py::array& idx, py::array out) {
        // Raw bytes are copied: never for Python objects, never a cast or a copy.
        if (src.dtype().attr("hasobject").cast<bool>())
          throw py::type_error("src: arrays of Python objects are not supported");
        if (!out.dtype().is(src.dtype()))
          throw py::type_error("out: must have src's dtype " +
                               py::str(src.dtype()).cast<std::string>());
        if (src.ndim() < 1) throw py::value_error("src: must have at least 1 dimension");
        if (!(src.flags() & py::array::c_style)) throw py::value_error("src: must be C-contiguous");
        if (!plain_array<int64_t>(idx) || idx.ndim() != 1)
          throw py::type_error("idx: must be a 1-dimensional, C-contiguous, aligned int64 array");
        const uint64_t n = static_cast<uint64_t>(idx.size());
        bool same_rows = out.ndim() == src.ndim() && static_cast<uint64_t>(out.shape(0)) == n;
        for (py::ssize_t d = 1; same_rows && d < src.ndim(); ++d)
          same_rows = out.shape(d) == src.shape(d);
        if (!same_rows) throw py::value_error("out: must have shape (len(idx),) + src.shape[1:]");
        const uint64_t rows = static_cast<uint64_t>(src.shape(0));
        const std::size_t row_bytes =
            static_cast<std::size_t>(src.itemsize()) *
            static_cast<std::size_t>(rows ? static_cast<uint64_t>(src.size()) / rows : 0);
        void* dst = checked_output(out, static_cast<std::size_t>(src.itemsize()),
                                   static_cast<uint64_t>(out.size()));
        const char* s0 = static_cast<const char*>(src.data());
        const char* d0 = static_cast<const char*>(dst);
        const auto src_bytes = static_cast<std::size_t>(src.nbytes());
        const auto out_bytes = static_cast<std::size_t>(out.nbytes());
        if (src_bytes && out_bytes && s0 < d0 + out_bytes && d0 < s0 + src_bytes)
          throw py::value_error("out: must not overlap src");
        const auto* k = static_cast<const int64_t*>(idx.data());
        bool ok = true;
        if (row_bytes != 0)
          run_without_gil(
              [&] { ok = gather_rows(s0, rows, k, n, row_bytes, dst, interruptible()); });
        if (!ok)
          throw py::index_error("idx: an index is outside [0, " + std::to_string(rows) + ")");
      },
      "src"_a, "idx"_a, "out"_a,
      "out[i] = src[idx[i]] along the first axis, in parallel: C-contiguous arrays of one "
      "dtype (no Python objects), idx int64; out is partly written if an index is out of "
      "range (IndexError).");
  m.def(
      "bulk_per_block",
      [](int kind_code, int dtype_code) {
        return bulk_per_block(bulk_kind_from_int(kind_code), dtype_from_int(dtype_code));
      },
      "kind"_a, "dtype"_a, "Elements per Philox block of a bulk distribution (its counter use).");
}

}  // namespace turboinit::bindings
