// systemd v219-v237 wordings ("Unit X entered failed state.", "X start operation timed out.",
// "X: Unit entered failed state.") and exit lines a pager ellipsized: first through
// parse_systemd_message, then through ExitTracker, with the line sequences of real pastes
// (testdata/pastes/025, 027, 029, 040).
#include <doctest/doctest.h>

#include "crashsift/classify/systemd_lines.hpp"
#include "crashsift/classify/tracker.hpp"
#include "support/events.hpp"
#include "support/track.hpp"

using namespace crashsift;
using namespace crashsift::classify;
using namespace crashsift::test;

// ---- parse_systemd_message ---------------------------------------------------------------

TEST_CASE("old wording: v219 'Unit X entered failed state.' names the unit but no result") {
  auto f = parse_systemd_message("Unit mongod.service entered failed state.", "");
  REQUIRE(f);
  CHECK(f->kind == SystemdFactKind::unit_failed);
  CHECK(f->unit == "mongod.service");
  CHECK(f->result.empty());
  // The UNIT= field, when the form has one, wins over the text.
  auto g = parse_systemd_message("Unit mongod.service entered failed state.", "mongod@2.service");
  REQUIRE(g);
  CHECK(g->unit == "mongod@2.service");
}

TEST_CASE("old wording: v229-v235 'X: Unit entered failed state.'") {
  auto f = parse_systemd_message("lorabridge.service: Unit entered failed state.", "");
  REQUIRE(f);
  CHECK(f->kind == SystemdFactKind::unit_failed);
  CHECK(f->unit == "lorabridge.service");
  CHECK(f->result.empty());
}

TEST_CASE("old wording: v219 'X start operation timed out. Terminating.' and its stop form") {
  auto start = parse_systemd_message("mongod.service start operation timed out. Terminating.", "");
  REQUIRE(start);
  CHECK(start->kind == SystemdFactKind::state_timeout);
  CHECK(start->unit == "mongod.service");
  CHECK(start->state == "start");
  auto stop = parse_systemd_message("mongod.service stop operation timed out. Killing.", "");
  REQUIRE(stop);
  CHECK(stop->kind == SystemdFactKind::state_timeout);
  CHECK(stop->state == "stop");
  auto upper = parse_systemd_message("mongod.service Start operation timed out. Terminating.", "");
  REQUIRE(upper);
  CHECK(upper->state == "start");
  // The v245+ form with the unit prefix reads the same.
  auto prefixed = parse_systemd_message("pgbouncer-sidecar.service: start operation timed out. Terminating.", "");
  REQUIRE(prefixed);
  CHECK(prefixed->kind == SystemdFactKind::state_timeout);
  CHECK(prefixed->unit == "pgbouncer-sidecar.service");
  CHECK(prefixed->state == "start");
}

TEST_CASE("old wording: look-alikes are not failures or timeouts") {
  for (std::string_view msg : {"Unit my app.service entered failed state.",  // a space: no unit name
                               "Unit  entered failed state.",
                               "Unit mongod.service entered failed state",      // no final period
                               "mongod.service failed.",
                               "operation timed out.",
                               "mongod.service the very long operation name here operation timed out."}) {
    CAPTURE(msg);
    auto f = parse_systemd_message(msg, "");
    CHECK((!f || (f->kind != SystemdFactKind::unit_failed && f->kind != SystemdFactKind::state_timeout)));
  }
}

TEST_CASE("ellipsized exit lines: the status number still says it, the cut name is dropped") {
  auto utf8 = parse_systemd_message("imgd.service: Main process exited, code=dumped, status=11/S\xe2\x80\xa6", "");
  REQUIRE(utf8);
  CHECK(utf8->kind == SystemdFactKind::main_exited);
  CHECK(utf8->exit_kind == "dumped");
  CHECK(utf8->status == 11);
  CHECK(utf8->status_name.empty());
  auto ascii = parse_systemd_message("imgd.service: Main process exited, code=killed, status=9/KI...", "");
  REQUIRE(ascii);
  CHECK(ascii->status == 9);
  CHECK(ascii->status_name.empty());
  auto code = parse_systemd_message("imgd.service: Main process exited, code=exited, status=1/FAILU\xe2\x80\xa6", "");
  REQUIRE(code);
  CHECK(code->status == 1);
  CHECK(code->status_name.empty());
  // A whole name is kept.
  auto whole = parse_systemd_message("imgd.service: Main process exited, code=dumped, status=11/SEGV", "");
  REQUIRE(whole);
  CHECK(whole->status_name == "SEGV");
}

// ---- through ExitTracker -----------------------------------------------------------------

namespace {


// PID 1's short-form lines carry times to the second.
Event pid1_s(UsecUtc t, std::string message) {
  Event e = pid1(t, std::move(message));
  e.time_has_usec = false;
  return e;
}

}  // namespace

TEST_CASE("tracker: v219 start timeout with no exit line is one timeout exit (paste 029)") {
  auto c = track({pid1_s(t0, "mongod.service start operation timed out. Terminating."),
                  pid1_s(t0, "Failed to start High-performance, schema-free document-oriented database."),
                  pid1_s(t0, "Unit mongod.service entered failed state."),
                  pid1_s(t0, "mongod.service failed.")});
  REQUIRE(c.exits.size() == 1);
  const Exit& x = c.exits[0];
  CHECK(x.unit == "mongod.service");
  CHECK(x.cls == ExitClass::timeout);
  CHECK(x.cause == "start-timeout");
  CHECK(x.exited_at == t0);
  CHECK(x.exit_kind.empty());
}

