#include <doctest/doctest.h>

#include "crashsift/classify/rules.hpp"

using namespace crashsift::classify;

namespace {
Exit killed_by(const char* sig, int n, const char* kind = "killed") {
  Exit x;
  x.unit = "a.service";
  x.exit_kind = kind;
  x.signal = sig;
  x.signal_number = n;
  return x;
}
Exit exited(int code) {
  Exit x;
  x.unit = "a.service";
  x.exit_kind = "exited";
  x.code = code;
  return x;
}
}  // namespace

TEST_CASE("Bun 1.3 panic ends in SIGILL but is a segfault with cause bun-panic") {
  Exit x = killed_by("ILL", 4, "dumped");
  x.reason_kind = "bun-panic";
  classify_exit(x, {});
  CHECK(x.cls == ExitClass::segfault);
  CHECK(x.cause == "bun-panic");
  CHECK(x.confidence == Confidence::confirmed);
}

TEST_CASE("Node V8 heap limit ending in SIGABRT is an OOM of the runtime heap") {
  Exit x = killed_by("ABRT", 6, "dumped");
  x.reason_kind = "v8-heap-limit";
  classify_exit(x, {});
  CHECK(x.cls == ExitClass::oom);
  CHECK(x.oom_kind == OomKind::runtime_heap);
  CHECK(x.cause == "v8-heap-limit");
}

TEST_CASE("cgroup v1 OOM: SIGKILL plus a kernel kill line") {
  ExitFacts f;
  f.kernel_oom = KernelOomKill{13211, "crashlab", true, {}, {}};
  f.kernel_oom_match = MatchKind::pid;
  Exit x = killed_by("KILL", 9);
  classify_exit(x, f);
  CHECK(x.cls == ExitClass::oom);
  CHECK(x.oom_kind == OomKind::cgroup);
  CHECK(x.confidence == Confidence::confirmed);
  f.kernel_oom_match = MatchKind::comm_and_time;
  Exit y = killed_by("KILL", 9);
  classify_exit(y, f);
  CHECK(y.confidence == Confidence::inferred);
}

TEST_CASE("a bare SIGKILL is an external kill, inferred, with what is missing") {
  Exit x = killed_by("KILL", 9);
  classify_exit(x, {});
  CHECK(x.cls == ExitClass::killed);
  CHECK(x.confidence == Confidence::inferred);
  REQUIRE_FALSE(x.missing.empty());
  CHECK(x.missing[0].find("OOM") != std::string::npos);
}

TEST_CASE("cgroup v2 oom-kill result and systemd-oomd") {
  Exit x = killed_by("KILL", 9);
  x.unit_result = "oom-kill";
  classify_exit(x, {});
  CHECK(x.cls == ExitClass::oom);
  CHECK(x.oom_kind == OomKind::cgroup);
  ExitFacts f;
  f.oomd_unit_line = true;
  Exit y = killed_by("KILL", 9);
  y.unit_result = "oom-kill";
  classify_exit(y, f);
  CHECK(y.oom_kind == OomKind::oomd);
}

TEST_CASE("watchdog, timeouts and client kills") {
  Exit w = killed_by("ABRT", 6, "dumped");
  w.unit_result = "watchdog";
  classify_exit(w, {});
  CHECK(w.cls == ExitClass::watchdog);
  ExitFacts rt;
  rt.runtime_limit_line = true;
  Exit t;
  t.unit_result = "timeout";
  classify_exit(t, rt);
  CHECK(t.cls == ExitClass::timeout);
  CHECK(t.cause == "runtime-max-sec");
  ExitFacts st;
  st.timeout_state = "stop-sigterm";
  Exit s = killed_by("KILL", 9);
  s.unit_result = "timeout";
  classify_exit(s, st);
  CHECK(s.cause == "stop-sigterm-timeout");
  ExitFacts ck;
  ck.client_kill = true;
  Exit c = killed_by("KILL", 9);
  classify_exit(c, ck);
  CHECK(c.cls == ExitClass::killed);
  CHECK(c.cause == "client-request");
}

TEST_CASE("exit codes: clean, self-exit, exec failure, uncaught exceptions") {
  Exit zero = exited(0);
  classify_exit(zero, {});
  CHECK(zero.cls == ExitClass::clean);
  Exit one = exited(1);
  one.reason_kind = "uncaught-exception";
  classify_exit(one, {});
  CHECK(one.cls == ExitClass::self_exit);
  CHECK(one.cause == "uncaught-exception");
  Exit exec = exited(203);
  classify_exit(exec, {});
  CHECK(exec.cause == "exec-failed");
  Exit go = exited(2);
  go.reason_kind = "go-panic";
  classify_exit(go, {});
  CHECK(go.cause == "go-panic");
}

TEST_CASE("SIGTERM that systemd counts as success is clean 'stopped'; with a failed result it is a kill") {
  Exit ok = killed_by("TERM", 15);
  classify_exit(ok, {});
  CHECK(ok.cls == ExitClass::clean);
  CHECK(ok.cause == "stopped");
  Exit bad = killed_by("TERM", 15);
  bad.unit_result = "signal";
  classify_exit(bad, {});
  CHECK(bad.cls == ExitClass::killed);
  CHECK(bad.cause == "sigterm");
}

TEST_CASE("only 'Deactivated successfully.' is a clean exit whose code is unknown") {
  Exit x;
  x.unit_result = "success";
  classify_exit(x, {});
  CHECK(x.cls == ExitClass::clean);
  CHECK(x.cause == "deactivated");
  CHECK_FALSE(x.code);
}

TEST_CASE("exit class spellings are the JSON contract") {
  CHECK(to_string(ExitClass::self_exit) == "self-exit");
  CHECK(to_string(OomKind::runtime_heap) == "runtime-heap");
  CHECK(exit_class_from_string("segfault") == ExitClass::segfault);
  CHECK_FALSE(exit_class_from_string("crash"));
}
