#pragma once
// Shared body of the witness recognizer fuzz targets: every line of arbitrary bytes reaches one
// recognizer the ways the parsers deliver text (a `pasted` event with the indentation stripped,
// a message-only `-o cat` event, a timed journal record under some identifier), then the same
// bytes go through the short parser and the whole tracker (merge and rules see the witnesses).
// Nothing may crash, hang or throw, and every witness must be well formed.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string_view>

#include "crashsift/classify/witness.hpp"
#include "fuzz/fuzz_support.hpp"

namespace crashsift::fuzz {

inline void check_witness(const classify::Witness& w) {
  if (w.kind.empty() || w.lines.empty()) std::abort();
  if (w.pid && *w.pid <= 0) std::abort();
  if (w.when == classify::WhenKnown::absolute && !w.time) std::abort();
  if (w.coredump_message.size() > 128 * 1024) std::abort();
}

inline void feed_lines(classify::WitnessRecognizer& r, std::string_view bytes, int how) {
  classify::WitnessSink sink = [](classify::Witness&& w) { check_witness(w); };
  Event e;
  std::uint64_t n = 0;
  while (!bytes.empty()) {
    const size_t nl = bytes.find('\n');
    std::string_view line = bytes.substr(0, nl);
    bytes = nl == std::string_view::npos ? std::string_view() : bytes.substr(nl + 1);
    e.clear();
    e.origin.line = ++n;
    if (how == 0) {
      e.pasted = true;
      line.remove_prefix(std::min(line.size(), line.find_first_not_of(' ')));
    } else if (how == 2) {
      e.time = 1795420661000000 + static_cast<UsecUtc>(n) * 1000;
      e.identifier = n % 2 ? "systemd-coredump" : "app";
      e.pid = static_cast<std::int64_t>(n);
    }
    e.message.assign(line);
    r.on_event(e, sink);
  }
  r.end_input(sink);
}

inline int fuzz_witness(std::unique_ptr<classify::WitnessRecognizer> (*make)(), const std::uint8_t* data,
                        std::size_t size) {
  const std::string_view bytes(size ? reinterpret_cast<const char*>(data) : "", size);
  for (int how = 0; how < 3; ++how) {
    auto r = make();
    feed_lines(*r, bytes, how);
  }
  parse_once(input::short_format(), bytes, input::default_max_line, "UTC");
  return 0;
}

}  // namespace crashsift::fuzz
