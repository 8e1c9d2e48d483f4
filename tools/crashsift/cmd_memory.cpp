// `crashsift memory --app FILE...`: memory over time from app telemetry, per lifetime, with an
// idle baseline and a leak-or-load verdict. Parses options, calls lib/correlate, prints.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <memory>

#include "cli.hpp"
#include "command.hpp"
#include "exits_options.hpp"
#include "crashsift/pipeline/chart.hpp"
#include "crashsift/pipeline/exits_run.hpp"
#include "crashsift/report/chart.hpp"
#include "crashsift/pipeline/memory_exits.hpp"
#include "crashsift/report/exits_report.hpp"
#include "crashsift/core/text.hpp"
#include "crashsift/report/memory_format.hpp"
#include "exit_status.hpp"

namespace crashsift::tool {

namespace {

struct MemoryArgs {
  std::vector<std::string> app;
  std::vector<std::string> fields;
  std::string app_tz;
  std::string window = "10min";
  std::string memory_limit;
  bool explain = false;
  std::string format = "text";
  std::string tz;
  bool utc = false;
  bool pretty = false;
  std::string sparkline = "auto";
  std::vector<std::string> journals;    // positional: journal inputs giving each lifetime's exit class
  std::vector<std::string> units;
  std::vector<std::string> fail_on;
  unsigned jobs = 0;                    // -j; 0: the number of cores
  bool journal_failed = false;          // set by attach_journal_exits: a --fail-on class matched
};

// With journal inputs: each lifetime's end is matched to the journal exit that followed its last
// sample (before the next lifetime began), so the lifetime list says how each process died.
bool attach_journal_exits(const MemoryArgs& a, std::vector<correlate::MemoryReport>& reports,
                          correlate::MemoryOptions& mem, std::vector<classify::Exit>& exits) {
  pipeline::ExitsQuery q;
  q.inputs = a.journals;
  q.selection.unit_globs = a.units;
  q.parse.zone = a.utc ? Zone::utc() : Zone(a.tz);
  q.parse.jobs = a.jobs ? a.jobs : default_jobs();
  const auto run = pipeline::run_exits(q);
  std::fputs(report::format_input_diagnostics(run).c_str(), stderr);
  for (const auto& x : run.exits)
    if (x.exited_at) mem.exit_marks.push_back(*x.exited_at);
  pipeline::tie_lifetimes_to_exits(run.exits, reports, q.parse.zone);
  const auto fail_on = parse_classes(a.fail_on);
  exits = run.exits;
  return std::any_of(run.exits.begin(), run.exits.end(), [&](const classify::Exit& x) {
    return std::find(fail_on.begin(), fail_on.end(), x.cls) != fail_on.end();
  });
}

// Options -> library options; usage errors are reported here and end the run with status 2.
bool build_options(const MemoryArgs& a, input::AppReadOptions& read, correlate::MemoryOptions& mem) {
  for (const auto& f : a.fields)
    if (auto r = input::parse_field_override(f, read.fields); !r) {
      std::fprintf(stderr, "crashsift: error: --field %s: %s\n", f.c_str(), r.error().c_str());
      return false;
    }
  read.zone = a.app_tz.empty() ? Zone::utc() : Zone(a.app_tz);
  read.jobs = a.jobs ? a.jobs : default_jobs();
  const auto w = parse_duration_seconds(a.window);
  if (!w || *w <= 0) {
    std::fprintf(stderr, "crashsift: error: --window %s: expected a duration like 10min, 90s, 1h\n", a.window.c_str());
    return false;
  }
  mem.window_s = *w;
  if (!a.memory_limit.empty()) {
    mem.memory_limit = parse_size(a.memory_limit);
    if (!mem.memory_limit || *mem.memory_limit == 0) {
      std::fprintf(stderr, "crashsift: error: --memory-limit %s: expected a size like 24G or 512M\n",
                   a.memory_limit.c_str());
      return false;
    }
  }
  return true;
}

int run_memory(const MemoryArgs& a) {
  input::AppReadOptions read;
  correlate::MemoryOptions mem;
  if (!build_options(a, read, mem)) return exit_usage;
  auto apps = correlate::load_app_inputs(a.app, read);
  if (!apps) {
    std::fprintf(stderr, "crashsift: error: %s\n", apps.error().c_str());
    return exit_usage;
  }
  for (const auto& app : *apps)
    for (const auto& w : report::input_warnings(app)) std::fprintf(stderr, "crashsift: %s\n", w.c_str());
  if (a.explain) {
    for (const auto& app : *apps) std::cout << report::format_field_explanation(app);
    return exit_ok;
  }
  std::vector<correlate::MemoryReport> reports;
  reports.reserve(apps->size());
  std::vector<report::MemoryView> views;
  for (const auto& app : *apps) reports.push_back(correlate::analyze_memory(app, mem));
  bool journal_matched = false;
  std::vector<classify::Exit> journal_exits;
  if (!a.journals.empty()) {
    try {
      journal_matched = attach_journal_exits(a, reports, mem, journal_exits);
    } catch (const CLI::ValidationError& e) {
      std::fprintf(stderr, "crashsift memory: error: %s\n", e.what());
      return exit_usage;
    }
  }
  for (size_t i = 0; i < apps->size(); ++i) views.push_back({&(*apps)[i], &reports[i]});
  report::FormatOptions fo;
  fo.zone = a.utc ? Zone::utc() : Zone(a.tz);
  fo.sparkline = a.sparkline == "always" || (a.sparkline == "auto" && ::isatty(1));
  if (a.format == "svg") std::cout << report::format_charts_svg(pipeline::memory_charts(*apps, reports, journal_exits, mem.memory_limit, fo.zone));
  else if (a.format == "json") std::cout << report::format_memory_json(views, a.pretty);
  else if (a.format == "markdown") std::cout << report::format_memory_markdown(views, fo);
  else std::cout << report::format_memory_text(views, fo);
  bool any_samples = false;
  for (const auto& app : *apps) any_samples = any_samples || !app.series.empty();
  if (!any_samples) std::fprintf(stderr, "crashsift: error: no memory samples in the app logs (try --explain-fields)\n");
  if (!any_samples) return exit_usage;
  return journal_matched ? exit_findings : exit_ok;
}

}  // namespace

void register_memory(CLI::App& root, Commands& commands) {
  auto args = std::make_shared<MemoryArgs>();
  CLI::App* app = root.add_subcommand(
      "memory", "Memory over time from app telemetry: per lifetime, idle baseline, leak or load.");
  app->add_option("JOURNAL", args->journals,
                  "Journal inputs (any form crashsift exits reads): each lifetime then says how the journal saw it end");
  app->add_option("-u,--unit", args->units, "With JOURNAL: only exits of these units (globs)")->allow_extra_args(false);
  app->add_option("--fail-on", args->fail_on,
                  "With JOURNAL: exit with status 1 when an exit of these classes (comma-separated) is in the journal")
      ->allow_extra_args(false);
  // One value per --app (repeat the option, or quote a glob) so that JOURNAL arguments after
  // it are not taken for more app logs.
  app->add_option("--app", args->app, "App log [UNIT=]FILE (NDJSON; globs; rotated sets read oldest first; repeatable)")
      ->required()
      ->allow_extra_args(false);
  app->add_option("--field", args->fields,
                  "Field override ROLE=PATH (time, rss, heap, activity, event, level, pid, version; dotted paths)")
      ->allow_extra_args(false);
  app->add_option("--app-tz", args->app_tz, "Zone for app timestamps without an offset (default UTC)");
  app->add_option("--window", args->window, "Window before each lifetime end for peak and slope (default 10min)");
  app->add_option("--memory-limit", args->memory_limit, "Memory limit (e.g. 24G): lifetimes ending near it are marked");
  app->add_flag("--explain-fields", args->explain, "Show which fields were detected and why, then stop");
  app->add_option("-j,--jobs", args->jobs,
                  "Threads: app logs are prefiltered, and journal JSON and export parsed, in parallel blocks "
                  "(default: the number of cores). The result is the same whatever N")
      ->check(CLI::Range(1u, 256u));
  app->add_option("--format", args->format, "Output format: text, json, markdown, svg (the memory-and-exits chart of each app log)")
      ->check(CLI::IsMember({"text", "json", "markdown", "svg"}));
  app->add_flag("--pretty", args->pretty, "Indent JSON output");
  auto* tz = app->add_option("--tz", args->tz, "Show times in this zone (default: local)");
  app->add_flag("--utc", args->utc, "Show times in UTC")->excludes(tz);
  app->add_option("--sparkline", args->sparkline, "Draw the rss sparkline: auto (on a terminal), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  commands.push_back({app, [args] { return run_memory(*args); }});
}

}  // namespace crashsift::tool
