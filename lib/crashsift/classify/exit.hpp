#pragma once
// The result of classification: one Exit per process exit, plain data. Writers format it;
// nothing here knows about output.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crashsift/core/event.hpp"
#include "crashsift/core/time.hpp"

namespace crashsift::classify {

enum class ExitClass { clean, self_exit, segfault, oom, watchdog, timeout, killed, unknown };
enum class OomKind { none, kernel, cgroup, oomd, runtime_heap };
enum class Confidence { confirmed, inferred };

// Stable JSON spellings ("self-exit", "runtime-heap", ...).
std::string_view to_string(ExitClass c);
std::string_view to_string(OomKind k);
std::string_view to_string(Confidence c);
std::optional<ExitClass> exit_class_from_string(std::string_view s);
const std::vector<ExitClass>& all_exit_classes();

// One line that helped decide an exit, with where it came from.
struct Evidence {
  std::string role;                 // "exit-record", "unit-result", "kernel-oom-kill", ...
  std::string text;                 // the line itself (first line of a multi-line message)
  Origin origin;
  std::optional<UsecUtc> time;
};

// One witness of this death and how the merger tied it to the others (crashsift-json(5)):
// "created" for the witness the exit was made from, else "pid+time", "pid", "unit", "cgroup",
// "comm+time", "comm", "time", "paste-order".
struct WitnessRef {
  std::string kind;
  std::string joined_by;
  Origin origin;
};

// A lifetime the input shows starting and never ending: the unit (restarted after its last exit,
// say) was still running when the input ends, as far as the journal says. Only the host's last
// boot in the input counts: a lifetime of an earlier boot ended with it.
struct RunningLifetime {
  std::string unit, hostname, boot_id, invocation_id;
  UsecUtc started_at = 0;
};

struct Exit {
  std::string unit;
  std::optional<std::int64_t> pid;
  std::string pid_source;           // "journal", "kill-line", "coredump", "output-inferred", ""
  std::string process_name;         // identifier/comm of the main process, for kernel matching
  std::string boot_id;
  std::string invocation_id;
  std::string hostname;
  std::string machine_id;           // _MACHINE_ID when the form has it; for joins, not written
  std::optional<UsecUtc> started_at;
  std::optional<UsecUtc> exited_at;
  bool time_has_usec = true;
  std::uint32_t input = 0;          // which input the exit record came from
  std::uint64_t arrival = 0;        // the record's position in the run's event order (pastes)

  ExitClass cls = ExitClass::unknown;
  OomKind oom_kind = OomKind::none;
  std::string cause;                // kebab-case sub-kind, see man/crashsift-json.5
  Confidence confidence = Confidence::inferred;

  std::string exit_kind;            // systemd's code=: "exited", "killed", "dumped", "" unknown
  std::optional<int> code;          // exit status when exit_kind == "exited"
  std::optional<int> signal_number; // when killed/dumped
  std::string signal;               // "SEGV" (no SIG prefix)
  std::string unit_result;          // "exit-code", "core-dump", "oom-kill", ...
  bool stop_requested = false;      // a "Stopping ..." job preceded the exit
  bool start_limit_hit = false;     // "Start request repeated too quickly." followed
  std::optional<int> restart_counter;
  std::optional<std::uint64_t> memory_peak_bytes;  // from the "Consumed ... memory peak" line

  std::string reason;               // crash message from the process's own last output
  std::string reason_kind;          // "bun-panic", "v8-heap-limit", "uncaught-exception", ...
  std::string runtime;              // "Bun v1.3.13", "Node.js v20.20.2"
  std::vector<std::string> last_output;  // the process's last output lines (bounded)

  // systemd-coredump's journal entry for this crash, when one was joined: where the core was
  // stored (COREDUMP_FILENAME) and the entry's text with its "Stack trace of thread" blocks.
  std::string coredump_filename;
  std::string coredump_message;

  std::vector<Evidence> evidence;
  std::vector<WitnessRef> witnesses;
  std::vector<std::string> missing;

  std::optional<double> uptime_s() const;
};

// What names one death across runs: 16 hex digits hashed (64-bit FNV-1a) from the host, boot,
// unit, main PID and exit time (µs) as recorded, nothing that later evidence can change (class,
// cause, witnesses, a PID learnt from a coredump entry). The same journal read again, or followed by `watch` after a restart, gives
// the same ids; forms that record less (short text has no boot ID) give other ids.
std::string exit_id(const Exit& x);

// The kernel cuts a command name (comm) to 15 bytes; journald identifiers and executables are
// not cut. The one comparison every join uses.
inline bool same_command(std::string_view comm, std::string_view name) {
  if (comm.empty() || name.empty()) return false;
  return name.substr(0, 15) == comm.substr(0, 15);
}

// Signals a process raises on itself when it crashes (SEGV, BUS, ILL, FPE, TRAP, SYS, ABRT);
// KILL, TERM, INT, HUP, PIPE come from outside.
bool is_crash_signal(std::string_view signal);

// Two records may be of one boot unless both name a boot and they differ.
inline bool same_boot(std::string_view a, std::string_view b) { return a.empty() || b.empty() || a == b; }
// Two records may be of one host unless both name a host and they differ (a journal-remote
// directory holds many hosts; a dmesg paste names none).
inline bool same_host(std::string_view a, std::string_view b) { return a.empty() || b.empty() || a == b; }
// By machine ID when both records carry one (a host keeps it when its name changes mid-boot:
// DHCP, cloud-init), else by hostname.
inline bool same_machine(std::string_view machine_a, std::string_view host_a, std::string_view machine_b,
                         std::string_view host_b) {
  if (!machine_a.empty() && !machine_b.empty()) return machine_a == machine_b;
  return same_host(host_a, host_b);
}
// What keys a host's lifetimes and processes within one input: its machine ID, else its name.
inline const std::string& machine_key(const std::string& machine_id, const std::string& hostname) {
  return machine_id.empty() ? hostname : machine_id;
}

}  // namespace crashsift::classify
