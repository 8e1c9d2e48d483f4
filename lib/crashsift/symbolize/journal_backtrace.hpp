#pragma once
// The backtrace systemd-coredump writes into the MESSAGE of its journal entry (MESSAGE_ID
// fc2e22bc6ee647b6b90729ab34a250b1; reference/formats.md section 3), turned into the same
// CoreReport data as a core, with source = "journal" and every frame's trust = journal. Used
// when the core file itself is gone (Storage=none, vacuumed, too large).
//
//   Process 10164 (crashlab) of user 0 dumped core.
//   Module /usr/bin/foo from deb foo-1.2.amd64, build-id=ab12...      (v252+; older forms too)
//   Stack trace of thread 10164:
//   #0  0x000055f946c08235 write_through (crashlab + 0x1235)
//   #3  0x00007f... n/a (libfoo.so + 0x1e31d7)                         (unknown symbol)
//   ELF object binary architecture: AMD x86-64
//
// The first thread listed is the crashing one (systemd lists threads in core note order).
// C++ names are mangled in the journal and demangled here. rsyslog's "#012" newlines work too.
#include <optional>
#include <string_view>

#include "crashsift/symbolize/backtrace.hpp"

namespace crashsift::symbolize {

// `signal` (COREDUMP_SIGNAL) fills the crash header and the signature when given. Never fails:
// a message without any "Stack trace of thread" gives a report with no threads.
CoreReport parse_journal_backtrace(std::string_view message, std::optional<int> signal = std::nullopt);

}  // namespace crashsift::symbolize
