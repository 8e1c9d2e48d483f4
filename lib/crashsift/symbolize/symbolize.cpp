// symbolize_core(): the stages of core_reader.hpp, run in a forked child with a wall-clock and
// memory limit. Parsing a hostile core with libelf/libdw is "crash-happy" (systemd's words in
// elf-util.c, which isolates it the same way): a crash, a hang or a runaway allocation in the
// child costs the caller a warning, not its own life. The child sends the crash header as soon
// as it has it and the full report at the end, both as crashsift/core/1 JSON over a pipe, so
// a child that dies half-way still leaves the header.
#include "crashsift/symbolize/symbolize.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <functional>

#include "crashsift/core/fd_io.hpp"
#include "crashsift/core/json_writer.hpp"
#include "crashsift/input/byte_source.hpp"
#include "crashsift/symbolize/core_json.hpp"
#include "crashsift/symbolize/core_notes.hpp"
#include "crashsift/symbolize/core_reader.hpp"
#include "crashsift/symbolize/decompress.hpp"
#include "crashsift/symbolize/signature.hpp"

namespace crashsift::symbolize {
namespace {

using HeaderSink = std::function<void(const CoreReport&)>;

class FdGuard {
 public:
  explicit FdGuard(int fd) : fd_(fd) {}
  ~FdGuard() {
    if (fd_ >= 0) ::close(fd_);
  }
  FdGuard(const FdGuard&) = delete;
  FdGuard& operator=(const FdGuard&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

std::optional<std::int64_t> mtime_usec(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  return std::int64_t{st.st_mtim.tv_sec} * 1000000 + st.st_mtim.tv_nsec / 1000;
}

void fill_time(const std::string& path, Crash& c) {
  if (auto n = parse_coredump_name(path)) {
    c.time_usec = n->time_usec;
    c.time_source = "file-name";
  } else if ((c.time_usec = mtime_usec(path))) {
    c.time_source = "mtime";
  }
}

// libdwfl queries debuginfod by itself whenever DEBUGINFOD_URLS is set: only allow that when
// asked, and then with timeouts below our own hard limit. Restores the environment on exit.
class DebuginfodEnv {
 public:
  DebuginfodEnv(const CoreRequest& req, std::vector<Warning>& warnings) {
    save("DEBUGINFOD_URLS"), save("DEBUGINFOD_TIMEOUT"), save("DEBUGINFOD_MAXTIME"), save("DEBUGINFOD_RETRY_LIMIT");
    const char* urls = std::getenv("DEBUGINFOD_URLS");
    if (!req.debuginfod) {
      ::unsetenv("DEBUGINFOD_URLS");
      return;
    }
    if (!urls || !*urls)
      warnings.push_back({"debuginfod-unset", "--debuginfod was given but DEBUGINFOD_URLS is empty: no server to ask"});
    // Per request; DebugLookup also stops asking after one slow failure or timeout/2 in total.
    const long t = std::max(1L, static_cast<long>(req.timeout_sec / 6));
    ::setenv("DEBUGINFOD_TIMEOUT", std::to_string(t).c_str(), 1);
    ::setenv("DEBUGINFOD_MAXTIME", std::to_string(t).c_str(), 1);
    ::setenv("DEBUGINFOD_RETRY_LIMIT", "0", 1);  // a retry would double the wait on a dead server
  }
  ~DebuginfodEnv() {
    for (auto& [name, value] : saved_)
      value ? ::setenv(name.c_str(), value->c_str(), 1) : ::unsetenv(name.c_str());
  }
  DebuginfodEnv(const DebuginfodEnv&) = delete;
  DebuginfodEnv& operator=(const DebuginfodEnv&) = delete;

 private:
  void save(const char* name) {
    const char* v = std::getenv(name);
    saved_.emplace_back(name, v ? std::optional<std::string>(v) : std::nullopt);
  }
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

void check_exe_option(const CoreRequest& req, CoreReport& r) {
  if (req.exe.empty()) return;
  if (::access(req.exe.c_str(), R_OK) != 0)
    r.warnings.push_back({"exe-missing", "--exe " + req.exe + ": " + std::strerror(errno)});
}

Result<CoreReport> run_stages(const CoreRequest& req, const HeaderSink& on_header,
                              const std::function<void(std::uint64_t)>& on_opened) {
  auto opened = open_core(req.core_path, {req.tmpdir, 1ull << 40});
  if (!opened) return make_error(opened.error());
  FdGuard fd(opened->fd);
  if (on_opened) on_opened(opened->apparent_size);
  CoreReport r;
  r.path = req.core_path;
  r.compression = opened->compression;
  r.file_size = opened->stored_size;
  r.apparent_size = opened->apparent_size;
  r.limits.max_threads = req.max_threads;
  r.limits.max_frames = req.max_frames;
  if (!opened->warning.empty()) r.warnings.push_back({"decompress", opened->warning});
  FdCoreBytes bytes(fd.get());
  auto notes = parse_core_notes(bytes);
  if (!notes) return make_error(unreadable_core_error(opened->stream_problem, opened->apparent_size, notes.error()));
  fill_header(*notes, r);
  fill_time(req.core_path, r.crash);
  check_exe_option(req, r);
  if (on_header) on_header(r);
  DebuginfodEnv env(req, r.warnings);
  unwind_and_symbolize(fd.get(), req, *notes, r, on_header);
  r.signature = compute_signature(r);
  return r;
}

// --- the isolated child ----------------------------------------------------------------

// One message: a tag byte ('H' header, 'R' report, 'E' error), an 8-byte length, the payload.
bool send(int fd, char tag, const std::string& payload) {
  std::string msg(1, tag);
  const std::uint64_t n = payload.size();
  msg.append(reinterpret_cast<const char*>(&n), sizeof n);
  msg += payload;
  return write_all(fd, msg);
}

std::string report_json(const CoreReport& r) {
  JsonWriter w;
  to_json(r, w);
  return w.take();
}

void limit_memory(std::uint64_t bytes) {
#if defined(__SANITIZE_ADDRESS__)
  (void)bytes;  // AddressSanitizer's shadow memory needs terabytes of address space
  return;
#endif
  struct rlimit rl {};
  rl.rlim_cur = rl.rlim_max = bytes;
  ::setrlimit(RLIMIT_AS, &rl);
}

[[noreturn]] void child_main(const CoreRequest& req, int out) {
  // The caller's crash handlers (a test framework's, a service's) must not run here: a
  // fault in libdw should just end the child, which the parent reports.
  for (int sig : {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP, SIGSYS, SIGXCPU})
    std::signal(sig, SIG_DFL);
  struct rlimit no_core {};
  ::setrlimit(RLIMIT_CORE, &no_core);  // a crashing symbolizer must not drop its own core
  const auto cpu = static_cast<rlim_t>(req.timeout_sec) + 2;
  struct rlimit cpu_limit {cpu, cpu};
  ::setrlimit(RLIMIT_CPU, &cpu_limit);
  limit_memory(req.memory_limit + (1ull << 30));  // decompression buffers, before the size is known
  auto on_opened = [&](std::uint64_t apparent) { limit_memory(req.memory_limit + apparent); };
  auto on_header = [&](const CoreReport& r) { send(out, 'H', report_json(r)); };
  int rc = 0;
  try {
    auto result = run_stages(req, on_header, on_opened);
    rc = result ? (send(out, 'R', report_json(*result)) ? 0 : 1) : (send(out, 'E', result.error()), 2);
  } catch (const std::bad_alloc&) {
    send(out, 'E', "out of memory (limit " + std::to_string(req.memory_limit >> 20) + " MiB + core size)");
    rc = 3;
  } catch (const std::exception& e) {
    send(out, 'E', std::string("internal error: ") + e.what());
    rc = 3;
  }
  ::_exit(rc);  // no atexit handlers or stdio flushes of the parent's state
}

struct ChildOutput {
  std::string header, report, error;
  bool timed_out = false;
  int status = 0;
};

// Splits the byte stream into the last message of each kind.
void split_messages(const std::string& bytes, ChildOutput& out) {
  size_t pos = 0;
  while (bytes.size() - pos >= 9) {
    std::uint64_t n = 0;
    std::memcpy(&n, bytes.data() + pos + 1, sizeof n);
    if (n > bytes.size() - pos - 9) break;  // cut short by a crash: ignore the tail
    std::string payload = bytes.substr(pos + 9, n);
    const char tag = bytes[pos];
    (tag == 'H' ? out.header : tag == 'R' ? out.report : out.error) = std::move(payload);
    pos += 9 + n;
  }
}

ChildOutput collect(pid_t pid, int in, double timeout_sec) {
  ChildOutput out;
  std::string bytes;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_sec);
  char buf[65536];
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      out.timed_out = true;
      break;
    }
    struct pollfd p {in, POLLIN, 0};
    const int r = ::poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), 1000)));
    if (r < 0 && errno == EINTR) continue;
    if (r == 0) continue;
    const ssize_t n = ::read(in, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    bytes.append(buf, static_cast<size_t>(n));
  }
  if (out.timed_out) ::kill(pid, SIGKILL);
  while (::waitpid(pid, &out.status, 0) < 0 && errno == EINTR) {
  }
  split_messages(bytes, out);
  return out;
}

