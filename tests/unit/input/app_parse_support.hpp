#pragma once
// Helpers for the app-log reader tests: one line through parse_app_line, or a whole stream
// through read_app_log with its report and detected fields.
#include <doctest/doctest.h>

#include <string_view>
#include <vector>

#include "crashsift/core/diag.hpp"
#include "crashsift/input/app_ndjson.hpp"
#include "crashsift/input/byte_source.hpp"
#include "support/temp_file.hpp"

namespace crashsift::testing {

inline input::AppRecord parse_app(std::string_view line, const input::AppReadOptions& o = {}) {
  input::AppFieldReport f;
  input::AppRecord r;
  REQUIRE(input::parse_app_line(line, o, f, r));
  return r;
}

struct StreamedApp {
  std::vector<input::AppRecord> records;
  InputReport report;
  input::AppFieldReport fields;
};

inline StreamedApp stream_app(std::string_view bytes, input::AppReadOptions o = {}) {
  StreamedApp s;
  auto src = input::memory_source(bytes);
  input::LineReader reader(*src, o.max_line);  // as the app loader reads: with the line limit
  input::read_app_log(reader, o, s.report, s.fields, [&](const input::AppRecord& r) { s.records.push_back(r); });
  return s;
}

// The same bytes read from a plain file, as `crashsift memory --app FILE` reads them.
inline StreamedApp stream_app_file(std::string_view bytes, input::AppReadOptions o = {}) {
  const test::TempFile file(bytes);
  REQUIRE(!file.path().empty());
  StreamedApp s;
  auto src = input::open_source(file.path());
  REQUIRE(src);
  input::LineReader reader(**src, o.max_line);
  input::read_app_log(reader, o, s.report, s.fields, [&](const input::AppRecord& r) { s.records.push_back(r); });
  CHECK(reader.bytes_consumed() == bytes.size());
  return s;
}

}  // namespace crashsift::testing
