#include "crashsift/correlate/app_lifetimes.hpp"

#include <algorithm>
#include <cmath>

namespace crashsift::correlate {

std::string_view to_string(LifetimeEnd e) {
  return e == LifetimeEnd::next_start ? "next-start" : "log-end";
}

double median_sample_interval(const SampleSeries& s) {
  const auto all = s.samples();
  if (all.size() < 2) return 0;
  std::vector<double> d;
  d.reserve(std::min<size_t>(all.size() - 1, 20000));
  const size_t step = std::max<size_t>(1, (all.size() - 1) / 20000);  // a sample of intervals is enough
  for (size_t i = 1; i < all.size(); i += step) d.push_back(static_cast<double>(all[i].time - all[i - 1].time) / 1e6);
  std::nth_element(d.begin(), d.begin() + static_cast<std::ptrdiff_t>(d.size() / 2), d.end());
  return d[d.size() / 2];
}

namespace {

// One point of the merged timeline of samples and events.
struct Point {
  UsecUtc time;
  std::int64_t pid;
  std::uint32_t version;
  bool marker;
  size_t sample;   // index, or npos for an event
  size_t event;    // index, or npos for a sample
  std::uint16_t input;
  std::uint32_t line;
};
constexpr size_t npos = static_cast<size_t>(-1);

Point sample_point(const AppData& app, size_t i) {
  const Sample& x = app.series.samples()[i];
  return {x.time, x.pid, x.version, false, i, npos, x.input, x.line};
}

Point event_point(const AppData& app, size_t i) {
  const AppEvent& e = app.events[i];
  return {e.time, e.pid, e.version, e.boot_marker, npos, i, e.input, e.line};
}

// Visits samples and events merged by time without building the merged list (it would cost
// ~48 bytes per sample at the peak). At equal times a start marker goes first, so that it
// opens the lifetime its samples belong to; other events follow the samples.
template <typename F>
void for_each_point(const AppData& app, F&& f) {
  const size_t ns = app.series.size(), ne = app.events.size();
  size_t i = 0, j = 0;
  while (i < ns || j < ne) {
    bool take_event = j < ne;
    if (take_event && i < ns) {
      const UsecUtc ts = app.series.samples()[i].time, te = app.events[j].time;
      take_event = te < ts || (te == ts && app.events[j].boot_marker);
    }
    f(take_event ? event_point(app, j++) : sample_point(app, i++));
  }
}

class Builder {
 public:
  Builder(const AppData& app, double gap_s) : app_(app), gap_usec_(static_cast<UsecUtc>(gap_s * 1e6)) {}
  void feed(const Point& p);
  std::vector<AppLifetime> finish();

 private:
  std::string why_new(const Point& p) const;
  void open(const Point& p, std::string reason);
  const AppData& app_;
  UsecUtc gap_usec_;
  std::vector<AppLifetime> out_;
  bool has_content_ = false;   // the current lifetime has a sample or a non-marker event
};

std::string Builder::why_new(const Point& p) const {
  if (out_.empty()) return "start of log";
  const AppLifetime& cur = out_.back();
  // Built only when a boundary is found: this runs for every sample.
  auto where = [&] { return " (" + app_.where(p.input, p.line) + ")"; };
  if (p.marker && has_content_) {
    const std::string& name = app_.events[p.event].event;
    return (name.empty() ? std::string("start marker") : name + " marker") + where();
  }
  if (p.pid >= 0 && cur.pid >= 0 && p.pid != cur.pid)
    return "pid " + std::to_string(cur.pid) + " -> " + std::to_string(p.pid) + where();
  if (p.version && !cur.version.empty() && app_.series.name(p.version) != cur.version)
    return "version " + cur.version + " -> " + app_.series.name(p.version) + where();
  if (p.time - cur.end > gap_usec_)
    return "telemetry gap of " + format_duration(static_cast<double>(p.time - cur.end) / 1e6) + where();
  return {};
}

void Builder::open(const Point& p, std::string reason) {
  if (!out_.empty()) {
    out_.back().end_kind = LifetimeEnd::next_start;
    out_.back().next_start = p.time;
  }
  AppLifetime l;
  l.start = l.end = p.time;
  l.start_reason = std::move(reason);
  l.first_sample = l.end_sample = p.sample != npos ? p.sample : app_.series.first_at_or_after(p.time);
  out_.push_back(std::move(l));
  has_content_ = false;
}

void Builder::feed(const Point& p) {
  if (std::string why = why_new(p); !why.empty()) open(p, std::move(why));
  AppLifetime& cur = out_.back();
  cur.end = std::max(cur.end, p.time);
  if (p.pid >= 0) cur.pid = p.pid;
  if (p.version) cur.version = app_.series.name(p.version);
  if (p.sample != npos) cur.end_sample = p.sample + 1;
  if (p.event != npos && app_.events[p.event].kind == input::AppRecordKind::error)
    cur.errors.push_back(p.event);
  if (!p.marker) has_content_ = true;
}

std::vector<AppLifetime> Builder::finish() {
  for (auto& l : out_) l.end_sample = std::max(l.end_sample, l.first_sample);
  return std::move(out_);
}

}  // namespace

std::vector<AppLifetime> infer_lifetimes(const AppData& app, const LifetimeOptions& o) {
  const double gap_s = std::max(o.gap_min_s, o.gap_factor * median_sample_interval(app.series));
  Builder b(app, gap_s);
  for_each_point(app, [&](const Point& p) { b.feed(p); });
  return b.finish();
}

bool ends_near_limit(const AppData& app, const AppLifetime& life, std::uint64_t limit,
                     double fraction, size_t tail) {
  if (limit == 0) return false;
  const auto all = app.series.samples();
  std::uint64_t peak = 0;
  size_t seen = 0;
  for (size_t i = life.end_sample; i-- > life.first_sample && seen < tail;) {
    if (!all[i].has_rss()) continue;
    peak = std::max(peak, all[i].rss);
    ++seen;
  }
  return seen > 0 && static_cast<double>(peak) >= fraction * static_cast<double>(limit);
}

}  // namespace crashsift::correlate
