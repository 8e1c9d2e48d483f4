#pragma once
// Helpers for the text-parser tests: run a parser over a literal or a testdata file and keep
// every Event and the InputReport.
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "crashsift/core/diag.hpp"
#include "crashsift/core/event.hpp"
#include "crashsift/input/byte_source.hpp"
#include "crashsift/input/journal_fields.hpp"
#include "crashsift/input/line_reader.hpp"
#include "crashsift/input/parser.hpp"

namespace crashsift::testing {

struct Parsed {
  std::vector<Event> events;   // journal records
  std::vector<Event> pasted;   // other text handed on for the witness recognizers (Event::pasted)
  InputReport report;
};

inline input::ParseOptions utc_options() {
  input::ParseOptions o;
  o.zone = Zone::utc();
  return o;
}

inline Parsed parse_with(const input::FormatParser& parser, std::string_view bytes,
                         const input::ParseOptions& options = utc_options()) {
  Parsed out;
  auto src = input::memory_source(bytes);
  input::LineReader reader(*src, options.max_line);
  parser.parse(reader, options, out.report,
               [&](const Event& e) { (e.pasted ? out.pasted : out.events).push_back(e); });
  return out;
}

inline std::string read_testdata(const std::string& relative) {
  std::ifstream in(std::string(CRASHSIFT_TESTDATA) + "/" + relative, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline bool has_note_containing(const InputReport& r, std::string_view needle) {
  for (const auto& n : r.notes)
    if (n.find(needle) != std::string::npos) return true;
  return false;
}

// A small reader of `journalctl -o export` for tests (text and binary fields), independent of
// the product's export parser: the truth the text forms are compared against.
struct ExportEntry {
  std::vector<std::pair<std::string, std::string>> fields;
};

inline std::vector<ExportEntry> read_export(const std::string& bytes) {
  std::vector<ExportEntry> entries;
  ExportEntry cur;
  size_t i = 0;
  while (i < bytes.size()) {
    const size_t nl = bytes.find('\n', i);
    const std::string line = bytes.substr(i, nl == std::string::npos ? std::string::npos : nl - i);
    i = nl == std::string::npos ? bytes.size() : nl + 1;
    if (line.empty()) {
      if (!cur.fields.empty()) entries.push_back(std::move(cur));
      cur = ExportEntry{};
      continue;
    }
    const size_t eq = line.find('=');
    if (eq != std::string::npos) {
      cur.fields.emplace_back(line.substr(0, eq), line.substr(eq + 1));
      continue;
    }
    // Binary form: NAME\n, 8-byte little-endian length, bytes, \n.
    std::uint64_t len = 0;
    for (int k = 7; k >= 0; --k) len = (len << 8) | static_cast<unsigned char>(bytes[i + static_cast<size_t>(k)]);
    cur.fields.emplace_back(line, bytes.substr(i + 8, len));
    i += 8 + len + 1;
  }
  if (!cur.fields.empty()) entries.push_back(std::move(cur));
  return entries;
}

// Events built from an export file with the shared field mapping: the truth the text forms are
// compared against.
inline std::vector<Event> export_events(const std::string& path) {
  std::vector<Event> out;
  for (const auto& entry : read_export(read_testdata(path))) {
    Event e;
    for (const auto& [n, v] : entry.fields) input::apply_journal_field(e, n, v);
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace crashsift::testing
