#include <doctest/doctest.h>

#include "crashsift/classify/tracker.hpp"
#include "support/events.hpp"

using namespace crashsift;
using namespace crashsift::classify;
using namespace crashsift::test;

namespace {
Classified run(const std::vector<Event>& events, bool has_pids = true) {
  ExitTracker t;
  t.begin_input(0, has_pids);
  for (const auto& e : events) t.on_event(e);
  t.end_input();
  return t.finish();
}
}  // namespace

TEST_CASE("restart loop: one exit per run, the repeated result after the start limit is not a new exit") {
  std::vector<Event> ev;
  UsecUtc t = t0;
  for (int run = 1; run <= 4; ++run) {
    const std::int64_t pid = 100 + run;
    ev.push_back(pid1(t, "Started r.service - R."));
    ev.push_back(output(t + ms(1), "r", pid, "fatal: cannot open /etc/r.conf", "r.service"));
    ev.push_back(pid1(t + ms(2), "r.service: Main process exited, code=exited, status=3/NOTIMPLEMENTED"));
    ev.push_back(pid1(t + ms(3), "r.service: Failed with result 'exit-code'."));
    if (run < 4) ev.push_back(pid1(t + ms(400), "r.service: Scheduled restart job, restart counter is at " + std::to_string(run) + "."));
    t += ms(500);
  }
  ev.push_back(pid1(t, "r.service: Start request repeated too quickly."));
  ev.push_back(pid1(t + ms(1), "r.service: Failed with result 'exit-code'."));
  auto c = run(ev);
  REQUIRE(c.exits.size() == 4);
  CHECK(c.exits[0].pid == 101);
  CHECK(c.exits[0].restart_counter == 1);
  CHECK(c.exits[3].pid == 104);
  CHECK(c.exits[3].start_limit_hit);
  CHECK_FALSE(c.exits[2].start_limit_hit);
  for (const auto& x : c.exits) {
    CHECK(x.cls == ExitClass::self_exit);
    CHECK(x.code == 3);
    CHECK(x.reason == "fatal: cannot open /etc/r.conf");
  }
}

TEST_CASE("out-of-order timestamps: the service line stamped after the exit record still explains it") {
  // Real systemd 252: "crashlab[102]: fatal: ..." at .092600 printed before PID 1's exit at .092177.
  std::vector<Event> ev = {
      pid1(t0, "Started q.service - Q."),
      output(t0 + ms(92) + 600, "crashlab", 102, "fatal: cannot open /etc/q.conf", "q.service"),
      pid1(t0 + ms(92) + 177, "q.service: Main process exited, code=exited, status=1/FAILURE"),
      pid1(t0 + ms(93), "q.service: Failed with result 'exit-code'."),
  };
  auto c = run(ev);
  REQUIRE(c.exits.size() == 1);
  CHECK(c.exits[0].pid == 102);
  CHECK(c.exits[0].reason == "fatal: cannot open /etc/q.conf");
}

TEST_CASE("a clean stop that leaves only 'Deactivated successfully.'") {
  auto c = run({pid1(t0, "Started w.service - W."), output(t0 + ms(5), "w", 7, "listening", "w.service"),
                pid1(t0 + ms(9000), "Stopping w.service - W..."), pid1(t0 + ms(9010), "w.service: Deactivated successfully."),
                pid1(t0 + ms(9011), "Stopped w.service - W.")});
  REQUIRE(c.exits.size() == 1);
  CHECK(c.exits[0].cls == ExitClass::clean);
  CHECK(c.exits[0].cause == "stopped");
  CHECK(c.exits[0].pid == 7);
  CHECK(c.exits[0].uptime_s() == doctest::Approx(9.01));
}

TEST_CASE("mounts and scopes deactivate too but are not service exits") {
  auto c = run({pid1(t0, "tmp.mount: Deactivated successfully."), pid1(t0, "session-1.scope: Deactivated successfully.")});
  CHECK(c.exits.empty());
}

TEST_CASE("runtime limit: no exit line (SIGTERM death is logged at debug), the result decides") {
  auto c = run({pid1(t0, "Started t.service - T."), pid1(t0 + ms(2000), "t.service: Service reached runtime time limit. Stopping."),
                pid1(t0 + ms(2001), "t.service: Failed with result 'timeout'.")});
  REQUIRE(c.exits.size() == 1);
  CHECK(c.exits[0].cls == ExitClass::timeout);
  CHECK(c.exits[0].cause == "runtime-max-sec");
}

