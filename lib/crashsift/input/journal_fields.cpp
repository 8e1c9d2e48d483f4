#include "crashsift/input/journal_fields.hpp"

#include <limits>

#include "crashsift/core/text.hpp"

namespace crashsift::input {
namespace {

// Journal numbers are decimal text in every form (json prints them as strings too).
template <typename T>
bool set_int(std::optional<T>& out, std::string_view value) {
  std::int64_t v = 0;
  if (!parse_int64(value, v)) return false;
  if (v < std::numeric_limits<T>::min() || v > std::numeric_limits<T>::max()) return false;
  out = static_cast<T>(v);
  return true;
}

bool set_usec(std::optional<UsecUtc>& out, std::string_view value) {
  std::uint64_t v = 0;
  if (!parse_uint64(value, v) || v > static_cast<std::uint64_t>(std::numeric_limits<UsecUtc>::max()))
    return false;
  out = static_cast<UsecUtc>(v);
  return true;
}

bool set_str(std::string& out, std::string_view value) {
  out.assign(value.data(), value.size());
  return true;
}

// Weak fallbacks fill only what a stronger field has not set (see the header).
bool fill_str(std::string& out, std::string_view value) {
  if (out.empty()) out.assign(value.data(), value.size());
  return true;
}

// systemd-coredump's MESSAGE ends with "\n" (so do some native senders'). journalctl prints no
// line for a trailing newline in short and verbose output, so dropping it here is what makes
// export, json, verbose and short agree on the message text.
bool set_message(Event& e, std::string_view value) {
  while (!value.empty() && value.back() == '\n') value.remove_suffix(1);
  return set_str(e.message, value);
}

bool set_priority(Event& e, std::string_view value) {
  // PRIORITY is a syslog level 0..7; anything else is a sender bug and is ignored.
  if (value.size() != 1 || value[0] < '0' || value[0] > '7') return false;
  e.priority = value[0] - '0';
  return true;
}

bool set_monotonic(Event& e, std::string_view value) {
  std::uint64_t v = 0;
  if (!parse_uint64(value, v)) return false;
  e.monotonic_usec = v;
  return true;
}

// Trusted fields and metadata: "_..." and "__...".
bool apply_underscore(Event& e, std::string_view n, std::string_view v) {
  switch (n.size()) {
    case 4:
      if (n == "_PID") return set_int(e.pid, v);  // strong: the kernel-verified sender
      break;
    case 5:
      if (n == "_COMM") {
        fill_str(e.identifier, v);  // weak: SYSLOG_IDENTIFIER wins
        return set_str(e.comm, v);
      }
      break;
    case 8:
      if (n == "_BOOT_ID") return set_str(e.boot_id, v);
      if (n == "__CURSOR") return set_str(e.origin.cursor, v);
      break;
    case 9:
      if (n == "_HOSTNAME") return set_str(e.hostname, v);
      break;
    case 11:
      // journald cut this stdout line at LineMax (48 KiB by default): the message is partial.
      if (n == "_LINE_BREAK") {
        e.line_cut = (v == "line-max");
        return true;
      }
      break;
    case 10:
      if (n == "_TRANSPORT") {
        if (v == "kernel") e.kernel = true;
        return true;
      }
      break;
    case 13:
      if (n == "_SYSTEMD_UNIT") return set_str(e.systemd_unit, v);
      break;
    case 20:
      if (n == "__REALTIME_TIMESTAMP") {
        // Weak: the receive time. _SOURCE_REALTIME_TIMESTAMP (when the sender gave one) is
        // what journalctl displays, so it wins whatever order the fields come in.
        if (e.time) return true;
        return set_usec(e.time, v);
      }
      break;
    case 21:
      if (n == "__MONOTONIC_TIMESTAMP") return set_monotonic(e, v);
      break;
    case 22:
      if (n == "_SYSTEMD_INVOCATION_ID") return fill_str(e.invocation_id, v);
      break;
    case 26:
      if (n == "_SOURCE_REALTIME_TIMESTAMP") return set_usec(e.time, v);
      break;
    default:
      break;
  }
  return false;
}

bool apply_coredump(Event& e, std::string_view n, std::string_view v) {
  // n is the name without "COREDUMP_".
  switch (n.size()) {
    case 3:
      if (n == "PID") return set_int(e.coredump_pid, v);
      if (n == "EXE") return set_str(e.coredump_exe, v);
      break;
    case 4:
      if (n == "UNIT") return set_str(e.coredump_unit, v);
      if (n == "COMM") return set_str(e.coredump_comm, v);
      break;
    case 6:
      if (n == "SIGNAL") return set_int(e.coredump_signal, v);
      break;
    case 8:
      if (n == "FILENAME") return set_str(e.coredump_filename, v);
      break;
    case 9:
      if (n == "TIMESTAMP") return set_usec(e.coredump_timestamp, v);
      if (n == "USER_UNIT") return fill_str(e.coredump_unit, v);
      break;
    default:
      break;  // COREDUMP_ENVIRON and the /proc dumps are never stored.
  }
  return false;
}

bool apply_field(Event& e, std::string_view n, std::string_view v) {
  if (n.empty()) return false;
  switch (n[0]) {
    case '_':
      return apply_underscore(e, n, v);
    case 'C':
      if (n.size() > 9 && starts_with(n, "COREDUMP_")) return apply_coredump(e, n.substr(9), v);
      if (n == "COMMAND") return set_str(e.command, v);
      break;
    case 'E':
      if (n == "EXIT_CODE") return set_str(e.exit_code, v);
      if (n == "EXIT_STATUS") return set_int(e.exit_status, v);
      break;
    case 'I':
      if (n == "INVOCATION_ID") return set_str(e.invocation_id, v);
      break;
    case 'M':
      if (n == "MESSAGE") return set_message(e, v);
      if (n == "MESSAGE_ID") return set_str(e.message_id, v);
      if (n == "MEMORY_PEAK") return set_str(e.memory_peak, v);
      break;
    case 'N':
      if (n == "N_RESTARTS") return set_int(e.n_restarts, v);
      break;
    case 'P':
      if (n == "PRIORITY") return set_priority(e, v);
      break;
    case 'S':
      if (n == "SYSLOG_IDENTIFIER") return set_str(e.identifier, v);
      if (n == "SYSLOG_PID") {
        if (e.pid) return true;  // weak: _PID already set
        return set_int(e.pid, v);
      }
      break;
    case 'U':
      if (n == "UNIT" || n == "USER_UNIT") return set_str(e.unit, v);
      if (n == "UNIT_RESULT") return set_str(e.unit_result, v);
      if (n == "USER_INVOCATION_ID") return set_str(e.invocation_id, v);
      break;
    default:
      break;
  }
  return false;
}

}  // namespace

bool apply_journal_field(Event& event, std::string_view name, std::string_view value) noexcept {
  try {
    return apply_field(event, name, value);
  } catch (...) {
    return false;  // only std::bad_alloc can get here; the entry keeps what it had
  }
}

}  // namespace crashsift::input