std::string death_reason(const ChildOutput& c, double timeout_sec) {
  if (c.timed_out) return "the symbolizer timed out after " + std::to_string(static_cast<long>(timeout_sec)) + " s (--timeout)";
  if (WIFSIGNALED(c.status)) {
    const int sig = WTERMSIG(c.status);
    if (sig == SIGXCPU) return "the symbolizer ran out of CPU time";
    return "the symbolizer crashed with " + signal_name(sig) + " (a malformed core or a libdw bug)";
  }
  if (WIFEXITED(c.status) && WEXITSTATUS(c.status) == 3) return "the symbolizer failed: " + c.error;
  return "the symbolizer stopped before finishing";
}

Result<CoreReport> from_child(const ChildOutput& c, const CoreRequest& req) {
  if (!c.report.empty()) {
    auto r = core_report_from_json(c.report);
    if (r) return r;
    return make_error("internal error: cannot read the symbolizer's report back: " + r.error());
  }
  if (!c.error.empty() && c.header.empty() && !(WIFEXITED(c.status) && WEXITSTATUS(c.status) == 3))
    return make_error(c.error);
  const std::string why = death_reason(c, req.timeout_sec);
  if (c.header.empty()) return make_error(why);
  auto r = core_report_from_json(c.header);
  if (!r) return make_error(why);
  r->complete = false;
  r->warnings.push_back({"partial", why + (r->threads.empty() ? ": only the crash header is shown"
                                                              : ": frames are shown as unwound, without symbols")});
  return r;
}

}  // namespace

