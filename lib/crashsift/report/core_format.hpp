#pragma once
// Human renderings of a CoreReport: text for a terminal, Markdown for tickets. Writers only
// format; they never compute (the signature and hints are in the report already).
#include <string>

#include "crashsift/symbolize/backtrace.hpp"

namespace crashsift::report {

using symbolize::CoreReport;
using symbolize::Frame;

struct CoreFormatOptions {
  bool modules = true;        // append the module list
  bool all_threads = true;    // false: the crashing thread only
};

std::string format_core_text(const CoreReport& report, const CoreFormatOptions& options = {});
std::string format_core_markdown(const CoreReport& report, const CoreFormatOptions& options = {});

// One frame line without the trailing newline, e.g.
// "#0  0x000055e6b3add14b deep_null+0x114b write_config_value deep_null.c:8:9 [context]".
std::string format_frame_line(const Frame& frame);

}  // namespace crashsift::report
