// `crashsift report`: the whole investigation in one document (TL;DR, failure modes, crash
// loops, memory at death, the memory verdict, evidence gaps), for a shell, an incident document
// (Markdown) or a CI job (JSON, --baseline, --fail-on).
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "cli.hpp"
#include "command.hpp"
#include "crashsift/core/text.hpp"
#include "crashsift/pipeline/incident.hpp"
#include "exit_status.hpp"
#include "exits_options.hpp"
#include "chart_files.hpp"

namespace crashsift::tool {

namespace {

struct ReportOptions {
  ExitsOptions exits;
  std::string baseline;
  bool redact = false;
  std::string charts_dir;
};

// --redact: hostnames, IPv4 addresses, user names in home paths, for reports leaving the team.
// In HTML and SVG (markup) the masks are written escaped, and a home path ends at markup too.
std::string redact(std::string text, const report::Incident& inc, bool markup = false) {
  const std::string host_mask = markup ? "&lt;host&gt;" : "<host>", ip_mask = markup ? "&lt;ip&gt;" : "<ip>",
                    user_mask = markup ? "/home/&lt;user&gt;" : "/home/<user>";
  for (const auto& h : inc.hosts)
    for (size_t at = 0; (at = text.find(h, at)) != std::string::npos;) text.replace(at, h.size(), host_mask), at += host_mask.size();
  std::string out;
  for (size_t i = 0; i < text.size();) {
    // a.b.c.d
    size_t j = i, dots = 0, digits = 0;
    while (j < text.size() && ((text[j] >= '0' && text[j] <= '9') || text[j] == '.')) {
      dots += text[j] == '.';
      digits += text[j] != '.';
      ++j;
    }
    if (dots == 3 && digits >= 4 && (i == 0 || !std::isalnum(static_cast<unsigned char>(text[i - 1])))) {
      out += ip_mask;
      i = j;
      continue;
    }
    if (text.compare(i, 6, "/home/") == 0) {
      size_t e = text.find_first_of(markup ? "/ \n\"'<&" : "/ \n\"'", i + 6);
      out += user_mask;
      i = e == std::string::npos ? text.size() : e;
      continue;
    }
    out.push_back(text[i++]);
  }
  return out;
}

int run(const ReportOptions& o) {
  pipeline::ExitsQuery q;
  std::vector<classify::ExitClass> fail_on;
  pipeline::IncidentOptions io;
  try {
    q = make_query(o.exits);
    fail_on = parse_classes(o.exits.fail_on);
    io.memory_limit = q.memory_limit;
  } catch (const CLI::ValidationError& e) {
    std::fprintf(stderr, "crashsift report: error: %s\n", e.what());
    return exit_usage;
  }
  io.zone = resolve_zone(o.exits.out);
  io.charts = o.exits.out.format == "html" || !o.charts_dir.empty();
  if (!o.baseline.empty()) {
    std::ifstream f(o.baseline, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    if (!f) {
      std::fprintf(stderr, "crashsift report: error: cannot read --baseline %s\n", o.baseline.c_str());
      return exit_usage;
    }
    io.baseline_json = ss.str();
  }
  // The exits reach the builder as they become final and are not kept: the report holds
  // aggregates, and a JSON report's exits array waits in a spill file.
  const bool json = o.exits.out.format == "json";
  pipeline::IncidentBuilder builder(io, json, o.exits.out.pretty);
  bool matched = false;
  auto take = [&](classify::Exit&& x, const correlate::SamplesSummary* s, std::string_view how,
                  const report::CoreAttachment* c, const std::vector<InputReport>& inputs) {
    matched = matched || std::find(fail_on.begin(), fail_on.end(), x.cls) != fail_on.end();
    builder.add(std::move(x), s, how, c, inputs);
  };
  q.on_final_exits = [&](std::vector<classify::Exit>& exits,
                         const std::vector<std::pair<size_t, report::CoreAttachment>>& cores,
                         const std::vector<InputReport>& inputs, const report::BatchSamples&) {
    for (size_t i = 0; i < exits.size(); ++i) take(std::move(exits[i]), nullptr, "", report::core_at(cores, i), inputs);
  };
  auto exits = pipeline::run_exits(q);
  if (!o.exits.quiet || !exits.usable()) std::fputs(report::format_input_diagnostics(exits).c_str(), stderr);
  if (!exits.usable()) {
    std::fprintf(stderr, "crashsift: error: nothing usable was read from the input\n");
    return exit_usage;
  }
  for (const auto& x : exits.exits)
    matched = matched || std::find(fail_on.begin(), fail_on.end(), x.cls) != fail_on.end();
  auto inc = builder.finish(std::move(exits));
  if (!inc) {
    std::fprintf(stderr, "crashsift report: error: %s\n", inc.error().c_str());
    return exit_usage;
  }
  if (!o.charts_dir.empty()) {
    auto links = write_chart_files(inc->charts, o.charts_dir, o.exits.out.output, [&](std::string svg) {
      return o.redact ? redact(std::move(svg), *inc, true) : svg;
    });
    if (!links) {
      std::fprintf(stderr, "crashsift report: error: %s\n", links.error().c_str());
      return exit_usage;
    }
    inc->chart_links = std::move(*links);
  }
  report::TextStyle style{resolve_zone(o.exits.out), resolve_color(o.exits.out), o.exits.evidence};
  if (json) {
    // Streamed: the exits array is read back from the spill in pieces cut between exits.
    OutputSink sink(o.exits.out);
    if (!sink.ok()) return exit_usage;
    const bool read = report::write_incident_json(*inc, o.exits.out.pretty, [&](std::string_view piece) {
      sink.write(o.redact ? redact(std::string(piece), *inc) : std::string(piece));
    });
    if (!sink.close()) return exit_usage;
    if (!read) {
      std::fprintf(stderr, "crashsift report: error: %s\n", inc->exits_json->error().c_str());
      return exit_internal;
    }
  } else {
    std::string text = o.exits.out.format == "markdown" ? report::format_incident_markdown(*inc, style)
                       : o.exits.out.format == "html"   ? report::format_incident_html(*inc, style)
                                                        : report::format_incident_text(*inc, style);
    if (o.redact) text = redact(std::move(text), *inc, o.exits.out.format == "html");
    if (!write_output(o.exits.out, text)) return exit_usage;
  }
  const bool new_mode = std::any_of(inc->modes.begin(), inc->modes.end(), [](const report::FailureMode& m) { return m.is_new; });
  if (matched || new_mode) return exit_findings;
  // As for `exits`: an input that could not be read at all (a host that was down) is an input
  // error, even when the others made a report (it says so among the evidence gaps).
  if (inc->exits.any_input_unreadable()) return exit_usage;
  return exit_ok;
}

}  // namespace

void register_report(CLI::App& root, Commands& commands) {
  auto opts = std::make_shared<ReportOptions>();
  CLI::App* app = root.add_subcommand(
      "report", "The whole investigation: failure modes, crash loops, memory at death, evidence gaps");
  app->footer(
      "Exit status: 0 ok; 1 an exit matched --fail-on or a failure mode is new against --baseline; 2 usage error, "
      "nothing usable read or an input that could not be read at all (named among the evidence gaps); 3 internal "
      "error. See crashsift-report(1).");
  add_input_options(app, opts->exits);
  add_selection_options(app, opts->exits);
  add_app_options(app, opts->exits);
  add_core_options(app, opts->exits);
  app->add_option("--baseline", opts->baseline,
                  "An earlier `crashsift report --format json`: mark failure modes that are new or more frequent, "
                  "and exit 1 on a new one")
      ->group("Selection");
  app->add_flag("--redact", opts->redact, "Mask hostnames, IP addresses and user names in home paths")->group("Output");
  app->add_flag("--evidence", opts->exits.evidence, "Also list the deciding lines (text and Markdown)")->group("Output");
  app->add_flag("-q,--quiet", opts->exits.quiet, "Do not report skipped lines on stderr")->group("Output");
  app->add_option("--charts", opts->charts_dir,
                  "Also write a memory-and-exits chart per unit as DIR/UNIT.svg, linked from the Markdown report")
      ->check(not_an_option("--charts"))
      ->group("Output");
  add_output_options(*app, opts->exits.out, false, true);
  commands.push_back({app, [opts] { return run(*opts); }});
}

}  // namespace crashsift::tool
