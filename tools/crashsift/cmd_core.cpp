// `crashsift core CORE`: a core dump (plain or as systemd-coredump stores it) to a crash header,
// every thread's backtrace and the module list. Parses options, calls lib/symbolize, prints.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>

#include "command.hpp"
#include "crashsift/core/text.hpp"
#include "crashsift/report/core_format.hpp"
#include "crashsift/symbolize/core_json.hpp"
#include "crashsift/symbolize/symbolize.hpp"
#include "exit_status.hpp"

namespace crashsift::tool {

namespace {

namespace sym = crashsift::symbolize;

struct CoreArgs {
  sym::CoreRequest req;
  std::string format = "text";
  bool pretty = false;
  bool crashing_only = false;
  bool no_modules = false;
  bool no_isolate = false;
  std::string memory_limit;
  std::string output;
  std::vector<std::string> fail_on;
};

// --fail-on conditions: a signal (SIGSEGV, SEGV, 11), "any" (any fatal signal), "partial",
// "unsymbolized" (crashing thread has no named frame), "missing-modules".
bool condition_matches(const std::string& cond, const sym::CoreReport& r) {
  const auto& c = r.crash;
  if (cond == "any") return c.signal.has_value();
  if (cond == "partial") return !r.complete;
  if (cond == "unsymbolized") return !r.signature || !r.signature->symbolized;
  if (cond == "missing-modules") {
    for (const auto& w : r.warnings)
      if (w.code == "module-missing" || w.code == "module-build-id-mismatch") return true;
    return false;
  }
  if (!c.signal) return false;
  std::string want = cond;
  for (auto& ch : want) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  if (want.rfind("SIG", 0) != 0 && !want.empty() && !std::isdigit(static_cast<unsigned char>(want[0]))) want = "SIG" + want;
  return want == c.signal_name || want == std::to_string(*c.signal);
}

bool valid_condition(const std::string& cond) {
  static const char* fixed[] = {"any", "partial", "unsymbolized", "missing-modules"};
  for (const char* f : fixed)
    if (cond == f) return true;
  std::string up = cond;
  for (auto& ch : up) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  if (!up.empty() && std::isdigit(static_cast<unsigned char>(up[0]))) return up.find_first_not_of("0123456789") == std::string::npos;
  if (up.rfind("SIG", 0) == 0) up = up.substr(3);
  static const char* sigs[] = {"SEGV", "ABRT", "BUS", "ILL", "FPE", "TRAP", "SYS", "QUIT", "XCPU", "XFSZ", "KILL", "TERM"};
  for (const char* s : sigs)
    if (up == s) return true;
  return false;
}

std::string render(const CoreArgs& a, const sym::CoreReport& r) {
  report::CoreFormatOptions fo;
  fo.all_threads = !a.crashing_only;
  fo.modules = !a.no_modules;
  if (a.format == "json") return sym::to_json_string(r, a.pretty) + "\n";
  if (a.format == "markdown") return report::format_core_markdown(r, fo);
  return report::format_core_text(r, fo);
}

bool write_out(const std::string& path, const std::string& text) {
  if (path.empty() || path == "-") {
    std::cout << text;
    return true;
  }
  std::ofstream f(path, std::ios::binary);
  f << text;
  if (!f) std::fprintf(stderr, "crashsift: error: failed to write %s: %s\n", path.c_str(), std::strerror(errno));
  return static_cast<bool>(f);
}

bool any_frames(const sym::CoreReport& r) {
  for (const auto& t : r.threads)
    if (!t.frames.empty()) return true;
  return false;
}

bool prepare(CoreArgs& a) {
  for (const auto& c : a.fail_on)
    for (auto part : split(c, ','))
      if (!valid_condition(std::string(trim(part)))) {
        std::fprintf(stderr, "crashsift: error: --fail-on %s: expected a signal (SIGSEGV, abrt, 11), any, partial, "
                     "unsymbolized or missing-modules\n", std::string(part).c_str());
        return false;
      }
  if (!a.memory_limit.empty()) {
    const auto bytes = parse_size(a.memory_limit);
    if (!bytes || *bytes < (64u << 20)) {
      std::fprintf(stderr, "crashsift: error: --memory-limit %s: expected a size of at least 64M\n", a.memory_limit.c_str());
      return false;
    }
    a.req.memory_limit = *bytes;
  }
  if (a.req.timeout_sec <= 0) {
    std::fprintf(stderr, "crashsift: error: --timeout must be positive\n");
    return false;
  }
  a.req.isolate = !a.no_isolate;
  return true;
}

int run_core(CoreArgs& a) {
  if (!prepare(a)) return exit_usage;
  auto result = sym::symbolize_core(a.req);
  if (!result) {
    const bool internal = result.error().rfind("internal error", 0) == 0;
    std::fprintf(stderr, "crashsift: error: failed to read core %s: %s\n", a.req.core_path.c_str(), result.error().c_str());
    return internal ? exit_internal : exit_usage;
  }
  const sym::CoreReport& r = *result;
  if (!write_out(a.output, render(a, r))) return exit_usage;
  if (!r.complete)
    std::fprintf(stderr, "crashsift: warning: %s: partial result (see the warnings in the report)\n", a.req.core_path.c_str());
  if (!any_frames(r)) {
    std::fprintf(stderr, "crashsift: error: %s: no thread could be unwound\n", a.req.core_path.c_str());
    return exit_usage;
  }
  for (const auto& c : a.fail_on)
    for (auto part : split(c, ','))
      if (condition_matches(std::string(trim(part)), r)) return exit_findings;
  return exit_ok;
}

}  // namespace

void register_core(CLI::App& root, Commands& commands) {
  auto a = std::make_shared<CoreArgs>();
  CLI::App* app = root.add_subcommand(
      "core", "Core dump to backtraces: crash header, every thread (crashing first), modules.");
  app->add_option("CORE", a->req.core_path, "Core file: plain, or systemd-coredump's .zst/.lz4/.xz")
      ->required()->check(CLI::ExistingFile);
  app->add_option("--exe", a->req.exe, "The executable that crashed, when the path in the core is wrong or gone");
  app->add_option("--sysroot", a->req.sysroot, "Root of the container the core came from (files matched by build-id)")
      ->check(CLI::ExistingDirectory);
  app->add_option("--debug-dir", a->req.debug_dirs,
                  "Directory with separate debug info (.build-id/xx/yyyy.debug, NAME.debug); repeatable")
      ->check(CLI::ExistingDirectory)->allow_extra_args(false);
  app->add_flag("--debuginfod", a->req.debuginfod, "Also ask the DEBUGINFOD_URLS servers (bounded by --timeout)");
  app->add_option("--timeout", a->req.timeout_sec, "Give up symbolizing after SEC seconds (default 60)");
  app->add_option("--memory-limit", a->memory_limit, "Memory limit of the symbolizer on top of the core's size (default 4G)");
  app->add_option("--max-threads", a->req.max_threads, "Unwind at most N threads (default 1024)")
      ->check(CLI::Range(1u, 1u << 20));
  app->add_option("--max-frames", a->req.max_frames, "At most N frames per thread (default 256)")
      ->check(CLI::Range(1u, 1u << 20));
  app->add_option("--format", a->format, "Output format: text, json, markdown")
      ->check(CLI::IsMember({"text", "json", "markdown"}));
  app->add_flag("--pretty", a->pretty, "Indent JSON output");
  app->add_option("-o,--output", a->output, "Write the report to FILE instead of stdout");
  app->add_flag("--crashing-only", a->crashing_only, "Show only the crashing thread");
  app->add_flag("--no-modules", a->no_modules, "Leave out the module list (text, markdown)");
  app->add_option("--fail-on", a->fail_on,
                  "Exit 1 when the crash matches: a signal (SIGSEGV, abrt, 11), any, partial, unsymbolized, missing-modules")
      ->allow_extra_args(false);
  app->add_flag("--no-isolate", a->no_isolate, "Symbolize in this process (debugging; a bad core can then crash crashsift)")
      ->group("");
  commands.push_back({app, [a] { return run_core(*a); }});
}

}  // namespace crashsift::tool
