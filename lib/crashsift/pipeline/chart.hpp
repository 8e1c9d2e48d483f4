#pragma once
// Lays out report::Chart (memory over time, each exit a marker, lifetimes as version bands, the
// idle baseline and the memory limit) from the run's data: samples reduced to min/max per pixel
// column, exits grouped per few columns and class. Memory stays flat whatever the number of
// exits: ChartExits keeps each exit only up to a bound, then counts per time bucket and class.
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "crashsift/classify/exit.hpp"
#include "crashsift/core/time.hpp"
#include "crashsift/correlate/memory_analysis.hpp"
#include "crashsift/correlate/sample_series.hpp"
#include "crashsift/report/chart.hpp"

namespace crashsift::pipeline {

class ChartExits {
 public:
  static constexpr size_t max_exact = 4096;
  static constexpr size_t max_buckets = 4096;

  void add(UsecUtc t, classify::ExitClass cls, std::string label);
  std::uint64_t count() const { return count_; }
  std::optional<UsecUtc> first() const { return first_; }
  std::optional<UsecUtc> last() const { return last_; }

  struct Exact {
    UsecUtc at;
    classify::ExitClass cls;
    std::string label;
  };
  struct Bucket {  // per class: how many, the first and the last
    std::array<std::uint64_t, 8> counts{};
    std::array<UsecUtc, 8> first{}, last{};
  };
  bool aggregated() const { return aggregated_; }
  const std::vector<Exact>& exact() const { return exact_; }
  // Buckets by index; bucket i covers [origin + i * width, origin + (i + 1) * width).
  const std::map<std::int64_t, Bucket>& buckets() const { return buckets_; }
  UsecUtc bucket_width() const { return width_; }
  UsecUtc bucket_origin() const { return origin_; }

 private:
  void fold(UsecUtc t, classify::ExitClass cls);
  void to_buckets();
  std::uint64_t count_ = 0;
  std::optional<UsecUtc> first_, last_;
  bool aggregated_ = false;
  std::vector<Exact> exact_;
  std::map<std::int64_t, Bucket> buckets_;
  UsecUtc width_ = 0, origin_ = 0;
};

// Lifetimes merged into runs on one runtime version (bounded: a run continues while the version
// stays the same; at most max_spans, later changes are not drawn and said in the note).
class ChartVersions {
 public:
  static constexpr size_t max_spans = 256;
  struct Span {
    UsecUtc from, to;
    std::string version;
  };
  void add(UsecUtc start, UsecUtc end, const std::string& version);
  const std::vector<Span>& spans() const { return spans_; }
  bool overflow() const { return overflow_; }

 private:
  std::vector<Span> spans_;
  bool overflow_ = false;
};

struct ChartSource {
  std::string unit;                                  // the chart's id and title
  const correlate::SampleSeries* samples = nullptr;  // the app log's samples, if any
  const ChartExits* exits = nullptr;
  const ChartVersions* versions = nullptr;
  std::optional<std::uint64_t> idle_rss;             // the idle baseline (memory analysis)
  std::optional<std::uint64_t> memory_limit;
  Zone zone;
  // Only this span (a close-up of the app log's samples): what lies outside is not drawn.
  std::optional<std::pair<UsecUtc, UsecUtc>> window;
};

report::Chart build_chart(const ChartSource& source);

// One exit's marker label: "06-28 09:05:13 segfault SIGILL pid 76101: panic(main thread): ... [Bun v1.3.13]".
std::string chart_exit_label(const classify::Exit& x, const Zone& zone);

// The charts of a run: one per unit with exits, with the samples of the app log tied to it.
class ChartSet {
 public:
  explicit ChartSet(Zone zone) : zone_(std::move(zone)) {}
  void add(const classify::Exit& x);
  // Builds one chart per unit (in order of first exit) and per app log whose unit had no exit.
  // idle_rss: each app's idle baseline when the caller's memory analysis already has it (one per
  // app, in order); empty: analyzed here.
  std::vector<report::Chart> build(const std::vector<correlate::AppData>& apps, std::optional<std::uint64_t> memory_limit,
                                   const std::vector<std::optional<std::uint64_t>>& idle_rss = {}) const;

 private:
  struct PerUnit {
    std::string unit;
    ChartExits exits;
    ChartVersions versions;
  };
  Zone zone_;
  std::vector<PerUnit> units_;
  std::map<std::string, size_t> index_;
};

// `crashsift memory --format svg`: one chart per app log, with the journal's exits of its unit
// (every exit when the log names no unit), the runtime versions of those exits' lifetimes, else
// of the log's own lifetimes.
// memory: the analysis of each app (in order), as `memory` made it.
std::vector<report::Chart> memory_charts(const std::vector<correlate::AppData>& apps,
                                         const std::vector<correlate::MemoryReport>& memory,
                                         const std::vector<classify::Exit>& exits,
                                         std::optional<std::uint64_t> memory_limit, const Zone& zone);

}  // namespace crashsift::pipeline
