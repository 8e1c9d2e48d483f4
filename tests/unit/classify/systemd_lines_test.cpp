#include <doctest/doctest.h>

#include "crashsift/classify/systemd_lines.hpp"

using namespace crashsift::classify;

TEST_CASE("main process exit line, v240+ wording") {
  auto f = parse_systemd_message("cl-abort.service: Main process exited, code=dumped, status=6/ABRT", "");
  REQUIRE(f);
  CHECK(f->kind == SystemdFactKind::main_exited);
  CHECK(f->unit == "cl-abort.service");
  CHECK(f->exit_kind == "dumped");
  CHECK(f->status == 6);
  CHECK(f->status_name == "ABRT");
}

TEST_CASE("unknown exit codes print as N/n/a and v249+ adds (success) at debug level") {
  auto f = parse_systemd_message("r.service: Main process exited, code=exited, status=101/n/a", "");
  REQUIRE(f);
  CHECK(f->status == 101);
  CHECK(f->status_name == "n/a");
  auto g = parse_systemd_message("r.service: Main process exited, code=exited, status=0/SUCCESS (success)", "");
  REQUIRE(g);
  CHECK(g->status_name == "SUCCESS");
}

TEST_CASE("v219 lowercase 'main process exited'") {
  auto f = parse_systemd_message("old.service: main process exited, code=killed, status=9/KILL", "");
  REQUIRE(f);
  CHECK(f->kind == SystemdFactKind::main_exited);
  CHECK(f->exit_kind == "killed");
}

TEST_CASE("the UNIT= field wins over the prefix and job lines take the unit from the text") {
  auto f = parse_systemd_message("Started cl-restart.service - crashlab cl-restart.", "");
  REQUIRE(f);
  CHECK(f->kind == SystemdFactKind::started);
  CHECK(f->unit == "cl-restart.service");
  auto g = parse_systemd_message("Started My App.", "app.service");
  REQUIRE(g);
  CHECK(g->unit == "app.service");
  // Description-only job lines without a UNIT field cannot be attributed.
  CHECK_FALSE(parse_systemd_message("Started My App.", ""));
  auto h = parse_systemd_message("Starting cl-ok.service - crashlab cl-ok...", "");
  REQUIRE(h);
  CHECK(h->kind == SystemdFactKind::starting);
  CHECK(h->unit == "cl-ok.service");
}

TEST_CASE("result, success, restart counter and start limit lines") {
  CHECK(parse_systemd_message("a.service: Failed with result 'oom-kill'.", "")->result == "oom-kill");
  CHECK(parse_systemd_message("a.service: Deactivated successfully.", "")->kind == SystemdFactKind::deactivated);
  CHECK(parse_systemd_message("a.service: Succeeded.", "")->kind == SystemdFactKind::deactivated);
  auto r = parse_systemd_message("a.service: Scheduled restart job, restart counter is at 12.", "");
  REQUIRE(r);
  CHECK(r->number == 12);
  CHECK(parse_systemd_message("a.service: Start request repeated too quickly.", "")->kind ==
        SystemdFactKind::start_limit);
}

TEST_CASE("kill, watchdog and timeout lines name what happened") {
  auto k = parse_systemd_message("cl-stubborn.service: Killing process 60 (sh) with signal SIGKILL.", "");
  REQUIRE(k);
  CHECK(k->kind == SystemdFactKind::killing_process);
  CHECK(k->pid == 60);
  CHECK(k->comm == "sh");
  CHECK(k->signal == "KILL");
  auto c = parse_systemd_message(
      "cl-hang.service: Sent signal SIGKILL to main process 38 (sleep) on client request.", "");
  REQUIRE(c);
  CHECK(c->kind == SystemdFactKind::client_signal);
  CHECK(c->pid == 38);
  CHECK(parse_systemd_message("w.service: Watchdog timeout (limit 1s)!", "")->kind ==
        SystemdFactKind::watchdog_timeout);
  auto t = parse_systemd_message("s.service: State 'stop-sigterm' timed out. Killing.", "");
  REQUIRE(t);
  CHECK(t->state == "stop-sigterm");
  auto st = parse_systemd_message("s.service: start operation timed out. Terminating.", "");
  REQUIRE(st);
  CHECK(st->state == "start");
  CHECK(parse_systemd_message("t.service: Service reached runtime time limit. Stopping.", "")->kind ==
        SystemdFactKind::runtime_limit);
}

TEST_CASE("OOM lines from PID 1") {
  CHECK(parse_systemd_message("app.service: A process of this unit has been killed by the OOM killer.", "")->kind ==
        SystemdFactKind::oom_in_unit);
  auto d = parse_systemd_message("worker.service: systemd-oomd killed 3 process(es) in this unit.", "");
  REQUIRE(d);
  CHECK(d->kind == SystemdFactKind::oomd_in_unit);
  CHECK(d->number == 3);
}

TEST_CASE("v255 resource line carries the memory peak") {
  auto f = parse_systemd_message(
      "dispatch.service: Consumed 1h 2min 3.456s CPU time, 6.2G memory peak, 0B memory swap peak.", "");
  REQUIRE(f);
  CHECK(f->kind == SystemdFactKind::consumed);
  REQUIRE(f->memory_peak);
  CHECK(*f->memory_peak == static_cast<std::uint64_t>(6.2 * 1024 * 1024 * 1024 + 0.5));
}

TEST_CASE("systemd byte sizes and signal names") {
  CHECK(parse_systemd_bytes("512B") == 512u);
  CHECK(parse_systemd_bytes("1.5K") == 1536u);
  CHECK(parse_systemd_bytes("370.0M") == 370u * 1024 * 1024);
  CHECK_FALSE(parse_systemd_bytes("12X"));
  CHECK(signal_name(11) == "SEGV");
  CHECK(signal_name(4) == "ILL");
  CHECK(signal_name(36) == "RTMIN+2");
  CHECK(signal_number("SIGABRT") == 6);
  CHECK(signal_number("KILL") == 9);
}

TEST_CASE("lines that are not unit messages are ignored") {
  CHECK_FALSE(parse_systemd_message("System is tainted: cgroupsv1", ""));
  CHECK_FALSE(parse_systemd_message("", ""));
  CHECK_FALSE(parse_systemd_message("not a unit: Main process exited, code=exited, status=1/FAILURE", ""));
}
