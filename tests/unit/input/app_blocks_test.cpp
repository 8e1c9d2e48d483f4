// App logs prefiltered in parallel blocks (AppReadOptions::jobs > 1) give exactly what one
// thread gives: the same records in the same order, the same skipped lines with their numbers
// and reasons, the same counts and detected fields, whatever the block size. The lines that
// pass the prefilter are parsed in order by one parser, so a unit decided by a field's first
// value holds for the later lines as it does in one thread.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "app_parse_support.hpp"

using namespace crashsift;
using namespace crashsift::testing;

namespace {

std::string describe(const input::AppRecord& r) {
  std::ostringstream o;
  o << r.line << '|' << (r.time ? *r.time : -1) << '|' << to_string(r.kind) << '|' << to_string(r.level) << '|'
    << r.event << '|' << r.message << '|' << r.error_text << '|' << (r.rss_bytes ? *r.rss_bytes : 0) << '|'
    << (r.heap_used_bytes ? *r.heap_used_bytes : 0) << '|' << r.activity.size() << '|' << (r.pid ? *r.pid : 0) << '|'
    << r.version << '|' << r.boot_marker;
  return o.str();
}

std::string describe(const StreamedApp& s) {
  std::ostringstream o;
  for (const auto& r : s.records) o << describe(r) << '\n';
  o << "entries " << s.report.entries << " skipped " << s.report.skipped << '\n';
  for (const auto& k : s.report.first_skips) o << "skip " << k.line << ' ' << k.reason << '\n';
  for (const auto& n : s.report.notes) o << "note " << n << '\n';
  o << "lines " << s.fields.lines << " parsed " << s.fields.parsed << " prefiltered " << s.fields.prefiltered
    << " records " << s.fields.records << " no_time " << s.fields.no_time << " recovered " << s.fields.recovered
    << " dialect " << s.fields.dialect << '\n';
  for (const auto& [role, fields] : s.fields.roles)
    for (const auto& [name, use] : fields) o << role << ' ' << name << ' ' << use.lines << ' ' << use.how << '\n';
  return o.str();
}

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream o;
  o << f.rdbuf();
  return o.str();
}

// A log with everything the prefilter decides: samples whose rss has no unit in its name (its
// first value decides the unit), a memory field only the survey of the first lines learns
// ("mem_used_kb"), blank lines, CRLF, non-JSON lines, torn lines, a record glued after a torn
// one, over-long lines, and a last line without a newline.
std::string hostile_log() {
  std::string o;
  for (int i = 0; i < 70; ++i)
    o += R"({"time":"2026-05-01T00:00:)" + std::string(i < 10 ? "0" : "") + std::to_string(i % 60) +
         R"(.000Z","level":30,"msg":"tick","mem_used_kb":)" + std::to_string(1000 + i) + "}\n";
  for (int i = 0; i < 3000; ++i) {
    const std::string t = "2026-05-01T01:" + std::string(i / 60 % 60 < 10 ? "0" : "") + std::to_string(i / 60 % 60) +
                          ":" + std::string(i % 60 < 10 ? "0" : "") + std::to_string(i % 60) + ".000Z";
    switch (i % 11) {
      case 0: o += R"({"time":")" + t + R"(","msg":"sample","rss":)" + std::to_string(i == 0 ? 0 : 900 + i) + "}\n"; break;
      case 1: o += R"({"time":")" + t + R"(","msg":"request completed","status":200})" "\r\n"; break;
      case 2: o += "\n"; break;
      case 3: o += "plain text from a library\n"; break;
      case 4: o += R"({"time":")" + t + R"(","msg":"cut in the mid)" "\n"; break;
      case 5: o += R"({"time":")" + t + R"(","msg":"torn","rss":1{"time":")" + t + R"(","msg":"glued","rss":77})" "\n"; break;
      case 6: o += R"({"time":")" + t + R"(","level":50,"msg":"failed","err":{"message":"boom"}})" "\n"; break;
      case 7: o += R"({"time":")" + t + R"(","msg":")" + std::string(700, 'x') + R"(","rss":5})" "\n"; break;
      case 8: o += "   " R"({"time":")" + t + R"(","msg":"indented","heapUsed":123456})" "\n"; break;
      default: o += R"({"time":")" + t + R"(","msg":"noise","user":"u1"})" "\n"; break;
    }
  }
  o += R"({"time":"2026-05-01T02:00:00.000Z","msg":"sample","rss":12)";  // no newline, torn
  return o;
}

void check_blocks_equal_one_thread(const std::string& bytes, size_t max_line) {
  input::AppReadOptions one;
  one.max_line = max_line;
  const std::string want = describe(stream_app(bytes, one));
  for (const unsigned jobs : {2u, 3u})
    for (const size_t block : {size_t{1}, size_t{97}, size_t{4096}, size_t{1u << 20}}) {
      CAPTURE(jobs);
      CAPTURE(block);
      input::AppReadOptions many = one;
      many.jobs = jobs;
      many.block_bytes = block;
      CHECK(describe(stream_app(bytes, many)) == want);
      CHECK(describe(stream_app_file(bytes, many)) == want);
    }
}

}  // namespace

TEST_CASE("app log in parallel blocks: torn, glued, blank, CRLF, over-long and unterminated lines as one thread") {
  const std::string bytes = hostile_log();
  input::AppReadOptions one;
  one.max_line = 512;
  const StreamedApp s = stream_app(bytes, one);
  // The log exercises what it should: samples, skips of every kind, a recovered record, the
  // learned needle (its samples parsed), an over-long line.
  CHECK(s.fields.recovered > 0);
  CHECK(s.fields.prefiltered > 0);
  CHECK(s.report.skipped > 1000);
  CHECK(s.records.size() > 800);
  CHECK(describe(s).find("mem_used_kb") != std::string::npos);
  check_blocks_equal_one_thread(bytes, 512);
}

TEST_CASE("app log in parallel blocks: the numbers and reasons of an over-long line and a torn last line") {
  // Few skips, so that every one is listed (InputReport lists the first five).
  std::string bytes;
  for (int i = 0; i < 200; ++i)
    bytes += R"({"time":"2026-05-01T00:00:00.000Z","msg":"sample","rss":)" + std::to_string(100 + i) + "}\n";
  bytes.insert(bytes.find('\n', bytes.size() / 2) + 1, std::string(600, 'y') + "\n");
  bytes += R"({"time":"2026-05-01T00:01:00.000Z","msg":"sample","rss":12)";
  input::AppReadOptions one;
  one.max_line = 512;
  const std::string d = describe(stream_app(bytes, one));
  CHECK(d.find("skip 102 line of 600 bytes is over the line limit") != std::string::npos);
  CHECK(d.find("skip 202 torn last line (no newline)") != std::string::npos);
  check_blocks_equal_one_thread(bytes, 512);
}

TEST_CASE("app logs in parallel blocks: every app log in testdata as one thread") {
  size_t seen = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(CRASHSIFT_TESTDATA)) {
    const std::string p = e.path().string();
    if (!e.is_regular_file() || p.find(".ndjson") == std::string::npos || e.path().extension() == ".gz") continue;
    CAPTURE(p);
    check_blocks_equal_one_thread(read_file(p), 1u << 20);
    ++seen;
  }
  CHECK(seen >= 10);
}
