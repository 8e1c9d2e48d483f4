#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "unit/classify/witnesses/feed.hpp"

using namespace crashsift;
using namespace crashsift::classify;
using namespace crashsift::test;

namespace crashsift::classify {
std::unique_ptr<WitnessRecognizer> make_witness_supervisor();
}

namespace {

std::vector<Witness> supervisor(const std::string& text, Feed how = Feed::cat) {
  auto r = make_witness_supervisor();
  return feed(*r, text, how);
}


// Supervisor stamps have no zone: they are read as local time (the zone the process runs in).
UsecUtc local(int y, int mo, int d, int h, int mi, int s, int usec = 0) {
  return Zone().to_utc(CivilTime{y, mo, d, h, mi, s, usec});
}

}  // namespace

TEST_CASE("pm2: a code exit carries SIGINT as filler, a signal death carries code 0") {
  auto w = supervisor(
      "PM2        | 2022-06-30T21:25:25: PM2 log: App [index:0] exited with code [1] via signal [SIGINT]\n"
      "PM2        | 2023-10-02T04:11:40: PM2 log: App [worker:2] exited with code [0] via signal [SIGKILL]\n"
      "2026-12-06T03:09:08: PM2 log: App [reporter:3] exited with code [0] via signal [SIGINT]\n"
      "PM2        | 2022-06-30T21:25:24: PM2 log: App [index:0] online\n");
  REQUIRE(w.size() == 3);
  CHECK(w[0].kind == "pm2");
  CHECK(w[0].comm == "index");
  CHECK(w[0].code == 1);
  CHECK(w[0].exit_kind == "exited");
  CHECK(w[0].signal.empty());
  CHECK(w[0].when == WhenKnown::absolute);
  CHECK(w[0].time == local(2022, 6, 30, 21, 25, 25));
  CHECK(w[1].comm == "worker");
  CHECK(w[1].signal == "KILL");
  CHECK_FALSE(w[1].code);
  CHECK(w[2].code == 0);
  CHECK(w[2].signal.empty());
}

TEST_CASE("pm2: the real daemon log") {
  auto w = supervisor(read_file(std::string(CRASHSIFT_TESTDATA) + "/captures/pm2/pm2.log"));
  // resizer SEGV, reporter 0, checkout-api 1 (x3), heap-hog ABRT, queue-worker KILL, queue-worker 0
  REQUIRE(w.size() == 8);
  CHECK(w[0].comm == "resizer");
  CHECK(w[0].signal == "SEGV");
  CHECK(w[3].signal == "ABRT");
}

TEST_CASE("forever: exit code and signal") {
  auto w = supervisor("error: Forever detected script exited with code: 1\nerror: Script restart attempt #1\n"
                      "error: Forever detected script was killed by signal: SIGKILL\n"
                      "error: Forever detected script was killed by signal: null\n");
  REQUIRE(w.size() == 2);
  CHECK(w[0].code == 1);
  CHECK(w[0].exit_kind == "exited");
  CHECK(w[1].signal == "KILL");
  CHECK(w[0].when == WhenKnown::none);
}

TEST_CASE("supervisord: exits with PIDs from the spawned lines") {
  for (Feed how : {Feed::cat, Feed::pasted}) {
    auto w = supervisor(
        "2024-01-09 17:20:03,118 INFO spawned: 'web' with pid 3111\n"
        "2024-01-09 18:02:51,774 WARN exited: web (terminated by SIGKILL; not expected)\n"
        "2024-01-09 18:02:52,779 INFO spawned: 'web' with pid 3940\n"
        "2024-01-09 18:40:12,002 WARN exited: web (terminated by SIGSEGV (core dumped); not expected)\n"
        "2024-05-30 02:00:04,551 INFO exited: migrate (exit status 0; expected)\n"
        "2015-02-13 01:32:26,564 INFO exited: tunnel (exit status 1; not expected)\n"
        "2015-02-13 01:32:28,666 INFO gave up: tunnel entered FATAL state, too many start retries too quickly\n",
        how);
    REQUIRE(w.size() == 4);
    CHECK(w[0].pid == 3111);
    CHECK(w[0].signal == "KILL");
    CHECK(w[0].exit_kind == "killed");
    CHECK(w[0].time == local(2024, 1, 9, 18, 2, 51, 774000));
    CHECK(w[1].pid == 3940);
    CHECK(w[1].signal == "SEGV");
    CHECK(w[1].exit_kind == "dumped");
    CHECK(w[2].comm == "migrate");
    CHECK(w[2].code == 0);
    CHECK_FALSE(w[2].pid);
    CHECK(w[3].code == 1);
  }
}

TEST_CASE("supervisord: the real log, and no witness from status tables") {
  auto w = supervisor(read_file(std::string(CRASHSIFT_TESTDATA) + "/captures/supervisord/supervisord.log"));
  // billing-api x3, nightly-cleanup, thumbnailer x2, image-resizer, queue-worker KILL, stop TERM
  CHECK(w.size() == 9);
  CHECK(supervisor(read_file(std::string(CRASHSIFT_TESTDATA) + "/captures/supervisord/supervisorctl-status.txt")).empty());
  CHECK(supervisor("celery-default                   RUNNING   pid 2211, uptime 4 days, 2:11:09\n").empty());
}

TEST_CASE("supervisor: a journal record's own time wins over the line's zoneless stamp") {
  auto r = make_witness_supervisor();
  std::vector<Witness> got;
  WitnessSink sink = [&](Witness&& w) { got.push_back(std::move(w)); };
  Event e;
  e.time = utc(2024, 3, 5, 9, 11, 12);
  e.identifier = "supervisord";
  e.pid = 7;
  e.message = "2024-03-05 10:11:12,345 INFO exited: web (exit status 1; not expected)";
  r->on_event(e, sink);
  REQUIRE(got.size() == 1);
  CHECK(got[0].time == utc(2024, 3, 5, 9, 11, 12));
}
