// App NDJSON field detection beyond the Node loggers: Python `logging` JSON (asctime with comma
// millis and no offset, created, levelname, process), more time names, memory units by name
// (KiB/MiB/GiB/bytes) and by magnitude, and the notes a log that yields nothing gets: which
// fields the reader saw and which `--field` would read them.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "crashsift/core/text.hpp"
#include "crashsift/input/app_fields.hpp"
#include "crashsift/input/app_ndjson.hpp"
#include "crashsift/input/byte_source.hpp"
#include "unit/input/app_parse_support.hpp"

using namespace crashsift;
using namespace crashsift::input;

namespace {

using crashsift::testing::StreamedApp;

AppRecord parse1(std::string_view line, const AppReadOptions& o = {}) { return testing::parse_app(line, o); }
StreamedApp stream1(std::string_view bytes, AppReadOptions o = {}) { return testing::stream_app(bytes, std::move(o)); }

constexpr std::uint64_t KiB = 1024, MiB = 1048576;
constexpr UsecUtc t0 = 1719535312LL * 1000000;  // 2024-06-28T00:41:52Z

}  // namespace

TEST_CASE("python logging: asctime with comma millis and no offset, levelname, process, rss_kib") {
  const auto r = parse1(R"({"asctime": "2024-06-28 00:41:52,123", "levelname": "INFO", "name": "worker", "message": "memory", "process": 4242, "rss_kib": 2048, "active_jobs": 1})");
  CHECK(r.time == t0 + 123000);
  CHECK(r.kind == AppRecordKind::sample);
  CHECK(r.rss_bytes == 2 * MiB);
  CHECK(r.pid == 4242);
  CHECK(r.event == "memory");
  REQUIRE(r.activity.size() == 1);
  CHECK(r.activity[0].name == "active_jobs");
  SUBCASE("asctime is read in --app-tz like other offset-less times") {
    AppReadOptions o;
    o.zone = Zone("Asia/Tokyo");
    CHECK(parse1(R"({"asctime": "2024-06-28 09:41:52,500", "message": "m", "rss_kib": 1})", o).time == t0 + 500000);
  }
  SUBCASE("levelname ERROR is an app error") {
    const auto e = parse1(R"({"asctime": "2024-06-28 00:41:52,123", "levelname": "ERROR", "message": "job failed", "exc_info": "Traceback"})");
    CHECK(e.kind == AppRecordKind::error);
  }
}

TEST_CASE("python-json-logger: created (epoch float seconds) wins over asctime") {
  const auto r = parse1(R"({"asctime": "2024-06-28 09:41:52,000", "created": 1719535312.25, "levelname": "INFO", "message": "m", "rss_kb": 1024})");
  CHECK(r.time == t0 + 250000);
  CHECK(r.rss_bytes == MiB);
}

TEST_CASE("more time names: @t, Timestamp, Time, eventTime, logged_at; the preferred one wins") {
  for (const char* key : {"@t", "Timestamp", "Time", "eventTime", "logged_at", "timestamp", "ts", "@timestamp"}) {
    CAPTURE(key);
    const std::string line = std::string("{\"") + key + "\":\"2024-06-28T00:41:52Z\",\"rss\":1e8}";
    CHECK(parse1(line).time == t0);
  }
  CHECK(parse1(R"({"created": 5, "time": "2024-06-28T00:41:52Z", "rss": 1e8})").time == t0);
}

TEST_CASE("memory units by name: KiB, MiB, GiB, bytes") {
  CHECK(parse1(R"({"time":1719535312,"rss_kib":3})").rss_bytes == 3 * KiB);
  CHECK(parse1(R"({"time":1719535312,"rss_kb":3})").rss_bytes == 3 * KiB);
  CHECK(parse1(R"({"time":1719535312,"rssKiB":3})").rss_bytes == 3 * KiB);
  CHECK(parse1(R"({"time":1719535312,"memory_kb":3})").rss_bytes == 3 * KiB);
  CHECK(parse1(R"({"time":1719535312,"vm_rss_kb":3})").rss_bytes == 3 * KiB);
  CHECK(parse1(R"({"time":1719535312,"mem_mib":3})").rss_bytes == 3 * MiB);
  CHECK(parse1(R"({"time":1719535312,"rss_mb":3})").rss_bytes == 3 * MiB);
  CHECK(parse1(R"({"time":1719535312,"rss_gb":1.5})").rss_bytes == 1610612736u);
  CHECK(parse1(R"({"time":1719535312,"memoryBytes":5000000})").rss_bytes == 5000000u);
  CHECK(parse1(R"({"time":1719535312,"rss_bytes":5000})").rss_bytes == 5000u);  // the name wins over the range
  // "memory" and "mem" alone are objects or limits, not readings.
  CHECK_FALSE(parse1(R"({"time":1719535312,"memory":300})").rss_bytes);
}

