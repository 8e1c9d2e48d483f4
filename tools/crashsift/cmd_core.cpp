// PLACEHOLDER: the 'core' subcommand is being built.
#include "command.hpp"

namespace crashsift::tool {
void register_core(CLI::App&, Commands&) {}
}  // namespace crashsift::tool
