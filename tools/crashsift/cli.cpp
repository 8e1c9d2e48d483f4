#include "cli.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <unistd.h>

#include "crashsift/core/text.hpp"

namespace crashsift::tool {

void add_output_options(CLI::App& app, OutputOptions& o, bool with_ndjson, bool with_html) {
  std::vector<std::string> formats = {"text", "json", "markdown"};
  if (with_ndjson) formats.insert(formats.begin() + 2, "ndjson");
  if (with_html) formats.push_back("html");
  app.add_option("--format", o.format,
                 with_ndjson ? "Output format: text (default), json (one versioned document), ndjson (one object "
                               "per line, then a summary), markdown (for incident documents)"
                 : with_html ? "Output format: text (default), json, markdown, html (one self-contained file with "
                               "the charts)"
                             : "Output format: text (default), json, markdown")
      ->check(CLI::IsMember(formats))
      ->group("Output");
  app.add_flag("--pretty", o.pretty, "Indent JSON output")->group("Output");
  add_display_options(app, o);
}

void add_display_options(CLI::App& app, OutputOptions& o) {
  app.add_option("--color", o.color, "Colour: auto (terminal only, honours NO_COLOR), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->group("Output");
  app.add_option("--tz", o.tz,
                 "Time zone for text/Markdown times and for reading text timestamps that carry no offset "
                 "(IANA name, e.g. Asia/Tokyo; default: the local zone, like journalctl). JSON is always UTC.")
      ->group("Output");
  app.add_flag("--utc", o.utc, "Shorthand for --tz UTC")->group("Output")->excludes("--tz");
  app.add_option("-o,--output", o.output, "Write the result to FILE instead of standard output")->group("Output");
}

Zone resolve_zone(const OutputOptions& o) {
  if (o.utc) return Zone::utc();
  return Zone(o.tz);
}

void validate_zone(const std::string& tz) {
  if (tz.empty() || Zone(tz).is_utc()) return;
  // The C library silently treats an unknown zone as UTC; say so instead of printing UTC times
  // under the zone's name.
  const std::string dir = std::getenv("TZDIR") ? std::getenv("TZDIR") : "/usr/share/zoneinfo";
  if (tz.find("..") == std::string::npos && access((dir + "/" + tz).c_str(), R_OK) == 0) return;
  throw CLI::ValidationError("--tz", "unknown time zone '" + tz + "' (an IANA name like Asia/Tokyo; is tzdata installed?)");
}

bool resolve_color(const OutputOptions& o) {
  if (o.color == "always") return true;
  if (o.color == "never" || !o.output.empty() || o.format != "text") return false;
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color && *no_color) return false;
  const char* term = std::getenv("TERM");
  if (term && std::string_view(term) == "dumb") return false;
  return isatty(STDOUT_FILENO) == 1;
}

bool write_output(const OutputOptions& o, const std::string& text) {
  if (o.output.empty() || o.output == "-") {
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
    return true;
  }
  std::ofstream f(o.output, std::ios::binary | std::ios::trunc);
  f << text;
  f.close();
  if (!f) {
    std::fprintf(stderr, "crashsift: error: cannot write %s: %s\n", o.output.c_str(), std::strerror(errno));
    return false;
  }
  return true;
}

CLI::Validator not_an_option(const std::string& option) {
  return CLI::Validator(
      [option](std::string& value) -> std::string {
        if (!value.empty() && value.front() == '-') return option + " takes a directory, not the option '" + value + "'";
        return {};
      },
      "DIR");
}

OutputSink::OutputSink(const OutputOptions& o) : path_(o.output) {
  if (o.output.empty() || o.output == "-") {
    file_ = stdout;
    return;
  }
  file_ = std::fopen(o.output.c_str(), "wb");
  owned_ = file_ != nullptr;
  if (!file_) std::fprintf(stderr, "crashsift: error: cannot write %s: %s\n", o.output.c_str(), std::strerror(errno));
}

OutputSink::~OutputSink() {
  if (owned_) std::fclose(file_);
}

void OutputSink::write(std::string_view s) {
  if (file_) std::fwrite(s.data(), 1, s.size(), file_);
}

void OutputSink::flush() {
  if (file_) std::fflush(file_);
}

bool OutputSink::close() {
  const bool failed = !file_ || std::fflush(file_) != 0 || std::ferror(file_);
  if (owned_) std::fclose(file_), owned_ = false;
  if (failed && errno != EPIPE)
    std::fprintf(stderr, "crashsift: error: cannot write %s\n", path_.empty() ? "standard output" : path_.c_str());
  return !failed || errno == EPIPE;
}

std::vector<classify::ExitClass> parse_classes(const std::vector<std::string>& values) {
  std::vector<classify::ExitClass> out;
  for (const auto& v : values)
    for (auto part : split(v, ',')) {
      part = trim(part);
      if (part.empty()) continue;
      if (part == "all") {
        for (auto c : classify::all_exit_classes())
          if (c != classify::ExitClass::clean) out.push_back(c);
        continue;
      }
      auto c = classify::exit_class_from_string(part);
      if (!c)
        throw CLI::ValidationError("--fail-on/--class", "unknown exit class '" + std::string(part) +
                                                            "' (clean, self-exit, segfault, oom, watchdog, "
                                                            "timeout, killed, unknown, all)");
      out.push_back(*c);
    }
  return out;
}

}  // namespace crashsift::tool
