#include "crashsift/pipeline/exit_hooks.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

extern char** environ;

namespace crashsift::pipeline {
namespace {

double steady_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::string env_value(const HookJob& job, std::string_view name) {
  for (const auto& [k, v] : job.env)
    if (k == name) return v;
  return {};
}

}  // namespace

ExitHooks::ExitHooks(HookOptions options) : options_(std::move(options)) {
  if (options_.max_running == 0) options_.max_running = 1;
  wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  thread_ = std::thread([this] { loop(); });
}

ExitHooks::~ExitHooks() {
  if (!finished_) finish();
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

void ExitHooks::wake() {
  const std::uint64_t one = 1;
  if (wake_fd_ >= 0) (void)!::write(wake_fd_, &one, sizeof one);
}

bool ExitHooks::submit(HookJob job) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (queue_.size() >= options_.max_queued) {
    if (stats_.dropped++ == 0 || stats_.dropped % 100 == 0)
      messages_.push_back("hook queue full (" + std::to_string(options_.max_queued) + " waiting): " +
                          std::to_string(stats_.dropped) + " exit(s) dropped so far");
    return false;
  }
  queue_.push_back(std::move(job));
  wake();
  return true;
}

std::vector<std::string> ExitHooks::take_messages() {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<std::string> out;
  out.swap(messages_);
  return out;
}

HookStats ExitHooks::finish() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    finishing_ = true;
  }
  wake();
  if (thread_.joinable()) thread_.join();
  finished_ = true;
  std::lock_guard<std::mutex> lock(mutex_);
  return stats_;
}

void ExitHooks::loop() {
  for (;;) {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!queue_.empty() && running_.size() < options_.max_running) {
      HookJob job = std::move(queue_.front());
      queue_.pop_front();
      lock.unlock();
      start(std::move(job));
      lock.lock();
    }
    if (finishing_ && queue_.empty() && running_.empty()) return;
    lock.unlock();
    const double now = steady_seconds();
    for (auto& r : running_) {
      feed(r);
      if (r.pid > 0 && options_.timeout_sec > 0 && now - r.started_at > options_.timeout_sec && r.started_at > 0) {
        ::kill(-r.pid, SIGKILL);  // its whole process group: a shell's children too
        r.started_at = -1;        // marks it timed out for reap()
      }
    }
    reap();
    // A relative wait in poll(), not a condition variable's deadline on the monotonic clock:
    // the clock can be faked (faketime in the tests) where the kernel's is not.
    struct pollfd p = {wake_fd_, POLLIN, 0};
    if (::poll(&p, wake_fd_ >= 0 ? 1 : 0, running_.empty() ? 200 : 20) > 0) {
      std::uint64_t n = 0;
      (void)!::read(wake_fd_, &n, sizeof n);
    }
  }
}

// The exit's JSON goes in through a socket (send with MSG_NOSIGNAL: a hook that never reads
// its input must not kill the watch with SIGPIPE); its output goes to our stderr, never into
// the stream of exits on our stdout.
void ExitHooks::start(HookJob job) {
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
    std::lock_guard<std::mutex> lock(mutex_);
    ++stats_.failed;
    messages_.push_back(std::string("hook not started: socketpair: ") + std::strerror(errno));
    return;
  }
  // Everything the child needs is made before fork: it only calls async-signal-safe functions.
  std::vector<std::string> env_strings;
  for (char** e = environ; e && *e; ++e) env_strings.emplace_back(*e);
  for (const auto& [k, v] : job.env) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  const char* argv[] = {"/bin/sh", "-c", options_.command.c_str(), nullptr};
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::setpgid(0, 0);
    ::dup2(sv[1], STDIN_FILENO);
    ::dup2(STDERR_FILENO, STDOUT_FILENO);
    ::execve("/bin/sh", const_cast<char* const*>(argv), envp.data());
    ::_exit(127);
  }
  ::close(sv[1]);
  const std::string label = "hook for " + (env_value(job, "CRASHSIFT_UNIT").empty() ? std::string("exit")
                                                                                    : env_value(job, "CRASHSIFT_UNIT")) +
                            " " + env_value(job, "CRASHSIFT_EXIT_ID");
  if (pid < 0) {
    ::close(sv[0]);
    std::lock_guard<std::mutex> lock(mutex_);
    ++stats_.failed;
    messages_.push_back(label + ": not started: fork: " + std::strerror(errno));
    return;
  }
  ::setpgid(pid, pid);  // also here: whichever of the two runs first
  Running r;
  r.pid = pid;
  r.stdin_fd = sv[0];
  r.pending = std::move(job.stdin_text);
  r.started_at = steady_seconds();
  r.label = label;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ++stats_.started;
  }
  feed(r);
  running_.push_back(std::move(r));
}

void ExitHooks::feed(Running& r) {
  while (r.stdin_fd >= 0 && !r.pending.empty()) {
    const ssize_t n = ::send(r.stdin_fd, r.pending.data(), r.pending.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      r.pending.erase(0, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
    r.pending.clear();  // the hook closed its input: it does not want the rest
  }
  if (r.stdin_fd >= 0 && r.pending.empty()) {
    ::close(r.stdin_fd);  // end of input for the hook
    r.stdin_fd = -1;
  }
}

void ExitHooks::reap() {
  for (size_t i = 0; i < running_.size();) {
    Running& r = running_[i];
    int status = 0;
    const pid_t done = ::waitpid(r.pid, &status, WNOHANG);
    if (done == 0 || (done < 0 && errno == EINTR)) {
      ++i;
      continue;
    }
    if (r.stdin_fd >= 0) ::close(r.stdin_fd);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (r.started_at < 0) {
        ++stats_.timed_out;
        messages_.push_back(r.label + ": killed after " + std::to_string(options_.timeout_sec) + " s");
      } else if (done > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        ++stats_.succeeded;
      } else {
        ++stats_.failed;
        messages_.push_back(r.label + ": " +
                            (done < 0                ? std::string("lost (") + std::strerror(errno) + ")"
                             : WIFEXITED(status)     ? "exit status " + std::to_string(WEXITSTATUS(status))
                             : WIFSIGNALED(status)   ? "killed by signal " + std::to_string(WTERMSIG(status))
                                                     : std::string("ended")));
      }
    }
    running_.erase(running_.begin() + static_cast<std::ptrdiff_t>(i));
  }
}

}  // namespace crashsift::pipeline
