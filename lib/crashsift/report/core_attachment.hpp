#pragma once
// What a core dump (or systemd-coredump's journal backtrace) adds to an exit: the crash
// signature and the top frames of the crashing thread (pipeline/core_attachment.hpp builds it).
#include <optional>
#include <string>
#include <vector>

#include "crashsift/symbolize/backtrace.hpp"

namespace crashsift::report {

struct CoreAttachment {
  std::string source;                 // "core-file" or "journal" (the core file is gone)
  std::string path;                   // the core file, when there is one
  std::string matched_by;             // "pid", "coredump journal entry", "command name and time"
  std::string signal;                 // "SIGSEGV"
  std::string fault;                  // "SEGV_MAPERR at 0x0 (null page)"
  std::optional<symbolize::Signature> signature;
  std::vector<std::string> top_frames;  // crashing thread, innermost first, skip list applied
  std::string error;                  // the core could not be symbolized (then source is the fallback)
};


}  // namespace crashsift::report
