#pragma once
// Which process was the main one of an exit, and what it said last: the output tails of live
// processes, tied to an exit by the unit journal forms record (_SYSTEMD_UNIT), by a kill line's
// PID, or — in text forms that record no unit — by elimination once the stream has moved past
// the exit (only when one candidate is left: a guessed PID would be worse than none).
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "crashsift/classify/exit.hpp"
#include "crashsift/classify/exit_store.hpp"
#include "crashsift/classify/process_tail.hpp"
#include "crashsift/core/event.hpp"

namespace crashsift::classify {

struct TailLimits {
  size_t max_tracked_processes = 1024;  // live processes whose output tail is kept
  size_t tail_lines = 32;               // output lines kept per process
  size_t max_line_chars = 1024;         // longer output lines are cut for the tail
};

class MainProcess {
 public:
  MainProcess(ExitStore& exits, TailLimits limits) : exits_(exits), limits_(limits) {}

  // An output line of some process (not PID 1's, not the kernel's).
  void on_output(const Event& e, std::uint64_t arrival);
  // Exit `exit_index` was just recorded: give it its process (PID, last output, crash message,
  // runtime) now, or — in a text form — once it is known who kept printing after it.
  void attach(std::optional<std::int64_t> known_pid, const std::string& known_comm, size_t exit_index,
              std::uint64_t arrival);
  // Text forms: exits still waiting whose settle time has passed at `now` (nullopt: all).
  bool pending_due(UsecUtc now) const;
  void resolve_pending(const std::optional<UsecUtc>& now);
  bool has_pending() const { return !pending_text.empty(); }
  // The earliest exit time still waiting for its process (those exits are not final yet).
  std::optional<UsecUtc> earliest_pending_time() const;
  bool has_untimed_pending() const;
  // Between inputs: nothing carries over.
  void end_input() {
    resolve_pending(std::nullopt);
    input_has_units = false;
    processes.clear();
  }
  void clear() { processes.clear(); }

 private:
  struct PendingExit {
    size_t exit;
    std::uint64_t arrival;
  };
  static constexpr UsecUtc text_settle = 2 * usec_per_sec;
  static constexpr size_t kept_output_lines = 8;

  void evict_old_processes();
  ProcessTail* find_process(std::optional<std::int64_t> known_pid, const Exit& x, std::string& source);
  void apply_process(Exit& x, ProcessTail& p, const std::string& source);
  std::vector<ProcessTail*> text_candidates(const PendingExit& pe);

  ExitStore& exits_;
  TailLimits limits_;
  // Key: the host's number and the PID (two hosts' PID 1234 are two processes); the tail knows
  // its boot.
  std::unordered_map<std::int64_t, ProcessTail> processes;
  std::unordered_map<std::string, std::int64_t> host_numbers_;
  std::string last_host_;
  std::int64_t last_host_number_ = -1;
  std::int64_t key_of(const std::string& host, std::int64_t pid);
  bool input_has_units = false;                             // output lines carry _SYSTEMD_UNIT
  std::vector<PendingExit> pending_text;                    // text forms: decided a little later
};

}  // namespace crashsift::classify
