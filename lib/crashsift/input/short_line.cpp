// Shapes of one journalctl short-family line (see short_line.hpp and journal_text.cpp).
#include "crashsift/input/short_line.hpp"

#include <algorithm>

#include "crashsift/core/text.hpp"
#include "crashsift/input/text_forms.hpp"

namespace crashsift::input::short_line {

using text::is_digit;

namespace {

// ---- timestamps ---------------------------------------------------------------------------

bool iso_date(std::string_view s, size_t& i, CivilTime& c) {
  return text::digits(s, i, 4, c.year) && i < s.size() && s[i++] == '-' &&
         text::digits(s, i, 2, c.month) && i < s.size() && s[i++] == '-' &&
         text::digits(s, i, 2, c.day) && c.month >= 1 && c.month <= 12 && c.day >= 1 && c.day <= 31;
}

// "+0000" (strftime %z, up to v254), "+00:00" (v255+), "Z". False when there is none.
bool offset(std::string_view s, size_t& i, long& seconds) {
  if (i < s.size() && s[i] == 'Z') return ++i, seconds = 0, true;
  if (i >= s.size() || (s[i] != '+' && s[i] != '-')) return false;
  const long sign = s[i] == '-' ? -1 : 1;
  size_t j = i + 1;
  int hh = 0, mm = 0;
  if (!text::digits(s, j, 2, hh) || hh > 23) return false;
  if (j < s.size() && s[j] == ':') ++j;
  if (j < s.size() && is_digit(s[j]) && !text::digits(s, j, 2, mm)) return false;
  seconds = sign * (hh * 3600L + mm * 60L);
  i = j;
  return true;
}

// "2026-11-23T07:57:41+0000", "2026-11-23T07:57:41.617199+00:00"
bool iso_stamp(std::string_view s, Stamp& st) {
  size_t i = 0;
  if (!iso_date(s, i, st.local) || i >= s.size() || s[i++] != 'T') return false;
  if (!text::clock(s, i, st.local, st.has_usec)) return false;
  long off = 0;
  if (offset(s, i, off)) {
    st.kind = StampKind::absolute;
    st.time = usec_from_civil_utc(st.local) - static_cast<UsecUtc>(off) * usec_per_sec;
  } else {
    st.kind = StampKind::local;
  }
  st.end = i;
  return true;
}

// "1795420661.617199" (`%10ld.%06llu`)
bool unix_stamp(std::string_view s, Stamp& st) {
  size_t i = 0;
  std::uint64_t secs = 0;
  int usec = 0;
  if (!text::some_digits(s, i, 12, secs) || i >= s.size() || s[i++] != '.' ||
      !text::digits(s, i, 6, usec))
    return false;
  st.kind = StampKind::absolute;
  st.time = static_cast<UsecUtc>(secs) * usec_per_sec + usec;
  st.has_usec = true;
  st.end = i;
  return true;
}

// "[    5.001000]" (short-monotonic), "[    5.001000 <    0.001000>]" (short-delta).
bool mono_stamp(std::string_view s, Stamp& st) {
  size_t i = 1;
  while (i < s.size() && s[i] == ' ') ++i;
  std::uint64_t secs = 0;
  int usec = 0;
  if (!text::some_digits(s, i, 12, secs) || i >= s.size() || s[i++] != '.' ||
      !text::digits(s, i, 6, usec))
    return false;
  if (i + 1 < s.size() && s[i] == ' ' && (s[i + 1] == '<' || s[i + 1] == '*')) {
    const size_t close = s.find('>', i);
    if (close == std::string_view::npos || close > i + 24) return false;
    i = close + 1;
  }
  if (i >= s.size() || s[i++] != ']') return false;
  st.kind = StampKind::monotonic;
  st.mono = secs * 1'000'000u + static_cast<std::uint64_t>(usec);
  st.has_usec = true;
  st.end = i;
  return true;
}

bool is_weekday(std::string_view w) {
  static constexpr std::string_view days[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  for (auto d : days)
    if (w == d) return true;
  return false;
}

// "Mon 2026-11-23 07:57:41 UTC" (short-full, with-unit: systemd's format_timestamp, whose
// weekday names are hard-coded English whatever the locale). The zone is an abbreviation:
// "UTC" is exact, a numeric one ("+09", tzdata's name for zones without letters) too; any other
// ("CET", "JST") is read in options.zone.
bool full_stamp(std::string_view s, Stamp& st) {
  if (s.size() < 27 || s[3] != ' ' || !is_weekday(s.substr(0, 3))) return false;
  size_t i = 4;
  if (!iso_date(s, i, st.local) || i >= s.size() || s[i++] != ' ') return false;
  if (!text::clock(s, i, st.local, st.has_usec) || i >= s.size() || s[i++] != ' ') return false;
  const size_t zend = std::min(s.find(' ', i), s.size());
  const std::string_view zone = s.substr(i, zend - i);
  if (zone.empty() || zone.size() > 8) return false;
  st.full = true;
  st.end = zend;
  size_t k = 0;
  long off = 0;
  if (zone == "UTC" || zone == "GMT") {
    st.kind = StampKind::absolute;
    st.time = usec_from_civil_utc(st.local);
  } else if (offset(zone, k, off) && k == zone.size()) {
    st.kind = StampKind::absolute;
    st.time = usec_from_civil_utc(st.local) - static_cast<UsecUtc>(off) * usec_per_sec;
  } else {
    st.kind = StampKind::local;
    st.zone_abbrev = zone;
  }
  return true;
}

// "Nov 23 07:57:41" and its localized and padded variants: "Dez 03 …" (de_DE), "ene 05 …"
// (es_ES), "oct. 12 …" (fr_FR), "Aug  2 …" (syslog's space-padded %e), "9월 23 …" (ko_KR).
bool month_stamp(std::string_view s, Stamp& st) {
  const size_t sp = s.find(' ');
  if (sp == std::string_view::npos || sp > 12) return false;
  const int month = text::month_from_name(s.substr(0, sp));
  if (month == 0) return false;
  size_t i = sp;
  while (i < s.size() && s[i] == ' ' && i < sp + 3) ++i;
  std::uint64_t day = 0;
  if (!text::some_digits(s, i, 2, day) || day < 1 || day > 31) return false;
  if (i >= s.size() || s[i++] != ' ') return false;
  if (!text::clock(s, i, st.local, st.has_usec)) return false;
  st.local.month = month;
  st.local.day = static_cast<int>(day);
  st.kind = StampKind::yearless;
  st.end = i;
  return true;
}

// "14:28:21 bun[4242]: ..." — pastes that cut the date off.
bool time_only_stamp(std::string_view s, Stamp& st) {
  size_t i = 0;
  if (!text::clock(s, i, st.local, st.has_usec)) return false;
  st.kind = StampKind::time_only;
  st.end = i;
  return true;
}

bool parse_stamp(std::string_view s, Stamp& st) {
  st = Stamp{};
  if (s.empty()) return false;
  const char c = s[0];
  bool ok = false;
  if (c == '[') {
    ok = mono_stamp(s, st);
  } else if (is_digit(c)) {
    if (s.size() > 10 && s[4] == '-') ok = iso_stamp(s, st);
    else if (s.size() > 2 && s[2] == ':') ok = time_only_stamp(s, st);
    else ok = unix_stamp(s, st) || month_stamp(s, st);  // "9월 23 ..." starts with a digit
  } else {
    ok = full_stamp(s, st) || month_stamp(s, st);
  }
  return ok && st.end < s.size() && s[st.end] == ' ';
}

// ---- "host ident[pid]: " --------------------------------------------------------------------


bool is_host_char(char c) {
  return static_cast<unsigned char>(c) > ' ' && c != '[' && c != ']' && c != ':' && c != '/' && c != '"';
}

bool all_digits(std::string_view s) {
  if (s.empty() || s.size() > 10) return false;
  for (char c : s)
    if (!is_digit(c)) return false;
  return true;
}

// The tag ends at the first ": " (or a ':' ending the line: an empty MESSAGE prints just the
// prefix). Before it: "host ident[pid]", or "ident[pid]" with --no-hostname. Identifiers may
// hold spaces when they come from _COMM ("Isolated Web Co[4311]"), but only with a [pid]; a
// spaced "identifier" without one is a sentence, not a tag.
bool parse_tag(std::string_view rest, Tag& tag) {
  const size_t limit = std::min(rest.size(), size_t{512});
  size_t colon = std::string_view::npos;
  for (size_t i = 0; i < limit; ++i)
    if (rest[i] == ':' && (i + 1 == rest.size() || rest[i + 1] == ' ')) {
      colon = i;
      break;
    }
  if (colon == std::string_view::npos || colon == 0) return false;
  std::string_view ident = rest.substr(0, colon);
  tag = Tag{};
  tag.msg = std::min(colon + 2, rest.size());
  const size_t sp = ident.find(' ');
  if (sp != std::string_view::npos) {
    tag.host = ident.substr(0, sp);
    ident = ident.substr(sp + 1);
    if (tag.host.size() > 253) return false;
    for (char c : tag.host)
      if (!is_host_char(c)) return false;
  }
  if (!ident.empty() && ident.back() == ']') {
    const size_t lb = ident.rfind('[');
    if (lb != std::string_view::npos && all_digits(ident.substr(lb + 1, ident.size() - lb - 2))) {
      tag.pid = to_int64(ident.substr(lb + 1, ident.size() - lb - 2));
      ident = ident.substr(0, lb);
    }
  }
  if (ident.empty() || ident.front() == ' ') return false;
  if (!tag.pid && ident.find(' ') != std::string_view::npos) return false;
  tag.ident = ident;
  return true;
}

// short-monotonic lines look like dmesg lines; only "[stamp] host ident[pid]:" or
// "[stamp] host kernel:" is taken as journal output. "[ 3.1] usb 1-1: new high-speed USB
// device" (host "usb", ident "1-1") and "[ 7.2] crashlab[13218]: segfault at 0" (no host) are
// kernel text.
bool monotonic_tag_ok(const Tag& tag) {
  return !tag.host.empty() && (tag.pid || tag.ident == "kernel");
}

}  // namespace

bool is_unit_name(std::string_view s) {
  static constexpr std::string_view suffixes[] = {".service", ".scope",  ".socket", ".slice",
                                                  ".mount",   ".timer",  ".target", ".path",
                                                  ".swap",    ".device", ".automount"};
  for (auto suf : suffixes)
    if (s.size() > suf.size() && ends_with(s, suf)) return true;
  return false;
}

// A terminal with hyperlinks gets catalog-linked messages prefixed with a link glyph, and
// pastes keep it: "systemd-coredump[835]: [🡕] Process 797 (swww) of user 1000 dumped core."
// Without UTF-8 the glyph is "[LNK]".
std::string_view strip_link_glyph(std::string_view m) {
  for (std::string_view g : {std::string_view("[\xf0\x9f\xa1\x95]"), std::string_view("[LNK]")}) {
    if (starts_with(m, g)) {
      m.remove_prefix(g.size());
      if (!m.empty() && m.front() == ' ') m.remove_prefix(1);
      return m;
    }
  }
  return m;
}

// Classifies one (de-indented, unquoted) line; fills stamp and tag.
Shape line_shape(std::string_view s, Stamp& st, Tag& tag) {
  if (!parse_stamp(s, st)) return Shape::none;
  std::string_view rest = s.substr(st.end + 1);
  if (!parse_tag(rest, tag)) return st.kind == StampKind::monotonic ? Shape::kernel_line : Shape::stamp_only;
  if (st.kind == StampKind::monotonic && !monotonic_tag_ok(tag)) return Shape::kernel_line;
  return Shape::entry;
}

}  // namespace crashsift::input::short_line
