#pragma once
// Builds the `crashsift timeline` view (report::Timeline) from an exits run: starts, exits, the
// records joined to them, app errors and sampled memory, in time order. report/ writes it.
#include <optional>

#include "crashsift/report/timeline.hpp"

namespace crashsift::pipeline {

// sample_every_s: at most one memory sample line per this many seconds (0 = none).
report::Timeline build_timeline(const report::ExitsReport& r, double sample_every_s, std::optional<UsecUtc> since,
                                std::optional<UsecUtc> until);

}  // namespace crashsift::pipeline
