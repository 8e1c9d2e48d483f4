// merge_witnesses: the one join policy. Exits, facts and witnesses are built by hand so each
// test shows exactly which fields make (or refuse) a join.
#include <doctest/doctest.h>

#include <algorithm>

#include "crashsift/classify/merge.hpp"
#include "support/events.hpp"

using namespace crashsift;
using namespace crashsift::classify;
using namespace crashsift::test;

namespace {

constexpr UsecUtc sec = 1000000;

// An exit as the tracker makes it from PID 1's exit record.
Exit record_exit(std::string unit, std::optional<std::int64_t> pid, std::optional<UsecUtc> at,
                 std::uint64_t arrival = 0, std::uint32_t input = 0) {
  Exit x;
  x.unit = std::move(unit);
  x.pid = pid;
  x.exited_at = at;
  x.boot_id = "b1";
  x.input = input;
  x.arrival = arrival;
  x.witnesses.push_back(WitnessRef{"exit-record", "created", Origin{input, arrival, {}}});
  return x;
}

// An exit made earlier from a non-record witness (a shell's job line, a supervisor's line).
Exit witness_exit(std::string kind, std::uint64_t arrival, std::uint32_t input = 0) {
  Exit x;
  x.input = input;
  x.arrival = arrival;
  x.witnesses.push_back(WitnessRef{std::move(kind), "created", Origin{input, arrival, {}}});
  return x;
}

Witness witness(std::string kind, std::optional<UsecUtc> time = std::nullopt, std::uint64_t order = 0,
                std::uint32_t input = 0) {
  Witness w;
  w.kind = std::move(kind);
  w.time = time;
  w.when = time ? WhenKnown::absolute : WhenKnown::none;
  w.order = order;
  w.input = input;
  w.lines.push_back(Evidence{w.kind, w.kind + " line", Origin{input, order, {}}, time});
  return w;
}

// A runtime's message on raw stderr: implies a death, names no process, has no time.
Witness runtime_message(std::uint64_t order, std::uint32_t input = 0) {
  Witness w = witness("runtime-stderr", std::nullopt, order, input);
  w.states_cause = false;
  w.reason = "panic: boom";
  w.reason_kind = "go-panic";
  return w;
}

struct Run {
  std::vector<Exit> exits;
  std::vector<ExitFacts> facts;
  std::vector<std::string> notes;

  void add(Exit x) {
    exits.push_back(std::move(x));
    facts.emplace_back();
  }
  void merge(std::vector<Witness> ws) { notes = merge_witnesses(exits, facts, std::move(ws)); }
};

const WitnessRef* ref_of(const Exit& x, std::string_view kind) {
  for (const auto& r : x.witnesses)
    if (r.kind == kind) return &r;
  return nullptr;
}

bool has_missing(const Exit& x, std::string_view needle) {
  return std::any_of(x.missing.begin(), x.missing.end(),
                     [&](const std::string& m) { return m.find(needle) != std::string::npos; });
}

}  // namespace

// ---- each joined_by value -------------------------------------------------------------

TEST_CASE("merge: a coredump naming the exit's PID a few seconds later joins by pid+time") {
  Run r;
  r.add(record_exit("web.service", 4242, t0));
  Witness w = witness("coredump", t0 + 2 * sec, 9);
  w.pid = 4242;
  w.comm = "web";
  w.coredump_filename = "/var/lib/systemd/coredump/core.web.4242.zst";
  r.merge({w});
  REQUIRE(r.exits.size() == 1);
  const Exit& x = r.exits[0];
  REQUIRE(x.witnesses.size() == 2);
  CHECK(x.witnesses[0].joined_by == "created");
  CHECK(x.witnesses[1].kind == "coredump");
  CHECK(x.witnesses[1].joined_by == "pid+time");
  CHECK(r.facts[0].coredump);
  CHECK(x.coredump_filename == "/var/lib/systemd/coredump/core.web.4242.zst");
  CHECK(r.notes.empty());
}

