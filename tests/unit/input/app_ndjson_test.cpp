// App NDJSON reader: field detection per logger dialect, units, time forms, torn lines,
// overrides, prefilter and rotated-file order. Every quirk is named in its test case.
#include <doctest/doctest.h>

#include <random>
#include <string>
#include <vector>

#include "crashsift/input/app_files.hpp"
#include "crashsift/input/app_ndjson.hpp"
#include "crashsift/input/app_prefilter.hpp"
#include "crashsift/input/byte_source.hpp"
#include "unit/input/app_parse_support.hpp"

using namespace crashsift;
using namespace crashsift::input;

namespace {

using crashsift::testing::StreamedApp;

AppRecord parse(std::string_view line, const AppReadOptions& o = {}) { return testing::parse_app(line, o); }
StreamedApp stream(std::string_view bytes, AppReadOptions o = {}) { return testing::stream_app(bytes, std::move(o)); }

constexpr std::uint64_t MiB = 1048576;
constexpr UsecUtc t_2024_06_28 = 1719535312LL * 1000000;  // 2024-06-28T00:41:52Z

}  // namespace

TEST_CASE("epoch numbers: the unit follows the magnitude") {
  CHECK(epoch_to_usec(1719535312.0) == t_2024_06_28);                 // s (zap "ts")
  CHECK(epoch_to_usec(1719535312.25) == t_2024_06_28 + 250000);       // fractional s
  CHECK(epoch_to_usec(1719535312123.0) == t_2024_06_28 + 123000);     // ms (pino)
  CHECK(epoch_to_usec(1719535312123456.0) == t_2024_06_28 + 123456);  // µs
  CHECK(epoch_to_usec(1719535312123456000.0) == t_2024_06_28 + 123456);  // ns
  CHECK_FALSE(epoch_to_usec(0));
  CHECK_FALSE(epoch_to_usec(-5));
}

TEST_CASE("pino sample: numeric level, epoch ms, msg, rss bytes, heapUsed, active* count") {
  const auto r = parse(R"({"level":30,"time":1719535312123,"pid":41,"hostname":"h","msg":"memory:periodic","rss":121634816,"heapUsed":40000000,"heapTotal":50000000,"external":1000,"activeConversations":4})");
  CHECK(r.kind == AppRecordKind::sample);
  CHECK(r.level == AppLevel::info);
  CHECK(r.time == t_2024_06_28 + 123000);
  CHECK(r.event == "memory:periodic");
  CHECK(r.rss_bytes == 121634816u);
  CHECK(r.heap_used_bytes == 40000000u);
  CHECK(r.heap_total_bytes == 50000000u);
  CHECK(r.external_bytes == 1000u);
  CHECK(r.pid == 41);
  REQUIRE(r.activity.size() == 1);
  CHECK(r.activity[0].name == "activeConversations");
  CHECK(r.activity[0].value == 4);
}

TEST_CASE("memory field names and units") {
  SUBCASE("rssMB is MiB, fractional") {
    CHECK(parse(R"({"ts":"2024-06-28T00:41:52Z","event":"container.memory_usage","rssMB":116.5})").rss_bytes ==
          static_cast<std::uint64_t>(116.5 * MiB));
  }
  SUBCASE("rss_mb and heapUsedMB") {
    const auto r = parse(R"({"time":1719535312,"rss_mb":84,"heapUsedMB":12})");
    CHECK(r.rss_bytes == 84 * MiB);
    CHECK(r.heap_used_bytes == 12 * MiB);
  }
  SUBCASE("rss_bytes") { CHECK(parse(R"({"time":1719535312,"rss_bytes":5000000})").rss_bytes == 5000000u); }
  SUBCASE("rss_kb is KiB") { CHECK(parse(R"({"time":1719535312,"rss_kb":2048})").rss_bytes == 2 * MiB); }
  SUBCASE("nested memory.rss (process.memoryUsage() logged whole)") {
    const auto r = parse(R"({"time":1719535312,"msg":"mem","memory":{"rss":90000000,"heapUsed":30000000}})");
    CHECK(r.rss_bytes == 90000000u);
    CHECK(r.heap_used_bytes == 30000000u);
  }
  SUBCASE("a unit-less rss below 64 Ki can only be MiB") {
    CHECK(parse(R"({"time":1719535312,"rss":116})").rss_bytes == 116 * MiB);
  }
  SUBCASE("size strings with a unit") {
    CHECK(parse(R"({"time":1719535312,"rss":"116MB"})").rss_bytes == 116 * MiB);
    CHECK(parse(R"({"time":1719535312,"rss":"1.5 GiB"})").rss_bytes == 1610612736u);
  }
  SUBCASE("the first rss field wins") {
    CHECK(parse(R"({"time":1719535312,"rss":100000000,"rssMB":1})").rss_bytes == 100000000u);
  }
}

