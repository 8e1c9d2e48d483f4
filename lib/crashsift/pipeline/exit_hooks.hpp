#pragma once
// Runs a command for each exit (`crashsift watch --exec`): the exit's JSON on its standard
// input, its facts in CRASHSIFT_* variables. A hook never holds the watch up: hooks run in
// their own process groups, at most `max_running` at once, from a queue of at most
// `max_queued` (more are dropped and counted), each killed after `timeout_sec`. A thread of
// this class starts, feeds, times and reaps them.
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace crashsift::pipeline {

struct HookOptions {
  std::string command;       // run with /bin/sh -c
  double timeout_sec = 30;
  unsigned max_running = 4;
  size_t max_queued = 100;
};

struct HookJob {
  std::string stdin_text;                                  // the exit's JSON, one line
  std::vector<std::pair<std::string, std::string>> env;   // CRASHSIFT_UNIT=..., added to ours
};

struct HookStats {
  std::uint64_t started = 0, succeeded = 0, failed = 0, timed_out = 0, dropped = 0;
};

class ExitHooks {
 public:
  explicit ExitHooks(HookOptions options);
  ~ExitHooks();  // finish() if not done
  ExitHooks(const ExitHooks&) = delete;
  ExitHooks& operator=(const ExitHooks&) = delete;

  // Queues a hook run; never waits. False when the queue was full (the run is dropped).
  bool submit(HookJob job);
  // What went wrong since the last call ("hook for <id>: exit status 3"), for the caller to say.
  std::vector<std::string> take_messages();
  // Runs what is queued, waits for every hook (each within its timeout), and stops the thread.
  HookStats finish();

 private:
  struct Running {
    int pid = 0;
    int stdin_fd = -1;
    std::string pending;   // stdin bytes not written yet (the pipe was full)
    double started_at = 0; // steady seconds
    std::string label;
  };
  void loop();
  void start(HookJob job);
  void feed(Running& r);
  void reap();
  void wake();  // the loop looks now

  HookOptions options_;
  std::mutex mutex_;
  int wake_fd_ = -1;  // eventfd: submit() and finish() wake the loop
  std::deque<HookJob> queue_;
  std::vector<Running> running_;  // the loop thread's own
  std::vector<std::string> messages_;
  HookStats stats_;
  bool finishing_ = false;
  bool finished_ = false;
  std::thread thread_;
};

}  // namespace crashsift::pipeline
