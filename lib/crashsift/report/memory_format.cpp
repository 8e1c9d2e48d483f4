#include "crashsift/report/memory_format.hpp"
#include "crashsift/report/samples_format.hpp"

#include <cmath>
#include <cstdio>

#include "crashsift/core/json_writer.hpp"
#include "crashsift/core/text.hpp"

namespace crashsift::report {

using namespace crashsift::correlate;

namespace {

std::string opt_bytes(const std::optional<std::uint64_t>& b) { return b ? format_bytes(*b) : "-"; }

std::string rate_per_h(const std::optional<double>& bytes_per_s) {
  if (!bytes_per_s) return "-";
  const double h = *bytes_per_s * 3600;
  const double a = h < 0 ? -h : h;
  return (h < 0 ? "-" : "+") + format_bytes(static_cast<std::uint64_t>(a + 0.5)) + "/h";
}

std::string when(UsecUtc t, const FormatOptions& o) { return format_in_zone(t, o.zone); }

std::string title(const AppData& app) {
  std::string t = app.unit.empty() ? std::string("app log") : app.unit;
  t += ": ";
  for (size_t i = 0; i < app.files.size(); ++i) t += (i ? ", " : "") + app.files[i];
  return t;
}

std::string lifetime_end_text(const LifetimeMemory& m) {
  if (!m.journal_exit.empty()) return m.journal_exit;
  if (m.life.end_kind == LifetimeEnd::log_end)
    return m.near_limit ? "log ends with the last samples near the memory limit" : "log ends";
  std::string s = "exited (no exit record in the app log)";
  if (m.near_limit) s = "exited near the memory limit (oom, inferred)";
  return s;
}

void text_lifetimes(std::string& out, const AppData& app, const MemoryReport& r, const FormatOptions& o) {
  out += "lifetimes:\n";
  for (size_t i = 0; i < r.lifetimes.size(); ++i) {
    const auto& m = r.lifetimes[i];
    char head[64];
    std::snprintf(head, sizeof head, "  #%zu ", i + 1);
    out += head + when(m.life.start, o) + " .. " + when(m.life.end, o) + " (" +
           format_duration(static_cast<double>(m.life.end - m.life.start) / 1e6) + ")";
    if (m.life.pid >= 0) out += " pid " + std::to_string(m.life.pid);
    if (!m.life.version.empty()) out += " version " + m.life.version;
    out += "\n      started: " + m.life.start_reason + "; end: " + lifetime_end_text(m) + "\n";
    out += "      " + std::to_string(m.rss.count) + " samples, rss min " + opt_bytes(m.rss.min) +
           " / median " + opt_bytes(m.rss.median) + " / max " + opt_bytes(m.rss.max) + ", slope " +
           rate_per_h(m.rss.slope_bytes_per_s) + "\n";
    if (m.before_end) out += "      at the end: " + format_samples_line(*m.before_end) + "\n";
    if (!m.life.errors.empty()) {
      const auto& e = app.events[m.life.errors.back()];
      out += "      last app error: " + (e.event.empty() ? e.text : e.event) +
             (e.text.empty() || e.text == e.event ? "" : " (" + e.text.substr(0, 100) + ")") + " at " +
             when(e.time, o) + " [" + app.where(e.input, e.line) + "]";
      if (m.life.errors.size() > 1) out += " (+" + std::to_string(m.life.errors.size() - 1) + " more)";
      out += "\n";
    }
  }
}

void text_activity(std::string& out, const MemoryReport& r) {
  if (r.by_activity.empty()) return;
  out += "rss by activity (sum of activity counts):\n";
  out += "  activity  samples       p50       p90       max\n";
  for (const auto& l : r.by_activity) {
    char line[160];
    std::snprintf(line, sizeof line, "  %-8s %8zu %9s %9s %9s\n", l.label.c_str(), l.count,
                  format_bytes(l.p50).c_str(), format_bytes(l.p90).c_str(), format_bytes(l.max).c_str());
    out += line;
  }
}

void text_one(std::string& out, const MemoryView& v, const FormatOptions& o) {
  const AppData& app = *v.app;
  const MemoryReport& r = *v.report;
  out += title(app) + "\n";
  out += "verdict: " + r.verdict_text + "\n";
  if (r.idle.count)
    out += "idle baseline: " + std::to_string(r.idle.count) + " samples with zero activity, median " +
           opt_bytes(r.idle.median_rss) + ", slope " +
           (r.idle.slope_bytes_per_h ? rate_per_h(*r.idle.slope_bytes_per_h / 3600) : std::string("-")) + "\n";
  text_lifetimes(out, app, r, o);
  text_activity(out, r);
  if (o.sparkline && !r.spark.bars.empty()) {
    out += "rss " + when(r.spark.from, o) + " .. " + when(r.spark.to, o) + " (" + format_bytes(r.spark.lo) +
           " .. " + format_bytes(r.spark.hi) + ", ^ = exit)\n";
    out += "  " + r.spark.bars + "\n";
    if (!r.spark.marks.empty()) out += "  " + r.spark.marks + "\n";
  }
}

void json_rss(JsonWriter& w, const RssStats& s) {
  w.begin_object();
  w.field("count", static_cast<std::uint64_t>(s.count));
  w.field("min_bytes", s.min);
  w.field("median_bytes", s.median);
  w.field("max_bytes", s.max);
  w.field("slope_bytes_per_s", s.slope_bytes_per_s);
  w.end_object();
}

void json_lifetime(JsonWriter& w, const AppData& app, const LifetimeMemory& m) {
  w.begin_object();
  w.field("start", format_rfc3339_utc(m.life.start));
  w.field("end", format_rfc3339_utc(m.life.end));
  w.field("start_reason", m.life.start_reason);
  w.field("end_kind", to_string(m.life.end_kind));
  w.field("next_start", m.life.next_start ? std::optional<std::string>(format_rfc3339_utc(*m.life.next_start)) : std::nullopt);
  w.field("pid", m.life.pid >= 0 ? std::optional<std::int64_t>(m.life.pid) : std::nullopt);
  w.field_or_null("version", m.life.version);
  w.field("near_memory_limit", m.near_limit);
  w.key("rss");
  json_rss(w, m.rss);
  w.key("samples");
  write_samples_json(m.before_end, w);
  w.key("app_errors").begin_array();
  for (size_t i : m.life.errors) {
    const auto& e = app.events[i];
    w.begin_object();
    w.field("at", format_rfc3339_utc(e.time));
    w.field_or_null("event", e.event);
    w.field("level", input::to_string(e.level));
    w.field_or_null("message", e.text);
    w.field("source", app.where(e.input, e.line));
    w.end_object();
  }
  w.end_array();
  w.end_object();
}

void json_one(JsonWriter& w, const MemoryView& v) {
  const AppData& app = *v.app;
  const MemoryReport& r = *v.report;
  w.begin_object();
  w.field_or_null("unit", app.unit);
  w.key("files").begin_array();
  for (const auto& f : app.files) w.value(f);
  w.end_array();
  w.key("verdict").begin_object();
  w.field("kind", to_string(r.verdict));
  w.field("text", r.verdict_text);
  w.end_object();
  w.key("idle").begin_object();
  w.field("activity_known", r.idle.activity_known);
  w.field("count", static_cast<std::uint64_t>(r.idle.count));
  w.field("median_rss_bytes", r.idle.median_rss);
  w.field("slope_bytes_per_h", r.idle.slope_bytes_per_h
                                 ? std::optional<std::int64_t>(std::llround(*r.idle.slope_bytes_per_h))
                                 : std::nullopt);
  w.field("duration_s", r.idle.duration_s);
  w.end_object();
  w.key("rss");
  json_rss(w, r.overall);
  w.field("memory_limit_bytes", r.memory_limit);
  w.key("lifetimes").begin_array();
  for (const auto& m : r.lifetimes) json_lifetime(w, app, m);
  w.end_array();
  w.key("rss_by_activity").begin_array();
  for (const auto& l : r.by_activity) {
    w.begin_object();
    w.field("activity", l.label).field("min", l.lo).field("max", l.hi);
    w.field("count", static_cast<std::uint64_t>(l.count));
    w.field("p50_bytes", l.p50).field("p90_bytes", l.p90).field("max_bytes", l.max);
    w.end_object();
  }
  w.end_array();
  w.end_object();
}

}  // namespace

std::string format_memory_text(const std::vector<MemoryView>& views, const FormatOptions& o) {
  std::string out;
  for (size_t i = 0; i < views.size(); ++i) {
    if (i) out += "\n";
    text_one(out, views[i], o);
  }
  return out;
}

std::string format_memory_markdown(const std::vector<MemoryView>& views, const FormatOptions& o) {
  std::string out;
  for (const auto& v : views) {
    const MemoryReport& r = *v.report;
    out += "### " + title(*v.app) + "\n\n**Verdict:** " + r.verdict_text + "\n\n";
    if (r.idle.count)
      out += "Idle baseline: " + std::to_string(r.idle.count) + " samples with zero activity, median " +
             opt_bytes(r.idle.median_rss) + ", slope " +
             (r.idle.slope_bytes_per_h ? rate_per_h(*r.idle.slope_bytes_per_h / 3600) : std::string("-")) + "\n\n";
    out += "| # | start | end | pid | version | samples | rss min | median | max | slope | end |\n";
    out += "|---|---|---|---|---|---|---|---|---|---|---|\n";
    for (size_t i = 0; i < r.lifetimes.size(); ++i) {
      const auto& m = r.lifetimes[i];
      out += "| " + std::to_string(i + 1) + " | " + when(m.life.start, o) + " | " + when(m.life.end, o) + " | " +
             (m.life.pid >= 0 ? std::to_string(m.life.pid) : "") + " | " + m.life.version + " | " +
             std::to_string(m.rss.count) + " | " + opt_bytes(m.rss.min) + " | " + opt_bytes(m.rss.median) +
             " | " + opt_bytes(m.rss.max) + " | " + rate_per_h(m.rss.slope_bytes_per_s) + " | " +
             lifetime_end_text(m) + " |\n";
    }
    if (!r.by_activity.empty()) {
      out += "\n| activity | samples | p50 | p90 | max |\n|---|---|---|---|---|\n";
      for (const auto& l : r.by_activity)
        out += "| " + l.label + " | " + std::to_string(l.count) + " | " + format_bytes(l.p50) + " | " +
               format_bytes(l.p90) + " | " + format_bytes(l.max) + " |\n";
    }
    out += "\n";
  }
  return out;
}

std::string format_memory_json(const std::vector<MemoryView>& views, bool pretty) {
  JsonWriter w(pretty);
  w.begin_object();
  w.field("schema", "crashsift/memory/1");
  w.key("apps").begin_array();
  for (const auto& v : views) json_one(w, v);
  w.end_array();
  w.key("inputs").begin_array();
  for (const auto& v : views)
    for (const auto& in : v.app->inputs) {
      w.begin_object();
      w.field("path", in.path).field("format", in.format).field_or_null("compression", in.compression);
      w.field("records", in.entries).field("skipped", in.skipped).field("bytes", in.bytes);
      w.key("notes").begin_array();
      for (const auto& n : in.notes) w.value(n);
      w.end_array();
      w.field_or_null("error", in.fatal);
      w.end_object();
    }
  w.end_array();
  w.end_object();
  std::string s = w.take();
  s += "\n";
  return s;
}

std::string format_field_explanation(const AppData& app) {
  const auto& f = app.fields;
  std::string out = title(app) + "\n";
  out += "dialect: " + (f.dialect.empty() ? std::string("unknown") : f.dialect) + "\n";
  char line[256];
  std::snprintf(line, sizeof line,
                "lines: %llu; parsed %llu, skipped by the prefilter %llu; records kept %llu; without time %llu; recovered after torn lines %llu\n",
                static_cast<unsigned long long>(f.lines), static_cast<unsigned long long>(f.parsed),
                static_cast<unsigned long long>(f.prefiltered), static_cast<unsigned long long>(f.records),
                static_cast<unsigned long long>(f.no_time), static_cast<unsigned long long>(f.recovered));
  out += line;
  for (const char* role : {"time", "event", "rss", "heap", "activity"}) {
    auto it = f.roles.find(role);
    if (it == f.roles.end() || it->second.empty()) {
      out += std::string("  ") + role + ": not found\n";
      continue;
    }
    for (const auto& [field, use] : it->second)
      out += std::string("  ") + role + ": " + field + " (" + std::to_string(use.lines) + " lines): " + use.how + "\n";
  }
  return out;
}

std::vector<std::string> input_warnings(const AppData& app) {
  std::vector<std::string> out;
  for (const auto& n : app.notes) out.push_back("note: " + n);
  for (const auto& in : app.inputs) {
    if (!in.fatal.empty()) out.push_back("error: " + in.path + ": " + in.fatal);
    if (in.skipped > 0) {
      std::string s = "warning: " + in.path + ": " + std::to_string(in.skipped) + " unusable line" +
                      (in.skipped == 1 ? "" : "s");
      for (size_t i = 0; i < in.first_skips.size(); ++i)
        s += (i ? "; " : " (") + in.path + ":" + std::to_string(in.first_skips[i].line) + ": " +
             in.first_skips[i].reason;
      if (!in.first_skips.empty()) s += in.skipped > in.first_skips.size() ? "; ...)" : ")";
      out.push_back(s);
    }
    // Notes also when nothing was skipped: "no memory samples: saw fields ..." is one.
    for (const auto& n : in.notes) out.push_back("note: " + in.path + ": " + n);
  }
  return out;
}

}  // namespace crashsift::report
