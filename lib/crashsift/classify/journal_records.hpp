#pragma once
// The rare records that explain a death from outside the dying process — the kernel's OOM kill
// and fault lines, systemd-oomd's kill, systemd-coredump's entry — kept by the tracker, joined
// to PID 1's exit records, and turned into witnesses of their own when they explain none.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crashsift/classify/exit.hpp"
#include "crashsift/classify/kernel_lines.hpp"
#include "crashsift/classify/rules.hpp"
#include "crashsift/classify/witness.hpp"
#include "crashsift/core/event.hpp"

namespace crashsift::classify {

struct KernelRecord {
  std::string boot_id;
  std::string host, machine_id;
  std::optional<UsecUtc> time;
  std::optional<std::uint64_t> monotonic_usec;
  std::uint32_t input = 0;
  std::uint64_t order = 0;
  Origin origin;
  std::string text;
  std::optional<KernelOomKill> oom;
  std::optional<KernelFault> fault;
  std::string oomd_cgroup;   // systemd-oomd "Killed <cgroup> due to ..."
  bool used = false;
};

struct CoredumpRecord {
  std::uint64_t order = 0;
  std::uint32_t input = 0;  // the tracker's input (a fleet's hosts are one input of several origins)
  std::string boot_id;
  std::string host, machine_id;
  std::optional<UsecUtc> time;
  Origin origin;
  std::string text;
  std::optional<std::int64_t> pid;
  std::string comm, unit, exe, filename;
  std::string message;   // whole entry text (stack traces), capped
  std::optional<int> signal;
  bool used = false;
};

constexpr size_t max_coredump_message = 64 * 1024;

// A systemd-coredump entry: by MESSAGE_ID, or by its identifier and text in forms without one.
bool is_coredump_entry(const Event& e);
// "Process 9190 (crashlab) of user 0 dumped core." / "... terminated abnormally with signal
// 11/SEGV, processing..." -> pid, comm, signal (fields already set are kept).
void parse_coredump_text(std::string_view message, CoredumpRecord& r);

// Join the kernel OOM/fault lines, oomd kills and coredump entries that explain this exit record.
void join_kernel(std::vector<KernelRecord>& kernel, Exit& x, ExitFacts& f);
void join_coredump(std::vector<CoredumpRecord>& cores, Exit& x, ExitFacts& f);
// An exit made from PID 1's lines lists the record it was made from and the joined records.
void note_journal_witnesses(Exit& x, const ExitFacts& f);
// The witnesses of the records joined as x.evidence[from_evidence...] (a late join, watch).
void note_joined_records(Exit& x, const ExitFacts& f, size_t from_evidence);

// Records that explained no exit record: deaths of their own, as witnesses for the merger.
Witness kernel_witness(const KernelRecord& r);
Witness coredump_witness(CoredumpRecord& c);

}  // namespace crashsift::classify
