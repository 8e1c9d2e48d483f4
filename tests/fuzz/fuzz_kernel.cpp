// libFuzzer target for the kernel text parser: probe and parse any bytes, with the default line
// limit and with a tiny one (so that the overlong-line path runs too), in UTC and in a zone
// with DST. Nothing may crash, hang or throw; the report must stay consistent.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "crashsift/input/byte_source.hpp"
#include "crashsift/input/line_reader.hpp"
#include "crashsift/input/parser.hpp"

namespace {

void run(const crashsift::input::FormatParser& parser, std::string_view bytes, size_t max_line,
         const char* zone = "UTC") {
  crashsift::input::ParseOptions options;
  options.max_line = max_line;
  options.zone = crashsift::Zone(zone);
  options.reference_time = 1795420661617199;  // yearless stamps: no dependence on today
  options.kernel_boot_time = 1795410197809284;
  crashsift::InputReport report;
  std::uint64_t events = 0;
  auto src = crashsift::input::memory_source(bytes);
  crashsift::input::LineReader reader(*src, max_line);
  parser.parse(reader, options, report, [&](const crashsift::Event& e) {
    ++events;
    if (e.time && (!report.first_time || *e.time < *report.first_time)) std::abort();
  });
  if (events != report.entries || !report.fatal.empty()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // An empty input may come with data == nullptr (the replayer's empty vector); MemRaw then
  // memcpy()s from nullptr, which UBSan rejects even for 0 bytes. Point at "" instead.
  const std::string_view bytes(size ? reinterpret_cast<const char*>(data) : "", size);
  const auto& parser = crashsift::input::kernel_format();
  (void)parser.probe(bytes.substr(0, 4096));
  run(parser, bytes, crashsift::input::default_max_line);
  run(parser, bytes, 64, "Europe/Berlin");

  return 0;
}
