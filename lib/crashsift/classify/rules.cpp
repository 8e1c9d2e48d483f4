#include "crashsift/classify/rules.hpp"

#include <algorithm>
#include <cctype>

#include "crashsift/classify/crash_message.hpp"
#include "crashsift/classify/systemd_lines.hpp"
#include "crashsift/core/text.hpp"

namespace crashsift::classify {

namespace {

struct Verdict {
  ExitClass cls;
  std::string cause;
  Confidence confidence = Confidence::confirmed;
  OomKind oom_kind = OomKind::none;
};

using Rule = std::optional<Verdict> (*)(const Exit&, const ExitFacts&);

bool died_by(const Exit& x, std::string_view sig) { return x.signal == sig; }
bool is_fatal_signal(const Exit& x) { return is_crash_signal(x.signal); }
bool is_clean_signal(const Exit& x) {
  return died_by(x, "TERM") || died_by(x, "INT") || died_by(x, "HUP") || died_by(x, "PIPE");
}

OomKind kind_from_kernel(const ExitFacts& f, OomKind fallback) {
  if (!f.kernel_oom) return fallback;
  return f.kernel_oom->memcg ? OomKind::cgroup : OomKind::kernel;
}

// systemd-oomd decided the kill (v247+ unit line; v251+ also result 'oom-kill').
std::optional<Verdict> rule_oomd(const Exit&, const ExitFacts& f) {
  if (!f.oomd_unit_line && !f.oomd_kill_line) return std::nullopt;
  return Verdict{ExitClass::oom, "oomd-kill", Confidence::confirmed, OomKind::oomd};
}

// cgroup v2 + systemd >= 243: PID 1 read memory.events and says so; result 'oom-kill'.
std::optional<Verdict> rule_systemd_oom(const Exit& x, const ExitFacts& f) {
  if (!f.oom_unit_line && x.unit_result != "oom-kill") return std::nullopt;
  // OOMPolicy=stop: the kernel killed a child, systemd then stopped the main process with
  // SIGTERM. The main process's own death is that stop, unless the kill line names it.
  if ((died_by(x, "TERM") || died_by(x, "INT")) && !(f.kernel_oom && f.kernel_oom_match == MatchKind::pid))
    return std::nullopt;
  const OomKind kind = kind_from_kernel(f, OomKind::cgroup);
  return Verdict{ExitClass::oom, kind == OomKind::kernel ? "kernel-oom-kill" : "cgroup-oom-kill",
                 Confidence::confirmed, kind};
}

// The runtime printed its own heap exhaustion (V8 "FATAL ERROR: … heap out of memory", Bun
// "ran out of memory", Go "fatal error: runtime: out of memory", Python MemoryError).
std::optional<Verdict> rule_runtime_heap(const Exit& x, const ExitFacts&) {
  if (!is_runtime_heap_oom(x.reason_kind)) return std::nullopt;
  return Verdict{ExitClass::oom, x.reason_kind, Confidence::confirmed, OomKind::runtime_heap};
}

// cgroup v1 or an old systemd: only "code=killed, status=9/KILL"; the kernel's kill line is the
// proof. Matched by PID it is confirmed; by command name and time it is inferred.
std::optional<Verdict> rule_kernel_oom_line(const Exit& x, const ExitFacts& f) {
  if (!f.kernel_oom || (!x.signal.empty() && !died_by(x, "KILL"))) return std::nullopt;
  const OomKind kind = kind_from_kernel(f, OomKind::kernel);
  const bool exact = f.kernel_oom_match == MatchKind::pid || f.kernel_oom_match == MatchKind::cgroup;
  const Confidence c = exact ? Confidence::confirmed : Confidence::inferred;
  return Verdict{ExitClass::oom, kind == OomKind::cgroup ? "cgroup-oom-kill" : "kernel-oom-kill", c, kind};
}

// A supervisor or container runtime says the process was OOM-killed (docker "OOMKilled": true,
// kubectl "Reason: OOMKilled", earlyoom "sending SIGKILL to process").
std::optional<Verdict> rule_stated_oom(const Exit&, const ExitFacts& f) {
  if (f.stated_oom == OomKind::none) return std::nullopt;
  return Verdict{ExitClass::oom, f.stated_oom == OomKind::cgroup ? "cgroup-oom-kill" : "kernel-oom-kill",
                 Confidence::confirmed, f.stated_oom};
}

// App-only mode: the app's last samples were near the memory limit and then it stopped; the
// external SIGKILL of an OOM killer leaves no line in the app's own log.
std::optional<Verdict> rule_memory_near_limit(const Exit&, const ExitFacts& f) {
  if (!f.near_memory_limit) return std::nullopt;
  return Verdict{ExitClass::oom, "near-memory-limit", Confidence::inferred, OomKind::cgroup};
}

// App-only mode: a lifetime ended (another began) and nothing says how.
std::optional<Verdict> rule_lifetime_only(const Exit&, const ExitFacts& f) {
  if (!f.app_lifetime_only) return std::nullopt;
  return Verdict{ExitClass::unknown, "no exit record", Confidence::inferred};
}

std::optional<Verdict> rule_watchdog(const Exit& x, const ExitFacts& f) {
  if (!f.watchdog_line && x.unit_result != "watchdog") return std::nullopt;
  return Verdict{ExitClass::watchdog, "watchdog-timeout"};
}

std::optional<Verdict> rule_timeout(const Exit& x, const ExitFacts& f) {
  if (x.unit_result != "timeout" && !f.runtime_limit_line && f.timeout_state.empty()) return std::nullopt;
  std::string cause = "timeout";
  if (f.runtime_limit_line) cause = "runtime-max-sec";
  else if (f.timeout_state == "stop-sigterm" || f.timeout_state == "final-sigterm" || f.timeout_state == "stop")
    cause = "stop-sigterm-timeout";
  else if (starts_with(f.timeout_state, "start") || f.timeout_state == "condition")
    cause = "start-timeout";
  else if (!f.timeout_state.empty()) cause = f.timeout_state + "-timeout";
  return Verdict{ExitClass::timeout, cause};
}

std::optional<Verdict> rule_client_kill(const Exit&, const ExitFacts& f) {
  if (!f.client_kill) return std::nullopt;
  return Verdict{ExitClass::killed, "client-request"};
}

// SEGV, BUS, ILL, FPE, TRAP, SYS and ABRT raised by the process itself. A Bun panic ends in
// SIGILL (1.3.x @trap) or re-raises SEGV (1.4.x): the panic text decides, not the number.
std::optional<Verdict> rule_fatal_signal(const Exit& x, const ExitFacts&) {
  if (!is_fatal_signal(x)) return std::nullopt;
  std::string cause;
  if (x.reason_kind == "bun-panic") cause = "bun-panic";
  // The app's own last fatal record names the reason, not the mechanism: still a plain abort.
  else if (died_by(x, "ABRT"))
    cause = x.reason_kind.empty() || x.reason_kind == "app-fatal" ? "abort"
            : ends_with(x.reason_kind, "-abort")                  ? x.reason_kind
                                                                  : x.reason_kind + "-abort";
  else if (died_by(x, "SEGV")) cause = "segv";
  else if (died_by(x, "BUS")) cause = "bus-error";
  else if (died_by(x, "ILL")) cause = "illegal-instruction";
  else if (died_by(x, "FPE")) cause = "arithmetic-fault";
  else if (died_by(x, "TRAP")) cause = "trap";
  else cause = "bad-syscall";
  return Verdict{ExitClass::segfault, cause};
}

// Bun's crash handler caught a fatal signal and printed its panic banner; the signal itself is
// not in the evidence (raw stderr without the shell's line).
std::optional<Verdict> rule_bun_panic(const Exit& x, const ExitFacts&) {
  if (x.reason_kind != "bun-panic" || !x.signal.empty() || !x.exit_kind.empty()) return std::nullopt;
  return Verdict{ExitClass::segfault, "bun-panic", Confidence::inferred};
}

// Only a coredump record tells of this death (coredumpctl, systemd-coredump's line): the
// process dumped core, so a fatal signal ended it even where the record does not name it.
std::optional<Verdict> rule_core_dumped(const Exit& x, const ExitFacts& f) {
  if (!f.coredump || !x.signal.empty() || (x.exit_kind != "dumped" && !x.exit_kind.empty())) return std::nullopt;
  return Verdict{ExitClass::segfault, "core-dump", Confidence::inferred};
}

// An unexplained SIGKILL: something outside killed it; OOM cannot be ruled out without the
// kernel's log, so it stays inferred.
std::optional<Verdict> rule_unknown_kill(const Exit& x, const ExitFacts&) {
  if (!died_by(x, "KILL")) return std::nullopt;
  return Verdict{ExitClass::killed, "sigkill", Confidence::inferred};
}

// A killer outside the process sent the signal and said so (earlyoom's "sending SIGTERM to
// process", supervisord's "terminated by SIGTERM; not expected"): an external kill, not a stop.
std::optional<Verdict> rule_external_signal(const Exit& x, const ExitFacts& f) {
  if (!f.external_kill || x.signal.empty() || is_fatal_signal(x)) return std::nullopt;
  std::string cause = "sig" + x.signal;
  for (auto& c : cause) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return Verdict{ExitClass::killed, cause};
}

// SIGTERM/SIGINT/SIGHUP/SIGPIPE: systemd counts these as a clean daemon exit; a failing result
// (oneshot services, SuccessExitStatus) makes it an external kill instead.
std::optional<Verdict> rule_clean_signal(const Exit& x, const ExitFacts&) {
  if (!is_clean_signal(x)) return std::nullopt;
  if (x.unit_result.empty() || x.unit_result == "success")
    return Verdict{ExitClass::clean, "stopped"};
  std::string cause = "sig" + x.signal;
  for (auto& c : cause) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return Verdict{ExitClass::killed, cause};
}

std::string cause_for_exit_code(const Exit& x) {
  if (!x.reason_kind.empty() && x.reason_kind != "fatal-message" && x.reason_kind != "app-fatal") return x.reason_kind;
  if (*x.code == 203) return "exec-failed";
  if (*x.code >= 200 && *x.code <= 245) return "spawn-failed";
  return "exit-code";
}

std::optional<Verdict> rule_exit_code(const Exit& x, const ExitFacts&) {
  if (x.exit_kind != "exited") return std::nullopt;
  // A runtime that can only end by exit() (an uncaught exception, a Go panic) with no status shown.
  if (!x.code) {
    const bool named = !x.reason_kind.empty() && x.reason_kind != "fatal-message" && x.reason_kind != "app-fatal";
    return Verdict{ExitClass::self_exit, named ? x.reason_kind : "exit-code", Confidence::inferred};
  }
  if (*x.code == 0) return Verdict{ExitClass::clean, "exit-success"};
  // 128+N after a stop request: the process died of the stop's signal through its own handler
  // (a JVM exits 143 on SIGTERM), which systemd counts as a failure: an external kill.
  if (x.stop_requested && *x.code > 128 && *x.code <= 128 + 31) {
    std::string cause = "sig" + signal_name(*x.code - 128) + "-exit";
    for (auto& c : cause) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return Verdict{ExitClass::killed, cause};
  }
  return Verdict{ExitClass::self_exit, cause_for_exit_code(x)};
}

// No exit line at all (clean exits are logged at debug level): the result decides.
std::optional<Verdict> rule_result_only(const Exit& x, const ExitFacts&) {
  if (!x.exit_kind.empty()) return std::nullopt;
  if (x.unit_result == "success") {
    return Verdict{ExitClass::clean, x.stop_requested ? "stopped" : "deactivated"};
  }
  if (x.unit_result == "exit-code")
    return Verdict{ExitClass::self_exit, x.reason_kind.empty() ? "exit-code" : x.reason_kind, Confidence::inferred};
  if (x.unit_result == "core-dump") return Verdict{ExitClass::segfault, "core-dump", Confidence::inferred};
  if (x.unit_result == "signal") return Verdict{ExitClass::killed, "signal", Confidence::inferred};
  if (x.unit_result == "start-limit-hit") return Verdict{ExitClass::unknown, "start-limit-hit"};
  return std::nullopt;
}

void add_missing(Exit& x, const ExitFacts& f) {
  auto miss = [&](std::string s) { x.missing.push_back(std::move(s)); };
  if (f.app_lifetime_only) {
    // The app log is all there is: say that once, not as missing journal records one by one.
    miss("no journal record of this exit (give the journal to know how it ended)");
    if (f.near_memory_limit)
      miss("no kernel OOM kill line: inferred from the last samples near the " + format_bytes(*f.near_memory_limit) +
           " limit");
    return;
  }
  if (x.exit_kind.empty() && x.unit_result != "success")
    miss("no \"Main process exited\" record (logged at debug level or outside the input)");
  if (x.cls == ExitClass::oom && x.oom_kind != OomKind::runtime_heap && x.oom_kind != OomKind::oomd &&
      !f.kernel_oom)
    miss(f.kernel_input_present ? "no matching kernel OOM kill line"
                                : "no kernel OOM kill line in input (add dmesg or the host journal)");
  if (x.cls == ExitClass::killed && x.cause == "sigkill")
    miss(f.kernel_input_present ? "no kernel OOM kill line matches this SIGKILL"
                                : "no kernel log in input: an OOM kill cannot be ruled out (add dmesg or the host journal)");
  if (x.cls == ExitClass::segfault && x.exit_kind == "dumped" && !f.coredump)
    miss("no core dump record (systemd-coredump entry or core file)");
  if (x.cls == ExitClass::segfault && x.reason.empty() && !f.kernel_fault)
    miss(f.kernel_input_present ? "no kernel fault line matches this crash" : "no kernel fault line in input");
  const bool explained = std::any_of(x.missing.begin(), x.missing.end(),
                                     [](const std::string& m) { return contains(m, "could be the main one"); });
  if (!x.pid && !explained) miss("main PID not recorded in this input");
}

}  // namespace

void classify_exit(Exit& x, const ExitFacts& f) {
  static constexpr Rule rules[] = {rule_oomd,        rule_systemd_oom,  rule_runtime_heap,
                                   rule_kernel_oom_line, rule_stated_oom, rule_memory_near_limit, rule_watchdog, rule_timeout,
                                   rule_client_kill, rule_fatal_signal, rule_bun_panic, rule_core_dumped, rule_external_signal, rule_unknown_kill,
                                   rule_clean_signal, rule_exit_code,   rule_result_only, rule_lifetime_only};
  Verdict v{ExitClass::unknown, "unexplained", Confidence::inferred};
  for (Rule r : rules) {
    if (auto got = r(x, f)) {
      v = *got;
      break;
    }
  }
  x.cls = v.cls;
  x.cause = v.cause;
  // A runtime's own message on stderr implies the death; no record confirms how it ended.
  x.confidence = f.only_implied ? Confidence::inferred : v.confidence;
  x.oom_kind = v.oom_kind;
  add_missing(x, f);
}

}  // namespace crashsift::classify
