#include <doctest/doctest.h>

#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "crashsift/core/isolated_child.hpp"

using namespace crashsift;

namespace {

std::string read_all(IsolatedChild& c) {
  std::string out;
  char buf[4096];
  for (size_t n; (n = c.read(buf, sizeof buf)) > 0;) out.append(buf, n);
  return out;
}

void write_str(int fd, const std::string& s) {
  if (::write(fd, s.data(), s.size()) < 0) std::_Exit(9);
}

}  // namespace

TEST_CASE("isolated child: output is read, a clean exit is clean") {
  auto child = IsolatedChild::start({}, [](int out) {
    write_str(out, "hello ");
    write_str(out, "world");
    return 0;
  });
  REQUIRE(child);
  CHECK(read_all(**child) == "hello world");
  const ChildEnd end = (*child)->wait();
  CHECK(end.clean());
  CHECK(end.describe() == "ended");
}

TEST_CASE("isolated child: an abort keeps what was written and the assertion text on stderr") {
  auto child = IsolatedChild::start({}, [](int out) {
    write_str(out, "entry 1\n");
    std::fprintf(stderr, "some noise\nAssertion 'last_index <= right' failed at src/x.c:2688, function f(). Aborting.\n");
    std::fflush(stderr);
    std::abort();
    return 0;
  });
  REQUIRE(child);
  CHECK(read_all(**child) == "entry 1\n");
  const ChildEnd end = (*child)->wait();
  CHECK_FALSE(end.clean());
  CHECK(end.signal == SIGABRT);
  CHECK(end.describe() == "aborted");
  CHECK(end.last_stderr_line() == "Assertion 'last_index <= right' failed at src/x.c:2688, function f(). Aborting.");
}

TEST_CASE("isolated child: one that makes no progress is stopped after the idle timeout") {
  ChildLimits limits;
  limits.idle_timeout_sec = 0.3;
  auto child = IsolatedChild::start(limits, [](int out) {
    write_str(out, "x");
    for (;;) ::pause();
    return 0;
  });
  REQUIRE(child);
  CHECK(read_all(**child) == "x");
  const ChildEnd end = (*child)->wait();
  CHECK(end.timed_out);
  CHECK(end.describe() == "made no progress and was stopped");
}

TEST_CASE("isolated child: a fault is reported by its signal, an exit status by its number") {
  auto segv = IsolatedChild::start({}, [](int) {
    std::raise(SIGSEGV);
    return 0;
  });
  REQUIRE(segv);
  read_all(**segv);
  CHECK((*segv)->wait().describe() == "crashed with SIGSEGV");
  auto failed = IsolatedChild::start({}, [](int) { return 5; });
  REQUIRE(failed);
  read_all(**failed);
  const ChildEnd end = (*failed)->wait();
  CHECK(end.exit_code == 5);
  CHECK(end.describe() == "failed (exit status 5)");
}
