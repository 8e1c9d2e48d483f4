// `journalctl -o verbose`: a header line per entry, then every field indented by four spaces
// (formats.md §6.2). The fields map through apply_journal_field(), exactly as export and json
// do, so the three forms of one journal give the same Events.
//
//   Mon 2026-11-23 07:57:41.617199 UTC [s=ad69…;i=1;b=f2e2…;m=26fb0ff7b;t=660ecf2c2122f;x=7b1c…]
//       SYSLOG_IDENTIFIER=systemd-journald
//       MESSAGE=panic(main thread): Segmentation fault at address 0x0
//               oh no: Bun has crashed. This indicates a bug in Bun, not your code.
//       MESSAGE=[17B blob data]
#include "crashsift/core/text.hpp"
#include "crashsift/input/journal_fields.hpp"
#include "crashsift/input/parser.hpp"
#include "crashsift/input/text_forms.hpp"

namespace crashsift::input {
namespace {

bool is_weekday(std::string_view w) {
  static constexpr std::string_view days[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  for (auto d : days)
    if (w == d) return true;
  return false;
}

// "Mon 2026-11-23 07:57:41.617199 UTC [s=…]": the weekday names are hard-coded English in
// systemd's format_timestamp(), the time always has microseconds and the cursor (which starts
// with "s=") is always printed. That tells it from a short-full line whose message ends in ']'
// ("Sat 2025-01-04 14:13:20 UTC web1 app[7]: listening [ok]").
bool is_header(std::string_view s) {
  return s.size() > 34 && s[3] == ' ' && is_weekday(s.substr(0, 3)) && text::is_digit(s[4]) &&
         s[8] == '-' && s[11] == '-' && s[14] == ' ' && s[17] == ':' && s[20] == ':' &&
         s[23] == '.' && text::is_digit(s[24]) && s.back() == ']' &&
         s.find(" [s=") != std::string_view::npos;
}

bool is_field_name_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || (c >= 'a' && c <= 'z');
}

// "    NAME=value": four spaces, then a field name (journal names are upper case, digits and
// '_'; lower case is tolerated because journalctl prints whatever the sender stored).
bool split_field(std::string_view s, std::string_view& name, std::string_view& value) {
  if (s.size() < 6 || s.compare(0, 4, "    ") != 0 || !is_field_name_char(s[4])) return false;
  const size_t eq = s.find('=', 4);
  if (eq == std::string_view::npos || eq > 4 + 256) return false;
  name = s.substr(4, eq - 4);
  for (char c : name)
    if (!is_field_name_char(c)) return false;
  value = s.substr(eq + 1);
  return true;
}

bool hex_u64(std::string_view s, std::uint64_t& out) {
  if (s.empty() || s.size() > 16) return false;
  std::uint64_t v = 0;
  for (char c : s) {
    int d;
    if (c >= '0' && c <= '9') d = c - '0';
    else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
    else return false;
    v = v * 16 + static_cast<unsigned>(d);
  }
  out = v;
  return true;
}

class VerboseReader {
 public:
  VerboseReader(const ParseOptions& o, InputReport& r, const EventSink& s)
      : opt_(o), rep_(r), out_(o, r, s) {}
  void line(const Line& line);
  void finish();

 private:
  bool continuation(std::string_view s);
  void header(std::string_view s, std::uint64_t number);
  void header_time(std::string_view s);
  void apply_field();
  void flush();

