#include "crashsift/classify/main_process.hpp"

#include <algorithm>

#include "crashsift/classify/crash_message.hpp"
#include "crashsift/core/text.hpp"

namespace crashsift::classify {

namespace {

constexpr UsecUtc one_second = usec_per_sec;

// journald and systemd-coredump print around every crash but are never another unit's main
// process; in text forms they must not be taken for one.
bool is_system_daemon(std::string_view identifier, std::string_view unit) {
  return (identifier == "systemd-journald" || identifier == "systemd-coredump" || identifier == "systemd-oomd") &&
         !starts_with(unit, identifier);
}

}  // namespace

std::int64_t MainProcess::key_of(const std::string& host, std::int64_t pid) {
  // Consecutive lines are nearly always from the same host: compare before hashing.
  if (last_host_number_ < 0 || host != last_host_) {
    const auto [it, added] = host_numbers_.try_emplace(host, static_cast<std::int64_t>(host_numbers_.size()));
    last_host_ = host;
    last_host_number_ = it->second;
  }
  return (last_host_number_ << 32) | (pid & 0xFFFFFFFF);
}

void MainProcess::on_output(const Event& e, std::uint64_t arrival) {
  if (!e.pid || *e.pid <= 1) return;
  auto [it, inserted] = processes.try_emplace(key_of(machine_key(e.machine_id, e.hostname), *e.pid));
  ProcessTail& p = it->second;
  if (!inserted && p.boot_id != e.boot_id) {
    p = ProcessTail{};  // the same PID in another boot is another process
    inserted = true;
  }
  if (inserted) {
    p.host = machine_key(e.machine_id, e.hostname);
    p.boot_id = e.boot_id;
    p.pid = *e.pid;
    p.identifier = e.identifier;
    // The forked child that fails to exec logs before it is in the unit's cgroup: no
    // _SYSTEMD_UNIT, but UNIT= names the unit it was spawned for.
    p.unit = e.systemd_unit.empty() ? e.unit : e.systemd_unit;
    p.invocation_id = e.invocation_id;
    p.first_time = e.time;
  }
  if (e.time) p.last_time = e.time;
  p.order = arrival;
  if (!e.systemd_unit.empty()) input_has_units = true;
  // journald splits output per line; native senders may still send multi-line messages.
  std::string_view rest = e.message;
  while (!rest.empty()) {
    const size_t nl = rest.find('\n');
    const std::string_view line = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    if (trim(line).empty()) continue;
    p.push(line, e, limits_.tail_lines, limits_.max_line_chars);
    if (auto v = find_runtime_version(line); !v.empty()) p.runtime = std::move(v);
  }
  if (inserted && processes.size() > limits_.max_tracked_processes) evict_old_processes();
}

// Keeps memory flat on hosts with many short-lived processes: drop the older half.
void MainProcess::evict_old_processes() {
  std::vector<std::uint64_t> orders;
  orders.reserve(processes.size());
  for (const auto& [k, p] : processes) orders.push_back(p.order);
  auto mid = orders.begin() + static_cast<std::ptrdiff_t>(orders.size() / 2);
  std::nth_element(orders.begin(), mid, orders.end());
  const std::uint64_t cutoff = *mid;
  std::erase_if(processes, [&](const auto& kv) { return kv.second.order < cutoff; });
}

ProcessTail* MainProcess::find_process(std::optional<std::int64_t> known_pid, const Exit& x, std::string& source) {
  if (known_pid) {
    auto it = processes.find(key_of(machine_key(x.machine_id, x.hostname), *known_pid));
    source = "kill-line";
    return it == processes.end() || it->second.boot_id != x.boot_id ? nullptr : &it->second;
  }
  ProcessTail* best = nullptr;
  // Journal forms record the unit of every output line (_SYSTEMD_UNIT).
  for (auto& [k, p] : processes) {
    if (p.unit != x.unit || p.boot_id != x.boot_id || p.host != machine_key(x.machine_id, x.hostname)) continue;
    if (!x.invocation_id.empty() && !p.invocation_id.empty() && p.invocation_id != x.invocation_id) continue;
    if (!best || p.order > best->order) best = &p;
  }
  if (best) source = "journal";
  return best;
}

void MainProcess::attach(std::optional<std::int64_t> known_pid, const std::string& known_comm, size_t exit_index,
                       std::uint64_t arrival) {
  Exit& x = exits_[exit_index];
  if (known_pid) {
    x.pid = known_pid;
    x.pid_source = "kill-line";
    x.process_name = known_comm;
  }
  std::string source;
  if (ProcessTail* p = find_process(known_pid, x, source)) return apply_process(x, *p, source);
  // Text forms name no unit on output lines: decide once the stream has moved past the exit,
  // when it is known which processes kept printing afterwards (they cannot be the one).
  if (!input_has_units && !known_pid) pending_text.push_back({exit_index, arrival});
}

void MainProcess::apply_process(Exit& x, ProcessTail& p, const std::string& source) {
  if (!x.pid) x.pid = p.pid;
  std::vector<std::string_view> texts;
  const auto lines = p.lines();
  for (const OutputLine* l : lines) texts.push_back(l->text);
  // The exit keeps only the last few lines (for reports); the tail itself is longer so that a
  // crash header above a long stack trace is still found.
  for (size_t i = lines.size() > kept_output_lines ? lines.size() - kept_output_lines : 0; i < lines.size(); ++i)
    x.last_output.push_back(lines[i]->text);
  if (auto m = find_crash_message(texts)) {
    x.reason = m->text;
    x.reason_kind = m->kind;
    const OutputLine* l = lines[m->line_index];
    x.evidence.push_back(Evidence{"crash-message", l->text, l->origin(), l->time});
  }
  x.runtime = p.runtime;
  if (x.process_name.empty()) x.process_name = p.identifier;
  if (!x.started_at && p.first_time) x.started_at = p.first_time;
  if (x.pid_source.empty()) x.pid_source = source;
  processes.erase(key_of(p.host, p.pid));  // p dangles from here on
}

std::optional<UsecUtc> MainProcess::earliest_pending_time() const {
  std::optional<UsecUtc> earliest;
  for (const auto& pe : pending_text)
    if (const auto& t = exits_[pe.exit].exited_at; t && (!earliest || *t < *earliest)) earliest = t;
  return earliest;
}

bool MainProcess::has_untimed_pending() const {
  for (const auto& pe : pending_text)
    if (!exits_[pe.exit].exited_at) return true;
  return false;
}

bool MainProcess::pending_due(UsecUtc now) const {
  for (const auto& pe : pending_text) {
    const auto& t = exits_[pe.exit].exited_at;
    if (!t || *t + text_settle < now) return true;
  }
  return false;
}

// Text forms: a process is a candidate for an exit when it printed during the unit's lifetime
// and not after the exit. Only unambiguous cases are decided (one candidate left, applied
// repeatedly as decided processes drop out); a guessed PID is worse than none, so the rest
// stay without a PID and say why.
void MainProcess::resolve_pending(const std::optional<UsecUtc>& now) {
  std::vector<size_t> ready;
  for (size_t i = 0; i < pending_text.size(); ++i) {
    const auto& t = exits_[pending_text[i].exit].exited_at;
    if (!now || !t || *t + text_settle < *now) ready.push_back(i);
  }
  std::vector<std::vector<ProcessTail*>> candidates(ready.size());
  for (size_t r = 0; r < ready.size(); ++r) candidates[r] = text_candidates(pending_text[ready[r]]);
  for (bool progress = true; progress;) {
    progress = false;
    for (size_t r = 0; r < ready.size(); ++r) {
      if (candidates[r].size() != 1) continue;
      ProcessTail* chosen = candidates[r][0];
      candidates[r].clear();
      for (auto& other : candidates) std::erase(other, chosen);
      apply_process(exits_[pending_text[ready[r]].exit], *chosen, "output-inferred");
      progress = true;
    }
  }
  for (size_t r = 0; r < ready.size(); ++r)
    if (!candidates[r].empty())
      exits_[pending_text[ready[r]].exit].missing.push_back(
          std::to_string(candidates[r].size()) +
          " processes could be the main one (this text form does not record the unit of output lines; "
          "read the journal as json, export or native to know)");
  std::vector<PendingExit> left;
  for (size_t i = 0; i < pending_text.size(); ++i)
    if (std::find(ready.begin(), ready.end(), i) == ready.end()) left.push_back(pending_text[i]);
  pending_text = std::move(left);
}

std::vector<ProcessTail*> MainProcess::text_candidates(const PendingExit& pe) {
  const Exit& x = exits_[pe.exit];
  const UsecUtc slack = x.time_has_usec ? one_second / 4 : one_second;
  std::vector<ProcessTail*> out;
  for (auto& [k, p] : processes) {
    if (!p.unit.empty() || p.boot_id != x.boot_id || !same_host(p.host, machine_key(x.machine_id, x.hostname)) || is_system_daemon(p.identifier, x.unit)) continue;
    if (x.exited_at && p.last_time && *p.last_time > *x.exited_at + slack) continue;
    if (!x.exited_at && p.order > pe.arrival) continue;
    if (x.started_at && p.first_time && *p.first_time + slack < *x.started_at) continue;
    out.push_back(&p);
  }
  return out;
}

}  // namespace crashsift::classify
