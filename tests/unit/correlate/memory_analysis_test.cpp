// Lifetimes from markers/pid/version/gaps, idle baseline and verdicts, activity percentiles,
// the sparkline, and golden facts over the real captures in testdata/app/captures.
#include <doctest/doctest.h>

#include <string>

#include "crashsift/core/text.hpp"
#include "crashsift/correlate/memory_analysis.hpp"
#include "crashsift/report/memory_format.hpp"

using namespace crashsift;
using namespace crashsift::correlate;
using namespace crashsift::report;

namespace {

constexpr std::uint64_t MiB = 1048576;
constexpr UsecUtc t0 = 1782606000LL * 1000000;
constexpr UsecUtc sec = 1000000;

void add(AppData& a, UsecUtc t, double rss_mib, std::int64_t active, std::int64_t pid = 1,
         std::string version = {}) {
  input::AppRecord r;
  r.time = t;
  r.rss_bytes = static_cast<std::uint64_t>(rss_mib * MiB);
  r.pid = pid;
  r.version = std::move(version);
  if (active >= 0) r.activity.push_back({"activeConversations", active});
  a.series.add(r);
}

AppData load_capture(const std::string& name) {
  input::AppInputSpec spec;
  spec.files = {std::string(CRASHSIFT_TESTDATA) + "/app/captures/" + name + "/app.ndjson"};
  auto d = load_app(spec, {});
  REQUIRE(d);
  return std::move(*d);
}

}  // namespace

TEST_CASE("lifetimes: start marker, pid change, version change, long gap") {
  AppData a;
  add(a, t0, 80, 0, 1, "1.0");
  add(a, t0 + 10 * sec, 81, 0, 1, "1.0");
  AppEvent marker;
  marker.time = t0 + 20 * sec;
  marker.kind = input::AppRecordKind::lifecycle;
  marker.boot_marker = true;
  marker.event = "cold_start";
  a.events.push_back(marker);
  add(a, t0 + 21 * sec, 70, 0, 1, "1.0");     // same pid (container restart reuses pid 1)
  add(a, t0 + 31 * sec, 70, 0, 2, "1.0");     // pid change
  add(a, t0 + 41 * sec, 70, 0, 2, "1.1");     // version change
  add(a, t0 + 2000 * sec, 70, 0, 2, "1.1");   // silence of 33 min
  const auto lives = infer_lifetimes(a);
  REQUIRE(lives.size() == 5);
  CHECK(lives[0].start_reason == "start of log");
  CHECK(lives[0].sample_count() == 2);
  CHECK(lives[0].end == t0 + 10 * sec);
  CHECK(lives[0].end_kind == LifetimeEnd::next_start);
  CHECK(lives[0].next_start == t0 + 20 * sec);
  CHECK(starts_with(lives[1].start_reason, "cold_start marker"));
  CHECK(lives[1].sample_count() == 1);
  CHECK(starts_with(lives[2].start_reason, "pid 1 -> 2"));
  CHECK(starts_with(lives[3].start_reason, "version 1.0 -> 1.1"));
  CHECK(starts_with(lives[4].start_reason, "telemetry gap of 32 min"));
  CHECK(lives[4].end_kind == LifetimeEnd::log_end);
}

TEST_CASE("a second start marker right after the first does not open an empty lifetime") {
  AppData a;
  for (int k = 0; k < 2; ++k) {
    AppEvent m;
    m.time = t0 + k * 100000;
    m.boot_marker = true;
    m.kind = input::AppRecordKind::lifecycle;
    a.events.push_back(m);
  }
  add(a, t0 + sec, 80, 0);
  CHECK(infer_lifetimes(a).size() == 1);
}

