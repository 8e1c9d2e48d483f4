#pragma once
// Reading one native journal file through its field index, in the reader child (issue 13).
//
// A host's journal is mostly output lines of processes that never die badly; the deaths are
// told by few entries that the journal indexes: PID 1's lines, kernel lines, systemd-coredump,
// systemd-oomd and journald's own records, the supervisors' lines. Those anchors are read
// through sd-journal matches in file order. Output lines are read only for the invocations
// that have any (sd_journal_query_unique: a timer unit that prints nothing costs nothing),
// and only around each exit-like anchor of theirs: the invocation's first lines (its start
// time, version banners), its last lines before the anchor, and the lines stored in the few
// seconds after it (a runtime's dump can reach journald after PID 1's exit record). A kernel
// kill or fault line and a coredump record add the last lines of the PID they name.
//
// Output lines reach the stream just before the anchor that asked for them, so they can be
// older than entries already sent; the tracker needs them before the exit, not in time order.
// What the index cannot find: a message from a process that no exit, kill or core names (a
// runtime's crash text in a process outside any unit); `--native-read scan` reads every entry.
#include <cstdint>
#include <functional>
#include <string>

#include "crashsift/core/event.hpp"
#include "crashsift/input/journal_file_stream.hpp"

struct sd_journal;

namespace crashsift::input {

// Fills e from the current entry; invalid counts the fields skipped for a damaged name.
// Returns the error of the field enumeration, else 0.
int fill_event_from_journal(sd_journal* j, Event& e, std::uint64_t& invalid);
// The same, handing each well-formed FIELD=value item to `each` as well (one pass over the
// entry's data serves the Event and a test of its items).
int fill_event_from_journal(sd_journal* j, Event& e, std::uint64_t& invalid,
                            const std::function<void(std::string_view item)>& each);

// The current entry's seqnum (from its cursor: sd_journal_get_seqnum is newer than systemd 252).
std::uint64_t journal_seqnum(sd_journal* j);
// The entry's cursor ("s=...;i=...;..."), "" when libsystemd gives none.
std::string journal_cursor(sd_journal* j);
// The seqnum a cursor names (its i=, hex); 0 when it has none.
std::uint64_t seqnum_in_cursor(std::string_view cursor);

struct IndexReadResult {
  bool used = false;          // false: the index could not be used; nothing was sent, scan instead
  std::uint64_t entries = 0;  // entries sent
  int error = 0;              // sd_journal_next failed after `entries` (the rest wants salvage)
  std::uint64_t invalid_fields = 0;
};

using IndexedEntrySink = std::function<void(std::uint64_t realtime, const Event& e)>;

// j: the file opened by the caller, no matches yet, before its first entry. lines: the same
// file opened a second time, for the output lines. Seeks to --since itself.
IndexReadResult read_by_index(sd_journal* j, sd_journal* lines, const FileStreamSettings& settings,
                              const IndexedEntrySink& sink);

}  // namespace crashsift::input
