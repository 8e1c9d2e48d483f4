#include "crashsift/pipeline/input_reading.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <memory>
#include <unistd.h>

#include "crashsift/core/fd_io.hpp"
#include "crashsift/core/text.hpp"
#include "crashsift/input/journal_native.hpp"

namespace crashsift::pipeline {

namespace fs = std::filesystem;

namespace {

constexpr std::uint64_t progress_threshold = 100ull << 20;  // inputs over ~100 MB
constexpr size_t sniff_bytes = 64 * 1024;

// A ByteSource that first replays bytes already read for format detection.
class ReplaySource final : public input::ByteSource {
 public:
  ReplaySource(std::string head, std::unique_ptr<input::ByteSource> rest)
      : head_(std::move(head)), rest_(std::move(rest)), position_(rest_->position()) {
    compression_ = rest_->compression();
  }
  size_t read(char* buf, size_t n) override {
    if (pos_ < head_.size()) {
      const size_t k = std::min(n, head_.size() - pos_);
      std::copy_n(head_.data() + pos_, k, buf);
      pos_ += k;
      return k;
    }
    const size_t got = rest_->read(buf, n);
    position_.store(rest_->position(), std::memory_order_relaxed);
    return got;
  }
  const std::string& error() const override { return rest_->error(); }
  // A parallel parse reads on whichever thread is free while the events' thread asks this for
  // its progress line.
  std::uint64_t position() const override { return position_.load(std::memory_order_relaxed); }

 private:
  std::string head_;
  size_t pos_ = 0;
  std::unique_ptr<input::ByteSource> rest_;
  std::atomic<std::uint64_t> position_;
};

// The first sniff_bytes of the input, to tell its format. A live stream (first_line_enough)
// stops at what it has sent by its first newline, without waiting for more.
std::string read_head(input::ByteSource& src, bool first_line_enough = false) {
  std::string head(sniff_bytes, '\0');
  size_t got = 0;
  while (got < head.size()) {
    const size_t r = src.read(head.data() + got, head.size() - got);
    if (r == 0) break;
    got += r;
    if (first_line_enough && std::memchr(head.data() + got - r, '\n', r)) break;
  }
  head.resize(got);
  return head;
}

bool all_zero(std::string_view head) {
  return std::all_of(head.begin(), head.end(), [](char c) { return c == '\0'; });
}

bool looks_binary(std::string_view head) {
  size_t bad = 0;
  for (char c : head.substr(0, 4096))
    if (c == '\0') ++bad;
  return bad > 16;
}

// Native .journal inside a compressed file or on stdin: sd-journal needs a real file, so the
// bytes go to an O_TMPFILE file, which has no name: only the open descriptor keeps it, so
// nothing outlives the run whatever ends it. The reader children inherit the descriptor and
// open it as /proc/self/fd/N; libsystemd is given a name for it only while it opens it
// (journal_file_stream.cpp). A file system without O_TMPFILE gets a file unlinked at once,
// which libsystemd refuses, so the salvage reader reads it.
class SpilledJournal {
 public:
  static std::unique_ptr<SpilledJournal> create(const std::string& head, input::ByteSource& rest, std::string& error) {
    const char* tmpdir = std::getenv("TMPDIR");
    const std::string dir = tmpdir && *tmpdir ? tmpdir : "/tmp";
    int fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd < 0) {
      std::string path = dir + "/crashsift-XXXXXX.journal";
      fd = mkstemps(path.data(), 8);
      if (fd < 0) {
        error = "cannot create a temporary file for the decompressed journal in " + dir;
        return nullptr;
      }
      ::unlink(path.c_str());
    }
    auto spilled = std::unique_ptr<SpilledJournal>(new SpilledJournal(fd));
    bool ok = write_all(fd, head.data(), head.size());
    std::vector<char> buf(1 << 20);
    for (size_t r; ok && (r = rest.read(buf.data(), buf.size())) > 0;) ok = write_all(fd, buf.data(), r);
    if (!ok) {
      error = "cannot write the decompressed journal to a temporary file: " + std::string(std::strerror(errno));
      return nullptr;
    }
    return spilled;
  }
  ~SpilledJournal() { ::close(fd_); }
  std::string path() const { return "/proc/self/fd/" + std::to_string(fd_); }

