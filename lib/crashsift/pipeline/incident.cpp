#include "crashsift/pipeline/incident.hpp"

#include <algorithm>
#include <map>
#include <simdjson.h>

#include "crashsift/core/text.hpp"
#include "crashsift/correlate/memory_analysis.hpp"
#include "crashsift/symbolize/signature.hpp"

namespace crashsift::pipeline {

using classify::ExitClass;
using report::FailureMode;

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

std::string mode_key(const report::ExitsReport& r, size_t i) {
  const auto& x = r.exits[i];
  if (const auto* c = r.core_of(i); c && c->signature) return "core:" + c->signature->hash;
  if (!x.reason.empty())
    return "reason:" + symbolize::short_hash(std::string(to_string(x.cls)) + "|" + normalize_reason(x.reason));
  return "cause:" + std::string(to_string(x.cls)) + "/" + x.cause;
}

std::string mode_title(const report::ExitsReport& r, size_t i) {
  const auto& x = r.exits[i];
  std::string t(to_string(x.cls));
  if (x.code) t = "exit-" + std::to_string(*x.code);
  if (!x.signal.empty()) t += " (SIG" + x.signal + ")";
  if (const auto* c = r.core_of(i); c && c->signature) return t + ": " + c->signature->text;
  if (!x.reason.empty()) return t + ": " + x.reason;
  return t + ": " + x.cause;
}

std::string short_time(UsecUtc t, const Zone& zone) { return format_in_zone(t, zone).substr(11, 5); }

// "all on Bun v1.3.13; none since Bun v1.3.14 started at 09:06" — only when the data shows it.
std::string version_note(const FailureMode& m, const report::ExitsReport& r, const Zone& zone) {
  if (m.runtimes.size() != 1 || m.runtimes[0].empty()) {
    std::string s;
    for (const auto& v : m.runtimes) s += (s.empty() ? "on " : ", ") + (v.empty() ? std::string("unknown") : v);
    return s;
  }
  const std::string& v = m.runtimes[0];
  std::string note = (m.exits.size() == 1 ? "on " : "all on ") + v;
  // The first later lifetime on another runtime version, and what happened on it since.
  for (size_t i = 0; i < r.exits.size(); ++i) {
    const auto& x = r.exits[i];
    if (x.runtime.empty() || x.runtime == v || !x.started_at || !m.last || *x.started_at < *m.last) continue;
    size_t same_mode_since = 0;
    for (size_t k : m.exits)
      if (r.exits[k].exited_at && *r.exits[k].exited_at >= *x.started_at) ++same_mode_since;
    if (same_mode_since == 0) note += "; none since " + x.runtime + " started at " + short_time(*x.started_at, zone);
    break;
  }
  return note;
}

// Whether memory can explain a death: the example exit's last sample, uptime and systemd peak.
std::string memory_note(const FailureMode& m, const report::ExitsReport& r, std::optional<std::uint64_t> limit) {
  const size_t i = m.exits.back();
  const auto& x = r.exits[i];
  const auto* s = r.samples_of(i);
  if (x.cls == ExitClass::oom) {
    std::string t = "memory exhaustion";
    if (s && s->last.rss_bytes) t += " (last sample " + format_bytes(*s->last.rss_bytes) + ")";
    return t;
  }
  std::optional<std::uint64_t> rss = s ? s->last.rss_bytes : std::nullopt;
  if (!rss && !x.memory_peak_bytes) return {};
  const std::uint64_t at = rss.value_or(x.memory_peak_bytes.value_or(0));
  std::string what = m.title.substr(0, m.title.find(':'));
  std::string t = what + " at " + format_bytes(at) + (rss ? "" : " (systemd peak)");
  if (auto up = x.uptime_s()) t += " after " + format_duration(*up) + " up";
  if (rss && x.memory_peak_bytes && *x.memory_peak_bytes > 4 * at)
    return t + " (systemd memory peak " + format_bytes(*x.memory_peak_bytes) + "): memory a symptom, not the trigger";
  if (limit && at * 2 < *limit)
    return t + " of a " + format_bytes(*limit) + " limit: not memory exhaustion";
  return t + ": no OOM evidence";
}

std::vector<FailureMode> group_modes(const report::ExitsReport& r) {
  std::vector<FailureMode> modes;
  std::map<std::string, size_t> by_key;
  for (size_t i = 0; i < r.exits.size(); ++i) {
    const auto& x = r.exits[i];
    if (x.cls == ExitClass::clean) continue;
    const std::string key = mode_key(r, i);
    auto [it, fresh] = by_key.try_emplace(key, modes.size());
    if (fresh) {
      FailureMode m;
      m.key = key;
      m.title = mode_title(r, i);
      m.cls = x.cls;
      m.cause = x.cause;
      modes.push_back(std::move(m));
    }
    FailureMode& m = modes[it->second];
    m.exits.push_back(i);
    if (x.exited_at) {
      if (!m.first) m.first = x.exited_at;
      m.last = x.exited_at;
    }
    if (std::find(m.runtimes.begin(), m.runtimes.end(), x.runtime) == m.runtimes.end()) m.runtimes.push_back(x.runtime);
  }
  std::stable_sort(modes.begin(), modes.end(), [](const FailureMode& a, const FailureMode& b) {
    return a.exits.size() > b.exits.size();
  });
  return modes;
}

// Runs of exits of one unit restarted by systemd (or restarted within 10 min): a crash loop
// when there are 3 or more.
std::vector<report::CrashLoop> find_loops(const report::ExitsReport& r) {
  std::vector<report::CrashLoop> loops;
  std::map<std::string, std::vector<size_t>> by_unit;
  for (size_t i = 0; i < r.exits.size(); ++i) by_unit[r.exits[i].unit].push_back(i);
  for (const auto& [unit, idx] : by_unit) {
    size_t start = 0;
    auto flush = [&](size_t end) {
      size_t failures = 0;
      for (size_t k = start; k < end; ++k) failures += r.exits[idx[k]].cls != ExitClass::clean;
      if (end - start < 3 || failures < 2) return;
      report::CrashLoop l;
      l.unit = unit;
      l.exits = end - start;
      l.first = r.exits[idx[start]].exited_at;
      l.last = r.exits[idx[end - 1]].exited_at;
      std::map<std::string, int> what;
      for (size_t k = start; k < end; ++k) {
        const auto& x = r.exits[idx[k]];
        ++what[std::string(to_string(x.cls))];
        l.start_limit_hits += x.start_limit_hit;
      }
      for (const auto& [c, n] : what) l.what += (l.what.empty() ? "" : ", ") + std::to_string(n) + " " + c;
      if (l.first && l.last && *l.last > *l.first)
        l.restarts_per_hour = static_cast<double>(l.exits - 1) * 3600e6 / static_cast<double>(*l.last - *l.first);
      loops.push_back(std::move(l));
    };
    for (size_t k = 1; k <= idx.size(); ++k) {
      if (k == idx.size()) {
        flush(k);
        break;
      }
      const auto& prev = r.exits[idx[k - 1]];
      const auto& cur = r.exits[idx[k]];
      const bool restarted = prev.restart_counter.has_value() ||
                             (prev.exited_at && cur.started_at && *cur.started_at - *prev.exited_at < 600 * usec_per_sec);
      if (!restarted) {
        flush(k);
        start = k;
      }
    }
  }
  return loops;
}

std::vector<std::string> find_gaps(const report::ExitsReport& r) {
  std::vector<std::string> gaps;
  size_t dumped_without_core = 0, failures = 0, no_samples = 0, long_gap = 0, no_pid = 0;
  for (size_t i = 0; i < r.exits.size(); ++i) {
    const auto& x = r.exits[i];
    if (x.cls == ExitClass::clean) continue;
    ++failures;
    if (x.exit_kind == "dumped" && !r.core_of(i)) ++dumped_without_core;
    if (!r.samples.empty()) {
      const auto* s = r.samples_of(i);
      if (!s) ++no_samples;
      else if (s->gap_s > 60) ++long_gap;
    }
    if (!x.pid) ++no_pid;
  }
  if (dumped_without_core)
    gaps.push_back(std::to_string(dumped_without_core) + " exit(s) dumped core, but no core file or systemd-coredump "
                   "backtrace was found: enable core capture (systemd-coredump, LimitCORE=infinity) and pass --cores");
  if (no_samples)
    gaps.push_back(std::to_string(no_samples) + " failure(s) are not covered by the app log (rotated away, or the app "
                   "logged no sample before them)");
  if (long_gap) gaps.push_back(std::to_string(long_gap) + " failure(s) had no app sample in the minute before the exit");
  if (no_pid)
    gaps.push_back(std::to_string(no_pid) + " failure(s) without a known main PID (no process output, kill line or "
                   "coredump names it; text forms do not record it)");
  if (failures && !r.kernel_input_present)
    gaps.push_back("no kernel log in the input: kernel OOM kills and fault lines cannot be checked (add the host's "
                   "dmesg or journal; a container's journal has none)");
  for (const auto& in : r.inputs) {
    if (in.skipped) gaps.push_back(in.path + ": " + std::to_string(in.skipped) + " unreadable line(s) skipped");
    if (in.damage_count) {
      std::string what = in.path + ": damaged journal (" + std::to_string(in.damage_count) + " problem(s)";
      if (!in.damage.empty()) what += "; first: " + in.damage.front().file + ": " + in.damage.front().what;
      what += ")";
      if (in.salvaged_entries)
        what += "; " + std::to_string(in.salvaged_entries) + " entries salvaged, evidence from them is marked salvaged";
      gaps.push_back(what + "; deaths recorded in the lost part cannot be listed");
    }
  }
  for (const auto& w : r.warnings) gaps.push_back(w.message);
  return gaps;
}

void apply_baseline(std::vector<FailureMode>& modes, const std::string& json, std::string& error) {
  simdjson::dom::parser p;
  simdjson::dom::element doc;
  if (p.parse(json).get(doc)) {
    error = "--baseline is not a crashsift report (invalid JSON)";
    return;
  }
  std::map<std::string, size_t> old;
  simdjson::dom::array arr;
  if (doc["modes"].get_array().get(arr)) {
    error = "--baseline has no \"modes\" array (was it made by crashsift report --format json?)";
    return;
  }
  for (auto m : arr) {
    std::string_view key;
    std::uint64_t n = 0;
    if (m["key"].get_string().get(key) || m["count"].get_uint64().get(n)) continue;
    old[std::string(key)] = n;
  }
  for (auto& m : modes) {
    auto it = old.find(m.key);
    if (it == old.end()) {
      m.is_new = true;
      continue;
    }
    m.baseline_count = it->second;
    m.more_frequent = m.exits.size() > it->second;
  }
}

}  // namespace

