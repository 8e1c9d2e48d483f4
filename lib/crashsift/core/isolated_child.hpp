#pragma once
// Runs a risky reader (libsystemd on a corrupt journal, libdw on a hostile core) in a forked
// child with resource limits. The child writes its results to a pipe; whatever it wrote before
// it died is still read by the parent, and its death is described, not inherited: an abort,
// a fault, a CPU or memory limit, or no progress for too long costs that one input only.
#include <signal.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "crashsift/core/result.hpp"

namespace crashsift {

struct ChildLimits {
  std::uint64_t address_space = 0;  // RLIMIT_AS in bytes; 0 = unlimited (and ignored under ASan)
  unsigned cpu_seconds = 0;         // RLIMIT_CPU; 0 = unlimited
  double idle_timeout_sec = 0;      // killed when it writes nothing for this long; 0 = never
};

struct ChildEnd {
  bool exited = false;              // returned or called exit
  int exit_code = 0;
  int signal = 0;                   // the signal that ended it (0 when it exited)
  bool timed_out = false;           // killed by the parent for making no progress
  std::string stderr_tail;          // the last lines it wrote to stderr (an assertion message)

  bool clean() const { return exited && exit_code == 0 && !timed_out; }
  // "aborted (SIGABRT)", "ran out of CPU time", "made no progress for 30 s", "exited with 3".
  std::string describe() const;
  // The last non-empty stderr line, e.g. "Assertion 'x' failed at src/foo.c:12, function f(). Aborting."
  std::string last_stderr_line() const;
};

class IsolatedChild {
 public:
  using Body = std::function<int(int out_fd)>;
  // Forks. The child resets crash handlers, drops core dumps, applies the limits, redirects
  // stderr to a pipe the parent keeps the tail of, runs body(out_fd) and _exits with its result.
  static Result<std::unique_ptr<IsolatedChild>> start(const ChildLimits& limits, const Body& body);

  IsolatedChild(const IsolatedChild&) = delete;
  IsolatedChild& operator=(const IsolatedChild&) = delete;
  ~IsolatedChild();  // kills and reaps a child still running

  // Blocks until the child wrote something, ended, or made no progress for the idle timeout.
  // Returns the number of bytes read; 0 at the end of its output.
  std::size_t read(char* buf, std::size_t n);
  // Reaps the child (killing it first if it is still running) and says how it ended.
  ChildEnd wait();
  // Kills the child without reaping it: a read() blocked on it, on another thread, returns.
  void terminate() {
    if (!reaped_) ::kill(pid_, SIGKILL);
  }

 private:
  IsolatedChild(int pid, int out_fd, int err_fd, double idle_timeout_sec)
      : pid_(pid), out_(out_fd), err_(err_fd), idle_timeout_sec_(idle_timeout_sec) {}
  void drain_stderr();
  int pid_;
  int out_, err_;
  double idle_timeout_sec_;
  bool timed_out_ = false;
  bool reaped_ = false;
  ChildEnd end_;
  std::string stderr_tail_;
};

// Sets RLIMIT_AS (a no-op under AddressSanitizer, whose shadow memory needs terabytes).
void limit_address_space(std::uint64_t bytes);

}  // namespace crashsift
