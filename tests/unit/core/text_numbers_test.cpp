// parse_uint64(): journal numbers (timestamps, PIDs) are decimal text in every form.
#include <doctest/doctest.h>

#include <cstdint>
#include <string>

#include "crashsift/core/text.hpp"

using crashsift::parse_uint64;

TEST_CASE("parse_uint64: digits only, the whole string, any length up to UINT64_MAX") {
  std::uint64_t v = 7;
  CHECK(parse_uint64("1795420661701133", v));
  CHECK(v == 1795420661701133ull);
  CHECK(parse_uint64("0", v));
  CHECK(v == 0);
  CHECK(parse_uint64("9999999999999999999", v));  // 19 digits: the loop without overflow checks
  CHECK(v == 9999999999999999999ull);
  CHECK(parse_uint64("18446744073709551615", v));  // 20 digits: UINT64_MAX still fits
  CHECK(v == UINT64_MAX);
  v = 7;
  CHECK_FALSE(parse_uint64("18446744073709551616", v));  // one more does not
  CHECK_FALSE(parse_uint64("", v));
  CHECK_FALSE(parse_uint64("12a", v));
  CHECK_FALSE(parse_uint64("-1", v));
  CHECK_FALSE(parse_uint64(" 1", v));
  CHECK_FALSE(parse_uint64("1 ", v));
  CHECK_FALSE(parse_uint64("+1", v));
  CHECK(v == 7);  // left alone when the text is no number
  // Every value of a few digit counts reads back (the two paths agree at their border).
  for (std::uint64_t x : {1ull, 12ull, 123456789012345678ull, 1234567890123456789ull, 12345678901234567890ull}) {
    CHECK(parse_uint64(std::to_string(x), v));
    CHECK(v == x);
  }
}
