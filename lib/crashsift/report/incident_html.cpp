// `crashsift report --format html`: the incident document as one self-contained file — inline
// CSS and SVG, no script, no external reference — readable from a file:// URL or as an e-mail
// attachment, and printable. It is well-formed XML as well as HTML (a test parses it back).
// Log text is attacker-controlled: every string from a log goes through xml_escape.
#include <cstdio>

#include "crashsift/core/text.hpp"
#include "crashsift/report/incident.hpp"
#include "crashsift/report/incident_sentences.hpp"
#include "crashsift/report/samples_format.hpp"

namespace crashsift::report {

namespace {

constexpr const char* style_sheet = R"(
body { font-family: "DejaVu Sans", Arial, sans-serif; color: #1b1b1b; margin: 2em auto; max-width: 1000px; padding: 0 1em; line-height: 1.4; }
h1 { font-size: 1.5em; margin-bottom: 0.2em; }
h2 { font-size: 1.2em; border-bottom: 1px solid #ccc; margin-top: 1.8em; }
h3 { font-size: 1.05em; margin-bottom: 0.3em; }
.span { color: #555; margin-top: 0; }
ul.tldr li { margin: 0.25em 0; }
.detail { color: #555; }
table { border-collapse: collapse; width: 100%; font-size: 0.92em; }
th, td { border: 1px solid #ddd; padding: 0.25em 0.5em; text-align: left; vertical-align: top; }
th { background: #f4f4f4; }
td.num { text-align: right; }
dl { display: grid; grid-template-columns: 9em 1fr; gap: 0.15em 1em; margin: 0.4em 0; }
dt { color: #555; }
dd { margin: 0; }
pre { background: #f6f6f6; border: 1px solid #e2e2e2; padding: 0.5em; overflow-x: auto; font-size: 0.85em; white-space: pre-wrap; word-break: break-all; }
figure { margin: 1em 0; }
figure svg { max-width: 100%; height: auto; }
.key { font-family: monospace; color: #666; font-size: 0.85em; }
.new { color: #b00020; font-weight: bold; }
footer { color: #777; font-size: 0.85em; margin-top: 3em; }
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; }
  h2 { break-after: avoid; }
  figure, article, table { break-inside: avoid; }
  pre { white-space: pre-wrap; }
}
)";

std::string esc(std::string_view s) { return xml_escape(s); }

std::string item(std::string_view term, std::string_view value) {
  return "<dt>" + esc(term) + "</dt><dd>" + esc(value) + "</dd>";
}

std::string tldr(const Incident& r, const Zone& z) {
  std::string o = "<section id=\"tldr\"><h2>TL;DR</h2><ul class=\"tldr\"><li>" + esc(counts_line(r)) + "</li>";
  for (const auto& m : r.modes)
    o += "<li><strong>" + esc(mode_line(m, z)) + "</strong> <span class=\"detail\">— " + esc(mode_detail(m, z)) + "</span>" +
         (m.is_new ? " <span class=\"new\">new</span>" : "") + "</li>";
  if (r.modes.empty()) o += "<li>No failure: every exit was clean.</li>";
  if (!r.memory_verdict.empty()) o += "<li>Memory: " + esc(r.memory_verdict) + "</li>";
  return o + "</ul></section>";
}

std::string charts(const Incident& r) {
  if (r.charts.empty()) return {};
  std::string o = "<section id=\"charts\"><h2>Memory and exits</h2>";
  for (const auto& c : r.charts)
    o += "<figure>" + format_chart_svg_inline(c) + "<figcaption>" + esc(c.title) +
         ": each exit a marker (shape and colour by class; hover for its line), lifetimes shaded by runtime version" +
         "</figcaption></figure>";
  return o + "</section>";
}

std::string loops(const Incident& r, const Zone& z) {
  if (r.loops.empty()) return {};
  std::string o =
      "<section id=\"loops\"><h2>Crash loops</h2><table><thead><tr><th>Unit</th><th>Exits</th><th>Span</th>"
      "<th>Restarts/h</th><th>What</th><th>Start limit hits</th></tr></thead><tbody>";
  for (const auto& l : r.loops) {
    char rate[32];
    std::snprintf(rate, sizeof rate, "%.1f", l.restarts_per_hour);
    o += "<tr><td>" + esc(loop_subject(l, r)) + "</td><td class=\"num\">" + std::to_string(l.exits) + "</td><td>" +
         esc(span_text(l.first, l.last, z)) + "</td><td class=\"num\">" + rate + "</td><td>" + esc(l.what) +
         "</td><td class=\"num\">" + std::to_string(l.start_limit_hits) + "</td></tr>";
  }
  return o + "</tbody></table></section>";
}

std::string mode(const FailureMode& m, size_t k, const Zone& z) {
  const Example e = example_of(m);
  const classify::Exit& x = *e.exit;
  std::string o = "<article><h3>" + std::to_string(k + 1) + ". " + esc(m.title) + "</h3><dl>";
  o += item("Occurrences", std::to_string(m.exits.size()) + " (first " + when(m.first, z) + ", last " + when(m.last, z) + ")");
  if (m.hosts.size() > 1) o += item("Hosts", hosts_summary(m, z) + ": " + hosts_list(m));
  if (!m.version_note.empty()) o += item("Runtime", m.version_note);
  std::string example = when(x.exited_at, z) + " " + x.unit + ", pid " + (x.pid ? std::to_string(*x.pid) : "?");
  if (auto up = x.uptime_s()) example += ", up " + format_duration(*up);
  if (!x.runtime.empty()) example += ", " + x.runtime;
  o += item("Example", example);
  if (e.samples) o += item("Memory before", format_samples_line(*e.samples));
  if (x.memory_peak_bytes) o += item("systemd", "memory peak " + format_bytes(*x.memory_peak_bytes));
  if (!m.memory_note.empty()) o += item("Verdict", m.memory_note);
  if (!x.missing.empty()) {
    std::string missing;
    for (const auto& s : x.missing) missing += (missing.empty() ? "" : "; ") + s;
    o += item("Missing", missing);
  }
  o += "<dt>Signature</dt><dd class=\"key\">" + esc(m.key) + "</dd></dl>";
  if (!x.evidence.empty()) {
    o += "<h4>Evidence</h4><table><thead><tr><th>Role</th><th>Time</th><th>Line</th></tr></thead><tbody>";
    for (const auto& ev : x.evidence)
      o += "<tr><td>" + esc(ev.role) + "</td><td>" + esc(ev.time ? format_in_zone(*ev.time, z, true) : "") + "</td><td>" +
           esc(ev.text) + "</td></tr>";
    o += "</tbody></table>";
  }
  if (!x.last_output.empty()) {
    o += "<h4>Last output</h4><pre>";
    for (const auto& l : x.last_output) o += esc(l) + "\n";
    o += "</pre>";
  }
  if (e.core && !e.core->top_frames.empty()) {
    o += "<h4>Backtrace (" + esc(e.core->source == "journal" ? "systemd-coredump journal entry" : e.core->path) + ")</h4><pre>";
    for (const auto& f : e.core->top_frames) o += "at " + esc(f) + "\n";
    o += "</pre>";
  }
  return o + "</article>";
}

}  // namespace

std::string format_incident_html(const Incident& r, const TextStyle& style) {
  const Zone& z = style.zone;
  const std::string zone_name = z.is_utc() ? "UTC" : (z.name().empty() ? "local time" : z.name());
  const std::string title = "Crash report: " + (r.exit_count ? unit_list(r) : std::string("no exits"));
  std::string o = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/><meta name=\"viewport\" "
                  "content=\"width=device-width, initial-scale=1\"/><meta name=\"generator\" content=\"crashsift\"/><title>" +
                  esc(title) + "</title><style>" + style_sheet + "</style></head><body>";
  o += "<header><h1>" + esc(title) + "</h1><p class=\"span\">" + esc(span_text(r.span_first, r.span_last, z)) + " (" +
       esc(zone_name) + ")</p></header>";
  if (r.exit_count == 0) {
    o += "<p>No exits in the input (or none matched the selection).</p>";
  } else {
    o += tldr(r, z) + charts(r) + loops(r, z);
    if (!r.modes.empty()) {
      o += "<section id=\"modes\"><h2>Failure modes</h2>";
      for (size_t k = 0; k < r.modes.size(); ++k) o += mode(r.modes[k], k, z);
      o += "</section>";
    }
    if (!r.memory_lines.empty()) {
      o += "<section id=\"memory\"><h2>Memory</h2><ul>";
      for (const auto& l : r.memory_lines) o += "<li>" + esc(l) + "</li>";
      if (r.memory_limit) o += "<li>Limit: " + esc(format_bytes(*r.memory_limit)) + "</li>";
      o += "</ul></section>";
    }
    if (!r.gaps.empty()) {
      o += "<section id=\"gaps\"><h2>Evidence gaps</h2><ul>";
      for (const auto& g : r.gaps) o += "<li>" + esc(g) + "</li>";
      o += "</ul></section>";
    }
  }
  std::string inputs;
  for (const auto& in : r.exits.inputs) inputs += (inputs.empty() ? "" : ", ") + in.path;
  o += "<footer>Made by crashsift from " + esc(inputs) + ". Times in " + esc(zone_name) + ".</footer></body></html>\n";
  return o;
}

}  // namespace crashsift::report
