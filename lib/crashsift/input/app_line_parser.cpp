#include "crashsift/input/app_line_parser.hpp"

#include <cmath>
#include <cstring>

#include "crashsift/core/text.hpp"

namespace crashsift::input {

namespace od = simdjson::ondemand;
using namespace app_fields;

Role AppLineParser::override_role(std::string_view path) const {
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
bool AppLineParser::wants_descent(std::string_view path) const {
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

namespace {

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

}  // namespace

Role AppLineParser::key_role(std::string_view key, bool top_level) {
  // A log's lines repeat the same few keys: most are answered by the slot their length and a
  // few of their bytes pick, without hashing the whole key for the map.
  RecentKey* slot = nullptr;
  if (!key.empty()) {
    const auto byte = [&](size_t i) { return static_cast<unsigned char>(key[i]); };
    const size_t h = key.size() * 7 + byte(0) * 31 + byte(key.size() / 2) * 131 + byte(key.size() - 1) * 17 +
                     (top_level ? 1 : 0);
    slot = &recent_keys_[h % recent_keys_.size()];
    if (slot->used && slot->top_level == top_level && slot->key == key) return slot->role;
  }
  const Role role = remembered_role(key, top_level);
  if (slot) {
    slot->key.assign(key);
    slot->role = role;
    slot->top_level = top_level;
    slot->used = true;
  }
  return role;
}

Role AppLineParser::remembered_role(std::string_view key, bool top_level) {
  KeyRoles& roles = top_level ? top_roles_ : nested_roles_;
  if (const auto it = roles.find(key); it != roles.end()) return it->second;
  const Role role = classify_key(key, top_level);
  if (roles.size() < max_remembered_keys) roles.emplace(std::string(key), role);
  return role;
}

bool AppLineParser::walk(od::object obj, int depth, AppRecord& rec, AppLineState& st) {
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
      role = key_role(key, depth == 0);
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

bool AppLineParser::apply(Role role, std::string_view key, od::value v, int depth, AppRecord& rec,
                       AppLineState& st) {
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

void AppLineParser::set_time(std::string_view key, od::value v, int rank, AppRecord& rec,
                          AppLineState& st) {
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

void AppLineParser::set_memory(Role role, std::string_view key, od::value v, AppRecord& rec) {
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

MemUnit AppLineParser::unit_for(Role role, std::string_view key, double v) {
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

void AppLineParser::set_level(od::value v, AppRecord& rec, AppLineState& st) {
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
void AppLineParser::set_error_text(od::value v, AppRecord& rec) {
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

namespace {

const char* dialect_of(const AppLineState& st) {
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

}  // namespace

void AppLineParser::finish(AppRecord& rec, const AppLineState& st) {
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

bool AppLineParser::parse(const char* data, size_t len, AppRecord& rec) {
  rec.clear();
  path_.clear();
  od::document doc;
  if (parser_.iterate(simdjson::padded_string_view(data, len, len + simdjson::SIMDJSON_PADDING))
          .get(doc))
    return false;
  od::object obj;
  if (doc.get_object().get(obj)) return false;
  AppLineState st;
  if (!walk(obj, 0, rec, st)) return false;
  // "{...}{...}": a complete record glued to the next one (no newline between): not ours.
  const char* rest = nullptr;
  if (doc.current_location().get(rest) == simdjson::SUCCESS && rest >= data && rest < data + len)
    return false;
  finish(rec, st);
  return true;
}

}  // namespace crashsift::input
