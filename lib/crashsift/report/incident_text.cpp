// Text and Markdown for `crashsift report`: verdict first, short lines, units on every number.
#include <algorithm>
#include <cstdio>
#include <map>

#include "crashsift/core/text.hpp"
#include "crashsift/report/incident.hpp"
#include "crashsift/report/incident_sentences.hpp"
#include "crashsift/report/samples_format.hpp"

namespace crashsift::report {


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
  if (!r.chart_links.empty()) {
    o += "\nCHARTS\n";
    for (const auto& c : r.chart_links) o += "  " + c.unit + ": " + c.path + "\n";
  }
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
    const Example e = example_of(m);
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
  if (!r.chart_links.empty()) {
    o += "\n## Memory and exits\n\n";
    for (const auto& c : r.chart_links) o += "![memory of " + c.unit + "](" + c.path + ")\n\n";
  }
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
    const Example e = example_of(m);
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
