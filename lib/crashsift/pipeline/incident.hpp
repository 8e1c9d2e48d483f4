#pragma once
// `crashsift report`: the whole investigation as data — failure modes, crash loops, memory at
// death, the idle-memory verdict and the evidence gaps — computed from an ExitsReport.
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crashsift/core/json_writer.hpp"
#include "crashsift/core/spill_file.hpp"

#include "crashsift/core/result.hpp"
#include "crashsift/pipeline/chart.hpp"
#include "crashsift/pipeline/exits_run.hpp"
#include "crashsift/report/incident.hpp"

namespace crashsift::pipeline {

struct IncidentOptions {
  std::optional<std::uint64_t> memory_limit;  // --memory-limit (MemoryMax of the unit)
  std::string baseline_json;                  // contents of --baseline OLD.json ("" = none)
  Zone zone;                                  // for times inside sentences ("started at 09:06")
  bool charts = false;                        // lay out a memory-and-exits chart per unit
};

// Builds the report from exits handed over one at a time in time order — as `exits` streams
// them while the input is read, then the run's remaining exits in finish(). It keeps per-mode
// aggregates with one example each, crash-loop runs per unit and the counts behind the gaps;
// the exits themselves go to a spill file (the JSON "exits" array) or nowhere. What grows with
// the exits: 8 bytes per failure (the mode's exit indexes in the JSON) and 16 per exit whose
// runtime version is known (for the version note).
class IncidentBuilder {
 public:
  // json_exits: spill the exits for the JSON document's "exits" array (without it that array
  // is empty: text and Markdown do not list every exit).
  IncidentBuilder(IncidentOptions options, bool json_exits, bool pretty);
  ~IncidentBuilder();
  IncidentBuilder(const IncidentBuilder&) = delete;
  IncidentBuilder& operator=(const IncidentBuilder&) = delete;

  void add(classify::Exit&& x, const correlate::SamplesSummary* samples, std::string_view samples_how,
           const report::CoreAttachment* core, const std::vector<InputReport>& inputs);
  // The run's accounting and its remaining exits (added here first): the incident.
  Result<report::Incident> finish(report::ExitsReport run);

 private:
  struct UnitRun;
  struct Lifetime {
    UsecUtc started_at;
    std::uint32_t runtime;
  };
  void add_to_mode(classify::Exit&& x, size_t index, const correlate::SamplesSummary* samples,
                   const report::CoreAttachment* core);
  std::string version_note(const report::FailureMode& m, size_t mode) const;
  std::vector<std::string> gaps(const report::ExitsReport& r) const;

  IncidentOptions options_;
  std::shared_ptr<SpillFile> spill_;
  JsonWriter spill_writer_;
  size_t count_ = 0, clean_ = 0, failures_ = 0;
  size_t dumped_without_core_ = 0, no_samples_ = 0, long_gap_ = 0, no_pid_ = 0;
  bool samples_given_ = false;
  std::optional<UsecUtc> span_first_, span_last_;
  std::map<std::string, std::uint64_t> by_class_;
  std::vector<std::string> units_, hosts_;
  std::vector<report::FailureMode> modes_;     // in order of first occurrence
  std::vector<size_t> at_last_;                // per mode: its exits at its last exit time
  std::vector<std::vector<std::int64_t>> mode_codes_;  // per mode: its exits' codes, in order seen
  std::map<std::string, size_t> mode_of_key_;
  std::map<std::string, size_t> runtime_ids_;
  std::vector<std::string> runtime_names_;
  std::vector<Lifetime> lifetimes_;            // exits whose runtime is known, in time order
  std::map<std::pair<std::string, std::string>, UnitRun> runs_;  // by host and unit
  std::unique_ptr<ChartSet> charts_;           // with options.charts
};

// Exposed for tests: "panic at 0x7f3a 12 ms" -> "panic at 0xN N ms".
std::string normalize_reason(std::string_view reason);

}  // namespace crashsift::pipeline
