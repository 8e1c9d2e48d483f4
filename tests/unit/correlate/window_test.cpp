// Window maths on hand-built series: least squares, last sample, gap, peak, lifetime clamping,
// app errors before an exit, and the JSON/text forms of the samples block.
#include <doctest/doctest.h>

#include <utility>
#include <vector>

#include "crashsift/correlate/window.hpp"
#include "crashsift/report/samples_format.hpp"

using namespace crashsift;
using namespace crashsift::correlate;
using namespace crashsift::report;

namespace {

constexpr std::uint64_t MiB = 1048576;
constexpr UsecUtc t0 = 1782606000LL * 1000000;  // 2026-06-28T00:20:00Z
constexpr UsecUtc sec = 1000000;

input::AppRecord sample(UsecUtc t, std::uint64_t rss, std::int64_t active = -1, std::int64_t pid = 41) {
  input::AppRecord r;
  r.time = t;
  r.rss_bytes = rss;
  r.heap_used_bytes = rss / 4;
  r.pid = pid;
  r.kind = input::AppRecordKind::sample;
  if (active >= 0) r.activity.push_back({"activeConversations", active});
  return r;
}

AppEvent event(UsecUtc t, std::string name, bool marker, std::string text = {}) {
  AppEvent e;
  e.time = t;
  e.kind = marker ? input::AppRecordKind::lifecycle : input::AppRecordKind::error;
  e.level = marker ? input::AppLevel::info : input::AppLevel::error;
  e.boot_marker = marker;
  e.event = std::move(name);
  e.text = std::move(text);
  e.line = 7;
  return e;
}

// Ten samples, one every 10 s, rss 100 MiB + i MiB.
AppData linear() {
  AppData a;
  a.files = {"app.ndjson"};
  for (int i = 0; i < 10; ++i) {
    auto r = sample(t0 + i * 10 * sec, (100 + static_cast<std::uint64_t>(i)) * MiB, i % 3);
    r.line = static_cast<std::uint64_t>(i + 1);
    a.series.add(r);
  }
  index_lifetimes(a);
  return a;
}

}  // namespace

TEST_CASE("least squares slope: exact on a line, epoch-sized t, degenerate inputs") {
  std::vector<std::pair<UsecUtc, double>> p{{0, 0}, {sec, 2}, {2 * sec, 4}};
  CHECK(*least_squares_slope(p) == doctest::Approx(2.0).epsilon(1e-12));
  std::vector<std::pair<UsecUtc, double>> q{{t0, 1e8}, {t0 + 3600 * sec, 1e8 + 3600}, {t0 + 7200 * sec, 1e8 + 7200}};
  CHECK(*least_squares_slope(q) == doctest::Approx(1.0).epsilon(1e-9));
  // Noise around a line: slope of y = {1,3,2,4} at t = {0,1,2,3} is 0.8.
  std::vector<std::pair<UsecUtc, double>> n{{0, 1}, {sec, 3}, {2 * sec, 2}, {3 * sec, 4}};
  CHECK(*least_squares_slope(n) == doctest::Approx(0.8));
  CHECK_FALSE(least_squares_slope(std::vector<std::pair<UsecUtc, double>>{{t0, 1}}));
  CHECK_FALSE(least_squares_slope(std::vector<std::pair<UsecUtc, double>>{{t0, 1}, {t0, 2}}));
}

TEST_CASE("last sample, gap, count, peak and slope over the window") {
  const AppData a = linear();
  const auto s = summarize_before(a, t0 + 95 * sec, 60);
  REQUIRE(s);
  CHECK(s->last.at == t0 + 90 * sec);
  CHECK(s->last.rss_bytes == 109 * MiB);
  CHECK(s->last.heap_bytes == 109 * MiB / 4);
  CHECK(s->gap_s == doctest::Approx(5.0));
  CHECK(s->window_s == 60);
  CHECK(s->count == 6);   // samples at 40..90 s lie in [35 s, 95 s]
  CHECK(s->peak_rss_bytes == 109 * MiB);
  CHECK(*s->rss_slope_bytes_per_s == doctest::Approx(MiB / 10.0));
  REQUIRE(s->last.activity.size() == 1);
  CHECK(s->last.activity[0] == std::pair<std::string, std::int64_t>{"activeConversations", 0});
  CHECK(s->last.where == "app.ndjson:10");
}

TEST_CASE("an exit exactly at a sample time uses that sample (gap 0)") {
  const auto s = summarize_before(linear(), t0 + 30 * sec, 600);
  REQUIRE(s);
  CHECK(s->gap_s == 0);
  CHECK(s->count == 4);
}

TEST_CASE("no sample before the exit, or only a stale one: null") {
  const AppData a = linear();
  CHECK_FALSE(summarize_before(a, t0 - sec, 600));
  CHECK_FALSE(summarize_before(a, t0 + 90 * sec + 601 * sec, 600));
  SummaryOptions o;
  o.max_gap_s = 3600;
  CHECK(summarize_before(a, t0 + 90 * sec + 601 * sec, 600, o));
}

