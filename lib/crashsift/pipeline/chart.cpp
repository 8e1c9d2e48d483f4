#include "crashsift/pipeline/chart.hpp"

#include <algorithm>
#include <cmath>
#include <cctype>
#include <cstdio>
#include <functional>

#include "crashsift/core/text.hpp"
#include "crashsift/correlate/memory_analysis.hpp"

namespace crashsift::pipeline {

namespace {

using classify::ExitClass;

constexpr double chart_width = 960, plot_left = 74, plot_top = 60, plot_width = 866;
constexpr double memory_plot_height = 260, exits_only_plot_height = 110;
constexpr double marker_group_px = 3;      // exits closer than this share a marker (per class)
constexpr size_t max_table_rows = 40;      // more markers than this: no table, hover only
constexpr size_t class_count = 8;

size_t class_index(ExitClass c) { return static_cast<size_t>(c); }

std::string clock_text(UsecUtc t, const Zone& z, bool with_date) {
  const std::string s = format_in_zone(t, z);  // "2026-06-28 09:05:13"
  return with_date ? s.substr(5, 11) : s.substr(11, 8);
}

// Binary sizes for the axis: "0", "512 MiB", "1.5 GiB".
std::string size_label(double bytes) {
  if (bytes <= 0) return "0";
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (bytes >= 1024 && u < 4) bytes /= 1024, ++u;
  char b[32];
  if (std::fabs(bytes - std::round(bytes)) < 0.05) std::snprintf(b, sizeof b, "%.0f %s", bytes, units[u]);
  else std::snprintf(b, sizeof b, "%.1f %s", bytes, units[u]);
  return b;
}

struct Axis {
  UsecUtc from = 0, to = 0;
  double x0 = 0, w = 0;
  double x(UsecUtc t) const { return x0 + static_cast<double>(t - from) / static_cast<double>(to - from) * w; }
};

// Ticks every 1 s ... 1 week, the smallest step that gives at most 10 ticks, aligned to the
// zone's clock (a tick at 09:00 local, not at a UTC boundary).
std::vector<report::ChartTick> time_ticks(const Axis& a, const Zone& z) {
  static const std::int64_t steps_s[] = {1,     2,     5,     10,     15,      30,      60,      120,     300,
                                         600,   900,   1800,  3600,   7200,    10800,   21600,   43200,   86400,
                                         172800, 604800, 1209600, 2592000, 7776000, 15552000, 31536000, 315360000};
  const double span_s = static_cast<double>(a.to - a.from) / 1e6;
  std::int64_t step = steps_s[std::size(steps_s) - 1];
  for (std::int64_t s : steps_s)
    if (span_s / static_cast<double>(s) <= 10) {
      step = s;
      break;
    }
  std::vector<report::ChartTick> ticks;
  const std::int64_t offset = z.offset_at(a.from);
  const std::int64_t local_from = a.from / usec_per_sec + offset;
  std::int64_t local = (local_from / step + (local_from % step ? 1 : 0)) * step;
  if (step == 604800) local -= ((local / 86400 + 3) % 7) * 86400;  // weeks start on Monday
  const bool years = a.to - a.from > 300LL * 86400 * usec_per_sec;
  std::string previous_date;
  for (; ticks.size() < 40; local += step) {
    const UsecUtc t = (local - z.offset_at(local * usec_per_sec - offset * usec_per_sec)) * usec_per_sec;
    if (t > a.to) break;
    if (t < a.from) continue;
    const std::string full = format_in_zone(t, z);
    const std::string date = full.substr(0, 10);
    std::string label;
    if (years) label = full.substr(0, 10);
    else if (step >= 86400) label = full.substr(5, 5);
    else if (date != previous_date) label = full.substr(5, 5) + " " + full.substr(11, step < 60 ? 8 : 5);
    else label = full.substr(11, step < 60 ? 8 : 5);
    previous_date = date;
    // A local time that does not exist (the hour a DST change skips) lands on the tick before.
    if (!ticks.empty() && std::fabs(ticks.back().at - a.x(t)) < 1) continue;
    ticks.push_back({a.x(t), label});
  }
  return ticks;
}

struct Reduced {
  std::vector<report::ChartColumn> rss, heap;
  double high = 0;
};

// Samples to min/max per pixel column; a silence longer than the gap threshold breaks the line.
Reduced reduce_samples(const correlate::SampleSeries& s, const Axis& a, const std::function<double(double)>& y_of) {
  Reduced r;
  const auto samples = s.samples();
  std::vector<UsecUtc> deltas;
  for (size_t i = 1; i < samples.size(); ++i) deltas.push_back(samples[i].time - samples[i - 1].time);
  UsecUtc median = 0;
  if (!deltas.empty()) {
    std::nth_element(deltas.begin(), deltas.begin() + static_cast<std::ptrdiff_t>(deltas.size() / 2), deltas.end());
    median = deltas[deltas.size() / 2];
  }
  const UsecUtc column_usec = static_cast<UsecUtc>(static_cast<double>(a.to - a.from) / a.w);
  const UsecUtc gap = std::max({4 * median, 3 * column_usec, UsecUtc{60} * usec_per_sec});
  auto reduce = [&](bool heap, std::vector<report::ChartColumn>& out) {
    long column = -1;
    double lo = 0, hi = 0;
    std::optional<UsecUtc> previous;
    bool joined = false;
    auto flush = [&] {
      if (column < 0) return;
      out.push_back({a.x0 + static_cast<double>(column) + 0.5, lo, hi, joined});
    };
    for (const auto& smp : samples) {
      if (heap ? !smp.has_heap() : !smp.has_rss()) continue;
      if (smp.time < a.from || smp.time > a.to) continue;  // a close-up draws its span only
      const double v = static_cast<double>(heap ? smp.heap : smp.rss);
      const long c = std::clamp(static_cast<long>((a.x(smp.time) - a.x0)), 0L, static_cast<long>(a.w) - 1);
      const bool connected = previous && smp.time - *previous <= gap;
      previous = smp.time;
      if (c != column || !connected) {
        flush();
        joined = connected && column >= 0;
        column = c;
        lo = hi = v;
      } else {
        lo = std::min(lo, v), hi = std::max(hi, v);
      }
      r.high = std::max(r.high, v);
    }
    flush();
  };
  reduce(false, r.rss);
  reduce(true, r.heap);
  for (auto* cols : {&r.rss, &r.heap})
    for (auto& c : *cols) c.y_low = y_of(c.y_low), c.y_high = y_of(c.y_high);
  return r;
}

// A nice binary step for the memory axis: 1, 2 or 5 times a power of 1024 ... (in bytes).
double memory_step(double top) {
  double unit = 1;
  while (unit * 1024 <= top) unit *= 1024;
  for (double m : {0.125, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0})
    if (top / (unit * m) <= 6) return unit * m;
  return unit * 1024;
}

struct Group {
  std::uint64_t count = 0;
  UsecUtc first = 0, last = 0;
  std::string label;  // when count == 1
};

std::vector<report::ChartMarker> group_markers(const ChartExits& e, const Axis& a, const Zone& z,
                                               std::array<std::uint64_t, class_count>& totals) {
  std::map<std::pair<long, size_t>, Group> groups;  // (group of columns, class)
  auto put = [&](UsecUtc t, size_t cls, std::uint64_t n, UsecUtc first, UsecUtc last, const std::string* label) {
    if (t < a.from || t > a.to) return;  // outside a close-up's span
    const long g = static_cast<long>(std::floor((a.x(t) - a.x0) / marker_group_px));
    Group& grp = groups[{g, cls}];
    if (grp.count == 0) grp.first = first, grp.last = last;
    grp.first = std::min(grp.first, first), grp.last = std::max(grp.last, last);
    grp.count += n;
    if (label && grp.count == 1) grp.label = *label;
    totals[cls] += n;
  };
  if (!e.aggregated()) {
    for (const auto& x : e.exact()) put(x.at, class_index(x.cls), 1, x.at, x.at, &x.label);
  } else {
    for (const auto& [i, b] : e.buckets())
      for (size_t c = 0; c < class_count; ++c)
        if (b.counts[c]) put(e.bucket_origin() + i * e.bucket_width() + e.bucket_width() / 2, c, b.counts[c], b.first[c], b.last[c], nullptr);
  }
  std::vector<report::ChartMarker> out;
  for (const auto& [key, g] : groups) {
    report::ChartMarker m;
    m.cls = static_cast<ExitClass>(key.second);
    m.count = g.count;
    m.first = g.first;
    m.last = g.last;
    m.x = std::clamp(a.x(g.first / 2 + g.last / 2 + (g.first % 2 + g.last % 2) / 2), a.x0, a.x0 + a.w);
    if (g.count == 1 && !g.label.empty()) {
      m.label = g.label;
    } else {
      const bool dates = format_in_zone(g.first, z).substr(0, 10) != format_in_zone(g.last, z).substr(0, 10);
      m.label = std::to_string(g.count) + " × " + std::string(to_string(m.cls)) + ", " + clock_text(g.first, z, dates) +
                (g.first == g.last ? "" : "–" + clock_text(g.last, z, dates));
    }
    out.push_back(std::move(m));
  }
  std::stable_sort(out.begin(), out.end(), [](const report::ChartMarker& l, const report::ChartMarker& r) { return l.first < r.first; });
  constexpr double count_room_px = 18;
  for (size_t i = 0; i < out.size(); ++i)
    out[i].show_count = out[i].count > 1 && (i == 0 || out[i].x - out[i - 1].x >= count_room_px) &&
                        (i + 1 == out.size() || out[i + 1].x - out[i].x >= count_room_px);
  return out;
}

std::string file_safe(std::string_view s) {
  std::string o;
  for (char c : s) o += (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_' || c == '@') ? c : '_';
  return o.empty() ? "chart" : o;
}

}  // namespace

void ChartExits::add(UsecUtc t, ExitClass cls, std::string label) {
  ++count_;
  first_ = first_ ? std::min(*first_, t) : t;
  last_ = last_ ? std::max(*last_, t) : t;
  if (!aggregated_) {
    exact_.push_back({t, cls, std::move(label)});
    if (exact_.size() > max_exact) to_buckets();
    return;
  }
  fold(t, cls);
}

void ChartExits::to_buckets() {
  aggregated_ = true;
  width_ = std::max<UsecUtc>(usec_per_sec, (*last_ - *first_) / static_cast<UsecUtc>(max_buckets / 2) + 1);
  origin_ = *first_;
  for (const auto& x : exact_) fold(x.at, x.cls);
  std::vector<Exact>().swap(exact_);
}

void ChartExits::fold(UsecUtc t, ExitClass cls) {
  const auto index = [&](UsecUtc at) {
    const UsecUtc d = at - origin_;
    return d >= 0 ? d / width_ : -((-d + width_ - 1) / width_);
  };
  Bucket& b = buckets_[index(t)];
  const size_t k = class_index(cls);
  b.first[k] = b.counts[k] ? std::min(b.first[k], t) : t;
  b.last[k] = b.counts[k] ? std::max(b.last[k], t) : t;
  ++b.counts[k];
  // Too many buckets: each twice as wide (neighbours merged), so memory stays bounded.
  while (buckets_.size() > max_buckets) {
    std::map<std::int64_t, Bucket> wider;
    for (const auto& [i, bk] : buckets_) {
      const std::int64_t j = i >= 0 ? i / 2 : -((-i + 1) / 2);
      Bucket& w = wider[j];
      for (size_t c = 0; c < 8; ++c) {
        if (!bk.counts[c]) continue;
        w.first[c] = w.counts[c] ? std::min(w.first[c], bk.first[c]) : bk.first[c];
        w.last[c] = w.counts[c] ? std::max(w.last[c], bk.last[c]) : bk.last[c];
        w.counts[c] += bk.counts[c];
      }
    }
    buckets_ = std::move(wider);
    width_ *= 2;
  }
}

void ChartVersions::add(UsecUtc start, UsecUtc end, const std::string& version) {
  if (version.empty() || end < start) return;
  if (!spans_.empty() && spans_.back().version == version && start >= spans_.back().from) {
    spans_.back().to = std::max(spans_.back().to, end);
    return;
  }
  if (spans_.size() >= max_spans) {
    overflow_ = true;
    return;
  }
  spans_.push_back({start, end, version});
}

std::string chart_exit_label(const classify::Exit& x, const Zone& zone) {
  std::string s = x.exited_at ? format_in_zone(*x.exited_at, zone).substr(5, 14) : std::string("?");  // "06-28 09:05:13"
  s += " " + std::string(to_string(x.cls));
  if (!x.signal.empty()) s += " SIG" + x.signal;
  else if (x.code) s += " exit " + std::to_string(*x.code);
  if (x.pid) s += " pid " + std::to_string(*x.pid);
  const std::string why = !x.reason.empty() ? x.reason : x.cause;
  if (!why.empty()) s += ": " + (why.size() > 110 ? why.substr(0, 107) + "..." : why);
  if (!x.runtime.empty()) s += " [" + x.runtime + "]";
  return s;
}

report::Chart build_chart(const ChartSource& src) {
  report::Chart c;
  c.unit = src.unit;
  c.id = file_safe(src.unit);
  c.title = src.unit + ": " + (src.samples && !src.samples->empty() ? "memory and exits" : "exits");
  const bool memory = src.samples && !src.samples->empty();
  // The time axis covers the samples, the exits and the version runs, with a little margin.
  std::optional<UsecUtc> lo, hi;
  auto cover = [&](UsecUtc t) { lo = lo ? std::min(*lo, t) : t, hi = hi ? std::max(*hi, t) : t; };
  if (src.window) {
    cover(src.window->first), cover(src.window->second);
  } else {
    if (memory) cover(src.samples->samples().front().time), cover(src.samples->samples().back().time);
    if (src.exits && src.exits->count()) cover(*src.exits->first()), cover(*src.exits->last());
    if (src.versions)
      for (const auto& v : src.versions->spans()) cover(v.from), cover(v.to);
  }
  if (!lo) lo = hi = 0;
  UsecUtc span = std::max<UsecUtc>(*hi - *lo, 10 * 60 * usec_per_sec);
  const UsecUtc mid = *lo / 2 + *hi / 2;
  UsecUtc from = *hi - *lo < 10 * 60 * usec_per_sec ? mid - span / 2 : *lo;
  UsecUtc to = from + span;
  if (!src.window) from -= span / 60, to += span / 60;
  Axis a{from, to, plot_left, plot_width};
  c.from = from, c.to = to;
  c.plot_x = plot_left, c.plot_y = plot_top, c.plot_w = plot_width;
  c.plot_h = memory ? memory_plot_height : exits_only_plot_height;
  c.width = chart_width;
  const std::string zone_name = src.zone.is_utc() ? "UTC" : (src.zone.name().empty() ? "local time" : src.zone.name());
  c.time_axis = "time (" + zone_name + ")";
  c.x_ticks = time_ticks(a, src.zone);

  if (memory) {
    double top = 0;
    for (const auto& s : src.samples->samples()) {
      if (s.has_rss()) top = std::max(top, static_cast<double>(s.rss));
      if (s.has_heap()) top = std::max(top, static_cast<double>(s.heap));
    }
    const bool limit_near = src.memory_limit && static_cast<double>(*src.memory_limit) <= top * 1.6;
    if (limit_near) top = std::max(top, static_cast<double>(*src.memory_limit));
    const double step = memory_step(std::max(top * 1.08, 1.0));
    const double y_max = std::max(std::ceil(top * 1.08 / step) * step, step);  // all-zero samples: still an axis
    auto y_of = [&](double v) { return c.plot_y + c.plot_h - v / y_max * c.plot_h; };
    for (double v = 0; v <= y_max + step / 2; v += step) c.y_ticks.push_back({y_of(v), size_label(v)});
    Reduced r = reduce_samples(*src.samples, a, y_of);
    if (!r.rss.empty()) c.series.push_back({"rss", std::move(r.rss)});
    if (!r.heap.empty()) c.series.push_back({"heap", std::move(r.heap)});
    if (src.idle_rss && static_cast<double>(*src.idle_rss) <= y_max)
      c.idle = report::ChartLine{y_of(static_cast<double>(*src.idle_rss)), "idle " + format_bytes(*src.idle_rss)};
    if (limit_near) c.limit = report::ChartLine{y_of(static_cast<double>(*src.memory_limit)), "limit " + format_bytes(*src.memory_limit)};
    else if (src.memory_limit) c.note = "memory limit " + format_bytes(*src.memory_limit) + " (far above the samples)";
  } else {
    c.note = "no memory samples: exits only";
  }
  if (src.versions) {
    std::vector<std::string> seen;
    for (const auto& v : src.versions->spans()) {
      auto it = std::find(seen.begin(), seen.end(), v.version);
      const size_t shade = static_cast<size_t>(it - seen.begin());
      if (it == seen.end()) seen.push_back(v.version);
      if (v.to < from || v.from > to) continue;
      c.bands.push_back({std::max(a.x(v.from), a.x0), std::min(a.x(v.to), a.x0 + a.w), v.version, shade});
    }
    if (src.versions->overflow()) c.note += std::string(c.note.empty() ? "" : "; ") + "too many version changes: later ones not drawn";
  }
  std::array<std::uint64_t, class_count> totals{};
  if (src.exits) c.markers = group_markers(*src.exits, a, src.zone, totals);
  for (size_t k = 0; k < class_count; ++k)
    if (totals[k]) c.totals.push_back({static_cast<ExitClass>(k), totals[k]});
  c.exits_charted = 0;
  for (auto n : totals) c.exits_charted += n;
  c.table_y = c.plot_y + c.plot_h + 52 + 2 * 18 + 10;
  c.table_rows = c.markers.size() <= max_table_rows ? c.markers.size() : 0;
  c.height = c.table_y + (c.table_rows ? 16.0 * static_cast<double>(c.table_rows) : 16.0) + 6;
  return c;
}

void ChartSet::add(const classify::Exit& x) {
  if (!x.exited_at) return;
  auto [it, fresh] = index_.try_emplace(x.unit, units_.size());
  if (fresh) units_.push_back({x.unit, {}, {}});
  PerUnit& u = units_[it->second];
  u.exits.add(*x.exited_at, x.cls, u.exits.aggregated() ? std::string() : chart_exit_label(x, zone_));
  if (x.started_at) u.versions.add(*x.started_at, *x.exited_at, x.runtime);
}

// When the app log covers less than half of the chart's span (the journal reaches further back
// than the telemetry), the memory is squeezed into a corner: a second chart shows the log's own
// span, with the exits in it, so the idle line and the growth before each death can be read.
static void add_close_up(ChartSource src, std::vector<report::Chart>& out) {
  if (!src.samples || src.samples->empty()) return;
  const report::Chart& full = out.back();
  const UsecUtc s0 = src.samples->samples().front().time, s1 = src.samples->samples().back().time;
  if (s1 <= s0 || 2 * (s1 - s0) >= full.to - full.from) return;
  const UsecUtc margin = (s1 - s0) / 40;
  src.window = std::make_pair(s0 - margin, s1 + margin);
  report::Chart close = build_chart(src);
  close.id += "-app-log-span";
  close.title = src.unit + ": the app log's span, " + format_in_zone(s0, src.zone).substr(5, 11) + " – " +
                format_in_zone(s1, src.zone).substr(5, 11);
  out.push_back(std::move(close));
}

// Two units whose names differ only in characters a file name cannot hold would share a file.
static void make_ids_unique(std::vector<report::Chart>& charts) {
  std::map<std::string, int> seen;
  for (auto& c : charts)
    if (const int n = seen[c.id]++; n > 0) c.id += "-" + std::to_string(n + 1);
}

std::vector<report::Chart> ChartSet::build(const std::vector<correlate::AppData>& apps, std::optional<std::uint64_t> memory_limit,
                                           const std::vector<std::optional<std::uint64_t>>& idle_rss) const {
  std::vector<report::Chart> out;
  std::vector<bool> app_used(apps.size(), false);
  auto idle_of = [&](size_t i) -> std::optional<std::uint64_t> {
    if (i < idle_rss.size()) return idle_rss[i];
    correlate::MemoryOptions mo;
    mo.memory_limit = memory_limit;
    return correlate::analyze_memory(apps[i], mo).idle.median_rss;
  };
  for (const auto& u : units_) {
    ChartSource src;
    src.unit = u.unit;
    src.exits = &u.exits;
    src.versions = &u.versions;
    src.memory_limit = memory_limit;
    src.zone = zone_;
    for (size_t i = 0; i < apps.size(); ++i) {
      // A log given for this unit, or the only log without a unit when the run has one unit.
      if (apps[i].unit == u.unit || (apps[i].unit.empty() && units_.size() == 1)) {
        src.samples = &apps[i].series;
        src.idle_rss = idle_of(i);
        app_used[i] = true;
        break;
      }
    }
    out.push_back(build_chart(src));
    add_close_up(src, out);
  }
  for (size_t i = 0; i < apps.size(); ++i) {
    if (app_used[i] || apps[i].series.empty()) continue;
    ChartSource src;
    src.unit = apps[i].unit.empty() ? (apps[i].files.empty() ? "app" : apps[i].files.front()) : apps[i].unit;
    src.samples = &apps[i].series;
    src.idle_rss = idle_of(i);
    src.memory_limit = memory_limit;
    src.zone = zone_;
    out.push_back(build_chart(src));
  }
  make_ids_unique(out);
  return out;
}

std::vector<report::Chart> memory_charts(const std::vector<correlate::AppData>& apps,
                                         const std::vector<correlate::MemoryReport>& memory_of_app,
                                         const std::vector<classify::Exit>& exits,
                                         std::optional<std::uint64_t> memory_limit, const Zone& zone) {
  std::vector<report::Chart> out;
  for (size_t a = 0; a < apps.size() && a < memory_of_app.size(); ++a) {
    const correlate::AppData& app = apps[a];
    const correlate::MemoryReport& memory = memory_of_app[a];
    ChartExits marks;
    ChartVersions versions;
    for (const auto& x : exits) {
      if (!x.exited_at || (!app.unit.empty() && x.unit != app.unit)) continue;
      marks.add(*x.exited_at, x.cls, marks.aggregated() ? std::string() : chart_exit_label(x, zone));
      if (x.started_at) versions.add(*x.started_at, *x.exited_at, x.runtime);
    }
    if (versions.spans().empty())
      for (const auto& l : memory.lifetimes) versions.add(l.life.start, l.life.end, l.life.version);
    ChartSource src;
    src.unit = !app.unit.empty() ? app.unit : (app.files.empty() ? "app" : app.files.front());
    src.samples = &app.series;
    src.exits = &marks;
    src.versions = &versions;
    src.idle_rss = memory.idle.median_rss;
    src.memory_limit = memory_limit;
    src.zone = zone;
    out.push_back(build_chart(src));
  }
  make_ids_unique(out);
  return out;
}

}  // namespace crashsift::pipeline
