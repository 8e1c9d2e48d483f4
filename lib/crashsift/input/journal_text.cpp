// The journalctl `short` family in one parser: every line is matched on its own, so a paste
// that mixes `short`, `short-iso` and `dmesg` lines (or a file concatenated from several
// machines with different locales) still reads. See formats.md §6.1 and §11.
//
//   Nov 23 07:57:41 crashlab systemd[1]: Started ...                  short (yearless)
//   Nov 23 07:57:41.618412 crashlab systemd[1]: ...                   short-precise
//   2026-11-23T07:57:41+0000 crashlab systemd[1]: ...                 short-iso (v255+: +00:00)
//   2026-11-23T07:57:41.618412+0000 crashlab systemd[1]: ...          short-iso-precise
//   1795420661.618412 crashlab systemd[1]: ...                        short-unix
//   Mon 2026-11-23 07:57:41 UTC crashlab systemd[1]: ...              short-full
//   Sat 2025-01-04 14:13:20 UTC web1 init.scope[1]: ...               with-unit
//   [    5.001000] web1 systemd[1]: ...                               short-monotonic
//   14:28:21 bun[4242]: ...                                           time-only paste
//   [10463.883791] crashlab[13218]: segfault at 0 ...                 a dmesg line in a paste
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <vector>

#include "crashsift/core/text.hpp"
#include "crashsift/input/parser.hpp"
#include "crashsift/input/short_line.hpp"
#include "crashsift/input/text_forms.hpp"

namespace crashsift::input {
namespace {

using short_line::Shape;
using short_line::Stamp;
using short_line::StampKind;
using short_line::Tag;
using short_line::is_unit_name;
using short_line::line_shape;
using short_line::strip_link_glyph;

// ---- the reader -----------------------------------------------------------------------------

std::string snippet(std::string_view s) {
  if (s.size() > 60) s = s.substr(0, 60);
  return "\"" + sanitize_utf8(s) + "\"";
}

class ShortReader {
 public:
  ShortReader(const ParseOptions& o, InputReport& r, const EventSink& s)
      : opt_(o), rep_(r), out_(o, r, s), clock_(o.zone) {}

  void line(const Line& line);
  void finish();

 private:
  bool continuation(std::string_view s);
  bool decoration(std::string_view t, const Line& line);
  void learn_from_status(std::string_view t);
  bool untimed_entry(std::string_view t, const Line& line);
  void emit_pasted(std::string_view t, std::uint64_t number);
  std::optional<UsecUtc> stated_to_utc(const CivilTime& local) const;
  bool entry(std::string_view s, size_t indent, const Line& line);
  void start(std::uint64_t number);
  void fill(const Stamp& st, const Tag& tag, std::string_view message);
  void resolve(const Stamp& st);
  void resolve_time_only(CivilTime c);
  int year_for(const CivilTime& local);
  void flush();
  void hand_out(Event& e);
  void release_held();
  void confirm_year_from_message(const Event& e);
  void follow_command(std::string_view t);
  bool terminal_wrapped(std::string_view s);
  void drain_reversed();
  void skip(const Line& line, std::string_view why, std::string_view s);

