#include "crashsift/core/json_writer.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "crashsift/core/text.hpp"

namespace crashsift {

namespace {

#if defined(__SSE2__)
// Bit k set when byte k of the sixteen at p is one that a JSON string must escape (a control
// character, '"' or '\\'), or, with `ascii_only`, that is not ASCII either.
// May read past the end of a string (see first_special): not for the sanitizers to check. A
// function of its own, not a lambda: a lambda does not inherit its caller's no_sanitize.
__attribute__((no_sanitize("address", "undefined"))) inline unsigned special_bits(const char* p, bool ascii_only) {
  const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  // Signed, bytes of 0x80 and up are negative: "< 0x20" then also catches every non-ASCII byte.
  const __m128i control = ascii_only ? _mm_cmplt_epi8(v, _mm_set1_epi8(0x20))
                                     : _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1F)), v);
  const __m128i hit = _mm_or_si128(control, _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
                                                         _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))));
  return static_cast<unsigned>(_mm_movemask_epi8(hit));
}
#endif

// Index of the first byte of s at or after `from` that a JSON string must escape, or, with
// `ascii_only`, that is not ASCII either; s.size() if none.
// Sixteen bytes at a time: exits are mostly evidence text and output lines, all of it written.
// Reads up to 15 bytes past the end of s, never into another page (the sanitizers cannot know).
__attribute__((no_sanitize("address", "undefined"))) size_t first_special(std::string_view s, size_t from,
                                                                           bool ascii_only) {
  size_t i = from;
#if defined(__SSE2__)
  for (; i + 16 <= s.size(); i += 16)
    if (const unsigned bits = special_bits(s.data() + i, ascii_only))
      return i + static_cast<size_t>(__builtin_ctz(bits));
  // The rest (keys and most values are shorter than sixteen bytes): one more load when it
  // cannot cross into another page, the bytes past the end masked off.
  if (i < s.size() && (reinterpret_cast<std::uintptr_t>(s.data() + i) & 4095) <= 4096 - 16) {
    const unsigned bits = special_bits(s.data() + i, ascii_only) & ((1u << (s.size() - i)) - 1);
    return bits ? i + static_cast<size_t>(__builtin_ctz(bits)) : s.size();
  }
#endif
  for (; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == '"' || c == '\\' || (ascii_only && c >= 0x80)) return i;
  }
  return s.size();
}

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
  // Most strings are plain printable ASCII: copy them in one go.
  if (first_special(s, 0, true) == s.size()) {
    out.push_back('"');
    out.append(s);
    out.push_back('"');
    return;
  }
  const std::string clean = is_valid_utf8(s) ? std::string() : sanitize_utf8(s);
  const std::string_view v = clean.empty() ? s : std::string_view(clean);
  out.reserve(out.size() + v.size() + 16);
  out.push_back('"');
  // Runs of characters that need no escape are appended whole (crash messages and stack traces
  // are long, with a quote or newline here and there).
  size_t run = 0;
  for (size_t i = first_special(v, 0, false); i < v.size(); i = first_special(v, run, false)) {
    const auto c = static_cast<unsigned char>(v[i]);
    out.append(v.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default: {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", c);
        out += buf;
      }
    }
  }
  out.append(v.data() + run, v.size() - run);
  out.push_back('"');
}

void JsonWriter::newline() {
  if (!pretty_) return;
  out_.push_back('\n');
  out_.append(stack_.size() * 2, ' ');
}

void JsonWriter::before_value() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (stack_.empty()) return;
  Level& top = stack_.back();
  if (!top.first) out_.push_back(',');
  top.first = false;
  newline();
}

JsonWriter& JsonWriter::begin_object() {
  before_value();
  out_.push_back('{');
  stack_.push_back({true, true});
  return *this;
}

JsonWriter& JsonWriter::end_object() {
  const bool empty = stack_.back().first;
  stack_.pop_back();
  if (!empty) newline();
  out_.push_back('}');
  return *this;
}

JsonWriter& JsonWriter::begin_array() {
  before_value();
  out_.push_back('[');
  stack_.push_back({false, true});
  return *this;
}

JsonWriter& JsonWriter::end_array() {
  const bool empty = stack_.back().first;
  stack_.pop_back();
  if (!empty) newline();
  out_.push_back(']');
  return *this;
}

JsonWriter& JsonWriter::key(std::string_view k) {
  before_value();
  append_json_string(out_, k);
  out_ += pretty_ ? ": " : ":";
  after_key_ = true;
  return *this;
}

JsonWriter& JsonWriter::value(std::string_view s) {
  before_value();
  append_json_string(out_, s);
  return *this;
}

JsonWriter& JsonWriter::value(std::int64_t v) {
  before_value();
  out_ += std::to_string(v);
  return *this;
}

JsonWriter& JsonWriter::value(std::uint64_t v) {
  before_value();
  out_ += std::to_string(v);
  return *this;
}

JsonWriter& JsonWriter::value(double v) {
  if (!std::isfinite(v)) return null();
  before_value();
  char buf[40];
  // As printf's %.6g (to_chars' general format with a precision is specified as printf's).
  const auto end = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::general, 6).ptr;
  out_.append(buf, static_cast<size_t>(end - buf));
  return *this;
}

JsonWriter& JsonWriter::value(bool v) {
  before_value();
  out_ += v ? "true" : "false";
  return *this;
}

JsonWriter& JsonWriter::null() {
  before_value();
  out_ += "null";
  return *this;
}

}  // namespace crashsift
