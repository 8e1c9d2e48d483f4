#include <doctest/doctest.h>
#include <simdjson.h>

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
