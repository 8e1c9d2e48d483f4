#include "command.hpp"
namespace crashsift::tool {
void register_generate(CLI::App&, Commands&) {}
void register_exits(CLI::App&, Commands&) {}
}
