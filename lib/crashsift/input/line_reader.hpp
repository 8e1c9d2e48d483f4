#pragma once
// Line-at-a-time reading over a ByteSource through one reused buffer. A line longer than
// max_line is not buffered whole: the reader drops bytes until the next newline and reports
// the line as overlong, so a 200 MB single line costs max_line of memory, not 200 MB.
// The buffer always keeps `padding` readable bytes after the returned line, which lets
// simdjson parse a line in place.
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "crashsift/input/byte_source.hpp"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace crashsift::input {

inline constexpr size_t default_max_line = 16u << 20;  // 16 MiB

struct Line {
  std::string_view text;       // without the '\n' (a trailing '\r' is kept: callers decide)
  std::uint64_t number = 0;    // 1-based
  bool overlong = false;       // text is empty, the line was dropped
  std::uint64_t overlong_size = 0;
  bool last_without_newline = false;
};

// The first `c` in a line LineReader returned (or any text followed by 32 readable bytes, as
// simdjson's padding is), or npos. Field names come first and are short (the '=' of an export
// line, the '"' that ends a json key, are within 32 bytes), so two 16-byte compares find it in
// the common case, reading into the bytes every LineReader keeps readable after its lines.
size_t find_in_line(std::string_view line, char c);

// Bit i set when p[i] == '\n', for the 64 bytes at p (all readable).
inline std::uint64_t newlines_in_64(const char* p) {
#if defined(__SSE2__)
  const __m128i nl = _mm_set1_epi8('\n');
  std::uint64_t mask = 0;
  for (int i = 0; i < 4; ++i) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * i));
    mask |= static_cast<std::uint64_t>(static_cast<std::uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, nl))))
            << (16 * i);
  }
  return mask;
#else
  std::uint64_t mask = 0;
  for (int i = 0; i < 64; ++i) mask |= static_cast<std::uint64_t>(p[i] == '\n') << i;
  return mask;
#endif
}

class LineReader {
 public:
  explicit LineReader(ByteSource& src, size_t max_line = default_max_line, size_t padding = 64);
  // Over bytes already in memory, read in place (no copy): a block of a parallel parse. The
  // caller guarantees `padding` readable bytes after them (at least 64), and keeps them alive.
  struct InPlace {};
  LineReader(InPlace, std::string_view bytes, size_t max_line = default_max_line);
  // False at end of input. Inline for the common case, a line whose newline is in the 64 bytes
  // already masked or the 64 after them: journal lines are ~40 bytes, so nearly all are (a
  // 1 GiB export has 29 million).
  bool next(Line& line) {
    if (begin_ >= mask_base_ && begin_ - mask_base_ < 64) {
      size_t len = 0;
      const std::uint64_t ahead = newline_mask_ >> (begin_ - mask_base_);
      if (ahead) {
        len = static_cast<size_t>(__builtin_ctzll(ahead));
      } else if (mask_base_ + 64 < end_) {
        const size_t before = mask_base_ + 64 - begin_;
        mask_at(mask_base_ + 64);
        if (!newline_mask_) return next_scanning(line);
        len = before + static_cast<size_t>(__builtin_ctzll(newline_mask_));
      } else {
        return next_scanning(line);
      }
      if (len <= max_line_) {
        line.text = std::string_view(data_ + begin_, len);
        line.number = ++line_no_;
        line.overlong = false;
        line.overlong_size = 0;
        line.last_without_newline = false;
        consumed_ += len + 1;
        begin_ += len + 1;
        return true;
      }
    }
    return next_scanning(line);
  }
  // Reads exactly n raw bytes after the current position (export binary fields). Returns false
  // on a short read. Large values beyond max_line are drained and reported as overlong.
  bool read_exact(size_t n, std::string_view& out, bool& overlong);
  std::uint64_t line_number() const { return line_no_; }
  std::uint64_t bytes_consumed() const { return consumed_; }
  ByteSource& source() { return *src_; }
  // Counts a line consumed by read_exact's trailing newline handling.
  void count_line() { ++line_no_; }
  // Up to cap raw bytes after the current position (what is buffered first); 0 at the end.
  // Lines in them are not counted.
  size_t read_some(char* out, size_t cap);

 private:
  bool next_scanning(Line& line);
  // The newline mask of the 64 bytes at base (a multiple of 64), those from end_ on cleared.
  void mask_at(size_t base) {
    mask_base_ = base;
    newline_mask_ = newlines_in_64(data_ + base);
    if (end_ - base < 64) newline_mask_ &= (std::uint64_t{1} << (end_ - base)) - 1;
  }
  bool fill();          // more bytes; false at EOF
  void compact();
  // The first newline at or after `from` in [from, end_), or nullptr. Lines in journals are
  // short (40 bytes on average in export): newlines are found 64 bytes at a time into a bit
  // mask that the following lines reuse, instead of one memchr call per line.
  const char* find_newline(size_t from);
  // The same, the masks made with two 32-byte compares (CPUs with AVX2; the short lines of
  // next()'s fast path keep the inline 16-byte form, which a call would cost more than).
  const char* find_newline_avx2(size_t from);
  ByteSource* src_;
  std::vector<char> buf_;
  const char* data_ = nullptr;             // buf_.data(), or the bytes read in place
  size_t begin_ = 0, end_ = 0;
  size_t max_line_, padding_;
  std::uint64_t line_no_ = 0, consumed_ = 0;
  bool eof_ = false;
  size_t mask_base_ = static_cast<size_t>(-1);  // position of the mask's first byte
  std::uint64_t newline_mask_ = 0;               // bit i: data_[mask_base_ + i] == '\n' (below end_)
};

}  // namespace crashsift::input
