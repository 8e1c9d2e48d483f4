#include "crashsift/report/samples_format.hpp"

#include <cstdio>

#include "crashsift/core/text.hpp"
#include "crashsift/core/time.hpp"

namespace crashsift::report {

using correlate::SamplesSummary;

void write_samples_json(const std::optional<SamplesSummary>& s, JsonWriter& w) {
  if (!s) {
    w.null();
    return;
  }
  w.begin_object();
  w.key("last").begin_object();
  w.field("at", format_rfc3339_utc(s->last.at));
  w.field("rss_bytes", s->last.rss_bytes);
  w.field("heap_bytes", s->last.heap_bytes);
  w.key("activity").begin_object();
  for (const auto& [name, v] : s->last.activity) w.field(name, v);
  w.end_object();
  w.field("source", s->last.where);
  w.end_object();
  w.field("gap_s", s->gap_s);
  w.field("window_s", s->window_s);
  w.field("count", static_cast<std::uint64_t>(s->count));
  w.field("peak_rss_bytes", s->peak_rss_bytes);
  w.field("rss_slope_bytes_per_s", s->rss_slope_bytes_per_s);
  w.key("app_errors").begin_array();
  for (const auto& e : s->app_errors) {
    w.begin_object();
    w.field("at", format_rfc3339_utc(e.at));
    w.field_or_null("event", e.event);
    w.field("level", e.level);
    w.field_or_null("message", e.message);
    w.field("source", e.where);
    w.end_object();
  }
  w.end_array();
  w.field("app_version", s->app_version);
  w.end_object();
}

// "350 ms", "2.5 s", "12 s", "3 min 5 s": the gap as people say it.
static std::string seconds_text(double s) {
  char buf[32];
  if (s < 1) std::snprintf(buf, sizeof buf, "%.0f ms", s * 1000);
  else if (s < 10) std::snprintf(buf, sizeof buf, "%.1f s", s);
  else if (s < 60) std::snprintf(buf, sizeof buf, "%.0f s", s);
  else return format_duration(s);
  return buf;
}

std::string format_samples_line(const SamplesSummary& s) {
  std::string out;
  if (s.last.rss_bytes) out = "rss " + format_bytes(*s.last.rss_bytes);
  else if (s.last.heap_bytes) out = "heap " + format_bytes(*s.last.heap_bytes);
  out += " " + seconds_text(s.gap_s) + " before";
  for (const auto& [name, v] : s.last.activity) out += ", " + std::to_string(v) + " " + name;
  if (s.peak_rss_bytes) out += ", window peak " + format_bytes(*s.peak_rss_bytes);
  if (!s.app_errors.empty()) {
    const auto& e = s.app_errors.back();
    out += ", app error: " + (e.event.empty() ? e.message : e.event);
    if (!e.message.empty() && !e.event.empty() && e.message != e.event) out += " (" + e.message.substr(0, 80) + ")";
  }
  return out;
}

}  // namespace crashsift::report
