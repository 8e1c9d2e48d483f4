// The lean JSON reader against simdjson (journal_json_event.hpp): whatever line it reads, it
// reads as simdjson does, field for field; what it leaves, simdjson reads.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "crashsift/core/event_wire.hpp"
#include "crashsift/input/journal_json_event.hpp"

using crashsift::Event;
using crashsift::input::lean_fill_event;
using crashsift::input::simdjson_fill_event;

namespace {

struct Read {
  bool lean = false;
  std::string lean_event, reference_event, reference_error;
  std::uint64_t lean_nulls = 0, reference_nulls = 0;
};

// Both readers over one line (padded as the line reader pads it).
Read read_both(std::string_view line) {
  std::string padded(line);
  padded.append(64, ' ');
  const std::string_view text(padded.data(), line.size());
  Read r;
  Event lean, reference;
  std::string scratch;
  r.lean = lean_fill_event(text, lean, r.lean_nulls, scratch);
  r.reference_error = simdjson_fill_event(text, padded.size(), reference, r.reference_nulls);
  crashsift::encode_event(lean, r.lean_event);
  crashsift::encode_event(reference, r.reference_event);
  return r;
}

void check_same_when_read(std::string_view line) {
  const Read r = read_both(line);
  if (!r.lean) return;
  CHECK(r.reference_error.empty());
  CHECK(r.lean_event == r.reference_event);
  CHECK(r.lean_nulls == r.reference_nulls);
}

Event lean_event(std::string_view line) {
  std::string padded(line);
  padded.append(64, ' ');
  Event e;
  std::uint64_t nulls = 0;
  std::string scratch;
  REQUIRE(lean_fill_event(std::string_view(padded.data(), line.size()), e, nulls, scratch));
  return e;
}

bool lean_reads(std::string_view line) {
  std::string padded(line);
  padded.append(64, ' ');
  Event e;
  std::uint64_t nulls = 0;
  std::string scratch;
  return lean_fill_event(std::string_view(padded.data(), line.size()), e, nulls, scratch);
}

}  // namespace

TEST_CASE("lean json: every journal line in testdata reads as simdjson reads it") {
  size_t lines = 0, lean = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(CRASHSIFT_TESTDATA)) {
    const std::string p = e.path().string();
    if (!e.is_regular_file() || p.find("/fuzz/") != std::string::npos) continue;
    const std::string name = e.path().filename().string();
    if (name.find(".json") == std::string::npos || name.find("app") != std::string::npos) continue;
    std::ifstream in(p);
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty() || line[0] != '{') continue;
      CAPTURE(p);
      CAPTURE(line);
      ++lines;
      const Read r = read_both(line);
      if (!r.lean) continue;
      ++lean;
      CHECK(r.reference_error.empty());
      CHECK(r.lean_event == r.reference_event);
      CHECK(r.lean_nulls == r.reference_nulls);
    }
  }
  CHECK(lines > 1000);
  CHECK(lean * 10 > lines * 9);  // the common shape is the lean reader's
}

TEST_CASE("lean json: escapes decode as simdjson decodes them") {
  const char* line =
      R"({"__REALTIME_TIMESTAMP":"1795420661701133","_PID":"54","MESSAGE":"a \"quoted\" \\ path\/x\ttab\nnl \u001b[31mred\u001b[0m caf\u00e9 \u20ac\b\f\r","SYSLOG_IDENTIFIER":"app"})";
  check_same_when_read(line);
  const Event e = lean_event(line);
  CHECK(e.message == "a \"quoted\" \\ path/x\ttab\nnl \x1b[31mred\x1b[0m caf\xc3\xa9 \xe2\x82\xac\b\f\r");
  CHECK(e.identifier == "app");
  CHECK(e.pid == 54);
}

TEST_CASE("lean json: values of other fields are skipped, nulls counted, in place when plain") {
  const char* line = R"({"_CMDLINE":"/usr/bin/node \"x\" --max-old-space-size=2048","COREDUMP_ENVIRON":null,"MESSAGE":"plain","_HOSTNAME":"web1"})";
  check_same_when_read(line);
  std::string padded(line);
  padded.append(64, ' ');
  Event e;
  std::uint64_t nulls = 0;
  std::string scratch;
  REQUIRE(lean_fill_event(std::string_view(padded.data(), std::strlen(line)), e, nulls, scratch));
  CHECK(nulls == 1);
  CHECK(e.message == "plain");
  CHECK(e.hostname == "web1");
  CHECK(scratch.empty());  // no value held an escape the event keeps
}

TEST_CASE("lean json: what it leaves to simdjson") {
  for (const char* line : {
           R"({"MESSAGE":[98,105,110]})",                          // bytes: an array
           R"({"MESSAGE":["a","b"]})",                             // a field logged twice
           R"({"MESSAGE":"caf)" "\xc3\xa9" R"("})",                // a byte above 0x7f
           R"({"MESSAGE":"\ud83d\ude00"})",                         // a surrogate pair
           R"({"MESSAGE":"a	b"})",                                 // a raw control byte (tab)
           R"({"MESSAGE":"x\q"})",                                  // an invalid escape
           R"({"_CMDLINE":"x\q","MESSAGE":"m"})",                   // ... in a field not kept
           R"({"PRIORITY":6})",                                     // a number
           R"({"MESSAGE":"x" })",                                   // a space
           R"({"MESSAGE":"x"}junk)",                                // bytes after the object
           R"({"MESSAGE":"x",})",                                   // a trailing comma
           R"({"MESSAGE" "x"})",                                    // no colon
           R"({"MESSAGE":"unterminated})",                          // no closing quote
           R"({"MESS\u0041GE":"x"})",                               // an escaped name
           R"({"MESSAGE":nul})",                                    // not null
           R"([{"MESSAGE":"x"}])",                                  // not an object
       }) {
    CAPTURE(line);
    CHECK_FALSE(lean_reads(line));
    check_same_when_read(line);
  }
}
