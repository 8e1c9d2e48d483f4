#pragma once
// The verb table: every subcommand lives in its own cmd_<verb>.cpp and registers itself here
// through a register_<verb>() function listed in main.cpp.
#include <CLI/CLI.hpp>
#include <functional>
#include <vector>

namespace crashsift::tool {

struct Command {
  CLI::App* app = nullptr;
  std::function<int()> run;   // returns the exit status
};

using Commands = std::vector<Command>;

void register_exits(CLI::App& root, Commands& commands);
void register_core(CLI::App& root, Commands& commands);
void register_memory(CLI::App& root, Commands& commands);
void register_report(CLI::App& root, Commands& commands);
void register_timeline(CLI::App& root, Commands& commands);
void register_watch(CLI::App& root, Commands& commands);
void register_generate(CLI::App& root, Commands& commands);

}  // namespace crashsift::tool
