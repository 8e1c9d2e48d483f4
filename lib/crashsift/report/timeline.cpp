#include "crashsift/report/timeline.hpp"

#include <algorithm>

#include "crashsift/core/json_writer.hpp"
#include "crashsift/core/text.hpp"
#include "crashsift/correlate/memory_analysis.hpp"

namespace crashsift::report {

std::string format_timeline_text(const Timeline& t, const TextStyle& style) {
  std::string out;
  if (!t.sparkline.empty()) out += t.sparkline + "\n\n";
  size_t wu = 4, wk = 4;
  for (const auto& e : t.entries) wu = std::max(wu, e.unit.size()), wk = std::max(wk, e.kind.size());
  for (const auto& e : t.entries) {
    std::string line = format_in_zone(e.at, style.zone) + "  " + e.kind + std::string(wk - e.kind.size(), ' ') + "  " +
                       e.unit + std::string(wu - e.unit.size(), ' ') + "  " + e.text;
    if (style.color && e.kind == "exit") line = "\x1b[1m" + line + "\x1b[0m";
    out += line + "\n";
  }
  out += std::to_string(t.entries.size()) + " events\n";
  return out;
}

std::string format_timeline_json(const Timeline& t, bool pretty) {
  JsonWriter w(pretty);
  w.begin_object().field("schema", "crashsift/timeline/1");
  w.key("events").begin_array();
  for (const auto& e : t.entries)
    w.begin_object().field("at", format_rfc3339_utc(e.at)).field("kind", e.kind).field("unit", e.unit).field("text", e.text).end_object();
  w.end_array().end_object();
  std::string s = w.take();
  s.push_back('\n');
  return s;
}

}  // namespace crashsift::report
