#include "crashsift/input/journal_native.hpp"

#include <cerrno>
#include <cstring>
#include <systemd/sd-journal.h>

#include "crashsift/core/text.hpp"
#include "crashsift/input/journal_fields.hpp"

namespace crashsift::input {

namespace {

std::string errno_text(int r) { return std::strerror(r < 0 ? -r : r); }

int open_journal(const NativeSource& src, sd_journal** j) {
  switch (src.kind) {
    case NativeSource::Kind::local: return sd_journal_open(j, SD_JOURNAL_LOCAL_ONLY);
    case NativeSource::Kind::directory: return sd_journal_open_directory(j, src.directory.c_str(), 0);
    case NativeSource::Kind::files: {
      std::vector<const char*> paths;
      for (const auto& f : src.files) paths.push_back(f.c_str());
      paths.push_back(nullptr);
      return sd_journal_open_files(j, paths.data(), 0);
    }
  }
  return -EINVAL;
}

// The union `journalctl -u` uses (formats.md §1.1), plus kernel lines and the unit's coredumps
// (whose _UID is not 0 on current systemd, so journalctl -u misses them).
int add_unit_matches(sd_journal* j, const std::vector<std::string>& units) {
  auto match = [&](const std::string& m) { return sd_journal_add_match(j, m.data(), m.size()); };
  for (const auto& u : units) {
    int r = 0;
    if ((r = match("_SYSTEMD_UNIT=" + u)) < 0 || (r = sd_journal_add_disjunction(j)) < 0) return r;
    if ((r = match("UNIT=" + u)) < 0 || (r = match("_PID=1")) < 0 || (r = sd_journal_add_disjunction(j)) < 0)
      return r;
    if ((r = match("USER_UNIT=" + u)) < 0 || (r = sd_journal_add_disjunction(j)) < 0) return r;
    if ((r = match("COREDUMP_UNIT=" + u)) < 0 || (r = sd_journal_add_disjunction(j)) < 0) return r;
  }
  int r = match("_TRANSPORT=kernel");
  if (r < 0) return r;
  r = sd_journal_add_disjunction(j);
  if (r < 0) return r;
  r = match("SYSLOG_IDENTIFIER=systemd-oomd");
  return r < 0 ? r : sd_journal_add_disjunction(j);
}

void fill_event(sd_journal* j, Event& e) {
  const void* data = nullptr;
  size_t len = 0;
  SD_JOURNAL_FOREACH_DATA(j, data, len) {
    const std::string_view field(static_cast<const char*>(data), len);
    const size_t eq = field.find('=');
    if (eq == std::string_view::npos) continue;
    apply_journal_field(e, field.substr(0, eq), field.substr(eq + 1));
  }
  std::uint64_t realtime = 0;
  if (!e.time && sd_journal_get_realtime_usec(j, &realtime) >= 0) e.time = static_cast<UsecUtc>(realtime);
  sd_id128_t boot{};
  std::uint64_t mono = 0;
  if (e.boot_id.empty() && sd_journal_get_monotonic_usec(j, &mono, &boot) >= 0) {
    char buf[SD_ID128_STRING_MAX];
    e.boot_id = sd_id128_to_string(boot, buf);
    e.monotonic_usec = mono;
  }
}

}  // namespace

bool looks_like_native_journal(std::string_view head) { return starts_with(head, "LPKSHHRH"); }

void read_native_journal(const NativeSource& src, const ParseOptions& options, InputReport& report,
                         const EventSink& sink) {
  sd_journal* j = nullptr;
  int r = open_journal(src, &j);
  if (r < 0) {
    const bool damaged = r == -ENODATA || r == -EBADMSG || r == -EPROTONOSUPPORT || r == -EIO;
    report.fatal = "cannot open journal: " + errno_text(r) +
                   (damaged ? " (the file is truncated, corrupt or of an unsupported journal version)" : "");
    return;
  }
  // Values above the threshold are truncated by sd-journal; 64 KiB keeps whole crash messages.
  sd_journal_set_data_threshold(j, 64 * 1024);
  if (!src.units.empty() && (r = add_unit_matches(j, src.units)) < 0) {
    report.fatal = "cannot add journal matches: " + errno_text(r);
    sd_journal_close(j);
    return;
  }
  if (src.since) sd_journal_seek_realtime_usec(j, static_cast<std::uint64_t>(*src.since));
  Event e;
  std::uint64_t index = 0;
  for (;;) {
    r = sd_journal_next(j);
    if (r == 0) break;
    ++index;
    if (r < 0) {
      // A corrupt region or a file still being written: say so and stop at what was readable.
      report.skip(index, "journal read error: " + errno_text(r));
      break;
    }
    e.clear();
    e.origin.input = options.input_index;
    e.origin.line = index;
    fill_event(j, e);
    ++report.entries;
    if (e.time) report.saw_time(*e.time);
    sink(e);
  }
  sd_journal_close(j);
  if (report.entries == 0 && report.skipped == 0) report.note("no journal entries matched");
}

}  // namespace crashsift::input
