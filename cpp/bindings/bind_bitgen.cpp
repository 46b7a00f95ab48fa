// NumPy's BitGenerator interface for turboinit.random.Philox: the bitgen_t
// that numpy.random.Generator and RandomState call, pointing at a C++
// word_stream (cpp/rng/word_stream.hpp).  The Python class subclasses
// numpy.random.BitGenerator, whose constructor makes the "BitGenerator"
// capsule around its own bitgen_t; bitgen_install fills that bitgen_t, so
// NumPy's random_raw, ctypes and cffi interfaces work unchanged.  The stream
// lives in a capsule of its own that the Philox object keeps.
#include <limits>
#include <stdexcept>
#include <string>
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
      "word_stream_reserve",
      [](const py::object& stream,
         const py::int_& count) -> std::tuple<uint32_t, uint32_t, py::int_> {
        // The caller holds the bit generator's lock: NumPy's sequential draws
        // share the counter and run without the GIL under it.
        word_stream& s = stream_of(stream);
        if (count < py::int_(0)) throw py::value_error("blocks: must be >= 0");
        const bool huge = count > py::int_(std::numeric_limits<uint64_t>::max());
        const uint64_t blocks = huge ? 0 : count.cast<uint64_t>();
        const uint64_t counter = s.counter();  // 0 when at_end (the counter is 2^64)
        // Blocks left before 2^64: 2^64 - counter, i.e. (0 - counter) unless counter is 0.
        const bool fits =
            !huge && (s.at_end() ? blocks == 0 : counter == 0 || blocks <= 0 - counter);
        if (!fits)
          throw std::overflow_error(
              "counter: " + py::str(count).cast<std::string>() +
              " more blocks do not fit in the 64-bit block counter (at " +
              (s.at_end() ? std::string("18446744073709551616") : std::to_string(counter)) +
              "); spawn() a new Generator");
        py::int_ start(counter);
        if (s.at_end()) {
          start = py::int_(start + (py::int_(1) << py::int_(64)));
        } else if (blocks > 0) {
          const uint64_t end = counter + blocks;  // wraps to 0 exactly at 2^64
          s.set_counter(end, end == 0);
        }
        return {s.key()[0], s.key()[1], start};
      },
      py::arg("stream"), py::arg("blocks"),
      "Takes `blocks` counter blocks: (k0, k1, first block); OverflowError past 2^64.");

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
