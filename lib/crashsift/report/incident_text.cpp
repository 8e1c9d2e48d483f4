// Text and Markdown for `crashsift report`: verdict first, short lines, units on every number.
#include <algorithm>
#include <cstdio>
#include <map>

#include "crashsift/core/text.hpp"
#include "crashsift/report/incident.hpp"
#include "crashsift/report/samples_format.hpp"

namespace crashsift::report {

namespace {

std::string when(const std::optional<UsecUtc>& t, const Zone& z) { return t ? format_in_zone(*t, z) : "?"; }
std::string hhmm(const std::optional<UsecUtc>& t, const Zone& z) { return t ? format_in_zone(*t, z).substr(11, 5) : "?"; }

std::string span_text(const std::optional<UsecUtc>& a, const std::optional<UsecUtc>& b, const Zone& z) {
  if (!a || !b) return "";
  const std::string da = format_in_zone(*a, z), db = format_in_zone(*b, z);
  if (*a == *b) return da.substr(0, 16);
  return da.substr(0, 16) + " – " + (da.substr(0, 10) == db.substr(0, 10) ? db.substr(11, 5) : db.substr(0, 16));
}

std::string counts_line(const Incident& r) {
  std::map<std::string, std::uint64_t> by;
  for (const auto& [k, v] : r.exits.streamed_by_class)
    if (v) by[k] += v;
  for (const auto& x : r.exits.exits) ++by[std::string(to_string(x.cls))];
  std::string s = std::to_string(r.exit_count) + " exits";
  if (r.span_first && r.span_last && *r.span_last > *r.span_first)
    s += " over " + format_duration(static_cast<double>(*r.span_last - *r.span_first) / 1e6);
  s += ":";
  bool first = true;
  for (const auto& [k, v] : by) s += (first ? " " : ", ") + std::to_string(v) + " " + k, first = false;
  return s;
}

std::string mode_line(const FailureMode& m, const Zone&) {
  std::string s = std::to_string(m.exits.size()) + " × " + m.title;
  return s;
}

// A failure mode of a fleet: "on 3 hosts since 07:57 (first web1)"; "" for one host.
std::string hosts_summary(const FailureMode& m, const Zone& z) {
  if (m.hosts.size() < 2) return {};
  const ModeHost* first = &m.hosts.front();
  for (const auto& h : m.hosts)
    if (h.first && (!first->first || *h.first < *first->first)) first = &h;
  return "on " + std::to_string(m.hosts.size()) + " hosts since " + hhmm(first->first, z) + " (first " + first->host + ")";
}

// "web1 ×12, web2 ×10, web3 ×9" (the most hit first; at most 8 named).
std::string hosts_list(const FailureMode& m) {
  std::vector<const ModeHost*> order;
  for (const auto& h : m.hosts) order.push_back(&h);
  std::stable_sort(order.begin(), order.end(), [](const ModeHost* a, const ModeHost* b) { return a->count > b->count; });
  std::string s;
  for (size_t i = 0; i < order.size() && i < 8; ++i)
    s += (s.empty() ? "" : ", ") + order[i]->host + " ×" + std::to_string(order[i]->count);
  if (order.size() > 8) s += ", ... (" + std::to_string(order.size() - 8) + " more)";
  return s;
}

// A crash loop names its host when the report covers several.
std::string loop_subject(const CrashLoop& l, const Incident& r) {
  return r.hosts.size() > 1 && !l.host.empty() ? l.host + " " + l.unit : l.unit;
}

std::string mode_detail(const FailureMode& m, const Zone& z) {
  std::string s = m.version_note;
  const std::string span = m.exits.size() > 1 ? hhmm(m.first, z) + " – " + hhmm(m.last, z) : hhmm(m.first, z);
  s += (s.empty() ? "" : " · ") + span;
  if (const std::string hosts = hosts_summary(m, z); !hosts.empty()) s += " · " + hosts;
  if (m.is_new) s += " · NEW since the baseline";
  else if (m.more_frequent) s += " · more frequent than the baseline (" + std::to_string(*m.baseline_count) + ")";
  return s;
}

std::string unit_list(const Incident& r) {
  const std::vector<std::string>& units = r.units;
  if (units.size() > 3) return std::to_string(units.size()) + " units";
  std::string s;
  for (const auto& u : units) s += (s.empty() ? "" : ", ") + u;
  return s;
}

struct Example {
  const classify::Exit* exit;
  const correlate::SamplesSummary* samples;
  const CoreAttachment* core;
};

Example example_of(const Incident& r, const FailureMode& m) {
  (void)r;
  return {&m.example, m.example_samples ? &*m.example_samples : nullptr, m.example_core ? &*m.example_core : nullptr};
}

}  // namespace

std::string format_incident_text(const Incident& r, const TextStyle& style) {
  const Zone& z = style.zone;
  const std::string zone_name = z.is_utc() ? "UTC" : (z.name().empty() ? "local time" : z.name());
  if (r.exit_count == 0) return "CRASH REPORT  no exits in the input (or none matched the selection)\n";
  std::string o = "CRASH REPORT  " + unit_list(r) + "  " + span_text(r.span_first, r.span_last, z) + " (" + zone_name + ")\n\n";
  o += "TL;DR\n  " + counts_line(r) + "\n";
  o += "  " + std::to_string(r.modes.size()) + (r.modes.size() == 1 ? " failure mode" : " failure modes") +
       (r.modes.empty() ? ".\n" : ":\n");
  for (size_t k = 0; k < r.modes.size(); ++k) {
    o += "   " + std::to_string(k + 1) + ". " + mode_line(r.modes[k], z) + "\n";
    o += "      " + mode_detail(r.modes[k], z) + "\n";
  }
  if (!r.memory_verdict.empty()) o += "  Memory: " + r.memory_verdict + "\n";
  if (!r.loops.empty()) {
    o += "\nCRASH LOOPS\n";
    for (const auto& l : r.loops) {
      char rate[32];
      std::snprintf(rate, sizeof rate, "%.1f", l.restarts_per_hour);
      o += "  " + loop_subject(l, r) + ": " + std::to_string(l.exits) + " exits " + span_text(l.first, l.last, z) + ", " + rate +
           " restarts/h (" + l.what + ")";
      if (l.start_limit_hits) o += ", start limit hit " + std::to_string(l.start_limit_hits) + "×";
      o += "\n";
    }
  }
  if (!r.modes.empty()) o += "\nFAILURE MODES\n";
  for (size_t k = 0; k < r.modes.size(); ++k) {
    const auto& m = r.modes[k];
    const Example e = example_of(r, m);
    o += "  " + std::to_string(k + 1) + ". " + m.title + "   [" + m.key + "]\n";
    o += "     occurrences: " + std::to_string(m.exits.size()) + ", first " + when(m.first, z) + ", last " + when(m.last, z) + "\n";
    if (m.hosts.size() > 1) o += "     hosts:       " + hosts_summary(m, z) + ": " + hosts_list(m) + "\n";
    o += "     example:     " + when(e.exit->exited_at, z) + " " + e.exit->unit + " pid " +
         (e.exit->pid ? std::to_string(*e.exit->pid) : std::string("?"));
    if (auto up = e.exit->uptime_s()) o += ", up " + format_duration(*up);
    if (!e.exit->runtime.empty()) o += ", " + e.exit->runtime;
    o += "\n";
    if (!e.exit->last_output.empty()) {
      o += "     last output:\n";
      for (const auto& l : e.exit->last_output) o += "       | " + l + "\n";
    }
    if (e.core && !e.core->top_frames.empty()) {
      o += "     backtrace (" + std::string(e.core->source == "journal" ? "systemd-coredump journal entry" : e.core->path) + "):\n";
      for (const auto& f : e.core->top_frames) o += "       at " + f + "\n";
    }
    if (e.samples) o += "     memory:      " + report::format_samples_line(*e.samples) + "\n";
    if (e.exit->memory_peak_bytes) o += "     systemd:     memory peak " + format_bytes(*e.exit->memory_peak_bytes) + "\n";
    if (!m.memory_note.empty()) o += "     verdict:     " + m.memory_note + "\n";
  }
  if (!r.memory_lines.empty()) {
    o += "\nMEMORY\n";
    for (const auto& l : r.memory_lines) o += "  " + l + "\n";
    if (r.memory_limit) o += "  limit: " + format_bytes(*r.memory_limit) + "\n";
  }
  if (!r.gaps.empty()) {
    o += "\nEVIDENCE GAPS\n";
    for (const auto& g : r.gaps) o += "  - " + g + "\n";
  }
  return o;
}

std::string format_incident_markdown(const Incident& r, const TextStyle& style) {
  const Zone& z = style.zone;
  const std::string zone_name = z.is_utc() ? "UTC" : (z.name().empty() ? "local time" : z.name());
  std::string o = "# Crash report: " + unit_list(r) + "\n\n" + span_text(r.span_first, r.span_last, z) + " (" + zone_name + ")\n\n";
  o += "## TL;DR\n\n- " + counts_line(r) + "\n";
  for (const auto& m : r.modes) o += "- **" + mode_line(m, z) + "** — " + mode_detail(m, z) + "\n";
  if (!r.memory_verdict.empty()) o += "- Memory: " + r.memory_verdict + "\n";
  if (!r.loops.empty()) {
    o += "\n## Crash loops\n\n| Unit | Exits | Span | Restarts/h | What | Start limit hits |\n|---|---:|---|---:|---|---:|\n";
    for (const auto& l : r.loops) {
      char rate[32];
      std::snprintf(rate, sizeof rate, "%.1f", l.restarts_per_hour);
      o += "| " + loop_subject(l, r) + " | " + std::to_string(l.exits) + " | " + span_text(l.first, l.last, z) + " | " + rate + " | " +
           l.what + " | " + std::to_string(l.start_limit_hits) + " |\n";
    }
  }
  if (!r.modes.empty()) o += "\n## Failure modes\n";
  for (size_t k = 0; k < r.modes.size(); ++k) {
    const auto& m = r.modes[k];
    const Example e = example_of(r, m);
    o += "\n### " + std::to_string(k + 1) + ". " + m.title + "\n\n";
    o += "- Occurrences: " + std::to_string(m.exits.size()) + " (first " + when(m.first, z) + ", last " + when(m.last, z) + ")\n";
    if (m.hosts.size() > 1) o += "- Hosts: " + hosts_summary(m, z) + ": " + hosts_list(m) + "\n";
    if (!m.version_note.empty()) o += "- Runtime: " + m.version_note + "\n";
    o += "- Example: " + when(e.exit->exited_at, z) + ", pid " + (e.exit->pid ? std::to_string(*e.exit->pid) : "?");
    if (auto up = e.exit->uptime_s()) o += ", up " + format_duration(*up);
    o += "\n";
    if (e.samples) o += "- Memory before the exit: " + report::format_samples_line(*e.samples) + "\n";
    if (e.exit->memory_peak_bytes) o += "- systemd memory peak: " + format_bytes(*e.exit->memory_peak_bytes) + "\n";
    if (!m.memory_note.empty()) o += "- Verdict: " + m.memory_note + "\n";
    o += "- Signature: `" + m.key + "`\n";
    if (!e.exit->last_output.empty()) {
      o += "\nLast output:\n\n```\n";
      for (const auto& l : e.exit->last_output) o += l + "\n";
      o += "```\n";
    }
    if (e.core && !e.core->top_frames.empty()) {
      o += "\nBacktrace:\n\n```\n";
      for (const auto& f : e.core->top_frames) o += "at " + f + "\n";
      o += "```\n";
    }
  }
  if (!r.memory_lines.empty()) {
    o += "\n## Memory\n\n";
    for (const auto& l : r.memory_lines) o += "- " + l + "\n";
    if (r.memory_limit) o += "- Limit: " + format_bytes(*r.memory_limit) + "\n";
  }
  if (!r.gaps.empty()) {
    o += "\n## Evidence gaps\n\n";
    for (const auto& g : r.gaps) o += "- " + g + "\n";
  }
  return o;
}

}  // namespace crashsift::report
