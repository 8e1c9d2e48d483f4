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

std::string mode_key(const classify::Exit& x, const report::CoreAttachment* c) {
  if (c && c->signature) return "core:" + c->signature->hash;
  if (!x.reason.empty())
    return "reason:" + symbolize::short_hash(std::string(to_string(x.cls)) + "|" + normalize_reason(x.reason));
  return "cause:" + std::string(to_string(x.cls)) + "/" + x.cause;
}

std::string mode_title(const classify::Exit& x, const report::CoreAttachment* c) {
  std::string t(to_string(x.cls));
  if (x.code) t = "exit-" + std::to_string(*x.code);
  if (!x.signal.empty()) t += " (SIG" + x.signal + ")";
  if (c && c->signature) return t + ": " + c->signature->text;
  if (!x.reason.empty()) return t + ": " + x.reason;
  return t + ": " + x.cause;
}

// A mode groups exits by cause, message or core signature, not by exit code: when its exits'
// codes differ the title names them all ("exit-1, exit-2: exit-code"), not the first one's.
std::string title_with_codes(const std::string& title, std::vector<std::int64_t> codes) {
  const size_t colon = title.find(':');
  if (codes.size() < 2 || colon == std::string::npos || !starts_with(title, "exit-")) return title;
  std::sort(codes.begin(), codes.end());
  constexpr size_t named = 4;
  std::string t;
  for (size_t i = 0; i < codes.size() && i < named; ++i) t += (i ? ", exit-" : "exit-") + std::to_string(codes[i]);
  if (codes.size() > named) t += ", ...";
  const size_t signal = title.find(" (SIG");
  if (signal != std::string::npos && signal < colon) t += title.substr(signal, colon - signal);
  return t + title.substr(colon);
}

std::string short_time(UsecUtc t, const Zone& zone) { return format_in_zone(t, zone).substr(11, 5); }

