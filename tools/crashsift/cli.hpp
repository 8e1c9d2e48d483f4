#pragma once
// Options shared by several subcommands, defined once (style.md §6 item 10): output format,
// colour, time zone, output file, and the --fail-on gate.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "crashsift/classify/exit.hpp"
#include "crashsift/core/time.hpp"

namespace crashsift::tool {

struct OutputOptions {
  std::string format = "text";   // text | json | ndjson | markdown
  std::string color = "auto";    // auto | always | never
  std::string tz;                // --tz ZONE ("" = local zone)
  bool utc = false;
  bool pretty = false;
  std::string output;            // -o FILE ("" = stdout)
};

void add_output_options(CLI::App& app, OutputOptions& o, bool with_ndjson = true, bool with_html = false);
// --color, --tz, --utc, -o: the output options of a command with formats of its own (watch).
void add_display_options(CLI::App& app, OutputOptions& o);
// The zone text timestamps are read and written in.
Zone resolve_zone(const OutputOptions& o);
// Throws CLI::ValidationError for a zone name the system does not know.
void validate_zone(const std::string& tz);
// Colour only on a terminal, never with NO_COLOR or TERM=dumb, never into a file.
bool resolve_color(const OutputOptions& o);
// Writes to -o FILE or stdout. False (with a message on stderr) when the file cannot be written.
bool write_output(const OutputOptions& o, const std::string& text);
// A check for options that take a path: "--charts --tz X" must not make a directory "--tz".
CLI::Validator not_an_option(const std::string& option);

// Streaming output to -o FILE or stdout.
class OutputSink {
 public:
  explicit OutputSink(const OutputOptions& o);
  ~OutputSink();
  bool ok() const { return file_ != nullptr; }
  void write(std::string_view s);
  void flush();  // what was written reaches the reader now (a pipe, a terminal)
  bool close();  // false (with a message) when writing failed

 private:
  std::FILE* file_ = nullptr;
  std::string path_;
  bool owned_ = false;
};

// "oom,segfault" (repeatable) -> classes. Throws CLI::ValidationError on an unknown name.
std::vector<classify::ExitClass> parse_classes(const std::vector<std::string>& values);

}  // namespace crashsift::tool