TEST_CASE("activity counts: active*, inflight, jobs, connections, agents; limits are not activity") {
  const auto r = parse(R"({"time":1719535312,"rss":1e8,"activeAgents":2,"inflight":3,"jobs":1,"connections":7,"agents":5,"maxConnections":100,"activeSince":"x","totalJobs":9})");
  std::vector<std::string> names;
  for (const auto& a : r.activity) names.push_back(a.name + "=" + std::to_string(a.value));
  CHECK(names == std::vector<std::string>{"activeAgents=2", "inflight=3", "jobs=1", "connections=7", "agents=5"});
}

TEST_CASE("winston: timestamp with an offset, message, string level") {
  const auto r = parse(R"({"level":"error","message":"uncaughtException: boom","timestamp":"2024-06-28T09:41:52.500+09:00"})");
  CHECK(r.kind == AppRecordKind::error);
  CHECK(r.level == AppLevel::error);
  CHECK(r.time == t_2024_06_28 + 500000);
  CHECK(r.event == "uncaughtException: boom");
}

TEST_CASE("zap: ts as float seconds, level words") {
  const auto r = parse(R"({"level":"fatal","ts":1719535312.5,"caller":"main.go:12","msg":"listen failed"})");
  CHECK(r.level == AppLevel::fatal);
  CHECK(r.kind == AppRecordKind::error);
  CHECK(r.time == t_2024_06_28 + 500000);
}

TEST_CASE("slog: ISO time without offset is read in --app-tz") {
  AppReadOptions o;
  o.zone = Zone("Asia/Tokyo");
  const auto r = parse(R"({"time":"2024-06-28T09:41:52","level":"INFO","msg":"boot","rss":1e8})", o);
  CHECK(r.time == t_2024_06_28);
  CHECK(r.boot_marker);
  CHECK(r.kind == AppRecordKind::lifecycle);
  CHECK(parse(R"({"time":"2024-06-28T00:41:52","msg":"x","rss":1e8})").time == t_2024_06_28);  // default UTC
}

TEST_CASE("epoch as a numeric string, and @timestamp") {
  CHECK(parse(R"({"time":"1719535312123","rss":1e8})").time == t_2024_06_28 + 123000);
  CHECK(parse(R"({"@timestamp":"2024-06-28T00:41:52Z","rss":1e8})").time == t_2024_06_28);
}

TEST_CASE("start markers") {
  CHECK(parse(R"({"time":1,"event":"container.cold_start","version":"2.4.1"})").boot_marker);
  CHECK(parse(R"({"time":1,"msg":"cold_start"})").boot_marker);
  CHECK(parse(R"({"time":1,"msg":"Server started"})").boot_marker);
  CHECK(parse(R"({"time":1,"msg":"listening on :8080"})").boot_marker);
  CHECK(parse(R"({"time":1,"msg":"x","coldStart":true})").boot_marker);
  CHECK_FALSE(parse(R"({"time":1,"msg":"boot_hydration done"})").boot_marker);
  CHECK_FALSE(parse(R"({"time":1,"msg":"request started"})").boot_marker);
  CHECK(parse(R"({"time":1,"event":"container.cold_start","version":"2.4.1"})").version == "2.4.1");
}