  const ParseOptions& opt_;
  InputReport& rep_;
  text::Emitter out_;
  Event ev_;
  bool in_entry_ = false;
  bool have_field_ = false;
  std::string name_, value_;  // the field being read (it may continue on following lines)
  size_t indent_ = 0;
  unsigned blanks_ = 0;
  std::uint64_t separators_ = 0;
  bool cut_ = false;
};

void VerboseReader::line(const Line& line) {
  if (std::string why = text::overlong_check(line, opt_.max_line); !why.empty()) {
    // Inside an entry this is one huge field (COREDUMP_PROC_MAPS, a 20 MB MESSAGE): the field
    // is lost, the entry and the rest of the input are not.
    apply_field();
    rep_.skip(line.number, std::move(why));
    return;
  }
  const std::string_view s = text::chomp_cr(line.text);
  if (line.last_without_newline && in_entry_) cut_ = true;
  if (continuation(s)) return;
  if (text::is_blank(s)) {
    if (have_field_) ++blanks_;
    return;
  }
  std::string_view name, value;
  if (split_field(s, name, value)) {
    if (!in_entry_) {
      rep_.skip(line.number, "field line before any entry header");
      return;
    }
    apply_field();
    name_.assign(name);
    value_.assign(value);
    indent_ = 4 + name.size() + 1;
    have_field_ = true;
    return;
  }
  if (is_header(s)) {
    header(s, line.number);
    return;
  }
  // "-- Boot 0a1b… --" separators appear between entries here too; the boot id comes from each
  // entry's cursor and _BOOT_ID anyway.
  if (text::classify_decoration(s) == text::Decoration::separator) {
    flush();
    ++separators_;
    return;
  }
  rep_.skip(line.number, "not a journalctl -o verbose line");
}

// A multi-line value continues indented to just after "NAME=" (print_multiline with prefix
// 4 + len(NAME) + 1); an empty line inside the value is printed as the bare indent.
bool VerboseReader::continuation(std::string_view s) {
  if (!have_field_ || s.size() < indent_ || text::leading_spaces(s.substr(0, indent_)) != indent_)
    return false;
  value_.append(blanks_ + 1, '\n');
  value_.append(s.substr(indent_));
  blanks_ = 0;
  return true;
}

void VerboseReader::header(std::string_view s, std::uint64_t number) {
  flush();
  ev_.clear();
  in_entry_ = true;
  ev_.origin.line = number;
  const size_t open = s.rfind(" [");
  const std::string_view cursor = s.substr(open + 2, s.size() - open - 3);
  ev_.origin.cursor.assign(cursor);
  // The cursor carries the entry's realtime (t=, hex µs), monotonic time (m=) and boot (b=):
  // exact, where the header's printed time depends on the zone journalctl ran in. t= is the
  // receive time; a _SOURCE_REALTIME_TIMESTAMP field later in the entry replaces it, as the
  // header itself does.
  for (std::string_view kv : split(cursor, ';')) {
    if (kv.size() < 3 || kv[1] != '=') continue;
    std::uint64_t v = 0;
    const std::string_view val = kv.substr(2);
    if (kv[0] == 't' && hex_u64(val, v) && v <= static_cast<std::uint64_t>(INT64_MAX))
      ev_.time = static_cast<UsecUtc>(v);
    else if (kv[0] == 'm' && hex_u64(val, v))
      ev_.monotonic_usec = v;
    else if (kv[0] == 'b' && is_hex_id(val))
      ev_.boot_id.assign(val);
  }
  if (!ev_.time) header_time(s);
}

// Fallback when the cursor has no t=: the printed time, in UTC when it says so, else in the
// zone given for the input.
void VerboseReader::header_time(std::string_view s) {
  const size_t zone_start = s.find(' ', 15);
  if (zone_start == std::string_view::npos) return;
  const size_t zone_end = s.find(' ', zone_start + 1);
  const std::string_view zone = s.substr(zone_start + 1, zone_end - zone_start - 1);
  const bool utc = zone == "UTC" || zone == "GMT";
  if (auto t = parse_iso8601(s.substr(4, zone_start - 4), utc ? Zone::utc() : opt_.zone))
    ev_.time = *t;
}

void VerboseReader::apply_field() {
  if (!have_field_) return;
  apply_journal_field(ev_, name_, value_);
  have_field_ = false;
  blanks_ = 0;
}

void VerboseReader::flush() {
  apply_field();
  if (in_entry_) out_.emit(ev_);
  in_entry_ = false;
}

void VerboseReader::finish() {
  flush();
  if (cut_) rep_.note("verbose: the input ends without a newline; its last entry may be incomplete");
  if (separators_ > 0)
    rep_.note("verbose: ignored " + std::to_string(separators_) + " journalctl separator lines");
}

// The first non-blank line (after journalctl's "-- ... --" headers) is an entry header; the
// next one, when the head has it, is a field.
bool probe_verbose(std::string_view head) {
  text::HeadLines lines(head);
  std::string_view l;
  int headers_seen = 0;
  while (lines.next(l)) {
    if (headers_seen == 0) {
      if (text::classify_decoration(l) == text::Decoration::separator) continue;
      if (!is_header(l)) return false;
      headers_seen = 1;
      continue;
    }
    std::string_view name, value;
    return split_field(l, name, value);
  }
  return headers_seen > 0;
}

class VerboseFormat final : public FormatParser {
 public:
  std::string_view name() const override { return "verbose"; }
  bool probe(std::string_view head) const override { return probe_verbose(head); }
  void parse(LineReader& reader, const ParseOptions& options, InputReport& report,
             const EventSink& sink) const override {
    text::guarded(report, name(), [&] {
      VerboseReader r(options, report, sink);
      Line line;
      while (reader.next(line)) r.line(line);
      r.finish();
    });
  }
};

}  // namespace

const FormatParser& verbose_format() {
  static const VerboseFormat f;
  return f;
}

}  // namespace crashsift::input
