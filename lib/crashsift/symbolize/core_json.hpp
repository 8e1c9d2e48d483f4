#pragma once
// JSON rendering of a CoreReport, contract "crashsift/core/1", and the reader that brings it
// back (how the isolated symbolizer returns its result). Conventions (style.md 6.7): absent
// facts are null, never omitted; addresses and offsets are "0x"-prefixed hex strings (16
// digits for addresses) so JavaScript readers keep all 64 bits.
//
// {"schema":"crashsift/core/1","source":"core"|"journal","path","compression","file_size",
//  "apparent_size","backend","complete",
//  "crash":{"signal","signal_name","si_code","si_code_name","fault_address","fault_hint",
//           "sender_pid","pid","crashing_tid","uid","comm","cmdline","exe","arch",
//           "uptime_sec","time_usec","time_source"},
//  "signature":{"hash","text","symbolized"}|null,
//  "threads":[{"tid","crashing","truncated","error","frames":[{"index","pc","module",
//           "module_offset","function","file","line","column","trust","activation",
//           "inlined":[{"function","file","line","column"}]}]}],
//  "modules":[{"name","build_id","load_address","end_address","elf_path","found_by","symbols",
//           "debuginfo","debuginfo_path","debuginfo_found_by"}],
//  "limits":{"max_threads","max_frames","threads_total","threads_truncated"},
//  "warnings":[{"code","message"}]}
#include <string_view>

#include "crashsift/core/json_writer.hpp"
#include "crashsift/core/result.hpp"
#include "crashsift/symbolize/backtrace.hpp"

namespace crashsift::symbolize {

inline constexpr const char* core_schema = "crashsift/core/1";

void to_json(const CoreReport& report, JsonWriter& out);
std::string to_json_string(const CoreReport& report, bool pretty = false);

// Parses what to_json wrote. Unknown keys are ignored (forward compatible); a missing or
// mistyped required key is an error.
Result<CoreReport> core_report_from_json(std::string_view json);

// "0x0000555555555129" (16 digits) and "0x1129" (minimal).
std::string hex_address(std::uint64_t v);
std::string hex_offset(std::uint64_t v);

}  // namespace crashsift::symbolize