// Whether memory can explain a death: the example exit's last sample, uptime and systemd peak.
std::string memory_note(const FailureMode& m, std::optional<std::uint64_t> limit) {
  const auto& x = m.example;
  const correlate::SamplesSummary* s = m.example_samples ? &*m.example_samples : nullptr;
  if (x.cls == ExitClass::oom) {
    std::string t = "memory exhaustion";
    if (s && s->last.rss_bytes) t += " (last sample " + format_bytes(*s->last.rss_bytes) + ")";
    return t;
  }
  std::optional<std::uint64_t> rss = s ? s->last.rss_bytes : std::nullopt;
  if (!rss && !x.memory_peak_bytes) return {};
  const std::uint64_t at = rss.value_or(x.memory_peak_bytes.value_or(0));
  // The example's own code: the mode's title may name several ("exit-1, exit-3").
  const std::string title = mode_title(x, nullptr);
  const std::string what = title.substr(0, title.find(':'));
  std::string t = what + " at " + format_bytes(at) + (rss ? "" : " (systemd peak)");
  if (auto up = x.uptime_s()) t += " after " + format_duration(*up) + " up";
  if (rss && x.memory_peak_bytes && *x.memory_peak_bytes > 4 * at)
    return t + " (systemd memory peak " + format_bytes(*x.memory_peak_bytes) + "): memory a symptom, not the trigger";
  if (limit && at * 2 < *limit)
    return t + " of a " + format_bytes(*limit) + " limit: not memory exhaustion";
  return t + ": no OOM evidence";
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

// ---- IncidentBuilder ----------------------------------------------------------------------

// Runs of exits of one unit restarted by systemd (or restarted within 10 min): a crash loop
// when there are 3 or more, 2 of them failures.
struct IncidentBuilder::UnitRun {
  size_t exits = 0, failures = 0, start_limit_hits = 0;
  std::optional<UsecUtc> first, last;
  std::map<std::string, int> what;
  bool has_prev = false, prev_restarted_by_systemd = false;
  std::optional<UsecUtc> prev_exited;
  std::vector<report::CrashLoop> loops;

  void close(const std::string& host, const std::string& unit) {
    if (exits >= 3 && failures >= 2) {
      report::CrashLoop l;
      l.host = host;
      l.unit = unit;
      l.exits = exits;
      l.first = first;
      l.last = last;
      l.start_limit_hits = start_limit_hits;
      for (const auto& [c, n] : what) l.what += (l.what.empty() ? "" : ", ") + std::to_string(n) + " " + c;
      if (l.first && l.last && *l.last > *l.first)
        l.restarts_per_hour = static_cast<double>(l.exits - 1) * 3600e6 / static_cast<double>(*l.last - *l.first);
      loops.push_back(std::move(l));
    }
    exits = failures = start_limit_hits = 0;
    first.reset();
    last.reset();
    what.clear();
  }

  void add(const classify::Exit& x) {
    const bool restarted = prev_restarted_by_systemd ||
                           (prev_exited && x.started_at && *x.started_at - *prev_exited < 600 * usec_per_sec);
    if (has_prev && !restarted) close(x.hostname, x.unit);
    if (exits == 0) first = x.exited_at;
    last = x.exited_at;
    ++exits;
    failures += x.cls != ExitClass::clean;
    ++what[std::string(to_string(x.cls))];
    start_limit_hits += x.start_limit_hit;
    has_prev = true;
    prev_restarted_by_systemd = x.restart_counter.has_value();
    prev_exited = x.exited_at;
  }
};

IncidentBuilder::IncidentBuilder(IncidentOptions options, bool json_exits, bool pretty)
    : options_(std::move(options)) {
  if (options_.charts) charts_ = std::make_unique<ChartSet>(options_.zone);
  if (json_exits) {
    spill_ = std::make_shared<SpillFile>();
    spill_writer_ = JsonWriter(pretty);
    spill_writer_.begin_object();  // the spilled elements are at the depth of the report's "exits"
    spill_writer_.key("exits").begin_array();
    spill_writer_.flush();
  }
}

IncidentBuilder::~IncidentBuilder() = default;

void IncidentBuilder::add(classify::Exit&& x, const correlate::SamplesSummary* samples, std::string_view samples_how,
                          const report::CoreAttachment* core, const std::vector<InputReport>& inputs) {
  const size_t index = count_++;
  if (charts_) charts_->add(x);
  if (spill_) {
    report::write_exit_object(spill_writer_, x, inputs, samples, samples_how, core);
    spill_->append(spill_writer_.flush());
    spill_->mark_boundary();
  }
  ++by_class_[std::string(to_string(x.cls))];
  if (x.exited_at) {
    if (!span_first_ || *x.exited_at < *span_first_) span_first_ = x.exited_at;
    if (!span_last_ || *x.exited_at > *span_last_) span_last_ = x.exited_at;
  }
  if (std::find(units_.begin(), units_.end(), x.unit) == units_.end()) units_.push_back(x.unit);
  if (!x.hostname.empty() && std::find(hosts_.begin(), hosts_.end(), x.hostname) == hosts_.end())
    hosts_.push_back(x.hostname);
  if (!x.runtime.empty() && x.started_at) {
    auto [it, fresh] = runtime_ids_.try_emplace(x.runtime, runtime_ids_.size());
    if (fresh) runtime_names_.push_back(x.runtime);
    lifetimes_.push_back({*x.started_at, static_cast<std::uint32_t>(it->second)});
  }
  // Crash loops are per host: 40 hosts restarting the same unit are 40 loops, not one.
  runs_[{x.hostname, x.unit}].add(x);
  if (x.cls == ExitClass::clean) {
    ++clean_;
    return;
  }
  ++failures_;
  if (x.exit_kind == "dumped" && !core) ++dumped_without_core_;
  if (samples_given_) {
    if (!samples) ++no_samples_;
    else if (samples->gap_s > 60) ++long_gap_;
  }
  if (!x.pid) ++no_pid_;
  add_to_mode(std::move(x), index, samples, core);
}

void IncidentBuilder::add_to_mode(classify::Exit&& x, size_t index, const correlate::SamplesSummary* samples,
                                  const report::CoreAttachment* core) {
  const std::string key = mode_key(x, core);
  auto [it, fresh] = mode_of_key_.try_emplace(key, modes_.size());
  if (fresh) {
    FailureMode m;
    m.key = key;
    m.title = mode_title(x, core);
    m.cls = x.cls;
    m.cause = x.cause;
    modes_.push_back(std::move(m));
    at_last_.push_back(0);
    mode_codes_.emplace_back();
  }
  FailureMode& m = modes_[it->second];
  m.exits.push_back(index);
  if (auto& codes = mode_codes_[it->second]; x.code && std::find(codes.begin(), codes.end(), *x.code) == codes.end()) {
    codes.push_back(*x.code);
    if (codes.size() > 1) m.title = title_with_codes(m.title, codes);
  }
  if (x.exited_at) {
    if (!m.first) m.first = x.exited_at;
    at_last_[it->second] = m.last && *m.last == *x.exited_at ? at_last_[it->second] + 1 : 1;
    m.last = x.exited_at;
  }
  if (std::find(m.runtimes.begin(), m.runtimes.end(), x.runtime) == m.runtimes.end()) m.runtimes.push_back(x.runtime);
  if (!x.hostname.empty()) {
    auto h = std::find_if(m.hosts.begin(), m.hosts.end(), [&](const report::ModeHost& mh) { return mh.host == x.hostname; });
    if (h == m.hosts.end()) h = m.hosts.insert(m.hosts.end(), report::ModeHost{x.hostname, 0, {}, {}});
    ++h->count;
    if (x.exited_at && (!h->first || *x.exited_at < *h->first)) h->first = x.exited_at;
    if (x.exited_at && (!h->last || *x.exited_at > *h->last)) h->last = x.exited_at;
  }
  m.example = std::move(x);
  m.example_samples = samples ? std::optional<correlate::SamplesSummary>(*samples) : std::nullopt;
  m.example_core = core ? std::optional<report::CoreAttachment>(*core) : std::nullopt;
}

// "all on Bun v1.3.13; none since Bun v1.3.14 started at 09:06" — only when the data shows it.
std::string IncidentBuilder::version_note(const FailureMode& m, size_t mode) const {
  if (m.runtimes.size() != 1 || m.runtimes[0].empty()) {
    std::string s;
    for (const auto& v : m.runtimes) s += (s.empty() ? "on " : ", ") + (v.empty() ? std::string("unknown") : v);
    return s;
  }
  const std::string& v = m.runtimes[0];
  std::string note = (m.exits.size() == 1 ? "on " : "all on ") + v;
  if (!m.last) return note;
  // The first later lifetime on another runtime version, and what happened on it since: every
  // exit of the mode is at or before m.last, so only those at m.last itself can be since.
  const auto v_id = runtime_ids_.find(v);
  for (const auto& l : lifetimes_) {
    if ((v_id != runtime_ids_.end() && l.runtime == v_id->second) || l.started_at < *m.last) continue;
    const size_t same_mode_since = l.started_at == *m.last ? at_last_[mode] : 0;
    if (same_mode_since == 0) {
      note += "; none since " + runtime_names_[l.runtime] + " started at " + short_time(l.started_at, options_.zone);
    }
    break;
  }
  return note;
}

std::vector<std::string> IncidentBuilder::gaps(const report::ExitsReport& r) const {
  std::vector<std::string> gaps;
  if (dumped_without_core_)
    gaps.push_back(std::to_string(dumped_without_core_) + " exit(s) dumped core, but no core file or systemd-coredump "
                   "backtrace was found: enable core capture (systemd-coredump, LimitCORE=infinity) and pass --cores");
  if (no_samples_)
    gaps.push_back(std::to_string(no_samples_) + " failure(s) are not covered by the app log (rotated away, or the app "
                   "logged no sample before them)");
  if (long_gap_) gaps.push_back(std::to_string(long_gap_) + " failure(s) had no app sample in the minute before the exit");
  if (no_pid_)
    gaps.push_back(std::to_string(no_pid_) + " failure(s) without a known main PID (no process output, kill line or "
                   "coredump names it; text forms do not record it)");
  if (failures_ && !r.kernel_input_present)
    gaps.push_back("no kernel log in the input: kernel OOM kills and fault lines cannot be checked (add the host's "
                   "dmesg or journal; a container's journal has none)");
  for (const auto& in : r.inputs) {
    // A fleet host that was down, a file that could not be opened: its deaths are not here.
    if (!in.fatal.empty())
      gaps.push_back(in.path + " could not be read (" + in.fatal + "): the deaths it holds are not in this report");
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

Result<report::Incident> IncidentBuilder::finish(report::ExitsReport run) {
  // The exits the run kept to the end (all of them when nothing was streamed).
  samples_given_ = samples_given_ || !run.samples.empty();
  std::vector<UsecUtc> exit_marks;
  if (!run.apps.empty())
    for (const auto& x : run.exits)
      if (x.exited_at) exit_marks.push_back(*x.exited_at);
  for (size_t i = 0; i < run.exits.size(); ++i)
    add(std::move(run.exits[i]), run.samples_of(i), i < run.samples_how.size() ? run.samples_how[i] : "",
        run.core_of(i), run.inputs);
  run.exits.clear();
  run.samples.clear();
  run.samples_how.clear();
  run.cores.clear();

  report::Incident inc;
  inc.span_first = span_first_;
  inc.span_last = span_last_;
  inc.clean_exits = clean_;
  inc.exit_count = count_;
  inc.units = std::move(units_);
  inc.hosts = std::move(hosts_);
  inc.memory_limit = options_.memory_limit;
  std::vector<size_t> order(modes_.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return modes_[a].exits.size() > modes_[b].exits.size(); });
  for (size_t i : order) {
    FailureMode& m = modes_[i];
    m.version_note = version_note(m, i);
    m.memory_note = memory_note(m, options_.memory_limit);
    inc.modes.push_back(std::move(m));
  }
  for (auto& [host_unit, r] : runs_) {
    r.close(host_unit.first, host_unit.second);
    for (auto& l : r.loops) inc.loops.push_back(std::move(l));
  }
  inc.gaps = gaps(run);
  std::vector<std::optional<std::uint64_t>> idle_rss;  // the charts draw the baseline found here
  for (const auto& app : run.apps) {
    correlate::MemoryOptions mo;
    mo.memory_limit = options_.memory_limit;
    mo.exit_marks = exit_marks;
    const auto mem = correlate::analyze_memory(app, mo);
    idle_rss.push_back(mem.idle.median_rss);
    if (mem.verdict_text.empty()) continue;
    inc.memory_lines.push_back((app.unit.empty() ? std::string() : app.unit + ": ") + mem.verdict_text);
    if (inc.memory_verdict.empty()) inc.memory_verdict = mem.verdict_text;
  }
  if (charts_) inc.charts = charts_->build(run.apps, options_.memory_limit, idle_rss);
  run.streamed_exits = count_;
  run.streamed_by_class = std::move(by_class_);
  inc.exits = std::move(run);
  inc.exits_json = spill_;
  if (spill_ && !spill_->error().empty()) return make_error(spill_->error());
  if (!options_.baseline_json.empty()) {
    inc.baseline_given = true;
    std::string error;
    apply_baseline(inc.modes, options_.baseline_json, error);
    if (!error.empty()) return make_error(error);
  }
  return inc;
}

}  // namespace crashsift::pipeline