TEST_CASE("merge: the PID window reaches an hour back but only a minute forward") {
  Run r;
  r.add(record_exit("web.service", 4242, t0));
  Witness early = witness("shell-job", t0 - 1800 * sec, 1);  // half an hour before: same process
  early.pid = 4242;
  Witness late = witness("coredump", t0 + 120 * sec, 2);      // two minutes after: not this death
  late.pid = 4242;
  r.merge({early, late});
  REQUIRE(r.exits.size() == 2);
  const WitnessRef* e = ref_of(r.exits[0], "shell-job");
  REQUIRE(e);
  CHECK(e->joined_by == "pid+time");
  CHECK_FALSE(ref_of(r.exits[0], "coredump"));
  CHECK(r.exits[1].witnesses.front().kind == "coredump");
  CHECK(r.exits[1].witnesses.front().joined_by == "created");
}

TEST_CASE("merge: a witness with the PID but no time joins by pid") {
  Run r;
  r.add(record_exit("web.service", 77, t0));
  Witness w = witness("coredumpctl-list");  // untimed
  w.pid = 77;
  r.merge({w});
  REQUIRE(r.exits.size() == 1);
  const WitnessRef* ref = ref_of(r.exits[0], "coredumpctl-list");
  REQUIRE(ref);
  CHECK(ref->joined_by == "pid");
  CHECK(r.facts[0].coredump);
}

TEST_CASE("merge: a witness naming the unit near the exit joins by unit and fills what the exit lacks") {
  Run r;
  Exit x = record_exit("web.service", std::nullopt, t0);
  r.add(x);
  Witness w = witness("systemctl-status", t0 - 10 * sec, 3);
  w.unit = "web.service";
  w.pid = 901;
  w.exit_kind = "dumped";
  w.signal = "SEGV";
  r.merge({w});
  REQUIRE(r.exits.size() == 1);
  const Exit& got = r.exits[0];
  const WitnessRef* ref = ref_of(got, "systemctl-status");
  REQUIRE(ref);
  CHECK(ref->joined_by == "unit");
  // The exit had no PID: it takes the witness's and says where it came from.
  CHECK(got.pid == 901);
  CHECK(got.pid_source == "systemctl-status");
  CHECK(got.signal == "SEGV");
  CHECK(got.signal_number == 11);
}

TEST_CASE("merge: the unit window is 30 s before and 60 s after the exit") {
  Run r;
  r.add(record_exit("web.service", std::nullopt, t0));
  Witness before = witness("systemctl-status", t0 - 31 * sec, 1);
  before.unit = "web.service";
  r.merge({before});
  CHECK(r.exits.size() == 2);  // too early: its own exit

  Run s;
  s.add(record_exit("web.service", std::nullopt, t0));
  Witness after = witness("systemctl-status", t0 + 59 * sec, 1);
  after.unit = "web.service";
  s.merge({after});
  REQUIRE(s.exits.size() == 1);
  CHECK(ref_of(s.exits[0], "systemctl-status")->joined_by == "unit");
}

TEST_CASE("merge: untimed witnesses join an untimed exit of their unit only when it is the only one") {
  Run r;
  Exit x = record_exit("web.service", std::nullopt, std::nullopt, 10);
  r.add(x);
  Witness w = witness("systemctl-status", std::nullopt, 4);
  w.unit = "web.service";
  r.merge({w});
  REQUIRE(r.exits.size() == 1);
  CHECK(ref_of(r.exits[0], "systemctl-status")->joined_by == "unit");

  // Two untimed deaths of web.service in the paste: which one is not told.
  Run two;
  two.add(record_exit("web.service", std::nullopt, std::nullopt, 10));
  two.add(record_exit("web.service", std::nullopt, std::nullopt, 20));
  two.merge({w});
  REQUIRE(two.exits.size() == 3);
  CHECK(two.exits[0].witnesses.size() == 1);
  CHECK(two.exits[1].witnesses.size() == 1);
  CHECK(two.exits[2].witnesses.front().joined_by == "created");
  CHECK(two.exits[2].unit == "web.service");
}

