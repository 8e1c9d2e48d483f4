// Structured fields first, exact text always: EXIT_CODE/EXIT_STATUS, UNIT_RESULT and N_RESTARTS
// decide where a journal form carries them; the MESSAGE text fills in the rest.
#include <doctest/doctest.h>

#include "crashsift/classify/tracker.hpp"
#include "support/events.hpp"
#include "support/track.hpp"

using namespace crashsift;
using namespace crashsift::classify;
using namespace crashsift::test;

namespace {

Event exit_record(UsecUtc t, std::string message, std::string code, int status, std::string unit = "app.service") {
  Event e = pid1(t, std::move(message));
  e.message_id = message_ids::process_exit;
  e.exit_code = std::move(code);
  e.exit_status = status;
  e.unit = std::move(unit);
  e.command = "ExecStart";
  return e;
}
}  // namespace

TEST_CASE("structured: EXIT_CODE/EXIT_STATUS decide over a cut text") {
  // A LineMax cut or a pager ellipsized the text; the fields still say SIGSEGV.
  const auto c = track({exit_record(t0, "app.service: Main process exited, code=dumped, status=11/S", "dumped", 11)});
  REQUIRE(c.exits.size() == 1);
  CHECK(c.exits[0].signal == "SEGV");
  CHECK(c.exits[0].cls == ExitClass::segfault);
}

TEST_CASE("structured: an exit record whose text cannot be read is still an exit") {
  const auto c = track({exit_record(t0, "app.service: Hauptprozess beendet, code=exited, status=3", "exited", 3)});
  REQUIRE(c.exits.size() == 1);
  CHECK(c.exits[0].unit == "app.service");
  CHECK(c.exits[0].code == 3);
  CHECK(c.exits[0].cls == ExitClass::self_exit);
}

TEST_CASE("structured: a mount's helper process exit is not a service death") {
  auto e = exit_record(t0, "run-x.mount: Mount process exited, code=exited, status=32/n/a", "exited", 32, "run-x.mount");
  e.command = "n/a";
  CHECK(track({e}).exits.empty());
}

TEST_CASE("structured: UNIT_RESULT and N_RESTARTS decide over the text") {
  Event result = pid1(t0 + ms(1), "app.service: Failed with result 'exit-code'.");
  result.unit_result = "oom-kill";
  Event restart = pid1(t0 + ms(100), "app.service: Scheduled restart job, restart counter is at 4.");
  restart.n_restarts = 5;
  const auto c = track({exit_record(t0, "app.service: Main process exited, code=killed, status=9/KILL", "killed", 9),
                      result, restart});
  REQUIRE(c.exits.size() == 1);
  CHECK(c.exits[0].unit_result == "oom-kill");
  CHECK(c.exits[0].restart_counter == 5);
  CHECK(c.exits[0].cls == ExitClass::oom);
}