 private:
  explicit SpilledJournal(int fd) : fd_(fd) {}
  int fd_;
};

InputReport read_native(const std::string& label, const input::NativeSource& src, const InputReadSettings& s,
                        const InputReadSink& to) {
  InputReport report;
  report.path = label;
  report.format = "journal";
  to.begin(true);
  input::read_native_journal(src, s.parse, report, to.event);
  return report;
}

InputReport read_native_file(const std::string& path, const std::string& head, input::ByteSource& src,
                             const std::string& compression, const InputReadSettings& s, const InputReadSink& to) {
  input::NativeSource native{input::NativeSource::Kind::files, {}, {path}, {path}, s.units, {}};
  std::unique_ptr<SpilledJournal> spilled;
  if (!compression.empty() || path == "-") {
    std::string error;
    spilled = SpilledJournal::create(head, src, error);
    if (!spilled) {
      InputReport report;
      report.path = path;
      report.compression = compression;
      report.fatal = error;
      return report;
    }
    native.files = {spilled->path()};
  }
  InputReport report = read_native(path, native, s, to);
  report.compression = compression;
  return report;
}

std::string unusable_reason(std::string_view head) {
  if (head.empty()) return "empty input";
  if (all_zero(head))
    return "the file starts with " + std::to_string(head.size()) + " zero bytes: a preallocated or wiped file, not a log";
  return "unrecognized input format: binary data that is neither a native journal nor a compressed log (use "
         "--input-format to force one)";
}

}  // namespace

InputReport read_input(const std::string& path, const InputReadSettings& s, const InputReadSink& to) {
  std::error_code ec;
  if (path != "-" && fs::is_directory(path, ec)) {
    input::NativeSource src{input::NativeSource::Kind::directory, path, {}, {}, s.units, {}};
    return read_native(path, src, s, to);
  }
  InputReport report;
  report.path = path;
  auto opened = input::open_source(path, s.idle);
  if (!opened) {
    report.fatal = opened.error();
    return report;
  }
  auto& src = *opened.value();
  report.compression = src.compression();
  std::string head = read_head(src, s.live);
  if (input::looks_like_native_journal(head) || s.input_format == "journal")
    return read_native_file(path, head, src, report.compression, s, to);
  const input::FormatParser* parser =
      s.input_format == "auto" ? input::detect_format(head) : input::find_format(s.input_format);
  if (!parser || (s.input_format == "auto" && looks_binary(head) && parser->name() == "cat")) {
    report.fatal = unusable_reason(head);
    return report;
  }
  report.format = std::string(parser->name());
  ReplaySource replay(std::move(head), std::move(opened.value()));
  input::LineReader reader(replay, s.parse.max_line);
  const std::uint64_t total = input::file_size(path);
  const bool show_progress = s.progress && total > progress_threshold;
  std::uint64_t next_report = progress_threshold;
  std::uint64_t last_line = 0;  // parallel blocks do not advance the reader's line count
  to.begin(parser->name() != "cat");
  parser->parse(reader, s.parse, report, [&](const Event& e) {
    last_line = std::max(last_line, e.origin.line);
    to.event(e);
    if (show_progress && replay.position() >= next_report) {
      next_report += progress_threshold;
      s.progress("reading " + path + ": " + format_bytes(replay.position()) + " of " + format_bytes(total));
    }
  });
  report.bytes = reader.bytes_consumed();
  for (const auto& skip : report.first_skips) last_line = std::max(last_line, skip.line);
  if (!replay.error().empty()) report.skip(std::max(reader.line_number(), last_line), replay.error());
  return report;
}

}  // namespace crashsift::pipeline
