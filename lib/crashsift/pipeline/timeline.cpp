#include "crashsift/pipeline/timeline.hpp"

#include <algorithm>

#include "crashsift/core/text.hpp"
#include "crashsift/correlate/memory_analysis.hpp"

namespace crashsift::pipeline {

using namespace crashsift::report;

namespace {

std::string exit_text(const classify::Exit& x) {
  std::string s = std::string(to_string(x.cls));
  if (x.code) s += " exit " + std::to_string(*x.code);
  if (!x.signal.empty()) s += " SIG" + x.signal;
  if (x.pid) s += " pid " + std::to_string(*x.pid);
  if (!x.reason.empty()) s += ": " + x.reason;
  else if (!x.cause.empty()) s += " (" + x.cause + ")";
  if (!x.runtime.empty()) s += " [" + x.runtime + "]";
  return s;
}

std::string evidence_kind(const std::string& role) {
  if (role == "kernel-oom-kill" || role == "kernel-fault") return "kernel";
  if (role == "coredump") return "coredump";
  if (role == "oomd-kill" || role == "oomd-unit-line") return "oomd";
  return {};
}

void add_exits(const ExitsReport& r, std::vector<TimelineEntry>& out) {
  for (const auto& x : r.exits) {
    if (x.started_at) out.push_back({*x.started_at, "start", x.unit, x.runtime.empty() ? "started" : "started [" + x.runtime + "]"});
    if (x.exited_at) out.push_back({*x.exited_at, "exit", x.unit, exit_text(x)});
    for (const auto& e : x.evidence) {
      const std::string kind = evidence_kind(e.role);
      if (!kind.empty() && e.time) out.push_back({*e.time, kind, x.unit, e.text});
    }
  }
}

// A unit restarted after its last exit and still running when the input ends: its start says
// so, or the timeline would end at the last death as if the unit had stayed down.
// Only for a unit with a listed exit in the same boot (so -b and -u hold), and not when a listed
// exit shows the lifetime ended after all: that unit exiting later, or its host in a later boot
// (inputs read one after another each leave their last lifetime running).
void add_running(const ExitsReport& r, std::vector<TimelineEntry>& out) {
  using classify::same_boot;
  for (const auto& l : r.running) {
    bool listed = false, ended = false;
    for (const auto& x : r.exits) {
      if (x.hostname != l.hostname) continue;
      const bool after = x.exited_at && *x.exited_at >= l.started_at;
      if (x.unit == l.unit && same_boot(x.boot_id, l.boot_id)) listed = true;
      if (after && (x.unit == l.unit || !same_boot(x.boot_id, l.boot_id))) ended = true;
    }
    if (listed && !ended) out.push_back({l.started_at, "start", l.unit, "started; still running when the input ends"});
  }
}

void add_app(const ExitsReport& r, double every_s, std::vector<TimelineEntry>& out) {
  for (const auto& app : r.apps) {
    const std::string unit = app.unit.empty() ? "(app log)" : app.unit;
    for (const auto& ev : app.events)
      if (ev.kind == input::AppRecordKind::error)
        out.push_back({ev.time, "app-error", unit, (ev.event.empty() ? "" : ev.event + ": ") + ev.text});
    if (every_s <= 0) continue;
    UsecUtc next = 0;
    for (const auto& s : app.series.samples()) {
      if (s.time < next || !s.has_rss()) continue;
      next = s.time + static_cast<UsecUtc>(every_s * 1e6);
      std::string text = "rss " + format_bytes(s.rss);
      if (s.has_heap()) text += ", heap " + format_bytes(s.heap);
      for (const auto& a : app.series.activity(s)) text += ", " + std::to_string(a.value) + " " + app.series.name(a.name);
      out.push_back({s.time, "sample", unit, text});
    }
  }
}

std::string make_sparkline(const ExitsReport& r) {
  if (r.apps.empty() || r.apps.front().series.empty()) return {};
  std::vector<UsecUtc> exits;
  for (const auto& x : r.exits)
    if (x.exited_at) exits.push_back(*x.exited_at);
  const auto sp = correlate::sparkline(r.apps.front().series, exits, 72);
  return sp.bars + "\n" + sp.marks + "   (rss " + format_bytes(sp.lo) + " .. " + format_bytes(sp.hi) + ", ^ = exit)";
}

}  // namespace

Timeline build_timeline(const ExitsReport& r, double sample_every_s, std::optional<UsecUtc> since,
                        std::optional<UsecUtc> until) {
  Timeline t;
  std::vector<TimelineEntry> all;
  add_exits(r, all);
  add_running(r, all);
  add_app(r, sample_every_s, all);
  for (auto& e : all)
    if ((!since || e.at >= *since) && (!until || e.at <= *until)) t.entries.push_back(std::move(e));
  std::stable_sort(t.entries.begin(), t.entries.end(), [](const auto& a, const auto& b) { return a.at < b.at; });
  if (!t.entries.empty()) t.from = t.entries.front().at, t.to = t.entries.back().at;
  t.sparkline = make_sparkline(r);
  return t;
}

}  // namespace crashsift::pipeline
