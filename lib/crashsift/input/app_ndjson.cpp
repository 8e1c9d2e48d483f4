#include "crashsift/input/app_ndjson.hpp"

#include <simdjson.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "crashsift/core/text.hpp"
#include "crashsift/input/app_fields.hpp"
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

// ---- the per-line parse -------------------------------------------------------------------

struct LineState {
  int time_rank = 100, event_rank = 100;
  std::string_view time_field, event_field, dialect_level;
  bool time_is_number = false, has_v0 = false, level_numeric = false, has_msg = false,
       has_message = false, has_levelname = false;
};

class LineParser {
 public:
  LineParser(const AppReadOptions& o, AppFieldReport& f) : opt_(o), fields_(f) {
    split_paths(o.fields.activity, activity_paths_);
  }
  bool parse(const char* data, size_t len, AppRecord& rec);
  // "rss has no unit in its name and its first value ... is below 1e5": empty when not doubtful.
  const std::string& unit_doubt() const { return unit_doubt_; }

 private:
  // The unit of a field whose name gives none, decided by its first non-zero value and kept:
  // a series near a threshold must not switch units from line to line.
  struct UnitChoice {
    std::string path;
    MemUnit unit;
  };
  MemUnit unit_for(Role role, std::string_view key, double v);
  static void split_paths(const std::string& joined, std::vector<std::string>& out) {
    for (auto p : split(joined, ','))
      if (!trim(p).empty()) out.emplace_back(trim(p));
  }
  bool walk(od::object obj, int depth, AppRecord& rec, LineState& st);
  bool apply(Role role, std::string_view key, od::value v, int depth, AppRecord& rec,
             LineState& st);
  Role override_role(std::string_view path) const;
  bool wants_descent(std::string_view path) const;
  void set_time(std::string_view key, od::value v, int rank, AppRecord& rec, LineState& st);
  void set_memory(Role role, std::string_view key, od::value v, AppRecord& rec);
  void set_level(od::value v, AppRecord& rec, LineState& st);
  void set_error_text(od::value v, AppRecord& rec);
  void finish(AppRecord& rec, const LineState& st);

  const AppReadOptions& opt_;
  AppFieldReport& fields_;
  std::vector<std::string> activity_paths_;
  od::parser parser_;
  std::string path_;  // dotted path of the field being looked at (only with overrides/nesting)
  std::vector<UnitChoice> units_;
  std::string unit_doubt_;
};

Role LineParser::override_role(std::string_view path) const {
  const auto& f = opt_.fields;
  if (!f.time.empty() && path == f.time) return Role::time;
  if (!f.rss.empty() && path == f.rss) return Role::rss;
  if (!f.heap.empty() && path == f.heap) return Role::heap_used;
  if (!f.event.empty() && path == f.event) return Role::event;
  if (!f.level.empty() && path == f.level) return Role::level;
  if (!f.pid.empty() && path == f.pid) return Role::pid;
  if (!f.version.empty() && path == f.version) return Role::version;
  for (const auto& a : activity_paths_)
    if (path == a) return Role::activity;
  return Role::none;
}

// True when some override path lies below `path` ("mem" for "mem.rss_kb").
bool LineParser::wants_descent(std::string_view path) const {
  auto below = [&](const std::string& p) {
    return p.size() > path.size() && starts_with(p, path) && p[path.size()] == '.';
  };
  const auto& f = opt_.fields;
  for (const std::string* p : {&f.time, &f.rss, &f.heap, &f.event, &f.level, &f.pid, &f.version})
    if (below(*p)) return true;
  for (const auto& a : activity_paths_)
    if (below(a)) return true;
  return false;
}

// Auto-detection for a role is off once the user named that role's field.
bool overridden(const AppFieldOverrides& f, Role r) {
  switch (r) {
    case Role::time: return !f.time.empty();
    case Role::rss: return !f.rss.empty();
    case Role::heap_used: return !f.heap.empty();
    case Role::activity: return !f.activity.empty();
    case Role::event: return !f.event.empty();
    case Role::level: return !f.level.empty();
    case Role::pid: return !f.pid.empty();
    case Role::version: return !f.version.empty();
    default: return false;
  }
}

bool LineParser::walk(od::object obj, int depth, AppRecord& rec, LineState& st) {
  const size_t base = path_.size();
  for (auto field : obj) {
    std::string_view key;
    if (field.unescaped_key().get(key)) return false;
    od::value v;
    if (field.value().get(v)) return false;
    path_.resize(base);
    if (depth > 0) path_ += '.';
    path_ += key;
    if (depth == 0 && key == "v") st.has_v0 = true;  // bunyan's format version field
    const Role forced = opt_.fields.empty() ? Role::none : override_role(path_);
    Role role = forced;
    if (role == Role::none) {
      role = classify_key(key, depth == 0);
      if (depth > 1 || overridden(opt_.fields, role)) role = Role::none;
      if (depth == 1 && role != Role::none && role != Role::rss && role != Role::heap_used &&
          role != Role::heap_total && role != Role::external && role != Role::activity)
        role = Role::none;
    }
    if (role == Role::none && depth < 3 && !opt_.fields.empty() && wants_descent(path_)) {
      od::object inner;
      if (v.get_object().get(inner) == simdjson::SUCCESS && !walk(inner, depth + 1, rec, st))
        return false;
      continue;
    }
    if (role != Role::none && !apply(role, key, v, depth, rec, st)) return false;
  }
  path_.resize(base);
  return true;
}

