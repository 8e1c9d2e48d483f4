// crashsift: thin front end. Parses the command line, dispatches to one verb, and maps the
// outcome to the documented exit status. All logic lives in lib/.
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <exception>
#include <iostream>

#include "command.hpp"
#include "crashsift/version.hpp"
#include "exit_status.hpp"

using namespace crashsift::tool;

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);  // a closed pipe (| head) ends output quietly, see below
  CLI::App root{"crashsift: crash forensics for systemd services.\n"
                "Reads journals, app telemetry and core dumps; says why each process exited."};
  root.set_version_flag("--version", std::string("crashsift ") + crashsift::version_string);
  root.require_subcommand(1);
  root.fallthrough();
  Commands commands;
  register_exits(root, commands);
  register_report(root, commands);
  register_timeline(root, commands);
  register_memory(root, commands);
  register_core(root, commands);
  register_watch(root, commands);
  register_generate(root, commands);
  if (argc > 1 && argv[1][0] != '-') {
    bool known = false;
    for (const auto& c : commands) known = known || c.app->get_name() == argv[1];
    if (!known) {
      std::fprintf(stderr, "crashsift: error: unknown command '%s' (commands: exits, report, timeline, memory, core; "
                           "see crashsift --help)\n", argv[1]);
      return exit_usage;
    }
  }
  try {
    root.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return root.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return root.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return root.exit(e);
  } catch (const CLI::ParseError& e) {
    root.exit(e);
    return exit_usage;  // CLI11 would return 100+; our contract says 2
  }
  try {
    for (auto& c : commands)
      if (c.app->parsed()) {
        const int rc = c.run();
        std::cout.flush();
        if (!std::cout) return rc == exit_internal ? rc : (errno == EPIPE ? rc : exit_internal);
        return rc;
      }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "crashsift: internal error: %s\n(please report this with the input that caused it)\n",
                 e.what());
    return exit_internal;
  }
  return exit_usage;
}
