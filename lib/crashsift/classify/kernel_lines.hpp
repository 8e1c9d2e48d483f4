#pragma once
// Kernel lines that explain a death (formats.md §4): the OOM killer's kill line and
// user-space fault/trap lines. PIDs here are the kernel's (host PID namespace) and, for faults,
// the faulting THREAD's id and name, so joining them to service exits needs care (join.cpp).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace crashsift::classify {

struct KernelOomKill {
  std::int64_t pid = 0;
  std::string comm;
  bool memcg = false;                  // "Memory cgroup out of memory" vs global "Out of memory"
  std::optional<std::uint64_t> anon_rss_kb;
  std::optional<std::uint64_t> total_vm_kb;
  std::string task_memcg;              // from the preceding "oom-kill:" summary line, when seen
};

// The "oom-kill:constraint=...,task_memcg=<path>,task=<comm>,pid=<pid>,uid=<uid>" summary (5.0+).
struct OomSummary {
  std::int64_t pid = 0;
  std::string task_memcg;
};
std::optional<OomSummary> parse_oom_summary_line(std::string_view text);

struct KernelFault {
  std::int64_t tid = 0;
  std::string comm;                    // thread name
  std::string kind;                    // "segfault", "trap invalid opcode", "general protection fault", ...
  std::optional<std::uint64_t> address;  // fault address for segfaults
};

// "Memory cgroup out of memory: Killed process 13211 (crashlab) total-vm:68076kB, ..." and
// the 4.19 form "Killed process 123 (x) total-vm:..." after "Kill process ... or sacrifice child".
std::optional<KernelOomKill> parse_oom_kill_line(std::string_view text);
// "crashlab[13218]: segfault at 0 ip ... error 6 in ...", "traps: bun[4242] trap invalid opcode ...".
std::optional<KernelFault> parse_fault_line(std::string_view text);
// A kernel line inside pasted text, with whatever dmesg/syslog put before it:
// "[ 8123.441207] Out of memory: ...", "[Tue Mar  5 10:11:12 2024] a[1]: segfault at ...",
// "kern  :err   : [ 12.3] ...", "<3>[ 12.3] ...", "Mar  5 10:11:12 host kernel: ...".
// Returns the kernel's own text when it is an OOM kill, OOM summary or fault line.
struct PastedKernelLine {
  std::string_view text;
  std::optional<std::uint64_t> monotonic_usec;   // the [seconds.micros] stamp, when there is one
};
std::optional<PastedKernelLine> kernel_text_in_paste(std::string_view line);

// The oom-kill summary "oom-kill:constraint=CONSTRAINT_MEMCG,...,task=node,pid=13202,uid=0".
bool is_oom_summary_line(std::string_view text);

}  // namespace crashsift::classify
