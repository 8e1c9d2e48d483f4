// The lean reader of journalctl's JSON objects (journal_json_event.hpp): the common shape read
// with a 16-byte scan per step, everything else left to simdjson.
#include <cstring>

#include "crashsift/input/journal_fields.hpp"
#include "crashsift/input/journal_json_event.hpp"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace crashsift::input {
namespace {

// The first byte at or after p that ends a plain run inside a JSON string: '"', '\\', a control
// byte or a byte above 0x7f. Reads in 16-byte steps and may look up to 15 bytes past `end`
// (the caller's padding); returns `end` when none comes before it.
const char* string_stop(const char* p, const char* end) {
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i space = _mm_set1_epi8(0x20);
  while (p < end) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    // Signed compare: bytes above 0x7f are negative, so "< 0x20" catches them with the controls.
    const __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
                                     _mm_cmplt_epi8(v, space));
    const int mask = _mm_movemask_epi8(hit);
    if (mask) {
      const char* at = p + __builtin_ctz(static_cast<unsigned>(mask));
      return at < end ? at : end;
    }
    p += 16;
  }
  return end;
#else
  for (; p < end; ++p) {
    const auto c = static_cast<unsigned char>(*p);
    if (c == '"' || c == '\\' || c < 0x20 || c > 0x7f) return p;
  }
  return end;
#endif
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The escape at p ("\n", "\u001b", ...): the bytes it takes, or 0 for one this reader leaves
// to simdjson (a surrogate, a malformed escape). *cp: its code point.
size_t escape_length(const char* p, const char* end, unsigned* cp) {
  if (end - p < 2) return 0;
  switch (p[1]) {
    case '"': *cp = '"'; return 2;
    case '\\': *cp = '\\'; return 2;
    case '/': *cp = '/'; return 2;
    case 'b': *cp = '\b'; return 2;
    case 'f': *cp = '\f'; return 2;
    case 'n': *cp = '\n'; return 2;
    case 'r': *cp = '\r'; return 2;
    case 't': *cp = '\t'; return 2;
    case 'u': {
      if (end - p < 6) return 0;
      unsigned v = 0;
      for (int i = 2; i < 6; ++i) {
        const int h = hex_value(p[i]);
        if (h < 0) return 0;
        v = v * 16 + static_cast<unsigned>(h);
      }
      if (v >= 0xd800 && v <= 0xdfff) return 0;
      *cp = v;
      return 6;
    }
    default: return 0;
  }
}

// Writes code point cp (below 0x10000) as UTF-8, as simdjson does.
char* put_utf8(char* out, unsigned cp) {
  if (cp < 0x80) {
    *out++ = static_cast<char>(cp);
  } else if (cp < 0x800) {
    *out++ = static_cast<char>(0xc0 | (cp >> 6));
    *out++ = static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    *out++ = static_cast<char>(0xe0 | (cp >> 12));
    *out++ = static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    *out++ = static_cast<char>(0x80 | (cp & 0x3f));
  }
  return out;
}

// The text between `begin` and `end` (a string's content, escapes checked) decoded into
// scratch: never longer than the escaped text.
std::string_view unescape(const char* begin, const char* end, std::string& scratch) {
  scratch.resize(static_cast<size_t>(end - begin));
  char* out = scratch.data();
  const char* p = begin;
  while (p < end) {
    const char* slash = static_cast<const char*>(std::memchr(p, '\\', static_cast<size_t>(end - p)));
    const char* run_end = slash ? slash : end;
    std::memcpy(out, p, static_cast<size_t>(run_end - p));
    out += run_end - p;
    if (!slash) break;
    unsigned cp = 0;
    p = slash + escape_length(slash, end, &cp);  // checked by read_string: never 0 here
    out = put_utf8(out, cp);
  }
  scratch.resize(static_cast<size_t>(out - scratch.data()));
  return scratch;
}

// A string value starting after its opening quote at p. On success p is past the closing
// quote, and (when `decode`) value is the decoded text: in place, or in scratch when it held
// escapes. A value not wanted is only checked and skipped.
bool read_string(const char*& p, const char* end, bool decode, std::string_view& value, std::string& scratch) {
  const char* start = p;
  bool escaped = false;
  for (;;) {
    const char* stop = string_stop(p, end);
    if (stop >= end) return false;
    if (*stop == '"') {
      if (decode) value = escaped ? unescape(start, stop, scratch) : std::string_view(start, static_cast<size_t>(stop - start));
      p = stop + 1;
      return true;
    }
    if (*stop != '\\') return false;  // a control byte or a byte above 0x7f: simdjson's to judge
    escaped = true;
    unsigned cp = 0;
    const size_t taken = escape_length(stop, end, &cp);
    if (!taken) return false;
    p = stop + taken;
  }
}

}  // namespace

bool lean_fill_event(std::string_view text, Event& e, std::uint64_t& nulls, std::string& scratch) {
  const char* p = text.data();
  const char* const end = p + text.size();
  if (text.size() < 2 || *p != '{' || end[-1] != '}') return false;
  ++p;
  std::uint64_t found_nulls = 0;
  if (*p == '}') return p + 1 == end;
  for (;;) {
    if (p >= end || *p != '"') return false;
    const char* key = ++p;
    p = string_stop(p, end);  // a name with an escape or a byte above 0x7f is simdjson's
    if (p >= end || *p != '"') return false;
    const std::string_view name(key, static_cast<size_t>(p - key));
    ++p;
    if (p >= end || *p != ':') return false;
    ++p;
    if (p >= end) return false;
    const JournalFieldSetter setter = journal_field_setter(name);
    if (*p == '"') {
      ++p;
      std::string_view value;
      if (!read_string(p, end, setter != nullptr, value, scratch)) return false;
      if (setter) apply_journal_field(e, setter, value);
    } else if (*p == 'n') {
      if (end - p < 4 || std::memcmp(p, "null", 4) != 0) return false;
      p += 4;
      ++found_nulls;
    } else {
      return false;  // an array (bytes, or a field logged twice), a number: simdjson reads those
    }
    if (p >= end) return false;
    if (*p == ',') {
      ++p;
      continue;
    }
    if (*p == '}' && p + 1 == end) break;
    return false;
  }
  nulls += found_nulls;
  return true;
}

}  // namespace crashsift::input
