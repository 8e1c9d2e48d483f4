// parse_uint64(): journal numbers (timestamps, PIDs) are decimal text in every form; and
// count_newlines(), which a parallel parse runs over every block.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <string>

#include "crashsift/core/cpu.hpp"
#include "crashsift/core/text.hpp"

using crashsift::count_newlines;
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

TEST_CASE("parse_uint64: eight digits at a time agree with a digit loop, and reject any other byte anywhere") {
  // Every length up to 19 digits, each digit value at each position; then one byte that is
  // no digit (the neighbours of '0' and '9', a space, a byte over 0x7f) at each position.
  std::uint64_t v = 0;
  for (size_t len = 1; len <= 19; ++len)
    for (size_t at = 0; at < len; ++at)
      for (char d = '0'; d <= '9'; ++d) {
        std::string text(len, '7');
        text[at] = d;
        std::uint64_t want = 0;
        for (char c : text) want = want * 10 + static_cast<std::uint64_t>(c - '0');
        CAPTURE(text);
        REQUIRE(parse_uint64(text, v));
        CHECK(v == want);
      }
  for (size_t len = 1; len <= 19; ++len)
    for (size_t at = 0; at < len; ++at)
      for (char bad : {'/', ':', ' ', 'a', static_cast<char>(0xb9), '\0'}) {
        std::string text(len, '5');
        text[at] = bad;
        CAPTURE(len);
        CAPTURE(at);
        CHECK_FALSE(parse_uint64(text, v));
      }
}

TEST_CASE("count_newlines counts what a byte loop counts, at every length and alignment") {
  // Past 255 steps (of 16 bytes, or 32 with AVX2) the per-byte counters are summed and start
  // again: lengths around 4080 and 8160 bytes cross that, and every alignment of the start is
  // tried.
  std::string text;
  std::uint32_t seed = 12345;
  for (int i = 0; i < 20000; ++i) {
    seed = seed * 1103515245u + 12345u;
    text.push_back((seed >> 16) % 5 == 0 ? '\n' : static_cast<char>('a' + (seed >> 20) % 26));
  }
  // Runs of newlines long enough to fill every per-byte counter: 255 steps of 16 bytes, and
  // of 32 bytes.
  text.replace(100, 9000, std::string(9000, '\n'));
  // Both forms: the baseline's, and AVX2's where the CPU has it.
  for (const bool avx2 : {false, true}) {
    crashsift::cpu::allow_avx2(avx2);
    CAPTURE(crashsift::cpu::avx2());
    for (size_t start : {0, 1, 7, 15, 31})
      for (size_t len : {0, 1, 15, 16, 17, 31, 32, 33, 255, 4079, 4080, 4081, 4096, 8159, 8160, 8161, 8191, 8500, 9050, 16500}) {
        const std::string_view s = std::string_view(text).substr(start, len);
        CAPTURE(start);
        CAPTURE(len);
        CHECK(count_newlines(s) == static_cast<std::uint64_t>(std::count(s.begin(), s.end(), '\n')));
      }
  }
  crashsift::cpu::allow_avx2(true);
}
