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

// Each field crashsift keeps has one setter: a captureless lambda (a plain function pointer),
// found by name without touching the value, so a parser can skip the values of every other
// field undecoded.
using Setter = JournalFieldSetter;

// Trusted fields and metadata: "_..." and "__...".
Setter underscore_setter(std::string_view n) {
  switch (n.size()) {
    case 4:
      if (n == "_PID") return [](Event& e, std::string_view v) { return set_int(e.pid, v); };  // strong
      break;
    case 5:
      if (n == "_COMM")
        return [](Event& e, std::string_view v) {
          fill_str(e.identifier, v);  // weak: SYSLOG_IDENTIFIER wins
          return set_str(e.comm, v);
        };
      break;
    case 8:
      if (n == "_BOOT_ID") return [](Event& e, std::string_view v) { return set_str(e.boot_id, v); };
      if (n == "__CURSOR") return [](Event& e, std::string_view v) { return set_str(e.origin.cursor, v); };
      break;
    case 9:
      if (n == "_HOSTNAME") return [](Event& e, std::string_view v) { return set_str(e.hostname, v); };
      break;
    case 11:
      // journald cut this stdout line at LineMax (48 KiB by default): the message is partial.
      if (n == "_MACHINE_ID") return [](Event& e, std::string_view v) { return set_str(e.machine_id, v); };
      if (n == "_LINE_BREAK")
        return [](Event& e, std::string_view v) {
          e.line_cut = (v == "line-max");
          return true;
        };
      break;
    case 10:
      if (n == "_TRANSPORT")
        return [](Event& e, std::string_view v) {
          if (v == "kernel") e.kernel = true;
          return true;
        };
      break;
    case 13:
      if (n == "_SYSTEMD_UNIT") return [](Event& e, std::string_view v) { return set_str(e.systemd_unit, v); };
      break;
    case 20:
      // Weak: the receive time. _SOURCE_REALTIME_TIMESTAMP (when the sender gave one) is what
      // journalctl displays, so it wins whatever order the fields come in.
      if (n == "__REALTIME_TIMESTAMP")
        return [](Event& e, std::string_view v) { return e.time ? true : set_usec(e.time, v); };
      break;
    case 21:
      if (n == "__MONOTONIC_TIMESTAMP") return [](Event& e, std::string_view v) { return set_monotonic(e, v); };
      break;
    case 22:
      if (n == "_SYSTEMD_INVOCATION_ID")
        return [](Event& e, std::string_view v) { return fill_str(e.invocation_id, v); };
      break;
    case 26:
      if (n == "_SOURCE_REALTIME_TIMESTAMP") return [](Event& e, std::string_view v) { return set_usec(e.time, v); };
      break;
    default:
      break;
  }
  return nullptr;
}

Setter coredump_setter(std::string_view n) {
  // n is the name without "COREDUMP_".
  switch (n.size()) {
    case 3:
      if (n == "PID") return [](Event& e, std::string_view v) { return set_int(e.coredump_pid, v); };
      if (n == "EXE") return [](Event& e, std::string_view v) { return set_str(e.coredump_exe, v); };
      break;
    case 4:
      if (n == "UNIT") return [](Event& e, std::string_view v) { return set_str(e.coredump_unit, v); };
      if (n == "COMM") return [](Event& e, std::string_view v) { return set_str(e.coredump_comm, v); };
      break;
    case 6:
      if (n == "SIGNAL") return [](Event& e, std::string_view v) { return set_int(e.coredump_signal, v); };
      break;
    case 8:
      if (n == "FILENAME") return [](Event& e, std::string_view v) { return set_str(e.coredump_filename, v); };
      break;
    case 9:
      if (n == "TIMESTAMP") return [](Event& e, std::string_view v) { return set_usec(e.coredump_timestamp, v); };
      if (n == "USER_UNIT") return [](Event& e, std::string_view v) { return fill_str(e.coredump_unit, v); };
      break;
    default:
      break;  // COREDUMP_ENVIRON and the /proc dumps are never stored.
  }
  return nullptr;
}

Setter field_setter(std::string_view n) {
  if (n.empty()) return nullptr;
  switch (n[0]) {
    case '_':
      return underscore_setter(n);
    case 'C':
      if (n.size() > 9 && starts_with(n, "COREDUMP_")) return coredump_setter(n.substr(9));
      if (n == "COMMAND") return [](Event& e, std::string_view v) { return set_str(e.command, v); };
      break;
    case 'E':
      if (n == "EXIT_CODE") return [](Event& e, std::string_view v) { return set_str(e.exit_code, v); };
      if (n == "EXIT_STATUS") return [](Event& e, std::string_view v) { return set_int(e.exit_status, v); };
      break;
    case 'I':
      if (n == "INVOCATION_ID") return [](Event& e, std::string_view v) { return set_str(e.invocation_id, v); };
      break;
    case 'M':
      if (n == "MESSAGE") return [](Event& e, std::string_view v) { return set_message(e, v); };
      if (n == "MESSAGE_ID") return [](Event& e, std::string_view v) { return set_str(e.message_id, v); };
      if (n == "MEMORY_PEAK") return [](Event& e, std::string_view v) { return set_str(e.memory_peak, v); };
      break;
    case 'N':
      if (n == "N_RESTARTS") return [](Event& e, std::string_view v) { return set_int(e.n_restarts, v); };
      break;
    case 'P':
      if (n == "PRIORITY") return [](Event& e, std::string_view v) { return set_priority(e, v); };
      break;
    case 'S':
      if (n == "SYSLOG_IDENTIFIER") return [](Event& e, std::string_view v) { return set_str(e.identifier, v); };
      if (n == "SYSLOG_PID")  // weak: _PID wins
        return [](Event& e, std::string_view v) { return e.pid ? true : set_int(e.pid, v); };
      break;
    case 'U':
      if (n == "UNIT" || n == "USER_UNIT") return [](Event& e, std::string_view v) { return set_str(e.unit, v); };
      if (n == "UNIT_RESULT") return [](Event& e, std::string_view v) { return set_str(e.unit_result, v); };
      if (n == "USER_INVOCATION_ID")
        return [](Event& e, std::string_view v) { return set_str(e.invocation_id, v); };
      break;
    default:
      break;
  }
  return nullptr;
}

}  // namespace

bool valid_journal_field_name(std::string_view name) noexcept {
  if (name.empty() || name.size() > 64 || (name[0] >= '0' && name[0] <= '9')) return false;
  for (const char c : name)
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return true;
}

JournalFieldSetter journal_field_setter(std::string_view name) noexcept { return field_setter(name); }

bool apply_journal_field(Event& event, std::string_view name, std::string_view value) noexcept {
  return apply_journal_field(event, field_setter(name), value);
}

bool apply_journal_field(Event& event, JournalFieldSetter setter, std::string_view value) noexcept {
  if (!setter) return false;
  try {
    return setter(event, value);
  } catch (...) {
    return false;  // only std::bad_alloc can get here; the entry keeps what it had
  }
}

}  // namespace crashsift::input