TEST_CASE("merge: a witness naming the unit's cgroup joins by cgroup") {
  Run r;
  r.add(record_exit("web.service", std::nullopt, t0));
  Witness w = witness("oomd-kill", t0 - 1 * sec, 2);
  w.cgroup = "/system.slice/web.service";
  w.oom = OomKind::oomd;
  r.merge({w});
  REQUIRE(r.exits.size() == 1);
  CHECK(ref_of(r.exits[0], "oomd-kill")->joined_by == "cgroup");
  CHECK(r.facts[0].stated_oom == OomKind::oomd);

  // Another unit's cgroup does not join.
  Run other;
  other.add(record_exit("web.service", std::nullopt, t0));
  Witness o = w;
  o.cgroup = "/system.slice/db.service";
  other.merge({o});
  REQUIRE(other.exits.size() == 2);
  CHECK(other.exits[1].unit == "db.service");  // the created exit takes the unit from the cgroup
}

TEST_CASE("merge: a kernel kill line with the host PID still joins a container's exit by comm+time") {
  Run r;
  Exit x = record_exit("", 7, t0);  // PID 7 inside the container's namespace
  x.process_name = "crashlab";
  r.add(x);
  Witness w = witness("kernel-oom-kill", t0 - 1 * sec, 1);
  w.pid = 13211;
  w.comm = "crashlab";
  w.kernel_oom = KernelOomKill{13211, "crashlab", true, {}, {}};
  r.merge({w});
  REQUIRE(r.exits.size() == 1);
  CHECK(ref_of(r.exits[0], "kernel-oom-kill")->joined_by == "comm+time");
  REQUIRE(r.facts[0].kernel_oom);
  CHECK(r.facts[0].kernel_oom_match == MatchKind::comm_and_time);
  CHECK(r.facts[0].kernel_input_present);
  CHECK(r.exits[0].pid == 7);  // the exit's own PID is kept
}

TEST_CASE("merge: a kernel kill line naming the exit's PID is a pid match") {
  Run r;
  r.add(record_exit("web.service", 13211, t0));
  Witness w = witness("kernel-oom-kill", t0 - 1 * sec, 1);
  w.pid = 13211;
  w.comm = "web";
  w.kernel_oom = KernelOomKill{13211, "web", false, {}, {}};
  r.merge({w});
  REQUIRE(r.exits.size() == 1);
  CHECK(ref_of(r.exits[0], "kernel-oom-kill")->joined_by == "pid+time");
  CHECK(r.facts[0].kernel_oom_match == MatchKind::pid);
}

TEST_CASE("merge: comm+time compares the first 15 bytes (the kernel cuts comm) and falls back to the unit's program") {
  Run r;
  Exit x = record_exit("", std::nullopt, t0);
  x.process_name = "plugin-loader-worker";
  r.add(x);
  Exit y = record_exit("crashlab.service", std::nullopt, t0 + 5 * sec);  // no process name
  r.add(y);
  Witness a = witness("kernel-fault", t0, 1);
  a.comm = "plugin-loader-w";  // 15 bytes
  a.kernel_fault = KernelFault{99, "plugin-loader-w", "segfault", 0};
  Witness b = witness("shell-job", t0 + 5 * sec, 2);
  b.comm = "crashlab";
  r.merge({a, b});
  REQUIRE(r.exits.size() == 2);
  CHECK(ref_of(r.exits[0], "kernel-fault")->joined_by == "comm+time");
  CHECK(r.facts[0].kernel_fault);
  CHECK(ref_of(r.exits[1], "shell-job")->joined_by == "comm+time");
}

