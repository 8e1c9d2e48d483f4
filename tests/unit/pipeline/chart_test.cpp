// The chart layout: exits kept one by one up to a bound, then counted per time bucket and class
// in bounded memory with nothing lost; markers at the x of their time; counts that add up;
// ticks in the zone's clock; samples reduced to min/max per column with gaps kept.
#include <doctest/doctest.h>

#include <numeric>

#include "crashsift/pipeline/chart.hpp"

using namespace crashsift;
using namespace crashsift::pipeline;
using classify::ExitClass;

namespace {

constexpr UsecUtc t0 = 1790000000LL * usec_per_sec;  // 2026-09-21T14:13:20Z

std::uint64_t marker_total(const report::Chart& c) {
  std::uint64_t n = 0;
  for (const auto& m : c.markers) n += m.count;
  return n;
}

}  // namespace

TEST_CASE("chart exits: exact up to the bound, then buckets that keep every count in bounded memory") {
  ChartExits e;
  for (size_t i = 0; i < ChartExits::max_exact; ++i) e.add(t0 + static_cast<UsecUtc>(i) * usec_per_sec, ExitClass::clean, "x");
  CHECK_FALSE(e.aggregated());
  // A year of a crash loop every 3 s with a segfault every 100th.
  const std::uint64_t n = 200000;
  for (std::uint64_t i = 0; i < n; ++i)
    e.add(t0 + static_cast<UsecUtc>(i) * 3 * usec_per_sec * 50, i % 100 == 0 ? ExitClass::segfault : ExitClass::self_exit, "");
  CHECK(e.aggregated());
  CHECK(e.exact().empty());
  CHECK(e.buckets().size() <= ChartExits::max_buckets);
  std::uint64_t total = 0, segfaults = 0;
  for (const auto& [i, b] : e.buckets()) {
    total += std::accumulate(b.counts.begin(), b.counts.end(), std::uint64_t{0});
    segfaults += b.counts[static_cast<size_t>(ExitClass::segfault)];
  }
  CHECK(total == n + ChartExits::max_exact);
  CHECK(segfaults == n / 100);
  // Each class keeps its own first and last time in a bucket: a segfault marker names segfault times.
  const UsecUtc every_segfault = 100 * 3 * usec_per_sec * 50;
  for (const auto& [i, b] : e.buckets()) {
    const size_t k = static_cast<size_t>(ExitClass::segfault);
    if (!b.counts[k]) continue;
    CHECK((b.first[k] - t0) % every_segfault == 0);
    CHECK((b.last[k] - t0) % every_segfault == 0);
  }
  ChartSource src;
  src.unit = "loop.service";
  src.exits = &e;
  src.zone = Zone::utc();
  const auto c = build_chart(src);
  CHECK(marker_total(c) == n + ChartExits::max_exact);
  CHECK(c.exits_charted == n + ChartExits::max_exact);
  CHECK(c.markers.size() <= 3 * static_cast<size_t>(c.plot_w / 3 + 1));
  CHECK(c.table_rows == 0);  // too many markers for a table: hover only
}

TEST_CASE("chart: one exit is a marker at the x of its time, labelled; the x ticks follow the zone's clock") {
  ChartExits e;
  e.add(t0, ExitClass::segfault, "14:13:20 segfault");
  e.add(t0 + 3600 * usec_per_sec, ExitClass::oom, "15:13:20 oom");
  e.add(t0 + 3600 * usec_per_sec + 1000, ExitClass::oom, "15:13:20 oom again");  // same column: one marker of 2
  ChartSource src;
  src.unit = "api.service";
  src.exits = &e;
  src.zone = Zone("Asia/Kathmandu");  // +05:45: ticks aligned in UTC would read :45, :55, ...
  const auto c = build_chart(src);
  REQUIRE(c.markers.size() == 2);
  const auto x_of = [&](UsecUtc t) { return c.plot_x + static_cast<double>(t - c.from) / static_cast<double>(c.to - c.from) * c.plot_w; };
  CHECK(c.markers[0].x == doctest::Approx(x_of(t0)).epsilon(0.0001));
  CHECK(c.markers[0].label == "14:13:20 segfault");
  CHECK(c.markers[1].count == 2);
  CHECK(c.markers[1].label.find("2 × oom") == 0);
  CHECK(marker_total(c) == 3);
  REQUIRE(c.x_ticks.size() >= 3);
  for (const auto& t : c.x_ticks) {
    CHECK(t.label.size() >= 5);
    CHECK(t.label.back() == '0');  // every 10 minutes of Kathmandu's clock
  }
  CHECK(c.note.find("exits only") != std::string::npos);
}

TEST_CASE("chart: samples become min/max per column, a silence is a gap, the idle line and limit are placed") {
  correlate::SampleSeries s;
  auto add = [&](UsecUtc t, std::uint64_t rss) {
    input::AppRecord r;
    r.time = t;
    r.rss_bytes = rss;
    r.kind = input::AppRecordKind::sample;
    s.add(r);
  };
  for (int i = 0; i < 600; ++i) add(t0 + i * 10 * usec_per_sec, 100u << 20);  // 100 minutes flat
  add(t0 + 600 * 10 * usec_per_sec, 900u << 20);                               // one peak
  for (int i = 0; i < 300; ++i) add(t0 + (6 * 3600 + i * 10) * usec_per_sec, 120u << 20);  // after 4 h of silence
  s.sort();
  ChartSource src;
  src.unit = "app";
  src.samples = &s;
  src.idle_rss = 100u << 20;
  src.memory_limit = 1u << 30;
  src.zone = Zone::utc();
  const auto c = build_chart(src);
  REQUIRE(c.series.size() == 1);
  const auto& cols = c.series[0].columns;
  size_t breaks = 0;
  double top = c.plot_y + c.plot_h;
  for (size_t i = 1; i < cols.size(); ++i) breaks += !cols[i].joined;
  for (const auto& col : cols) top = std::min(top, col.y_high);
  CHECK(breaks == 1);                       // the 4 h silence, and only it
  CHECK(cols.size() <= static_cast<size_t>(c.plot_w));
  REQUIRE(c.limit);
  REQUIRE(c.idle);
  CHECK(c.idle->label == "idle 100 MiB");
  CHECK(top < c.idle->y);                   // the peak survived the reduction, above the idle line
  CHECK(c.limit->y < top);                  // the limit above the peak
}
