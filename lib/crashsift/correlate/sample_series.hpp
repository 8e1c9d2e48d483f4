#pragma once
// App telemetry kept for correlation. Raw lines are never kept: a sample is a compact struct
// (time, rss, heap, pid, version id and a slice of a shared activity array), names live once in
// a small table, so a 1 GiB log with 500k samples costs ~20 MB, whatever the line sizes were.
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "crashsift/core/diag.hpp"
#include "crashsift/core/result.hpp"
#include "crashsift/core/time.hpp"
#include "crashsift/input/app_files.hpp"
#include "crashsift/input/app_ndjson.hpp"

namespace crashsift::correlate {

inline constexpr std::uint64_t no_bytes = ~std::uint64_t{0};

struct ActivityEntry {
  std::uint32_t name = 0;   // index into SampleSeries::name()
  std::int32_t value = 0;
};

struct Sample {
  UsecUtc time = 0;
  std::uint64_t rss = no_bytes;    // no_bytes when the line had none
  std::uint64_t heap = no_bytes;
  std::int64_t pid = -1;
  std::uint32_t version = 0;       // name id; 0 = none
  std::uint32_t activity_begin = 0;
  std::uint16_t activity_count = 0;
  std::uint16_t input = 0;
  std::uint32_t line = 0;
  bool has_rss() const { return rss != no_bytes; }
  bool has_heap() const { return heap != no_bytes; }
};

class SampleSeries {
 public:
  SampleSeries();
  std::uint32_t intern(std::string_view name);
  const std::string& name(std::uint32_t id) const { return names_[id]; }
  void add(const input::AppRecord& r);
  // Bounds memory: beyond max_samples, samples outside `keep` windows are decimated (every
  // other one dropped, repeatedly), while samples in the windows, at lifetime boundaries (PID or
  // version change, a long gap) and the very last one are always kept. 0 = keep everything.
  void set_retention(size_t max_samples, std::vector<std::pair<UsecUtc, UsecUtc>> keep);
  // 1 when every sample was kept; N when 1 in N samples outside the kept windows remains.
  std::uint64_t decimation() const { return stride_; }
  // Stable sort by time (rotated files and clock steps can interleave).
  void sort();
  std::span<const Sample> samples() const { return samples_; }
  std::span<const ActivityEntry> activity(const Sample& s) const {
    return {activity_.data() + s.activity_begin, s.activity_count};
  }
  // Sum of every activity count of s; nullopt when the sample has none.
  std::optional<std::int64_t> activity_total(const Sample& s) const;
  size_t size() const { return samples_.size(); }
  bool empty() const { return samples_.empty(); }
  // Index of the last sample with time <= t, if any.
  std::optional<size_t> last_at_or_before(UsecUtc t) const;
  // Index of the first sample with time >= t (size() when none).
  size_t first_at_or_after(UsecUtc t) const;
  // Forgets the samples before t (a followed log, watch --app). Only without retention
  // (set_retention(0, ...)), on a sorted series.
  void drop_before(UsecUtc t);

 private:
  Sample make_sample(const input::AppRecord& r, std::vector<ActivityEntry>& act);
  void push(std::vector<Sample>& into, Sample s, const std::vector<ActivityEntry>& act);
  bool in_keep_window(UsecUtc t) const;
  void compact();
  std::vector<Sample> samples_;
  std::vector<ActivityEntry> activity_;
  // Retention (set_retention): protected samples wait in kept_ until sort() merges them.
  size_t cap_ = 0;
  std::vector<std::pair<UsecUtc, UsecUtc>> keep_;
  std::vector<Sample> kept_;
  std::uint64_t stride_ = 1, counter_ = 0;
  Sample last_{};
  std::vector<ActivityEntry> last_act_;
  // Buffers kept between calls: fresh memory is what costs on a big log (every new page is a
  // fault), so the series reuses what it has already touched.
  std::vector<ActivityEntry> act_scratch_;
  std::vector<ActivityEntry> activity_spare_;
  bool have_last_ = false, last_kept_ = false;
  std::vector<std::string> names_;
  // Looked up by string_view: a sample's names are interned without building a string each.
  struct NameHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, std::uint32_t, NameHash, std::equal_to<>> ids_;
};

// An app event worth keeping: an error (uncaught exception, unhandled rejection, error/fatal
// level) or a lifecycle marker (cold_start, boot, ...).
struct AppEvent {
  UsecUtc time = 0;
  input::AppRecordKind kind = input::AppRecordKind::other;
  input::AppLevel level = input::AppLevel::unknown;
  bool boot_marker = false;
  std::string event;       // capped at 120 bytes
  std::string text;        // error text or message, capped at 240 bytes
  std::int64_t pid = -1;
  std::uint32_t version = 0;   // SampleSeries name id
  std::uint16_t input = 0;
  std::uint32_t line = 0;
  std::optional<std::uint64_t> rss;   // some error handlers log a memory snapshot
};

// Everything read from the app logs of one unit (or of the unit-less `--app FILE`s).
struct AppData {
  std::string unit;
  std::vector<std::string> files;          // oldest first; AppEvent/Sample::input index these
  std::vector<InputReport> inputs;         // one per file
  std::vector<std::string> notes;
  input::AppFieldReport fields;
  SampleSeries series;
  std::vector<AppEvent> events;            // time-sorted
  std::vector<UsecUtc> lifetime_starts;    // from infer_lifetimes (index_lifetimes), ascending
  std::string where(std::uint16_t input, std::uint32_t line) const;  // "app.ndjson:12"
};

// The event an error or lifecycle record becomes (its version interned in series).
AppEvent to_app_event(const input::AppRecord& r, SampleSeries& series);

// Fills lifetime_starts so that windows before an exit stop at the start of the process that
// exited (load_app calls it; tests that build AppData by hand call it too).
void index_lifetimes(AppData& app);

// Reads every file of one spec. Unreadable files become InputReport::fatal (the run goes on);
// the Result fails only when nothing at all could be read.
Result<AppData> load_app(const input::AppInputSpec& spec, const input::AppReadOptions& options);

// Expands `--app` arguments and loads each unit's logs.
Result<std::vector<AppData>> load_app_inputs(const std::vector<std::string>& args,
                                             const input::AppReadOptions& options);

}  // namespace crashsift::correlate
