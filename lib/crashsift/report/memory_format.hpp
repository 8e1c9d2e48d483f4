#pragma once
// Rendering of `crashsift memory` results: text for people, JSON (schema crashsift/memory/1),
// Markdown for tickets, and the --explain-fields table. Returns strings; the tool prints them.
#include <string>
#include <vector>

#include "crashsift/core/time.hpp"
#include "crashsift/correlate/memory_analysis.hpp"

namespace crashsift::report {

using correlate::AppData;
using correlate::MemoryReport;

struct MemoryView {
  const AppData* app = nullptr;
  const MemoryReport* report = nullptr;
};

struct FormatOptions {
  Zone zone = Zone::utc();
  bool sparkline = true;        // the tool turns it off when stdout is not a terminal
};

std::string format_memory_text(const std::vector<MemoryView>& views, const FormatOptions& o);
std::string format_memory_markdown(const std::vector<MemoryView>& views, const FormatOptions& o);
std::string format_memory_json(const std::vector<MemoryView>& views, bool pretty);
// What was detected in the app logs and why (--explain-fields).
std::string format_field_explanation(const AppData& app);
// "app.ndjson: 12 invalid lines (first: line 3: invalid JSON)": one line per input with skips.
std::vector<std::string> input_warnings(const AppData& app);

}  // namespace crashsift::report
