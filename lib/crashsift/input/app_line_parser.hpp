#pragma once
// One app NDJSON line parsed into an AppRecord (simdjson On-Demand, in place): which fields are
// the time, memory, activity, event and level (app_fields.hpp), in which units. Stateful in
// line order: a memory field whose name gives no unit keeps the unit its first value decided.
// Internal to the app reader (app_ndjson.cpp).
#include <simdjson.h>

#include <array>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "crashsift/core/text.hpp"
#include "crashsift/input/app_fields.hpp"
#include "crashsift/input/app_ndjson.hpp"

namespace crashsift::input {

using app_fields::MemUnit;
using app_fields::Role;

// What one line's fields said so far (the first time, event and level fields win by rank).
struct AppLineState {
  int time_rank = 100, event_rank = 100;
  std::string_view time_field, event_field, dialect_level;
  bool time_is_number = false, has_v0 = false, level_numeric = false, has_msg = false,
       has_message = false, has_levelname = false;
};

class AppLineParser {
 public:
  AppLineParser(const AppReadOptions& o, AppFieldReport& f) : opt_(o), fields_(f) {
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
  bool walk(simdjson::ondemand::object obj, int depth, AppRecord& rec, AppLineState& st);
  // app_fields::classify_key, remembered: a log repeats the same few keys on every line.
  Role key_role(std::string_view key, bool top_level);
  Role remembered_role(std::string_view key, bool top_level);
  bool apply(Role role, std::string_view key, simdjson::ondemand::value v, int depth, AppRecord& rec,
             AppLineState& st);
  Role override_role(std::string_view path) const;
  bool wants_descent(std::string_view path) const;
  void set_time(std::string_view key, simdjson::ondemand::value v, int rank, AppRecord& rec, AppLineState& st);
  void set_memory(Role role, std::string_view key, simdjson::ondemand::value v, AppRecord& rec);
  void set_level(simdjson::ondemand::value v, AppRecord& rec, AppLineState& st);
  void set_error_text(simdjson::ondemand::value v, AppRecord& rec);
  void finish(AppRecord& rec, const AppLineState& st);

  const AppReadOptions& opt_;
  AppFieldReport& fields_;
  std::vector<std::string> activity_paths_;
  simdjson::ondemand::parser parser_;
  std::string path_;  // dotted path of the field being looked at (only with overrides/nesting)
  std::vector<UnitChoice> units_;
  std::string unit_doubt_;
  struct KeyHash {
    using is_transparent = void;
    size_t operator()(std::string_view k) const { return std::hash<std::string_view>{}(k); }
  };
  using KeyRoles = std::unordered_map<std::string, Role, KeyHash, std::equal_to<>>;
  KeyRoles top_roles_, nested_roles_;
  struct RecentKey {
    std::string key;
    Role role = Role::none;
    bool top_level = false, used = false;
  };
  std::array<RecentKey, 64> recent_keys_;  // in front of the maps (key_role)
  static constexpr size_t max_remembered_keys = 512;  // a log with a key per request id stays bounded
};

}  // namespace crashsift::input
