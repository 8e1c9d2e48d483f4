#pragma once
// Shared body of the stream-parser fuzz targets: probe and parse arbitrary bytes with a normal
// and a tiny line limit, feeding every event into the exit tracker so that classification sees
// arbitrary field values too. Nothing may crash, hang or throw, and the parser's accounting
// must stay consistent (events delivered == entries counted).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "crashsift/classify/tracker.hpp"
#include "crashsift/input/byte_source.hpp"
#include "crashsift/input/line_reader.hpp"
#include "crashsift/input/parser.hpp"

namespace crashsift::fuzz {

inline int fuzz_stream_parser(const input::FormatParser& parser, const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  (void)parser.probe(bytes);
  for (std::size_t max_line : {std::size_t(1) << 20, std::size_t(64)}) {
    input::ParseOptions options;
    options.max_line = max_line;
    options.zone = Zone::utc();
    options.reference_time = 1795420661617199;
    options.kernel_boot_time = 1795410197809284;
    InputReport report;
    classify::ExitTracker tracker;
    tracker.begin_input(0, true);
    std::uint64_t events = 0;
    auto src = input::memory_source(bytes);
    input::LineReader reader(*src, max_line);
    parser.parse(reader, options, report, [&](const Event& e) {
      ++events;
      tracker.on_event(e);
    });
    tracker.end_input();
    (void)tracker.finish();
    if (events != report.entries) std::abort();
  }
  return 0;
}

}  // namespace crashsift::fuzz
