#pragma once
// The incident report (`crashsift report`): plain data computed by pipeline/incident.cpp from
// the exits, their samples and cores; the writers below only format it.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "crashsift/classify/exit.hpp"
#include "crashsift/core/spill_file.hpp"
#include "crashsift/report/chart.hpp"
#include "crashsift/report/exits_report.hpp"

namespace crashsift::report {

// A group of exits with one crash signature: the core's signature when there is one, else the
// normalized reason (numbers, addresses and ids masked), else class + cause.
// One host a failure mode hit (a report over a fleet's journals).
struct ModeHost {
  std::string host;
  size_t count = 0;
  std::optional<UsecUtc> first, last;
};

struct FailureMode {
  std::string key;                      // stable: "core:<hash>", "reason:<hash>", "cause:<class>/<cause>"
  std::string title;                    // readable signature
  classify::ExitClass cls = classify::ExitClass::unknown;
  std::string cause;
  std::vector<size_t> exits;            // indices of the report's exits (time order), for JSON
  std::optional<UsecUtc> first, last;
  std::vector<std::string> runtimes;    // distinct, in order of appearance ("" = unknown)
  std::vector<ModeHost> hosts;          // in order of first appearance; empty when no exit names one
  std::string version_note;             // "all on Bun v1.3.13; none since Bun v1.3.14 started at 09:06"
  std::string memory_note;              // "segfault at 352 MiB after 1 min 7 s up: not memory exhaustion"
  bool is_new = false;                  // absent from --baseline
  bool more_frequent = false;           // more exits than in --baseline
  std::optional<size_t> baseline_count;
  // The most recent occurrence, with its app samples and core: the mode's example.
  classify::Exit example;
  std::optional<correlate::SamplesSummary> example_samples;
  std::optional<CoreAttachment> example_core;
};

struct CrashLoop {
  std::string host;                     // "" when the input names none
  std::string unit;
  size_t exits = 0;
  std::optional<UsecUtc> first, last;
  double restarts_per_hour = 0;
  size_t start_limit_hits = 0;
  std::string what;                     // "5 segfault, 1 self-exit"
};

struct Incident {
  // Inputs, counts and warnings of the run. Its exits are not kept (a report over a crash loop
  // holds aggregates, not 500 000 exits): exits.streamed_* count them, and the JSON "exits"
  // array was written to exits_json as they came.
  ExitsReport exits;
  std::shared_ptr<SpillFile> exits_json;  // elements of the "exits" array (JSON reports only)
  std::uint64_t exit_count = 0;
  std::vector<std::string> units;         // units with exits, in order of their first exit
  std::vector<std::string> hosts;         // host names seen, for --redact
  std::optional<UsecUtc> span_first, span_last;
  std::vector<FailureMode> modes;       // failures only (clean exits are not a failure mode)
  size_t clean_exits = 0;
  std::vector<CrashLoop> loops;
  std::string memory_verdict;           // from the app telemetry's idle baseline, or ""
  std::vector<std::string> memory_lines;// per app: "idle memory flat at 84 MiB over 22 min ..."
  std::vector<std::string> gaps;        // evidence gaps, each one sentence
  std::optional<std::uint64_t> memory_limit;
  bool baseline_given = false;
  // Memory-and-exits charts (HTML report, --charts): one per unit, laid out, ready to draw.
  std::vector<Chart> charts;
  // --charts DIR: the SVG files written, as the Markdown/text report links them.
  struct ChartLink {
    std::string unit, path;
  };
  std::vector<ChartLink> chart_links;
};

inline constexpr const char* report_schema = "crashsift/report/1";

std::string format_incident_text(const Incident& r, const TextStyle& style);
std::string format_incident_markdown(const Incident& r, const TextStyle& style);
std::string format_incident_json(Incident& r, bool pretty);
// One self-contained HTML document (inline CSS and SVG, no script, no fetch; printable). Every
// string from a log is escaped.
std::string format_incident_html(const Incident& r, const TextStyle& style);
// Streams the document: the exits array is read back from exits_json in pieces, each cut
// between whole exits. False when the spill could not be read back (the document is cut).
bool write_incident_json(Incident& r, bool pretty, const Emit& emit);

}  // namespace crashsift::report