TEST_CASE("merge: comm+time picks the exit nearest in time") {
  Run r;
  Exit a = record_exit("", std::nullopt, t0);
  a.process_name = "worker";
  Exit b = record_exit("", std::nullopt, t0 + 20 * sec);
  b.process_name = "worker";
  r.add(a);
  r.add(b);
  Witness w = witness("shell-job", t0 + 18 * sec, 1);
  w.comm = "worker";
  r.merge({w});
  REQUIRE(r.exits.size() == 2);
  CHECK_FALSE(ref_of(r.exits[0], "shell-job"));
  REQUIRE(ref_of(r.exits[1], "shell-job"));
  CHECK(ref_of(r.exits[1], "shell-job")->joined_by == "comm+time");
}

TEST_CASE("merge: an untimed runtime message joins the death recorded right after it by paste-order") {
  Run r;
  r.add(witness_exit("shell-job", 12));
  Witness w = runtime_message(5);
  r.merge({w});
  REQUIRE(r.exits.size() == 1);
  const WitnessRef* ref = ref_of(r.exits[0], "runtime-stderr");
  REQUIRE(ref);
  CHECK(ref->joined_by == "paste-order");
  CHECK(r.exits[0].reason == "panic: boom");
  CHECK(r.exits[0].reason_kind == "go-panic");
  CHECK_FALSE(r.facts[0].only_implied);  // the exit's own record states the death
}

TEST_CASE("merge: paste-order only looks ahead, within 400 lines, in the same input, and not at a different comm") {
  SUBCASE("the death is recorded before the message") {
    Run r;
    r.add(witness_exit("shell-job", 3));
    r.merge({runtime_message(5)});
    CHECK(r.exits.size() == 2);
  }
  SUBCASE("400 lines ahead joins, 401 does not") {
    Run r;
    r.add(witness_exit("shell-job", 405));
    r.merge({runtime_message(5)});
    CHECK(r.exits.size() == 1);
    Run s;
    s.add(witness_exit("shell-job", 406));
    s.merge({runtime_message(5)});
    CHECK(s.exits.size() == 2);
  }
  SUBCASE("another input") {
    Run r;
    r.add(witness_exit("shell-job", 12, 1));
    r.merge({runtime_message(5, 0)});
    CHECK(r.exits.size() == 2);
  }
  SUBCASE("a named process that is not the exit's") {
    Run r;
    Exit x = witness_exit("shell-job", 12);
    x.process_name = "api";
    r.add(x);
    Witness w = runtime_message(5);
    w.comm = "worker";
    r.merge({w});
    CHECK(r.exits.size() == 2);
  }
  SUBCASE("the nearest death ahead when none was made from a journal record") {
    Run r;
    r.add(witness_exit("shell-job", 30));
    r.add(witness_exit("supervisor", 8));
    r.merge({runtime_message(5)});
    REQUIRE(r.exits.size() == 2);
    CHECK_FALSE(ref_of(r.exits[0], "runtime-stderr"));
    REQUIRE(ref_of(r.exits[1], "runtime-stderr"));
    CHECK(ref_of(r.exits[1], "runtime-stderr")->joined_by == "paste-order");
  }
}

// ---- paste-order ambiguity and the dropped-with-note case ------------------------------

TEST_CASE("merge: paste-order refuses when several journal-record exits are within reach; the message is dropped with a note") {
  Run r;
  r.add(record_exit("a.service", std::nullopt, std::nullopt, 10));
  r.add(record_exit("b.service", std::nullopt, std::nullopt, 14));
  r.merge({runtime_message(5), runtime_message(6)});
  REQUIRE(r.exits.size() == 2);  // no exit invented
  CHECK(r.exits[0].witnesses.size() == 1);
  CHECK(r.exits[1].witnesses.size() == 1);
  CHECK(r.exits[0].reason.empty());
  CHECK(r.exits[1].reason.empty());
  REQUIRE(r.notes.size() == 1);  // one note per kind, with the count
  CHECK(r.notes[0].find("2 runtime-stderr message(s)") == 0);
  CHECK(r.notes[0].find("could not be tied") != std::string::npos);
}

