// Kernel ring buffer text, as people save it:
//
//   [10463.883791] crashlab[13218]: segfault at 0 ip 000055e8c5241235 ...       dmesg
//   [Mon Nov 23 07:57:41 2026] bun invoked oom-killer: gfp_mask=0xcc0(...)    dmesg -T
//   kern  :warn  : [10462.678430] bun invoked oom-killer: ...                 dmesg -x
//   <4>[10462.678430] bun invoked oom-killer: ...                             dmesg -r
//   2026-11-23T07:57:41,617199+00:00 bun invoked oom-killer: ...              dmesg --time-format iso
//   4,970,10462678430,-;bun invoked oom-killer: ...                           cat /dev/kmsg
//    SUBSYSTEM=memory                                                         (kmsg dictionary)
//
// Every line becomes a kernel event (identifier "kernel"). Relative stamps are seconds since
// boot: they are placed in time only with options.kernel_boot_time.
#include "crashsift/core/text.hpp"
#include "crashsift/input/kmsg.hpp"
#include "crashsift/input/parser.hpp"
#include "crashsift/input/text_forms.hpp"

namespace crashsift::input {
namespace {

using text::is_digit;

enum class KStamp { none, relative, local, absolute };

struct KLine {
  int priority = -1;
  KStamp stamp = KStamp::none;
  std::uint64_t mono = 0;
  CivilTime local;
  UsecUtc time = 0;
  bool has_usec = false;
  bool kmsg = false;
  std::string_view text;
};

// "0,1,2" -> 0..7 of the syslog level names dmesg -x prints ("emerg", "warn  ", ...).
int level_from_name(std::string_view s) {
  static constexpr std::string_view names[] = {"emerg", "alert", "crit", "err",
                                               "warn", "notice", "info", "debug"};
  for (int i = 0; i < 8; ++i)
    if (s == names[i]) return i;
  return -1;
}

bool kmsg_record(std::string_view s, KLine& k) {
  const auto rec = parse_kmsg_record(s);
  if (!rec) return false;
  k.priority = rec->priority;
  k.stamp = KStamp::relative;
  k.mono = rec->usec;
  k.has_usec = true;
  k.kmsg = true;
  k.text = rec->text;
  return true;
}

// "[10463.883791]" (dmesg prints %5lu.%06lu, so short uptimes are space-padded: "[    5.1]").
bool relative_stamp(std::string_view s, size_t& i, KLine& k) {
  size_t j = i + 1;
  while (j < s.size() && s[j] == ' ') ++j;
  std::uint64_t secs = 0, frac = 0;
  if (!text::some_digits(s, j, 12, secs) || j >= s.size() || s[j] != '.') return false;
  const size_t frac_start = ++j;
  if (!text::some_digits(s, j, 9, frac) || j >= s.size() || s[j] != ']') return false;
  // Scale the fraction to µs whatever its width (6 digits in practice).
  for (size_t n = j - frac_start; n < 6; ++n) frac *= 10;
  for (size_t n = j - frac_start; n > 6; --n) frac /= 10;
  k.stamp = KStamp::relative;
  k.mono = secs * 1'000'000u + frac;
  k.has_usec = true;
  i = j + 1;
  return true;
}

// "[Mon Nov 23 07:57:41 2026]" (dmesg -T: ctime-like, "%a %b %e %H:%M:%S %Y", local time;
// weekday and month follow the locale, the day is space-padded: "[Mon Nov  2 ...]").
bool ctime_stamp(std::string_view s, size_t& i, KLine& k) {
  const size_t close = s.find(']', i);
  if (close == std::string_view::npos || close - i > 48) return false;
  const std::string_view in = s.substr(i + 1, close - i - 1);
  const size_t sp1 = in.find(' ');
  if (sp1 == std::string_view::npos) return false;
  size_t j = sp1 + 1;
  const size_t sp2 = in.find(' ', j);
  if (sp2 == std::string_view::npos) return false;
  const int month = text::month_from_name(in.substr(j, sp2 - j));
  j = sp2;
  while (j < in.size() && in[j] == ' ') ++j;
  std::uint64_t day = 0, year = 0;
  bool frac = false;
  if (month == 0 || !text::some_digits(in, j, 2, day) || j >= in.size() || in[j++] != ' ' ||
      !text::clock(in, j, k.local, frac) || j >= in.size() || in[j++] != ' ' ||
      !text::some_digits(in, j, 4, year) || j != in.size() || day < 1 || day > 31)
    return false;
  k.local.year = static_cast<int>(year);
  k.local.month = month;
  k.local.day = static_cast<int>(day);
  k.stamp = KStamp::local;
  k.has_usec = frac;
  i = close + 1;
  return true;
}

// "2026-11-23T07:57:41,617199+00:00" (dmesg --time-format iso). The comma is what tells it
// from a short-iso journal line ("2026-11-23T07:57:41.617199+0000 host ...").
bool iso_stamp(std::string_view s, size_t& i, KLine& k) {
  const size_t sp = s.find(' ', i);
  const std::string_view tok = s.substr(i, sp == std::string_view::npos ? s.size() - i : sp - i);
  if (tok.size() < 26 || tok[4] != '-' || tok[10] != 'T' || tok[19] != ',') return false;
  auto t = parse_iso8601(tok, Zone::utc());
  if (!t) return false;
  k.stamp = KStamp::absolute;
  k.time = *t;
  k.has_usec = true;
  i += tok.size();
  return true;
}

// "kern  :warn  : " (dmesg -x): facility and level, each padded and followed by ':'.
bool decoded_prefix(std::string_view s, size_t& i, KLine& k) {
  const size_t c1 = s.find(':');
  if (c1 == std::string_view::npos || c1 == 0 || c1 > 10) return false;
  const std::string_view fac = trim_right(s.substr(0, c1));
  for (char c : fac)
    if (!((c >= 'a' && c <= 'z') || is_digit(c))) return false;
  const size_t c2 = s.find(':', c1 + 1);
  if (c2 == std::string_view::npos || c2 - c1 > 10) return false;
  const int level = level_from_name(trim_right(s.substr(c1 + 1, c2 - c1 - 1)));
  if (level < 0 || c2 + 1 >= s.size() || s[c2 + 1] != ' ') return false;
  k.priority = level;
  i = c2 + 2;
  return true;
}

// Fills k from one line; false when the line has none of the shapes above.
bool parse_kernel_line(std::string_view s, KLine& k) {
  k = KLine{};
  if (s.empty()) return false;
  if (is_digit(s[0]) && kmsg_record(s, k)) return true;
  size_t i = 0;
  bool prefixed = false;
  if (s[0] == '<') {  // "<4>[   12.3] ..." (dmesg -r)
    size_t j = 1;
    std::uint64_t prio = 0;
    if (!text::some_digits(s, j, 3, prio) || j >= s.size() || s[j] != '>') return false;
    k.priority = static_cast<int>(prio & 7);
    i = j + 1;
    prefixed = true;
  } else if (s[0] >= 'a' && s[0] <= 'z') {
    if (!decoded_prefix(s, i, k)) return false;
    prefixed = true;
  }
  if (i < s.size() && s[i] == '[') {
    if (!relative_stamp(s, i, k) && !ctime_stamp(s, i, k)) return false;
  } else if (i < s.size() && is_digit(s[i])) {
    if (!iso_stamp(s, i, k)) return false;
  } else if (!prefixed) {
    return false;
  }
  if (k.stamp != KStamp::none) {
    if (i < s.size() && s[i] != ' ') return false;
    if (i < s.size()) ++i;  // one separator; the message's own leading space stays (" <TASK>")
  }
  k.text = s.substr(i);
  return true;
}

// A short-monotonic journal line: "[    5.001000] web1 systemd[1]: ..." — host, then an
// "ident[pid]:" or "kernel:" tag. dmesg text never has a bare host word before such a tag
// ("crashlab[13218]: segfault" has none; "usb 1-1: new ..." has no [pid]).
bool looks_like_journal_tag(std::string_view text) {
  const size_t sp = text.find(' ');
  if (sp == std::string_view::npos || sp == 0 || sp > 64) return false;
  for (char c : text.substr(0, sp))
    if (c == '[' || c == ']' || c == ':') return false;
  const size_t sp2 = std::min(text.find(' ', sp + 1), text.size());
  const std::string_view tag = text.substr(sp + 1, sp2 - sp - 1);
  if (tag == "kernel:") return true;
  if (tag.size() < 5 || !ends_with(tag, "]:")) return false;
  const size_t lb = tag.rfind('[');
  if (lb == std::string_view::npos || lb == 0) return false;
  const std::string_view pid = tag.substr(lb + 1, tag.size() - lb - 3);
  if (pid.empty()) return false;
  for (char c : pid)
    if (!is_digit(c)) return false;
  return true;
}

class KernelReader {
 public:
  KernelReader(const ParseOptions& o, InputReport& r, const EventSink& s)
      : opt_(o), rep_(r), out_(o, r, s), clock_(o.zone) {}
  void line(const Line& line);
  void finish();