TEST_CASE("errors: level, uncaught/unhandled event names, err objects") {
  const auto a = parse(R"({"level":50,"time":1719535312000,"msg":"uncaughtException","err":{"type":"Error","message":"Timed out while waiting for handshake","stack":"..."}})");
  CHECK(a.kind == AppRecordKind::error);
  CHECK(a.error_text == "Error: Timed out while waiting for handshake");
  const auto b = parse(R"({"event":"container.unhandled_rejection","ts":"2024-06-28T00:41:52Z","message":"db locked"})");
  CHECK(b.kind == AppRecordKind::error);
  CHECK(b.event == "container.unhandled_rejection");
  CHECK(b.message == "db locked");
  const auto c = parse(R"({"level":60,"time":1719535312000,"msg":"x"})");
  CHECK(c.level == AppLevel::fatal);
  // An error with a memory snapshot stays an error but keeps its rss.
  const auto d = parse(R"({"level":50,"time":1719535312000,"msg":"uncaught","rss":1e8})");
  CHECK(d.kind == AppRecordKind::error);
  CHECK(d.rss_bytes == 100000000u);
}

TEST_CASE("field overrides: dotted paths, units from the last name, several activity paths") {
  AppReadOptions o;
  REQUIRE(parse_field_override("time=meta.at", o.fields));
  REQUIRE(parse_field_override("rss=mem.res_kb", o.fields));
  REQUIRE(parse_field_override("activity=load.jobs", o.fields));
  REQUIRE(parse_field_override("activity=load.users", o.fields));
  const auto r = parse(R"({"meta":{"at":"2024-06-28T00:41:52Z"},"time":5,"mem":{"res_kb":1024},"load":{"jobs":3,"users":2}})", o);
  CHECK(r.time == t_2024_06_28);
  CHECK(r.rss_bytes == MiB);
  REQUIRE(r.activity.size() == 2);
  CHECK(r.activity[0].name == "load.jobs");
  CHECK(r.activity[1].value == 2);
  AppFieldOverrides bad;
  CHECK_FALSE(parse_field_override("color=x", bad));
  CHECK_FALSE(parse_field_override("rss", bad));
}

TEST_CASE("streaming: CRLF, blank lines, torn lines with file:line, glued records, last line without newline") {
  const std::string text =
      "{\"time\":1719535312000,\"msg\":\"m\",\"rss\":100000000}\r\n"      // 1 CRLF
      "\r\n"                                                            // 2 blank
      "\n"                                                              // 3 blank
      "{\"time\":1719535313000,\"msg\":\"m\",\"rss\":1000"                 // 4 torn (kill)...
      "{\"time\":1719535314000,\"msg\":\"cold_start\",\"pid\":7}\n"       //   ...glued to the next start
      "not json at all, but says rss\n"                                 // 5
      "{\"time\":1719535315000,\"msg\":\"request\"}\n"                  // 6 other: skipped quickly
      "{\"time\":1719535316000,\"msg\":\"request\",\"x\":1\n"            // 7 torn, prefiltered
      "{\"time\":1719535317000,\"msg\":\"m\",\"rss\":200";               // 8 torn last line
  const auto s = stream(text);
  REQUIRE(s.records.size() == 2);
  CHECK(s.records[0].line == 1);
  CHECK(s.records[0].rss_bytes == 100000000u);
  CHECK(s.records[1].line == 4);
  CHECK(s.records[1].boot_marker);
  CHECK(s.records[1].pid == 7);
  CHECK(s.fields.recovered == 1);
  CHECK(s.report.skipped == 4);
  REQUIRE(s.report.first_skips.size() == 4);
  CHECK(s.report.first_skips[0].line == 4);
  CHECK(s.report.first_skips[1].line == 5);
  CHECK(s.report.first_skips[2].line == 7);
  CHECK(s.report.first_skips[3].line == 8);
  CHECK(s.report.first_skips[3].reason == "torn last line (no newline)");
  CHECK(s.fields.prefiltered == 2);
  CHECK(s.fields.lines == 8);
}

TEST_CASE("streaming: an overlong line is counted and the rest still read") {
  std::string text = "{\"time\":1719535312000,\"rss\":\"" + std::string(3u << 20, 'x') + "\"}\n";
  text += "{\"time\":1719535313000,\"rss\":100000000}\n";
  StreamedApp s;
  auto src = memory_source(text);
  LineReader reader(*src, 1024);
  read_app_log(reader, {}, s.report, s.fields, [&](const AppRecord& r) { s.records.push_back(r); });
  REQUIRE(s.records.size() == 1);
  CHECK(s.records[0].line == 2);
  CHECK(s.report.skipped == 1);
}

