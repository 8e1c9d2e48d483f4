#include "crashsift/input/journal_follow.hpp"

#include <systemd/sd-journal.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "crashsift/core/text.hpp"
#include "crashsift/input/journal_index_read.hpp"

namespace crashsift::input {
namespace {



// From the cursor's entry back to the first at or after `since`: entry by entry, not by
// realtime, so a clock stepped back between the two does not lose entries. False: the cursor
// names no entry of the journal as it is now (vacuumed, another machine).
bool seek_back_from_cursor(sd_journal* j, const std::string& cursor, std::optional<UsecUtc> since) {
  if (sd_journal_seek_cursor(j, cursor.c_str()) < 0 || sd_journal_next(j) <= 0 ||
      sd_journal_test_cursor(j, cursor.c_str()) <= 0)
    return false;
  for (;;) {
    const int r = sd_journal_previous(j);
    if (r < 0) return false;
    if (r == 0) return sd_journal_seek_head(j) >= 0;  // the journal's first entry is already in the window
    std::uint64_t t = 0;
    if (since && sd_journal_get_realtime_usec(j, &t) >= 0 && static_cast<UsecUtc>(t) < *since) return true;
    if (!since) return true;
  }
}

}  // namespace

void follow_native_journal(const NativeSource& src, const ParseOptions& options, const IdleHook& idle,
                           InputReport& report, const EventSink& sink) {
  sd_journal* j = nullptr;
  const int opened = src.kind == NativeSource::Kind::directory
                         ? sd_journal_open_directory(&j, src.directory.c_str(), 0)
                         : sd_journal_open(&j, SD_JOURNAL_LOCAL_ONLY);
  if (opened < 0) {
    report.fatal = "cannot follow the journal: " + errno_message(opened);
    return;
  }
  std::unique_ptr<sd_journal, decltype(&sd_journal_close)> closer(j, sd_journal_close);
  sd_journal_set_data_threshold(j, 64 * 1024);
  if (!src.resume_cursor.empty() && seek_back_from_cursor(j, src.resume_cursor, src.since)) {
    report.notes.push_back("resumed from the saved cursor");
  } else if (src.since) {
    if (!src.resume_cursor.empty()) report.notes.push_back("the saved cursor is no longer in the journal: resumed by time");
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
      report.damaged(label, report.entries, "libsystemd stopped following the journal: " + errno_message(r));
      break;
    }
    if (r == 0) {
      const int w = sd_journal_wait(j, wait_usec);
      if (w < 0 && w != -EINTR) {
        report.damaged(label, report.entries, "cannot wait for the journal: " + errno_message(w));
        break;
      }
      if (w == SD_JOURNAL_NOP && idle.on_idle) idle.on_idle();
      continue;
    }
    e.clear();
    std::uint64_t invalid = 0;
    fill_event_from_journal(j, e, invalid);
    e.origin.input = options.input_index;
    // One cursor per entry: where a restarted watch goes on from (--state), and its seqnum.
    e.origin.cursor = journal_cursor(j);
    e.origin.line = seqnum_in_cursor(e.origin.cursor);
    ++report.entries;
    if (e.time) report.saw_time(*e.time);
    sink(e);
  }
}

}  // namespace crashsift::input