Result<CoreReport> symbolize_core_in_process(const CoreRequest& request) {
  try {
    return run_stages(request, nullptr, nullptr);
  } catch (const std::exception& e) {
    return make_error(std::string("internal error while reading the core: ") + e.what());
  }
}

Result<CoreReport> symbolize_core(const CoreRequest& request) {
  if (!request.isolate) return symbolize_core_in_process(request);
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return make_error(std::string("pipe: ") + std::strerror(errno));
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]), ::close(fds[1]);
    return make_error(std::string("fork: ") + std::strerror(errno));
  }
  if (pid == 0) {
    ::close(fds[0]);
    child_main(request, fds[1]);
  }
  ::close(fds[1]);
  const ChildOutput out = collect(pid, fds[0], request.timeout_sec);
  ::close(fds[0]);
  return from_child(out, request);
}

// --- identity --------------------------------------------------------------------------

namespace {

// The first bytes of a compressed core, decompressed on demand up to a cap: enough for the
// notes and the first mappings, never the whole core.
class StreamPrefix final : public CoreBytes {
 public:
  StreamPrefix(std::unique_ptr<input::ByteSource> src, std::uint64_t cap) : src_(std::move(src)), cap_(cap) {}
  size_t read_at(std::uint64_t off, void* buf, size_t n) override {
    const std::uint64_t want = std::min<std::uint64_t>(off + n, cap_);
    while (!eof_ && buf_.size() < want) {
      const size_t old = buf_.size();
      buf_.resize(old + (1 << 16));
      const size_t got = src_->read(buf_.data() + old, 1 << 16);
      buf_.resize(old + got);
      eof_ = got == 0;
    }
    if (off >= buf_.size()) return 0;
    const size_t k = static_cast<size_t>(std::min<std::uint64_t>(n, buf_.size() - off));
    std::memcpy(buf, buf_.data() + off, k);
    return k;
  }
  std::optional<std::uint64_t> size() const override { return std::nullopt; }
  const std::string& stream_error() const { return src_->error(); }
  std::uint64_t produced() const { return buf_.size(); }

