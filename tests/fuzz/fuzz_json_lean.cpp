// Differential libFuzzer target: whatever line the lean JSON reader reads, simdjson reads too,
// into the same Event with the same null count (journal_json_event.hpp). Stops at a difference.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "crashsift/core/event_wire.hpp"
#include "crashsift/input/journal_json_event.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string padded(reinterpret_cast<const char*>(data), size);
  padded.append(64, ' ');
  const std::string_view text(padded.data(), size);
  crashsift::Event lean, reference;
  std::uint64_t lean_nulls = 0, reference_nulls = 0;
  std::string scratch;
  if (!crashsift::input::lean_fill_event(text, lean, lean_nulls, scratch)) return 0;
  const std::string error = crashsift::input::simdjson_fill_event(text, padded.size(), reference, reference_nulls);
  std::string a, b;
  crashsift::encode_event(lean, a);
  crashsift::encode_event(reference, b);
  if (!error.empty() || a != b || lean_nulls != reference_nulls) std::abort();
  return 0;
}
