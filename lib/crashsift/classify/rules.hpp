#pragma once
// Exit classification rules: one small function per rule, applied in a fixed precedence order
// (classify_exit). Each rule looks only at the facts gathered for one exit.
#include <cstdint>
#include <optional>
#include <string>

#include "crashsift/classify/exit.hpp"
#include "crashsift/classify/kernel_lines.hpp"

namespace crashsift::classify {

// How a kernel or coredump record was tied to an exit.
enum class MatchKind { none, pid, cgroup, comm_and_time, time_only };

// Everything the rules may look at besides the Exit itself.
struct ExitFacts {
  bool oom_unit_line = false;        // PID 1: "A process of this unit has been killed by the OOM killer."
  bool oomd_unit_line = false;       // PID 1: "systemd-oomd killed N process(es) in this unit."
  bool oomd_kill_line = false;       // systemd-oomd: "Killed /…/unit due to memory pressure …"
  bool watchdog_line = false;
  bool runtime_limit_line = false;
  std::string timeout_state;         // "stop-sigterm", "start", … from "State '…' timed out"
  bool client_kill = false;          // "Sent signal SIGKILL to main process … on client request."
  bool external_kill = false;        // a witness says a killer outside sent the signal (earlyoom, supervisor)
  bool spawn_failed = false;
  std::optional<KernelOomKill> kernel_oom;
  MatchKind kernel_oom_match = MatchKind::none;
  std::optional<KernelFault> kernel_fault;
  MatchKind kernel_fault_match = MatchKind::none;
  bool coredump = false;
  bool kernel_input_present = false; // any kernel line anywhere in the inputs
  bool form_has_pids = true;         // the exit's input form records PIDs
  OomKind stated_oom = OomKind::none; // a witness says OOM itself (docker OOMKilled, earlyoom, kubectl)
  bool only_implied = false;         // no witness states the death; a runtime's message implies it
  bool app_lifetime_only = false;    // known only as the end of a lifetime in the app's own log
  std::optional<std::uint64_t> near_memory_limit;  // its last samples were near this limit (--memory-limit)
};

// Decides cls, oom_kind, cause, confidence and missing[] from the exit's fields and facts.
void classify_exit(Exit& exit, const ExitFacts& facts);

}  // namespace crashsift::classify
