// `crashsift exits [INPUT...]`: every service exit in the input, classified.
#include <algorithm>
#include <memory>
#include <cstdio>
#include <unistd.h>

#include "cli.hpp"
#include "exits_options.hpp"
#include "command.hpp"
#include "crashsift/core/text.hpp"
#include "crashsift/pipeline/exits_run.hpp"
#include "crashsift/report/exits_report.hpp"
#include "exit_status.hpp"

namespace crashsift::tool {

namespace {


int run(const ExitsOptions& o) {
  pipeline::ExitsQuery q;
  std::vector<classify::ExitClass> fail_on;
  try {
    q = make_query(o);
    fail_on = parse_classes(o.fail_on);
  } catch (const CLI::ValidationError& e) {
    std::fprintf(stderr, "crashsift exits: error: %s\n", e.what());
    return exit_usage;
  }
  auto fails = [&](const classify::Exit& x) { return std::find(fail_on.begin(), fail_on.end(), x.cls) != fail_on.end(); };
  // Every format but Markdown is written as it is made, exits as soon as they are final: no
  // whole output string and (with one input) no list of every exit is held.
  OutputSink sink(o.out);
  if (!sink.ok()) return exit_usage;
  const report::Emit emit = [&](std::string_view s) { sink.write(s); };
  const report::TextStyle style{resolve_zone(o.out), resolve_color(o.out), o.evidence};
  std::unique_ptr<report::ExitsWriter> writer;
  if (o.out.format == "json") writer = report::make_json_exits_writer(o.out.pretty, emit);
  else if (o.out.format == "ndjson") writer = report::make_ndjson_exits_writer(emit);
  else if (o.out.format != "markdown") writer = report::make_text_exits_writer(style, emit);
  bool matched = false;
  if (writer)
    q.on_final_exits = [&](std::vector<classify::Exit>& exits,
                           const std::vector<std::pair<size_t, report::CoreAttachment>>& cores,
                           const std::vector<InputReport>& inputs, const report::BatchSamples& samples) {
      if (q.progress) std::fprintf(stderr, "\r\x1b[K");
      writer->write_final(exits, cores, inputs, samples);
      sink.flush();
      matched = matched || std::any_of(exits.begin(), exits.end(), fails);
    };
  report::ExitsReport r = pipeline::run_exits(q);
  if (q.progress) std::fprintf(stderr, "\r\x1b[K");
  const std::string diag = report::format_input_diagnostics(r);
  if (!o.quiet || !r.usable()) std::fputs(diag.c_str(), stderr);
  const bool usable = r.usable();
  if (!usable) {
    std::fprintf(stderr, "crashsift: error: nothing usable was read from the input\n");
    // A script reading JSON still gets the document: every input with its error, no exits.
    if (o.out.format != "json" && o.out.format != "ndjson") {
      sink.close();
      return exit_usage;
    }
    r.warnings.push_back({"nothing-usable", "nothing usable was read from the input"});
  }
  if (writer) writer->finish(r);
  else emit(report::format_exits_markdown(r, style));
  if (!sink.close() || !usable) return exit_usage;
  matched = matched || std::any_of(r.exits.begin(), r.exits.end(), fails);
  if (matched) return exit_findings;
  // An input that could not be read at all is an input error, even when others were usable.
  if (r.any_input_unreadable()) return exit_usage;
  return exit_ok;
}

}  // namespace

void register_exits(CLI::App& root, Commands& commands) {
  auto opts = std::make_shared<ExitsOptions>();
  CLI::App* app = root.add_subcommand("exits", "List every process death, classified, with the evidence (witnesses) that decided it");
  app->footer(
      "Exit status: 0 ok; 1 an exit matched --fail-on; 2 usage error or nothing usable read; 3 internal error.\n"
      "Skipped input lines are reported on stderr and in the JSON 'inputs' block; they never change the status.\n"
      "See crashsift-exits(1) and crashsift-json(5).");
  add_input_options(app, *opts);
  add_selection_options(app, *opts);
  add_app_options(app, *opts);
  add_core_options(app, *opts);
  app->add_flag("--evidence", opts->evidence, "Text/Markdown: print the deciding lines under each exit")->group("Output");
  app->add_flag("-q,--quiet", opts->quiet, "Do not report skipped lines on stderr (they stay in the JSON)")->group("Output");
  add_output_options(*app, opts->out);
  commands.push_back({app, [opts] { return run(*opts); }});
}

}  // namespace crashsift::tool
