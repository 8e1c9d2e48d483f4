// Quirks of `journalctl -o json` and `-o export` (formats.md §6.3-6.4), one case each.
#include <doctest/doctest.h>

#include <vector>

#include "crashsift/input/byte_source.hpp"
#include "crashsift/input/line_reader.hpp"
#include "crashsift/input/parser.hpp"

using namespace crashsift;
using namespace crashsift::input;

namespace {

struct Parsed {
  std::vector<Event> events;
  InputReport report;
};

Parsed parse(const FormatParser& parser, std::string_view bytes, size_t max_line = default_max_line) {
  Parsed p;
  auto src = memory_source(bytes);
  LineReader reader(*src, max_line);
  ParseOptions options;
  options.max_line = max_line;
  parser.parse(reader, options, p.report, [&](const Event& e) { p.events.push_back(e); });
  return p;
}

std::string u64le(std::uint64_t v) {
  std::string s(8, '\0');
  for (int i = 0; i < 8; ++i) s[static_cast<size_t>(i)] = static_cast<char>((v >> (8 * i)) & 0xff);
  return s;
}

}  // namespace

TEST_CASE("json: numbers are strings, the source realtime wins, the cursor is kept") {
  auto p = parse(json_format(),
                 R"({"__CURSOR":"s=1;i=2","__REALTIME_TIMESTAMP":"1795420661703866","_SOURCE_REALTIME_TIMESTAMP":"1795420661702165","_PID":"1","SYSLOG_IDENTIFIER":"systemd","UNIT":"a.service","MESSAGE":"a.service: Main process exited, code=dumped, status=6/ABRT","EXIT_CODE":"dumped","EXIT_STATUS":"6","_BOOT_ID":"f2e2"})"
                 "\n");
  REQUIRE(p.events.size() == 1);
  const Event& e = p.events[0];
  CHECK(e.time == 1795420661702165);
  CHECK(e.pid == 1);
  CHECK(e.unit == "a.service");
  CHECK(e.exit_status == 6);
  CHECK(e.exit_code == "dumped");
  CHECK(e.origin.cursor == "s=1;i=2");
  CHECK(e.boot_id == "f2e2");
}

TEST_CASE("json: a non-printable value is an array of byte numbers") {
  auto p = parse(json_format(), R"({"__CURSOR":"c","MESSAGE":[27,91,51,49,109,114,101,100,27,91,48,109,13],"_PID":"9"})"
                                "\n");
  REQUIRE(p.events.size() == 1);
  CHECK(p.events[0].message == "\x1b[31mred\x1b[0m\r");
}

TEST_CASE("json: a repeated field is an array of values; a long value is null") {
  auto p = parse(json_format(), R"({"__CURSOR":"c","MESSAGE":["first","second"],"COREDUMP_ENVIRON":null})"
                                "\n");
  REQUIRE(p.events.size() == 1);
  CHECK(p.events[0].message == "second");
  CHECK(p.report.notes.size() == 1);
}

TEST_CASE("json-seq record separators, json-sse prefixes and json-pretty objects") {
  CHECK(parse(json_format(), "\x1e{\"__CURSOR\":\"c\",\"MESSAGE\":\"x\"}\n").events.size() == 1);
  CHECK(parse(json_format(), "data: {\"__CURSOR\":\"c\",\"MESSAGE\":\"x\"}\n\n").events.size() == 1);
  auto pretty = parse(json_format(), "{\n\t\"__CURSOR\" : \"c\",\n\t\"MESSAGE\" : \"x\"\n}\n");
  REQUIRE(pretty.events.size() == 1);
  CHECK(pretty.events[0].message == "x");
}

TEST_CASE("json: values are taken in place unless escaped, whatever the spacing around them") {
  // Plain values are read from the line itself; escaped ones are unescaped; spaces around the
  // colon or before the comma (json-pretty, hand-edited lines) still name the right field.
  auto p = parse(json_format(),
                 R"({"__CURSOR":"c1","MESSAGE":"said \"no\" \\ then\tleft \u00e9t\u00e9","_SYSTEMD_UNIT":"a.service","_COMM":""})"
                 "\n"
                 R"({ "__CURSOR" : "c2" , "MESSAGE" :"plain, with: a colon and } brace" ,"_PID": "42" , "UNIT":"b.service" })"
                 "\n");
  REQUIRE(p.events.size() == 2);
  CHECK(p.events[0].message == "said \"no\" \\ then\tleft \xc3\xa9t\xc3\xa9");
  CHECK(p.events[0].systemd_unit == "a.service");
  CHECK(p.events[0].comm.empty());
  CHECK(p.events[0].origin.cursor == "c1");
  CHECK(p.events[1].origin.cursor == "c2");
  CHECK(p.events[1].message == "plain, with: a colon and } brace");
  CHECK(p.events[1].pid == 42);
  CHECK(p.events[1].unit == "b.service");
  CHECK(p.report.skipped == 0);
}