TEST_CASE("memory units by magnitude when the name says nothing") {
  CHECK(parse1(R"({"time":1719535312,"rss":116})").rss_bytes == 116 * MiB);        // < 64 Ki: MiB
  CHECK(parse1(R"({"time":1719535312,"rss":300000})").rss_bytes == 300000 * KiB);  // 64 Ki..1e6: KiB
  CHECK(parse1(R"({"time":1719535312,"rss":5000000})").rss_bytes == 5000000u);     // > 1e6: bytes
  using app_fields::unit_by_magnitude;
  CHECK(unit_by_magnitude(1e5, true).factor == 1024.0);
  CHECK(unit_by_magnitude(1e3, false).factor == 1.0);  // external: no range rule
}

TEST_CASE("a unit by magnitude is decided once per field, by its first non-zero value") {
  // KiB readings crossing 64 Ki must not switch from MiB to KiB between lines.
  const auto s = stream1(
      "{\"time\":1719535312,\"msg\":\"m\",\"rss\":0}\n"
      "{\"time\":1719535313,\"msg\":\"m\",\"rss\":70000}\n"
      "{\"time\":1719535314,\"msg\":\"m\",\"rss\":60000}\n");
  REQUIRE(s.records.size() == 3);
  CHECK(s.records[0].rss_bytes == 0u);
  CHECK(s.records[1].rss_bytes == 70000 * KiB);
  CHECK(s.records[2].rss_bytes == 60000 * KiB);
  REQUIRE(s.report.notes.size() == 1);  // below 1e5: the guess is noted (next case)
  CHECK(contains(s.report.notes[0], "first value (70000) is below 1e5, too small for bytes: read as KiB"));
}

TEST_CASE("a plain rss below 1e5 is read by magnitude and noted") {
  const auto s = stream1("{\"time\":1719535312,\"msg\":\"m\",\"rss\":20480}\n{\"time\":1719535313,\"msg\":\"m\",\"rss\":20500}\n");
  REQUIRE(s.records.size() == 2);
  CHECK(s.records[0].rss_bytes == 20480 * MiB);
  REQUIRE(s.report.notes.size() == 1);
  CHECK(s.report.notes[0] ==
        "rss has no unit in its name and its first value (20480) is below 1e5, too small for bytes: "
        "read as MiB (20.0 GiB); check the logger's unit (a name ending in _kib, _mb or _bytes says it)");
  CHECK(stream1("{\"time\":1719535312,\"msg\":\"m\",\"rss\":121634816}\n").report.notes.empty());
  CHECK(stream1("{\"time\":1719535312,\"msg\":\"m\",\"rss_mb\":116}\n").report.notes.empty());
}

TEST_CASE("no memory samples: the note names the fields seen and the --field that reads them") {
  const std::string log =
      "{\"asctime\": \"2024-06-28 00:41:52,000\", \"levelname\": \"INFO\", \"message\": \"tick\", \"footprint_kib\": 20480, \"workers\": 3}\n"
      "{\"asctime\": \"2024-06-28 00:41:53,000\", \"levelname\": \"INFO\", \"message\": \"tick\", \"footprint_kib\": 20500, \"workers\": 3}\n";
  const auto s = stream1(log);
  CHECK(s.records.empty());
  REQUIRE(s.report.notes.size() == 1);
  CHECK(s.report.notes[0] ==
        "no memory samples: saw fields asctime, levelname, message, footprint_kib, workers in the first 2 records; "
        "`--field rss=footprint_kib` would read footprint_kib (name says KB: read as KiB)");
  SUBCASE("and that --field does read them (a name over 8 bytes still passes the prefilter)") {
    AppReadOptions o;
    REQUIRE(parse_field_override("rss=footprint_kib", o.fields));
    const auto r = stream1(log, o);
    REQUIRE(r.records.size() == 2);
    CHECK(r.records[1].rss_bytes == 20500 * KiB);
    CHECK(r.report.notes.empty());
  }
  SUBCASE("a unit-less candidate says how its first value would be read") {
    const auto r = stream1("{\"time\":\"2024-06-28T00:41:52Z\",\"msg\":\"stats\",\"resident_now\":123456789,\"uptime_s\":5}\n");
    REQUIRE(r.report.notes.size() == 1);
    CHECK(contains(r.report.notes[0], "`--field rss=resident_now` would read resident_now (first value 123456789, bytes (value range))"));
  }
  SUBCASE("nothing that looks like memory") {
    const auto r = stream1("{\"time\":\"2024-06-28T00:41:52Z\",\"msg\":\"request\",\"status\":200}\n");
    REQUIRE(r.report.notes.size() == 1);
    CHECK(r.report.notes[0] ==
          "no memory samples: saw fields time, msg, status in the first 1 record; none looks like a memory size "
          "(`--field rss=PATH` names one; a name ending in _kib, _mb, _gb or _bytes gives the unit)");
  }
  SUBCASE("an override that reads nothing says so") {
    AppReadOptions o;
    REQUIRE(parse_field_override("rss=mem.rss", o.fields));
    const auto r = stream1(log, o);
    REQUIRE(r.report.notes.size() == 1);
    CHECK(starts_with(r.report.notes[0], "no memory samples: --field rss=mem.rss read no number; saw fields asctime,"));
  }
}

