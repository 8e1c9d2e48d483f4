#pragma once
// ExitTracker: consumes the normalized event stream (one input after another) and builds one
// Exit per process exit, grouped by (boot, unit, lifetime). It keeps only bounded state: the
// open lifetime of each unit, the last output lines of live processes, and the rare kernel /
// coredump records; memory does not grow with the number of log lines.
// finish() joins kernel OOM/fault lines and coredump entries to exits and classifies them;
// with streaming on, take_final() hands on each exit as soon as no later evidence can change it.
#include <cstdint>
#include <memory>
#include <vector>

#include "crashsift/classify/exit.hpp"
#include "crashsift/classify/witness.hpp"
#include "crashsift/core/diag.hpp"
#include "crashsift/core/event.hpp"

namespace crashsift::classify {

// How long an exit waits before take_final may hand it on. The defaults suit a log read after
// the fact (generous: records reach an exit minutes late, inputs are out of order by minutes);
// a live follower (crashsift watch) waits seconds.
struct StreamWindows {
  UsecUtc reach_after = 60 * usec_per_sec;     // coredump records and merge joins after the exit
  UsecUtc reach_before = 3600 * usec_per_sec;  // a record named by PID before its exit
  UsecUtc reorder_slack = 300 * usec_per_sec;  // input disorder tolerated
  UsecUtc result_wait = 600 * usec_per_sec;    // an exit awaiting PID 1's result line
  UsecUtc flush_every = 5 * usec_per_sec;      // how often take_final looks (input time)
  // ... and after how many events at least: a dense journal (a month of a busy host holds an
  // event every few seconds) would otherwise look after nearly every event. 0: every time.
  std::uint64_t flush_after_events = 1024;
  UsecUtc updates_for = 0;                     // live: how long a record may still update an exit that left
  // Several inputs read one after another: exits wait until more than this many are held
  // (0: they leave as soon as final), so that a later input's evidence, and its copies of the
  // same exits, still reach them. Beyond it the oldest final exits leave, so memory stays
  // bounded, and a later input that reaches back before them is reported out of order.
  size_t hold_exits = 0;
  // Everything within `settle` of the exit; a second of disorder.
  static StreamWindows live(UsecUtc settle);
};

struct TrackerLimits {
  size_t max_tracked_processes = 1024;  // live processes whose output tail is kept
  size_t tail_lines = 32;               // output lines kept per process
  size_t max_line_chars = 1024;         // longer output lines are cut for the tail
  size_t max_kernel_records = 100000;
};

// What one input held, for saying so when it yields no exit.
struct InputStats {
  std::uint64_t records = 0;          // journal records (events with an identifier or PID)
  std::uint64_t manager_lines = 0;    // of which the service manager's
  std::uint64_t kernel_lines = 0;
  std::uint64_t text_lines = 0;       // pasted text / `-o cat` lines
  std::uint64_t witnesses = 0;        // witnesses the recognizers found in it
};

struct Classified {
  std::vector<InputStats> inputs;       // by input index
  std::vector<Exit> exits;              // sorted by exit time, duplicates across inputs merged
                                        // (with streaming on: the exits take_final did not give)
  std::vector<Warning> warnings;
  bool kernel_input_present = false;
  std::vector<RunningLifetime> running;  // lifetimes not ended when their input ends
};

class ExitTracker {
 public:
  explicit ExitTracker(TrackerLimits limits = {});
  // The zone and year text times without them are read in, for the witness recognizers.
  void set_input_context(const InputContext& context);
  ~ExitTracker();
  ExitTracker(const ExitTracker&) = delete;
  ExitTracker& operator=(const ExitTracker&) = delete;

  // Per-input state (open lifetimes, process tails) does not leak from one input to the next:
  // inputs are separate streams whose order relative to each other is unknown.
  void begin_input(std::uint32_t input_index, bool form_has_pids);
  void on_event(const Event& e);
  void end_input();
  Classified finish();

  // Streaming (one input: exits of different inputs are not in one time order): take_final
  // appends the exits that no later evidence can change, classified and in time order, and
  // forgets them. Cheap to call after every event. Untimed evidence (a paste) stops it.
  void stream_final_exits(bool on, const StreamWindows& windows = {});
  void take_final(std::vector<Exit>& out);
  // Exits that take_final already handed on and a late record has explained since (a core
  // written after the settle window), classified again: updates of those exits (same id).
  void take_updates(std::vector<Exit>& out);
  // A live input: it is `now` even when no event says so (the stream is quiet), so exits whose
  // windows have closed become final.
  void advance_clock(UsecUtc now);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace crashsift::classify
