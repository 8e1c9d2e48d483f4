#pragma once
// Process lifetimes seen from the app log alone (no journal): a new lifetime starts at a start
// marker (cold_start, boot, startup...), when the pid or the app version changes, or after a
// long silence. The end of a lifetime that is followed by another one is an exit the app log
// proves happened, even when no journal record says so (the PR's external SIGKILL case).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "crashsift/correlate/sample_series.hpp"

namespace crashsift::correlate {

enum class LifetimeEnd : std::uint8_t {
  next_start,   // another lifetime follows: this process ended between `end` and the next start
  log_end,      // the log stops here: still running, or the last exit
};
std::string_view to_string(LifetimeEnd e);

struct AppLifetime {
  UsecUtc start = 0;               // first record of the lifetime
  UsecUtc end = 0;                 // last record of the lifetime
  std::string start_reason;        // "cold_start marker (app.ndjson:12)", "pid 41 -> 97", ...
  LifetimeEnd end_kind = LifetimeEnd::log_end;
  std::optional<UsecUtc> next_start;
  std::int64_t pid = -1;
  std::string version;
  size_t first_sample = 0, end_sample = 0;   // [first, end) indices into the series
  std::vector<size_t> errors;                // indices into AppData::events
  size_t sample_count() const { return end_sample - first_sample; }
};

struct LifetimeOptions {
  // A silence longer than max(gap_min_s, gap_factor x median sample interval) starts a new
  // lifetime even without a marker (a host that was down leaves no marker).
  double gap_min_s = 300;
  double gap_factor = 20;
};

std::vector<AppLifetime> infer_lifetimes(const AppData& app, const LifetimeOptions& o = {});

// True when the largest rss of the lifetime's last `tail` samples is at least fraction x limit:
// the basis for calling an exit without a record `oom` (confidence inferred).
bool ends_near_limit(const AppData& app, const AppLifetime& life, std::uint64_t limit,
                     double fraction = 0.9, size_t tail = 3);

// Median interval between consecutive samples, in seconds (0 with fewer than two samples).
double median_sample_interval(const SampleSeries& s);

}  // namespace crashsift::correlate
