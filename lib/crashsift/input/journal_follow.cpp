#include "crashsift/input/journal_follow.hpp"

#include <systemd/sd-journal.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "crashsift/input/journal_index_read.hpp"

namespace crashsift::input {
namespace {

std::string errno_text(int r) { return std::strerror(r < 0 ? -r : r); }

}  // namespace

void follow_native_journal(const NativeSource& src, const ParseOptions& options, const IdleHook& idle,
                           InputReport& report, const EventSink& sink) {
  sd_journal* j = nullptr;
  const int opened = src.kind == NativeSource::Kind::directory
                         ? sd_journal_open_directory(&j, src.directory.c_str(), 0)
                         : sd_journal_open(&j, SD_JOURNAL_LOCAL_ONLY);
  if (opened < 0) {
    report.fatal = "cannot follow the journal: " + errno_text(opened);
    return;
  }
  std::unique_ptr<sd_journal, decltype(&sd_journal_close)> closer(j, sd_journal_close);
  sd_journal_set_data_threshold(j, 64 * 1024);
  if (src.since) {
    sd_journal_seek_realtime_usec(j, static_cast<std::uint64_t>(*src.since));
  } else {
    // After the last entry: only what journald writes from now on.
    sd_journal_seek_tail(j);
    sd_journal_previous(j);
  }
  const std::string label = src.directory.empty() ? "(local journal)" : src.directory;
  Event e;
  const std::uint64_t wait_usec = static_cast<std::uint64_t>(idle.after_ms > 0 ? idle.after_ms : 250) * 1000;
  for (;;) {
    if (idle.stop && idle.stop()) break;
    const int r = sd_journal_next(j);
    if (r < 0) {
      report.damaged(label, report.entries, "libsystemd stopped following the journal: " + errno_text(r));
      break;
    }
    if (r == 0) {
      const int w = sd_journal_wait(j, wait_usec);
      if (w < 0 && w != -EINTR) {
        report.damaged(label, report.entries, "cannot wait for the journal: " + errno_text(w));
        break;
      }
      if (w == SD_JOURNAL_NOP && idle.on_idle) idle.on_idle();
      continue;
    }
    e.clear();
    std::uint64_t invalid = 0;
    fill_event_from_journal(j, e, invalid);
    e.origin.input = options.input_index;
    e.origin.line = journal_seqnum(j);
    ++report.entries;
    if (e.time) report.saw_time(*e.time);
    sink(e);
  }
}

}  // namespace crashsift::input