TEST_CASE("idle baseline: flat idle with load peaks is not a leak (the findings document)") {
  AppData a;
  // 30 min: idle at 84 MiB (+0.1 MiB/h), with conversations pushing rss to 1.9 GiB and back.
  for (int i = 0; i < 180; ++i) {
    const UsecUtc t = t0 + i * 10 * sec;
    const bool busy = (i / 20) % 3 == 2;
    const double idle = 84 + 0.1 * (i * 10.0 / 3600);
    add(a, t, busy ? 1900 : idle, busy ? 4 : 0);
  }
  index_lifetimes(a);
  const MemoryReport r = analyze_memory(a);
  CHECK(r.verdict == Verdict::flat);
  CHECK(*r.idle.slope_bytes_per_h == doctest::Approx(0.1 * MiB).epsilon(1e-6));
  CHECK(r.idle.count == 120);
  CHECK(starts_with(r.verdict_text, "idle memory flat at 84.0 MiB over "));
  CHECK(ends_with(r.verdict_text, "(slope +102 KiB/h): growth follows load, not a leak"));
  REQUIRE(r.by_activity.size() == 2);
  CHECK(r.by_activity[0].label == "0");
  CHECK(r.by_activity[1].label == "4-7");
  CHECK(r.by_activity[1].p50 == 1900 * MiB);
}

TEST_CASE("idle baseline: growth while idle is a probable leak") {
  AppData a;
  for (int i = 0; i < 120; ++i) add(a, t0 + i * 30 * sec, 100 + 2400.0 * (i * 30.0 / 3600), 0);
  const MemoryReport r = analyze_memory(a);
  CHECK(r.verdict == Verdict::leak);
  CHECK(*r.idle.slope_bytes_per_h == doctest::Approx(2400.0 * MiB));
  CHECK(contains(r.verdict_text, "idle growth +2.3 GiB/h"));
  CHECK(ends_with(r.verdict_text, ": probable leak"));
}

TEST_CASE("idle slope is pooled within lifetimes: a restart is not negative growth") {
  AppData a;
  for (int i = 0; i < 60; ++i) add(a, t0 + i * 10 * sec, 300 + i * 0.0, 0, 1);
  for (int i = 0; i < 60; ++i) add(a, t0 + (700 + i * 10) * sec, 80, 0, 2);
  const auto lives = infer_lifetimes(a);
  REQUIRE(lives.size() == 2);
  const IdleBaseline b = idle_baseline(a.series, lives);
  CHECK(*b.slope_bytes_per_h == doctest::Approx(0.0));
}

TEST_CASE("verdicts without activity or idle samples say why") {
  AppData a;
  for (int i = 0; i < 10; ++i) add(a, t0 + i * sec, 100, -1);
  CHECK(analyze_memory(a).verdict == Verdict::no_activity_field);
  AppData b;
  for (int i = 0; i < 10; ++i) add(b, t0 + i * sec, 100, 3);
  CHECK(analyze_memory(b).verdict == Verdict::no_idle_samples);
  CHECK(analyze_memory(AppData{}).verdict == Verdict::no_samples);
}

TEST_CASE("ends_near_limit uses the last samples of the lifetime") {
  AppData a;
  add(a, t0, 50, 0);
  add(a, t0 + sec, 60, 0);
  add(a, t0 + 2 * sec, 92, 0);
  const auto lives = infer_lifetimes(a);
  CHECK(ends_near_limit(a, lives[0], 100 * MiB));
  CHECK_FALSE(ends_near_limit(a, lives[0], 200 * MiB));
  CHECK_FALSE(ends_near_limit(a, lives[0], 0));
}

TEST_CASE("sparkline: one block per column, blanks for gaps, exits marked") {
  AppData a;
  add(a, t0, 10, 0);
  add(a, t0 + 5 * sec, 20, 0);
  add(a, t0 + 9 * sec, 90, 0);
  const Sparkline s = sparkline(a.series, {t0 + 5 * sec}, 10);
  CHECK(s.bars == "▁    ▂   █");
  CHECK(s.marks == "     ^");
  CHECK(s.lo == 10 * MiB);
  CHECK(s.hi == 90 * MiB);
}