TEST_CASE("no usable time: the note names the fields seen and the --field that reads one") {
  SUBCASE("an ISO time under an unknown name") {
    const auto s = stream1("{\"logtime\":\"2024-06-28T00:41:52Z\",\"msg\":\"m\",\"rss\":1e8}\n"
                           "{\"logtime\":\"2024-06-28T00:41:53Z\",\"msg\":\"m\",\"rss\":1e8}\n");
    CHECK(s.records.empty());
    CHECK(s.fields.no_time == 2);
    REQUIRE(s.report.notes.size() == 1);
    CHECK(s.report.notes[0] ==
          "no memory samples: 2 had no usable time (no time, timestamp, ts, asctime... field); saw fields "
          "logtime, msg, rss in the first 2 records; `--field time=logtime` would read logtime");
  }
  SUBCASE("a time crashsift cannot read") {
    const auto s = stream1("{\"when\":\"28/Jun/2024:00:41:52\",\"msg\":\"m\",\"rss_kib\":2048}\n");
    REQUIRE(s.report.notes.size() == 1);
    CHECK(contains(s.report.notes[0], "none holds an ISO-8601 time or an epoch number (`--field time=PATH` names one)"));
  }
  SUBCASE("records without memory and without time") {
    const auto s = stream1("{\"when\":\"2024-06-28T00:41:52Z\",\"level\":\"error\",\"msg\":\"boom\"}\n");
    REQUIRE(s.report.notes.size() == 2);
    CHECK(starts_with(s.report.notes[0], "no records: 1 had no usable time"));
    CHECK(contains(s.report.notes[0], "`--field time=when` would read when"));
    CHECK(starts_with(s.report.notes[1], "no memory samples: saw fields when, level, msg"));
  }
}

TEST_CASE("a memory field without a needle found in the first records is not prefiltered away") {
  std::string log;
  for (int i = 0; i < 200; ++i)
    log += "{\"time\":" + std::to_string(1719535312 + i) + ",\"msg\":\"tick\",\"memory_kb\":" +
           std::to_string(10000 + i) + "}\n";
  const auto s = stream1(log);
  CHECK(s.records.size() == 200);
  CHECK(s.records.back().rss_bytes == (10000 + 199) * KiB);
  CHECK(s.report.notes.empty());
}

TEST_CASE("python capture: testdata/app/python-logging/app.ndjson (stdlib logging, asctime, rss_kib)") {
  auto src = open_source(std::string(CRASHSIFT_TESTDATA) + "/app/python-logging/app.ndjson");
  REQUIRE(src);
  LineReader reader(**src);
  StreamedApp s;
  AppReadOptions o;  // asctime was written with TZ=UTC
  read_app_log(reader, o, s.report, s.fields, [&](const AppRecord& r) { s.records.push_back(r); });
  CHECK(s.report.skipped == 0);
  CHECK(s.report.notes.empty());
  CHECK(s.fields.dialect == "python");
  CHECK(s.fields.roles.at("time").count("asctime") == 1);
  CHECK(s.fields.roles.at("rss").at("rss_kib").how == "name says KB: read as KiB");
  size_t samples = 0, errors = 0, starts = 0;
  for (const auto& r : s.records) {
    samples += r.rss_bytes.has_value();
    errors += r.kind == AppRecordKind::error;
    starts += r.boot_marker;
    CHECK(r.pid.has_value());
  }
  CHECK(samples == 31);
  CHECK(errors == 1);
  CHECK(starts == 1);
  // A Python process with a growing cache: several MiB at least, and more at the end.
  CHECK(*s.records[1].rss_bytes > 4 * MiB);
  CHECK(*s.records[samples - 1].rss_bytes > *s.records[1].rss_bytes);
}
