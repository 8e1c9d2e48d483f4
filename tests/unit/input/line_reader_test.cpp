// LineReader finds newlines 64 bytes at a time through a bit mask and can read a block in
// place: whatever the line lengths (across the mask's 64-byte grid, over the buffer's refills,
// with no final newline, longer than --max-line), streamed and in-place reading give exactly
// the lines a plain split gives, with the same numbers.
#include <doctest/doctest.h>

#include <random>
#include <string>
#include <vector>

#include "crashsift/core/byte_buffer.hpp"
#include "crashsift/core/cpu.hpp"
#include "crashsift/input/byte_source.hpp"
#include "crashsift/input/line_reader.hpp"

using namespace crashsift;
using crashsift::input::Line;
using crashsift::input::LineReader;

namespace {

struct Seen {
  std::string text;
  std::uint64_t number = 0;
  bool overlong = false;
  std::uint64_t overlong_size = 0;
  bool last_without_newline = false;
  bool operator==(const Seen&) const = default;
};

std::vector<Seen> read_all(LineReader& reader) {
  std::vector<Seen> out;
  Line line;
  while (reader.next(line))
    out.push_back({std::string(line.text), line.number, line.overlong, line.overlong_size, line.last_without_newline});
  return out;
}

// What the lines must be: split by hand, lines over max_line reported overlong.
std::vector<Seen> expected_lines(const std::string& bytes, size_t max_line) {
  std::vector<Seen> out;
  size_t at = 0;
  std::uint64_t number = 0;
  while (at < bytes.size()) {
    const size_t nl = bytes.find('\n', at);
    const size_t end = nl == std::string::npos ? bytes.size() : nl;
    Seen s;
    s.number = ++number;
    if (end - at > max_line) {
      s.overlong = true;
      s.overlong_size = end - at;
    } else {
      s.text = bytes.substr(at, end - at);
      s.last_without_newline = nl == std::string::npos;
    }
    out.push_back(s);
    at = end + 1;
  }
  return out;
}

std::string random_lines(std::mt19937& rng, size_t count, size_t longest) {
  std::uniform_int_distribution<size_t> length(0, longest);
  std::uniform_int_distribution<int> letter('a', 'z');
  std::string bytes;
  for (size_t i = 0; i < count; ++i) {
    const size_t n = length(rng);
    for (size_t k = 0; k < n; ++k) bytes.push_back(static_cast<char>(letter(rng)));
    bytes.push_back('\n');
  }
  return bytes;
}

}  // namespace

// Lines of every length across the 64-byte mask grid and buffer refills, read streamed and
// in place.
static void check_lines_of_every_length() {
  std::mt19937 rng(7);
  for (const size_t longest : {size_t{0}, size_t{3}, size_t{63}, size_t{64}, size_t{65}, size_t{200}, size_t{5000}}) {
    CAPTURE(longest);
    std::string bytes = random_lines(rng, longest > 1000 ? 800 : 3000, longest);
    for (const bool final_newline : {true, false}) {
      CAPTURE(final_newline);
      if (!final_newline) bytes += "tail without newline";
      // A limit below the 128 bytes two masks see: lines over it found in the inline path.
      for (const size_t max_line : {size_t{1} << 20, size_t{50}}) {
        CAPTURE(max_line);
        const std::vector<Seen> want = expected_lines(bytes, max_line);
        auto src = input::memory_source(bytes);
        LineReader streamed(*src, max_line);
        CHECK(read_all(streamed) == want);
        CHECK(streamed.bytes_consumed() == bytes.size());
        ByteBuffer block;
        block.assign(bytes);
        LineReader in_place(LineReader::InPlace{}, block.view(), max_line);
        CHECK(read_all(in_place) == want);
      }
    }
  }
}

TEST_CASE("LineReader: lines of every length across the 64-byte mask grid and buffer refills") {
  // Both searches for a long line's newline: 16-byte compares, and AVX2 where the CPU has it.
  for (const bool avx2 : {false, true}) {
    cpu::allow_avx2(avx2);
    CAPTURE(cpu::avx2());
    check_lines_of_every_length();
  }
  cpu::allow_avx2(true);
}

TEST_CASE("LineReader: a stream larger than its buffer, with lines longer than --max-line") {
  std::mt19937 rng(11);
  std::string bytes;
  // More than the 1 MiB buffer, so that lines straddle refills; every 97th line is overlong.
  for (int i = 0; bytes.size() < (3u << 20); ++i) {
    bytes += random_lines(rng, 1, 120);
    if (i % 97 == 0) bytes += std::string(300, 'x') + "\n";
  }
  const std::vector<Seen> want = expected_lines(bytes, 256);
  REQUIRE(want.size() > 30000);
  auto src = input::memory_source(bytes);
  LineReader streamed(*src, 256);
  CHECK(read_all(streamed) == want);
  ByteBuffer block;
  block.assign(bytes);
  LineReader in_place(LineReader::InPlace{}, block.view(), 256);
  CHECK(read_all(in_place) == want);
}

TEST_CASE("LineReader in place: empty input, exact reads past the end, a line cut by the end") {
  ByteBuffer empty;
  LineReader none(LineReader::InPlace{}, empty.view());
  Line line;
  CHECK_FALSE(none.next(line));
  ByteBuffer block;
  block.assign("A=1\nBIN\n12345678");
  LineReader reader(LineReader::InPlace{}, block.view());
  REQUIRE(reader.next(line));
  CHECK(line.text == "A=1");
  REQUIRE(reader.next(line));
  CHECK(line.text == "BIN");
  std::string_view raw;
  bool overlong = false;
  REQUIRE(reader.read_exact(8, raw, overlong));
  CHECK(raw == "12345678");
  CHECK_FALSE(reader.read_exact(1, raw, overlong));  // nothing after the block
}

TEST_CASE("ByteBuffer: uninitialized room, growth that keeps the bytes, padding after the end") {
  ByteBuffer b;
  CHECK(b.empty());
  b.assign("abc");
  char* room = b.make_room(5);
  std::memcpy(room, "defgh", 5);
  b.grow(5);
  CHECK(b.view() == "abcdefgh");
  std::string big(100000, 'z');
  b.append(big);  // reallocates: what was there is kept
  CHECK(b.size() == 8 + big.size());
  CHECK(b.view().substr(0, 8) == "abcdefgh");
  // The padding after the last byte (a line reader's 64-byte look-ahead) is checked by the
  // in-place cases above under ASan, where a look past the allocation fails the run.
  b.shrink_to(3);
  CHECK(b.view() == "abc");
  b.shrink_to(10);  // never grows
  CHECK(b.view() == "abc");
  b.clear();
  CHECK(b.empty());
}
