// ExitTracker: the service manager's lines. A unit's lifetime opens at Starting/Started and
// closes at the main process's exit record and the unit's result line; the lines around them
// (OOM in the unit, watchdog, timeouts, kill requests) become its evidence.
#include "crashsift/classify/tracker_state.hpp"
#include "crashsift/core/text.hpp"

namespace crashsift::classify {

void ExitTracker::Impl::on_event_as_manager(const Event& e) {
  auto f = parse_systemd_message(e.message, e.unit);
  // A structured exit record whose text we cannot read (a localized or cut MESSAGE) is still one.
  // Only a service's main process: a mount's or socket's helper ("Mount process exited") is not.
  if (!f && e.message_id == message_ids::process_exit && !e.exit_code.empty() && ends_with(e.unit, ".service") &&
      (e.command.empty() || e.command == "ExecStart")) {
    f = SystemdFact{};
    f->kind = SystemdFactKind::main_exited;
    f->unit = e.unit;
  }
  if (!f) return;
  prefer_structured_fields(*f, e);
  on_fact(*f, e);
}

void ExitTracker::Impl::prefer_structured_fields(SystemdFact& f, const Event& e) {
  switch (f.kind) {
    case SystemdFactKind::main_exited:
      if (!e.exit_code.empty()) f.exit_kind = e.exit_code;
      if (e.exit_status && *e.exit_status != f.status) {
        f.status = e.exit_status;
        f.status_name.clear();  // the text's name belonged to another number
      }
      break;
    case SystemdFactKind::unit_failed:
      if (!e.unit_result.empty()) f.result = e.unit_result;
      break;
    case SystemdFactKind::restart_scheduled:
      if (e.n_restarts) f.number = e.n_restarts;
      break;
    default:
      break;
  }
}

Evidence ExitTracker::Impl::evidence(std::string role, const Event& e) {
  return Evidence{std::move(role), first_line(e.message), e.origin, e.time};
}

void ExitTracker::Impl::on_fact(const SystemdFact& f, const Event& e) {
  if (f.unit.empty()) return;
  const std::string host = machine_key(e.machine_id, e.hostname);
  auto [at, fresh] = units.try_emplace(unit_key(host, e.boot_id, f.unit));
  UnitState& u = at->second;
  if (fresh) u.unit = f.unit, u.hostname = e.hostname, u.boot_id = e.boot_id;
  last_boot_of_host[host] = e.boot_id;
  switch (f.kind) {
    case SystemdFactKind::starting:
    case SystemdFactKind::started: return on_start(u, f, e);
    case SystemdFactKind::stopping: u.stop_requested = true; return;
    case SystemdFactKind::stopped: u.stopped = true; return;
    case SystemdFactKind::main_exited: return on_main_exited(u, f, e);
    case SystemdFactKind::unit_failed: return on_result(u, f.unit, f.result, e);
    case SystemdFactKind::deactivated: return on_result(u, f.unit, "success", e);
    case SystemdFactKind::restart_scheduled:
      if (Exit* x = held_exit(u.last_exit); x && f.number) x->restart_counter = f.number;
      return;
    case SystemdFactKind::start_limit:
      if (Exit* x = held_exit(u.last_exit)) {
        x->start_limit_hit = true;
        x->evidence.push_back(evidence("start-limit", e));
      }
      u.start_limit_pending = true;
      return;
    case SystemdFactKind::consumed:
      if (Exit* last = held_exit(u.last_exit)) {
        Exit& x = *last;
        std::uint64_t peak = 0;
        if (!e.memory_peak.empty() && parse_uint64(e.memory_peak, peak)) x.memory_peak_bytes = peak;
        else if (f.memory_peak) x.memory_peak_bytes = f.memory_peak;
        if (x.memory_peak_bytes) x.evidence.push_back(evidence("resources", e));
      }
      return;
    default: return on_exit_context(u, f, e);
  }
}

void ExitTracker::Impl::on_start(UnitState& u, const SystemdFact& f, const Event& e) {
  const bool is_starting = f.kind == SystemdFactKind::starting;
  if (is_starting || !u.fresh_start) {
    // A lifetime that began and was followed by another start without any exit record: its
    // exit was logged at debug level (or its entries are missing).
    if (u.start_seen && !u.exit_since_start) ++hidden_exits[f.unit];
    u.exit_since_start = false;
    // A new lifetime: forget everything about the previous one.
    u.started_at = e.time;
    u.pending.clear();
    u.pending_facts = ExitFacts{};
    u.stop_requested = false;
    u.start_limit_pending = false;
    u.known_pid.reset();
    u.known_comm.clear();
    u.killed_with.clear();
    u.stopped = false;
    u.open_exit.reset();
  }
  u.fresh_start = is_starting;
  u.start_seen = true;
  if (!e.invocation_id.empty()) u.invocation_id = e.invocation_id;
}

void ExitTracker::Impl::on_exit_context(UnitState& u, const SystemdFact& f, const Event& e) {
  if (u.open_exit && !exits.held(*u.open_exit)) return;  // that exit was final long ago
  ExitFacts& fx = u.open_exit ? exits.facts(*u.open_exit) : u.pending_facts;
  std::vector<Evidence>& ev = u.open_exit ? exits[*u.open_exit].evidence : u.pending;
  switch (f.kind) {
    case SystemdFactKind::oom_in_unit: fx.oom_unit_line = true; ev.push_back(evidence("oom-unit-line", e)); break;
    case SystemdFactKind::oomd_in_unit: fx.oomd_unit_line = true; ev.push_back(evidence("oomd-unit-line", e)); break;
    case SystemdFactKind::watchdog_timeout: fx.watchdog_line = true; ev.push_back(evidence("watchdog", e)); break;
    case SystemdFactKind::runtime_limit: fx.runtime_limit_line = true; ev.push_back(evidence("runtime-limit", e)); break;
    case SystemdFactKind::state_timeout:
      if (fx.timeout_state.empty()) fx.timeout_state = f.state;
      ev.push_back(evidence("timeout", e));
      break;
    case SystemdFactKind::client_signal:
      fx.client_kill = true;
      ev.push_back(evidence("kill-request", e));
      remember_pid(u, f);
      break;
    case SystemdFactKind::killing_process:
      ev.push_back(evidence("kill", e));
      if (!u.known_pid && f.signal == "KILL") u.killed_with = f.signal;
      remember_pid(u, f);
      break;
    case SystemdFactKind::spawn_failed:
      fx.spawn_failed = true;
      ev.push_back(evidence("spawn-failed", e));
      // The line comes from the forked child that failed to exec: its PID is the main PID.
      if (!u.known_pid && e.pid && *e.pid > 1) u.known_pid = e.pid, u.known_comm = e.identifier;
      break;
    default: break;
  }
}

void ExitTracker::Impl::remember_pid(UnitState& u, const SystemdFact& f) {
  if (u.known_pid || !f.pid) return;
  u.known_pid = f.pid;
  u.known_comm = f.comm;
}

size_t ExitTracker::Impl::new_exit(UnitState& u, const std::string& unit, const Event& e) {
  Exit x;
  x.unit = unit;
  x.boot_id = e.boot_id;
  x.hostname = e.hostname;
  x.machine_id = e.machine_id;
  x.invocation_id = !e.invocation_id.empty() ? e.invocation_id : u.invocation_id;
  x.started_at = u.started_at;
  x.exited_at = e.time;
  x.time_has_usec = e.time_has_usec;
  x.input = input;
  x.arrival = arrival;
  x.stop_requested = u.stop_requested;
  x.evidence = std::move(u.pending);
  u.pending.clear();
  ExitFacts f = u.pending_facts;
  f.form_has_pids = form_has_pids;
  u.pending_facts = ExitFacts{};
  const size_t idx = exits.push_back(std::move(x), f);
  main_process.attach(u.known_pid, u.known_comm, idx, arrival);
  u.open_exit = idx;
  u.last_exit = idx;
  u.exit_since_start = true;
  if (!u.start_seen && first_exit_seen.insert(unit).second)
    journal_starts_inside[unit] = e.time;
  return idx;
}

void ExitTracker::Impl::on_main_exited(UnitState& u, const SystemdFact& f, const Event& e) {
  // A control process (ExecStop=, ExecReload=) exiting after the main process: not a death of
  // its own. Before any main exit (a failing ExecStartPre=) it is the death of the start.
  if (f.control && u.exit_since_start) {
    if (Exit* x = held_exit(u.last_exit)) x->evidence.push_back(evidence("control-process", e));
    return;
  }
  const size_t idx = new_exit(u, f.unit, e);
  Exit& x = exits[idx];
  x.exit_kind = f.exit_kind;
  if (f.exit_kind == "exited") {
    x.code = f.status;
  } else if (f.status) {
    x.signal_number = f.status;
    // The number decides: a name may be cut ("status=11/S" at LineMax or by a pager).
    x.signal = *f.status > 0 && *f.status < 65 ? signal_name(*f.status) : f.status_name;
  }
  x.evidence.insert(x.evidence.begin(), evidence("exit-record", e));
}

void ExitTracker::Impl::on_result(UnitState& u, const std::string& unit, const std::string& result, const Event& e) {
  // Mounts, sockets and scopes deactivate too; a scope's failure (a session or container
  // killed by timeout or the OOM killer) is a death of its processes.
  if (!ends_with(unit, ".service") && !(ends_with(unit, ".scope") && result != "success")) return;
  // systemd-coredump's per-crash helper instance is the crash machinery, not a death.
  if (starts_with(unit, "systemd-coredump@") && result == "success") return;
  if (result.empty()) return on_unnamed_failure(u, unit, e);
  if (u.start_limit_pending && u.last_exit) {
    // After "Start request repeated too quickly." the result line repeats the previous
    // run's result (formats.md §1.4): it is not a new exit — unless that exit is not in
    // the input, when the result line is all there is of the death.
    u.start_limit_pending = false;
    if (Exit* x = held_exit(u.last_exit)) x->evidence.push_back(evidence("unit-result", e));
    return;
  }
  u.start_limit_pending = false;
  if (u.open_exit && !exits.held(*u.open_exit)) return u.open_exit.reset();  // final long ago
  if (!u.open_exit || !exits[*u.open_exit].unit_result.empty()) {
    new_exit(u, unit, e);
    // No exit record (a scope has none): systemd's SIGKILL of the main process ended it.
    if (!u.killed_with.empty() && result != "success") {
      exits[*u.open_exit].signal = u.killed_with;
      exits[*u.open_exit].signal_number = 9;
    }
  }
  Exit& x = exits[*u.open_exit];
  x.unit_result = result;
  x.evidence.push_back(evidence(result == "success" ? "deactivated" : "unit-result", e));
  u.open_exit.reset();
}

void ExitTracker::Impl::on_unnamed_failure(UnitState& u, const std::string& unit, const Event& e) {
  // An exit of this lifetime is already recorded (its result line may even have come first,
  // microseconds before): this line confirms it.
  if (u.open_exit || ((u.exit_since_start || u.start_limit_pending) && u.last_exit)) {
    if (Exit* x = held_exit(u.open_exit ? u.open_exit : u.last_exit)) x->evidence.push_back(evidence("unit-result", e));
    return;
  }
  new_exit(u, unit, e);
  exits[*u.open_exit].evidence.push_back(evidence("unit-result", e));
}
}  // namespace crashsift::classify
