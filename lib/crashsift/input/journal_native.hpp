#pragma once
// Native journal files (*.journal, *.journal~), journal directories and the local system
// journal. Not a FormatParser: sd-journal needs files (it maps them), not a byte stream.
// Each file is read by libsystemd in a forked child (journal_file_stream.hpp), so a corrupt
// file that makes libsystemd abort costs that file only; what libsystemd refuses is salvaged
// (journal_salvage.hpp). Files are interleaved by entry time, as sd-journal interleaves them.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crashsift/core/diag.hpp"
#include "crashsift/core/event.hpp"
#include "crashsift/input/parser.hpp"

namespace crashsift::input {

struct NativeSource {
  enum class Kind { local, directory, files } kind = Kind::local;
  std::string directory;
  std::vector<std::string> files;   // may be /proc/self/fd/N for a spilled, already unlinked copy
  std::vector<std::string> labels;  // how messages name each file; empty = its path
  // Exact unit names: read only their entries through indexed matches (fast on big journals).
  // Empty = every entry.
  std::vector<std::string> units;
  std::optional<UsecUtc> since;
  // Following only: start back from this entry (a restarted `watch --state`), at the first
  // entry at or after `since` before it; an entry no longer in the journal: from `since`.
  std::string resume_cursor;
  double idle_timeout_sec = 30;     // a reader child that sends nothing for this long is stopped
};

// "LPKSHHRH": the journal file header signature.
bool looks_like_native_journal(std::string_view head);

void read_native_journal(const NativeSource& source, const ParseOptions& options, InputReport& report,
                         const EventSink& sink);

}  // namespace crashsift::input
