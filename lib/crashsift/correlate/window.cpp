#include "crashsift/correlate/window.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "crashsift/core/text.hpp"

namespace crashsift::correlate {

std::optional<double> least_squares_slope(std::span<const std::pair<UsecUtc, double>> pts) {
  if (pts.size() < 2) return std::nullopt;
  // Shift t by the first point before averaging: epoch µs (~1.8e15) squared would eat the
  // double's mantissa, offsets of hours do not.
  const UsecUtc t0 = pts.front().first;
  double mt = 0, my = 0;
  for (const auto& [t, y] : pts) mt += static_cast<double>(t - t0) / 1e6, my += y;
  mt /= static_cast<double>(pts.size());
  my /= static_cast<double>(pts.size());
  double sxy = 0, sxx = 0;
  for (const auto& [t, y] : pts) {
    const double dx = static_cast<double>(t - t0) / 1e6 - mt;
    sxy += dx * (y - my);
    sxx += dx * dx;
  }
  if (sxx <= 0) return std::nullopt;
  return sxy / sxx;
}

RssWindow rss_window(const SampleSeries& s, UsecUtc from, UsecUtc to) {
  RssWindow w;
  std::vector<std::pair<UsecUtc, double>> pts;
  const auto all = s.samples();
  for (size_t i = s.first_at_or_after(from); i < all.size() && all[i].time <= to; ++i) {
    ++w.count;
    if (!all[i].has_rss()) continue;
    const std::uint64_t r = all[i].rss;
    w.peak_rss = std::max(w.peak_rss.value_or(0), r);
    w.min_rss = std::min(w.min_rss.value_or(r), r);
    pts.emplace_back(all[i].time, static_cast<double>(r));
  }
  w.slope_bytes_per_s = least_squares_slope(pts);
  return w;
}

namespace {

SampleSnapshot snapshot(const AppData& app, const Sample& s) {
  SampleSnapshot snap;
  snap.at = s.time;
  if (s.has_rss()) snap.rss_bytes = s.rss;
  if (s.has_heap()) snap.heap_bytes = s.heap;
  for (const auto& a : app.series.activity(s)) snap.activity.emplace_back(app.series.name(a.name), a.value);
  snap.where = app.where(s.input, s.line);
  return snap;
}

std::vector<AppErrorSummary> errors_near(const AppData& app, UsecUtc from, UsecUtc to, size_t cap) {
  std::vector<AppErrorSummary> out;
  auto it = std::lower_bound(app.events.begin(), app.events.end(), from,
                             [](const AppEvent& e, UsecUtc t) { return e.time < t; });
  for (; it != app.events.end() && it->time <= to; ++it) {
    if (it->kind != input::AppRecordKind::error) continue;
    out.push_back({it->time, it->event, std::string(input::to_string(it->level)), it->text,
                   app.where(it->input, it->line)});
  }
  if (out.size() > cap) out.erase(out.begin(), out.end() - static_cast<std::ptrdiff_t>(cap));
  return out;
}

// The version of the lifetime the exit ends: the newest version seen at or before t in a
// sample or event.
std::optional<std::string> version_before(const AppData& app, UsecUtc t, size_t last_sample) {
  UsecUtc best_t = 0;
  std::uint32_t best = 0;
  const auto all = app.series.samples();
  for (size_t i = last_sample + 1; i-- > 0;)
    if (all[i].version) {
      best = all[i].version, best_t = all[i].time;
      break;
    }
  for (const auto& e : app.events)
    if (e.time <= t && e.version && e.time >= best_t) best = e.version, best_t = e.time;
  if (!best) return std::nullopt;
  return app.series.name(best);
}

}  // namespace

std::optional<SamplesSummary> summarize_before(const AppData& app, UsecUtc exit_time,
                                               double window_s, const SummaryOptions& o) {
  const auto idx = app.series.last_at_or_before(exit_time);
  if (!idx) return std::nullopt;
  const Sample& last = app.series.samples()[*idx];
  const double gap_s = static_cast<double>(exit_time - last.time) / 1e6;
  const double max_gap = o.max_gap_s >= 0 ? o.max_gap_s : std::max(window_s, 600.0);
  if (gap_s > max_gap) return std::nullopt;
  SamplesSummary s;
  s.last = snapshot(app, last);
  s.gap_s = gap_s;
  s.window_s = window_s;
  // The window never reaches back into an earlier process: its memory says nothing about
  // the one that exited.
  UsecUtc floor = std::numeric_limits<UsecUtc>::min();
  auto ls = std::upper_bound(app.lifetime_starts.begin(), app.lifetime_starts.end(), last.time);
  if (ls != app.lifetime_starts.begin()) floor = *(ls - 1);
  // ... nor forward into the next one (the error lookahead allows for clock skew only).
  const UsecUtc ceiling = ls != app.lifetime_starts.end() ? *ls - 1 : std::numeric_limits<UsecUtc>::max();
  const auto window_usec = static_cast<UsecUtc>(std::llround(window_s * 1e6));
  const RssWindow w = rss_window(app.series, std::max(floor, exit_time - window_usec), exit_time);
  s.count = w.count;
  s.peak_rss_bytes = w.peak_rss;
  s.rss_slope_bytes_per_s = w.slope_bytes_per_s;
  const double look = std::min(window_s, o.error_lookback_s);
  s.app_errors = errors_near(app, std::max(floor, exit_time - static_cast<UsecUtc>(look * 1e6)),
                             std::min(ceiling, exit_time + static_cast<UsecUtc>(o.error_lookahead_s * 1e6)),
                             o.max_app_errors);
  s.app_version = version_before(app, exit_time, *idx);
  return s;
}

static bool pid_before(const AppData& app, std::int64_t pid, UsecUtc t) {
  const auto idx = app.series.last_at_or_before(t);
  if (!idx) return false;
  const auto all = app.series.samples();
  // The last few samples before t: a pid seen there is the process that exited.
  for (size_t i = *idx + 1, n = 0; i-- > 0 && n < 16; ++n)
    if (all[i].pid == pid) return true;
  return false;
}

const AppData* pick_app_for_exit(const std::vector<AppData>& apps, std::string_view unit,
                                 std::optional<std::int64_t> pid, UsecUtc t, bool single_unit,
                                 std::string& how) {
  for (const auto& a : apps)
    if (!a.unit.empty() && a.unit == unit) return how = "UNIT= prefix", &a;
  std::vector<const AppData*> unitless;
  for (const auto& a : apps)
    if (a.unit.empty()) unitless.push_back(&a);
  if (single_unit && unitless.size() == 1) return how = "only app log", unitless.front();
  if (pid)
    for (const AppData* a : unitless)
      if (pid_before(*a, *pid, t)) return how = "pid " + std::to_string(*pid) + " in the app log", a;
  how.clear();
  return nullptr;
}


}  // namespace crashsift::correlate
