// libFuzzer target for the json parser, feeding its events on into the exit tracker so that the
// classification code sees arbitrary field values too. Nothing may crash, hang or throw, and
// the parser's accounting must stay consistent.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "crashsift/classify/tracker.hpp"
#include "crashsift/input/byte_source.hpp"
#include "crashsift/input/line_reader.hpp"
#include "crashsift/input/parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const auto& parser = crashsift::input::json_format();
  (void)parser.probe(bytes);
  for (std::size_t max_line : {std::size_t(1) << 20, std::size_t(64)}) {
    crashsift::input::ParseOptions options;
    options.max_line = max_line;
    options.zone = crashsift::Zone::utc();
    crashsift::InputReport report;
    crashsift::classify::ExitTracker tracker;
    tracker.begin_input(0, true);
    std::uint64_t events = 0;
    auto src = crashsift::input::memory_source(bytes);
    crashsift::input::LineReader reader(*src, max_line);
    parser.parse(reader, options, report, [&](const crashsift::Event& e) {
      ++events;
      tracker.on_event(e);
    });
    tracker.end_input();
    (void)tracker.finish();
    if (events != report.entries) std::abort();
  }
  return 0;
}