 private:
  void start(const KLine& k, std::uint64_t number);
  void flush();
  void skip(const Line& line, std::string_view why, std::string_view s);

  void emit_pasted(std::string_view s, std::uint64_t number);

  const ParseOptions& opt_;
  InputReport& rep_;
  text::Emitter out_;
  text::LocalClock clock_;
  Event ev_;
  bool pending_ = false;
  bool kmsg_ = false;
  bool saw_relative_ = false, saw_ctime_ = false;
};

void KernelReader::line(const Line& line) {
  if (std::string why = text::overlong_check(line, opt_.max_line); !why.empty()) {
    flush();
    rep_.skip(line.number, std::move(why));
    return;
  }
  const std::string_view s = text::chomp_cr(line.text);
  if (text::is_blank(s)) return;
  KLine k;
  if (parse_kernel_line(s, k)) {
    flush();
    start(k, line.number);
    return;
  }
  if (s.front() == ' ' || s.front() == '\t') {
    // /dev/kmsg dictionary lines (" SUBSYSTEM=memory", " DEVICE=+memory:…") describe the
    // record above and are not text; in dmesg output, an indented unstamped line continues a
    // multi-line record.
    if (kmsg_) return;
    if (pending_) {
      ev_.message.push_back('\n');
      ev_.message.append(trim(s));
      return;
    }
  }
  flush();
  if (rep_.first_skips.size() >= InputReport::max_listed_skips) {
    rep_.skip(line.number, {});
    return;
  }
  std::string reason = line.last_without_newline ? "truncated last line: " : "";
  reason += "not a dmesg/kmsg line: \"" + sanitize_utf8(s.substr(0, 60)) + "\"";
  rep_.skip(line.number, std::move(reason));
  emit_pasted(s, line.number);
}

// A line of other text among dmesg lines (a pasted `coredumpctl info` block, a shell message):
// not the kernel's, but the witness recognizers may know it.
void KernelReader::emit_pasted(std::string_view s, std::uint64_t number) {
  flush();
  ev_.clear();
  ev_.origin.line = number;
  ev_.pasted = true;
  ev_.time_has_usec = false;
  ev_.message.assign(s);
  out_.emit(ev_);
}

void KernelReader::start(const KLine& k, std::uint64_t number) {
  ev_.clear();
  ev_.origin.line = number;
  ev_.identifier = "kernel";
  ev_.kernel = true;
  ev_.priority = k.priority;
  ev_.time_has_usec = k.has_usec;
  ev_.message.assign(k.text);
  kmsg_ = k.kmsg;
  switch (k.stamp) {
    case KStamp::relative:
      ev_.monotonic_usec = k.mono;
      if (opt_.kernel_boot_time) ev_.time = *opt_.kernel_boot_time + static_cast<UsecUtc>(k.mono);
      saw_relative_ = true;
      break;
    case KStamp::local:
      if (text::valid_civil(k.local)) ev_.time = clock_.to_utc(k.local);
      saw_ctime_ = true;
      break;
    case KStamp::absolute:
      ev_.time = k.time;
      break;
    case KStamp::none:
      break;
  }
  pending_ = true;
}

void KernelReader::flush() {
  if (pending_) out_.emit(ev_);
  pending_ = false;
}

void KernelReader::finish() {
  flush();
  if (saw_relative_ && !opt_.kernel_boot_time)
    rep_.note("dmesg timestamps are seconds since boot; pass --kernel-boot-time to place them in "
              "time (matching falls back to PIDs only)");
  if (saw_ctime_)
    rep_.note("dmesg -T times are computed by dmesg from the boot time and drift after "
              "suspend/resume; read in the given zone, to the second");
}

// The first non-blank lines must be kernel lines (indented ones — kmsg dictionary, dmesg
// continuations — do not vote), and they must not be short-monotonic journal lines, which
// share the "[    5.001000]" stamp.
bool probe_kernel(std::string_view head) {
  text::HeadLines lines(head);
  std::string_view l;
  int considered = 0, kernel = 0, journal_like = 0;
  while (considered < 10 && lines.next(l)) {
    if (l.front() == ' ' || l.front() == '\t') continue;
    ++considered;
    KLine k;
    if (!parse_kernel_line(l, k)) continue;
    ++kernel;
    if (k.stamp == KStamp::relative && !k.kmsg && looks_like_journal_tag(k.text)) ++journal_like;
  }
  return kernel > 0 && kernel * 3 >= considered * 2 && journal_like * 2 < kernel;
}

class KernelFormat final : public FormatParser {
 public:
  std::string_view name() const override { return "kernel"; }
  bool probe(std::string_view head) const override { return probe_kernel(head); }
  void parse(LineReader& reader, const ParseOptions& options, InputReport& report,
             const EventSink& sink) const override {
    text::guarded(report, name(), [&] {
      KernelReader r(options, report, sink);
      Line line;
      while (reader.next(line)) r.line(line);
      r.finish();
    });
  }
};

}  // namespace

const FormatParser& kernel_format() {
  static const KernelFormat f;
  return f;
}

// "4,970,10462678430,-;text": priority (facility*8 + level), sequence, µs since boot, flags.
std::optional<KmsgRecord> parse_kmsg_record(std::string_view s) {
  size_t i = 0;
  std::uint64_t prio = 0, seq = 0, usec = 0;
  if (s.empty() || !text::is_digit(s[0])) return std::nullopt;
  if (!text::some_digits(s, i, 6, prio) || i >= s.size() || s[i++] != ',') return std::nullopt;
  if (!text::some_digits(s, i, 20, seq) || i >= s.size() || s[i++] != ',') return std::nullopt;
  if (!text::some_digits(s, i, 20, usec) || i >= s.size() || s[i] != ',') return std::nullopt;
  const size_t semi = s.find(';', i);
  if (semi == std::string_view::npos || semi - i > 32) return std::nullopt;
  return KmsgRecord{static_cast<int>(prio & 7), seq, usec, s.substr(semi + 1)};
}

}  // namespace crashsift::input
