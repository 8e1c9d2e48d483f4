#include "crashsift/classify/journal_records.hpp"

#include <algorithm>
#include <cstdlib>

#include "crashsift/classify/systemd_lines.hpp"
#include "crashsift/core/text.hpp"

namespace crashsift::classify {

namespace {
constexpr UsecUtc one_second = usec_per_sec;
}  // namespace

bool is_coredump_entry(const Event& e) {
  if (e.message_id == message_ids::coredump) return true;
  return e.identifier == "systemd-coredump" && starts_with(e.message, "Process ") &&
         (contains(e.message, " dumped core") || contains(e.message, "terminated abnormally"));
}

// "Process 9190 (crashlab) of user 0 dumped core." -> pid, comm.
void parse_coredump_text(std::string_view msg, CoredumpRecord& r) {
  // The MESSAGE_ID alone marks a coredump entry; its text may be anything, even empty.
  if (!starts_with(msg, "Process ")) return;
  std::string_view rest = msg.substr(8);
  const size_t sp = rest.find(' ');
  std::int64_t pid = 0;
  if (sp != std::string_view::npos && parse_int64(rest.substr(0, sp), pid) && !r.pid) r.pid = pid;
  const size_t open = rest.find('('), close = rest.find(')');
  if (r.comm.empty() && open != std::string_view::npos && close != std::string_view::npos && close > open)
    r.comm = std::string(rest.substr(open + 1, close - open - 1));
  // v256: "Process 41870 (mpv) of user 1000 terminated abnormally with signal 11/SEGV, processing..."
  const size_t with = rest.find("with signal ");
  std::int64_t sig = 0;
  if (!r.signal && with != std::string_view::npos) {
    const std::string_view num = rest.substr(with + 12);
    if (parse_int64(num.substr(0, num.find_first_of("/, ")), sig) && sig > 0 && sig < 65) r.signal = static_cast<int>(sig);
  }
}

// ---- joining kernel and coredump records to exits ----------------------------------------

namespace {

constexpr UsecUtc join_before = 30 * one_second;   // a kill line precedes the exit record
// The kernel prints its kill/fault line before the process is reaped, so a matching line is
// never much later than the exit record; allow only clock disagreement between two sources.
constexpr UsecUtc join_after_exact = one_second / 4;
// An exit record printed to the second (short, short-iso) happened anywhere in that second.
UsecUtc join_after(const Exit& x) { return x.time_has_usec ? join_after_exact : one_second + join_after_exact; }


bool near_exit(const std::optional<UsecUtc>& t, const Exit& x, UsecUtc before, UsecUtc after) {
  return t && x.exited_at && *t >= *x.exited_at - before && *t <= *x.exited_at + after;
}


// Ties a kernel/coredump record to an exit: by PID when the PID namespaces agree; else by
// command name and the nearest time; else, for an unambiguous nearest record, by time alone.
template <typename Record, typename PidOf, typename CommOf>
std::pair<Record*, MatchKind> match_record(std::vector<Record>& records, const Exit& x, PidOf pid_of,
                                           CommOf comm_of, bool allow_time_only) {
  Record* by_comm = nullptr;
  UsecUtc by_comm_delta = 0;
  std::vector<std::pair<UsecUtc, Record*>> by_time;
  for (auto& r : records) {
    if (r.used || !same_boot(r.boot_id, x.boot_id) || !same_machine(r.machine_id, r.host, x.machine_id, x.hostname)) continue;
    const std::optional<std::int64_t> pid = pid_of(r);
    if (!pid) continue;  // a record of another kind, or one that cannot explain this exit
    if (x.pid && *pid == *x.pid && (near_exit(r.time, x, 3600 * one_second, join_after(x)) || !r.time))
      return {&r, MatchKind::pid};
    if (!near_exit(r.time, x, join_before, join_after(x))) continue;
    const UsecUtc delta = std::llabs(*r.time - *x.exited_at);
    if (same_command(comm_of(r), x.process_name) && (!by_comm || delta < by_comm_delta)) {
      by_comm = &r;
      by_comm_delta = delta;
    }
    by_time.emplace_back(delta, &r);
  }
  if (by_comm) return {by_comm, MatchKind::comm_and_time};
  if (!allow_time_only || by_time.empty()) return {nullptr, MatchKind::none};
  std::sort(by_time.begin(), by_time.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  const UsecUtc best = by_time[0].first;
  const bool clear_winner = by_time.size() == 1 || by_time[1].first >= 5 * best + one_second / 10;
  if (best <= 2 * one_second && clear_winner) return {by_time[0].second, MatchKind::time_only};
  return {nullptr, MatchKind::none};
}

// Which kernel fault line can explain which fatal signal.
bool fault_fits_signal(const KernelFault& f, std::string_view sig) {
  if (f.kind == "segfault" || starts_with(f.kind, "general protection")) return sig == "SEGV" || sig == "BUS";
  if (contains(f.kind, "invalid opcode")) return sig == "ILL";
  if (contains(f.kind, "int3")) return sig == "TRAP";
  if (contains(f.kind, "divide error")) return sig == "FPE";
  return sig != "ABRT";
}

std::string match_note(MatchKind m) {
  switch (m) {
    case MatchKind::pid: return "matched by PID";
    case MatchKind::comm_and_time:
      return "matched by command name and time (PID differs: the kernel's PID namespace is not the journal's)";
    case MatchKind::time_only: return "matched by time only (no PID or command name in common)";
    case MatchKind::cgroup: return "matched by the unit's cgroup (task_memcg)";
    case MatchKind::none: break;
  }
  return {};
}

}  // namespace

void join_kernel(std::vector<KernelRecord>& kernel, Exit& x, ExitFacts& f) {
  const bool killed = x.signal == "KILL" || f.oom_unit_line ||
                      (x.signal.empty() && (x.unit_result == "oom-kill" || x.unit_result == "signal"));
  if (killed && (f.oom_unit_line || x.unit_result == "oom-kill")) {
    // systemd says a process of this unit was OOM-killed; the victim may be a child, so the
    // kernel's task_memcg (the unit's cgroup) ties the kill line to the unit, not the PID.
    for (auto& r : kernel) {
      if (r.used || !r.oom || !ends_with(r.oom->task_memcg, "/" + x.unit) || !same_boot(r.boot_id, x.boot_id) || !same_machine(r.machine_id, r.host, x.machine_id, x.hostname) ||
          !near_exit(r.time, x, join_before, join_after(x)))
        continue;
      r.used = true;
      f.kernel_oom = r.oom;
      f.kernel_oom_match = MatchKind::cgroup;
      x.evidence.push_back(Evidence{"kernel-oom-kill", r.text + "  [" + match_note(MatchKind::cgroup) + "]", r.origin, r.time});
      break;
    }
  }
  if (killed && !f.kernel_oom) {
    auto [r, m] = match_record(
        kernel, x, [](const KernelRecord& k) { return k.oom ? std::optional<std::int64_t>(k.oom->pid) : std::nullopt; },
        [](const KernelRecord& k) { return k.oom ? std::string_view(k.oom->comm) : std::string_view(); },
        x.signal == "KILL");
    if (r && r->oom) {
      r->used = true;
      f.kernel_oom = r->oom;
      f.kernel_oom_match = m;
      x.evidence.push_back(Evidence{"kernel-oom-kill", r->text + "  [" + match_note(m) + "]", r->origin, r->time});
    }
  }
  for (auto& k : kernel) {
    if (k.used || k.oomd_cgroup.empty() || !same_boot(k.boot_id, x.boot_id) || !same_machine(k.machine_id, k.host, x.machine_id, x.hostname)) continue;
    if (ends_with(k.oomd_cgroup, "/" + x.unit) && near_exit(k.time, x, join_before, join_after(x))) {
      k.used = true;
      f.oomd_kill_line = true;
      x.evidence.push_back(Evidence{"oomd-kill", k.text, k.origin, k.time});
    }
  }
  if (!x.signal.empty() && x.signal != "KILL" && x.signal != "TERM") {
    auto [r, m] = match_record(
        kernel, x,
        [&x](const KernelRecord& k) {
          return k.fault && fault_fits_signal(*k.fault, x.signal) ? std::optional<std::int64_t>(k.fault->tid)
                                                                  : std::nullopt;
        },
        [](const KernelRecord& k) { return k.fault ? std::string_view(k.fault->comm) : std::string_view(); },
        // A runtime that handled the signal (Bun's crash handler) leaves no kernel line.
        x.reason_kind != "bun-panic");
    if (r && r->fault) {
      r->used = true;
      f.kernel_fault = r->fault;
      f.kernel_fault_match = m;
      x.evidence.push_back(Evidence{"kernel-fault", r->text + "  [" + match_note(m) + "]", r->origin, r->time});
    }
  }
}

void join_coredump(std::vector<CoredumpRecord>& cores, Exit& x, ExitFacts& f) {
  if (x.signal.empty()) return;
  // Without a PID or unit in common, the one coredump entry right at the exit is taken.
  CoredumpRecord* by_time = nullptr;
  int near_count = 0;
  for (auto& c : cores) {
    if (c.used || !same_boot(c.boot_id, x.boot_id) || !same_machine(c.machine_id, c.host, x.machine_id, x.hostname) || !near_exit(c.time, x, 5 * one_second, 5 * one_second)) continue;
    if (c.pid && x.pid && *c.pid != *x.pid) continue;
    by_time = &c;
    ++near_count;
  }
  for (auto& c : cores) {
    if (c.used || !same_boot(c.boot_id, x.boot_id) || !same_machine(c.machine_id, c.host, x.machine_id, x.hostname)) continue;
    const bool pid_match = c.pid && x.pid && *c.pid == *x.pid;
    const bool unit_match = !c.unit.empty() && c.unit == x.unit && near_exit(c.time, x, join_before, 60 * one_second);
    const bool time_match = !x.pid && near_count == 1 && &c == by_time;
    if (!pid_match && !unit_match && !time_match) continue;
    c.used = true;
    f.coredump = true;
    if (!x.pid && c.pid) {
      x.pid = c.pid;
      x.pid_source = "coredump";
    }
    x.evidence.push_back(Evidence{"coredump", c.text, c.origin, c.time});
    x.coredump_filename = c.filename;
    x.coredump_message = std::move(c.message);
    return;
  }
}

// Kernel and coredump records that explained no exit record are deaths of their own (a dmesg
// paste, a host whose journal lost the unit's lines): they become witnesses for the merger.
static std::string signal_of_fault(const KernelFault& f) {
  if (f.kind == "segfault" || starts_with(f.kind, "general protection")) return "SEGV";
  if (contains(f.kind, "invalid opcode")) return "ILL";
  if (contains(f.kind, "int3")) return "TRAP";
  if (contains(f.kind, "divide error")) return "FPE";
  if (starts_with(f.kind, "potentially unexpected fatal signal ")) {
    std::int64_t n = 0;
    std::string_view num = std::string_view(f.kind).substr(36);
    if (parse_int64(num.substr(0, num.find('.')), n)) return signal_name(static_cast<int>(n));
  }
  return {};
}

Witness kernel_witness(const KernelRecord& r) {
  Witness w;
  w.boot_id = r.boot_id;
  w.host = r.host;
  w.time = r.time;
  w.when = r.time ? WhenKnown::absolute : r.monotonic_usec ? WhenKnown::boot_relative : WhenKnown::none;
  w.time_has_usec = true;
  w.input = r.input;
  w.order = r.order;
  if (r.oom) {
    w.kind = "kernel-oom-kill";
    w.pid = r.oom->pid;
    w.comm = r.oom->comm;
    w.cgroup = r.oom->task_memcg;
    w.signal = "KILL";
    w.exit_kind = "killed";
    w.kernel_oom = r.oom;
  } else if (r.fault) {
    w.kind = "kernel-fault";
    w.pid = r.fault->tid;
    w.comm = r.fault->comm;
    w.signal = signal_of_fault(*r.fault);
    w.kernel_fault = r.fault;
  } else {
    w.kind = "oomd-kill";
    w.cgroup = r.oomd_cgroup;
    w.signal = "KILL";
    w.exit_kind = "killed";
    w.oom = OomKind::oomd;
  }
  w.lines.push_back(Evidence{w.kind, r.text, r.origin, r.time});
  return w;
}

Witness coredump_witness(CoredumpRecord& c) {
  Witness w;
  w.kind = "coredump";
  w.boot_id = c.boot_id;
  w.host = c.host;
  w.time = c.time;
  w.when = c.time ? WhenKnown::absolute : WhenKnown::none;
  w.time_has_usec = true;
  w.input = c.input;
  w.order = c.order;
  w.pid = c.pid;
  w.comm = c.comm;
  w.unit = c.unit;
  w.exe = c.exe;
  if (c.signal) w.signal = signal_name(*c.signal);
  w.exit_kind = "dumped";
  w.coredump_filename = c.filename;
  w.coredump_message = std::move(c.message);
  w.lines.push_back(Evidence{"coredump", c.text, c.origin, c.time});
  return w;
}

static std::string joined_by(MatchKind m) {
  switch (m) {
    case MatchKind::pid: return "pid+time";
    case MatchKind::cgroup: return "cgroup";
    case MatchKind::comm_and_time: return "comm+time";
    case MatchKind::time_only: return "time";
    case MatchKind::none: break;
  }
  return "-";
}

// The witnesses of an exit made from PID 1's lines: the exit record or result line it was made
// from, and the kernel and coredump records joined to it.
void note_journal_witnesses(Exit& x, const ExitFacts& f) {
  const Evidence* made_from = nullptr;
  for (const auto& e : x.evidence) {
    if (e.role == "exit-record") made_from = &e;
    else if (!made_from && (e.role == "unit-result" || e.role == "deactivated")) made_from = &e;
  }
  if (!made_from && !x.evidence.empty()) made_from = &x.evidence.front();
  if (made_from) x.witnesses.insert(x.witnesses.begin(), WitnessRef{made_from->role, "created", made_from->origin});
  note_joined_records(x, f, 0);
}

void note_joined_records(Exit& x, const ExitFacts& f, size_t from_evidence) {
  for (size_t i = from_evidence; i < x.evidence.size(); ++i) {
    const Evidence& e = x.evidence[i];
    if (e.role == "kernel-oom-kill") x.witnesses.push_back({e.role, joined_by(f.kernel_oom_match), e.origin});
    if (e.role == "kernel-fault") x.witnesses.push_back({e.role, joined_by(f.kernel_fault_match), e.origin});
    if (e.role == "oomd-kill") x.witnesses.push_back({e.role, "cgroup", e.origin});
    if (e.role == "coredump") x.witnesses.push_back({e.role, x.pid_source == "coredump" ? "time" : "pid+time", e.origin});
  }
}

}  // namespace crashsift::classify
