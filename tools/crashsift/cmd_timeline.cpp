// `crashsift timeline`: starts, exits, the kernel/coredump/oomd lines tied to them, app errors and
// memory samples in one chronological view.
#include <algorithm>
#include <cstdio>

#include "cli.hpp"
#include "command.hpp"
#include "crashsift/core/text.hpp"
#include "crashsift/pipeline/timeline.hpp"
#include "exit_status.hpp"
#include "chart_files.hpp"
#include "crashsift/pipeline/chart.hpp"
#include "exits_options.hpp"

namespace crashsift::tool {

namespace {

struct TimelineOptions {
  ExitsOptions exits;
  std::string sample_every = "5min";
  std::string charts_dir;
};

int run(const TimelineOptions& o) {
  pipeline::ExitsQuery q;
  std::optional<double> every;
  std::vector<classify::ExitClass> fail_on;
  try {
    q = make_query(o.exits);
    fail_on = parse_classes(o.exits.fail_on);
    every = o.sample_every == "0" ? std::optional<double>(0) : parse_duration_seconds(o.sample_every);
    if (!every) throw CLI::ValidationError("--samples-every", "expected a duration like 5min, 30s, or 0");
  } catch (const CLI::ValidationError& e) {
    std::fprintf(stderr, "crashsift timeline: error: %s\n", e.what());
    return exit_usage;
  }
  // The time window filters the timeline's events, not which exits are read.
  const auto since = q.selection.since, until = q.selection.until;
  q.selection.since.reset();
  q.selection.until.reset();
  const auto r = pipeline::run_exits(q);
  if (!o.exits.quiet || !r.usable()) std::fputs(report::format_input_diagnostics(r).c_str(), stderr);
  if (!r.usable()) {
    std::fprintf(stderr, "crashsift: error: nothing usable was read from the input\n");
    return exit_usage;
  }
  const auto t = pipeline::build_timeline(r, *every, since, until);
  report::TextStyle style{resolve_zone(o.exits.out), resolve_color(o.exits.out), false};
  std::string text = o.exits.out.format == "json" ? report::format_timeline_json(t, o.exits.out.pretty)
                                                  : report::format_timeline_text(t, style);
  if (!o.charts_dir.empty()) {
    // The charts cover what the timeline covers: every exit read, with the app logs' samples.
    pipeline::ChartSet set(style.zone);
    for (const auto& x : r.exits) set.add(x);
    auto links = write_chart_files(set.build(r.apps, q.memory_limit), o.charts_dir, o.exits.out.output);
    if (!links) {
      std::fprintf(stderr, "crashsift timeline: error: %s\n", links.error().c_str());
      return exit_usage;
    }
    // The JSON document is a contract of its own (crashsift/timeline/1): the files are said on stderr.
    for (const auto& l : *links) {
      if (o.exits.out.format == "json") std::fprintf(stderr, "crashsift: chart of %s: %s\n", l.unit.c_str(), l.path.c_str());
      else text += "chart of " + l.unit + ": " + l.path + "\n";
    }
  }
  if (!write_output(o.exits.out, text)) return exit_usage;
  const bool matched = std::any_of(r.exits.begin(), r.exits.end(), [&](const classify::Exit& x) {
    return std::find(fail_on.begin(), fail_on.end(), x.cls) != fail_on.end();
  });
  if (matched) return exit_findings;
  if (r.any_input_unreadable()) return exit_usage;  // as for `exits`
  return exit_ok;
}

}  // namespace

void register_timeline(CLI::App& root, Commands& commands) {
  auto opts = std::make_shared<TimelineOptions>();
  CLI::App* app = root.add_subcommand(
      "timeline", "One chronological view: starts, exits, kernel and coredump lines, app errors, memory samples");
  app->footer("Exit status: 0 ok; 1 an exit matched --fail-on; 2 usage error, nothing usable read or an input that could not be "
              "read at all; 3 internal error. "
              "See crashsift-timeline(1).");
  add_input_options(app, opts->exits);
  add_selection_options(app, opts->exits);
  add_app_options(app, opts->exits);
  add_core_options(app, opts->exits);
  app->add_option("--samples-every", opts->sample_every,
                  "Show at most one memory sample per DURATION (default 5min; 0 = none)")
      ->group("App telemetry");
  app->add_flag("-q,--quiet", opts->exits.quiet, "Do not report skipped lines on stderr")->group("Output");
  app->add_option("--charts", opts->charts_dir, "Also write a memory-and-exits chart per unit as DIR/UNIT.svg")
      ->check(not_an_option("--charts"))
      ->group("Output");
  OutputOptions& out = opts->exits.out;
  app->add_option("--format", out.format, "Output format: text (default) or json (crashsift/timeline/1)")
      ->check(CLI::IsMember({"text", "json"}))
      ->group("Output");
  app->add_flag("--pretty", out.pretty, "Indent JSON output")->group("Output");
  app->add_option("--color", out.color, "Colour: auto, always, never")->check(CLI::IsMember({"auto", "always", "never"}))->group("Output");
  app->add_option("--tz", out.tz, "Time zone for the times shown (default: local)")->group("Output");
  app->add_flag("--utc", out.utc, "Shorthand for --tz UTC")->group("Output");
  app->add_option("-o,--output", out.output, "Write to FILE instead of standard output")->group("Output");
  commands.push_back({app, [opts] { return run(*opts); }});
}

}  // namespace crashsift::tool
