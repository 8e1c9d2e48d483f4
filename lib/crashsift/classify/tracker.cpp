// ExitTracker: event dispatch and the kernel, oomd and coredump records (the service manager's
// lines are in tracker_manager_lines.cpp, final exits in tracker_final.cpp; the state they
// share in tracker_state.hpp).
#include "crashsift/classify/tracker.hpp"

#include <algorithm>

#include "crashsift/classify/crash_message.hpp"
#include "crashsift/classify/tracker_state.hpp"
#include "crashsift/core/text.hpp"

namespace crashsift::classify {

void ExitTracker::Impl::count(const Event& e) {
  if (stats.size() <= input) stats.resize(input + 1);
  InputStats& st = stats[input];
  if (e.kernel) ++st.kernel_lines;
  else if (e.pasted || (e.identifier.empty() && !e.pid)) ++st.text_lines;
  else ++st.records;
  if (is_service_manager(e)) ++st.manager_lines;
}

void ExitTracker::Impl::on_event(const Event& e) {
  ++arrival;
  count(e);
  if (main_process.has_pending() && e.time && main_process.pending_due(*e.time)) main_process.resolve_pending(e.time);
  for (auto& r : recognizers) r->on_event(e, witness_sink);
  // Other text among journal lines, or any line of a `-o cat`-shaped paste (no identifier, no
  // PID): a kernel line in it is still the kernel's.
  if (e.pasted || (!e.kernel && e.identifier.empty() && !e.pid)) {
    // A kernel line pasted among other text ("[ 8123.441] Out of memory: Killed process ...").
    if (auto k = kernel_text_in_paste(e.message)) {
      Event ke = e;
      ke.kernel = true;
      ke.message.assign(k->text);
      if (k->monotonic_usec) ke.monotonic_usec = k->monotonic_usec;
      return on_kernel(ke);
    }
  }
  if (e.kernel && !is_service_manager(e)) {
    // dmesg shows the same lines as "systemd[1]: foo.service: ..." kernel text.
    if (starts_with(e.message, "systemd[1]: ")) {
      Event manager = e;
      manager.kernel = false;
      manager.identifier = "systemd";
      manager.pid = 1;
      manager.message.erase(0, 12);
      return on_event_as_manager(manager);
    }
    return on_kernel(e);
  }
  if (is_coredump_entry(e)) return on_coredump(e);
  if (is_service_manager(e)) return on_event_as_manager(e);
  // `-o cat` carries no identifier: PID 1's lines are recognized by their text alone.
  if (e.identifier.empty() && !e.pid) {
    if (auto f = parse_systemd_message(e.message, e.unit)) return on_fact(*f, e);
  }
  if (e.identifier == "systemd-oomd" && starts_with(e.message, "Killed ")) return on_oomd(e);
  if (e.identifier == "systemd-journald" && starts_with(e.message, "Suppressed ")) return on_suppressed(e);
  if (e.line_cut) ++lines_cut[e.systemd_unit.empty() ? e.identifier : e.systemd_unit];
  main_process.on_output(e, arrival);
}

void ExitTracker::Impl::on_kernel(const Event& e) {
  kernel_present = true;
  if (kernel.size() >= limits.max_kernel_records) return;
  // syslog keeps the dmesg stamp: "kernel: [ 8801.220114] vsftpd[14410]: segfault at ...".
  if (!e.message.empty() && e.message.front() == '[') {
    if (auto k = kernel_text_in_paste(e.message); k && k->text.size() < e.message.size()) {
      Event inner = e;
      inner.message.assign(k->text);
      return on_kernel(inner);
    }
  }
  if (auto summary = parse_oom_summary_line(e.message)) {
    last_oom_summary = std::move(summary);  // the kill line for this PID follows it
    return;
  }
  auto oom = parse_oom_kill_line(e.message);
  if (oom && last_oom_summary && last_oom_summary->pid == oom->pid) oom->task_memcg = last_oom_summary->task_memcg;
  auto fault = oom ? std::nullopt : parse_fault_line(e.message);
  if (!oom && !fault) return;
  kernel.push_back({e.boot_id, e.hostname, e.machine_id, e.time, e.monotonic_usec, input, arrival, e.origin, first_line(e.message), oom, fault, {}, false});
  ++records_added;
}

void ExitTracker::Impl::on_suppressed(const Event& e) {
  const std::string_view rest = std::string_view(e.message).substr(11);
  std::int64_t n = 0;
  if (!parse_int64(rest.substr(0, rest.find(' ')), n)) return;
  const size_t from = rest.find(" from ");
  suppressed[from == std::string_view::npos ? std::string("?") : std::string(trim(rest.substr(from + 6)))] += n;
}

void ExitTracker::Impl::on_oomd(const Event& e) {
  const std::string_view rest = std::string_view(e.message).substr(7);
  KernelRecord r{e.boot_id, e.hostname, e.machine_id, e.time, e.monotonic_usec, input, arrival, e.origin, first_line(e.message), {}, {}, {}, false};
  r.oomd_cgroup = std::string(rest.substr(0, rest.find(' ')));
  kernel.push_back(std::move(r));
  ++records_added;
}

void ExitTracker::Impl::keep_running_lifetimes() {
  for (const auto& [key, u] : units) {
    if (!u.start_seen || !u.started_at || u.exit_since_start || u.stopped) continue;
    const auto last = last_boot_of_host.find(std::string(unit_key_host(key)));
    if (last == last_boot_of_host.end() || last->second != u.boot_id) continue;
    // One per unit and host, the latest: a later input (the next day, the same journal again)
    // ends or repeats what an earlier one left running.
    const auto same = std::find_if(running.begin(), running.end(), [&](const RunningLifetime& r) {
      return r.unit == u.unit && r.hostname == u.hostname;
    });
    RunningLifetime l{u.unit, u.hostname, u.boot_id, u.invocation_id, *u.started_at};
    if (same == running.end()) running.push_back(std::move(l));
    else if (same->started_at < l.started_at) *same = std::move(l);
  }
}

void ExitTracker::Impl::on_coredump(const Event& e) {
  CoredumpRecord r;
  r.order = arrival;
  r.input = input;
  r.boot_id = e.boot_id;
  r.host = e.hostname;
  r.machine_id = e.machine_id;
  r.time = e.coredump_timestamp ? e.coredump_timestamp : e.time;
  r.origin = e.origin;
  r.text = first_line(e.message);
  r.message = e.message.substr(0, max_coredump_message);
  r.pid = e.coredump_pid;
  r.comm = e.coredump_comm;
  r.unit = e.coredump_unit;
  r.exe = e.coredump_exe;
  r.filename = e.coredump_filename;
  r.signal = e.coredump_signal;
  parse_coredump_text(e.message, r);
  if (coredumps.size() < limits.max_kernel_records) coredumps.push_back(std::move(r));
  ++records_added;
}
ExitTracker::ExitTracker(TrackerLimits limits) : impl_(std::make_unique<Impl>(limits)) {}
ExitTracker::~ExitTracker() = default;

void ExitTracker::set_input_context(const InputContext& context) { impl_->context = context; }

void ExitTracker::begin_input(std::uint32_t input_index, bool form_has_pids) {
  for (auto& r : impl_->recognizers) r->begin_input(impl_->context);
  impl_->input = input_index;
  impl_->form_has_pids = form_has_pids;
  impl_->units.clear();
  impl_->main_process.clear();
}

void ExitTracker::on_event(const Event& e) {
  if (e.time && (!impl_->watermark || *e.time > *impl_->watermark)) impl_->watermark = e.time;
  // A paste mixes times of different sources and years (a status block's "since", dmesg):
  // its exits wait for the end. Pastes are small.
  if (e.pasted) impl_->stream_stopped = true;
  impl_->on_event(e);
}

StreamWindows StreamWindows::live(UsecUtc settle) {
  StreamWindows w;
  w.reach_after = w.reach_before = w.result_wait = settle;
  w.reorder_slack = one_second;
  w.flush_every = one_second / 4;
  w.flush_after_events = 0;  // a quiet stream's clock decides
  w.updates_for = 600 * usec_per_sec;
  return w;
}

void ExitTracker::stream_final_exits(bool on, const StreamWindows& windows) {
  impl_->streaming = on;
  impl_->windows = windows;
  impl_->recent.reset();
  if (on && windows.updates_for > 0) impl_->recent.emplace(windows.updates_for, 256);
}

void ExitTracker::take_updates(std::vector<Exit>& out) {
  for (auto& x : impl_->updates) out.push_back(std::move(x));
  impl_->updates.clear();
}

void ExitTracker::advance_clock(UsecUtc now) {
  if (!impl_->watermark || now > *impl_->watermark) impl_->watermark = now;
}

void ExitTracker::take_final(std::vector<Exit>& out) { impl_->take_final(out); }

void ExitTracker::end_input() {
  for (auto& r : impl_->recognizers) r->end_input(impl_->witness_sink);
  impl_->main_process.end_input();
  impl_->keep_running_lifetimes();
  impl_->units.clear();
  impl_->last_boot_of_host.clear();
}

}  // namespace crashsift::classify
