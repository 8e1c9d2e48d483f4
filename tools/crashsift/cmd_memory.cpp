// PLACEHOLDER: the 'memory' subcommand is being built.
#include "command.hpp"

namespace crashsift::tool {
void register_memory(CLI::App&, Commands&) {}
}  // namespace crashsift::tool
