#include "crashsift/correlate/memory_analysis.hpp"

#include <algorithm>
#include <cmath>

#include "crashsift/core/text.hpp"
#include "crashsift/correlate/window.hpp"

namespace crashsift::correlate {

std::string_view to_string(Verdict v) {
  switch (v) {
    case Verdict::flat: return "flat";
    case Verdict::leak: return "leak";
    case Verdict::no_idle_samples: return "no-idle-samples";
    case Verdict::no_activity_field: return "no-activity-field";
    case Verdict::too_short: return "too-short";
    case Verdict::no_samples: return "no-samples";
  }
  return "no-samples";
}

namespace {

std::uint64_t percentile(std::vector<std::uint64_t>& v, double q) {
  const auto k = static_cast<size_t>(std::floor(q * static_cast<double>(v.size() - 1) + 0.5));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

bool is_idle(const SampleSeries& s, const Sample& x) {
  const auto total = s.activity_total(x);
  return total && *total == 0;
}

// "2-3", "4-7", ...: activity levels in powers of two keep the table short at any load.
std::pair<std::int64_t, std::int64_t> level_bucket(std::int64_t v) {
  if (v <= 1) return {v, v};
  std::int64_t lo = 2;
  while (lo * 2 <= v) lo *= 2;
  return {lo, lo * 2 - 1};
}

}  // namespace

// Least-squares slope of rss over [first, end) in two passes over the series: no copy of the
// points (a 4 GiB log has ~850k samples; a copy would cost 16 bytes each at the peak).
std::optional<double> rss_slope(const SampleSeries& s, size_t first, size_t end) {
  const auto all = s.samples();
  end = std::min(end, all.size());
  size_t n = 0;
  double mt = 0, my = 0;
  const UsecUtc t0 = first < end ? all[first].time : 0;
  for (size_t i = first; i < end; ++i)
    if (all[i].has_rss()) ++n, mt += static_cast<double>(all[i].time - t0) / 1e6, my += static_cast<double>(all[i].rss);
  if (n < 2) return std::nullopt;
  mt /= static_cast<double>(n), my /= static_cast<double>(n);
  double sxy = 0, sxx = 0;
  for (size_t i = first; i < end; ++i) {
    if (!all[i].has_rss()) continue;
    const double dx = static_cast<double>(all[i].time - t0) / 1e6 - mt;
    sxy += dx * (static_cast<double>(all[i].rss) - my), sxx += dx * dx;
  }
  if (sxx <= 0) return std::nullopt;
  return sxy / sxx;
}

RssStats rss_stats(const SampleSeries& s, size_t first, size_t end) {
  RssStats st;
  std::vector<std::uint64_t> v;
  const auto all = s.samples();
  for (size_t i = first; i < end && i < all.size(); ++i)
    if (all[i].has_rss()) v.push_back(all[i].rss);
  st.count = v.size();
  if (v.empty()) return st;
  st.min = *std::min_element(v.begin(), v.end());
  st.max = *std::max_element(v.begin(), v.end());
  st.median = percentile(v, 0.5);
  st.slope_bytes_per_s = rss_slope(s, first, end);
  return st;
}

IdleBaseline idle_baseline(const SampleSeries& s, const std::vector<AppLifetime>& lives) {
  IdleBaseline b;
  const auto all = s.samples();
  std::vector<std::uint64_t> rss;
  // Pooled within-lifetime slope: sum over lifetimes of centered cross products, so a restart
  // (rss back to its floor) does not look like negative growth.
  double sxy = 0, sxx = 0;
  const double max_step_s = std::max(60.0, 10 * median_sample_interval(s));
  for (const auto& l : lives) {
    // Pass 1: idle time, median input and the means; pass 2: the centered sums.
    size_t n = 0;
    double mx = 0, my = 0;
    UsecUtc prev = -1;
    for (size_t i = l.first_sample; i < l.end_sample; ++i) {
      if (all[i].activity_count) b.activity_known = true;
      if (!all[i].has_rss() || !is_idle(s, all[i])) {
        prev = -1;
        continue;
      }
      if (prev >= 0 && static_cast<double>(all[i].time - prev) / 1e6 <= max_step_s)
        b.duration_s += static_cast<double>(all[i].time - prev) / 1e6;
      prev = all[i].time;
      rss.push_back(all[i].rss);
      if (!b.first_rss) b.first_rss = all[i].rss;
      b.last_rss = all[i].rss;
      ++n, mx += static_cast<double>(all[i].time - l.start) / 3.6e9, my += static_cast<double>(all[i].rss);
    }
    if (n < 2) continue;
    mx /= static_cast<double>(n), my /= static_cast<double>(n);
    for (size_t i = l.first_sample; i < l.end_sample; ++i) {
      if (!all[i].has_rss() || !is_idle(s, all[i])) continue;
      const double dx = static_cast<double>(all[i].time - l.start) / 3.6e9 - mx;
      sxy += dx * (static_cast<double>(all[i].rss) - my), sxx += dx * dx;
    }
  }
  b.count = rss.size();
  if (!rss.empty()) b.median_rss = percentile(rss, 0.5);
  if (sxx > 0) b.slope_bytes_per_h = sxy / sxx;
  return b;
}

std::vector<ActivityLevel> rss_by_activity(const SampleSeries& s) {
  std::vector<std::pair<std::pair<std::int64_t, std::int64_t>, std::vector<std::uint64_t>>> groups;
  for (const auto& x : s.samples()) {
    const auto total = s.activity_total(x);
    if (!total || !x.has_rss()) continue;
    const auto b = level_bucket(*total);
    auto it = std::find_if(groups.begin(), groups.end(), [&](const auto& g) { return g.first == b; });
    if (it == groups.end()) it = groups.insert(groups.end(), {b, {}});
    it->second.push_back(x.rss);
  }
  std::sort(groups.begin(), groups.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<ActivityLevel> out;
  for (auto& [b, v] : groups) {
    ActivityLevel l;
    l.lo = b.first, l.hi = b.second;
    l.label = b.first == b.second ? std::to_string(b.first)
                                  : std::to_string(b.first) + "-" + std::to_string(b.second);
    l.count = v.size();
    l.max = *std::max_element(v.begin(), v.end());
    l.p90 = percentile(v, 0.9);
    l.p50 = percentile(v, 0.5);
    out.push_back(std::move(l));
  }
  return out;
}

Sparkline sparkline(const SampleSeries& s, const std::vector<UsecUtc>& exits, size_t width) {
  Sparkline sp;
  const auto all = s.samples();
  if (all.empty() || width == 0) return sp;
  sp.from = all.front().time, sp.to = all.back().time;
  const double span = std::max<double>(1.0, static_cast<double>(sp.to - sp.from));
  auto column = [&](UsecUtc t) {
    const double f = static_cast<double>(t - sp.from) / span;
    return std::min(width - 1, static_cast<size_t>(std::max(0.0, f * static_cast<double>(width))));
  };
  std::vector<std::uint64_t> peak(width, 0);
  std::vector<bool> has(width, false);
  sp.lo = no_bytes;
  for (const auto& x : all) {
    if (!x.has_rss()) continue;
    const size_t c = column(x.time);
    peak[c] = std::max(peak[c], x.rss), has[c] = true;
    sp.lo = std::min(sp.lo, x.rss), sp.hi = std::max(sp.hi, x.rss);
  }
  if (sp.lo == no_bytes) sp.lo = 0;
  static const char* blocks[] = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
  const double range = static_cast<double>(sp.hi - sp.lo);
  for (size_t c = 0; c < width; ++c) {
    if (!has[c]) { sp.bars += ' '; continue; }
    const double f = range > 0 ? static_cast<double>(peak[c] - sp.lo) / range : 0.5;
    sp.bars += blocks[std::min<size_t>(7, static_cast<size_t>(f * 8))];
  }
  sp.marks.assign(width, ' ');
  for (UsecUtc t : exits)
    if (t >= sp.from && t <= sp.to + (sp.to - sp.from) / static_cast<UsecUtc>(width)) sp.marks[column(t)] = '^';
  while (!sp.marks.empty() && sp.marks.back() == ' ') sp.marks.pop_back();
  return sp;
}

namespace {

std::string signed_rate(double bytes_per_h) {
  const double a = std::fabs(bytes_per_h);
  return (bytes_per_h < 0 ? "-" : "+") + format_bytes(static_cast<std::uint64_t>(std::llround(a))) + "/h";
}

void decide(MemoryReport& r, const MemoryOptions& o) {
  const IdleBaseline& b = r.idle;
  if (r.overall.count == 0) {
    r.verdict = Verdict::no_samples;
    r.verdict_text = "no memory samples found: nothing to judge";
    return;
  }
  if (!b.activity_known) {
    r.verdict = Verdict::no_activity_field;
    r.verdict_text = "no activity count in the samples: cannot tell idle from load (use --field activity=PATH)";
    return;
  }
  if (b.count < 3 || !b.slope_bytes_per_h || !b.median_rss) {
    r.verdict = Verdict::no_idle_samples;
    r.verdict_text = "too few idle samples (" + std::to_string(b.count) + ") to separate a leak from load";
    return;
  }
  const double limit = std::max(o.leak_min_bytes_per_h, o.leak_min_fraction_per_h * static_cast<double>(*b.median_rss));
  const std::string over = format_duration(b.duration_s);
  if (*b.slope_bytes_per_h > limit) {
    r.verdict = b.duration_s < o.min_idle_s ? Verdict::too_short : Verdict::leak;
    r.verdict_text = "idle growth " + signed_rate(*b.slope_bytes_per_h) + " over " + over + " (" +
                     format_bytes(b.first_rss.value_or(0)) + " -> " + format_bytes(b.last_rss.value_or(0)) + ")" +
                     (r.verdict == Verdict::leak ? ": probable leak" : ": idle time too short to call it a leak");
    return;
  }
  const bool load_grows = r.overall.max && static_cast<double>(*r.overall.max) > 1.5 * static_cast<double>(*b.median_rss);
  r.verdict = b.duration_s < o.min_idle_s ? Verdict::too_short : Verdict::flat;
  r.verdict_text = "idle memory flat at " + format_bytes(*b.median_rss) + " over " + over + " (slope " +
                   signed_rate(*b.slope_bytes_per_h) + ")" +
                   (r.verdict == Verdict::too_short ? ": idle time too short to rule out a leak"
                    : load_grows ? ": growth follows load, not a leak" : ": no leak seen");
}

}  // namespace

MemoryReport analyze_memory(const AppData& app, const MemoryOptions& o) {
  MemoryReport r;
  r.memory_limit = o.memory_limit;
  const auto lives = infer_lifetimes(app);
  std::vector<UsecUtc> marks = o.exit_marks;
  for (const auto& l : lives) {
    LifetimeMemory m{l, rss_stats(app.series, l.first_sample, l.end_sample), false, std::nullopt};
    m.before_end = summarize_before(app, l.end, o.window_s);
    if (o.memory_limit) m.near_limit = ends_near_limit(app, l, *o.memory_limit);
    if (l.end_kind == LifetimeEnd::next_start) marks.push_back(l.end);
    r.lifetimes.push_back(std::move(m));
  }
  r.overall = rss_stats(app.series, 0, app.series.size());
  r.idle = idle_baseline(app.series, lives);
  r.by_activity = rss_by_activity(app.series);
  r.spark = sparkline(app.series, marks, o.sparkline_width);
  decide(r, o);
  return r;
}

}  // namespace crashsift::correlate
