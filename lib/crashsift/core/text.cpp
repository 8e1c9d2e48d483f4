#include "crashsift/core/text.hpp"

#include <cstring>

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <fnmatch.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#endif

#include "crashsift/core/cpu.hpp"

namespace crashsift {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n'))
    s.remove_prefix(1);
  return trim_right(s);
}

std::string_view trim_right(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

bool parse_int64(std::string_view s, std::int64_t& out) {
  if (s.empty()) return false;
  if (s.front() == '+') s.remove_prefix(1);
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

namespace {

// The value of the eight ASCII digits at p (false if any is no digit): the SWAR method of
// Lemire's "Faster integer parsing", on a little-endian word.
bool eight_digits(const char* p, std::uint64_t& out) {
  std::uint64_t w;
  std::memcpy(&w, p, 8);
  if (((w & 0xF0F0F0F0F0F0F0F0ull) | (((w + 0x0606060606060606ull) & 0xF0F0F0F0F0F0F0F0ull) >> 4)) !=
      0x3333333333333333ull)
    return false;
  w -= 0x3030303030303030ull;
  w = (w * 10) + (w >> 8);
  w = (((w & 0x000000FF000000FFull) * (100 + (1000000ull << 32))) +
       (((w >> 16) & 0x000000FF000000FFull) * (1 + (10000ull << 32)))) >> 32;
  out = w;
  return true;
}

}  // namespace

bool parse_uint64(std::string_view s, std::uint64_t& out) {
  if (s.empty()) return false;
  // Every journal entry has three timestamps of 16 digits: up to 19 digits cannot overflow, so
  // no checks, and eight digits at a time are read as one word.
  if (s.size() <= 19) {
    std::uint64_t v = 0;
    size_t i = 0;
    for (; i + 8 <= s.size(); i += 8) {
      std::uint64_t eight = 0;
      if (!eight_digits(s.data() + i, eight)) return false;
      v = v * 100000000 + eight;
    }
    for (; i < s.size(); ++i) {
      const unsigned d = static_cast<unsigned char>(s[i]) - '0';
      if (d > 9) return false;
      v = v * 10 + d;
    }
    out = v;
    return true;
  }
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

bool parse_double(std::string_view s, double& out) {
  if (s.empty() || s.size() > 64) return false;
  char buf[72];
  s.copy(buf, s.size());
  buf[s.size()] = '\0';
  char* end = nullptr;
  out = std::strtod(buf, &end);
  return end == buf + s.size();
}

std::optional<std::int64_t> to_int64(std::string_view s) {
  std::int64_t v = 0;
  if (!parse_int64(s, v)) return std::nullopt;
  return v;
}

bool is_hex_id(std::string_view s, size_t len) {
  if (s.size() != len) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return false;
  return true;
}

// Length of the valid UTF-8 sequence starting at s[i], or 0.
static size_t utf8_seq_len(std::string_view s, size_t i) {
  const auto b = static_cast<unsigned char>(s[i]);
  size_t n = 0;
  unsigned cp = 0;
  if (b < 0x80) return 1;
  if ((b & 0xE0) == 0xC0) n = 2, cp = b & 0x1F;
  else if ((b & 0xF0) == 0xE0) n = 3, cp = b & 0x0F;
  else if ((b & 0xF8) == 0xF0) n = 4, cp = b & 0x07;
  else return 0;
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    const auto c = static_cast<unsigned char>(s[i + k]);
    if ((c & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (c & 0x3F);
  }
  if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
      (cp >= 0xD800 && cp <= 0xDFFF))
    return 0;
  return n;
}

bool is_valid_utf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const size_t n = utf8_seq_len(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string sanitize_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    if (b == 0x1B) {  // ANSI escape: drop "ESC [ ... letter" like journalctl does without -a
      size_t j = i + 1;
      if (j < s.size() && s[j] == '[') {
        ++j;
        while (j < s.size() && !((s[j] >= '@' && s[j] <= '~'))) ++j;
        i = j < s.size() ? j + 1 : j;
        continue;
      }
      ++i;
      continue;
    }
    if (b < 0x20 && b != '\t') {
      if (b != '\r') out += "\xEF\xBF\xBD";  // U+FFFD; a trailing CR is just dropped
      ++i;
      continue;
    }
    const size_t n = utf8_seq_len(s, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
      continue;
    }
    out.append(s.substr(i, n));
    i += n;
  }
  return out;
}

bool glob_match(std::string_view pattern, std::string_view text) {
  const std::string p(pattern), t(text);
  return fnmatch(p.c_str(), t.c_str(), 0) == 0;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == sep) {
      out.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  return out;
}

std::string format_bytes(std::uint64_t bytes) {
  static const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1024 && u < 4) v /= 1024, ++u;
  char buf[32];
  if (u == 0)
    std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(bytes));
  else if (v >= 100)
    std::snprintf(buf, sizeof buf, "%.0f %s", v, units[u]);
  else
    std::snprintf(buf, sizeof buf, "%.1f %s", v, units[u]);
  return buf;
}

