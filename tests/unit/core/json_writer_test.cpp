#include <doctest/doctest.h>
#include <simdjson.h>

#include <cstdio>
#include <string>
#include <vector>

#include "crashsift/core/json_writer.hpp"

using namespace crashsift;

TEST_CASE("JSON writer output parses back, with nulls and escapes") {
  JsonWriter w(true);
  std::optional<int> none;
  w.begin_object().field("s", "a\"b\\c\n\x01").field("n", none).field("i", 42).field("d", 1.5);
  w.key("bad_utf8").value(std::string_view("\xff\xfe ok", 5));
  w.key("arr").begin_array().value("x").null().end_array().end_object();
  simdjson::dom::parser p;
  simdjson::dom::element doc;
  REQUIRE_FALSE(p.parse(w.str()).get(doc));
  CHECK(std::string_view(doc["s"]) == "a\"b\\c\n\x01");
  CHECK(doc["n"].is_null());
  CHECK(int64_t(doc["i"]) == 42);
  CHECK(std::string_view(doc["bad_utf8"]).find("ok") != std::string_view::npos);
  CHECK(simdjson::dom::array(doc["arr"]).size() == 2);
}

TEST_CASE("JSON strings: every mix of plain runs and characters to escape parses back to itself") {
  // Runs of plain text between escapes of every kind, at the start, in the middle and at the end,
  // with UTF-8 (kept as is) and DEL (no escape needed).
  const std::vector<std::string> pieces{"", "plain", "\"", "\\", "\n", "\r", "\t", "\b", "\f", std::string(1, '\x01'),
                                        std::string(1, '\x1f'), "\x7f", "h\xc3\xa9", "Error: \"x\" at\n  line 3"};
  simdjson::dom::parser p;
  size_t checked = 0;
  for (const auto& a : pieces)
    for (const auto& b : pieces)
      for (const auto& c : pieces) {
        const std::string text = a + "mid" + b + c;
        std::string out;
        append_json_string(out, text);
        simdjson::dom::element doc;
        REQUIRE_FALSE(p.parse(out).get(doc));
        CHECK(std::string_view(doc) == text);
        ++checked;
      }
  CHECK(checked == pieces.size() * pieces.size() * pieces.size());
}

TEST_CASE("JSON numbers with a fraction are written as printf's %.6g writes them") {
  std::vector<double> values = {0.0, -0.0, 1.0, 0.5, 1.0 / 3, 2.0 / 3, 123456.0, 1234567.0, 1e-5, 1.5e-7, 99999.95,
                                999999.5, 1e21, -42.125, 3.14159265358979, 6.02214076e23, 5e-324};
  std::uint64_t x = 0x2545f4914f6cdd1dULL;
  for (int i = 0; i < 3000; ++i) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    values.push_back(static_cast<double>(x % 100000000) / static_cast<double>(1 + (x >> 40) % 100000));
  }
  for (const double v : values) {
    CAPTURE(v);
    char expected[64];
    std::snprintf(expected, sizeof expected, "%.6g", v);
    JsonWriter w;
    w.value(v);
    CHECK(w.str() == expected);
  }
}

TEST_CASE("JSON strings: a character to escape is found at every position of a long run") {
  // Strings are scanned sixteen bytes at a time, then byte by byte: put each kind of character
  // at each position of runs that end inside, at and past a sixteen-byte step.
  const std::vector<std::string> specials{"\"", "\\", "\n", std::string(1, '\x01'), "\x1f", "\xc3\xa9", "\x7f", "\xff"};
  simdjson::dom::parser p;
  for (size_t len : {15, 16, 17, 31, 32, 33, 47, 70}) {
    const std::string plain(len, 'a');
    std::string out;
    append_json_string(out, plain);
    CHECK(out == "\"" + plain + "\"");
    for (const auto& special : specials)
      for (size_t at = 0; at <= len; ++at) {
        CAPTURE(len);
        CAPTURE(at);
        const std::string text = plain.substr(0, at) + special + plain.substr(at);
        out.clear();
        append_json_string(out, text);
        simdjson::dom::element doc;
        REQUIRE_FALSE(p.parse(out).get(doc));
        const std::string_view back(doc);
        // Valid UTF-8 and DEL come back as they were; a lone 0xff is replaced, the rest kept.
        if (special == "\xff") CHECK(back.size() == text.size() - 1 + 3);
        else CHECK(back == text);
        // Only what must be escaped is: DEL and UTF-8 are copied as they are.
        if (special == "\x7f" || special == "\xc3\xa9") CHECK(out == "\"" + text + "\"");
      }
  }
}
