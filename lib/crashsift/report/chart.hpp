#pragma once
// A memory-and-exits chart as plain data, already laid out in pixels by pipeline/chart.cpp (the
// reduction of samples to min/max per column, the grouping of exits per column and class, the
// ticks): the SVG writer only draws it. One chart per unit or app log.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "crashsift/classify/exit.hpp"
#include "crashsift/core/time.hpp"

namespace crashsift::report {

struct ChartTick {
  double at = 0;        // x (time axis) or y (memory axis), in pixels
  std::string label;
};

// One pixel column of a memory series: the lowest and highest sample in it (so peaks survive
// the reduction), and whether the line continues from the previous column (false after a gap
// in the telemetry: drawn as a gap, never interpolated).
struct ChartColumn {
  double x = 0, y_low = 0, y_high = 0;
  bool joined = false;
};

struct ChartSeries {
  std::string name;     // "rss", "heap"
  std::vector<ChartColumn> columns;
};

// The exits of one class within one group of columns: one exit, or several ("37 × self-exit,
// 09:00–09:02"). The counts of all markers add up to the exits charted.
struct ChartMarker {
  double x = 0;
  classify::ExitClass cls = classify::ExitClass::unknown;
  std::uint64_t count = 0;
  UsecUtc first = 0, last = 0;
  std::string label;
  bool show_count = false;  // room for the count above the marker (its neighbours are not too near)
};

// A run of lifetimes on one runtime version ("Bun v1.3.13").
struct ChartBand {
  double x0 = 0, x1 = 0;
  std::string version;
  size_t shade = 0;     // which of the alternating fills
};

struct ChartLine {
  double y = 0;
  std::string label;    // "idle 84.0 MiB", "limit 24.0 GiB"
};

struct ChartClassTotal {
  classify::ExitClass cls = classify::ExitClass::unknown;
  std::uint64_t count = 0;
};

struct Chart {
  std::string unit;     // the unit (or app log) charted
  std::string id;       // safe as a file name: "dispatch.service"
  std::string title;    // "dispatch.service: memory and exits"
  double width = 0, height = 0;
  double plot_x = 0, plot_y = 0, plot_w = 0, plot_h = 0;
  UsecUtc from = 0, to = 0;     // the time axis: from at plot_x, to at plot_x + plot_w
  std::string time_axis;        // "time (Asia/Tokyo)"
  std::vector<ChartTick> x_ticks, y_ticks;
  std::vector<ChartBand> bands;
  std::vector<ChartSeries> series;
  std::optional<ChartLine> idle, limit;
  std::vector<ChartMarker> markers;     // time order
  std::vector<ChartClassTotal> totals;  // per class charted, for the legend
  std::uint64_t exits_charted = 0;
  std::string note;                     // "no memory samples: exits only", ...
  double table_y = 0;                   // where the marker table starts (below the legend)
  size_t table_rows = 0;                // markers listed in the table (all, when few)
};

// The chart as one standalone SVG document (no script, no external reference).
std::string format_chart_svg(const Chart& c);
// The same without the XML declaration, for inlining in HTML.
std::string format_chart_svg_inline(const Chart& c);
// Several charts stacked in one SVG document (`crashsift memory --format svg`).
std::string format_charts_svg(const std::vector<Chart>& charts);

// Each class's colour (its shape, drawn beside it, tells it apart without colour too).
std::string_view class_colour(classify::ExitClass c);

// XML/HTML text escaping (&, <, >, ", '): every string from a log goes through it.
std::string xml_escape(std::string_view s);

}  // namespace crashsift::report
