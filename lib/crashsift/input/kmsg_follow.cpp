#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <mutex>
#include <thread>

#include "crashsift/core/text.hpp"
#include "crashsift/input/kmsg.hpp"

namespace crashsift::input {

namespace {

UsecUtc clock_usec(clockid_t id) {
  timespec ts{};
  clock_gettime(id, &ts);
  return static_cast<UsecUtc>(ts.tv_sec) * usec_per_sec + ts.tv_nsec / 1000;
}

}  // namespace

UsecUtc this_boot_realtime() { return clock_usec(CLOCK_REALTIME) - clock_usec(CLOCK_MONOTONIC); }

struct KmsgFollower::Impl {
  Options o;
  int fd = -1;
  std::string error;
  std::mutex mutex;
  std::vector<Event> ready;  // guarded by mutex
  InputReport report;        // guarded by mutex
  bool stopping = false;     // guarded by mutex
  std::thread reader;

  void run() {
    std::vector<char> buf(64 * 1024);
    std::string pending;  // a stream (not /dev/kmsg itself) can cut a line between reads
    for (;;) {
      {
        std::lock_guard lock(mutex);
        if (stopping) return;
      }
      pollfd p{fd, POLLIN, 0};
      // A bounded wait, so that stopping is seen; poll's timeout is relative and not faked.
      const int r = poll(&p, 1, 200);
      if (r < 0 && errno != EINTR) return fail(std::string("cannot wait for ") + o.path + ": " + std::strerror(errno));
      if (r <= 0) continue;
      const ssize_t n = ::read(fd, buf.data(), buf.size());
      if (n < 0) {
        if (errno == EAGAIN || errno == EINTR) continue;
        if (errno == EPIPE) {  // records were overwritten before we read them
          std::lock_guard lock(mutex);
          report.note("the kernel's ring buffer overran the reader: records were lost");
          continue;
        }
        return fail(std::string("cannot read ") + o.path + ": " + std::strerror(errno));
      }
      if (n == 0) {
        if (p.revents & POLLHUP) return;  // a FIFO whose writer is gone
        continue;
      }
      pending.append(buf.data(), static_cast<size_t>(n));
      size_t from = 0;
      for (size_t nl; (nl = pending.find('\n', from)) != std::string::npos; from = nl + 1)
        take_line(std::string_view(pending).substr(from, nl - from));
      pending.erase(0, from);
    }
  }

  void take_line(std::string_view line) {
    if (line.empty() || line.front() == ' ') return;  // dictionary lines describe the record above
    std::lock_guard lock(mutex);
    ++report.entries;
    const auto rec = parse_kmsg_record(line);
    if (!rec) {
      report.skip(report.entries, "not a /dev/kmsg record: \"" + sanitize_utf8(line.substr(0, 60)) + "\"");
      return;
    }
    Event e;
    e.time = o.boot_time + static_cast<UsecUtc>(rec->usec);
    if (o.since && *e.time < *o.since) return;
    e.monotonic_usec = rec->usec;
    e.boot_id = o.boot_id;
    e.identifier = "kernel";
    e.kernel = true;
    e.priority = rec->priority;
    e.time_has_usec = true;
    e.message.assign(rec->text);
    e.origin.input = o.input_index;
    e.origin.line = rec->sequence;
    report.saw_time(*e.time);
    ready.push_back(std::move(e));
  }

  void fail(std::string why) {
    std::lock_guard lock(mutex);
    report.damaged(o.path, report.entries, std::move(why));
  }
};

KmsgFollower::KmsgFollower(Options o) : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  m.o = std::move(o);
  m.report.path = m.o.path;
  m.report.format = "kmsg";
  m.fd = ::open(m.o.path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (m.fd < 0) {
    m.error = "cannot read " + m.o.path + ": " + std::strerror(errno) +
              (errno == EPERM || errno == EACCES ? " (reading the kernel's log needs root or CAP_SYSLOG)" : "");
    m.report.fatal = m.error;
    return;
  }
  // The ring buffer holds the whole boot: without a start time, only what comes from now on.
  if (!m.o.since) ::lseek(m.fd, 0, SEEK_END);
  m.reader = std::thread([&m] { m.run(); });
}

KmsgFollower::~KmsgFollower() {
  {
    std::lock_guard lock(impl_->mutex);
    impl_->stopping = true;
  }
  if (impl_->reader.joinable()) impl_->reader.join();
  if (impl_->fd >= 0) ::close(impl_->fd);
}

const std::string& KmsgFollower::error() const { return impl_->error; }

void KmsgFollower::drain(std::vector<Event>& out) {
  std::lock_guard lock(impl_->mutex);
  for (auto& e : impl_->ready) out.push_back(std::move(e));
  impl_->ready.clear();
}

InputReport KmsgFollower::report() {
  std::lock_guard lock(impl_->mutex);
  return impl_->report;
}

}  // namespace crashsift::input
