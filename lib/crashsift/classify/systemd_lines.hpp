#pragma once
// Recognizes the service manager's own messages (formats.md §1) from their exact text, so the
// same rules work on every journal form, including `short` text that has no MESSAGE_ID or
// UNIT fields. Each recognizer is a small function with its own test.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace crashsift::classify {

enum class SystemdFactKind {
  main_exited,        // "Main process exited, code=dumped, status=11/SEGV"
  unit_failed,        // "Failed with result 'core-dump'."
  deactivated,        // "Deactivated successfully." / "Succeeded."
  restart_scheduled,  // "Scheduled restart job, restart counter is at 3."
  start_limit,        // "Start request repeated too quickly."
  starting,           // "Starting app.service - App..."
  started,            // "Started app.service - App." / "Finished ..."
  stopping,           // "Stopping app.service - App..."
  stopped,            // "Stopped app.service - App."
  oom_in_unit,        // "A process of this unit has been killed by the OOM killer."
  oomd_in_unit,       // "systemd-oomd killed 3 process(es) in this unit."
  watchdog_timeout,   // "Watchdog timeout (limit 30s)!"
  runtime_limit,      // "Service reached runtime time limit. Stopping."
  state_timeout,      // "State 'stop-sigterm' timed out. Killing." / "start operation timed out."
  killing_process,    // "Killing process 60 (sh) with signal SIGKILL."
  client_signal,      // "Sent signal SIGKILL to main process 38 (sleep) on client request."
  consumed,           // "Consumed 1.2s CPU time, 6.2G memory peak, ..."
  spawn_failed,       // "Failed at step EXEC spawning /x: No such file or directory"
};

struct SystemdFact {
  SystemdFactKind kind{};
  std::string unit;            // may be empty for job lines in description-only format
  std::string exit_kind;       // main_exited: exited|killed|dumped
  std::optional<int> status;   // main_exited: the number
  std::string status_name;     // main_exited: "SEGV", "FAILURE", "n/a"
  bool control = false;        // main_exited: a control process (ExecStartPre=, ExecStop=...), not the main one
  std::string result;          // unit_failed: the result string
  std::optional<int> number;   // restart counter, processes killed
  std::optional<std::int64_t> pid;  // killing_process / client_signal
  std::string comm;            // killing_process / client_signal
  std::string signal;          // killing_process / client_signal: "KILL" (no SIG)
  std::string state;           // state_timeout: "stop-sigterm", "start", ...
  std::optional<std::uint64_t> memory_peak;  // consumed
};

// msg is the MESSAGE; unit_field is UNIT=/USER_UNIT= when the form has it (else "").
std::optional<SystemdFact> parse_systemd_message(std::string_view msg, std::string_view unit_field);

// "6.2G", "370.5M", "512B", "1.5K" (systemd's FORMAT_BYTES, IEC without 'i') -> bytes.
std::optional<std::uint64_t> parse_systemd_bytes(std::string_view s);

// A unit name looks like "name.service", "user@1000.service", "foo-bar.scope".
bool looks_like_unit_name(std::string_view s);

// Signal number <-> name without "SIG" (Linux x86-64 numbering).
std::string signal_name(int number);
std::optional<int> signal_number(std::string_view name);

}  // namespace crashsift::classify
