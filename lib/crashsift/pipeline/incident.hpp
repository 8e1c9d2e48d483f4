#pragma once
// `crashsift report`: the whole investigation as data — failure modes, crash loops, memory at
// death, the idle-memory verdict and the evidence gaps — computed from an ExitsReport.
#include <optional>
#include <string>

#include "crashsift/core/result.hpp"
#include "crashsift/pipeline/exits_run.hpp"
#include "crashsift/report/incident.hpp"

namespace crashsift::pipeline {

struct IncidentOptions {
  std::optional<std::uint64_t> memory_limit;  // --memory-limit (MemoryMax of the unit)
  std::string baseline_json;                  // contents of --baseline OLD.json ("" = none)
  Zone zone;                                  // for times inside sentences ("started at 09:06")
};

Result<report::Incident> build_incident(report::ExitsReport exits, const IncidentOptions& options);

// Exposed for tests: "panic at 0x7f3a 12 ms" -> "panic at 0xN N ms".
std::string normalize_reason(std::string_view reason);

}  // namespace crashsift::pipeline
