#pragma once
// What the app said before a moment (an exit): the last sample, the telemetry gap, peak rss
// and the least-squares rss slope over [t - window, t], and the app's own error events just
// before t. This is the `samples` block of every exit (man/crashsift-json.5).
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "crashsift/core/json_writer.hpp"
#include "crashsift/correlate/sample_series.hpp"

namespace crashsift::correlate {

// Least-squares slope of y over t (t in µs, result in y-units per second). nullopt with fewer
// than two points or when all t are equal. Computed around the means, so epoch-sized t do not
// lose precision.
std::optional<double> least_squares_slope(std::span<const std::pair<UsecUtc, double>> points);

struct RssWindow {
  size_t count = 0;                       // samples in [from, to] (with or without rss)
  std::optional<std::uint64_t> peak_rss;
  std::optional<double> slope_bytes_per_s;
  std::optional<std::uint64_t> min_rss;
};
// Samples with from <= time <= to.
RssWindow rss_window(const SampleSeries& s, UsecUtc from, UsecUtc to);

struct SampleSnapshot {
  UsecUtc at = 0;
  std::optional<std::uint64_t> rss_bytes, heap_bytes;
  std::vector<std::pair<std::string, std::int64_t>> activity;
  std::string where;                      // "app.ndjson:12"
};

struct AppErrorSummary {
  UsecUtc at = 0;
  std::string event;                      // "uncaughtException", "container.unhandled_rejection"
  std::string level;                      // "error", "fatal", "unknown"
  std::string message;
  std::string where;
};

struct SamplesSummary {
  SampleSnapshot last;
  double gap_s = 0;                       // exit time - last sample time
  double window_s = 0;
  size_t count = 0;                       // samples inside the window
  std::optional<std::uint64_t> peak_rss_bytes;
  std::optional<double> rss_slope_bytes_per_s;
  std::vector<AppErrorSummary> app_errors;   // oldest first, at most max_app_errors
  std::optional<std::string> app_version;
};

struct SummaryOptions {
  double max_gap_s = -1;          // a last sample older than this does not cover t; <0: max(window, 10 min)
  double error_lookback_s = 300;  // app errors in [t - min(window, this), t + error_lookahead_s]
  double error_lookahead_s = 2;   // the app's clock and the journal's may differ a little
  size_t max_app_errors = 10;
};

// The samples block for an exit at `exit_time`; nullopt when no sample of `app` lies at or
// before the exit within max_gap_s (the log does not cover that exit).
std::optional<SamplesSummary> summarize_before(const AppData& app, UsecUtc exit_time,
                                               double window_s, const SummaryOptions& options = {});

// Which app log describes an exit of `unit` (pid, time)? In order: a log given as UNIT=FILE for
// that unit; the only log when exactly one was given without a unit and `single_unit` (only one
// unit is selected); a unit-less log whose samples show `pid` in the lifetime that covers t.
// `how` says which rule matched ("UNIT= prefix", "only app log", "pid 4242 in the app log").
const AppData* pick_app_for_exit(const std::vector<AppData>& apps, std::string_view unit,
                                 std::optional<std::int64_t> pid, UsecUtc t, bool single_unit,
                                 std::string& how);



}  // namespace crashsift::correlate
