#pragma once
// The incident report (`crashsift report`): plain data computed by pipeline/incident.cpp from
// the exits, their samples and cores; the writers below only format it.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "crashsift/classify/exit.hpp"
#include "crashsift/report/exits_report.hpp"

namespace crashsift::report {

// A group of exits with one crash signature: the core's signature when there is one, else the
// normalized reason (numbers, addresses and ids masked), else class + cause.
struct FailureMode {
  std::string key;                      // stable: "core:<hash>", "reason:<hash>", "cause:<class>/<cause>"
  std::string title;                    // readable signature
  classify::ExitClass cls = classify::ExitClass::unknown;
  std::string cause;
  std::vector<size_t> exits;            // indices into Incident::exits.exits, in time order
  std::optional<UsecUtc> first, last;
  std::vector<std::string> runtimes;    // distinct, in order of appearance ("" = unknown)
  std::string version_note;             // "all on Bun v1.3.13; none since Bun v1.3.14 started at 09:06"
  std::string memory_note;              // "segfault at 352 MiB after 1 min 7 s up: not memory exhaustion"
  bool is_new = false;                  // absent from --baseline
  bool more_frequent = false;           // more exits than in --baseline
  std::optional<size_t> baseline_count;
};

struct CrashLoop {
  std::string unit;
  size_t exits = 0;
  std::optional<UsecUtc> first, last;
  double restarts_per_hour = 0;
  size_t start_limit_hits = 0;
  std::string what;                     // "5 segfault, 1 self-exit"
};

struct Incident {
  ExitsReport exits;                    // everything `exits` knows, including samples and cores
  std::optional<UsecUtc> span_first, span_last;
  std::vector<FailureMode> modes;       // failures only (clean exits are not a failure mode)
  size_t clean_exits = 0;
  std::vector<CrashLoop> loops;
  std::string memory_verdict;           // from the app telemetry's idle baseline, or ""
  std::vector<std::string> memory_lines;// per app: "idle memory flat at 84 MiB over 22 min ..."
  std::vector<std::string> gaps;        // evidence gaps, each one sentence
  std::optional<std::uint64_t> memory_limit;
  bool baseline_given = false;
};

inline constexpr const char* report_schema = "crashsift/report/1";

std::string format_incident_text(const Incident& r, const TextStyle& style);
std::string format_incident_markdown(const Incident& r, const TextStyle& style);
std::string format_incident_json(const Incident& r, bool pretty);

}  // namespace crashsift::report
