// Journal JSON and export parsed in parallel blocks (ParseOptions::jobs > 1) give exactly what
// one thread gives: the same events (compared field for field through the event wire encoding) in the same
// order, and the same accounting (entries, skipped lines with their line numbers, notes, time
// span), whatever the block size: blocks of a few bytes cut between every pair of lines. Both
// from memory and from a plain file through open_source, as the tool reads it.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "crashsift/core/event_wire.hpp"
#include "support/temp_file.hpp"
#include "text_parse_support.hpp"

using namespace crashsift;
using namespace crashsift::testing;

namespace {

struct Outcome {
  std::vector<std::string> events;  // each event's wire encoding (every field and its origin)
  InputReport report;
};

enum class From { memory, file };

// The bytes parsed from a plain file, as `crashsift exits FILE` reads them.
Parsed parse_file(const input::FormatParser& parser, std::string_view bytes, const input::ParseOptions& options) {
  const test::TempFile file(bytes);
  REQUIRE(!file.path().empty());
  Parsed out;
  auto src = input::open_source(file.path());
  REQUIRE(src);
  input::LineReader reader(**src, options.max_line);
  parser.parse(reader, options, out.report, [&](const Event& e) { (e.pasted ? out.pasted : out.events).push_back(e); });
  CHECK(reader.bytes_consumed() == bytes.size());
  CHECK((*src)->error().empty());
  return out;
}

Outcome parse_form(const char* form, std::string_view bytes, unsigned jobs, size_t block_bytes,
                   size_t max_line = 1u << 20, From from = From::memory) {
  input::ParseOptions options = utc_options();
  options.jobs = jobs;
  options.block_bytes = block_bytes;
  options.max_line = max_line;
  options.input_index = 3;
  const input::FormatParser& parser = *input::find_format(form);
  const Parsed p = from == From::file ? parse_file(parser, bytes, options) : parse_with(parser, bytes, options);
  Outcome out;
  for (const auto& e : p.events) {
    out.events.emplace_back();
    encode_event(e, out.events.back());
  }
  out.report = p.report;
  return out;
}

Outcome parse_json(std::string_view bytes, unsigned jobs, size_t block_bytes, size_t max_line = 1u << 20,
                   From from = From::memory) {
  return parse_form("json", bytes, jobs, block_bytes, max_line, from);
}

void check_same(const Outcome& one, const Outcome& many) {
  REQUIRE(one.events.size() == many.events.size());
  for (size_t i = 0; i < one.events.size(); ++i) CHECK(one.events[i] == many.events[i]);
  CHECK(one.report.entries == many.report.entries);
  CHECK(one.report.skipped == many.report.skipped);
  REQUIRE(one.report.first_skips.size() == many.report.first_skips.size());
  for (size_t i = 0; i < one.report.first_skips.size(); ++i) {
    CHECK(one.report.first_skips[i].line == many.report.first_skips[i].line);
    CHECK(one.report.first_skips[i].reason == many.report.first_skips[i].reason);
  }
  CHECK(one.report.notes == many.report.notes);
  CHECK(one.report.first_time == many.report.first_time);
  CHECK(one.report.last_time == many.report.last_time);
}

}  // namespace

TEST_CASE("json in parallel blocks: a real journal, every block size, the same events in the same order") {
  const std::string bytes = read_testdata("journals/systemd-lab/journal.json");
  REQUIRE(bytes.size() > 100000);
  const Outcome one = parse_json(bytes, 1, 1u << 20);
  REQUIRE(one.events.size() > 400);
  CHECK(one.report.skipped == 0);
  for (const unsigned jobs : {2u, 3u, 5u})
    for (const size_t block : {size_t{1}, size_t{700}, size_t{64 * 1024}, size_t{1u << 20}}) {
      CAPTURE(jobs);
      CAPTURE(block);
      check_same(one, parse_json(bytes, jobs, block));
      check_same(one, parse_json(bytes, jobs, block, 1u << 20, From::file));
    }
}

