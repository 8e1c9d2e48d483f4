#pragma once
// `crashsift memory`: is memory growth a leak or load? Per lifetime: rss spread and slope. The
// idle baseline uses only samples whose activity counts are all zero: a leak grows while the
// app does nothing, a working set grows with load and falls back when the work ends. The
// findings document's "idle flat at 84 MB" is exactly this number.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "crashsift/correlate/app_lifetimes.hpp"
#include "crashsift/correlate/sample_series.hpp"
#include "crashsift/correlate/window.hpp"

namespace crashsift::correlate {

struct RssStats {
  size_t count = 0;                       // samples with an rss value
  std::optional<std::uint64_t> min, median, max;
  std::optional<double> slope_bytes_per_s;
};
RssStats rss_stats(const SampleSeries& s, size_t first, size_t end);
std::optional<double> rss_slope(const SampleSeries& s, size_t first, size_t end);

struct LifetimeMemory {
  AppLifetime life;
  RssStats rss;
  bool near_limit = false;                // last samples >= 90% of --memory-limit
  std::optional<SamplesSummary> before_end;   // the samples block at the lifetime's last record
  std::string journal_exit;               // how the journal says it ended ("segfault (SIGILL) ..."), if given
};

struct IdleBaseline {
  bool activity_known = false;            // some sample carried an activity count
  size_t count = 0;                       // idle samples (all activity counts zero)
  std::optional<std::uint64_t> median_rss;
  std::optional<double> slope_bytes_per_h;   // pooled within-lifetime least squares
  double duration_s = 0;                  // idle time covered (consecutive idle samples)
  std::optional<std::uint64_t> first_rss, last_rss;
};
IdleBaseline idle_baseline(const SampleSeries& s, const std::vector<AppLifetime>& lives);

struct ActivityLevel {
  std::string label;                      // "0", "1", "2-3", "4-7", "8-15", ...
  std::int64_t lo = 0, hi = 0;
  size_t count = 0;
  std::uint64_t p50 = 0, p90 = 0, max = 0;
};
std::vector<ActivityLevel> rss_by_activity(const SampleSeries& s);

enum class Verdict : std::uint8_t { flat, leak, no_idle_samples, no_activity_field, too_short, no_samples };
std::string_view to_string(Verdict v);

struct MemoryOptions {
  std::optional<std::uint64_t> memory_limit;
  size_t sparkline_width = 60;
  double window_s = 600;                  // --window: peak/slope window before each lifetime end
  std::vector<UsecUtc> exit_marks;        // extra exits to mark (journal exits); lifetimes' ends are added
  double leak_min_bytes_per_h = 5.0 * 1048576;   // below this idle growth is noise
  double leak_min_fraction_per_h = 0.05;         // ... or below 5% of the idle median per hour
  double min_idle_s = 300;                       // less idle time than this: too short to judge
};

struct Sparkline {
  std::string bars;                       // one Unicode block per column, ' ' = no sample
  std::string marks;                      // '^' under columns holding an exit, ' ' elsewhere
  UsecUtc from = 0, to = 0;
  std::uint64_t lo = 0, hi = 0;
};
Sparkline sparkline(const SampleSeries& s, const std::vector<UsecUtc>& exits, size_t width);

struct MemoryReport {
  std::vector<LifetimeMemory> lifetimes;
  IdleBaseline idle;
  std::vector<ActivityLevel> by_activity;
  RssStats overall;
  Verdict verdict = Verdict::no_samples;
  std::string verdict_text;
  Sparkline spark;
  std::optional<std::uint64_t> memory_limit;
};

MemoryReport analyze_memory(const AppData& app, const MemoryOptions& options = {});

}  // namespace crashsift::correlate
