#include "crashsift/input/line_reader.hpp"

#include <algorithm>
#include <cstring>

namespace crashsift::input {

static constexpr size_t initial_buffer = 1u << 20;

LineReader::LineReader(ByteSource& src, size_t max_line, size_t padding)
    : src_(src), buf_(initial_buffer + padding), max_line_(max_line), padding_(padding) {}

void LineReader::compact() {
  if (begin_ == 0) return;
  std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
  end_ -= begin_;
  begin_ = 0;
}

bool LineReader::fill() {
  if (eof_) return false;
  compact();
  size_t room = buf_.size() - padding_ - end_;
  if (room == 0) {
    // Grow, but never past max_line (+ one read) worth of buffered bytes.
    const size_t cap = buf_.size() - padding_;
    if (cap >= max_line_ + 1) return false;
    buf_.resize(std::min(cap * 2, max_line_ + 1) + padding_);
    room = buf_.size() - padding_ - end_;
  }
  const size_t r = src_.read(buf_.data() + end_, room);
  if (r == 0) {
    eof_ = true;
    return false;
  }
  end_ += r;
  return true;
}

bool LineReader::next(Line& line) {
  line = Line{};
  size_t scan_from = begin_;
  for (;;) {
    const char* nl = static_cast<const char*>(
        std::memchr(buf_.data() + scan_from, '\n', end_ - scan_from));
    if (nl) {
      const size_t len = static_cast<size_t>(nl - (buf_.data() + begin_));
      if (len > max_line_) {  // it fit in the buffer, but the limit is the limit
        line.overlong = true;
        line.overlong_size = len;
        line.number = ++line_no_;
        consumed_ += len + 1;
        begin_ += len + 1;
        return true;
      }
      line.text = std::string_view(buf_.data() + begin_, len);
      line.number = ++line_no_;
      consumed_ += len + 1;
      begin_ += len + 1;
      return true;
    }
    const size_t pending = end_ - begin_;
    if (pending > max_line_) {
      // Overlong: drop through the next newline without keeping it.
      std::uint64_t dropped = pending;
      begin_ = end_ = 0;
      for (;;) {
        if (!fill()) break;
        const char* p = static_cast<const char*>(std::memchr(buf_.data(), '\n', end_));
        if (p) {
          const size_t k = static_cast<size_t>(p - buf_.data());
          dropped += k;
          begin_ = k + 1;
          break;
        }
        dropped += end_;
        begin_ = end_ = 0;
      }
      line.overlong = true;
      line.overlong_size = dropped;
      line.number = ++line_no_;
      consumed_ += dropped + 1;
      return true;
    }
    const size_t old_pending = pending;
    if (!fill()) {
      if (end_ - begin_ == 0) return false;
      if (end_ - begin_ > max_line_) continue;  // handled as overlong above
      // Last line without a newline (a killed writer leaves these).
      line.text = std::string_view(buf_.data() + begin_, end_ - begin_);
      line.number = ++line_no_;
      line.last_without_newline = true;
      consumed_ += end_ - begin_;
      begin_ = end_;
      return true;
    }
    scan_from = begin_ + old_pending;
  }
}

size_t LineReader::read_some(char* out, size_t cap) {
  if (end_ > begin_) {
    const size_t k = std::min(cap, end_ - begin_);
    std::memcpy(out, buf_.data() + begin_, k);
    begin_ += k;
    consumed_ += k;
    return k;
  }
  if (eof_) return 0;
  const size_t r = src_.read(out, cap);
  if (r == 0) eof_ = true;
  consumed_ += r;
  return r;
}

bool LineReader::read_exact(size_t n, std::string_view& out, bool& overlong) {
  overlong = false;
  if (n > max_line_) {
    overlong = true;
    size_t left = n;
    while (left > 0) {
      const size_t have = end_ - begin_;
      if (have == 0 && !fill()) return false;
      const size_t k = std::min(left, end_ - begin_);
      begin_ += k, left -= k, consumed_ += k;
    }
    out = {};
    return true;
  }
  while (end_ - begin_ < n) {
    if (!fill()) return false;
  }
  out = std::string_view(buf_.data() + begin_, n);
  begin_ += n;
  consumed_ += n;
  return true;
}

}  // namespace crashsift::input