TEST_CASE("tracker: v219 'entered failed state' alone is the death's only record") {
  auto c = track({pid1_s(t0, "Unit tomcat.service entered failed state.")});
  REQUIRE(c.exits.size() == 1);
  CHECK(c.exits[0].unit == "tomcat.service");
  CHECK(c.exits[0].cls == ExitClass::unknown);
}

TEST_CASE("tracker: v219 exit line then 'Unit X entered failed state.' is one exit (paste 025)") {
  auto c = track({pid1_s(t0, "tomcat.service: main process exited, code=exited, status=1/FAILURE"),
                  pid1_s(t0, "Unit tomcat.service entered failed state."), pid1_s(t0, "tomcat.service failed.")});
  REQUIRE(c.exits.size() == 1);
  CHECK(c.exits[0].cls == ExitClass::self_exit);
  CHECK(c.exits[0].code == 1);
}

TEST_CASE("tracker: v229 'Unit entered failed state.' after an exit line is not a second exit (paste 027)") {
  auto c = track({pid1_s(t0, "lorabridge.service: Main process exited, code=exited, status=1/FAILURE"),
                  pid1_s(t0, "lorabridge.service: Unit entered failed state."),
                  pid1_s(t0, "lorabridge.service: Failed with result 'exit-code'.")});
  REQUIRE(c.exits.size() == 1);
  const Exit& x = c.exits[0];
  CHECK(x.cls == ExitClass::self_exit);
  CHECK(x.code == 1);
  CHECK(x.unit_result == "exit-code");
}

TEST_CASE("tracker: v229 start limit after the exit: the repeated failure lines add no exit (paste 027)") {
  auto c = track({pid1_s(t0, "lorabridge.service: Main process exited, code=exited, status=1/FAILURE"),
                  pid1_s(t0, "lorabridge.service: Unit entered failed state."),
                  pid1_s(t0, "lorabridge.service: Failed with result 'exit-code'."),
                  pid1_s(t0, "lorabridge.service: Service hold-off time over, scheduling restart."),
                  pid1_s(t0, "Stopped LoRa bridge."),
                  pid1_s(t0, "lorabridge.service: Start request repeated too quickly."),
                  pid1_s(t0, "Failed to start LoRa bridge."),
                  pid1_s(t0, "lorabridge.service: Unit entered failed state."),
                  pid1_s(t0, "lorabridge.service: Failed with result 'start-limit-hit'.")});
  REQUIRE(c.exits.size() == 1);
  CHECK(c.exits[0].cls == ExitClass::self_exit);
  CHECK(c.exits[0].start_limit_hit);
}

TEST_CASE("tracker: v229 exit line and 'Unit entered failed state.' with microsecond times (journal json)") {
  // The failed-state line comes a few microseconds after the exit record it confirms.
  auto c = track({pid1(t0, "lorabridge.service: Main process exited, code=exited, status=1/FAILURE"),
                  pid1(t0 + 40, "lorabridge.service: Unit entered failed state."),
                  pid1(t0 + 55, "lorabridge.service: Failed with result 'exit-code'.")});
  REQUIRE(c.exits.size() == 1);
  CHECK(c.exits[0].code == 1);
}

TEST_CASE("tracker: an ellipsized exit line of a status view still gives the signal (paste 040)") {
  auto c = track({output(t0 - usec_per_sec, "imgd", 2211, "[info] decoding /var/spool/imgd/in/4417.heic", "imgd.service"),
                  pid1_s(t0, "imgd.service: Main process exited, code=dumped, status=11/S\xe2\x80\xa6"),
                  pid1_s(t0, "imgd.service: Failed with result 'core-dump'.")});
  REQUIRE(c.exits.size() == 1);
  const Exit& x = c.exits[0];
  CHECK(x.signal == "SEGV");
  CHECK(x.signal_number == 11);
  CHECK(x.cls == ExitClass::segfault);
  CHECK(x.cause == "segv");
}

TEST_CASE("old wording: application text that merely looks like it names no unit") {
  for (std::string_view msg : {"client.go:88 dial operation timed out.", "Unit foo entered failed state."}) {
    CAPTURE(msg);
    auto f = parse_systemd_message(msg, "");
    CHECK((!f || (f->kind != SystemdFactKind::unit_failed && f->kind != SystemdFactKind::state_timeout)));
  }
}

TEST_CASE("tracker: v237 result line, then 'Unit entered failed state.' microseconds later, is one exit (paste 040)") {
  const auto c = track({pid1(t0, "imgd.service: Main process exited, code=dumped, status=11/SEGV"),
                        pid1(t0 + 120, "imgd.service: Failed with result 'core-dump'."),
                        pid1(t0 + 135, "imgd.service: Unit entered failed state.")});
  REQUIRE(c.exits.size() == 1);
  CHECK(c.exits[0].cls == ExitClass::segfault);
  CHECK(c.exits[0].unit_result == "core-dump");
}

TEST_CASE("tracker: a start-limit line then 'Unit entered failed state.' with no exit before is one death") {
  const auto c = track({pid1(t0, "hub.service: Start request repeated too quickly."),
                        pid1(t0 + 10, "hub.service: Unit entered failed state.")});
  REQUIRE(c.exits.size() == 1);
  CHECK(c.exits[0].unit == "hub.service");
}
