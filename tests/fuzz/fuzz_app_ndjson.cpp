// Fuzz target for the app NDJSON reader and the analysis built on it: arbitrary bytes go
// through the streaming reader (with a small line limit so overlong handling is exercised),
// the single-line parser, and the memory analysis over whatever samples came out.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "crashsift/correlate/memory_analysis.hpp"
#include "crashsift/input/app_ndjson.hpp"
#include "crashsift/input/byte_source.hpp"

using namespace crashsift;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  correlate::AppData app;
  app.files = {"fuzz"};
  input::AppReadOptions opt;
  opt.keep_other = size % 2 == 0;   // both the prefiltered and the parse-everything paths
  if (size > 0 && data[0] == '!') (void)input::parse_field_override("rss=a.b", opt.fields);
  auto src = input::memory_source(bytes);
  input::LineReader reader(*src, 4096);
  InputReport report;
  input::read_app_log(reader, opt, report, app.fields, [&](const input::AppRecord& r) {
    app.series.add(r);
    if (r.kind != input::AppRecordKind::sample) {
      correlate::AppEvent e;
      e.time = *r.time;
      e.kind = r.kind;
      e.boot_marker = r.boot_marker;
      app.events.push_back(e);
    }
  });
  app.series.sort();
  correlate::index_lifetimes(app);
  input::AppRecord rec;
  input::AppFieldReport fields;
  (void)input::parse_app_line(bytes.substr(0, 8192), opt, fields, rec);
  const auto r = correlate::analyze_memory(app);
  if (!app.series.empty()) (void)correlate::summarize_before(app, app.series.samples().back().time, 600);
  (void)r;
  return 0;
}
