#pragma once
// Helpers shared by the recognizers of pasted tool output (`systemctl status`, `coredumpctl
// info/list`, the coredump text line). Header-only on purpose: every .cpp in this folder is a
// recognizer (the registry is generated from the file names), so shared code cannot live in one.
#include <cctype>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "crashsift/classify/witness.hpp"
#include "crashsift/core/event.hpp"
#include "crashsift/core/text.hpp"
#include "crashsift/core/time.hpp"

namespace crashsift::classify::witness_text {

// A line of text that is no journal record: pasted among journal lines, or any line of an input
// read as `-o cat` (no identifier, no PID, no time). Journal records of other forms are not.
inline bool is_text_line(const Event& e) {
  return e.pasted || (!e.kernel && e.identifier.empty() && !e.pid && !e.time);
}

// Leading indentation and Markdown quote marks: `systemctl status` right-aligns its labels, and
// `-o cat` input keeps the indentation that the short parser strips.
inline std::string_view skip_indent(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '>')) ++i;
  return s.substr(i);
}

inline std::string_view chomp(std::string_view s) {
  while (!s.empty() && (s.back() == '\r' || s.back() == '\n')) s.remove_suffix(1);
  return s;
}

// Terminal colours and OSC 8 hyperlinks (systemctl on a tty): CSI "ESC [ ... final" and
// "ESC ] ... BEL|ESC \". Only called for lines that contain ESC.
inline std::string strip_ansi(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    if (s[i] != '\x1b') {
      out.push_back(s[i++]);
      continue;
    }
    if (i + 1 < s.size() && s[i + 1] == '[') {
      i += 2;
      while (i < s.size() && !(s[i] >= 0x40 && s[i] <= 0x7e)) ++i;
      if (i < s.size()) ++i;
    } else if (i + 1 < s.size() && s[i + 1] == ']') {
      i += 2;
      while (i < s.size() && s[i] != '\a' && !(s[i] == '\x1b' && i + 1 < s.size() && s[i + 1] == '\\')) ++i;
      if (i < s.size()) i += s[i] == '\a' ? 1 : 2;
    } else {
      i += 2;
    }
  }
  return out;
}

// Seconds east of UTC for what systemd's "%Z" prints: an abbreviation of a common zone, or a
// numeric "+03" / "+0530" / "+05:30" when the zone has none. Ambiguous abbreviations (IST)
// are not guessed.
inline std::optional<long> zone_offset(std::string_view z) { return zone_abbreviation_offset(z); }

// systemd's own timestamp ("%a %Y-%m-%d %H:%M:%S %Z"): "Tue 2023-05-02 10:11:12 CEST".
// The weekday is optional, a fraction of a second is tolerated. `utc` is set only when the
// zone is known; `end` is where the stamp (with its zone) ends in the input.
struct SystemdStamp {
  CivilTime civil;
  std::optional<UsecUtc> utc;
  size_t end = 0;
};

namespace detail {
inline bool digits(std::string_view s, size_t& i, size_t n, int& out) {
  if (i + n > s.size()) return false;
  int v = 0;
  for (size_t k = 0; k < n; ++k) {
    const char c = s[i + k];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  i += n;
  return true;
}
inline bool expect(std::string_view s, size_t& i, char c) {
  if (i >= s.size() || s[i] != c) return false;
  ++i;
  return true;
}
}  // namespace detail

inline std::optional<SystemdStamp> parse_systemd_stamp(std::string_view s) {
  using detail::digits;
  using detail::expect;
  size_t i = 0;
  // Weekday: letters only (also localized ones), at most a few bytes.
  if (!s.empty() && !std::isdigit(static_cast<unsigned char>(s[0]))) {
    const size_t sp = s.find(' ');
    if (sp == std::string_view::npos || sp > 12) return std::nullopt;
    i = sp + 1;
  }
  SystemdStamp st;
  CivilTime& c = st.civil;
  if (!digits(s, i, 4, c.year) || !expect(s, i, '-') || !digits(s, i, 2, c.month) || !expect(s, i, '-') ||
      !digits(s, i, 2, c.day) || !expect(s, i, ' ') || !digits(s, i, 2, c.hour) || !expect(s, i, ':') ||
      !digits(s, i, 2, c.minute) || !expect(s, i, ':') || !digits(s, i, 2, c.second))
    return std::nullopt;
  if (c.month < 1 || c.month > 12 || c.day < 1 || c.day > 31 || c.hour > 23 || c.minute > 59 || c.second > 60)
    return std::nullopt;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
  }
  st.end = i;
  if (i < s.size() && s[i] == ' ') {
    size_t j = i + 1;
    while (j < s.size() && s[j] != ' ' && s[j] != ';' && s[j] != ',' && s[j] != '(' && s[j] != ')') ++j;
    const std::string_view zone = s.substr(i + 1, j - i - 1);
    if (auto off = zone_offset(zone)) {
      st.utc = usec_from_civil_utc(c) - static_cast<UsecUtc>(*off) * usec_per_sec;
      st.end = j;
    }
  }
  return st;
}

// "SEGV", "SIGSEGV", "11", "RTMIN+3" -> the name without SIG ("" when nothing is there). Names
// signal_from_text() does not know (ALRM, XCPU, RTMIN+3) are kept as written.
inline std::string signal_name_of(std::string_view s) {
  s = trim(s);
  if (std::string known = signal_from_text(s); !known.empty()) return known;
  if (starts_with(s, "SIG")) s.remove_prefix(3);
  if (s.empty() || s.size() > 12) return {};
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-') return {};
  return std::string(s);
}

}  // namespace crashsift::classify::witness_text