TEST_CASE("capture node-pino-throw: a real Node run that died of an unhandled 'error' event") {
  const AppData a = load_capture("node-pino-throw");
  CHECK(a.inputs.at(0).skipped == 0);
  CHECK(a.fields.dialect == "pino");
  CHECK(a.series.size() >= 10);
  const auto lives = infer_lifetimes(a);
  REQUIRE(lives.size() == 1);
  CHECK(lives[0].version == "1.0.0");
  CHECK(lives[0].pid > 0);
  // The process had no uncaughtException handler: nothing in the app log, the stack is on stderr.
  CHECK(lives[0].errors.empty());
  const auto s = summarize_before(a, lives[0].end + 50000, 600);
  REQUIRE(s);
  CHECK(s->last.rss_bytes > 20 * MiB);
  CHECK(s->last.rss_bytes < 200 * MiB);
  CHECK(s->last.activity.at(0).first == "activeConversations");
  CHECK(s->app_version == "1.0.0");
}

TEST_CASE("capture node-custom-restarts: two lifetimes, uncaught then unhandled rejection, rssMB as MiB") {
  const AppData a = load_capture("node-custom-restarts");
  const auto lives = infer_lifetimes(a);
  REQUIRE(lives.size() == 2);
  CHECK(lives[0].version == "2.4.0");
  CHECK(lives[1].version == "2.4.1");
  CHECK(lives[0].end_kind == LifetimeEnd::next_start);
  CHECK(contains(lives[1].start_reason, "container.cold_start marker"));
  REQUIRE(lives[0].errors.size() == 1);
  CHECK(a.events[lives[0].errors[0]].event == "container.uncaught_exception");
  CHECK(a.events[lives[0].errors[0]].text == "Timed out while waiting for handshake");
  REQUIRE(lives[1].errors.size() == 1);
  CHECK(a.events[lives[1].errors[0]].event == "container.unhandled_rejection");
  // rssMB=40.4 style values: read as MiB, so whole processes are tens of MiB.
  const auto st = rss_stats(a.series, lives[0].first_sample, lives[0].end_sample);
  CHECK(*st.min > 20 * MiB);
  CHECK(*st.max < 300 * MiB);
  CHECK(a.fields.roles.at("rss").at("rssMB").how == "name says MB: read as MiB");
  // The exit after the uncaught exception: its samples block names the error, not the next one.
  const auto s = summarize_before(a, lives[0].end, 600);
  REQUIRE(s);
  REQUIRE(s->app_errors.size() == 1);
  CHECK(s->app_errors[0].event == "container.uncaught_exception");
}

TEST_CASE("capture node-cgroup-oom: the last samples were near the 96 MiB cgroup limit") {
  const AppData a = load_capture("node-cgroup-oom");
  MemoryOptions o;
  o.memory_limit = 96 * MiB;
  const MemoryReport r = analyze_memory(a, o);
  REQUIRE(r.lifetimes.size() == 1);
  CHECK(r.lifetimes[0].near_limit);
  CHECK(r.lifetimes[0].life.end_kind == LifetimeEnd::log_end);
  CHECK(*r.lifetimes[0].rss.max >= 90 * MiB);
}

TEST_CASE("capture node-heap-oom: heapUsed grows before V8 gives up") {
  const AppData a = load_capture("node-heap-oom");
  const auto all = a.series.samples();
  REQUIRE(all.size() >= 5);
  CHECK(all.back().heap > all.front().heap);
}

TEST_CASE("captures from Bun parse cleanly") {
  for (const char* c : {"bun-pino-throw", "bun-custom-reject"}) {
    const AppData a = load_capture(c);
    CHECK(a.inputs.at(0).skipped == 0);
    CHECK(a.series.size() >= 10);
  }
  const AppData r = load_capture("bun-custom-reject");
  const auto lives = infer_lifetimes(r);
  REQUIRE(lives.size() == 1);
  REQUIRE(lives[0].errors.size() == 1);
  CHECK(r.events[lives[0].errors[0]].text == "saveDbSnapshot failed: database is locked");
}

TEST_CASE("memory JSON has the schema and one entry per lifetime") {
  const AppData a = load_capture("node-custom-restarts");
  const MemoryReport r = analyze_memory(a);
  const std::string j = format_memory_json({{&a, &r}}, false);
  CHECK(starts_with(j, "{\"schema\":\"crashsift/memory/1\",\"apps\":[{\"unit\":null,"));
  CHECK(contains(j, "\"end_kind\":\"next-start\""));
  CHECK(contains(format_field_explanation(a), "rss: rssMB"));
}
