#include "crashsift/classify/systemd_lines.hpp"

#include <array>
#include <cctype>
#include <cmath>

#include "crashsift/core/text.hpp"

namespace crashsift::classify {

namespace {

constexpr std::array<std::string_view, 13> unit_suffixes = {
    ".service", ".socket", ".scope", ".slice", ".mount", ".timer", ".target",
    ".path", ".swap", ".device", ".automount", ".busname", ".snapshot"};

// Splits "<unit>: <body>". systemd prefixes every unit message with the unit id (LOG_UNIT_MESSAGE).
bool split_unit_prefix(std::string_view msg, std::string_view& unit, std::string_view& body) {
  const size_t colon = msg.find(": ");
  if (colon == std::string_view::npos || colon == 0) return false;
  const std::string_view candidate = msg.substr(0, colon);
  if (!looks_like_unit_name(candidate)) return false;
  unit = candidate;
  body = msg.substr(colon + 2);
  return true;
}

// Job lines carry no prefix: "Started app.service - My App." (Debian's combined format),
// "Started My App." (description only) or "Started app.service." (name format).
std::string unit_from_job_text(std::string_view rest) {
  const size_t dash = rest.find(" - ");
  std::string_view head = dash == std::string_view::npos ? rest : rest.substr(0, dash);
  while (!head.empty() && (head.back() == '.')) head.remove_suffix(1);
  if (looks_like_unit_name(head)) return std::string(head);
  return {};
}

std::optional<SystemdFact> parse_job_line(std::string_view msg, std::string_view unit_field) {
  struct Job {
    std::string_view prefix;
    SystemdFactKind kind;
  };
  static constexpr Job jobs[] = {{"Starting ", SystemdFactKind::starting},
                                 {"Started ", SystemdFactKind::started},
                                 {"Finished ", SystemdFactKind::started},
                                 {"Stopping ", SystemdFactKind::stopping},
                                 {"Stopped ", SystemdFactKind::stopped}};
  for (const auto& job : jobs) {
    if (!starts_with(msg, job.prefix)) continue;
    SystemdFact f;
    f.kind = job.kind;
    f.unit = !unit_field.empty() ? std::string(unit_field) : unit_from_job_text(msg.substr(job.prefix.size()));
    if (f.unit.empty()) return std::nullopt;
    return f;
  }
  return std::nullopt;
}

// "Main process exited, code=dumped, status=11/SEGV" (v240+) and the v219 lowercase form.
bool parse_main_exited(std::string_view body, SystemdFact& f) {
  std::string_view rest;
  if (starts_with(body, "Main process exited, ")) rest = body.substr(21);
  else if (starts_with(body, "main process exited, ")) rest = body.substr(21);
  else if (starts_with(body, "Control process exited, ") || starts_with(body, "control process exited, ")) {
    rest = body.substr(24);  // ExecStartPre/ExecStart of a oneshot: the unit's only process
    f.control = true;
  } else {
    return false;
  }
  if (!starts_with(rest, "code=")) return false;
  rest.remove_prefix(5);
  // v229-v239 control-process lines print "code=exited status=1" without the comma.
  const size_t comma = rest.find_first_of(", ");
  if (comma == std::string_view::npos) return false;
  f.exit_kind = std::string(rest.substr(0, comma));
  rest.remove_prefix(comma + 1);
  rest = trim(rest);
  if (!starts_with(rest, "status=")) return false;
  rest.remove_prefix(7);
  const size_t slash = rest.find('/');
  const std::string_view num = rest.substr(0, slash);
  std::int64_t n = 0;
  if (!parse_int64(num, n)) return false;
  f.status = static_cast<int>(n);
  if (slash != std::string_view::npos) {
    std::string_view name = rest.substr(slash + 1);
    // " (success)" suffix (v249+, debug level only).
    if (const size_t sp = name.find(' '); sp != std::string_view::npos) name = name.substr(0, sp);
    // A pager or terminal ellipsized the line ("status=11/S…"): the number still says it.
    if (name.find("\xe2\x80\xa6") == std::string_view::npos && (name.empty() || name.back() != '.'))
      f.status_name = std::string(name);
  }
  f.kind = SystemdFactKind::main_exited;
  return true;
}

// v219-v235 wordings without the "unit: " prefix: "Unit mongod.service entered failed state.",
// "mongod.service start operation timed out. Terminating." (formats.md §1).
std::optional<SystemdFact> parse_old_wording(std::string_view msg, std::string_view unit_field) {
  SystemdFact f;
  if (starts_with(msg, "Unit ") && ends_with(msg, " entered failed state.")) {
    const std::string_view unit = msg.substr(5, msg.size() - 5 - 22);
    if (!looks_like_unit_name(unit)) return std::nullopt;
    f.unit = std::string(unit_field.empty() ? unit : unit_field);
    f.kind = SystemdFactKind::unit_failed;  // result unknown: "" (the exit line, if any, came before)
    return f;
  }
  const size_t sp = msg.find(' ');
  if (sp == std::string_view::npos || sp > 256) return std::nullopt;
  const std::string_view unit = msg.substr(0, sp), rest = msg.substr(sp + 1);
  if (!looks_like_unit_name(unit)) return std::nullopt;  // "client.go:88 dial operation timed out."
  const size_t op = rest.find(" operation timed out.");
  if (op == std::string_view::npos || op > 24) return std::nullopt;
  f.unit = std::string(unit_field.empty() ? unit : unit_field);
  f.kind = SystemdFactKind::state_timeout;
  f.state = std::string(rest.substr(0, op));
  for (auto& c : f.state) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return f;
}

bool parse_failed_result(std::string_view body, SystemdFact& f) {
  if (body == "Unit entered failed state.") {  // v229-v235, after the exit line
    f.kind = SystemdFactKind::unit_failed;
    return true;
  }
  if (!starts_with(body, "Failed with result '")) return false;
  const std::string_view rest = body.substr(20);
  const size_t q = rest.find('\'');
  if (q == std::string_view::npos) return false;
  f.kind = SystemdFactKind::unit_failed;
  f.result = std::string(rest.substr(0, q));
  return true;
}

// "Killing process 60 (sh) with signal SIGKILL." / "Sent signal SIGKILL to main process 38
// (sleep) on client request." Both name the PID and comm: direct evidence of the main PID.
bool parse_pid_comm(std::string_view s, SystemdFact& f) {
  std::int64_t pid = 0;
  const size_t sp = s.find(' ');
  if (sp == std::string_view::npos || !parse_int64(s.substr(0, sp), pid)) return false;
  f.pid = pid;
  const size_t open = s.find('(', sp);
  const size_t close = s.rfind(')');
  if (open != std::string_view::npos && close != std::string_view::npos && close > open)
    f.comm = std::string(s.substr(open + 1, close - open - 1));
  return true;
}

bool parse_kill_lines(std::string_view body, SystemdFact& f) {
  if (starts_with(body, "Killing process ")) {
    const std::string_view rest = body.substr(16);
    if (!parse_pid_comm(rest, f)) return false;
    const size_t sig = rest.find("with signal SIG");
    if (sig != std::string_view::npos) {
      std::string_view name = rest.substr(sig + 15);
      while (!name.empty() && name.back() == '.') name.remove_suffix(1);
      f.signal = std::string(name);
    }
    f.kind = SystemdFactKind::killing_process;
    return true;
  }
  if (starts_with(body, "Sent signal SIG")) {
    std::string_view rest = body.substr(15);
    const size_t sp = rest.find(' ');
    if (sp == std::string_view::npos) return false;
    f.signal = std::string(rest.substr(0, sp));
    const size_t mp = rest.find("process ");
    if (mp == std::string_view::npos || !parse_pid_comm(rest.substr(mp + 8), f)) return false;
    f.kind = SystemdFactKind::client_signal;
    return true;
  }
  return false;
}

bool parse_timeouts(std::string_view body, SystemdFact& f) {
  if (starts_with(body, "Watchdog timeout") || starts_with(body, "Watchdog request")) {
    f.kind = SystemdFactKind::watchdog_timeout;
    return true;
  }
  if (starts_with(body, "Service reached runtime time limit")) {
    f.kind = SystemdFactKind::runtime_limit;
    return true;
  }
  // "State 'stop-sigterm' timed out. Killing." (v239+), "start operation timed out.
  // Terminating." (v245+ lower-case state), "Start operation timed out." (v239),
  // "Stopping timed out. Terminating."
  if (starts_with(body, "State '")) {
    const size_t q = body.find('\'', 7);
    if (q != std::string_view::npos && contains(body.substr(q), "timed out")) {
      f.kind = SystemdFactKind::state_timeout;
      f.state = std::string(body.substr(7, q - 7));
      return true;
    }
  }
  const size_t op = body.find(" operation timed out.");
  if (op != std::string_view::npos && op < 24) {
    f.kind = SystemdFactKind::state_timeout;
    std::string state(body.substr(0, op));
    for (auto& c : state) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    f.state = state;
    return true;
  }
  if (starts_with(body, "Stopping timed out.")) {
    f.kind = SystemdFactKind::state_timeout;
    f.state = "stop";
    return true;
  }
  return false;
}

bool parse_oom_lines(std::string_view body, SystemdFact& f) {
  if (starts_with(body, "A process of this unit has been killed by the OOM killer")) {
    f.kind = SystemdFactKind::oom_in_unit;
    return true;
  }
  if (starts_with(body, "systemd-oomd killed ")) {
    f.kind = SystemdFactKind::oomd_in_unit;
    std::int64_t n = 0;
    const std::string_view rest = body.substr(20);
    if (parse_int64(rest.substr(0, rest.find(' ')), n)) f.number = static_cast<int>(n);
    return true;
  }
  return false;
}

bool parse_consumed(std::string_view body, SystemdFact& f) {
  if (!starts_with(body, "Consumed ") && !contains(body, " memory peak")) return false;
  if (!starts_with(body, "Consumed ") && !starts_with(body, "consumed ")) {
    // v256 without CPU data starts lower-case with the memory part.
    if (!contains(body, "memory peak")) return false;
  }
  f.kind = SystemdFactKind::consumed;
  const size_t mp = body.find(" memory peak");
  if (mp != std::string_view::npos) {
    std::string_view before = body.substr(0, mp);
    const size_t start = before.find_last_of(" ,");
    f.memory_peak = parse_systemd_bytes(start == std::string_view::npos ? before : before.substr(start + 1));
  }
  return true;
}

bool parse_misc(std::string_view body, SystemdFact& f) {
  if (body == "Deactivated successfully." || body == "Succeeded.") {
    f.kind = SystemdFactKind::deactivated;
    return true;
  }
  if (starts_with(body, "Scheduled restart job")) {
    f.kind = SystemdFactKind::restart_scheduled;
    const size_t at = body.find("counter is at ");
    std::int64_t n = 0;
    if (at != std::string_view::npos) {
      std::string_view num = body.substr(at + 14);
      while (!num.empty() && num.back() == '.') num.remove_suffix(1);
      if (parse_int64(num, n)) f.number = static_cast<int>(n);
    }
    return true;
  }
  // Also cut by a pager or terminal: "Start request repeat…kly." (systemctl status at 80 columns).
  if (starts_with(body, "Start request repeated too quickly") ||
      starts_with(body, "start request repeated too quickly") ||
      (starts_with(body, "Start request repeat") && contains(body, "\xe2\x80\xa6"))) {
    f.kind = SystemdFactKind::start_limit;
    return true;
  }
  if (starts_with(body, "Failed at step ")) {
    f.kind = SystemdFactKind::spawn_failed;
    return true;
  }
  return false;
}

}  // namespace

bool looks_like_unit_name(std::string_view s) {
  if (s.empty() || s.size() > 256) return false;
  for (char c : s)
    if (c == ' ' || c == '/' || c == ':' || static_cast<unsigned char>(c) < 0x21) return false;
  for (auto suffix : unit_suffixes)
    if (s.size() > suffix.size() && ends_with(s, suffix)) return true;
  return false;
}

std::optional<SystemdFact> parse_systemd_message(std::string_view msg, std::string_view unit_field) {
  if (msg.empty()) return std::nullopt;
  std::string_view unit, body;
  if (!split_unit_prefix(msg, unit, body)) {
    if (auto old = parse_old_wording(msg, unit_field)) return old;
    return parse_job_line(msg, unit_field);
  }
  SystemdFact f;
  f.unit = std::string(unit_field.empty() ? unit : unit_field);
  if (parse_main_exited(body, f) || parse_failed_result(body, f) || parse_misc(body, f) ||
      parse_kill_lines(body, f) || parse_timeouts(body, f) || parse_oom_lines(body, f) ||
      parse_consumed(body, f))
    return f;
  return std::nullopt;
}

std::optional<std::uint64_t> parse_systemd_bytes(std::string_view s) {
  s = trim(s);
  if (s.empty()) return std::nullopt;
  double mul = 1;
  switch (s.back()) {
    case 'B': break;
    case 'K': mul = 1024.0; break;
    case 'M': mul = 1024.0 * 1024; break;
    case 'G': mul = 1024.0 * 1024 * 1024; break;
    case 'T': mul = 1024.0 * 1024 * 1024 * 1024; break;
    default: return std::nullopt;
  }
  double v = 0;
  if (!parse_double(s.substr(0, s.size() - 1), v) || v < 0) return std::nullopt;
  return static_cast<std::uint64_t>(std::llround(v * mul));
}

std::string signal_name(int n) {
  static constexpr const char* names[] = {
      nullptr, "HUP",  "INT",  "QUIT", "ILL",    "TRAP", "ABRT", "BUS",  "FPE",  "KILL", "USR1",
      "SEGV",  "USR2", "PIPE", "ALRM", "TERM",   "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN",
      "TTOU",  "URG",  "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO",  "PWR",  "SYS"};
  if (n >= 1 && n <= 31) return names[n];
  if (n >= 34 && n <= 64) return "RTMIN+" + std::to_string(n - 34);
  return std::to_string(n);
}

std::optional<int> signal_number(std::string_view name) {
  if (starts_with(name, "SIG")) name.remove_prefix(3);
  if (name == "IOT") return 6;
  if (name == "POLL") return 29;
  for (int n = 1; n <= 31; ++n)
    if (signal_name(n) == name) return n;
  std::int64_t v = 0;
  if (parse_int64(name, v)) return static_cast<int>(v);
  return std::nullopt;
}

}  // namespace crashsift::classify