TEST_CASE("cgroup v1 OOM: kernel line in another PID namespace, joined by command name and time") {
  std::vector<Event> ev = {
      pid1(t0, "Started n.service - N."),
      output(t0 + ms(10), "node", 43, "allocating", "n.service"),
      kernel(t0 + ms(200), "Memory cgroup out of memory: Killed process 13202 (node) total-vm:1052572kB, anon-rss:64640kB"),
      pid1(t0 + ms(210), "n.service: Main process exited, code=killed, status=9/KILL"),
      pid1(t0 + ms(211), "n.service: Failed with result 'signal'."),
  };
  auto c = run(ev);
  REQUIRE(c.exits.size() == 1);
  const Exit& x = c.exits[0];
  CHECK(x.cls == ExitClass::oom);
  CHECK(x.oom_kind == OomKind::cgroup);
  CHECK(x.confidence == Confidence::inferred);
  bool joined = false;
  for (const auto& e : x.evidence)
    if (e.role == "kernel-oom-kill") joined = e.text.find("command name and time") != std::string::npos;
  CHECK(joined);
}

TEST_CASE("kernel OOM line with the same PID is confirmed") {
  auto c = run({pid1(t0, "Started n.service - N."), output(t0 + ms(10), "node", 4242, "x", "n.service"),
                kernel(t0 + ms(200), "Out of memory: Killed process 4242 (node) total-vm:1kB, anon-rss:1kB"),
                pid1(t0 + ms(210), "n.service: Main process exited, code=killed, status=9/KILL")});
  REQUIRE(c.exits.size() == 1);
  CHECK(c.exits[0].oom_kind == OomKind::kernel);
  CHECK(c.exits[0].confidence == Confidence::confirmed);
}

TEST_CASE("text forms: one candidate process is taken, several are left undecided") {
  // Single unit excerpt (journalctl -u): the only process printing is the main one.
  auto one = run({pid1(t0, "Started s.service - S."), output(t0 + ms(1), "s", 50, "panic: boom"),
                  output(t0 + ms(2), "s", 50, "goroutine 1 [running]:"),
                  pid1(t0 + ms(3), "s.service: Main process exited, code=exited, status=2/INVALIDARGUMENT")},
                 false);
  REQUIRE(one.exits.size() == 1);
  CHECK(one.exits[0].pid == 50);
  CHECK(one.exits[0].pid_source == "output-inferred");
  CHECK(one.exits[0].cause == "go-panic");
  // Two units started together, two processes printing: no guess.
  auto two = run({pid1(t0, "Started a.service - A."), pid1(t0, "Started b.service - B."),
                  output(t0 + ms(1), "x", 60, "fatal: a"), output(t0 + ms(1), "x", 61, "fatal: b"),
                  pid1(t0 + ms(3), "a.service: Main process exited, code=exited, status=1/FAILURE")},
                 false);
  REQUIRE(two.exits.size() == 1);
  CHECK_FALSE(two.exits[0].pid);
  CHECK_FALSE(two.exits[0].missing.empty());
}

TEST_CASE("process tails stay bounded on hosts with many processes") {
  TrackerLimits limits;
  limits.max_tracked_processes = 64;
  ExitTracker t(limits);
  t.begin_input(0, true);
  for (int i = 0; i < 10000; ++i) t.on_event(output(t0 + i, "p", 1000 + i, "line", "x.service"));
  t.on_event(pid1(t0 + 20000, "x.service: Main process exited, code=exited, status=1/FAILURE"));
  t.end_input();
  auto c = t.finish();
  REQUIRE(c.exits.size() == 1);
  CHECK(c.exits[0].pid == 10999);  // the newest process survived eviction
}

TEST_CASE("the same exit read from two inputs is listed once") {
  ExitTracker t;
  for (std::uint32_t in = 0; in < 2; ++in) {
    t.begin_input(in, true);
    t.on_event(pid1(t0, "a.service: Main process exited, code=exited, status=1/FAILURE"));
    t.end_input();
  }
  CHECK(t.finish().exits.size() == 1);
}

