#pragma once
// One exit as flat NAME=value pairs: what a `watch --exec` hook finds in its environment
// (CRASHSIFT_UNIT=...) and what `watch --format journal` stores with each entry, so that
// `journalctl MESSAGE_ID=<ours> CRASHSIFT_CLASS=oom` lists a host's OOM kills. One list, so the
// two never name a fact differently (crashsift-watch(1)).
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "crashsift/classify/exit.hpp"

namespace crashsift::report {

// The MESSAGE_ID of the journal entry `crashsift watch --format journal` writes per exit.
inline constexpr std::string_view exit_message_id = "e185eadd9f82467391d74239bfd8769a";

// CRASHSIFT_EXIT_ID, _UNIT, _CLASS, _CAUSE, _REASON, _PID, _PROCESS, _CODE, _SIGNAL, _HOST,
// _BOOT_ID, _EXITED_AT; a fact the exit lacks has an empty value.
std::vector<std::pair<std::string, std::string>> exit_fields(const classify::Exit& x);

// The journal entry for one exit, as KEY=value strings for sd_journal_sendv: MESSAGE (the text
// row), MESSAGE_ID, PRIORITY (6 for a clean exit, 4 for a failure), SYSLOG_IDENTIFIER, the
// non-empty exit_fields and CRASHSIFT_JSON (the exit's crashsift/exit/1 object).
std::vector<std::string> exit_journal_entry(const classify::Exit& x, std::string_view message, std::string_view json);

}  // namespace crashsift::report
