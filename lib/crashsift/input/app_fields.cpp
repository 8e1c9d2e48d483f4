#include "crashsift/input/app_fields.hpp"

#include <array>
#include <cmath>
#include <cstdio>

#include "crashsift/core/text.hpp"

namespace crashsift::input::app_fields {

namespace od = simdjson::ondemand;

Folded::Folded(std::string_view k) {
  for (char c : k) {
    if (c == '_' || c == '-' || c == '.' || c == ' ') continue;
    if (n == sizeof buf) { n = 0; break; }  // too long to be a field we know
    buf[n++] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
  }
}

// ---- key classification -------------------------------------------------------------------

int time_rank(std::string_view key) {
  // pino/bunyan/slog time, winston/structlog/GELF timestamp, zap ts, ECS @timestamp, Serilog @t,
  // .NET Timestamp, log4j2 timeMillis; Python logging: created (epoch float seconds, exact) and
  // asctime ("2024-03-05 10:11:12,345", local time without an offset: read in --app-tz).
  static constexpr std::array<std::string_view, 16> keys{
      "time",       "timestamp", "ts",      "@timestamp", "datetime", "date",
      "t",          "timeMillis", "time_ms", "@t",        "Timestamp", "Time",
      "eventTime",  "logged_at",  "created", "asctime"};
  for (size_t i = 0; i < keys.size(); ++i)
    if (key == keys[i]) return static_cast<int>(i);
  return -1;
}

int event_rank(std::string_view key) {
  static constexpr std::array<std::string_view, 6> keys{"event", "evt", "msg", "message", "type", "name"};
  for (size_t i = 0; i < keys.size(); ++i)
    if (key == keys[i]) return static_cast<int>(i);
  return -1;
}

bool is_activity_key(std::string_view folded) {
  if (starts_with(folded, "max") || starts_with(folded, "limit") || starts_with(folded, "total"))
    return false;
  if (starts_with(folded, "active") && folded.size() > 6) return true;
  static constexpr std::array<std::string_view, 5> tails{"inflight", "jobs", "connections",
                                                         "agents", "conversations"};
  for (auto t : tails)
    if (ends_with(folded, t)) return true;
  return false;
}

namespace {

// The unit suffix of a folded name ("kib" of "memorykib"), or empty.
std::string_view unit_suffix(std::string_view k) {
  static constexpr std::array<std::string_view, 8> units{"megabytes", "bytes", "kib", "kb",
                                                         "mib",       "mb",    "gib", "gb"};
  for (auto u : units)
    if (k.size() > u.size() && ends_with(k, u)) return k.substr(k.size() - u.size());
  return {};
}

}  // namespace

Role memory_role(std::string_view folded) {
  if (starts_with(folded, "rss") || folded == "residentset" || folded == "residentsetsize")
    return Role::rss;
  if (starts_with(folded, "heapused")) return Role::heap_used;
  if (starts_with(folded, "heaptotal")) return Role::heap_total;
  if (starts_with(folded, "external")) return Role::external;
  // memory_kb, mem_mib, memoryBytes, vm_rss_kb, resident_kib, memory_rss: the base names a
  // process size; "memory" and "mem" alone are objects (or limits), so they need a unit.
  const std::string_view unit = unit_suffix(folded);
  const std::string_view base = folded.substr(0, folded.size() - unit.size());
  if (base == "vmrss" || base == "memoryrss" || base == "memrss" || base == "resident" ||
      base == "residentmemory")
    return Role::rss;
  if (!unit.empty() && (base == "memory" || base == "mem" || base == "memoryused" ||
                        base == "memused" || base == "memoryusage"))
    return Role::rss;
  return Role::none;
}

Role classify_key(std::string_view key, bool top_level) {
  const Folded f(key);
  const std::string_view k = f.view();
  if (const Role m = memory_role(k); m != Role::none) return m;
  if (!top_level) return is_activity_key(k) ? Role::activity : Role::none;
  if (time_rank(key) >= 0) return Role::time;
  if (event_rank(key) >= 0) return Role::event;
  if (k == "level" || k == "lvl" || k == "severity" || k == "levelname") return Role::level;
  if (k == "pid") return Role::pid;
  if (k == "version" || k == "appversion" || k == "serviceversion" || k == "buildversion" ||
      k == "release")
    return Role::version;
  if (k == "err" || k == "error" || k == "exception" || k == "reason" || k == "errormessage")
    return Role::error_obj;
  if (k == "memory" || k == "mem" || k == "memoryusage" || k == "process" || k == "stats")
    return Role::memory_obj;
  if (k == "coldstart" || k == "boot") return Role::boot_flag;
  if (is_activity_key(k)) return Role::activity;
  return Role::none;
}

// ---- value helpers ------------------------------------------------------------------------

MemUnit memory_unit(std::string_view field, double first_value, bool range_rule) {
  const Folded f(field);
  const std::string_view k = f.view();
  if (ends_with(k, "mb") || ends_with(k, "mib") || ends_with(k, "megabytes"))
    return {1048576.0, "name says MB: read as MiB", true};
  if (ends_with(k, "kb") || ends_with(k, "kib")) return {1024.0, "name says KB: read as KiB", true};
  if (ends_with(k, "gb") || ends_with(k, "gib")) return {1073741824.0, "name says GB: read as GiB", true};
  if (ends_with(k, "bytes")) return {1.0, "bytes (name)", true};
  return unit_by_magnitude(first_value, range_rule);
}

MemUnit unit_by_magnitude(double v, bool range_rule) {
  if (range_rule && v < 65536.0) return {1048576.0, "no unit in the name, value below 64 Ki: read as MiB", false};
  if (range_rule && v < 1e6)
    return {1024.0, "no unit in the name, value 64 Ki to 1e6 (too small for bytes): read as KiB", false};
  return {1.0, "bytes (value range)", false};
}

std::optional<double> parse_size_string(std::string_view s, double& factor) {
  s = trim(s);
  size_t i = 0;
  while (i < s.size() && ((s[i] >= '0' && s[i] <= '9') || s[i] == '.')) ++i;
  double v = 0;
  if (i == 0 || !parse_double(s.substr(0, i), v)) return std::nullopt;
  const std::string_view u = trim(s.substr(i));
  factor = 0;
  if (u.empty() || u == "B" || u == "b") factor = 1;
  else if (u[0] == 'K' || u[0] == 'k') factor = 1024.0;
  else if (u[0] == 'M' || u[0] == 'm') factor = 1048576.0;
  else if (u[0] == 'G' || u[0] == 'g') factor = 1073741824.0;
  if (factor == 0) return std::nullopt;
  return v;
}

AppLevel level_from_number(double v) {
  if (v >= 60) return AppLevel::fatal;   // pino/bunyan: 10 trace .. 60 fatal
  if (v >= 50) return AppLevel::error;
  if (v >= 40) return AppLevel::warn;
  if (v >= 30) return AppLevel::info;
  if (v >= 20) return AppLevel::debug;
  if (v >= 10) return AppLevel::trace;
  // syslog-style 0..7 (0 emerg .. 7 debug) as some Go loggers write.
  if (v <= 2) return AppLevel::fatal;
  if (v <= 3) return AppLevel::error;
  if (v <= 4) return AppLevel::warn;
  if (v <= 6) return AppLevel::info;
  return AppLevel::debug;
}

AppLevel level_from_word(std::string_view w) {
  const Folded f(w);
  const std::string_view k = f.view();
  if (k == "fatal" || k == "panic" || k == "dpanic" || k == "crit" || k == "critical" ||
      k == "emerg" || k == "emergency" || k == "alert")
    return AppLevel::fatal;
  if (k == "error" || k == "err") return AppLevel::error;
  if (k == "warn" || k == "warning") return AppLevel::warn;
  if (k == "info" || k == "notice" || k == "information") return AppLevel::info;
  if (k == "debug") return AppLevel::debug;
  if (k == "trace" || k == "verbose" || k == "silly") return AppLevel::trace;
  double v;
  if (parse_double(k, v)) return level_from_number(v);
  return AppLevel::unknown;
}

bool is_boot_event(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  // The last component after '.', ':' or '/' names the event ("container.cold_start").
  const size_t cut = name.find(' ') == std::string_view::npos ? name.find_last_of(".:/")
                                                              : std::string_view::npos;
  const std::string_view last = cut == std::string_view::npos ? name : name.substr(cut + 1);
  const Folded f(last.empty() ? name : last);
  const std::string_view k = f.view();
  static constexpr std::array<std::string_view, 14> words{
      "coldstart", "boot", "booted", "booting", "startup", "started", "start", "serverstarted",
      "serverstart", "appstarted", "servicestarted", "processstart", "listening", "starting"};
  for (auto w : words)
    if (k == w) return true;
  return starts_with(k, "listeningon") || starts_with(k, "serverlisteningon");
}

bool is_error_event(std::string_view name) {
  const Folded f(name.substr(0, 47));
  const std::string_view k = f.view();
  return contains(k, "uncaught") || contains(k, "unhandled") || contains(k, "exception") ||
         contains(k, "rejection") || contains(k, "panic") || contains(k, "fatal");
}

// ---- the survey ---------------------------------------------------------------------------

namespace {

bool time_like_name(std::string_view key) {
  if (time_rank(key) >= 0) return true;
  const Folded f(key);
  const std::string_view k = f.view();
  return contains(k, "time") || contains(k, "date") || ends_with(k, "ts") || ends_with(k, "at") ||
         k == "created" || k == "when";
}

}  // namespace

void FieldSurvey::add(const char* data, size_t len, const Zone& zone,
                      std::vector<std::string>& new_memory_keys) {
  if (!active()) return;
  ++lines_;
  if (!parser_) parser_ = std::make_unique<od::parser>();
  od::document doc;
  if (parser_->iterate(simdjson::padded_string_view(data, len, len + simdjson::SIMDJSON_PADDING)).get(doc))
    return;
  od::object obj;
  if (doc.get_object().get(obj)) return;
  ++objects_;
  path_.clear();
  walk(obj, 0, zone, new_memory_keys);  // a torn tail stops the walk: the fields before it count
  if (!active()) parser_.reset();
}

void FieldSurvey::walk(od::object obj, int depth, const Zone& zone,
                       std::vector<std::string>& new_memory_keys) {
  const size_t base = path_.size();
  for (auto field : obj) {
    std::string_view key;
    od::value v;
    if (field.unescaped_key().get(key) || field.value().get(v)) return;
    path_.resize(base);
    if (depth > 0) path_ += '.';
    path_ += key;
    od::json_type type;
    if (v.type().get(type)) return;
    SurveyField* f = nullptr;
    for (auto& e : fields_)
      if (e.path == path_) f = &e;
    if (!f && fields_.size() < max_fields) {
      SurveyField n;
      n.path = path_, n.key.assign(key);
      n.role = classify_key(key, depth == 0);
      if (depth > 0 && n.role != Role::rss && n.role != Role::heap_used && n.role != Role::activity)
        n.role = Role::none;
      if (depth > 1) n.role = Role::none;
      n.type = type == od::json_type::number ? 'n' : type == od::json_type::string ? 's'
             : type == od::json_type::object ? 'o' : type == od::json_type::array ? 'a'
             : type == od::json_type::boolean ? 'b' : 'z';
      double d;
      std::string_view s;
      if (n.type == 'n' && v.get_double().get(d) == simdjson::SUCCESS) {
        n.number = d;
        n.time_like = time_like_name(key) && d >= 1e8 && epoch_to_usec(d).has_value();
      } else if (n.type == 's' && v.get_string().get(s) == simdjson::SUCCESS) {
        double factor = 0;
        if (auto sz = parse_size_string(s, factor)) n.number = *sz * factor;
        n.time_like = parse_iso8601(s.substr(0, 64), zone).has_value();
      }
      if (n.role == Role::rss || n.role == Role::heap_used) new_memory_keys.push_back(n.key);
      fields_.push_back(std::move(n));
      f = &fields_.back();
    }
    if (f) ++f->lines;
    od::object inner;
    if (type == od::json_type::object && depth < 1 && v.get_object().get(inner) == simdjson::SUCCESS)
      walk(inner, depth + 1, zone, new_memory_keys);
  }
  path_.resize(base);
}

std::string FieldSurvey::field_list() const {
  std::string out;
  size_t shown = 0;
  for (const auto& f : fields_) {
    if (shown == 24) break;
    out += (shown++ ? ", " : "") + f.path;
  }
  if (fields_.size() > shown) out += " and " + std::to_string(fields_.size() - shown) + " more";
  return out;
}

bool FieldSurvey::saw_role(Role r) const {
  for (const auto& f : fields_)
    if (f.role == r) return true;
  return false;
}

const SurveyField* FieldSurvey::memory_candidate() const {
  const SurveyField* best = nullptr;
  int best_score = 0;
  for (const auto& f : fields_) {
    if (f.number <= 0 || (f.type != 'n' && f.type != 's') || f.time_like) continue;
    if (f.role == Role::time || f.role == Role::pid || f.role == Role::level) continue;
    const Folded fo(f.key);
    const std::string_view k = fo.view();
    if (contains(k, "limit") || contains(k, "total") || contains(k, "free") ||
        contains(k, "avail") || contains(k, "count") || contains(k, "entries"))
      continue;
    int score = 0;
    if (f.role == Role::rss) score = 5;
    else if (contains(k, "rss") || contains(k, "resident")) score = 4;
    else if (contains(k, "mem")) score = 3;
    else if (!unit_suffix(k).empty()) score = 2;
    if (score > 1 && (contains(k, "max") || contains(k, "peak"))) score = 1;  // a peak, not a reading
    if (score > best_score) best = &f, best_score = score;
  }
  return best;
}

const SurveyField* FieldSurvey::time_candidate() const {
  const SurveyField* best = nullptr;
  for (const auto& f : fields_) {
    if (!f.time_like) continue;
    if (!best || (time_like_name(f.key) && !time_like_name(best->key))) best = &f;
  }
  return best;
}

namespace {

std::string number_text(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.15g", v);
  return buf;
}

}  // namespace

std::vector<std::string> silence_notes(const FieldSurvey& survey, const SilenceCounts& c,
                                       const AppFieldOverrides& overrides) {
  std::vector<std::string> out;
  if (c.samples > 0 || survey.lines() == 0) return out;
  const std::string saw = "saw fields " + survey.field_list() + " in the first " +
                          std::to_string(survey.lines()) + " record" + (survey.lines() == 1 ? "" : "s");
  if (c.memory_no_time > 0 || (c.timed == 0 && c.untimed > 0)) {
    // Records were found but none had a time they could be placed at.
    std::string s = "no " + std::string(c.memory_no_time > 0 ? "memory samples" : "records") + ": " +
                    std::to_string(c.memory_no_time > 0 ? c.memory_no_time : c.untimed) +
                    " had no usable time (" +
                    (overrides.time.empty() ? "no time, timestamp, ts, asctime... field"
                                            : "--field time=" + overrides.time + " read nothing") +
                    "); " + saw;
    if (const SurveyField* t = survey.time_candidate(); t && t->path != overrides.time)
      s += "; `--field time=" + t->path + "` would read " + t->path;
    else
      s += "; none holds an ISO-8601 time or an epoch number (`--field time=PATH` names one)";
    out.push_back(std::move(s));
  }
  if (c.memory_no_time == 0) {
    std::string s = "no memory samples: ";
    if (!overrides.rss.empty()) s += "--field rss=" + overrides.rss + " read no number; ";
    s += saw;
    const SurveyField* m = survey.memory_candidate();
    if (m && m->path != overrides.rss) {
      const MemUnit u = memory_unit(m->key, m->number, true);
      s += "; `--field rss=" + m->path + "` would read " + m->path + " (" +
           (u.by_name ? std::string(u.how) : "first value " + number_text(m->number) + ", " + u.how) + ")";
    } else {
      s += "; none looks like a memory size (`--field rss=PATH` names one; a name ending in "
           "_kib, _mb, _gb or _bytes gives the unit)";
    }
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace crashsift::input::app_fields
