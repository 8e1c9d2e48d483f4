#pragma once
// Shared body of the stream-parser fuzz targets: probe and parse arbitrary bytes with the default
// and a tiny line limit (so the overlong-line path runs too), in UTC and in a zone with DST,
// feeding every event into the exit tracker so that classification sees arbitrary field values
// too. Nothing may crash, hang or throw, and the parser's accounting must stay consistent:
// events delivered == entries counted, every event's time recorded before it is delivered.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "crashsift/classify/tracker.hpp"
#include "crashsift/input/byte_source.hpp"
#include "crashsift/input/line_reader.hpp"
#include "crashsift/input/parser.hpp"

namespace crashsift::fuzz {

inline void parse_once(const input::FormatParser& parser, std::string_view bytes, std::size_t max_line,
                       const char* zone) {
  input::ParseOptions options;
  options.max_line = max_line;
  options.zone = Zone(zone);
  options.reference_time = 1795420661617199;  // yearless stamps: no dependence on today
  options.kernel_boot_time = 1795410197809284;
  InputReport report;
  classify::ExitTracker tracker;
  tracker.begin_input(0, true);
  std::uint64_t events = 0;
  auto src = input::memory_source(bytes);
  input::LineReader reader(*src, max_line);
  parser.parse(reader, options, report, [&](const Event& e) {
    ++events;
    if (e.time && (!report.first_time || *e.time < *report.first_time)) std::abort();
    tracker.on_event(e);
  });
  tracker.end_input();
  (void)tracker.finish();
  if (events != report.entries || !report.fatal.empty()) std::abort();
}

inline int fuzz_stream_parser(const input::FormatParser& parser, const std::uint8_t* data, std::size_t size) {
  // An empty input may come with data == nullptr (the replayer's empty vector).
  const std::string_view bytes(size ? reinterpret_cast<const char*>(data) : "", size);
  (void)parser.probe(bytes.substr(0, 4096));
  parse_once(parser, bytes, input::default_max_line, "UTC");
  parse_once(parser, bytes, 64, "Europe/Berlin");
  return 0;
}

}  // namespace crashsift::fuzz