TEST_CASE("merge: one journal-record exit within reach is not ambiguous") {
  Run r;
  r.add(record_exit("a.service", std::nullopt, std::nullopt, 10));
  r.add(record_exit("b.service", std::nullopt, std::nullopt, 900));  // beyond 400 lines
  r.merge({runtime_message(5)});
  REQUIRE(r.exits.size() == 2);
  REQUIRE(ref_of(r.exits[0], "runtime-stderr"));
  CHECK(ref_of(r.exits[0], "runtime-stderr")->joined_by == "paste-order");
  CHECK_FALSE(ref_of(r.exits[1], "runtime-stderr"));
  CHECK(r.notes.empty());
}

TEST_CASE("merge: the exits made from unit-result and deactivated lines count as records too") {
  Run r;
  Exit a = record_exit("a.service", std::nullopt, std::nullopt, 10);
  a.witnesses.front().kind = "unit-result";
  Exit b = record_exit("b.service", std::nullopt, std::nullopt, 11);
  b.witnesses.front().kind = "deactivated";
  r.add(a);
  r.add(b);
  r.merge({runtime_message(5)});
  CHECK(r.exits.size() == 2);
  CHECK(r.exits[0].witnesses.size() == 1);
  CHECK(r.exits[1].witnesses.size() == 1);
  CHECK(r.notes.size() == 1);
}

TEST_CASE("merge: a witness that states the death is not dropped when paste-order is ambiguous: it makes its own exit") {
  Run r;
  r.add(record_exit("a.service", std::nullopt, std::nullopt, 10));
  r.add(record_exit("b.service", std::nullopt, std::nullopt, 14));
  Witness w = witness("shell-job", std::nullopt, 5);
  w.signal = "SEGV";
  r.merge({w});
  REQUIRE(r.exits.size() == 3);
  CHECK(r.exits[2].witnesses.front().kind == "shell-job");
  CHECK(r.exits[2].witnesses.front().joined_by == "created");
  CHECK(r.notes.empty());
}

TEST_CASE("merge: a runtime message among timed journal records is dropped, not made an exit") {
  Run r;
  r.add(record_exit("a.service", 10, t0, 50));
  r.merge({runtime_message(5)});
  CHECK(r.exits.size() == 1);
  CHECK(r.exits[0].witnesses.size() == 1);
  REQUIRE(r.notes.size() == 1);
  CHECK(r.notes[0].find("1 runtime-stderr message(s)") == 0);
}

TEST_CASE("merge: a runtime message in an input without records makes an exit that is only implied") {
  Run r;
  r.add(record_exit("a.service", 10, t0, 50, /*input=*/1));  // a journal, but another input
  r.merge({runtime_message(5, 0)});
  REQUIRE(r.exits.size() == 2);
  CHECK(r.notes.empty());
  const Exit& x = r.exits[1];
  CHECK(x.witnesses.front().kind == "runtime-stderr");
  CHECK(x.witnesses.front().joined_by == "created");
  CHECK(x.reason_kind == "go-panic");
  CHECK(r.facts[1].only_implied);
  CHECK(x.input == 0);
  CHECK(x.arrival == 5);
}

TEST_CASE("merge: witnesses stating a death are merged first, so a runtime message listed before them still joins") {
  // The runtime's message comes first in the paste; without the ordering it would make its own
  // exit before the shell's job line existed.
  Run r;
  Witness job = witness("shell-job", std::nullopt, 9);
  job.signal = "ABRT";
  job.exit_kind = "dumped";
  r.merge({runtime_message(5), job});
  REQUIRE(r.exits.size() == 1);
  const Exit& x = r.exits[0];
  REQUIRE(x.witnesses.size() == 2);
  CHECK(x.witnesses[0].kind == "shell-job");
  CHECK(x.witnesses[0].joined_by == "created");
  CHECK(x.witnesses[1].kind == "runtime-stderr");
  CHECK(x.witnesses[1].joined_by == "paste-order");
  CHECK(x.signal == "ABRT");
  CHECK(x.reason == "panic: boom");
  CHECK_FALSE(r.facts[0].only_implied);
}

// ---- conflicts -----------------------------------------------------------------------

