#pragma once
// `crashsift timeline`: one chronological view of starts, exits, the kernel/coredump/oomd lines
// tied to them, app error events and memory samples (sampled down): plain data and its writers
// (pipeline/timeline.hpp builds it).
#include <optional>
#include <string>
#include <vector>

#include "crashsift/report/exits_report.hpp"

namespace crashsift::report {

struct TimelineEntry {
  UsecUtc at = 0;
  std::string kind;      // "start", "exit", "kernel", "coredump", "oomd", "app-error", "sample"
  std::string unit;
  std::string text;
};

struct Timeline {
  std::vector<TimelineEntry> entries;   // time order
  std::string sparkline;                // rss over the span, '^' marks under exits (empty without samples)
  std::optional<UsecUtc> from, to;
};

std::string format_timeline_text(const Timeline& t, const TextStyle& style);
std::string format_timeline_json(const Timeline& t, bool pretty);

}  // namespace crashsift::report
