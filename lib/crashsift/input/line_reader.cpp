#include "crashsift/input/line_reader.hpp"

#include <algorithm>
#include <cstring>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#endif

#include "crashsift/core/cpu.hpp"

namespace crashsift::input {

static constexpr size_t initial_buffer = 1u << 20;

#if defined(__x86_64__) && defined(__GNUC__)
#define CRASHSIFT_NEWLINES_AVX2 1
#endif

size_t find_in_line(std::string_view line, char c) {
#if defined(__SSE2__)
  const __m128i want = _mm_set1_epi8(c);
  for (size_t at = 0; at < 32 && at < line.size(); at += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(line.data() + at));
    const auto hits = static_cast<std::uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, want)));
    if (hits == 0) continue;
    const size_t pos = at + static_cast<size_t>(__builtin_ctz(hits));
    return pos < line.size() ? pos : std::string_view::npos;
  }
  if (line.size() <= 32) return std::string_view::npos;
  const size_t rest = line.substr(32).find(c);
  return rest == std::string_view::npos ? rest : 32 + rest;
#else
  return line.find(c);
#endif
}

// The mask needs 64 readable bytes from any position before end_: padding is at least 64.
LineReader::LineReader(ByteSource& src, size_t max_line, size_t padding)
    : src_(&src), buf_(initial_buffer + std::max<size_t>(padding, 64)), data_(buf_.data()), max_line_(max_line),
      padding_(std::max<size_t>(padding, 64)) {}

namespace {

// The source behind a reader of bytes already in memory: always at its end. One for all such
// readers (it holds no state): each parallel block makes a reader, and a memory_source would
// cost it a zero-filled 256 KiB buffer, as much as the block itself.
class EndedSource final : public ByteSource {
 public:
  size_t read(char*, size_t) override { return 0; }
  std::uint64_t position() const override { return 0; }
};

ByteSource& ended_source() {
  static EndedSource source;
  return source;
}

}  // namespace

LineReader::LineReader(InPlace, std::string_view bytes, size_t max_line)
    : src_(&ended_source()), data_(bytes.data()), end_(bytes.size()),
      max_line_(max_line), padding_(64), eof_(true) {}

const char* LineReader::find_newline(size_t from) {
#if defined(CRASHSIFT_NEWLINES_AVX2)
  // Lines longer than next()'s 128 bytes (json, app logs): a quarter of their parse's
  // instructions went to the 16-byte compares.
  if (cpu::avx2()) return find_newline_avx2(from);
#endif
  for (;;) {
    if (from >= end_) return nullptr;
    if (from < mask_base_ || from >= mask_base_ + 64) {
      // On a fixed 64-byte grid, so that each byte is looked at once however lines fall.
      mask_at(from & ~size_t{63});
    }
    const std::uint64_t ahead = newline_mask_ >> (from - mask_base_);
    if (ahead != 0) return data_ + from + static_cast<size_t>(__builtin_ctzll(ahead));
    from = mask_base_ + 64;
  }
}

#if defined(CRASHSIFT_NEWLINES_AVX2)
__attribute__((target("avx2"))) const char* LineReader::find_newline_avx2(size_t from) {
  const __m256i nl = _mm256_set1_epi8('\n');
  for (;;) {
    if (from >= end_) return nullptr;
    if (from < mask_base_ || from >= mask_base_ + 64) {
      const size_t base = from & ~size_t{63};  // the grid of mask_at(): the masks are shared
      const char* p = data_ + base;
      const auto low = static_cast<std::uint32_t>(
          _mm256_movemask_epi8(_mm256_cmpeq_epi8(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)), nl)));
      const auto high = static_cast<std::uint32_t>(
          _mm256_movemask_epi8(_mm256_cmpeq_epi8(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 32)), nl)));
      mask_base_ = base;
      newline_mask_ = low | (static_cast<std::uint64_t>(high) << 32);
      if (end_ - base < 64) newline_mask_ &= (std::uint64_t{1} << (end_ - base)) - 1;
    }
    const std::uint64_t ahead = newline_mask_ >> (from - mask_base_);
    if (ahead != 0) return data_ + from + static_cast<size_t>(__builtin_ctzll(ahead));
    from = mask_base_ + 64;
  }
}
#endif

void LineReader::compact() {
  mask_base_ = static_cast<size_t>(-1);  // the bytes move
  if (begin_ == 0 || buf_.empty()) return;
  std::memmove(buf_.data(), data_ + begin_, end_ - begin_);
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
    data_ = buf_.data();
    room = buf_.size() - padding_ - end_;
  }
  const size_t r = src_->read(buf_.data() + end_, room);
  if (r == 0) {
    eof_ = true;
    return false;
  }
  end_ += r;
  mask_base_ = static_cast<size_t>(-1);  // bytes after the old end_ were masked off
  return true;
}

bool LineReader::next_scanning(Line& line) {
  line = Line{};
  size_t scan_from = begin_;
  for (;;) {
    const char* nl = find_newline(scan_from);
    if (nl) {
      const size_t len = static_cast<size_t>(nl - (data_ + begin_));
      if (len > max_line_) {  // it fit in the buffer, but the limit is the limit
        line.overlong = true;
        line.overlong_size = len;
        line.number = ++line_no_;
        consumed_ += len + 1;
        begin_ += len + 1;
        return true;
      }
      line.text = std::string_view(data_ + begin_, len);
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
        const char* p = static_cast<const char*>(std::memchr(data_, '\n', end_));
        if (p) {
          const size_t k = static_cast<size_t>(p - data_);
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
      line.text = std::string_view(data_ + begin_, end_ - begin_);
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
    std::memcpy(out, data_ + begin_, k);
    begin_ += k;
    consumed_ += k;
    return k;
  }
  if (eof_) return 0;
  const size_t r = src_->read(out, cap);
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
  out = std::string_view(data_ + begin_, n);
  begin_ += n;
  consumed_ += n;
  return true;
}

}  // namespace crashsift::input