 private:
  std::unique_ptr<input::ByteSource> src_;
  std::uint64_t cap_;
  std::string buf_;
  bool eof_ = false;
};

void identity_from_notes(CoreBytes& bytes, const CoreNotes& n, CoreIdentity& id) {
  if (!id.pid) id.pid = n.psinfo ? n.psinfo->pid : !n.threads.empty() ? std::optional<std::int64_t>(n.threads.front().tid) : std::nullopt;
  if (n.psinfo) {
    if (id.comm.empty()) id.comm = n.psinfo->fname;
    if (!id.uid) id.uid = n.psinfo->uid;
  }
  const int sig = n.siginfo && n.siginfo->signo > 0 ? n.siginfo->signo : !n.threads.empty() ? n.threads.front().cursig : 0;
  if (sig > 0) id.signal = sig, id.signal_name = signal_name(sig);
  id.exe = core_executable(n);
  for (const auto& m : n.files)
    if (m.path == id.exe && m.page_offset == 0) {
      id.build_id = build_id_at(bytes, n, m.start);
      break;
    }
}

}  // namespace

std::optional<CoredumpName> parse_coredump_name(const std::string& path) {
  std::string name = path.substr(path.rfind('/') == std::string::npos ? 0 : path.rfind('/') + 1);
  for (const char* ext : {".zst", ".lz4", ".xz", ".gz"}) {
    const size_t e = std::strlen(ext);
    if (name.size() > e && name.compare(name.size() - e, e, ext) == 0) name.resize(name.size() - e);
  }
  if (name.rfind("core.", 0) != 0) return std::nullopt;
  // From the right: usec, pid, boot id (32 hex), uid; the rest is the (escaped) comm.
  std::vector<std::string> parts;
  std::string rest = name.substr(5);
  for (int i = 0; i < 4; ++i) {
    const size_t dot = rest.rfind('.');
    if (dot == std::string::npos) return std::nullopt;
    parts.push_back(rest.substr(dot + 1));
    rest.resize(dot);
  }
  auto number = [](const std::string& s) -> std::optional<std::int64_t> {
    if (s.empty() || s.size() > 18 || s.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
    return std::stoll(s);
  };
  const auto usec = number(parts[0]), pid = number(parts[1]), uid = number(parts[3]);
  const bool boot_ok = parts[2].size() == 32 && parts[2].find_first_not_of("0123456789abcdef") == std::string::npos;
  if (!usec || !pid || !uid || !boot_ok || rest.empty()) return std::nullopt;
  return CoredumpName{rest, parts[2], *uid, *pid, *usec};
}

CoreIdentity read_core_identity(const std::string& path) {
  CoreIdentity id;
  id.path = path;
  try {
    if (auto n = parse_coredump_name(path)) {
      id.pid = n->pid, id.uid = n->uid, id.comm = n->comm, id.boot_id = n->boot_id;
      id.time_usec = n->time_usec, id.time_source = "file-name";
    } else if ((id.time_usec = mtime_usec(path))) {
      id.time_source = "mtime";
    }
    id.compression = sniff_compression(path);
    std::unique_ptr<CoreBytes> bytes;
    StreamPrefix* stream = nullptr;
    int fd = -1;
    if (id.compression.empty()) {
      fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) return id.error = "cannot open " + path + ": " + std::strerror(errno), id;
      bytes = std::make_unique<FdCoreBytes>(fd);
    } else {
      auto src = input::open_source(path);
      if (!src) return id.error = src.error(), id;
      auto prefix = std::make_unique<StreamPrefix>(std::move(*src), 64u << 20);
      stream = prefix.get();
      bytes = std::move(prefix);
    }
    FdGuard guard(fd);
    auto notes = parse_core_notes(*bytes, NoteLimits{16u << 20, 1u << 16, 1u << 16, 1u << 16});
    if (!notes && stream) {
      const std::string why = stream_problem(id.compression, stream->stream_error(), input::file_size(path));
      return id.error = unreadable_core_error(why, stream->produced(), notes.error()), id;
    }
    if (!notes) return id.error = notes.error(), id;
    identity_from_notes(*bytes, *notes, id);
  } catch (const std::exception& e) {
    id.error = std::string("internal error: ") + e.what();
  }
  return id;
}

}  // namespace crashsift::symbolize