TEST_CASE("json: a line cut in half is skipped with its line number and the next line is read") {
  auto p = parse(json_format(), "{\"__CURSOR\":\"a\",\"MESSAGE\":\"cut in th\n{\"__CURSOR\":\"b\",\"MESSAGE\":\"ok\"}\n");
  CHECK(p.events.size() == 1);
  CHECK(p.report.skipped == 1);
  REQUIRE(p.report.first_skips.size() == 1);
  CHECK(p.report.first_skips[0].line == 1);
}

TEST_CASE("json: a line longer than --max-line is skipped without being buffered") {
  std::string big = "{\"__CURSOR\":\"a\",\"MESSAGE\":\"" + std::string(5000, 'x') + "\"}\n";
  auto p = parse(json_format(), big + "{\"__CURSOR\":\"b\",\"MESSAGE\":\"ok\"}\n", 1024);
  CHECK(p.events.size() == 1);
  CHECK(p.report.skipped == 1);
}

TEST_CASE("json probe: journal entries yes, app logs no") {
  CHECK(json_format().probe("{\"__CURSOR\":\"s=1\",\"__REALTIME_TIMESTAMP\":\"1\"}"));
  CHECK_FALSE(json_format().probe("{\"level\":30,\"time\":1700000000000,\"msg\":\"hi\"}"));
  CHECK_FALSE(json_format().probe("Nov 23 07:57:41 host x[1]: {\"a\":1}"));
}

TEST_CASE("export: binary-safe fields with a 64-bit little-endian length may contain blank lines") {
  const std::string msg = "line one\n\nline three";
  const std::string bytes = "__CURSOR=s=1\n__REALTIME_TIMESTAMP=1795420661617199\n_PID=5\nMESSAGE\n" +
                            u64le(msg.size()) + msg + "\n_SYSTEMD_UNIT=a.service\n\n__CURSOR=s=2\nMESSAGE=next\n\n";
  auto p = parse(export_format(), bytes);
  REQUIRE(p.events.size() == 2);
  CHECK(p.events[0].message == msg);
  CHECK(p.events[0].systemd_unit == "a.service");
  CHECK(p.events[1].message == "next");
  CHECK(p.report.skipped == 0);
}

TEST_CASE("export: a wrong length prefix skips that entry only, with a reason") {
  const std::string bytes = "__CURSOR=s=1\nMESSAGE\n" + u64le(3) + "too long value\n_PID=1\n\n__CURSOR=s=2\nMESSAGE=ok\n\n";
  auto p = parse(export_format(), bytes);
  REQUIRE(p.events.size() == 1);
  CHECK(p.events[0].message == "ok");
  CHECK(p.report.skipped == 1);
  const std::string huge = "__CURSOR=s=1\nMESSAGE\n" + u64le(1ull << 60) + "x\n\n__CURSOR=s=2\nMESSAGE=ok\n\n";
  auto q = parse(export_format(), huge);
  CHECK(q.events.size() == 1);
  CHECK(q.report.skipped == 1);
}

TEST_CASE("export: a file cut inside a binary field or without the final blank line") {
  auto cut = parse(export_format(), "__CURSOR=s=1\nMESSAGE\n\x05\x00");
  CHECK(cut.report.skipped == 1);
  auto no_blank = parse(export_format(), "__CURSOR=s=1\nMESSAGE=last\n");
  REQUIRE(no_blank.events.size() == 1);
  CHECK(no_blank.events[0].message == "last");
}

TEST_CASE("compressed inputs are detected by content") {
  // gzip of "__CURSOR=s=1\nMESSAGE=zipped\n\n" made with Python's gzip module.
  const unsigned char gz[] = {0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0x8b, 0x8f, 0x77, 0x0e, 0x0d, 0x0a, 0xf6, 0x0f, 0xb2, 0x2d, 0xb6, 0x35, 0xe4, 0xf2, 0x75, 0x0d, 0x0e, 0x76, 0x74, 0x77, 0xb5, 0xad, 0xca, 0x2c, 0x28, 0x48, 0x4d, 0xe1, 0xe2, 0x02, 0x00, 0xf3, 0x42, 0x79, 0xd4, 0x1d, 0x00, 0x00, 0x00};
  auto src = memory_source(std::string_view(reinterpret_cast<const char*>(gz), sizeof gz));
  CHECK(src->compression() == "gzip");
  LineReader reader(*src);
  InputReport report;
  std::vector<Event> events;
  export_format().parse(reader, {}, report, [&](const Event& e) { events.push_back(e); });
  REQUIRE(events.size() == 1);
  CHECK(events[0].message == "zipped");
}