TEST_CASE("merge: a different PID in the same unit at the same time is another death") {
  Run r;
  r.add(record_exit("web.service", 100, t0));
  Witness w = witness("systemctl-status", t0, 1);
  w.unit = "web.service";
  w.pid = 101;
  r.merge({w});
  REQUIRE(r.exits.size() == 2);
  CHECK(r.exits[0].witnesses.size() == 1);
  CHECK(r.exits[1].pid == 101);
  CHECK(r.exits[1].unit == "web.service");
}

TEST_CASE("merge: a different signal or exit code is another death even with the same PID") {
  SUBCASE("signal") {
    Run r;
    Exit x = record_exit("web.service", 100, t0);
    x.exit_kind = "dumped";
    x.signal = "SEGV";
    r.add(x);
    Witness w = witness("coredump", t0 + 1 * sec, 1);
    w.pid = 100;
    w.signal = "ABRT";
    r.merge({w});
    CHECK(r.exits.size() == 2);
    CHECK(r.exits[0].witnesses.size() == 1);
  }
  SUBCASE("code") {
    Run r;
    Exit x = record_exit("web.service", 100, t0);
    x.exit_kind = "exited";
    x.code = 1;
    r.add(x);
    Witness w = witness("supervisor", t0 + 1 * sec, 1);
    w.pid = 100;
    w.code = 2;
    r.merge({w});
    CHECK(r.exits.size() == 2);
  }
  SUBCASE("a signal against an exit that exited with a code") {
    Run r;
    Exit x = record_exit("web.service", 100, t0);
    x.exit_kind = "exited";
    x.code = 1;
    r.add(x);
    Witness w = witness("shell-job", t0 + 1 * sec, 1);
    w.pid = 100;
    w.signal = "SEGV";
    r.merge({w});
    CHECK(r.exits.size() == 2);
  }
  SUBCASE("the same signal joins") {
    Run r;
    Exit x = record_exit("web.service", 100, t0);
    x.exit_kind = "dumped";
    x.signal = "SEGV";
    r.add(x);
    Witness w = witness("coredump", t0 + 1 * sec, 1);
    w.pid = 100;
    w.signal = "SEGV";
    r.merge({w});
    CHECK(r.exits.size() == 1);
  }
}

TEST_CASE("merge: a kernel line may name a signal for an exit that has a code (the kernel saw the fault first)") {
  Run r;
  Exit x = record_exit("", 100, t0);
  x.exit_kind = "exited";
  x.code = 139;
  x.process_name = "app";
  r.add(x);
  Witness w = witness("kernel-fault", t0, 1);
  w.pid = 100;
  w.comm = "app";
  w.signal = "SEGV";
  w.kernel_fault = KernelFault{100, "app", "segfault", 0};
  r.merge({w});
  REQUIRE(r.exits.size() == 1);
  CHECK(ref_of(r.exits[0], "kernel-fault")->joined_by == "pid+time");
  CHECK(r.facts[0].kernel_fault_match == MatchKind::pid);
}

TEST_CASE("merge: a different unit is another death even with the same PID and time") {
  Run r;
  r.add(record_exit("a.service", 100, t0));
  Witness w = witness("systemctl-status", t0, 1);
  w.unit = "b.service";
  w.pid = 100;
  r.merge({w});
  REQUIRE(r.exits.size() == 2);
  CHECK(r.exits[1].unit == "b.service");
}

TEST_CASE("merge: another boot or host is another death") {
  SUBCASE("boot") {
    Run r;
    r.add(record_exit("a.service", 100, t0));
    Witness w = witness("coredump", t0, 1);
    w.pid = 100;
    w.boot_id = "b2";
    r.merge({w});
    REQUIRE(r.exits.size() == 2);
    CHECK(r.exits[0].witnesses.size() == 1);
    CHECK(r.exits[1].boot_id == "b2");
  }
  SUBCASE("host") {
    Run r;
    r.add(record_exit("a.service", 100, t0));
    r.exits[0].hostname = "this";
    Witness w = witness("shell-job", t0, 2);
    w.pid = 100;
    w.host = "other";
    r.merge({w});
    REQUIRE(r.exits.size() == 2);
    CHECK(r.exits[0].witnesses.size() == 1);
    CHECK(r.exits[1].hostname == "other");
  }
  SUBCASE("a witness that names no boot or host is not in conflict") {
    Run r;
    r.add(record_exit("a.service", 100, t0));
    r.exits[0].hostname = "this";
    Witness w = witness("shell-job", t0, 2);
    w.pid = 100;
    r.merge({w});
    CHECK(r.exits.size() == 1);
  }
}

