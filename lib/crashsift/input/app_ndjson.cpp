#include "crashsift/input/app_ndjson.hpp"

#include <simdjson.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "crashsift/core/reading_pool.hpp"
#include "crashsift/core/text.hpp"
#include "crashsift/input/app_fields.hpp"
#include "crashsift/input/app_line_parser.hpp"
#include "crashsift/input/app_prefilter.hpp"
#include "crashsift/input/line_blocks.hpp"

namespace crashsift::input {

namespace od = simdjson::ondemand;

std::string_view to_string(AppRecordKind k) {
  switch (k) {
    case AppRecordKind::sample: return "sample";
    case AppRecordKind::error: return "error";
    case AppRecordKind::lifecycle: return "lifecycle";
    case AppRecordKind::other: return "other";
  }
  return "other";
}

std::string_view to_string(AppLevel l) {
  static constexpr std::array<std::string_view, 7> names{"unknown", "trace", "debug", "info",
                                                         "warn",    "error", "fatal"};
  return names[static_cast<size_t>(l)];
}

void AppRecord::clear() {
  time.reset();
  kind = AppRecordKind::other;
  level = AppLevel::unknown;
  event.clear(), message.clear(), error_text.clear(), version.clear();
  rss_bytes.reset(), heap_used_bytes.reset(), heap_total_bytes.reset(), external_bytes.reset();
  activity.clear();
  pid.reset();
  boot_marker = false;
  line = 0;
}

bool AppFieldOverrides::empty() const {
  return time.empty() && rss.empty() && heap.empty() && activity.empty() && event.empty() &&
         level.empty() && pid.empty() && version.empty();
}

Result<bool> parse_field_override(std::string_view spec, AppFieldOverrides& into) {
  const size_t eq = spec.find('=');
  if (eq == std::string_view::npos || eq == 0 || eq + 1 == spec.size())
    return make_error("expected KEY=PATH (for example rss=memory.rss), got '" + std::string(spec) + "'");
  const std::string_view k = spec.substr(0, eq);
  std::string path(spec.substr(eq + 1));
  std::string* slot = k == "time" ? &into.time : k == "rss" ? &into.rss : k == "heap" ? &into.heap
                    : k == "activity" ? &into.activity : k == "event" ? &into.event
                    : k == "level" ? &into.level : k == "pid" ? &into.pid
                    : k == "version" ? &into.version : nullptr;
  if (!slot)
    return make_error("unknown field role '" + std::string(k) +
                      "' (known: time, rss, heap, activity, event, level, pid, version)");
  // activity may be given several times: comma-joined paths.
  if (slot == &into.activity && !slot->empty()) *slot += ",";
  *slot += path;
  return true;
}

// Called for every record: lookups by string_view, so the steady state allocates nothing.
void AppFieldReport::use(const char* role, std::string_view field, std::string_view how) {
  auto r = roles.find(std::string_view(role));
  if (r == roles.end()) r = roles.emplace(role, std::map<std::string, FieldUse, std::less<>>{}).first;
  auto& fields = r->second;
  auto it = fields.find(field);
  if (it == fields.end()) it = fields.emplace(std::string(field), FieldUse{0, std::string(how)}).first;
  ++it->second.lines;
}

void AppFieldReport::merge(const AppFieldReport& o) {
  for (const auto& [role, fields] : o.roles)
    for (const auto& [name, u] : fields) {
      auto& mine = roles[role][name];
      if (mine.how.empty()) mine.how = u.how;
      mine.lines += u.lines;
    }
  lines += o.lines, parsed += o.parsed, prefiltered += o.prefiltered, records += o.records;
  no_time += o.no_time, recovered += o.recovered;
  if (dialect.empty()) dialect = o.dialect;
}

std::optional<UsecUtc> epoch_to_usec(double v) {
  if (!std::isfinite(v) || v <= 0) return std::nullopt;
  double us;
  if (v < 1e11) us = v * 1e6;        // seconds (zap "ts":1719535312.123)
  else if (v < 1e14) us = v * 1e3;   // milliseconds (pino, Date.now())
  else if (v < 1e17) us = v;         // microseconds
  else us = v / 1e3;                 // nanoseconds (slog/zap with nanos encoders)
  if (us > 9.2e18) return std::nullopt;
  return static_cast<UsecUtc>(std::llround(us));
}

namespace {

using namespace app_fields;

// ---- streaming ----------------------------------------------------------------------------

std::string_view strip_line(std::string_view s) {
  if (!s.empty() && s.back() == '\r') s.remove_suffix(1);
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  if (s.size() >= 3 && static_cast<unsigned char>(s[0]) == 0xEF &&
      static_cast<unsigned char>(s[1]) == 0xBB && static_cast<unsigned char>(s[2]) == 0xBF)
    s.remove_prefix(3);  // UTF-8 BOM on the first line
  return s;
}

// A record glued after a torn one: try the later '{"' starts (a few at most).
bool recover_glued(AppLineParser& p, std::string_view s, AppRecord& rec) {
  size_t from = 1;
  for (int tries = 0; tries < 4; ++tries) {
    const size_t at = s.find("{\"", from);
    if (at == std::string_view::npos) return false;
    if (p.parse(s.data() + at, s.size() - at, rec)) return true;
    from = at + 1;
  }
  return false;
}

// What the prefilter decides of a line, before any parse. Everything but `parse` is final.
enum class Verdict : std::uint8_t {
  blank,        // nothing to say
  overlong,     // over the line limit: skipped, said
  prefiltered,  // no needle: not parsed
  not_object,   // no needle, and not a JSON object: said
  torn,         // no needle, an object without its closing brace: said
  torn_last,    // the same on the last line, which has no newline
  parse,        // a needle: parse it
};

// The prefilter's verdict on line l, whose text without indentation, CR and BOM is s. Needs
// the padding after s that LineReader keeps.
Verdict judge(const Line& l, std::string_view s, const AppPrefilter& filter, bool parse_all) {
  if (l.overlong) return Verdict::overlong;
  if (s.empty()) return Verdict::blank;  // blank lines are normal (and not errors)
  if (parse_all || filter.matches(s)) return Verdict::parse;
  // Not parsed, but a torn line is still worth counting: a whole object ends with '}'.
  if (s.front() != '{') return Verdict::not_object;
  if (s.back() != '}') return l.last_without_newline ? Verdict::torn_last : Verdict::torn;
  return Verdict::prefiltered;
}

// A block of whole lines whose prefilter verdicts a worker thread found: the lines to parse
// and to report, in order (blank and plain prefiltered lines are only counted).
struct AppBlock {
  ByteBuffer bytes;
  std::uint64_t overlong_size = 0;  // > 0: the block is one line dropped unread (line_blocks.hpp)
  std::uint64_t newlines = 0;
  std::uint64_t lines = 0, prefiltered = 0;
  struct Item {
    std::uint64_t line;              // 1-based within the block
    std::uint64_t offset, size;      // of the stripped text in bytes; for overlong, size is its length
    Verdict verdict;
    bool last_without_newline;
  };
  std::vector<Item> items;
};

class AppReader {
 public:
  AppReader(const AppReadOptions& o, InputReport& r, AppFieldReport& f, const AppRecordSink& sink)
      : opt_(o), report_(r), fields_(f), sink_(sink), parser_(o, f),
        filter_(AppPrefilter::for_app_logs()) {
    for (const std::string* p : {&o.fields.rss, &o.fields.heap, &o.fields.event})
      add_override_needle(*p);
  }
  void line(const Line& l);
  // While the first lines are surveyed, the prefilter may still gain needles.
  bool surveying() const { return survey_.active(); }
  // The rest of the input in blocks whose lines are prefiltered on jobs threads; the lines to
  // parse are parsed here, in order, by the one parser (a unit it decides holds for later lines).
  void read_blocks(LineReader& reader);
  // End of input: the survey's notes when the log gave no samples or no times.
  void finish();

