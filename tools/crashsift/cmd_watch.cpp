// `crashsift watch [INPUT]`: a live stream of journal entries (`journalctl -f -o export |
// crashsift watch -`), each death classified and written as soon as its evidence has settled.
#include <algorithm>
#include <cstdio>
#include <memory>

#include "cli.hpp"
#include "command.hpp"
#include "crashsift/input/parser.hpp"
#include "crashsift/pipeline/exits_run.hpp"
#include "crashsift/report/exits_report.hpp"
#include "exit_status.hpp"
#include "exits_options.hpp"

namespace crashsift::tool {

namespace {

struct WatchOptions {
  ExitsOptions exits;
  std::string input = "-";
  double settle_sec = 10;
};

int run(WatchOptions& o) {
  pipeline::ExitsQuery q;
  std::vector<classify::ExitClass> fail_on;
  o.exits.inputs = {o.input};
  o.exits.jobs = 1;
  try {
    q = make_query(o.exits);
    fail_on = parse_classes(o.exits.fail_on);
  } catch (const CLI::ValidationError& e) {
    std::fprintf(stderr, "crashsift watch: error: %s\n", e.what());
    return exit_usage;
  }
  q.live = pipeline::ExitsQuery::Live{};
  q.live->settle = static_cast<UsecUtc>(o.settle_sec * usec_per_sec);
  OutputSink sink(o.exits.out);
  if (!sink.ok()) return exit_usage;
  const report::Emit emit = [&](std::string_view s) { sink.write(s); };
  const report::TextStyle style{resolve_zone(o.exits.out), resolve_color(o.exits.out), o.exits.evidence};
  std::unique_ptr<report::ExitsWriter> writer = o.exits.out.format == "ndjson" ? report::make_ndjson_exits_writer(emit)
                                                                               : report::make_text_exits_writer(style, emit);
  bool matched = false;
  auto fails = [&](const classify::Exit& x) { return std::find(fail_on.begin(), fail_on.end(), x.cls) != fail_on.end(); };
  q.on_final_exits = [&](std::vector<classify::Exit>& exits,
                         const std::vector<std::pair<size_t, report::CoreAttachment>>& cores,
                         const std::vector<InputReport>& inputs) {
    writer->write_final(exits, cores, inputs);
    sink.flush();  // a death is on the reader's screen (or in its pipe) the moment it is known
    matched = matched || std::any_of(exits.begin(), exits.end(), fails);
  };
  if (!pipeline::streams_exits(q)) {
    std::fprintf(stderr, "crashsift watch: error: -b with an offset needs every boot first; give a boot ID prefix\n");
    return exit_usage;
  }
  report::ExitsReport r = pipeline::run_exits(q);
  const std::string diag = report::format_input_diagnostics(r);
  if (!o.exits.quiet || !r.usable()) std::fputs(diag.c_str(), stderr);
  if (!r.usable()) {
    std::fprintf(stderr, "crashsift: error: nothing usable was read from the input\n");
    sink.close();
    return exit_usage;
  }
  writer->finish(r);
  if (!sink.close()) return exit_usage;
  matched = matched || std::any_of(r.exits.begin(), r.exits.end(), fails);
  return matched ? exit_findings : exit_ok;
}

}  // namespace

void register_watch(CLI::App& root, Commands& commands) {
  auto opts = std::make_shared<WatchOptions>();
  CLI::App* app = root.add_subcommand(
      "watch", "Follow a live journal stream and write each death, classified, as soon as its evidence has settled");
  app->footer(
      "Example: journalctl -f -o export | crashsift watch -\n"
      "Exit status: 0 the stream ended; 1 an exit matched --fail-on; 2 usage error or nothing usable read; "
      "3 internal error.\nSee crashsift-watch(1) and crashsift-json(5).");
  app->add_option("INPUT", opts->input,
                  "The stream: '-' (standard input, the default) or a FIFO; journalctl -o export, json or any "
                  "text form, compressed or not. A regular file is read to its end, not followed")
      ->group("Input");
  app->add_option("--input-format", opts->exits.input_format, "Force the input format instead of detecting it")
      ->check(CLI::IsMember(input::format_names()))
      ->group("Input");
  app->add_option("--year", opts->exits.year, "Year for `short` timestamps, which have none (default: from the file's mtime)")
      ->group("Input");
  app->add_option("--settle", opts->settle_sec,
                  "Seconds an exit waits for its later evidence (the kernel's kill line, the coredump record, "
                  "PID 1's result line) before it is written; evidence later than that is not joined to it")
      ->check(CLI::Range(0.0, 3600.0))
      ->group("Input");
  add_selection_options(app, opts->exits);
  app->add_flag("--evidence", opts->exits.evidence, "Text: print the deciding lines under each exit")->group("Output");
  app->add_flag("-q,--quiet", opts->exits.quiet, "Do not report skipped lines on stderr")->group("Output");
  app->add_option("--format", opts->exits.out.format,
                  "Output format: text (default, one line per exit) or ndjson (one crashsift/exit/1 object per "
                  "line, then a summary when the stream ends)")
      ->check(CLI::IsMember({"text", "ndjson"}))
      ->group("Output");
  app->add_option("--color", opts->exits.out.color, "Colour: auto (terminal only, honours NO_COLOR), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->group("Output");
  app->add_option("--tz", opts->exits.out.tz, "Time zone for text times and for reading text timestamps without an offset")
      ->group("Output");
  app->add_flag("--utc", opts->exits.out.utc, "Shorthand for --tz UTC")->group("Output")->excludes("--tz");
  app->add_option("-o,--output", opts->exits.out.output, "Write to FILE instead of standard output")->group("Output");
  commands.push_back({app, [opts] { return run(*opts); }});
}

}  // namespace crashsift::tool