TEST_CASE("records without a usable time are counted, not delivered") {
  const auto s = stream("{\"msg\":\"m\",\"rss\":100000000}\n{\"time\":\"yesterday-ish\",\"rss\":1}\n");
  CHECK(s.records.empty());
  CHECK(s.fields.no_time == 2);
}

TEST_CASE("explain: dialect and field reasons") {
  const auto s = stream("{\"level\":30,\"time\":1719535312000,\"pid\":1,\"msg\":\"memory:periodic\",\"rssMB\":84,\"activeConversations\":0}\n");
  CHECK(s.fields.dialect == "pino");
  CHECK(s.fields.roles.at("rss").at("rssMB").how == "name says MB: read as MiB");
  CHECK(s.fields.roles.at("time").at("time").lines == 1);
  CHECK(s.fields.roles.at("activity").count("activeConversations") == 1);
}

TEST_CASE("prefilter: the SIMD path agrees with memmem") {
  const AppPrefilter f = AppPrefilter::for_app_logs();
  std::mt19937 rng(42);
  const std::string alphabet = "abcdefghijklmnopqrstuvwxyzRSStar\"{}:,0123456789 ";
  for (int i = 0; i < 3000; ++i) {
    std::string s(rng() % 80, ' ');
    for (auto& c : s) c = alphabet[rng() % alphabet.size()];
    if (i % 3 == 0 && s.size() > 5) s.replace(rng() % (s.size() - 4), 3, i % 2 ? "rss" : "boo");
    std::string padded = s + std::string(64, 'r');  // padding full of needle-ish bytes
    CHECK(f.matches(std::string_view(padded.data(), s.size())) == f.matches_scalar(s));
  }
  CHECK(f.matches("{\"level\":50,\"msg\":\"x\"}" + std::string(64, '\0')));
  CHECK_FALSE(f.matches_scalar("{\"level\":30,\"msg\":\"request completed\",\"responseTime\":3}"));
}

TEST_CASE("rotated sets are read oldest first") {
  CHECK(order_rotated({"app.ndjson", "app.ndjson.2.gz", "app.ndjson.1", "app.ndjson.10.zst"}) ==
        std::vector<std::string>{"app.ndjson.10.zst", "app.ndjson.2.gz", "app.ndjson.1", "app.ndjson"});
  CHECK(order_rotated({"a.log-20260628", "a.log", "a.log-20260627.gz"}) ==
        std::vector<std::string>{"a.log-20260627.gz", "a.log-20260628", "a.log"});
  // Separate sets keep the order in which they were named.
  CHECK(order_rotated({"b.ndjson", "a.ndjson.1", "a.ndjson", "b.ndjson.1"}) ==
        std::vector<std::string>{"b.ndjson.1", "b.ndjson", "a.ndjson.1", "a.ndjson"});
}

TEST_CASE("UNIT= prefixes") {
  std::string unit, path;
  split_unit_prefix("dispatch.service=/var/log/dispatch/app.ndjson", unit, path);
  CHECK(unit == "dispatch.service");
  CHECK(path == "/var/log/dispatch/app.ndjson");
  split_unit_prefix("/var/log/a=b/app.ndjson", unit, path);
  CHECK(unit.empty());
  CHECK(path == "/var/log/a=b/app.ndjson");
}

TEST_CASE("expand_app_inputs: globs over a rotated set, missing files are errors") {
  const std::string dir = CRASHSIFT_TESTDATA "/app/captures/node-pino-throw";
  auto specs = expand_app_inputs({"web.service=" + dir + "/app.ndj*"});
  REQUIRE(specs);
  REQUIRE(specs->size() == 1);
  CHECK((*specs)[0].unit == "web.service");
  CHECK((*specs)[0].files == std::vector<std::string>{dir + "/app.ndjson"});
  CHECK_FALSE(expand_app_inputs({dir + "/nope.ndjson"}));
  CHECK_FALSE(expand_app_inputs({dir + "/nope*.ndjson"}));
}