std::string normalize_reason(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    if (s[i] == '0' && i + 1 < s.size() && (s[i + 1] == 'x' || s[i + 1] == 'X') && i + 2 < s.size() && is_hex(s[i + 2])) {
      i += 2;
      while (i < s.size() && is_hex(s[i])) ++i;
      out += "0xN";
    } else if (is_digit(s[i])) {
      while (i < s.size() && (is_digit(s[i]) || s[i] == '.')) ++i;
      out += "N";
    } else {
      out.push_back(s[i++]);
    }
  }
  return out;
}

Result<report::Incident> build_incident(report::ExitsReport exits, const IncidentOptions& options) {
  report::Incident inc;
  inc.exits = std::move(exits);
  const auto& r = inc.exits;
  for (const auto& x : r.exits) {
    if (x.exited_at && (!inc.span_first || *x.exited_at < *inc.span_first)) inc.span_first = x.exited_at;
    if (x.exited_at && (!inc.span_last || *x.exited_at > *inc.span_last)) inc.span_last = x.exited_at;
    inc.clean_exits += x.cls == ExitClass::clean;
  }
  inc.memory_limit = options.memory_limit;
  inc.modes = group_modes(r);
  for (auto& m : inc.modes) {
    m.version_note = version_note(m, r, options.zone);
    m.memory_note = memory_note(m, r, options.memory_limit);
  }
  inc.loops = find_loops(r);
  inc.gaps = find_gaps(r);
  for (const auto& app : r.apps) {
    correlate::MemoryOptions mo;
    mo.memory_limit = options.memory_limit;
    for (const auto& x : r.exits)
      if (x.exited_at) mo.exit_marks.push_back(*x.exited_at);
    const auto mem = correlate::analyze_memory(app, mo);
    if (mem.verdict_text.empty()) continue;
    inc.memory_lines.push_back((app.unit.empty() ? std::string() : app.unit + ": ") + mem.verdict_text);
    if (inc.memory_verdict.empty()) inc.memory_verdict = mem.verdict_text;
  }
  if (!options.baseline_json.empty()) {
    inc.baseline_given = true;
    std::string error;
    apply_baseline(inc.modes, options.baseline_json, error);
    if (!error.empty()) return make_error(error);
  }
  return inc;
}

}  // namespace crashsift::pipeline
