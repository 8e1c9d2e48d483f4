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
#include <optional>

#include "crashsift/core/text.hpp"
#include "crashsift/input/parser.hpp"
#include "crashsift/input/text_forms.hpp"

namespace crashsift::input {
namespace {

using text::is_digit;

// ---- timestamps ---------------------------------------------------------------------------

enum class StampKind {
  absolute,   // carries its own offset or is UTC: short-iso, short-unix, "... UTC"
  local,      // full date, no offset: read in options.zone
  yearless,   // "Nov 23 07:57:41": year inferred
  time_only,  // "14:28:21": date taken from the previous line
  monotonic,  // "[    5.001000]": seconds since boot
};

struct Stamp {
  StampKind kind = StampKind::absolute;
  UsecUtc time = 0;
  CivilTime local;
  std::uint64_t mono = 0;
  bool has_usec = false;
  bool full = false;  // short-full / with-unit layout
  std::string_view zone_abbrev;
  size_t end = 0;     // index just past the stamp
};

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

struct Tag {
  std::string_view host, ident;
  std::optional<std::int64_t> pid;
  size_t msg = 0;  // offset of the message in the text after the stamp
};

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

enum class Shape { none, stamp_only, entry, kernel_line };

// Classifies one (de-indented, unquoted) line; fills stamp and tag.
Shape line_shape(std::string_view s, Stamp& st, Tag& tag) {
  if (!parse_stamp(s, st)) return Shape::none;
  std::string_view rest = s.substr(st.end + 1);
  if (!parse_tag(rest, tag)) return st.kind == StampKind::monotonic ? Shape::kernel_line : Shape::stamp_only;
  if (st.kind == StampKind::monotonic && !monotonic_tag_ok(tag)) return Shape::kernel_line;
  return Shape::entry;
}

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
  bool decoration(std::string_view t);
  bool entry(std::string_view s, size_t indent, const Line& line);
  void start(std::uint64_t number);
  void fill(const Stamp& st, const Tag& tag, std::string_view message);
  void resolve(const Stamp& st);
  void resolve_time_only(CivilTime c);
  int year_for(const CivilTime& local);
  void flush();
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
  bool saw_mono_ = false, saw_kernel_mono_ = false, saw_unit_tags_ = false;
  std::string zone_mismatch_;
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
  if (continuation(s)) return;
  if (text::is_blank(s)) {
    if (pending_) ++blanks_;
    return;
  }
  const size_t indent = text::leading_spaces(s);
  const std::string_view t = s.substr(indent);
  if (decoration(t)) return;
  if (entry(t, indent, line)) return;
  // An indented line that is not at the message column: a paste that lost its alignment.
  if (pending_ && indent > 0) {
    ev_.message.append(blanks_ + 1, '\n');
    ev_.message.append(t);
    blanks_ = 0;
    return;
  }
  flush();
  skip(line, indent > 0 ? "indented continuation line before any entry" : "not a journalctl line", t);
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

bool ShortReader::decoration(std::string_view t) {
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
      break;
    case text::Decoration::status:
      ++status_;
      break;
  }
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
      if (!st.zone_abbrev.empty() && zone_mismatch_.empty()) {
        const UsecUtc t = clock_.to_utc(st.local);
        if (clock_.zone().abbreviation_at(t) != st.zone_abbrev) zone_mismatch_.assign(st.zone_abbrev);
      }
      ev_.time = clock_.to_utc(st.local);
      break;
    case StampKind::yearless: {
      CivilTime c = st.local;
      c.year = year_for(c);
      ev_.time = clock_.to_utc(c);
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
    } else {
      const UsecUtc ref = opt_.reference_time ? *opt_.reference_time : now_usec();
      const CivilTime rc = clock_.to_local(ref);
      year_ = rc.year - (local.month > rc.month ? 1 : 0);
      rep_.note(opt_.reference_time
                    ? "short: timestamps carry no year; took " + std::to_string(year_) +
                          " from the file's modification time (--year overrides)"
                    : "short: timestamps carry no year and the input has no modification time; "
                      "assumed " + std::to_string(year_) + " from the current date (pass --year)");
    }
    start_year_ = year_;
  } else if (at(year_) + day < last_yearless_) {
    ++year_;
  } else if (year_ > start_year_ && at(year_) - last_yearless_ > 183 * day) {
    --year_;
  }
  last_yearless_ = at(year_);
  return year_;
}

void ShortReader::flush() {
  if (pending_) out_.emit(ev_);
  pending_ = false;
  blanks_ = 0;
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
  std::string ignored;
  auto add = [&](std::uint64_t n, const char* what) {
    if (n == 0) return;
    ignored += (ignored.empty() ? "" : ", ") + std::to_string(n) + " " + what;
  };
  add(separators_, "journalctl separator/header lines (-- Boot/Reboot/No entries --)");
  add(catalog_, "journalctl -x catalog lines (\xe2\x96\x91\xe2\x96\x91)");
  add(paste_, "shell prompt, code fence or snip marker lines");
  add(status_, "systemctl status header lines");
  if (!ignored.empty()) rep_.note("short: ignored " + ignored);
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
    if (text::is_blank(l) || l.front() == ' ' || l.front() == '\t') continue;
    if (text::classify_decoration(l) != text::Decoration::none) continue;
    ++considered;
    Stamp st;
    Tag tag;
    if (line_shape(l, st, tag) == Shape::entry) ++entries;
  }
  return entries > 0 && entries * 3 >= considered * 2;
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