  const ParseOptions& opt_;
  InputReport& rep_;
  text::Emitter out_;
  text::LocalClock clock_;
  Event ev_;
  bool pending_ = false;
  size_t col_ = 0;          // message column of the pending event (continuation indent)
  unsigned blanks_ = 0;     // blank lines seen since the pending event's last line
  std::string boot_;
  unsigned reboots_ = 0;
  bool year_known_ = false;
  int year_ = 0, start_year_ = 0;
  UsecUtc last_yearless_ = 0;  // previous yearless stamp, as if UTC
  std::optional<UsecUtc> last_time_;
  std::uint64_t separators_ = 0, catalog_ = 0, paste_ = 0, status_ = 0, untimed_ = 0;
  std::uint64_t tagged_untimed_ = 0, other_text_ = 0;  // untimed "ident[pid]:" lines; pasted text
  bool saw_mono_ = false, saw_kernel_mono_ = false, saw_unit_tags_ = false, zone_checked_ = false;
  std::string zone_mismatch_;
  std::optional<long> stated_offset_;       // seconds east of UTC, from the paste's own words
  bool reverse_ = false;                    // the paste's command was journalctl -r
  size_t last_len_ = 0, wrap_width_ = 0;    // terminal-wrapped lines
  bool year_guessed_ = false;               // year from the mtime or today: lines held until confirmed
  std::vector<Event> held_;
  static constexpr size_t max_held = 64;
  std::vector<Event> reversed_;             // its lines, put back in time order at its end
  static constexpr size_t max_reversed = 200000;
  std::optional<UsecUtc> stated_since_;     // a dated time the paste states, as if UTC
};

void ShortReader::line(const Line& line) {
  if (std::string why = text::overlong_check(line, opt_.max_line); !why.empty()) {
    flush();
    rep_.skip(line.number, std::move(why));
    return;
  }
  std::string_view s = text::chomp_cr(line.text);
  // Markdown quotes around a pasted excerpt: "> Nov 23 07:57:41 web1 systemd[1]: ...".
  if (!s.empty() && s.front() == '>') s = text::strip_quote(s);
  s = text::strip_backticks(s);
  if (continuation(s)) return;
  if (text::is_blank(s)) {
    if (pending_) ++blanks_;
    return;
  }
  const size_t indent = text::leading_spaces(s);
  const std::string_view t = s.substr(indent);
  if (decoration(t, line)) return;
  if (entry(t, indent, line)) {
    last_len_ = s.size();
    return;
  }
  if (indent == 0 && untimed_entry(t, line)) return;
  if (indent == 0 && terminal_wrapped(s)) return;
  // An indented line that is not at the message column: a paste that lost its alignment.
  if (pending_ && indent > 0) {
    ev_.message.append(blanks_ + 1, '\n');
    ev_.message.append(t);
    blanks_ = 0;
    return;
  }
  flush();
  // Other text is not lost: it goes on as pasted text for the witness recognizers. A cut last
  // line (the file ends inside a record) or bytes that are not text (a damaged journal) are
  // still reported as skipped.
  if (line.last_without_newline || !is_valid_utf8(t) || t.find('\0') != std::string_view::npos)
    skip(line, indent > 0 ? "indented continuation line before any entry" : "not a journalctl line", t);
  else
    ++other_text_;
  emit_pasted(t, line.number);
}

// A line copied from a terminal that wrapped it: the entry's last line filled the width and
// ended mid-word, and this one goes on with no indent ("...cp" / "uset=/,mems_allowed=0,...").
// The first wrap sets the width; later ones must come close to it.
bool ShortReader::terminal_wrapped(std::string_view s) {
  if (!pending_ || blanks_ > 0 || last_len_ < 72 || s.empty()) return false;
  // Bytes, not columns: a wide or multi-byte character moves the cut by a little.
  if (wrap_width_ && (last_len_ + 4 < wrap_width_ || last_len_ > wrap_width_ + 4)) return false;
  const char first = s.front();
  const bool goes_on = std::islower(static_cast<unsigned char>(first)) || std::isdigit(static_cast<unsigned char>(first)) ||
                       first == '_' || first == ',' || first == '=' || first == '/' || first == ':' || first == '-';
  if (!goes_on || ev_.message.empty() || ev_.message.back() == '.' || ev_.message.back() == ' ') return false;
  if (!wrap_width_) rep_.note("short: rejoined lines a terminal had wrapped at " + std::to_string(last_len_) + " columns");
  if (!wrap_width_) wrap_width_ = last_len_;
  ev_.message.append(s);
  last_len_ = s.size();
  return true;
}

// Other text pasted among journal lines — a shell's "Segmentation fault (core dumped)", a
// `coredumpctl info` block, raw stderr: no journal record, but the witness recognizers read it.
void ShortReader::emit_pasted(std::string_view t, std::uint64_t number) {
  flush();
  start(number);
  ev_.pasted = true;
  ev_.time_has_usec = false;
  ev_.message.assign(t);
  flush();
}

// "systemd[1]: app.service: Main process exited, code=dumped, status=6/ABRT" pasted without
// its timestamp: the tag still says who wrote it; the time is unknown.
bool ShortReader::untimed_entry(std::string_view t, const Line& line) {
  std::string_view ident, message;
  std::int64_t pid = 0;
  if (!text::split_untimed_tag(t, ident, pid, message)) return false;
  flush();
  start(line.number);
  ev_.identifier.assign(ident);
  ev_.pid = pid;
  ev_.time_has_usec = false;
  ev_.message.assign(message);
  ++tagged_untimed_;
  flush();
  return true;
}

// `systemctl status` says the year and zone its journal tail lacks: "Active: failed (Result:
// oom-kill) since Tue 2023-05-02 10:11:12 CEST; 2min ago", and journalctl's "-- Logs begin at
// Tue 2023-05-02 ... CEST, end at ... --" header does too.
void ShortReader::learn_from_status(std::string_view t) {
  size_t at = t.find(" since ");
  size_t skip_len = 7;
  if (at == std::string_view::npos) {
    at = t.find("begin at ");
    skip_len = 9;
  }
  if (at == std::string_view::npos) {
    at = t.find("begins at ");
    skip_len = 10;
  }
  if (at == std::string_view::npos) return;
  std::string_view rest = t.substr(at + skip_len);
  const size_t sp = rest.find(' ');  // weekday
  if (sp == std::string_view::npos || sp > 4) return;
  rest = rest.substr(sp + 1);
  CivilTime c;
  size_t i = 0;
  if (!text::digits(rest, i, 4, c.year) || rest[i++] != '-' || !text::digits(rest, i, 2, c.month) ||
      rest[i++] != '-' || !text::digits(rest, i, 2, c.day) || i >= rest.size() || rest[i++] != ' ')
    return;
  bool frac = false;
  if (!text::clock(rest, i, c, frac)) return;
  std::string_view zone = rest.substr(i);
  zone = trim(zone.substr(0, zone.find_first_of(";,")));
  if (const auto off = text::offset_of_zone_abbreviation(zone)) {
    if (!stated_offset_) rep_.note("short: read the journal lines in the zone the paste states (" + std::string(zone) + ")");
    stated_offset_ = *off;
  }
  if (!opt_.year && !stated_since_) stated_since_ = usec_from_civil_utc(c);
}

std::optional<UsecUtc> ShortReader::stated_to_utc(const CivilTime& local) const {
  if (!stated_offset_) return std::nullopt;
  return usec_from_civil_utc(local) - static_cast<UsecUtc>(*stated_offset_) * usec_per_sec;
}

// journalctl prints the 2nd..nth lines of a multi-line MESSAGE indented to the message column
// (formats.md §6.1), e.g. after "Jan 04 14:13:22 web1 bun[4242]: panic(main thread): ..." comes
// "                                oh no: Bun has crashed. ..." — and systemd-coredump's
// "Stack trace of thread 797:" block arrives the same way. An empty line inside the message is
// printed as the bare indent.
bool ShortReader::continuation(std::string_view s) {
  if (!pending_ || col_ == 0 || s.size() < col_) return false;
  if (text::leading_spaces(s.substr(0, col_)) != col_) return false;
  ev_.message.append(blanks_ + 1, '\n');
  ev_.message.append(s.substr(col_));
  blanks_ = 0;
  return true;
}

bool ShortReader::decoration(std::string_view t, const Line& line) {
  switch (text::classify_decoration(t)) {
    case text::Decoration::none:
      return false;
    case text::Decoration::separator:
      // "-- Boot f9e8d7c6b5a4938271605f4e3d2c1b0a --" (v248+) names the boot of the lines that
      // follow; "-- Reboot --" (≤v247) only says a new, unnamed boot starts. Lines before the
      // first separator belong to a boot the output never names (journalctl prints no
      // separator before the first entry), so their boot_id stays empty.
      if (starts_with(t, "-- Boot ") && t.size() >= 8 + 32 && is_hex_id(t.substr(8, 32)))
        boot_.assign(t.substr(8, 32));
      else if (starts_with(t, "-- Reboot --"))
        boot_ = "reboot-" + std::to_string(++reboots_);
      ++separators_;
      break;
    case text::Decoration::catalog:
      ++catalog_;
      break;
    case text::Decoration::paste:
      ++paste_;
      flush();
      follow_command(t);
      return true;
    case text::Decoration::status:
      ++status_;
      learn_from_status(t);
      emit_pasted(t, line.number);
      return true;
  }
  if (starts_with(t, "-- Logs begin at ") || starts_with(t, "-- Journal begins at ")) learn_from_status(t);
  flush();
  return true;
}

bool ShortReader::entry(std::string_view s, size_t indent, const Line& line) {
  Stamp st;
  Tag tag;
  const Shape shape = line_shape(s, st, tag);
  if (shape == Shape::none) return false;
  if (shape == Shape::stamp_only) {
    flush();
    skip(line, "timestamp without an \"identifier[pid]:\" tag", s);
    return true;
  }
  flush();
  start(line.number);
  const std::string_view rest = s.substr(st.end + 1);
  if (shape == Shape::kernel_line) {
    // "[10463.883791] crashlab[13218]: segfault at 0 ..." pasted among journal lines.
    ev_.identifier = "kernel";
    ev_.kernel = true;
    ev_.message.assign(rest);
    ev_.monotonic_usec = st.mono;
    saw_kernel_mono_ = true;
    if (opt_.kernel_boot_time) ev_.time = *opt_.kernel_boot_time + static_cast<UsecUtc>(st.mono);
    col_ = 0;
    return true;
  }
  resolve(st);
  fill(st, tag, rest.substr(tag.msg));
  col_ = indent + st.end + 1 + tag.msg;
  if (tag.msg == rest.size()) col_ = indent + st.end + 1 + rest.size() + 1;  // "ident[pid]:" + ' '
  return true;
}

void ShortReader::start(std::uint64_t number) {
  ev_.clear();
  ev_.origin.line = number;
  ev_.boot_id = boot_;
  pending_ = true;
  blanks_ = 0;
}

void ShortReader::fill(const Stamp& st, const Tag& tag, std::string_view message) {
  ev_.hostname.assign(tag.host);
  ev_.pid = tag.pid;
  if (st.full && is_unit_name(tag.ident.substr(0, tag.ident.find('/')))) {
    // with-unit prints _SYSTEMD_UNIT where the identifier would be ("app.service[4242]",
    // "user@1000.service/app.service[77]"); the identifier itself is not in the line. PID 1 in
    // init.scope is the service manager, whose identifier is "systemd".
    ev_.systemd_unit.assign(tag.ident.substr(0, tag.ident.find('/')));
    if (ev_.systemd_unit == "init.scope" && tag.pid == 1) ev_.identifier = "systemd";
    saw_unit_tags_ = true;
  } else if (tag.ident != "unknown") {
    ev_.identifier.assign(tag.ident);
  }
  // else: journalctl prints "unknown" when an entry has neither SYSLOG_IDENTIFIER nor _COMM
  // ("vm unknown: crashlab-oom-marker-5926-..." — a /dev/kmsg write imported by journald), so
  // the identifier is really absent, as export and json say.
  ev_.kernel = tag.ident == "kernel";
  ev_.message.assign(strip_link_glyph(message));
}

void ShortReader::resolve(const Stamp& st) {
  ev_.time_has_usec = st.has_usec;
  switch (st.kind) {
    case StampKind::absolute:
      ev_.time = st.time;
      break;
    case StampKind::local:
      // "Mon 2026-06-28 09:22:04 JST": checked once against the zone the times are read in.
      if (!st.zone_abbrev.empty() && !zone_checked_) {
        zone_checked_ = true;
        const UsecUtc t = clock_.to_utc(st.local);
        if (clock_.zone().abbreviation_at(t) != st.zone_abbrev) zone_mismatch_.assign(st.zone_abbrev);
      }
      // The line states its zone: a known abbreviation's offset beats the zone we guess.
      if (const auto off = st.zone_abbrev.empty() ? std::nullopt : text::offset_of_zone_abbreviation(st.zone_abbrev);
          off && !zone_mismatch_.empty()) {
        ev_.time = usec_from_civil_utc(st.local) - static_cast<UsecUtc>(*off) * usec_per_sec;
        break;
      }
      ev_.time = clock_.to_utc(st.local);
      break;
    case StampKind::yearless: {
      CivilTime c = st.local;
      c.year = year_for(c);
      const auto stated = stated_to_utc(c);
      ev_.time = stated ? *stated : clock_.to_utc(c);
      break;
    }
    case StampKind::time_only:
      resolve_time_only(st.local);
      break;
    case StampKind::monotonic:
      ev_.monotonic_usec = st.mono;
      saw_mono_ = true;
      break;
  }
  if (ev_.time) last_time_ = ev_.time;
}

// A time of day gets the date of the line before it, moving to the next day when the clock
// goes back by more than 12 hours ("23:59:58" then "00:00:03").
void ShortReader::resolve_time_only(CivilTime c) {
  if (!last_time_) {
    ++untimed_;
    return;
  }
  const CivilTime prev = clock_.to_local(*last_time_);
  const int sod = c.hour * 3600 + c.minute * 60 + c.second;
  const int prev_sod = prev.hour * 3600 + prev.minute * 60 + prev.second;
  std::int64_t days = days_from_civil(prev.year, prev.month, prev.day);
  if (sod + 12 * 3600 < prev_sod) ++days;
  const CivilTime date = civil_from_usec(days * 86400 * usec_per_sec);
  c.year = date.year, c.month = date.month, c.day = date.day;
  ev_.time = clock_.to_utc(c);
}

// `short` prints no year. The first line's year comes from --year, else from the file's
// modification time (a log ends before its mtime: a first line in a later month than the mtime
// is from the year before), else from today. After that, a date more than a day before the
// previous line's means the year turned ("Dec 31 23:59:59" then "Jan 01 00:00:02"); a date
// half a year after it, right after such a turn, is a late line from the old year (services'
// lines are not strictly ordered). Reverse output (journalctl -r) is not recognized.
int ShortReader::year_for(const CivilTime& local) {
  auto at = [&](int year) {
    CivilTime c = local;
    c.year = year;
    return usec_from_civil_utc(c);
  };
  constexpr UsecUtc day = 86400 * usec_per_sec;
  if (!year_known_) {
    year_known_ = true;
    if (opt_.year) {
      year_ = *opt_.year;
    } else if (stated_since_) {
      // The year that puts this line nearest the time `systemctl status` states.
      const int y = civil_from_usec(*stated_since_).year;
      year_ = y;
      for (int cand : {y - 1, y + 1})
        if (std::llabs(at(cand) - *stated_since_) < std::llabs(at(year_) - *stated_since_)) year_ = cand;
      rep_.note("short: timestamps carry no year; took " + std::to_string(year_) +
                " from the paste's own dates (systemctl status / journal header)");
    } else {
      const UsecUtc ref = opt_.reference_time ? *opt_.reference_time : now_usec();
      const CivilTime rc = clock_.to_local(ref);
      year_ = rc.year - (local.month > rc.month ? 1 : 0);
      year_guessed_ = true;
      rep_.note(opt_.reference_time
                    ? "short: timestamps carry no year; took " + std::to_string(year_) +
                          " from the file's modification time (--year overrides)"
                    : "short: timestamps carry no year and the input has no modification time; "
                      "assumed " + std::to_string(year_) + " from the current date (pass --year)");
    }
    start_year_ = year_;
  } else if (reverse_) {
    if (at(year_) - day > last_yearless_) --year_;  // newest first: "Jan 01" then "Dec 31"
  } else if (at(year_) + day < last_yearless_) {
    ++year_;
  } else if (year_ > start_year_ && at(year_) - last_yearless_ > 183 * day) {
    --year_;
  }
  last_yearless_ = at(year_);
  return year_;
}

void ShortReader::flush() {
  if (pending_) {
    if (year_guessed_) {
      confirm_year_from_message(ev_);
      held_.push_back(ev_);
      if (held_.size() >= max_held || !year_guessed_) release_held();
    } else {
      hand_out(ev_);
    }
  }
  pending_ = false;
  blanks_ = 0;
}

void ShortReader::hand_out(Event& e) {
  if (reverse_ && reversed_.size() < max_reversed) reversed_.push_back(e);
  else out_.emit(e);
}

void ShortReader::release_held() {
  for (auto& e : held_) hand_out(e);
  held_.clear();
  year_guessed_ = false;
}

// A guessed year (from the mtime or today) gives way to one the paste states in passing: an
// application's own "2025-03-21 17:05:41.002 INFO ..." on a "Mar 21 17:05:41" line.
void ShortReader::confirm_year_from_message(const Event& e) {
  if (!e.time || e.pasted) return;
  const CivilTime local = clock_.to_local(*e.time);
  char want[8];
  std::snprintf(want, sizeof want, "-%02d-%02d", local.month, local.day);
  const std::string_view m = e.message;
  for (size_t at = m.find(want); at != std::string_view::npos; at = m.find(want, at + 1)) {
    if (at < 4) continue;
    int year = 0;
    size_t i = at - 4;
    if (!text::digits(m, i, 4, year) || year < 1990 || year > 2200) continue;
    if (at >= 5 && std::isdigit(static_cast<unsigned char>(m[at - 5]))) continue;
    const int delta = year - local.year;
    if (delta != 0) {
      auto shift = [&](Event& ev) {
        if (!ev.time) return;
        CivilTime c = clock_.to_local(*ev.time);
        c.year += delta;
        ev.time = clock_.to_utc(c);
      };
      for (auto& h : held_) shift(h);
      shift(ev_);
      year_ += delta;
      start_year_ += delta;
      last_yearless_ += static_cast<UsecUtc>(delta) * 365 * 86400 * usec_per_sec;
      if (last_time_) last_time_ = ev_.time;
      rep_.note("short: took the year " + std::to_string(year) + " from a date inside the lines (not the guess)");
    }
    year_guessed_ = false;
    return;
  }
}

// A prompt or fence ends the output of the command before it; "$ journalctl -r ..." (or
// --reverse) says the lines that follow are newest first: they are put back in time order.
void ShortReader::follow_command(std::string_view t) {
  release_held();
  drain_reversed();
  if (!contains(t, "journalctl")) {
    reverse_ = false;
    return;
  }
  reverse_ = false;
  for (std::string_view word : split(t, ' ')) {
    if (word == "-r" || word == "--reverse" || (word.size() > 2 && word[0] == '-' && word[1] != '-' &&
                                                word.find('r') != std::string_view::npos &&
                                                word.find_first_not_of("-rxbekqa") == std::string_view::npos))
      reverse_ = true;
  }
  if (reverse_) rep_.note("short: the paste's own command (journalctl -r) prints newest first: read in time order");
}

void ShortReader::drain_reversed() {
  for (auto it = reversed_.rbegin(); it != reversed_.rend(); ++it) out_.emit(*it);
  reversed_.clear();
}

void ShortReader::skip(const Line& line, std::string_view why, std::string_view s) {
  if (rep_.first_skips.size() >= InputReport::max_listed_skips) {
    rep_.skip(line.number, {});
    return;
  }
  std::string reason = line.last_without_newline ? "truncated last line: " : "";
  reason.append(why).append(": ").append(snippet(s));
  rep_.skip(line.number, std::move(reason));
}

void ShortReader::finish() {
  flush();
  release_held();
  drain_reversed();
  std::string ignored;
  auto add = [&](std::uint64_t n, const char* what) {
    if (n == 0) return;
    ignored += (ignored.empty() ? "" : ", ") + std::to_string(n) + " " + what;
  };
  add(separators_, "journalctl separator/header lines (-- Boot/Reboot/No entries --)");
  add(catalog_, "journalctl -x catalog lines (\xe2\x96\x91\xe2\x96\x91)");
  add(paste_, "shell prompt, code fence or snip marker lines");
  if (!ignored.empty()) rep_.note("short: ignored " + ignored);
  if (other_text_ + status_ > 0)
    rep_.note("short: read " + std::to_string(other_text_ + status_) +
              " line(s) that are not journal entries as pasted text (systemctl status, coredumpctl, dmesg, "
              "shell, supervisor and runtime messages are recognized in it)");
  if (tagged_untimed_ > 0)
    rep_.note("short: " + std::to_string(tagged_untimed_) +
              " journal line(s) were pasted without their timestamp: their time is unknown");
  if (saw_mono_)
    rep_.note("short-monotonic: timestamps are seconds since boot; those events are untimed");
  if (saw_kernel_mono_ && !opt_.kernel_boot_time)
    rep_.note("dmesg timestamps are seconds since boot; pass --kernel-boot-time to place them in "
              "time (matching falls back to PIDs only)");
  if (untimed_ > 0)
    rep_.note("short: " + std::to_string(untimed_) +
              " lines carry only a time of day and no earlier line gave a date; they are untimed");
  if (saw_unit_tags_)
    rep_.note("with-unit: tags are unit names, so identifiers are unknown (except PID 1)");
  if (!zone_mismatch_.empty())
    rep_.note("short-full: zone abbreviation " + zone_mismatch_ + " does not match zone " +
              (opt_.zone.name().empty() ? std::string("(local)") : opt_.zone.name()) +
              "; pass --timezone for the zone the log was written in");
}

// ---- probe --------------------------------------------------------------------------------

// Most of the first non-decoration lines must be short-family entries; indented lines are
// continuations and do not vote. A dmesg file fails here: its "[stamp] text" lines have no
// "host ident[pid]:" tag.
bool probe_short(std::string_view head) {
  text::HeadLines lines(head);
  std::string_view l;
  int considered = 0, entries = 0;
  while (considered < 10 && lines.next(l)) {
    if (!l.empty() && l.front() == '>') l = text::strip_quote(l);
    if (text::is_blank(l)) continue;
    // A paste indented by a few spaces (a Markdown list, an e-mail); deeper indents continue
    // a multi-line message.
    const size_t indent = text::leading_spaces(l);
    if (indent > 4) continue;
    l = text::strip_backticks(l.substr(indent));
    if (text::classify_decoration(l) != text::Decoration::none) continue;
    ++considered;
    Stamp st;
    Tag tag;
    if (line_shape(l, st, tag) == Shape::entry) ++entries;
  }
  // Pastes mix prose, prompts and journal lines; a third of the head being journal lines is
  // enough, since the other lines are handed on as pasted text, not lost.
  return entries > 0 && (entries * 3 >= considered || entries >= 2);
}

class ShortFormat final : public FormatParser {
 public:
  std::string_view name() const override { return "short"; }
  bool probe(std::string_view head) const override { return probe_short(head); }
  void parse(LineReader& reader, const ParseOptions& options, InputReport& report,
             const EventSink& sink) const override {
    text::guarded(report, name(), [&] {
      ShortReader r(options, report, sink);
      Line line;
      while (reader.next(line)) r.line(line);
      r.finish();
    });
  }
};

}  // namespace

const FormatParser& short_format() {
  static const ShortFormat f;
  return f;
}

}  // namespace crashsift::input