TEST_CASE("the window stops at the start of the process that exited") {
  AppData a = linear();
  // A restart at 100 s: cold_start, new pid, low rss.
  a.events.push_back(event(t0 + 100 * sec, "cold_start", true));
  a.series.add(sample(t0 + 101 * sec, 50 * MiB, 0, 97));
  a.series.add(sample(t0 + 111 * sec, 60 * MiB, 0, 97));
  index_lifetimes(a);
  REQUIRE(a.lifetime_starts.size() == 2);
  const auto s = summarize_before(a, t0 + 115 * sec, 600);
  REQUIRE(s);
  CHECK(s->count == 2);
  CHECK(s->peak_rss_bytes == 60 * MiB);
  CHECK(*s->rss_slope_bytes_per_s == doctest::Approx(MiB));
}

TEST_CASE("app errors shortly before the exit, oldest first, not from the next process") {
  AppData a = linear();
  a.events.push_back(event(t0 + 20 * sec, "unhandledRejection", false, "early"));
  a.events.push_back(event(t0 + 91 * sec, "uncaughtException", false, "Timed out while waiting for handshake"));
  a.events.push_back(event(t0 + 96 * sec, "cold_start", true));
  a.series.add(sample(t0 + 97 * sec, 50 * MiB, 0, 97));
  a.events.push_back(event(t0 + 97 * sec, "unhandledRejection", false, "next process"));
  index_lifetimes(a);
  const auto s = summarize_before(a, t0 + 95 * sec, 600);
  REQUIRE(s);
  REQUIRE(s->app_errors.size() == 2);
  CHECK(s->app_errors[0].message == "early");
  CHECK(s->app_errors[1].event == "uncaughtException");
  CHECK(s->app_errors[1].level == "error");
  CHECK(s->app_errors[1].where == "app.ndjson:7");
}

TEST_CASE("samples JSON block: exact form, and null when absent") {
  AppData a;
  a.files = {"app.ndjson"};
  auto r = sample(t0, 116 * MiB, 4);
  r.line = 3;
  r.version = "1.3.14";
  a.series.add(r);
  a.series.add(sample(t0 + 10 * sec, 118 * MiB, 4));
  index_lifetimes(a);
  JsonWriter w;
  write_samples_json(summarize_before(a, t0 + 12 * sec, 600), w);
  CHECK(w.str() ==
        "{\"last\":{\"at\":\"2026-06-28T00:20:10.000000Z\",\"rss_bytes\":123731968,\"heap_bytes\":30932992,"
        "\"activity\":{\"activeConversations\":4},\"source\":\"app.ndjson:0\"},\"gap_s\":2,\"window_s\":600,"
        "\"count\":2,\"peak_rss_bytes\":123731968,\"rss_slope_bytes_per_s\":209715,\"app_errors\":[],"
        "\"app_version\":\"1.3.14\"}");
  JsonWriter n;
  write_samples_json(std::nullopt, n);
  CHECK(n.str() == "null");
}

TEST_CASE("samples text line") {
  SamplesSummary s;
  s.last.rss_bytes = 116 * MiB;
  s.last.activity = {{"activeConversations", 4}};
  s.gap_s = 12;
  s.peak_rss_bytes = static_cast<std::uint64_t>(1.9 * 1024 * MiB);
  CHECK(format_samples_line(s) == "rss 116 MiB 12 s before, 4 activeConversations, window peak 1.9 GiB");
  s.gap_s = 0.35;
  s.app_errors.push_back({t0, "uncaughtException", "error", "boom", "app.ndjson:9"});
  CHECK(format_samples_line(s) ==
        "rss 116 MiB 350 ms before, 4 activeConversations, window peak 1.9 GiB, app error: uncaughtException (boom)");
}

TEST_CASE("which app log belongs to an exit: UNIT= prefix, the only log, or the pid") {
  std::vector<AppData> apps(3);
  apps[0].unit = "web.service";
  apps[1].series.add(sample(t0, 100 * MiB, 0, 41));
  apps[2].series.add(sample(t0, 100 * MiB, 0, 97));
  std::string how;
  CHECK(pick_app_for_exit(apps, "web.service", std::nullopt, t0, false, how) == &apps[0]);
  CHECK(how == "UNIT= prefix");
  CHECK(pick_app_for_exit(apps, "api.service", 97, t0 + sec, false, how) == &apps[2]);
  CHECK(how == "pid 97 in the app log");
  CHECK(pick_app_for_exit(apps, "api.service", 5, t0 + sec, false, how) == nullptr);
  CHECK(how.empty());
  std::vector<AppData> one(1);
  CHECK(pick_app_for_exit(one, "x.service", std::nullopt, t0, true, how) == &one[0]);
  CHECK(how == "only app log");
}
