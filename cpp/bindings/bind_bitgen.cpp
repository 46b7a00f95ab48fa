// NumPy's BitGenerator interface for turboinit.random.Philox: the bitgen_t
// that numpy.random.Generator and RandomState call, pointing at a C++
// word_stream (cpp/rng/word_stream.hpp).  The Python class subclasses
// numpy.random.BitGenerator, whose constructor makes the "BitGenerator"
// capsule around its own bitgen_t; bitgen_install fills that bitgen_t, so
// NumPy's random_raw, ctypes and cffi interfaces work unchanged.  The stream
// lives in a capsule of its own that the Philox object keeps.
#include <tuple>

#include "common.hpp"
#include "rng/word_stream.hpp"
#include "runtime/dispatch.hpp"

namespace turboinit::bindings {

namespace {

// numpy/random/bitgen.h (NumPy's C API for bit generators, unchanged since 1.17).
struct bitgen_t {
  void* state;
  uint64_t (*next_uint64)(void* st);
  uint32_t (*next_uint32)(void* st);
  double (*next_double)(void* st);
  uint64_t (*next_raw)(void* st);
};

constexpr const char* kBitgenName = "BitGenerator";
constexpr const char* kStreamName = "turboinit.word_stream";

uint64_t next_uint64(void* st) { return static_cast<word_stream*>(st)->next_uint64(); }
uint32_t next_uint32(void* st) { return static_cast<word_stream*>(st)->next_uint32(); }
double next_double(void* st) { return static_cast<word_stream*>(st)->next_double(); }

word_stream& stream_of(const py::object& capsule) {
  if (!PyCapsule_IsValid(capsule.ptr(), kStreamName))
    throw py::type_error("stream: not a word stream made by word_stream_new");
  return *static_cast<word_stream*>(PyCapsule_GetPointer(capsule.ptr(), kStreamName));
}

}  // namespace

void bind_bitgen(py::module_& m) {
  m.def(
      "word_stream_buffer",
      [] { return std::make_tuple(word_stream::kBufferWords, word_stream::kBufferBlocks); },
      "(words, blocks) of a word stream's buffer.");

  m.def(
      "word_stream_new",
      [](uint32_t k0, uint32_t k1) -> py::object {
        auto* s = new word_stream(philox_key{k0, k1}, active_kernel().bits);
        PyObject* cap = PyCapsule_New(s, kStreamName, [](PyObject* c) {
          delete static_cast<word_stream*>(PyCapsule_GetPointer(c, kStreamName));
        });
        if (cap == nullptr) {
          delete s;
          throw py::error_already_set();
        }
        return py::reinterpret_steal<py::object>(cap);
      },
      py::arg("k0"), py::arg("k1"), "A new word stream at block 0 with an empty buffer.");

  m.def(
      "word_stream_state",
      [](const py::object& stream) {
        const word_stream& s = stream_of(stream);
        return std::make_tuple(s.key()[0], s.key()[1], s.counter(), s.at_end(), s.buffer_block(),
                               s.buffer_position());
      },
      py::arg("stream"), "(k0, k1, counter, at_end, buffer block, buffer position).");

  m.def(
      "word_stream_set_state",
      [](const py::object& stream, uint32_t k0, uint32_t k1, uint64_t counter, bool at_end,
         uint64_t block, uint32_t position) {
        try {
          stream_of(stream).set_state(philox_key{k0, k1}, counter, at_end, block, position);
        } catch (const std::invalid_argument& e) {
          throw py::value_error(std::string("state: ") + e.what());
        }
      },
      py::arg("stream"), py::arg("k0"), py::arg("k1"), py::arg("counter"), py::arg("at_end"),
      py::arg("block"), py::arg("position"));

  m.def(
      "word_stream_set_counter",
      [](const py::object& stream, uint64_t counter, bool at_end) {
        stream_of(stream).set_counter(counter, at_end);
      },
      py::arg("stream"), py::arg("counter"), py::arg("at_end"));

  m.def(
      "bitgen_install",
      [](const py::object& capsule, const py::object& stream) {
        if (!PyCapsule_IsValid(capsule.ptr(), kBitgenName))
          throw py::value_error("capsule: not a numpy BitGenerator capsule");
        word_stream& s = stream_of(stream);
        auto* bitgen = static_cast<bitgen_t*>(PyCapsule_GetPointer(capsule.ptr(), kBitgenName));
        bitgen->state = &s;
        bitgen->next_uint64 = next_uint64;
        bitgen->next_uint32 = next_uint32;
        bitgen->next_double = next_double;
        bitgen->next_raw = next_uint64;
      },
      py::arg("capsule"), py::arg("stream"),
      "Points the bitgen_t of a numpy BitGenerator's capsule at `stream`, which must "
      "outlive it.");
}

}  // namespace turboinit::bindings
