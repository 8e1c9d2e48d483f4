#include "crashsift/classify/tracker.hpp"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <map>
#include <set>
#include <unordered_map>

#include "crashsift/classify/crash_message.hpp"
#include "crashsift/classify/exit_store.hpp"
#include "crashsift/classify/exit_updates.hpp"
#include "crashsift/classify/journal_records.hpp"
#include "crashsift/classify/kernel_lines.hpp"
#include "crashsift/classify/main_process.hpp"
#include "crashsift/classify/merge.hpp"
#include "crashsift/classify/rules.hpp"
#include "crashsift/classify/witness.hpp"
#include "crashsift/classify/systemd_lines.hpp"
#include "crashsift/core/text.hpp"

namespace crashsift::classify {

namespace {

constexpr UsecUtc one_second = usec_per_sec;

struct UnitState {
  std::optional<UsecUtc> started_at;
  bool fresh_start = false;          // "Starting" seen, "Started" not yet
  std::string invocation_id;
  std::optional<size_t> open_exit;   // exit awaiting its result line
  std::optional<size_t> last_exit;   // for restart counter / resources / start limit
  bool stop_requested = false;
  bool start_limit_pending = false;
  bool exit_since_start = false;     // an exit record was seen for the current lifetime
  bool start_seen = false;           // a Starting/Started line for this unit is in the input
  std::vector<Evidence> pending;     // lines seen before the exit record
  ExitFacts pending_facts;
  std::optional<std::int64_t> known_pid;
  std::string known_comm;
  std::string killed_with;           // "Killing process N (comm) with signal SIGKILL" named the main PID
};

// A unit's lifetimes are per host and per boot: a journal-remote directory holds many hosts,
// whose boots (in a copied or rewritten journal) may even share an ID.
std::string key_of(std::string_view host, std::string_view boot, std::string_view unit) {
  std::string k(host);
  k.push_back('\x1f');
  k.append(boot);
  k.push_back('\x1f');
  k.append(unit);
  return k;
}

std::string first_line(std::string_view s) { return std::string(s.substr(0, s.find('\n'))); }

// PID 1 logs through the kernel buffer early in boot and after switch-root: those entries are
// _TRANSPORT=kernel with SYSLOG_IDENTIFIER=systemd, and still the service manager's lines.
bool is_service_manager(const Event& e) { return e.identifier == "systemd"; }

}  // namespace

struct ExitTracker::Impl {
  TrackerLimits limits;
  ExitStore exits;                       // held until final (see take_final)
  std::vector<KernelRecord> kernel;
  std::vector<CoredumpRecord> coredumps;
  std::unordered_map<std::string, UnitState> units;
  MainProcess main_process;

  explicit Impl(TrackerLimits l)
      : limits(l), main_process(exits, TailLimits{l.max_tracked_processes, l.tail_lines, l.max_line_chars}) {}
  std::vector<Warning> warnings;
  std::uint32_t input = 0;
  bool form_has_pids = true;
  bool kernel_present = false;
  std::optional<OomSummary> last_oom_summary;
  std::map<std::string, std::int64_t> suppressed;   // journald rate limiting, per unit
  std::map<std::string, std::int64_t> lines_cut;    // _LINE_BREAK=line-max, per unit
  std::map<std::string, std::int64_t> hidden_exits; // starts with no exit record in between
  std::set<std::string> first_exit_seen;
  std::map<std::string, std::optional<UsecUtc>> journal_starts_inside;  // first exit without a start
  std::uint64_t arrival = 0;

  // ---- event dispatch ------------------------------------------------------------------

  std::vector<std::unique_ptr<WitnessRecognizer>> recognizers = make_witness_recognizers();
  InputContext context;
  std::vector<Witness> witnesses;
  WitnessSink witness_sink = [this](Witness&& w) {
    w.input = input;
    if (stats.size() <= input) stats.resize(input + 1);
    ++stats[input].witnesses;
    if (!w.order) w.order = arrival;
    if (witnesses.size() < limits.max_kernel_records) witnesses.push_back(std::move(w));
  };

  std::vector<InputStats> stats;

  void count(const Event& e) {
    if (stats.size() <= input) stats.resize(input + 1);
    InputStats& st = stats[input];
    if (e.kernel) ++st.kernel_lines;
    else if (e.pasted || (e.identifier.empty() && !e.pid)) ++st.text_lines;
    else ++st.records;
    if (is_service_manager(e)) ++st.manager_lines;
  }

