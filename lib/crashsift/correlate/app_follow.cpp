#include "crashsift/correlate/app_follow.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

namespace crashsift::correlate {

AppFollower::AppFollower(std::vector<input::AppInputSpec> specs, input::AppReadOptions options, UsecUtc keep)
    : options_(std::move(options)), keep_(keep) {
  options_.max_samples = 0;  // bounded by time (catch_up), not by decimation
  for (auto& spec : specs) {
    AppData app;
    app.unit = spec.unit;
    app.notes = std::move(spec.notes);
    Followed f;
    if (!spec.files.empty()) f.path = spec.files.back();
    app.files = {f.path};
    InputReport in;
    in.path = f.path;
    in.format = "app";
    app.inputs.push_back(std::move(in));
    apps_.push_back(std::move(app));
    files_.push_back(std::move(f));
  }
}

void AppFollower::catch_up(UsecUtc now) {
  for (size_t i = 0; i < files_.size(); ++i) {
    read_new(i);
    AppData& app = apps_[i];
    app.series.drop_before(now - keep_);
    const auto first_kept = std::find_if(app.events.begin(), app.events.end(),
                                         [&](const AppEvent& e) { return e.time >= now - keep_; });
    app.events.erase(app.events.begin(), first_kept);
    index_lifetimes(app);
  }
}

namespace {

// Newlines in the first `end` bytes of fd: the line number where following starts, so that a
// bad line is named by its real place in the file (one pass at memory speed, at the start).
std::uint64_t newlines_before(int fd, std::uint64_t end) {
  std::string buf(1 << 20, '\0');
  std::uint64_t lines = 0;
  for (std::uint64_t at = 0; at < end;) {
    const auto want = static_cast<size_t>(std::min<std::uint64_t>(buf.size(), end - at));
    const ssize_t n = ::pread(fd, buf.data(), want, static_cast<off_t>(at));
    if (n <= 0) break;
    lines += static_cast<std::uint64_t>(std::count(buf.data(), buf.data() + n, '\n'));
    at += static_cast<std::uint64_t>(n);
  }
  return lines;
}

}  // namespace

void AppFollower::read_new(size_t i) {
  Followed& f = files_[i];
  InputReport& report = apps_[i].inputs.front();
  const int fd = ::open(f.path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (!f.opened) report.fatal = "cannot read " + f.path;
    return;  // between a rotation's rename and the new file: read at the next catch-up
  }
  report.fatal.clear();
  struct stat st {};
  ::fstat(fd, &st);
  const auto size = static_cast<std::uint64_t>(st.st_size);
  if (!f.opened) {
    f.offset = size > initial_tail_bytes ? size - initial_tail_bytes : 0;
    f.line = newlines_before(fd, f.offset);
    char before = '\n';
    if (f.offset > 0 && ::pread(fd, &before, 1, static_cast<off_t>(f.offset - 1)) != 1) before = '\n';
    f.skip_to_newline = before != '\n';  // started inside a line: its rest is no whole line
    f.skip_counted = false;
  } else if (st.st_dev != f.device || st.st_ino != f.inode || size < f.offset) {
    f.offset = 0;  // rotated or truncated: the file now there is read from its start
    f.partial.clear();
    f.skip_to_newline = false;
    f.line = 0;
    report.note("followed across a rotation or truncation");
  }
  f.opened = true;
  f.device = st.st_dev;
  f.inode = st.st_ino;
  std::string buf(1 << 16, '\0');
  while (f.offset < size) {
    const ssize_t n = ::pread(fd, buf.data(), buf.size(), static_cast<off_t>(f.offset));
    if (n <= 0) break;
    f.offset += static_cast<std::uint64_t>(n);
    f.partial.append(buf.data(), static_cast<size_t>(n));
    size_t from = 0;
    for (size_t nl; (nl = f.partial.find('\n', from)) != std::string::npos; from = nl + 1) {
      if (f.skip_to_newline) {
        if (!f.skip_counted) ++f.line;
        f.skip_to_newline = false;
        continue;
      }
      if (nl - from > options_.max_line) {
        report.skip(++f.line, over_line_limit());
        continue;
      }
      take_line(i, std::string_view(f.partial).substr(from, nl - from));
    }
    f.partial.erase(0, from);
    if (f.partial.size() > options_.max_line && !f.skip_to_newline) {
      // No newline in more than --max-line bytes: the line is dropped through its newline, so
      // a runaway writer cannot grow this buffer without bound.
      report.skip(++f.line, over_line_limit());
      f.skip_to_newline = true;
      f.skip_counted = true;
    }
    if (f.skip_to_newline) f.partial.clear();  // no newline is left in it
  }
  ::close(fd);
}

std::string AppFollower::over_line_limit() const {
  return "line of more than " + std::to_string(options_.max_line) + " bytes is over the line limit";
}

void AppFollower::take_line(size_t i, std::string_view line) {
  AppData& app = apps_[i];
  ++files_[i].line;
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  const size_t first = line.find_first_not_of(" \t");
  if (first == std::string_view::npos) return;
  record_.clear();
  if (!input::parse_app_line(line, options_, app.fields, record_)) {
    // As the batch reader says it (app_ndjson.cpp): bad lines are counted, never dropped silently.
    const bool object = line[first] == '{';
    app.inputs.front().skip(files_[i].line, object ? "invalid JSON" : "not a JSON object");
    return;
  }
  if (!record_.time) return;
  ++app.inputs.front().entries;  // timed records, as the batch reader counts them
  record_.line = files_[i].line;
  app.series.add(record_);
  if (record_.kind == input::AppRecordKind::error || record_.kind == input::AppRecordKind::lifecycle)
    app.events.push_back(to_app_event(record_, app.series));
}

}  // namespace crashsift::correlate
