// SVG for a laid-out report::Chart: plain elements and attributes only (no script, no style
// sheet, no external reference), so it renders the same in a browser, a wiki, an e-mail client
// and from a file:// URL. Each marker carries its facts as data-* attributes and its label as a
// <title> (shown on hover), so a test or a script can read back what was drawn.
#include <algorithm>
#include <cstdio>

#include "crashsift/core/text.hpp"

#include "crashsift/report/chart.hpp"

namespace crashsift::report {

namespace {

using classify::ExitClass;

constexpr const char* frame_colour = "#112233";  // unique in the picture: a test finds the plot by it
constexpr const char* band_fills[] = {"#e9f0f8", "#f8efe4", "#eaf5e9", "#f3e9f5"};
constexpr const char* series_colours[] = {"#2a6f97", "#52a675"};

std::string num(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.1f", v);
  return b;
}

std::string attr(std::string_view name, double v) { return " " + std::string(name) + "=\"" + num(v) + "\""; }
std::string attr(std::string_view name, std::string_view v) {
  return " " + std::string(name) + "=\"" + xml_escape(v) + "\"";
}

// The class's shape centred on (cx, cy).
std::string shape(ExitClass c, double cx, double cy, double r) {
  const std::string colour(class_colour(c));
  auto path = [&](const std::string& d, bool filled) {
    return "<path d=\"" + d + "\"" + (filled ? " fill=\"" + colour + "\" stroke=\"none\"" : " fill=\"none\" stroke=\"" + colour + "\" stroke-width=\"2.5\"") + "/>";
  };
  const std::string x0 = num(cx - r), x1 = num(cx + r), y0 = num(cy - r), y1 = num(cy + r), xc = num(cx), yc = num(cy);
  switch (c) {
    case ExitClass::segfault:
      return path("M" + x0 + " " + y0 + "L" + x1 + " " + y1 + "M" + x0 + " " + y1 + "L" + x1 + " " + y0, false);
    case ExitClass::oom:
      return path("M" + x0 + " " + y0 + "L" + x1 + " " + y0 + "L" + xc + " " + y1 + "Z", true);
    case ExitClass::killed:
      return path("M" + x0 + " " + y1 + "L" + x1 + " " + y1 + "L" + xc + " " + y0 + "Z", true);
    case ExitClass::watchdog:
      return path("M" + xc + " " + y0 + "L" + x1 + " " + yc + "L" + xc + " " + y1 + "L" + x0 + " " + yc + "Z", true);
    case ExitClass::timeout:
      return "<rect" + attr("x", cx - r * 0.85) + attr("y", cy - r * 0.85) + attr("width", r * 1.7) + attr("height", r * 1.7) +
             " fill=\"" + colour + "\"/>";
    case ExitClass::self_exit:
      return "<circle" + attr("cx", cx) + attr("cy", cy) + attr("r", r) + " fill=\"" + colour + "\"/>";
    case ExitClass::clean:
      return path("M" + x0 + " " + yc + "L" + x1 + " " + yc, false);
    case ExitClass::unknown:
      return "<circle" + attr("cx", cx) + attr("cy", cy) + attr("r", r * 0.8) + " fill=\"none\" stroke=\"" + colour +
             "\" stroke-width=\"2\"/>";
  }
  return {};
}

std::string text(double x, double y, std::string_view s, std::string_view anchor = "start", int size = 11,
                 std::string_view fill = "#222222") {
  return "<text" + attr("x", x) + attr("y", y) + " font-size=\"" + std::to_string(size) + "\" text-anchor=\"" +
         std::string(anchor) + "\" fill=\"" + std::string(fill) + "\">" + xml_escape(s) + "</text>";
}

void draw_axes(const Chart& c, std::string& o) {
  const double bottom = c.plot_y + c.plot_h;
  for (const auto& t : c.y_ticks) {
    o += "<line" + attr("x1", c.plot_x) + attr("x2", c.plot_x + c.plot_w) + attr("y1", t.at) + attr("y2", t.at) +
         " stroke=\"#dddddd\" stroke-width=\"1\"/>";
    o += text(c.plot_x - 6, t.at + 4, t.label, "end", 10, "#555555");
  }
  for (const auto& t : c.x_ticks) {
    o += "<line" + attr("x1", t.at) + attr("x2", t.at) + attr("y1", c.plot_y) + attr("y2", bottom + 4) +
         " stroke=\"#e4e4e4\" stroke-width=\"1\"/>";
    o += text(t.at, bottom + 16, t.label, "middle", 10, "#555555");
  }
  o += text(c.plot_x + c.plot_w / 2, bottom + 32, c.time_axis, "middle", 10, "#555555");
}

void draw_series(const Chart& c, std::string& o) {
  for (size_t k = 0; k < c.series.size(); ++k) {
    const auto& s = c.series[k];
    const char* colour = series_colours[k % 2];
    o += "<g data-series=\"" + xml_escape(s.name) + "\">";
    for (size_t i = 0; i < s.columns.size();) {
      size_t j = i + 1;
      while (j < s.columns.size() && s.columns[j].joined) ++j;
      // One run of joined columns: the min/max envelope, and the line along its top.
      std::string top, envelope;
      for (size_t q = i; q < j; ++q) top += (q == i ? "" : " ") + num(s.columns[q].x) + "," + num(s.columns[q].y_high);
      envelope = top;
      for (size_t q = j; q-- > i;) envelope += " " + num(s.columns[q].x) + "," + num(s.columns[q].y_low);
      if (j - i == 1) {
        o += "<line" + attr("x1", s.columns[i].x) + attr("x2", s.columns[i].x) + attr("y1", s.columns[i].y_low) +
             attr("y2", s.columns[i].y_high - 0.5) + " stroke=\"" + colour + "\" stroke-width=\"1.5\"/>";
      } else {
        o += "<polygon points=\"" + envelope + "\" fill=\"" + colour + "\" fill-opacity=\"0.25\" stroke=\"none\"/>";
        o += "<polyline points=\"" + top + "\" fill=\"none\" stroke=\"" + colour + "\" stroke-width=\"1.2\"/>";
      }
      i = j;
    }
    o += "</g>";
  }
}

void draw_line(const Chart& c, const ChartLine& l, const char* colour, std::string& o) {
  o += "<line" + attr("x1", c.plot_x) + attr("x2", c.plot_x + c.plot_w) + attr("y1", l.y) + attr("y2", l.y) + " stroke=\"" +
       colour + "\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"/>";
  o += text(c.plot_x + c.plot_w - 4, l.y - 4, l.label, "end", 10, colour);
}

void draw_markers(const Chart& c, std::string& o) {
  for (const auto& m : c.markers) {
    const std::string colour(class_colour(m.cls));
    o += "<g data-marker=\"\"" + attr("data-class", to_string(m.cls)) + " data-count=\"" + std::to_string(m.count) + "\"" +
         attr("data-first", format_rfc3339_utc(m.first)) + attr("data-last", format_rfc3339_utc(m.last)) + attr("data-x", m.x) +
         "><title>" + xml_escape(m.label) + "</title>";
    // Clean exits stay in the background: a thin light line; every failure a solid one.
    const bool clean = m.cls == ExitClass::clean;
    o += "<line" + attr("x1", m.x) + attr("x2", m.x) + attr("y1", c.plot_y) + attr("y2", c.plot_y + c.plot_h) + " stroke=\"" +
         colour + (clean ? "\" stroke-width=\"1\" stroke-opacity=\"0.45\" stroke-dasharray=\"3 3\"" : "\" stroke-width=\"2\"") +
         " shape-rendering=\"crispEdges\"/>";
    o += shape(m.cls, m.x, c.plot_y - 9, 5);
    if (m.show_count) o += text(m.x, c.plot_y - 17, std::to_string(m.count), "middle", 9, colour);
    o += "</g>";
  }
}

void draw_legend(const Chart& c, std::string& o) {
  double x = c.plot_x, y = c.plot_y + c.plot_h + 52;
  auto advance = [&](double w) {
    x += w;
    if (x > c.plot_x + c.plot_w - 120) x = c.plot_x, y += 18;
  };
  for (const auto& t : c.totals) {
    o += shape(t.cls, x + 5, y - 4, 5);
    const std::string label = std::string(to_string(t.cls)) + " " + std::to_string(t.count);
    o += text(x + 14, y, label);
    advance(28 + 6.5 * static_cast<double>(label.size()));
  }
  for (size_t k = 0; k < c.series.size(); ++k) {
    o += "<line" + attr("x1", x) + attr("x2", x + 14) + attr("y1", y - 4) + attr("y2", y - 4) + " stroke=\"" +
         series_colours[k % 2] + "\" stroke-width=\"3\"/>";
    o += text(x + 18, y, c.series[k].name);
    advance(40 + 6.5 * static_cast<double>(c.series[k].name.size()));
  }
  if (c.idle) {
    o += "<line" + attr("x1", x) + attr("x2", x + 14) + attr("y1", y - 4) + attr("y2", y - 4) +
         " stroke=\"#2c8c3c\" stroke-width=\"1.5\" stroke-dasharray=\"4 2\"/>" + text(x + 18, y, "idle baseline");
    advance(110);
  }
  if (c.limit) {
    o += "<line" + attr("x1", x) + attr("x2", x + 14) + attr("y1", y - 4) + attr("y2", y - 4) +
         " stroke=\"#b22222\" stroke-width=\"1.5\" stroke-dasharray=\"4 2\"/>" + text(x + 18, y, "memory limit");
    advance(110);
  }
  size_t shade_seen = 0;
  for (const auto& b : c.bands) {
    if (b.shade < shade_seen) continue;
    shade_seen = b.shade + 1;
    o += "<rect" + attr("x", x) + attr("y", y - 10) + " width=\"14\" height=\"10\" fill=\"" + band_fills[b.shade % 4] +
         "\" stroke=\"#bbbbbb\"/>" + text(x + 18, y, b.version);
    advance(30 + 6.5 * static_cast<double>(b.version.size()));
  }
  if (c.table_rows == 0 && !c.markers.empty())
    o += text(c.plot_x, c.table_y, std::to_string(c.markers.size()) + " markers for " + std::to_string(c.exits_charted) +
                                       " exits: hover over a marker for its exits", "start", 10, "#555555");
  for (size_t i = 0; i < c.table_rows && i < c.markers.size(); ++i) {
    const auto& m = c.markers[i];
    const double ry = c.table_y + 16 * static_cast<double>(i);
    o += shape(m.cls, c.plot_x + 5, ry - 4, 4.5);
    o += text(c.plot_x + 16, ry, m.label, "start", 10);
  }
}

std::string body(const Chart& c) {
  std::string o = "<svg xmlns=\"http://www.w3.org/2000/svg\"" + attr("width", c.width) + attr("height", c.height) +
                  " viewBox=\"0 0 " + num(c.width) + " " + num(c.height) + "\" font-family=\"DejaVu Sans, Arial, sans-serif\"" +
                  attr("data-chart", c.id) + attr("data-from", format_rfc3339_utc(c.from)) +
                  attr("data-to", format_rfc3339_utc(c.to)) + attr("data-plot-x", c.plot_x) + attr("data-plot-y", c.plot_y) +
                  attr("data-plot-w", c.plot_w) + attr("data-plot-h", c.plot_h) + " data-exits=\"" +
                  std::to_string(c.exits_charted) + "\">";
  o += "<title>" + xml_escape(c.title) + "</title>";
  o += "<rect x=\"0\" y=\"0\"" + attr("width", c.width) + attr("height", c.height) + " fill=\"#ffffff\"/>";
  o += text(c.plot_x, 20, c.title, "start", 14, "#111111");
  if (!c.note.empty()) o += text(c.plot_x + c.plot_w, 34, c.note, "end", 10, "#777777");
  for (const auto& b : c.bands) {
    o += "<g data-band=\"\"" + attr("data-version", b.version) + "><title>" + xml_escape(b.version) + "</title><rect" +
         attr("x", b.x0) + attr("y", c.plot_y) + attr("width", b.x1 - b.x0) + attr("height", c.plot_h) + " fill=\"" +
         band_fills[b.shade % 4] + "\"/>";
    if (b.x1 - b.x0 > 70) o += text(b.x0 + 4, c.plot_y + 12, b.version, "start", 10, "#666666");
    o += "</g>";
  }
  draw_axes(c, o);
  draw_series(c, o);
  if (c.idle) draw_line(c, *c.idle, "#2c8c3c", o);
  if (c.limit) draw_line(c, *c.limit, "#b22222", o);
  o += "<rect" + attr("x", c.plot_x) + attr("y", c.plot_y) + attr("width", c.plot_w) + attr("height", c.plot_h) +
       " fill=\"none\" stroke=\"" + frame_colour + "\" stroke-width=\"1\" shape-rendering=\"crispEdges\"/>";
  draw_markers(c, o);
  draw_legend(c, o);
  o += "</svg>\n";
  return o;
}

}  // namespace

std::string_view class_colour(ExitClass c) {
  switch (c) {
    case ExitClass::segfault: return "#d62728";
    case ExitClass::oom: return "#8e44ad";
    case ExitClass::self_exit: return "#e67e00";
    case ExitClass::watchdog: return "#8c564b";
    case ExitClass::timeout: return "#d6338f";
    case ExitClass::killed: return "#1f5fbf";
    case ExitClass::clean: return "#8a8a8a";
    case ExitClass::unknown: return "#9a9a00";
  }
  return "#000000";
}

std::string xml_escape(std::string_view raw) {
  // Log text may hold invalid UTF-8 and control characters, which no XML parser accepts.
  const std::string s = is_valid_utf8(raw) ? std::string(raw) : sanitize_utf8(raw);
  std::string o;
  o.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char ch = static_cast<unsigned char>(s[i]);
    // U+FFFE and U+FFFF are valid UTF-8 but no XML character either.
    if (ch == 0xEF && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0xBF &&
        (static_cast<unsigned char>(s[i + 2]) & 0xFE) == 0xBE) {
      o += "\xEF\xBF\xBD";
      i += 2;
      continue;
    }
    switch (ch) {
      case '&': o += "&amp;"; break;
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '"': o += "&quot;"; break;
      case '\'': o += "&#39;"; break;
      default:
        if (ch < 0x20 && ch != '\t' && ch != '\n') o += "\xEF\xBF\xBD";  // not allowed in XML 1.0
        else o += static_cast<char>(ch);
    }
  }
  return o;
}

std::string format_chart_svg(const Chart& c) { return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + body(c); }

std::string format_chart_svg_inline(const Chart& c) { return body(c); }

std::string format_charts_svg(const std::vector<Chart>& charts) {
  if (charts.size() == 1) return format_chart_svg(charts.front());
  double width = 0, height = 0;
  for (const auto& c : charts) width = std::max(width, c.width), height += c.height;
  std::string o = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"" + attr("width", width) +
                  attr("height", height) + " viewBox=\"0 0 " + num(width) + " " + num(height) + "\">";
  double y = 0;
  for (const auto& c : charts) {
    o += "<g transform=\"translate(0," + num(y) + ")\">" + body(c) + "</g>";
    y += c.height;
  }
  return o + "</svg>\n";
}

}  // namespace crashsift::report