bool LineParser::apply(Role role, std::string_view key, od::value v, int depth, AppRecord& rec,
                       LineState& st) {
  switch (role) {
    case Role::time: set_time(key, v, time_rank(key) < 0 ? -1 : time_rank(key), rec, st); break;
    case Role::event: {
      std::string_view s;
      if (v.get_string().get(s)) break;
      const int r = event_rank(key) < 0 ? -1 : event_rank(key);
      if (key == "msg") st.has_msg = true;
      if (key == "message") st.has_message = true;
      if (r < st.event_rank) {
        if (!rec.event.empty() && rec.message.empty()) rec.message = rec.event;
        st.event_rank = r, st.event_field = key;
        rec.event.assign(s);
      } else if (rec.message.empty() && (key == "msg" || key == "message")) {
        rec.message.assign(s);
      }
      break;
    }
    case Role::level:
      if (key == "levelname") st.has_levelname = true;
      set_level(v, rec, st);
      break;
    case Role::rss: case Role::heap_used: case Role::heap_total: case Role::external:
      set_memory(role, key, v, rec);
      break;
    case Role::activity: {
      double d;
      if (v.get_double().get(d) || d < 0 || d > 1e9) break;
      rec.activity.push_back({path_, static_cast<std::int64_t>(std::llround(d))});
      break;
    }
    case Role::pid: {
      std::int64_t p;
      if (!v.get_int64().get(p)) rec.pid = p;
      break;
    }
    case Role::version: {
      std::string_view s;
      if (!v.get_string().get(s)) rec.version.assign(s.substr(0, 64));
      break;
    }
    case Role::error_obj: set_error_text(v, rec); break;
    case Role::memory_obj: {
      od::object inner;
      if (v.get_object().get(inner) == simdjson::SUCCESS) return walk(inner, depth + 1, rec, st);
      std::int64_t p;  // Python logging's "process" is the PID
      if (key == "process" && !overridden(opt_.fields, Role::pid) && !rec.pid && !v.get_int64().get(p))
        rec.pid = p;
      break;
    }
    case Role::boot_flag: {
      bool b;
      if (!v.get_bool().get(b) && b) rec.boot_marker = true;
      break;
    }
    case Role::message: case Role::none: break;
  }
  return true;
}

void LineParser::set_time(std::string_view key, od::value v, int rank, AppRecord& rec,
                          LineState& st) {
  if (rank >= st.time_rank) return;
  std::optional<UsecUtc> t;
  double d;
  std::string_view s;
  if (v.get_double().get(d) == simdjson::SUCCESS) {
    t = epoch_to_usec(d);
    st.time_is_number = true;
  } else if (v.get_string().get(s) == simdjson::SUCCESS) {
    t = parse_iso8601(s, opt_.zone);
    if (!t && parse_double(s, d)) t = epoch_to_usec(d);
    st.time_is_number = false;
  }
  if (!t) return;
  rec.time = t;
  st.time_rank = rank;
  st.time_field = key;
}

void LineParser::set_memory(Role role, std::string_view key, od::value v, AppRecord& rec) {
  double d, factor = 1;
  std::string_view s;
  const char* how = "";
  if (v.get_double().get(d) == simdjson::SUCCESS) {
    const MemUnit u = unit_for(role, key, d);
    factor = u.factor, how = u.how;
  } else if (v.get_string().get(s) == simdjson::SUCCESS) {
    auto parsed = parse_size_string(s, factor);
    if (!parsed) return;
    d = *parsed, how = "size string with unit";
  } else {
    return;
  }
  if (!(d >= 0) || d * factor > 1.8e19) return;
  const auto bytes = static_cast<std::uint64_t>(std::llround(d * factor));
  const char* role_name = "rss";
  switch (role) {
    case Role::rss: if (rec.rss_bytes) return; rec.rss_bytes = bytes; break;
    case Role::heap_used: if (rec.heap_used_bytes) return; rec.heap_used_bytes = bytes; role_name = "heap"; break;
    case Role::heap_total: rec.heap_total_bytes = bytes; return;
    case Role::external: rec.external_bytes = bytes; return;
    default: return;
  }
  fields_.use(role_name, path_, how);
}

