#include "crashsift/core/isolated_child.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>

namespace crashsift {

namespace {

constexpr std::size_t stderr_tail_bytes = 4096;

std::string signal_text(int sig) {
  const char* abbrev = ::sigabbrev_np(sig);
  return abbrev ? std::string("SIG") + abbrev : "signal " + std::to_string(sig);
}

[[noreturn]] void run_child(const ChildLimits& limits, const IsolatedChild::Body& body, int out, int err) {
  // The caller's crash handlers (a test framework's) must not run here: a fault in a library
  // should just end the child, which the parent reports.
  for (int sig : {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP, SIGSYS, SIGXCPU, SIGPIPE})
    std::signal(sig, SIG_DFL);
  struct rlimit no_core {};
  ::setrlimit(RLIMIT_CORE, &no_core);  // a crashing reader must not drop a core of its own
  if (limits.cpu_seconds) {
    struct rlimit cpu {limits.cpu_seconds, limits.cpu_seconds};
    ::setrlimit(RLIMIT_CPU, &cpu);
  }
  if (limits.address_space) limit_address_space(limits.address_space);
  ::dup2(err, STDERR_FILENO);
  int rc = 3;
  try {
    rc = body(out);
  } catch (...) {
    rc = 3;
  }
  ::_exit(rc);  // no atexit handlers or stdio flushes of the parent's state
}

}  // namespace

void limit_address_space(std::uint64_t bytes) {
#if defined(__SANITIZE_ADDRESS__)
  (void)bytes;
#else
  struct rlimit rl {};
  rl.rlim_cur = rl.rlim_max = bytes;
  ::setrlimit(RLIMIT_AS, &rl);
#endif
}

Result<std::unique_ptr<IsolatedChild>> IsolatedChild::start(const ChildLimits& limits, const Body& body) {
  int out[2], err[2];
  if (::pipe2(out, O_CLOEXEC) != 0) return make_error(std::string("pipe: ") + std::strerror(errno));
  // A deeper pipe than the default 64 KiB lets the child run several batches ahead of the
  // parent, so reading and decoding overlap; best effort (pipe-max-size may be lower).
  (void)::fcntl(out[0], F_SETPIPE_SZ, 1 << 20);
  if (::pipe2(err, O_CLOEXEC) != 0) {
    ::close(out[0]), ::close(out[1]);
    return make_error(std::string("pipe: ") + std::strerror(errno));
  }
  const pid_t pid = ::fork();
  if (pid < 0) {
    for (int fd : {out[0], out[1], err[0], err[1]}) ::close(fd);
    return make_error(std::string("fork: ") + std::strerror(errno));
  }
  if (pid == 0) {
    ::close(out[0]), ::close(err[0]);
    run_child(limits, body, out[1], err[1]);
  }
  ::close(out[1]), ::close(err[1]);
  return std::unique_ptr<IsolatedChild>(new IsolatedChild(pid, out[0], err[0], limits.idle_timeout_sec));
}

IsolatedChild::~IsolatedChild() {
  if (!reaped_) wait();
}

void IsolatedChild::drain_stderr() {
  if (err_ < 0) return;
  char buf[4096];
  const ssize_t n = ::read(err_, buf, sizeof buf);
  if (n < 0 && errno == EINTR) return;
  if (n <= 0) {
    ::close(err_);
    err_ = -1;
    return;
  }
  stderr_tail_.append(buf, static_cast<std::size_t>(n));
  if (stderr_tail_.size() > 2 * stderr_tail_bytes) stderr_tail_.erase(0, stderr_tail_.size() - stderr_tail_bytes);
}

std::size_t IsolatedChild::read(char* buf, std::size_t n) {
  using clock = std::chrono::steady_clock;
  const auto deadline = clock::now() + std::chrono::duration<double>(idle_timeout_sec_);
  while (out_ >= 0) {
    int wait_ms = -1;
    if (idle_timeout_sec_ > 0) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now()).count();
      if (left <= 0) {
        timed_out_ = true;
        ::kill(pid_, SIGKILL);
        ::close(out_);
        out_ = -1;
        return 0;
      }
      wait_ms = static_cast<int>(left);
    }
    struct pollfd fds[2] = {{out_, POLLIN, 0}, {err_, POLLIN, 0}};
    const int r = ::poll(fds, err_ >= 0 ? 2 : 1, wait_ms);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) continue;
    if (err_ >= 0 && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) drain_stderr();
    if (!(fds[0].revents & (POLLIN | POLLHUP | POLLERR))) continue;
    const ssize_t got = ::read(out_, buf, n);
    if (got < 0 && errno == EINTR) continue;
    if (got > 0) return static_cast<std::size_t>(got);
    ::close(out_);
    out_ = -1;
  }
  return 0;
}

ChildEnd IsolatedChild::wait() {
  if (reaped_) return end_;
  if (out_ >= 0) {
    ::kill(pid_, SIGKILL);
    ::close(out_);
    out_ = -1;
  }
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  while (err_ >= 0) drain_stderr();  // the child is gone: the pipe ends
  reaped_ = true;
  end_.timed_out = timed_out_;
  end_.exited = WIFEXITED(status);
  end_.exit_code = end_.exited ? WEXITSTATUS(status) : 0;
  end_.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  end_.stderr_tail = std::move(stderr_tail_);
  return end_;
}

std::string ChildEnd::describe() const {
  if (timed_out) return "made no progress and was stopped";
  if (signal == SIGABRT) return "aborted";
  if (signal == SIGXCPU) return "ran out of CPU time";
  if (signal == SIGKILL) return "was killed (SIGKILL, out of memory?)";
  if (signal) return "crashed with " + signal_text(signal);
  if (exited && exit_code != 0) return "failed (exit status " + std::to_string(exit_code) + ")";
  return "ended";
}

std::string ChildEnd::last_stderr_line() const {
  size_t end = stderr_tail.size();
  while (end > 0) {
    while (end > 0 && (stderr_tail[end - 1] == '\n' || stderr_tail[end - 1] == '\r' || stderr_tail[end - 1] == ' ')) --end;
    if (end == 0) break;
    const size_t start = stderr_tail.rfind('\n', end - 1);
    const size_t from = start == std::string::npos ? 0 : start + 1;
    std::string line = stderr_tail.substr(from, end - from);
    if (!line.empty()) return line;
    end = from;
  }
  return {};
}

}  // namespace crashsift
