#include "crashsift/input/app_ndjson.hpp"

#include <simdjson.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "crashsift/core/text.hpp"
#include "crashsift/input/app_fields.hpp"
#include "crashsift/input/app_line_parser.hpp"
#include "crashsift/input/app_prefilter.hpp"

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

class AppReader {
 public:
  AppReader(const AppReadOptions& o, InputReport& r, AppFieldReport& f, const AppRecordSink& sink)
      : opt_(o), report_(r), fields_(f), sink_(sink), parser_(o, f),
        filter_(AppPrefilter::for_app_logs()) {
    for (const std::string* p : {&o.fields.rss, &o.fields.heap, &o.fields.event})
      add_override_needle(*p);
  }
  void line(const Line& l);
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
  void survey(std::string_view s);
  void deliver(AppRecord& rec, std::uint64_t line_no);

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
  if (l.overlong) {
    report_.skip(l.number, "line of " + std::to_string(l.overlong_size) + " bytes is over the line limit");
    return;
  }
  const std::string_view s = strip_line(l.text);
  if (s.empty()) return;  // blank lines are normal (and not errors)
  if (survey_.active() && s.front() == '{') survey(s);
  if (!opt_.keep_other && !force_parse_ && !filter_.matches(s)) {
    ++fields_.prefiltered;
    // Not parsed, but a torn line is still worth counting: a whole object ends with '}'.
    if (s.front() != '{' || s.back() != '}')
      report_.skip(l.number, s.front() != '{' ? "not a JSON object" : l.last_without_newline
                                                  ? "torn last line (no newline)" : "torn line (no closing brace)");
    return;
  }
  ++fields_.parsed;
  if (s.front() == '{' && parser_.parse(s.data(), s.size(), rec_)) {
    deliver(rec_, l.number);
    return;
  }
  report_.skip(l.number, s.front() == '{' ? (l.last_without_newline ? "torn last line (no newline)"
                                                                    : "invalid JSON")
                                          : "not a JSON object");
  if (recover_glued(parser_, s, rec_)) {
    ++fields_.recovered;
    deliver(rec_, l.number);
  }
}

}  // namespace

void read_app_log(LineReader& reader, const AppReadOptions& options, InputReport& report,
                  AppFieldReport& fields, const AppRecordSink& sink) {
  try {
    report.format = "app-ndjson";
    AppReader r(options, report, fields, sink);
    Line line;
    while (reader.next(line)) r.line(line);
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