// ---- one witness of each kind per death ----------------------------------------------

TEST_CASE("merge: two witnesses of one kind are two deaths") {
  Run r;
  Exit x = record_exit("", std::nullopt, t0);
  x.process_name = "worker";
  r.add(x);
  Witness a = witness("shell-job", t0 + 1 * sec, 1);
  a.comm = "worker";
  Witness b = witness("shell-job", t0 + 2 * sec, 2);
  b.comm = "worker";
  r.merge({a, b});
  REQUIRE(r.exits.size() == 2);
  CHECK(ref_of(r.exits[0], "shell-job"));
  CHECK(r.exits[1].witnesses.front().kind == "shell-job");
  CHECK(r.exits[1].witnesses.front().joined_by == "created");
}

TEST_CASE("merge: the same PID at the same time is one death even with two witnesses of one kind") {
  // systemd-coredump's early "terminated abnormally" line and its later "dumped core" line.
  Run r;
  r.add(record_exit("mpv.service", 41870, t0));
  Witness early = witness("coredump", t0, 1);
  early.pid = 41870;
  early.signal = "SEGV";
  Witness dumped = witness("coredump", t0 + 3 * sec, 2);
  dumped.pid = 41870;
  dumped.signal = "SEGV";
  r.merge({early, dumped});
  REQUIRE(r.exits.size() == 1);
  const auto n = std::count_if(r.exits[0].witnesses.begin(), r.exits[0].witnesses.end(),
                               [](const WitnessRef& w) { return w.kind == "coredump"; });
  CHECK(n == 2);

  // Ten seconds apart is beyond "the same time": another death of a reused PID.
  Run s;
  s.add(record_exit("mpv.service", 41870, t0));
  Witness later = dumped;
  later.time = t0 + 10 * sec;
  s.merge({early, later});
  CHECK(s.exits.size() == 2);
}

// ---- created exits -------------------------------------------------------------------

