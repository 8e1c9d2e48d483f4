#pragma once
// Pieces shared by the line-oriented text parsers (journal_text, journal_verbose, kernel_text,
// journal_cat): clock and month tokens, zone conversion with a cache, pasted-log decorations,
// the head-of-input line walk used by probes, and the event emitter that does the accounting.
#include <climits>
#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <string_view>

#include "crashsift/core/diag.hpp"
#include "crashsift/core/event.hpp"
#include "crashsift/core/time.hpp"
#include "crashsift/input/parser.hpp"

namespace crashsift::input::text {

// A trailing '\r' (CRLF files from Windows editors and web pastes).
std::string_view chomp_cr(std::string_view s);
size_t leading_spaces(std::string_view s);  // ' ' and '\t'
bool is_blank(std::string_view s);
inline bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Exactly `n` ASCII digits at s[i]; advances i.
bool digits(std::string_view s, size_t& i, size_t n, int& out);
// 1 to max_n digits at s[i] (as many as there are); advances i.
bool some_digits(std::string_view s, size_t& i, size_t max_n, std::uint64_t& out);
// "HH:MM:SS" optionally followed by ".f" (1..9 digits, the first 6 kept) at s[i].
bool clock(std::string_view s, size_t& i, CivilTime& c, bool& has_fraction);

// Month number from a `%b` token in the locales seen in pasted logs: English, German (`Dez`,
// `Mär`), Spanish (`ene`), French (`oct.`, `févr.`), Italian, Portuguese, Dutch, Polish (`lip`),
// Scandinavian, Czech, Turkish, Russian, and CJK `9월` / `9月`. Case-insensitive for ASCII,
// a trailing '.' is ignored. 0 when unknown.
int month_from_name(std::string_view token);

// Local civil time -> UTC in one zone, caching the offset per local hour (zone changes happen
// on hour boundaries), so a file of 10^6 lines costs 10^6 additions, not 10^6 localtime_r.
class LocalClock {
 public:
  explicit LocalClock(const Zone& zone) : zone_(zone), utc_(zone.is_utc()) {}
  UsecUtc to_utc(const CivilTime& local);
  // Local civil time of a UTC instant in the same zone.
  CivilTime to_local(UsecUtc t) const;
  const Zone& zone() const { return zone_; }

 private:
  const Zone& zone_;
  bool utc_;
  std::int64_t cached_hour_ = INT64_MIN;
  std::int64_t offset_usec_ = 0;
};

bool valid_civil(const CivilTime& c);

// "systemd[1]: app.service: ..." — an "identifier[pid]: " tag with no timestamp before it, as
// people paste journal lines. False when the line does not start with such a tag.
bool split_untimed_tag(std::string_view t, std::string_view& ident, std::int64_t& pid, std::string_view& message);

// A pasted line wrapped in Markdown inline code: "`Apr 09 02:14:55 host app[1]: x`".
std::string_view strip_backticks(std::string_view s);

// Seconds east of UTC for a zone abbreviation as systemctl/journalctl print it ("CEST", "UTC",
// "JST", "+0200"), for the common zones; nullopt when unknown or ambiguous (IST, CST stays
// US Central as systemd users mean it).
std::optional<long> offset_of_zone_abbreviation(std::string_view abbrev);

// "line of 20000000 bytes is longer than the 16777216-byte line limit"-style reason.
std::string overlong_reason(std::uint64_t size, size_t max_line);
// The reason when the line is over max_line, else empty. The reader drops a line it cannot
// buffer (Line::overlong) but hands out one that fit in its buffer whatever its length, so the
// limit is checked here too.
std::string overlong_check(const Line& line, size_t max_line);

// True when the bytes look binary (NUL, or many control bytes): the cat probe's only test.
bool looks_binary(std::string_view head);

// Walks the complete lines of a probe head (a last line cut by the head size is dropped unless
// it is the only one), skipping blank lines.
class HeadLines {
 public:
  explicit HeadLines(std::string_view head) : head_(head) {}
  bool next(std::string_view& line);

 private:
  std::string_view head_;
  size_t pos_ = 0;
};

// What pasted excerpts wrap around journal lines (formats.md §11), recognized so that they are
// counted in a note instead of being reported as unreadable lines.
enum class Decoration {
  none,
  separator,    // "-- Boot <id> --", "-- Reboot --", "-- No entries --", "-- Logs begin at ..."
  catalog,      // "░░ Subject: ..." from journalctl -x
  paste,        // shell prompts, code fences, "(snip)" / "..." markers, pager and hint lines
  status,       // systemctl status header block and cgroup tree
};
Decoration classify_decoration(std::string_view trimmed);
// "> " Markdown quote prefixes (nested too).
std::string_view strip_quote(std::string_view s);

// Accounting common to every parser: input index, entry count, time range, then the sink.
class Emitter {
 public:
  Emitter(const ParseOptions& options, InputReport& report, const EventSink& sink)
      : options_(options), report_(report), sink_(sink) {}
  void emit(Event& e) {
    e.origin.input = options_.input_index;
    if (e.time) report_.saw_time(*e.time);
    ++report_.entries;
    sink_(e);
  }

 private:
  const ParseOptions& options_;
  InputReport& report_;
  const EventSink& sink_;
};

// Runs a parse body so that no exception escapes FormatParser::parse().
template <typename F>
void guarded(InputReport& report, std::string_view format, F&& body) noexcept {
  try {
    body();
  } catch (const std::exception& e) {
    try {
      report.fatal = std::string(format) + ": internal error while reading: " + e.what();
    } catch (...) {
    }
  } catch (...) {
    try {
      report.fatal = std::string(format) + ": internal error while reading";
    } catch (...) {
    }
  }
}

}  // namespace crashsift::input::text