TEST_CASE("json in parallel blocks: torn, overlong, pretty, null and prefixed lines keep their order and numbers") {
  const std::string good = R"({"__CURSOR":"c1","__REALTIME_TIMESTAMP":"1700000000000001","_PID":"7","MESSAGE":"one"})";
  std::string bytes;
  bytes += good + "\n";
  bytes += R"({"__CURSOR":"c2","MESSAGE":"cut in th)" "\n";                    // torn: skipped, line 2
  bytes += "\x1e" + good + "\r\n";                                              // json-seq, CRLF
  bytes += "{\"__CURSOR\":\"c3\",\"MESSAGE\":\"" + std::string(5000, 'x') + "\"}\n";  // overlong: line 4
  bytes += "\n";                                                                // blank
  bytes += "{\n\t\"__CURSOR\" : \"p\",\n\t\"MESSAGE\" : \"pretty\"\n}\n";      // json-pretty: lines 6-9
  bytes += R"({"__CURSOR":"c4","COREDUMP_ENVIRON":null,"MESSAGE":[104,105]})" "\n";
  bytes += "data: " + good + "\n";                                              // json-sse
  bytes += "not json at all\n";                                                 // skipped, line 12
  bytes += R"({"__CURSOR":"c5","__REALTIME_TIMESTAMP":"1700000000000009","MESSAGE":"last"})";  // no newline
  const Outcome one = parse_json(bytes, 1, 1u << 20, 4096);
  REQUIRE(one.events.size() == 6);
  REQUIRE(one.report.first_skips.size() == 3);
  CHECK(one.report.first_skips[0].line == 2);
  CHECK(one.report.first_skips[1].line == 4);
  CHECK(one.report.first_skips[2].line == 12);
  CHECK(has_note_containing(one.report, "null"));
  for (const unsigned jobs : {2u, 4u})
    for (const size_t block : {size_t{1}, size_t{100}, size_t{300}, size_t{1u << 20}}) {
      CAPTURE(jobs);
      CAPTURE(block);
      check_same(one, parse_json(bytes, jobs, block, 4096));
      check_same(one, parse_json(bytes, jobs, block, 4096, From::file));
    }
}

namespace {

std::string binary_field(const std::string& name, const std::string& value) {
  std::string s = name + "\n";
  for (int i = 0; i < 8; ++i) s.push_back(static_cast<char>((value.size() >> (8 * i)) & 0xff));
  return s + value + "\n";
}

}  // namespace

TEST_CASE("export in parallel blocks: a real journal, every block size, the same events in the same order") {
  const std::string bytes = read_testdata("journals/systemd-lab/journal.export");
  const Outcome one = parse_form("export", bytes, 1, 1u << 20);
  REQUIRE(one.events.size() > 400);
  for (const unsigned jobs : {2u, 3u})
    for (const size_t block : {size_t{1}, size_t{333}, size_t{64 * 1024}}) {
      CAPTURE(jobs);
      CAPTURE(block);
      check_same(one, parse_form("export", bytes, jobs, block));
      check_same(one, parse_form("export", bytes, jobs, block, 1u << 20, From::file));
    }
}

TEST_CASE("export in parallel blocks: empty lines inside binary values, a length with a newline byte, damage, a cut") {
  std::string bytes;
  // A binary MESSAGE holding "\n\n" (a block may be cut there) and one 10 bytes long (its length
  // prefix holds a newline byte).
  bytes += "__CURSOR=a\n__REALTIME_TIMESTAMP=1700000000000001\n_PID=7\n" +
           binary_field("MESSAGE", "first\n\nsecond\n\n\nthird") + "_SYSTEMD_UNIT=a.service\n\n";
  bytes += "__CURSOR=b\n__REALTIME_TIMESTAMP=1700000000000002\n" + binary_field("MESSAGE", "ten bytes!") +
           "_PID=8\n\n";
  bytes += "__CURSOR=c\nthis is not a field\nMESSAGE=lost\n\n";                       // damaged: resync
  bytes += "__CURSOR=d\nMESSAGE=" + std::string(3000, 'x') + "\n_PID=9\n\n";            // overlong field
  for (int i = 0; i < 20; ++i)
    bytes += "__CURSOR=e" + std::to_string(i) + "\n__REALTIME_TIMESTAMP=17000000000000" + std::to_string(10 + i) +
             "\n" + binary_field("MESSAGE", std::string(static_cast<size_t>(i), '\n') + "x\n\ny") + "\n";
  const std::string cut_inside = bytes + "__CURSOR=f\n" + binary_field("MESSAGE", "never\n\nfinished").substr(0, 20);
  const std::string no_blank_at_end = bytes + "__CURSOR=g\nMESSAGE=last";
  for (const std::string* input : std::vector<const std::string*>{&bytes, &cut_inside, &no_blank_at_end}) {
    const Outcome one = parse_form("export", *input, 1, 1u << 20, 2048);
    CHECK(one.events.size() >= 23);
    CHECK(one.report.skipped >= 2);
    for (const unsigned jobs : {2u, 4u})
      for (const size_t block : {size_t{1}, size_t{5}, size_t{40}, size_t{200}, size_t{1u << 20}}) {
        CAPTURE(jobs);
        CAPTURE(block);
        check_same(one, parse_form("export", *input, jobs, block, 2048));
        check_same(one, parse_form("export", *input, jobs, block, 2048, From::file));
      }
  }
}