TEST_CASE("merge: a created exit says what its witness could not tell") {
  SUBCASE("no time, no unit") {
    Run r;
    Witness w = witness("shell-job", std::nullopt, 3, 2);
    w.comm = "a.out";
    w.missing.push_back("the shell does not print the PID");
    r.merge({w});
    REQUIRE(r.exits.size() == 1);
    const Exit& x = r.exits[0];
    CHECK(x.witnesses.size() == 1);
    CHECK(x.witnesses[0].joined_by == "created");
    CHECK_FALSE(x.exited_at);
    CHECK(x.input == 2);
    CHECK(x.process_name == "a.out");
    CHECK(has_missing(x, "no time of death in the input"));
    CHECK(has_missing(x, "no unit: shell-job evidence only"));
    CHECK(has_missing(x, "the shell does not print the PID"));
    CHECK_FALSE(has_missing(x, "time of day only"));
  }
  SUBCASE("time of day only") {
    Run r;
    Witness w = witness("supervisor", t0, 3);
    w.when = WhenKnown::time_of_day;
    w.unit = "x.service";
    r.merge({w});
    REQUIRE(r.exits.size() == 1);
    CHECK_FALSE(r.exits[0].exited_at);  // a time without its date is no exit time
    CHECK(has_missing(r.exits[0], "time of day only"));
    CHECK_FALSE(has_missing(r.exits[0], "no unit"));
    CHECK_FALSE(has_missing(r.exits[0], "no time of death"));
  }
  SUBCASE("boot-relative") {
    Run r;
    Witness w = witness("kernel-fault", t0, 3);
    w.when = WhenKnown::boot_relative;
    w.comm = "app";
    w.kernel_fault = KernelFault{5, "app", "segfault", 0};
    r.merge({w});
    REQUIRE(r.exits.size() == 1);
    CHECK_FALSE(r.exits[0].exited_at);
    CHECK(has_missing(r.exits[0], "--kernel-boot-time"));
    CHECK(r.facts[0].kernel_fault);
  }
  SUBCASE("an absolute time is the exit time") {
    Run r;
    Witness w = witness("coredump", t0 + 7 * sec, 3);
    w.pid = 55;
    w.cgroup = "/system.slice/mpv.service";
    w.time_has_usec = true;
    r.merge({w});
    REQUIRE(r.exits.size() == 1);
    const Exit& x = r.exits[0];
    CHECK(x.exited_at == t0 + 7 * sec);
    CHECK(x.unit == "mpv.service");  // from the cgroup
    CHECK(x.pid == 55);
    CHECK(x.pid_source == "coredump");
    CHECK_FALSE(has_missing(x, "no time"));
    CHECK_FALSE(has_missing(x, "no unit"));
  }
  SUBCASE("a slice cgroup names no unit") {
    Run r;
    Witness w = witness("oomd-kill", t0, 3);
    w.cgroup = "/user.slice/user-1000.slice";
    r.merge({w});
    REQUIRE(r.exits.size() == 1);
    CHECK(r.exits[0].unit.empty());
    CHECK(has_missing(r.exits[0], "no unit: oomd-kill evidence only"));
  }
}

TEST_CASE("merge: witness refs carry the deciding line's origin, and the lines become evidence") {
  Run r;
  r.add(record_exit("web.service", 4242, t0));
  Witness w = witness("coredump", t0 + 1 * sec, 0, 3);
  w.pid = 4242;
  w.lines = {Evidence{"coredump", "Process 4242 (web) of user 0 dumped core.", Origin{3, 1234, "c1"}, t0 + 1 * sec},
             Evidence{"coredump", "Stack trace of thread 4242:", Origin{3, 1235, "c1"}, t0 + 1 * sec}};
  r.exits[0].input = 3;
  r.merge({w});
  REQUIRE(r.exits.size() == 1);
  const WitnessRef* ref = ref_of(r.exits[0], "coredump");
  REQUIRE(ref);
  CHECK(ref->origin.input == 3);
  CHECK(ref->origin.line == 1234);
  CHECK(ref->origin.cursor == "c1");
  REQUIRE(r.exits[0].evidence.size() == 2);
  CHECK(r.exits[0].evidence[0].text == "Process 4242 (web) of user 0 dumped core.");
  CHECK(r.exits[0].evidence[1].origin.line == 1235);
}

TEST_CASE("merge: the exit's own facts win over a joined witness's") {
  Run r;
  Exit x = record_exit("web.service", 4242, t0);
  x.exit_kind = "killed";
  x.signal = "KILL";
  x.signal_number = 9;
  x.unit_result = "signal";
  x.reason = "own reason";
  x.reason_kind = "fatal-message";
  r.add(x);
  Witness w = witness("supervisor", t0 + 1 * sec, 1);
  w.pid = 4242;
  w.exit_kind = "exited";
  w.unit_result = "exit-code";
  w.reason = "other";
  w.reason_kind = "go-panic";
  w.external_kill = true;
  w.oom = OomKind::kernel;
  r.merge({w});
  REQUIRE(r.exits.size() == 1);
  const Exit& got = r.exits[0];
  CHECK(got.exit_kind == "killed");
  CHECK(got.unit_result == "signal");
  CHECK(got.reason == "own reason");
  CHECK(got.reason_kind == "fatal-message");
  // Facts are added, not replaced.
  CHECK(r.facts[0].external_kill);
  CHECK(r.facts[0].stated_oom == OomKind::kernel);
}