std::optional<std::uint64_t> parse_size(std::string_view s) {
  s = trim(s);
  size_t i = 0;
  while (i < s.size() && ((s[i] >= '0' && s[i] <= '9') || s[i] == '.')) ++i;
  double v = 0;
  if (i == 0 || !parse_double(s.substr(0, i), v) || v < 0) return std::nullopt;
  std::string_view u = trim(s.substr(i));
  double mul = 1;
  if (!u.empty()) {
    const char c = u[0];
    mul = (c == 'K' || c == 'k') ? 1024.0 : c == 'M' ? 1048576.0 : c == 'G' ? 1073741824.0
        : c == 'T' ? 1099511627776.0 : (c == 'B' || c == 'b') ? 1.0 : 0.0;
    u.remove_prefix(1);
    if (u == "i" || u == "iB" || u == "B" || u == "b") u = {};
    if (mul == 0 || !u.empty()) return std::nullopt;
  }
  const double bytes = v * mul;
  if (bytes > 1.8e19) return std::nullopt;
  return static_cast<std::uint64_t>(bytes + 0.5);
}

#if defined(__x86_64__) && defined(__GNUC__)
namespace {
// count_newlines() with 32-byte compares (CPUs with AVX2): half the instructions of the pass
// every parallel block makes over its bytes.
__attribute__((target("avx2"))) std::uint64_t count_newlines_avx2(std::string_view s) {
  std::uint64_t n = 0;
  size_t i = 0;
  const __m256i nl = _mm256_set1_epi8('\n');
  while (i + 32 <= s.size()) {
    __m256i counts = _mm256_setzero_si256();
    for (int step = 0; step < 255 && i + 32 <= s.size(); ++step, i += 32) {
      const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(s.data() + i));
      counts = _mm256_sub_epi8(counts, _mm256_cmpeq_epi8(v, nl));
    }
    const __m256i sums = _mm256_sad_epu8(counts, _mm256_setzero_si256());
    n += static_cast<std::uint64_t>(_mm256_extract_epi64(sums, 0)) + static_cast<std::uint64_t>(_mm256_extract_epi64(sums, 1)) +
         static_cast<std::uint64_t>(_mm256_extract_epi64(sums, 2)) + static_cast<std::uint64_t>(_mm256_extract_epi64(sums, 3));
  }
  for (; i < s.size(); ++i) n += s[i] == '\n';
  return n;
}
}  // namespace
#endif

// Sixteen bytes at a time: a parallel parse counts every block's newlines (a 1 GiB export has
// 29 million; one memchr call per newline was a tenth of the -j2 run's time).
std::uint64_t count_newlines(std::string_view s) {
#if defined(__x86_64__) && defined(__GNUC__)
  if (cpu::avx2()) return count_newlines_avx2(s);
#endif
  std::uint64_t n = 0;
  size_t i = 0;
#if defined(__SSE2__)
  const __m128i nl = _mm_set1_epi8('\n');
  while (i + 16 <= s.size()) {
    // Per-byte counters (each compare adds 0 or -1) for at most 255 steps, then summed.
    __m128i counts = _mm_setzero_si128();
    for (int step = 0; step < 255 && i + 16 <= s.size(); ++step, i += 16) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + i));
      counts = _mm_sub_epi8(counts, _mm_cmpeq_epi8(v, nl));
    }
    const __m128i sums = _mm_sad_epu8(counts, _mm_setzero_si128());
    n += static_cast<std::uint64_t>(_mm_cvtsi128_si64(sums)) +
         static_cast<std::uint64_t>(_mm_cvtsi128_si64(_mm_unpackhi_epi64(sums, sums)));
  }
#endif
  for (; i < s.size(); ++i) n += s[i] == '\n';
  return n;
}

std::string errno_message(int err) { return std::strerror(err < 0 ? -err : err); }

}  // namespace crashsift