  void on_event(const Event& e) {
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

  void on_event_as_manager(const Event& e) {
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

  // Structured fields first, exact text always: where the journal form carries EXIT_CODE,
  // EXIT_STATUS, UNIT_RESULT or N_RESTARTS, they decide; the text fills in the rest.
  static void prefer_structured_fields(SystemdFact& f, const Event& e) {
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

  void on_kernel(const Event& e) {
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

  // "Suppressed 1234 messages from app.service" (RateLimitBurst=): output lost before a crash.
  void on_suppressed(const Event& e) {
    const std::string_view rest = std::string_view(e.message).substr(11);
    std::int64_t n = 0;
    if (!parse_int64(rest.substr(0, rest.find(' ')), n)) return;
    const size_t from = rest.find(" from ");
    suppressed[from == std::string_view::npos ? std::string("?") : std::string(trim(rest.substr(from + 6)))] += n;
  }

  void on_oomd(const Event& e) {
    const std::string_view rest = std::string_view(e.message).substr(7);
    KernelRecord r{e.boot_id, e.hostname, e.machine_id, e.time, e.monotonic_usec, input, arrival, e.origin, first_line(e.message), {}, {}, {}, false};
    r.oomd_cgroup = std::string(rest.substr(0, rest.find(' ')));
    kernel.push_back(std::move(r));
    ++records_added;
  }

  void on_coredump(const Event& e) {
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

  // ---- the service manager's lines ---------------------------------------------------

  // A unit's last or open exit, unless it was already handed on (final: minutes old).
  Exit* held_exit(const std::optional<size_t>& i) { return i && exits.held(*i) ? &exits[*i] : nullptr; }

  Evidence evidence(std::string role, const Event& e) {
    return Evidence{std::move(role), first_line(e.message), e.origin, e.time};
  }

  void on_fact(const SystemdFact& f, const Event& e) {
    if (f.unit.empty()) return;
    UnitState& u = units[key_of(machine_key(e.machine_id, e.hostname), e.boot_id, f.unit)];
    switch (f.kind) {
      case SystemdFactKind::starting:
      case SystemdFactKind::started: return on_start(u, f, e);
      case SystemdFactKind::stopping: u.stop_requested = true; return;
      case SystemdFactKind::stopped: return;
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

  void on_start(UnitState& u, const SystemdFact& f, const Event& e) {
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
      u.open_exit.reset();
    }
    u.fresh_start = is_starting;
    u.start_seen = true;
    if (!e.invocation_id.empty()) u.invocation_id = e.invocation_id;
  }

  // Lines that explain an exit but come before (or right after) its exit record.
  void on_exit_context(UnitState& u, const SystemdFact& f, const Event& e) {
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

  // systemd names the main process first when it kills a unit's processes.
  static void remember_pid(UnitState& u, const SystemdFact& f) {
    if (u.known_pid || !f.pid) return;
    u.known_pid = f.pid;
    u.known_comm = f.comm;
  }

  size_t new_exit(UnitState& u, const std::string& unit, const Event& e) {
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

  void on_main_exited(UnitState& u, const SystemdFact& f, const Event& e) {
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

  void on_result(UnitState& u, const std::string& unit, const std::string& result, const Event& e) {
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

  // "Unit X entered failed state." (old systemd): the result is not named. After an exit line
  // (or a start-limit line) it only confirms it; alone, it is the death's only record.
  void on_unnamed_failure(UnitState& u, const std::string& unit, const Event& e) {
    // An exit of this lifetime is already recorded (its result line may even have come first,
    // microseconds before): this line confirms it.
    if (u.open_exit || ((u.exit_since_start || u.start_limit_pending) && u.last_exit)) {
      if (Exit* x = held_exit(u.open_exit ? u.open_exit : u.last_exit)) x->evidence.push_back(evidence("unit-result", e));
      return;
    }
    new_exit(u, unit, e);
    exits[*u.open_exit].evidence.push_back(evidence("unit-result", e));
  }

  // ---- final exits --------------------------------------------------------------------
  // An exit is final once no evidence can still reach it: the kernel and coredump records that
  // join it come at most a minute after it, and a record or witness that joins nothing is
  // merged only when no exit it could reach (up to an hour after it, by PID) is still to come.
  // Exits leave in time order as soon as they are final, so memory holds the exits of the last
  // few minutes (an hour around unjoined evidence), not those of the whole input.

  bool streaming = false;
  bool stream_stopped = false;             // untimed evidence: everything waits for finish()
  std::optional<UsecUtc> watermark;        // the latest event time of the input
  UsecUtc next_flush_at = 0;
  size_t join_cursor = 0;                  // exits before it are joined (or gone)
  std::optional<UsecUtc> emitted_up_to;    // every exit before this time has left
  std::uint64_t exits_out_of_order = 0;    // arrived after later exits had left
  UnjoinedCounts unjoined;
  std::set<std::uint32_t> inputs_with_records_taken;
  std::set<std::string> units_with_failures;

  StreamWindows windows;
  std::optional<RecentExits> recent;       // live: exits that left, for late records
  std::vector<Exit> updates;               // exits handed on again, for take_updates
  std::uint64_t records_added = 0, records_joined_late = 0;

  // A record arrived since the last look: it may explain an exit that already left.
  void join_late_records(UsecUtc now) {
    if (!recent) return;
    if (records_added != records_joined_late) recent->join_late(kernel, coredumps, kernel_present, updates);
    records_joined_late = records_added;
    recent->forget_before(now);
  }

  void join_records(size_t i) {
    Exit& x = exits[i];
    ExitFacts& f = exits.facts(i);
    f.kernel_input_present = kernel_present;
    join_coredump(coredumps, x, f);
    if (x.pid_source == "coredump")  // the coredump entry settled what the text form could not
      std::erase_if(x.missing, [](const std::string& s) { return contains(s, "could be the main one"); });
    join_kernel(kernel, x, f);
    note_journal_witnesses(x, f);
    exits.set_joined(i);
  }

  // Joins the exits whose window for later records has closed by `now` (all, when none).
  void join_exits(std::optional<UsecUtc> now) {
    for (join_cursor = std::max(join_cursor, exits.begin()); join_cursor < exits.end(); ++join_cursor) {
      if (!exits.held(join_cursor) || exits.joined(join_cursor)) continue;
      const auto& t = exits[join_cursor].exited_at;
      if (now && (!t || *t + windows.reach_after + windows.reorder_slack >= *now)) break;
      join_records(join_cursor);
    }
  }

  // Records and witnesses that no exit still to be joined can take: unused ones are merged as
  // witnesses; used ones are dropped. now = nullopt: all of them (the end of the run).
  void merge_settled_evidence(std::optional<UsecUtc> now) {
    std::optional<UsecUtc> unjoined_from;  // the first exit not joined yet
    if (join_cursor < exits.end()) unjoined_from = exits[join_cursor].exited_at;
    auto settled = [&](const std::optional<UsecUtc>& t) {
      if (!now) return true;
      return t && *t + windows.reach_before + windows.reach_after + windows.reorder_slack < *now &&
             (!unjoined_from || *unjoined_from > *t + windows.reach_before);
    };
    std::vector<Witness> orphans;
    std::erase_if(coredumps, [&](CoredumpRecord& c) {
      if (!settled(c.time)) return false;
      if (!c.used) orphans.push_back(coredump_witness(c));
      return true;
    });
    std::erase_if(kernel, [&](KernelRecord& k) {
      if (!settled(k.time)) return false;
      if (!k.used) orphans.push_back(kernel_witness(k));
      return true;
    });
    std::erase_if(witnesses, [&](Witness& w) {
      if (!settled(w.time)) return false;
      orphans.push_back(std::move(w));
      return true;
    });
    if (orphans.empty()) return;
    std::stable_sort(orphans.begin(), orphans.end(), [](const Witness& a, const Witness& b) {
      if (a.input != b.input) return a.input < b.input;
      return a.order < b.order;
    });
    merge_witnesses(exits, std::move(orphans), unjoined, inputs_with_records_taken);
  }

  // Exits before this time can take no more evidence.
  UsecUtc final_before(UsecUtc now) const {
    UsecUtc until = now - windows.reach_after - windows.reorder_slack;
    auto reaches_back = [&](const std::optional<UsecUtc>& t) {
      if (t) until = std::min(until, *t - windows.reach_after);
    };
    for (const auto& c : coredumps)
      if (!c.used) reaches_back(c.time);
    for (const auto& k : kernel)
      if (!k.used) reaches_back(k.time);
    for (const auto& w : witnesses) reaches_back(w.time);
    if (auto t = main_process.earliest_pending_time()) until = std::min(until, *t);
    for (const auto& [key, u] : units)
      if (u.open_exit && exits.held(*u.open_exit)) {
        const auto& t = exits[*u.open_exit].exited_at;
        if (t && *t + windows.result_wait >= now) until = std::min(until, *t);
      }
    return until;
  }

  bool evidence_untimed() const {
    if (main_process.has_untimed_pending()) return true;
    for (const auto& c : coredumps)
      if (!c.time) return true;
    for (const auto& k : kernel)
      if (!k.time) return true;
    for (const auto& w : witnesses)
      if (!w.time || w.when != WhenKnown::absolute) return true;
    for (size_t i = join_cursor; i < exits.end(); ++i)
      if (exits.held(i) && !exits[i].exited_at) return true;
    return false;
  }

  // Classifies exit i and takes it out of the store.
  Exit take_classified(size_t i) {
    auto [x, f] = exits.take(i);
    if (recent) recent->keep(x, f);
    f.kernel_input_present = f.kernel_input_present || kernel_present;
    classify_exit(x, f);
    if (made_from_record(x)) inputs_with_records_taken.insert(x.input);
    if (x.cls != ExitClass::clean) units_with_failures.insert(x.unit);
    return std::move(x);
  }

  void take_final(std::vector<Exit>& out) {
    if (!streaming || stream_stopped || !watermark || *watermark < next_flush_at) return;
    const UsecUtc now = *watermark;
    next_flush_at = now + windows.flush_every;
    if (windows.hold_exits > 0 && exits.end() - exits.begin() <= windows.hold_exits) return;
    // A quiet live stream brings no next event to decide a text-form exit's main process: the
    // clock going on decides it, or that exit would hold back every later one.
    if (main_process.has_pending() && main_process.pending_due(now)) main_process.resolve_pending(now);
    if (evidence_untimed()) {
      stream_stopped = true;
      return;
    }
    join_late_records(now);  // before the late record is merged as a death of its own
    join_exits(now);
    merge_settled_evidence(now);
    const UsecUtc until = final_before(now);
    const size_t first = out.size();
    bool holding = false;
    for (size_t i = exits.begin(); i < exits.end(); ++i) {
      // Holding exits back: the oldest leave until half the budget is held.
      if (windows.hold_exits > 0 && exits.end() - i <= windows.hold_exits / 2) {
        holding = true;
        break;
      }
      if (!exits.held(i) || !exits.joined(i)) continue;
      const auto& t = exits[i].exited_at;
      if (!t || *t >= until) continue;
      if (emitted_up_to && *t < *emitted_up_to) ++exits_out_of_order;
      out.push_back(take_classified(i));
    }
    std::stable_sort(out.begin() + static_cast<std::ptrdiff_t>(first), out.end(),
                     [](const Exit& a, const Exit& b) { return *a.exited_at < *b.exited_at; });
    // Final exits still held are not out of order when they leave: only those before the
    // last exit that left are.
    UsecUtc left_up_to = until;
    if (holding) left_up_to = out.size() > first ? *out.back().exited_at : emitted_up_to.value_or(until);
    if (!emitted_up_to || left_up_to > *emitted_up_to) emitted_up_to = left_up_to;
  }
};

// The same exit read from two inputs (say, the export and the json of one journal) is listed
// once: same unit, boot, time (to the coarser precision) and code/signal.
static bool same_exit(const Exit& a, const Exit& b) {
  if (a.unit != b.unit || !same_boot(a.boot_id, b.boot_id) || !same_machine(a.machine_id, a.hostname, b.machine_id, b.hostname) || a.code != b.code || a.signal != b.signal ||
      a.input == b.input || !a.exited_at || !b.exited_at)
    return false;
  const UsecUtc tolerance = (a.time_has_usec && b.time_has_usec) ? 0 : one_second;
  return std::llabs(*a.exited_at - *b.exited_at) <= tolerance;
}

// Stable by exit time, untimed exits (cat form) first in input order. Sorts indexes and then
// moves each exit once along its permutation cycle, so no second array of exits is made.
static void sort_by_exit_time(std::vector<Exit>& exits) {
  std::vector<size_t> order(exits.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    const auto& ta = exits[a].exited_at;
    const auto& tb = exits[b].exited_at;
    if (ta && tb) return *ta < *tb;
    return ta.has_value() < tb.has_value();
  });
  // Position i must receive exits[order[i]].
  for (size_t start = 0; start < order.size(); ++start) {
    if (order[start] == start) continue;
    Exit held = std::move(exits[start]);
    size_t at = start;
    while (order[at] != start) {
      const size_t from = order[at];
      exits[at] = std::move(exits[from]);
      order[at] = at;
      at = from;
    }
    exits[at] = std::move(held);
    order[at] = at;
  }
}

Classified ExitTracker::finish() {
  Impl& m = *impl_;
  Classified out;
  out.kernel_input_present = m.kernel_present;
  const auto untimed = std::count_if(m.kernel.begin(), m.kernel.end(), [](const KernelRecord& k) { return !k.time; });
  m.join_exits(std::nullopt);
  m.merge_settled_evidence(std::nullopt);
  out.exits.reserve(m.exits.end() - m.exits.begin());
  for (size_t i = m.exits.begin(); i < m.exits.end(); ++i)
    if (m.exits.held(i)) out.exits.push_back(m.take_classified(i));
  if (m.emitted_up_to)
    for (const auto& x : out.exits)
      if (x.exited_at && *x.exited_at < *m.emitted_up_to) ++m.exits_out_of_order;
  sort_by_exit_time(out.exits);
  size_t kept = 0;
  for (size_t i = 0; i < out.exits.size(); ++i) {
    bool dup = false;
    for (size_t k = kept; k-- > 0 && !dup;) {
      const Exit& prev = out.exits[k];
      if (prev.exited_at && out.exits[i].exited_at && *out.exits[i].exited_at - *prev.exited_at > one_second) break;
      dup = same_exit(prev, out.exits[i]);
    }
    if (dup) continue;
    if (kept != i) out.exits[kept] = std::move(out.exits[i]);
    ++kept;
  }
  out.exits.erase(out.exits.begin() + static_cast<std::ptrdiff_t>(kept), out.exits.end());
  for (auto& note : unjoined_notes(m.unjoined)) m.warnings.push_back({"witness-not-joined", std::move(note)});
  if (m.exits_out_of_order > 0 && m.windows.hold_exits > 0)
    m.warnings.push_back(
        {"input-out-of-order",
         std::to_string(m.exits_out_of_order) + " exit(s) came after later exits had been written: the inputs overlap "
         "in time, and with more than " + std::to_string(m.windows.hold_exits) + " exits several inputs are joined "
         "only within the last " + std::to_string(m.windows.hold_exits) + " exits, so those are out of order in the "
         "output, and evidence or copies of an exit in a later input may stand as exits of their own (give "
         "overlapping inputs fewer exits, e.g. with -u or --since, or in time order)"});
  else if (m.exits_out_of_order > 0)
    m.warnings.push_back({"input-out-of-order",
                          std::to_string(m.exits_out_of_order) + " exit(s) came after later exits had been written: "
                          "the input is out of time order by more than 5 minutes, so those are out of order in the output"});
  if (untimed > 0)
    m.warnings.push_back({"kernel-time-unanchored",
                          std::to_string(untimed) + " kernel OOM/fault line(s) have no wall-clock time (dmesg stamps "
                          "are seconds since boot): they were matched by PID only; pass --kernel-boot-time (e.g. "
                          "\"$(uptime -s)\" on that host) to match them by time"});
  for (const auto& [unit, n] : m.suppressed)
    m.warnings.push_back({"journald-suppressed", "journald suppressed " + std::to_string(n) + " messages from " + unit +
                                                     " (rate limiting: crash output may be missing)"});
  for (const auto& [unit, n] : m.lines_cut)
    m.warnings.push_back({"journald-line-max", std::to_string(n) + " output line(s) of " + unit +
                                                   " were cut at journald's LineMax (messages are partial)"});
  for (const auto& [unit, n] : m.hidden_exits)
    m.warnings.push_back({"exit-not-logged", unit + " started again " + std::to_string(n) +
                                                 " time(s) without an exit record in between (clean exits are "
                                                 "logged at debug level; or entries are missing)"});
  for (const auto& [unit, t] : m.journal_starts_inside) {
    // Only worth saying for a unit that failed: a clean stop of a boot-time unit is routine.
    const bool failed = m.units_with_failures.count(unit) > 0;
    if (!failed) continue;
    m.warnings.push_back({"journal-starts-mid-lifetime",
                          "the input begins inside a lifetime of " + unit +
                              ": its start (and any earlier exits) are not in the input (rotated or vacuumed?)"});
  }
  out.warnings = std::move(m.warnings);
  out.inputs = std::move(m.stats);
  return out;
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
  impl_->units.clear();
}

}  // namespace crashsift::classify