 private:
  // Needles are 3 to 8 bytes: a longer name is looked for by its first 8 ("resident_kib").
  void add_needle(std::string_view name) {
    if (name.size() >= 3) filter_.add(0, name.substr(0, 8));
    else force_parse_ = true;
  }
  void add_override_needle(const std::string& path) {
    if (path.empty()) return;
    const size_t dot = path.find_last_of('.');
    add_needle(dot == std::string::npos ? std::string_view(path) : std::string_view(path).substr(dot + 1));
  }
  bool parse_all() const { return opt_.keep_other || force_parse_; }
  void survey(std::string_view s);
  void take(Verdict v, std::string_view s, std::uint64_t number, std::uint64_t overlong_size, bool last_without_newline);
  void parse(std::string_view s, std::uint64_t number, bool last_without_newline);
  void deliver(AppRecord& rec, std::uint64_t line_no);
  static void judge_block(AppBlock& b, const AppPrefilter& filter, bool parse_all, size_t max_line);

  const AppReadOptions& opt_;
  InputReport& report_;
  AppFieldReport& fields_;
  const AppRecordSink& sink_;
  AppLineParser parser_;
  AppPrefilter filter_;
  AppRecord rec_;
  FieldSurvey survey_;
  SilenceCounts counts_;
  std::vector<std::string> new_keys_;
  bool force_parse_ = false;
};

// The first lines are parsed once more for their field names, whatever the prefilter says. A
// memory field found there whose name holds no needle ("memory_kb") becomes one, so that its
// lines are not skipped unparsed.
void AppReader::survey(std::string_view s) {
  new_keys_.clear();
  survey_.add(s.data(), s.size(), opt_.zone, new_keys_);
  for (const auto& k : new_keys_)
    if (!filter_.matches_scalar(k)) add_needle(k);
}

void AppReader::finish() {
  survey_.finish();
  for (auto& n : silence_notes(survey_, counts_, opt_.fields)) report_.note(std::move(n));
  if (!parser_.unit_doubt().empty()) report_.note(parser_.unit_doubt());
}

void AppReader::deliver(AppRecord& rec, std::uint64_t line_no) {
  rec.line = line_no;
  rec.input = opt_.input_index;
  if (rec.kind == AppRecordKind::other && !opt_.keep_other) return;
  if (!rec.time) {
    ++fields_.no_time;
    if (rec.kind != AppRecordKind::other) ++counts_.untimed;
    if (rec.has_memory()) ++counts_.memory_no_time;
    return;
  }
  if (rec.kind != AppRecordKind::other) ++counts_.timed;
  if (rec.has_memory()) ++counts_.samples;
  ++report_.entries;
  ++fields_.records;
  report_.saw_time(*rec.time);
  sink_(rec);
}

void AppReader::line(const Line& l) {
  ++fields_.lines;
  const std::string_view s = l.overlong ? std::string_view() : strip_line(l.text);
  if (!s.empty() && survey_.active() && s.front() == '{') survey(s);
  take(judge(l, s, filter_, parse_all()), s, l.number, l.overlong_size, l.last_without_newline);
}

void AppReader::take(Verdict v, std::string_view s, std::uint64_t number, std::uint64_t overlong_size,
                     bool last_without_newline) {
  switch (v) {
    case Verdict::blank:
      return;
    case Verdict::overlong:
      return report_.skip(number, "line of " + std::to_string(overlong_size) + " bytes is over the line limit");
    case Verdict::prefiltered:
      ++fields_.prefiltered;
      return;
    case Verdict::not_object:
      ++fields_.prefiltered;
      return report_.skip(number, "not a JSON object");
    case Verdict::torn:
      ++fields_.prefiltered;
      return report_.skip(number, "torn line (no closing brace)");
    case Verdict::torn_last:
      ++fields_.prefiltered;
      return report_.skip(number, "torn last line (no newline)");
    case Verdict::parse:
      return parse(s, number, last_without_newline);
  }
}

void AppReader::parse(std::string_view s, std::uint64_t number, bool last_without_newline) {
  ++fields_.parsed;
  if (s.front() == '{' && parser_.parse(s.data(), s.size(), rec_)) {
    deliver(rec_, number);
    return;
  }
  report_.skip(number, s.front() == '{' ? (last_without_newline ? "torn last line (no newline)" : "invalid JSON")
                                        : "not a JSON object");
  if (recover_glued(parser_, s, rec_)) {
    ++fields_.recovered;
    deliver(rec_, number);
  }
}

void AppReader::judge_block(AppBlock& b, const AppPrefilter& filter, bool parse_all, size_t max_line) {
  b.items.clear();
  b.lines = b.prefiltered = 0;
  b.newlines = 1;
  if (b.overlong_size) {
    b.lines = 1;
    b.items.push_back({1, 0, b.overlong_size, Verdict::overlong, false});
    return;
  }
  LineReader reader(LineReader::InPlace{}, b.bytes.view(), max_line);
  Line l;
  bool last_without_newline = false;
  while (reader.next(l)) {
    ++b.lines;
    last_without_newline = l.last_without_newline;
    const std::string_view s = l.overlong ? std::string_view() : strip_line(l.text);
    const Verdict v = judge(l, s, filter, parse_all);
    if (v == Verdict::blank) continue;
    if (v == Verdict::prefiltered) {
      ++b.prefiltered;
      continue;
    }
    const std::uint64_t offset = s.empty() ? 0 : static_cast<std::uint64_t>(s.data() - b.bytes.data());
    b.items.push_back({l.number, offset, l.overlong ? l.overlong_size : s.size(), v, l.last_without_newline});
  }
  // Every line ends in a newline but the input's last one (only a last block has it).
  b.newlines = b.lines - (last_without_newline ? 1 : 0);
}

void AppReader::read_blocks(LineReader& reader) {
  std::uint64_t next_line = reader.line_number() + 1;
  const AppPrefilter& filter = filter_;  // fixed from here on: the survey is over
  const bool all = parse_all();
  const size_t max_line = opt_.max_line;
  LineBlockCutter cutter(reader, opt_.block_bytes, opt_.max_line);
  ReadingPool<AppBlock> pool(
      opt_.jobs - 1, 2 * opt_.jobs, [&cutter](AppBlock& b) { return cutter.next(b); },
      [&filter, all, max_line](AppBlock& b) { judge_block(b, filter, all, max_line); });
  pool.run([&](AppBlock& b) {
    const std::uint64_t base = next_line - 1;
    next_line += b.newlines;
    fields_.lines += b.lines;
    fields_.prefiltered += b.prefiltered;
    for (const auto& it : b.items)
      take(it.verdict, std::string_view(b.bytes.data() + it.offset, it.verdict == Verdict::overlong ? 0 : it.size),
           base + it.line, it.size, it.last_without_newline);
  });
}

}  // namespace

void read_app_log(LineReader& reader, const AppReadOptions& options, InputReport& report,
                  AppFieldReport& fields, const AppRecordSink& sink) {
  try {
    report.format = "app-ndjson";
    AppReader r(options, report, fields, sink);
    Line line;
    // The first lines one at a time (the survey may still add needles); then, with jobs > 1, the
    // rest in blocks prefiltered in parallel.
    bool more = true;
    while ((options.jobs <= 1 || r.surveying()) && (more = reader.next(line))) r.line(line);
    if (more && options.jobs > 1) r.read_blocks(reader);
    r.finish();
    report.bytes = reader.bytes_consumed();
    if (!reader.source().error().empty()) report.note("read error: " + reader.source().error());
  } catch (const std::exception& e) {
    report.fatal = std::string("failed to read app log: ") + e.what();
  }
}

bool parse_app_line(std::string_view line, const AppReadOptions& options, AppFieldReport& fields,
                    AppRecord& out) {
  try {
    std::string padded(line);
    padded.append(simdjson::SIMDJSON_PADDING, '\0');
    AppLineParser p(options, fields);
    const std::string_view s = strip_line(std::string_view(padded.data(), line.size()));
    if (s.empty() || s.front() != '{') return false;
    return p.parse(s.data(), s.size(), out);
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace crashsift::input
