// std::terminate from an exception escaping a noexcept member function: top frames are libc's
// abort and libstdc++'s terminate machinery; the signature must skip those and start at
// app::Parser::parse.
#include <cstdio>
#include <stdexcept>
#include <string>

namespace app {
struct Parser {
  std::string input;
  __attribute__((noinline)) void parse() noexcept {
    if (!input.empty()) throw std::runtime_error("unexpected token in " + input);
  }
};
__attribute__((noinline)) void run(Parser& p) { p.parse(); }
}  // namespace app

int main(int argc, char**) {
  app::Parser p{argc > 0 ? "config.toml" : ""};
  app::run(p);
  std::puts("unreachable");
  return 0;
}