TEST_CASE("journald rate limiting and LineMax cuts are reported as evidence gaps") {
  Event supp = output(t0, "systemd-journald", 20, "Suppressed 1234 messages from app.service");
  Event cut = output(t0 + ms(1), "app", 50, std::string(100, 'x'), "app.service");
  cut.line_cut = true;
  auto c = run({supp, cut});
  REQUIRE(c.warnings.size() == 2);
  CHECK(c.warnings[0].message.find("suppressed 1234 messages from app.service") != std::string::npos);
  CHECK(c.warnings[1].message.find("LineMax") != std::string::npos);
}

TEST_CASE("a coredump entry with an empty or unusual MESSAGE does not break the tracker (found by fuzzing)") {
  Event e;
  e.time = t0;
  e.message_id = message_ids::coredump;
  e.message = "";
  auto c = run({e, pid1(t0 + 1, "a.service: Main process exited, code=dumped, status=11/SEGV")});
  CHECK(c.exits.size() == 1);
}

TEST_CASE("exits logged at debug level and a journal that begins mid-lifetime are reported as gaps") {
  auto c = run({pid1(t0, "Started q.service - Q."), pid1(t0 + ms(100), "Started q.service - Q."),
                pid1(t0 + ms(200), "r.service: Main process exited, code=exited, status=1/FAILURE")});
  bool hidden = false, mid = false;
  for (const auto& w : c.warnings) {
    hidden |= w.code == "exit-not-logged" && w.message.find("q.service started again 1") == 0;
    mid |= w.code == "journal-starts-mid-lifetime" && w.message.find("r.service") != std::string::npos;
  }
  CHECK(hidden);
  CHECK(mid);
}

TEST_CASE("a unit restarted after its last exit is still running when the input ends; a stopped one is not") {
  std::vector<Event> ev = {
      pid1(t0, "Started w.service - W."),
      pid1(t0 + ms(10), "w.service: Main process exited, code=killed, status=11/SEGV"),
      pid1(t0 + ms(11), "w.service: Failed with result 'signal'."),
      pid1(t0 + ms(20), "Started s.service - S."),
      pid1(t0 + ms(30), "Started e.service - E."),
      pid1(t0 + ms(500), "Started w.service - W."),
      pid1(t0 + ms(600), "Stopping s.service - S..."),
      pid1(t0 + ms(601), "Stopped s.service - S."),
      pid1(t0 + ms(700), "e.service: Main process exited, code=exited, status=1/FAILURE"),
  };
  auto c = run(ev);
  REQUIRE(c.running.size() == 1);
  CHECK(c.running[0].unit == "w.service");
  CHECK(c.running[0].started_at == t0 + ms(500));
  CHECK(c.running[0].boot_id == "b1");
}

TEST_CASE("a lifetime of an earlier boot ended with that boot; the same journal read twice is one lifetime") {
  std::vector<Event> ev = {
      pid1(t0, "Started w.service - W.", "b1"),
      pid1(t0 + ms(10), "Started v.service - V.", "b1"),
      pid1(t0 + ms(60000), "Started v.service - V.", "b2"),
  };
  ExitTracker t;
  for (std::uint32_t input : {0u, 1u}) {  // the export and the json of one journal
    t.begin_input(input, true);
    for (const auto& e : ev) t.on_event(e);
    t.end_input();
  }
  auto c = t.finish();
  REQUIRE(c.running.size() == 1);
  CHECK(c.running[0].unit == "v.service");
  CHECK(c.running[0].boot_id == "b2");
}

TEST_CASE("inputs read one after another: the later input's lifetime replaces the one the earlier left running") {
  ExitTracker t;
  const std::vector<std::vector<Event>> days = {
      {pid1(t0, "Started w.service - W."), pid1(t0 + ms(10), "w.service: Main process exited, code=killed, status=11/SEGV"),
       pid1(t0 + ms(500), "Started w.service - W.")},
      {pid1(t0 + ms(900000), "w.service: Main process exited, code=killed, status=11/SEGV"),
       pid1(t0 + ms(901000), "Started w.service - W.")},
  };
  for (std::uint32_t input = 0; input < days.size(); ++input) {
    t.begin_input(input, true);
    for (const auto& e : days[input]) t.on_event(e);
    t.end_input();
  }
  auto c = t.finish();
  REQUIRE(c.running.size() == 1);
  CHECK(c.running[0].started_at == t0 + ms(901000));
}
