#pragma once
// App telemetry: one JSON object per line as written by pino, bunyan, winston, Go slog/zap,
// Python logging with a JSON formatter or a hand-rolled logger (`memory:periodic`,
// `container.memory_usage`, `cold_start`...). Field detection lives in app_fields.hpp; a log
// that yields no samples or no times gets notes naming the fields it has and the `--field`
// that would read them. The reader
// streams through a LineReader, so memory does not grow with the file; a cheap SIMD prefilter
// (app_prefilter.hpp) lets lines that can be neither a sample nor an error/lifecycle event pass
// without a JSON parse, and each remaining line is parsed in place by simdjson On-Demand.
//
// Folklore: a killed writer leaves a torn last line, and the next process then appends its
// first line right after it. We never use iterate_many/parse_many (they stop at the first
// torn document and lose the rest of the file): each line is its own document, a bad line is
// counted with file:line, and a good record glued after a torn one is recovered.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crashsift/core/diag.hpp"
#include "crashsift/core/time.hpp"
#include "crashsift/input/line_reader.hpp"

namespace crashsift::input {

enum class AppRecordKind : std::uint8_t { sample, error, lifecycle, other };
std::string_view to_string(AppRecordKind k);

// Normalized severity (pino/bunyan numbers, winston/zap/slog/syslog words).
enum class AppLevel : std::uint8_t { unknown, trace, debug, info, warn, error, fatal };
std::string_view to_string(AppLevel l);

struct AppActivity {
  std::string name;   // the field as written: "activeConversations", "agents"
  std::int64_t value = 0;
};

struct AppRecord {
  std::optional<UsecUtc> time;
  AppRecordKind kind = AppRecordKind::other;
  AppLevel level = AppLevel::unknown;
  std::string event;                       // event name (event/msg/message/type/name)
  std::string message;                     // human message when distinct from the event name
  std::string error_text;                  // err.message / error / reason, for error records
  std::optional<std::uint64_t> rss_bytes;
  std::optional<std::uint64_t> heap_used_bytes;
  std::optional<std::uint64_t> heap_total_bytes;
  std::optional<std::uint64_t> external_bytes;
  std::vector<AppActivity> activity;
  std::optional<std::int64_t> pid;
  std::string version;                     // app version field, when the line has one
  bool boot_marker = false;                // cold_start / boot / startup / started ...
  std::uint64_t line = 0;                  // 1-based line in its file
  std::uint32_t input = 0;                 // index of the file (AppReadOptions::input_index)

  void clear();
  bool has_memory() const { return rss_bytes || heap_used_bytes; }
};

// --field overrides: dotted paths into the object ("time=meta.ts", "rss=mem.rss_kb").
struct AppFieldOverrides {
  std::string time, rss, heap, activity, event, level, pid, version;
  bool empty() const;
};
// Parses one "--field KEY=PATH" value into overrides; error text on a bad key.
Result<bool> parse_field_override(std::string_view spec, AppFieldOverrides& into);

struct AppReadOptions {
  Zone zone = Zone::utc();      // --app-tz: for ISO strings without an offset
  AppFieldOverrides fields;
  size_t max_line = default_max_line;
  std::uint32_t input_index = 0;
  // Threads: past the first lines, blocks of block_bytes are prefiltered in parallel (the lines
  // that pass are parsed in order on the calling thread, so the result is the same whatever N).
  // 256 KiB blocks stay in the caches between the two cores (1 GiB log at -j2: 0.53 s against
  // 0.63 s with 1 MiB).
  unsigned jobs = 1;
  size_t block_bytes = 256u << 10;
  bool keep_other = false;      // also deliver records of kind other (tests, --dump)
  // Memory bound for the sample series (correlate::SampleSeries): beyond this many samples,
  // samples outside keep_windows are decimated (0 = keep every sample).
  size_t max_samples = 131072;
  // Time ranges kept at full resolution (the windows before known exits), sorted.
  std::vector<std::pair<UsecUtc, UsecUtc>> keep_windows;
};

// What was detected and why, for --explain-fields. Keys are roles ("time", "rss", "heap",
// "activity", "event", "level", "pid", "version"); each role maps the source field to the
// number of lines it was taken from and a reason ("pino epoch ms", "name says MB: read as MiB").
struct FieldUse {
  std::uint64_t lines = 0;
  std::string how;
};
struct AppFieldReport {
  std::map<std::string, std::map<std::string, FieldUse, std::less<>>, std::less<>> roles;
  std::uint64_t lines = 0;              // lines seen (all)
  std::uint64_t parsed = 0;             // lines that went through the JSON parser
  std::uint64_t prefiltered = 0;        // lines skipped by the prefilter without parsing
  std::uint64_t records = 0;            // records delivered (sample/error/lifecycle)
  std::uint64_t no_time = 0;            // records without a usable time (dropped)
  std::uint64_t recovered = 0;          // records recovered from after a torn line
  std::string dialect;                  // "pino", "bunyan", "winston", "zap", "slog", "python", "custom"
  void use(const char* role, std::string_view field, std::string_view how);
  void merge(const AppFieldReport& other);
};

using AppRecordSink = std::function<void(const AppRecord&)>;

// Streams one app log. Never throws; bad lines are counted in `report` (file:line), the rest
// of the file is still read. Records without a time are counted and not delivered.
void read_app_log(LineReader& reader, const AppReadOptions& options, InputReport& report,
                  AppFieldReport& fields, const AppRecordSink& sink);

// Parses one line (no newline) into `out`, copying it into a padded buffer first. Returns false
// when the line is not a JSON object. For tests and the fuzzer; read_app_log is the streaming
// entry point (it parses in place, in the LineReader's padding).
bool parse_app_line(std::string_view line, const AppReadOptions& options, AppFieldReport& fields,
                    AppRecord& out);

// Epoch number to µs UTC, unit picked by magnitude (s < 1e11 <= ms < 1e14 <= µs < 1e17 <= ns).
std::optional<UsecUtc> epoch_to_usec(double v);

}  // namespace crashsift::input
