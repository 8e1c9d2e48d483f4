#pragma once
// Field detection for app logs (internal to app_ndjson.cpp, and its tests): which key fills
// which role, memory units by name and by magnitude, level words, start and error event names,
// and the survey of the first records that lets a log that yields nothing say why ("no memory
// samples: saw fields asctime, levelname, message, mem_used_kib; `--field rss=mem_used_kib`
// would read mem_used_kib (KiB by name)").
//
// Everything here is decided from names and from the first records: nothing is re-detected per
// line beyond a key comparison, so a multi-GB log costs what the parse costs.
#include <simdjson.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crashsift/core/time.hpp"
#include "crashsift/input/app_ndjson.hpp"

namespace crashsift::input::app_fields {

// Lowercase ASCII copy without '_' '-' '.' ' ', in a fixed buffer: "rss_MB" -> "rssmb".
struct Folded {
  char buf[48];
  size_t n = 0;
  explicit Folded(std::string_view k);
  std::string_view view() const { return {buf, n}; }
};

enum class Role : std::uint8_t { none, time, level, event, message, rss, heap_used, heap_total,
                                 external, activity, pid, version, error_obj, memory_obj,
                                 boot_flag };

// Time keys by preference (lower rank wins when a line has several); -1 when not a time key.
int time_rank(std::string_view key);
// Event keys by preference: event, evt, msg, message, type, name; -1 otherwise.
int event_rank(std::string_view key);
bool is_activity_key(std::string_view folded);
// rss / heap roles from a folded name: rss*, memory_kb, mem_mib, vm_rss, resident_set_size...
Role memory_role(std::string_view folded);
// The auto-detected role of a key (top level, or inside a memory object when !top_level).
Role classify_key(std::string_view key, bool top_level);

struct MemUnit {
  double factor = 1;
  const char* how = "";
  bool by_name = false;  // false: decided by the value's magnitude
};
// Unit from the field's name (..._kib, ...MB, ..._gb, ..._bytes), else by_name = false and the
// unit follows `first_value` (see unit_by_magnitude).
MemUnit memory_unit(std::string_view field, double first_value, bool range_rule);
// A name without a unit: below 64 Ki a process size can only be MiB; from 64 Ki to 1e6 it is
// too small for bytes (a process RSS in bytes is over 1e6) and read as KiB; above, bytes. A
// field without a range rule (`external`) is always bytes.
MemUnit unit_by_magnitude(double v, bool range_rule);
// A first value below this, for a plain rss name, gets a note (the unit is a guess).
inline constexpr double doubtful_rss_below = 1e5;
// "116MB", "116 MiB", "1.5G", "2048k" as written by some loggers.
std::optional<double> parse_size_string(std::string_view s, double& factor);

// pino/bunyan numbers (10 trace .. 60 fatal), syslog 0..7; words (error, WARNING, panic...).
AppLevel level_from_number(double v);
AppLevel level_from_word(std::string_view w);
// Start markers: "cold_start", "container.cold_start", "boot", "server started", "startup".
bool is_boot_event(std::string_view name);
bool is_error_event(std::string_view name);

// ---- the survey of the first records ------------------------------------------------------

struct SurveyField {
  std::string path;             // "rss_kib", "stats.mem_kb"
  std::string key;              // last component, as written
  Role role = Role::none;       // what auto-detection makes of it
  char type = 'z';              // n(umber) s(tring) o(bject) a(rray) b(ool) z(null)
  double number = 0;            // first value (numbers, and size strings in bytes)
  bool time_like = false;       // an ISO-8601 string, or an epoch number under a time-like name
  std::uint32_t lines = 0;      // survey lines that had it
};

// Parses the first `max_lines` JSON lines a second time, independently of the prefilter and of
// the record parse, and keeps their field names and first values (at most max_fields, two
// levels deep). Costs max_lines parses per file, then frees its parser.
class FieldSurvey {
 public:
  static constexpr unsigned max_lines = 64;
  static constexpr size_t max_fields = 64;

  bool active() const { return lines_ < max_lines; }
  // `data` must have simdjson::SIMDJSON_PADDING readable bytes after len. Returns the keys of
  // memory fields first seen on this line (for the prefilter).
  void add(const char* data, size_t len, const Zone& zone, std::vector<std::string>& new_memory_keys);
  void finish() { parser_.reset(); lines_ = max_lines; }
  unsigned lines() const { return objects_; }
  const std::vector<SurveyField>& fields() const { return fields_; }

  // "asctime, levelname, message, rss_kib" (first seen order, at most 24, then "and N more").
  std::string field_list() const;
  // The field `--field rss=` should name, when one looks like a memory size.
  const SurveyField* memory_candidate() const;
  // The field `--field time=` should name, when one holds a time crashsift reads.
  const SurveyField* time_candidate() const;
  bool saw_role(Role r) const;

 private:
  void walk(simdjson::ondemand::object obj, int depth, const Zone& zone,
            std::vector<std::string>& new_memory_keys);
  std::unique_ptr<simdjson::ondemand::parser> parser_;
  std::vector<SurveyField> fields_;
  std::string path_;
  unsigned lines_ = 0, objects_ = 0;
};

// What the reader counted, for the notes below.
struct SilenceCounts {
  std::uint64_t samples = 0;          // records with memory and a time, delivered
  std::uint64_t memory_no_time = 0;   // records with memory but without a usable time
  std::uint64_t timed = 0;            // records of any kind delivered (they had a time)
  std::uint64_t untimed = 0;          // records of any kind dropped for want of a time
};

// Notes for a log that yields no memory samples or no times: the fields the survey saw and the
// `--field` that would read them. Empty when the log gave samples.
std::vector<std::string> silence_notes(const FieldSurvey& survey, const SilenceCounts& counts,
                                       const AppFieldOverrides& overrides);

}  // namespace crashsift::input::app_fields
