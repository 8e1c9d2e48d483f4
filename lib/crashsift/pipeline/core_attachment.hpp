#pragma once
// Builds what a core dump adds to an exit (report::CoreAttachment): signature, fault text and
// the crashing thread's top frames, from a symbolized core or systemd-coredump's backtrace.
#include <string>

#include "crashsift/report/core_attachment.hpp"
#include "crashsift/symbolize/backtrace.hpp"

namespace crashsift::pipeline {

report::CoreAttachment make_core_attachment(const symbolize::CoreReport& core, std::string source,
                                            std::string matched_by, size_t frames = 5);

}  // namespace crashsift::pipeline