MemUnit LineParser::unit_for(Role role, std::string_view key, double v) {
  const bool range_rule = role != Role::external;
  const MemUnit named = memory_unit(key, v, range_rule);
  if (named.by_name || !range_rule) return named;
  for (const auto& u : units_)
    if (u.path == path_) return u.unit;
  if (!(v > 0) || units_.size() >= 16) return named;  // 0 says nothing about the unit
  units_.push_back({path_, named});
  if (role == Role::rss && v < doubtful_rss_below && unit_doubt_.empty()) {
    char value[32];
    std::snprintf(value, sizeof value, "%.15g", v);
    unit_doubt_ = path_ + " has no unit in its name and its first value (" + value +
                  ") is below 1e5, too small for bytes: read as " +
                  (named.factor == 1024.0 ? "KiB" : "MiB") + " (" +
                  format_bytes(static_cast<std::uint64_t>(v * named.factor)) +
                  "); check the logger's unit (a name ending in _kib, _mb or _bytes says it)";
  }
  return named;
}

void LineParser::set_level(od::value v, AppRecord& rec, LineState& st) {
  double d;
  std::string_view s;
  if (v.get_double().get(d) == simdjson::SUCCESS) {
    rec.level = level_from_number(d);
    st.level_numeric = true;
  } else if (v.get_string().get(s) == simdjson::SUCCESS) {
    rec.level = level_from_word(s);
    st.dialect_level = s;
  }
}

// err / error / reason: a string, or an object with message (and type/name).
void LineParser::set_error_text(od::value v, AppRecord& rec) {
  std::string_view s;
  if (v.get_string().get(s) == simdjson::SUCCESS) {
    if (rec.error_text.empty()) rec.error_text.assign(s.substr(0, 512));
    return;
  }
  od::object o;
  if (v.get_object().get(o)) return;
  std::string type;
  for (auto f : o) {
    std::string_view k;
    od::value fv;
    if (f.unescaped_key().get(k) || f.value().get(fv)) return;
    if ((k == "message" || k == "msg") && fv.get_string().get(s) == simdjson::SUCCESS &&
        rec.error_text.empty())
      rec.error_text.assign(s.substr(0, 512));
    else if ((k == "type" || k == "name") && fv.get_string().get(s) == simdjson::SUCCESS)
      type.assign(s.substr(0, 64));
  }
  if (!type.empty() && !starts_with(rec.error_text, type))
    rec.error_text = rec.error_text.empty() ? type : type + ": " + rec.error_text;
}

const char* dialect_of(const LineState& st) {
  if (st.has_v0 && st.level_numeric) return "bunyan";
  if (st.level_numeric && st.time_is_number && st.has_msg) return "pino";
  if (st.time_field == "ts" && st.time_is_number) return "zap";
  // Python logging's record attributes (python-json-logger may also write "timestamp").
  if (st.time_field == "asctime" || st.time_field == "created" || st.has_levelname)
    return "python";
  if (st.time_field == "timestamp" && st.has_message) return "winston";
  if (st.time_field == "time" && st.has_msg && !st.dialect_level.empty() &&
      st.dialect_level == "INFO")
    return "slog";
  return "custom";
}

void LineParser::finish(AppRecord& rec, const LineState& st) {
  if (!rec.boot_marker && is_boot_event(rec.event)) rec.boot_marker = true;
  const bool error = rec.level >= AppLevel::error || is_error_event(rec.event);
  if (error) rec.kind = AppRecordKind::error;
  else if (rec.boot_marker) rec.kind = AppRecordKind::lifecycle;
  else if (rec.has_memory()) rec.kind = AppRecordKind::sample;
  else rec.kind = AppRecordKind::other;
  if (rec.kind == AppRecordKind::other) return;
  if (!st.time_field.empty()) {
    fields_.use("time", st.time_field,
                st.time_field == "asctime" ? "Python logging asctime (no offset: read in --app-tz)"
                : st.time_is_number       ? "epoch number, unit by magnitude"
                                          : "ISO-8601 string");
  }
  if (!st.event_field.empty()) fields_.use("event", st.event_field, "first of event/msg/message/type/name");
  for (const auto& a : rec.activity) fields_.use("activity", a.name, "numeric count field (active*/inflight/jobs/connections/agents)");
  if (fields_.dialect.empty() && rec.time) fields_.dialect = dialect_of(st);
}

bool LineParser::parse(const char* data, size_t len, AppRecord& rec) {
  rec.clear();
  path_.clear();
  od::document doc;
  if (parser_.iterate(simdjson::padded_string_view(data, len, len + simdjson::SIMDJSON_PADDING))
          .get(doc))
    return false;
  od::object obj;
  if (doc.get_object().get(obj)) return false;
  LineState st;
  if (!walk(obj, 0, rec, st)) return false;
  // "{...}{...}": a complete record glued to the next one (no newline between): not ours.
  const char* rest = nullptr;
  if (doc.current_location().get(rest) == simdjson::SUCCESS && rest >= data && rest < data + len)
    return false;
  finish(rec, st);
  return true;
}

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
bool recover_glued(LineParser& p, std::string_view s, AppRecord& rec) {
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
  LineParser parser_;
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
    LineParser p(options, fields);
    const std::string_view s = strip_line(std::string_view(padded.data(), line.size()));
    if (s.empty() || s.front() != '{') return false;
    return p.parse(s.data(), s.size(), out);
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace crashsift::input
