#pragma once
// The exits pipeline's app logs (--app): the app-only run, when no journal is given, and the
// samples before each exit.
#include <optional>
#include <string>
#include <vector>

#include "crashsift/classify/exit.hpp"
#include "crashsift/correlate/app_lifetimes.hpp"
#include "crashsift/correlate/sample_series.hpp"
#include "crashsift/pipeline/exits_run.hpp"

namespace crashsift::pipeline {

// App-only mode (--app and no journal): each lifetime the app log shows ends in an exit that
// left no record here. Its class is unknown ("no exit record"), or an inferred OOM when the
// last samples were near the memory limit.
ExitsRun run_app_only(const ExitsQuery& q);

// The samples block of every exit of run (issue 3), from the app log that belongs to it.
void attach_app_samples(const ExitsQuery& q, ExitsRun& run);

// The app samples of the --window before each exit and how its log was picked, parallel to
// exits (after the fact and live alike). single_unit: one app log without a unit describes
// the exits of that one unit.
void samples_before_exits(const std::vector<classify::Exit>& exits, const std::vector<correlate::AppData>& apps,
                          bool single_unit, double window_s,
                          std::vector<std::optional<correlate::SamplesSummary>>& samples, std::vector<std::string>& how);

}  // namespace crashsift::pipeline
