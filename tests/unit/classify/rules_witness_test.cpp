// The rules added with the witness model, and where each stands in classify_exit's order.
#include <doctest/doctest.h>

#include <algorithm>

#include "crashsift/classify/rules.hpp"

using namespace crashsift::classify;

namespace {

Exit signalled(const char* sig, int n, const char* kind = "killed") {
  Exit x;
  x.unit = "a.service";
  x.pid = 10;
  x.exit_kind = kind;
  x.signal = sig;
  x.signal_number = n;
  return x;
}

Exit exited(std::optional<int> code) {
  Exit x;
  x.unit = "a.service";
  x.pid = 10;
  x.exit_kind = "exited";
  x.code = code;
  return x;
}

// Evidence that names no exit record at all (a witness-made exit).
Exit no_record() {
  Exit x;
  x.pid = 10;
  return x;
}

Exit classified(Exit x, const ExitFacts& f = {}) {
  classify_exit(x, f);
  return x;
}

bool has_missing(const Exit& x, std::string_view needle) {
  return std::any_of(x.missing.begin(), x.missing.end(),
                     [&](const std::string& m) { return m.find(needle) != std::string::npos; });
}

ExitFacts stated(OomKind k) {
  ExitFacts f;
  f.stated_oom = k;
  return f;
}

ExitFacts external() {
  ExitFacts f;
  f.external_kill = true;
  return f;
}

}  // namespace

// ---- rule_stated_oom -------------------------------------------------------------------

TEST_CASE("stated OOM: a container runtime's OOMKilled is a confirmed OOM of its kind") {
  Exit c = classified(signalled("KILL", 9), stated(OomKind::cgroup));
  CHECK(c.cls == ExitClass::oom);
  CHECK(c.oom_kind == OomKind::cgroup);
  CHECK(c.cause == "cgroup-oom-kill");
  CHECK(c.confidence == Confidence::confirmed);

  Exit k = classified(no_record(), stated(OomKind::kernel));
  CHECK(k.cls == ExitClass::oom);
  CHECK(k.oom_kind == OomKind::kernel);
  CHECK(k.cause == "kernel-oom-kill");
  // Without the kernel's own line, the report says where to find it.
  CHECK(has_missing(k, "no kernel OOM kill line in input"));
}

TEST_CASE("stated OOM: without it a bare SIGKILL stays an inferred external kill") {
  Exit x = classified(signalled("KILL", 9));
  CHECK(x.cls == ExitClass::killed);
  CHECK(x.cause == "sigkill");
  CHECK(x.confidence == Confidence::inferred);
}

TEST_CASE("stated OOM: precedence — a runtime's own heap report wins, a watchdog or timeout result does not") {
  Exit heap = signalled("ABRT", 6, "dumped");
  heap.reason_kind = "v8-heap-limit";
  heap = classified(heap, stated(OomKind::kernel));
  CHECK(heap.oom_kind == OomKind::runtime_heap);
  CHECK(heap.cause == "v8-heap-limit");

  Exit wd = signalled("KILL", 9);
  wd.unit_result = "watchdog";
  wd = classified(wd, stated(OomKind::cgroup));
  CHECK(wd.cls == ExitClass::oom);

  Exit to = signalled("KILL", 9);
  to.unit_result = "timeout";
  to = classified(to, stated(OomKind::cgroup));
  CHECK(to.cls == ExitClass::oom);
}

TEST_CASE("stated OOM: a kernel kill line matched by PID decides the kind over the statement") {
  ExitFacts f = stated(OomKind::kernel);
  f.kernel_oom = KernelOomKill{10, "a", true, {}, {}};
  f.kernel_oom_match = MatchKind::pid;
  Exit x = classified(signalled("KILL", 9), f);
  CHECK(x.cls == ExitClass::oom);
  CHECK(x.oom_kind == OomKind::cgroup);  // the kernel line says memcg
  CHECK(x.confidence == Confidence::confirmed);
  CHECK_FALSE(has_missing(x, "OOM kill line"));
}

// ---- rule_external_signal ----------------------------------------------------------------

TEST_CASE("external signal: a SIGTERM a killer said it sent is a kill, not a clean stop") {
  Exit plain = classified(signalled("TERM", 15));
  CHECK(plain.cls == ExitClass::clean);
  CHECK(plain.cause == "stopped");

  Exit x = classified(signalled("TERM", 15), external());
  CHECK(x.cls == ExitClass::killed);
  CHECK(x.cause == "sigterm");
  CHECK(x.confidence == Confidence::confirmed);

  Exit hup = classified(signalled("HUP", 1), external());
  CHECK(hup.cls == ExitClass::killed);
  CHECK(hup.cause == "sighup");
}

TEST_CASE("external signal: a stated SIGKILL is confirmed, unlike an unexplained one") {
  Exit x = classified(signalled("KILL", 9), external());
  CHECK(x.cls == ExitClass::killed);
  CHECK(x.cause == "sigkill");
  CHECK(x.confidence == Confidence::confirmed);
}

TEST_CASE("external signal: fatal signals, missing signals and earlier rules are not external kills") {
  Exit segv = classified(signalled("SEGV", 11, "dumped"), external());
  CHECK(segv.cls == ExitClass::segfault);
  CHECK(segv.cause == "segv");

  Exit code = classified(exited(1), external());
  CHECK(code.cls == ExitClass::self_exit);

  ExitFacts f = external();
  f.timeout_state = "stop-sigterm";
  Exit to = classified(signalled("TERM", 15), f);
  CHECK(to.cls == ExitClass::timeout);
  CHECK(to.cause == "stop-sigterm-timeout");

  ExitFacts c = external();
  c.client_kill = true;
  Exit client = classified(signalled("KILL", 9), c);
  CHECK(client.cause == "client-request");
}

// ---- rule_bun_panic ----------------------------------------------------------------------

TEST_CASE("Bun panic banner with no signal or exit record: an inferred segfault") {
  Exit x = no_record();
  x.reason_kind = "bun-panic";
  x.reason = "panic(main thread): Segmentation fault at address 0x0";
  x = classified(x);
  CHECK(x.cls == ExitClass::segfault);
  CHECK(x.cause == "bun-panic");
  CHECK(x.confidence == Confidence::inferred);
  // The reason is there: no complaint about a missing fault line.
  CHECK_FALSE(has_missing(x, "kernel fault line"));
}

TEST_CASE("Bun panic: the shell's signal makes it confirmed, an exit code makes it a self-exit") {
  Exit sig = signalled("ILL", 4, "dumped");
  sig.reason_kind = "bun-panic";
  sig = classified(sig);
  CHECK(sig.cause == "bun-panic");
  CHECK(sig.confidence == Confidence::confirmed);

  Exit code = exited(1);
  code.reason_kind = "bun-panic";
  code = classified(code);
  CHECK(code.cls == ExitClass::self_exit);
}

TEST_CASE("Bun panic wins over a coredump-only record") {
  Exit x = no_record();
  x.reason_kind = "bun-panic";
  ExitFacts f;
  f.coredump = true;
  x = classified(x, f);
  CHECK(x.cause == "bun-panic");
}

// ---- rule_core_dumped --------------------------------------------------------------------

TEST_CASE("coredump-only death: an inferred segfault, cause core-dump") {
  ExitFacts f;
  f.coredump = true;
  Exit x = classified(no_record(), f);
  CHECK(x.cls == ExitClass::segfault);
  CHECK(x.cause == "core-dump");
  CHECK(x.confidence == Confidence::inferred);
  CHECK(has_missing(x, "no \"Main process exited\" record"));
  // A core dump record is there: no complaint that it is missing.
  CHECK_FALSE(has_missing(x, "no core dump record"));

  Exit none = classified(no_record());
  CHECK(none.cls == ExitClass::unknown);
}

TEST_CASE("coredump record: code=dumped without a signal name is core-dump; a named signal decides") {
  ExitFacts f;
  f.coredump = true;
  Exit dumped;
  dumped.exit_kind = "dumped";
  dumped = classified(dumped, f);
  CHECK(dumped.cause == "core-dump");

  Exit abrt = classified(signalled("ABRT", 6, "dumped"), f);
  CHECK(abrt.cause == "abort");
  CHECK(abrt.confidence == Confidence::confirmed);
}

TEST_CASE("coredump record: an exit code or a timeout result decides first") {
  ExitFacts f;
  f.coredump = true;
  Exit code = classified(exited(2), f);
  CHECK(code.cls == ExitClass::self_exit);

  Exit to = no_record();
  to.unit_result = "timeout";
  to = classified(to, f);
  CHECK(to.cls == ExitClass::timeout);
}

// ---- exit 128+N after a stop -------------------------------------------------------------

TEST_CASE("exit 128+N after a stop request is the stop's signal through the process's handler") {
  Exit x = exited(143);
  x.stop_requested = true;
  x = classified(x);
  CHECK(x.cls == ExitClass::killed);
  CHECK(x.cause == "sigterm-exit");
  CHECK(x.confidence == Confidence::confirmed);

  Exit kill = exited(137);
  kill.stop_requested = true;
  CHECK(classified(kill).cause == "sigkill-exit");

  Exit intr = exited(130);
  intr.stop_requested = true;
  CHECK(classified(intr).cause == "sigint-exit");
}

TEST_CASE("exit 128+N: without a stop request, or outside 129..159, it is the process's own exit") {
  Exit x = classified(exited(143));
  CHECK(x.cls == ExitClass::self_exit);
  CHECK(x.cause == "exit-code");

  Exit at128 = exited(128);
  at128.stop_requested = true;
  CHECK(classified(at128).cls == ExitClass::self_exit);

  Exit at159 = exited(128 + 31);
  at159.stop_requested = true;
  at159 = classified(at159);
  CHECK(at159.cls == ExitClass::killed);
  CHECK(at159.cause == "sigsys-exit");

  Exit at160 = exited(160);
  at160.stop_requested = true;
  CHECK(classified(at160).cls == ExitClass::self_exit);

  Exit low = exited(1);
  low.stop_requested = true;
  CHECK(classified(low).cls == ExitClass::self_exit);
}

TEST_CASE("exit 128+N after a stop wins over the runtime's message; a stop-sigterm timeout wins over both") {
  Exit x = exited(143);
  x.stop_requested = true;
  x.reason_kind = "uncaught-exception";
  CHECK(classified(x).cause == "sigterm-exit");

  ExitFacts f;
  f.timeout_state = "stop-sigterm";
  Exit to = exited(143);
  to.stop_requested = true;
  CHECK(classified(to, f).cls == ExitClass::timeout);
}

// ---- OOMPolicy=stop ----------------------------------------------------------------------

TEST_CASE("OOMPolicy=stop: the main process's SIGTERM after a child's OOM kill is not an OOM death") {
  ExitFacts f;
  f.oom_unit_line = true;
  Exit x = signalled("TERM", 15);
  x.unit_result = "oom-kill";
  x = classified(x, f);
  CHECK(x.cls != ExitClass::oom);
  CHECK(x.cls == ExitClass::killed);  // a failing result: not a clean stop
  CHECK(x.cause == "sigterm");

  Exit i = signalled("INT", 2);
  i.unit_result = "oom-kill";
  CHECK(classified(i, f).cls != ExitClass::oom);
}

TEST_CASE("OOMPolicy=stop: the kill line naming the main PID makes it an OOM death after all") {
  ExitFacts f;
  f.oom_unit_line = true;
  f.kernel_oom = KernelOomKill{10, "a", true, {}, {}};
  f.kernel_oom_match = MatchKind::pid;
  Exit x = signalled("TERM", 15);
  x.unit_result = "oom-kill";
  x = classified(x, f);
  CHECK(x.cls == ExitClass::oom);
  CHECK(x.oom_kind == OomKind::cgroup);

  // Matched only by command name and time, the kill line may be the child's.
  f.kernel_oom_match = MatchKind::comm_and_time;
  Exit y = signalled("TERM", 15);
  y.unit_result = "oom-kill";
  CHECK(classified(y, f).cls != ExitClass::oom);
}

TEST_CASE("oom-kill result with a SIGKILL or no signal is still the unit's OOM") {
  Exit k = signalled("KILL", 9);
  k.unit_result = "oom-kill";
  k = classified(k);
  CHECK(k.cls == ExitClass::oom);
  CHECK(k.cause == "cgroup-oom-kill");

  Exit none = no_record();
  none.unit_result = "oom-kill";
  CHECK(classified(none).cls == ExitClass::oom);
}

// ---- rule_exit_code: exited with no code -------------------------------------------------

TEST_CASE("exited with no status shown: an inferred self-exit named by the runtime's message") {
  Exit x = exited(std::nullopt);
  x.reason_kind = "go-panic";
  x = classified(x);
  CHECK(x.cls == ExitClass::self_exit);
  CHECK(x.cause == "go-panic");
  CHECK(x.confidence == Confidence::inferred);

  Exit bare = classified(exited(std::nullopt));
  CHECK(bare.cls == ExitClass::self_exit);
  CHECK(bare.cause == "exit-code");
  CHECK(bare.confidence == Confidence::inferred);

  // With the status the same exit is confirmed.
  Exit known = exited(2);
  known.reason_kind = "go-panic";
  known = classified(known);
  CHECK(known.cause == "go-panic");
  CHECK(known.confidence == Confidence::confirmed);
}

TEST_CASE("exit code: the app's own fatal record does not name the cause, it stays exit-code") {
  Exit x = exited(1);
  x.reason_kind = "app-fatal";
  x.reason = "db unreachable";
  CHECK(classified(x).cause == "exit-code");
}

TEST_CASE("SIGABRT after the app's fatal record is a plain abort; after a runtime's message it is named") {
  Exit app = signalled("ABRT", 6, "dumped");
  app.reason_kind = "app-fatal";
  CHECK(classified(app).cause == "abort");

  Exit go = signalled("ABRT", 6, "dumped");
  go.reason_kind = "go-signal";
  CHECK(classified(go).cause == "go-signal-abort");
}

TEST_CASE("new runtime heap kinds are OOMs of the runtime heap even when the death is an abort") {
  for (const char* kind : {"rust-alloc-failed", "jvm-out-of-memory"}) {
    CAPTURE(kind);
    Exit x = signalled("ABRT", 6, "dumped");
    x.reason_kind = kind;
    x = classified(x);
    CHECK(x.cls == ExitClass::oom);
    CHECK(x.oom_kind == OomKind::runtime_heap);
    CHECK(x.cause == kind);
    CHECK_FALSE(has_missing(x, "OOM kill line"));
  }
}

TEST_CASE("a death only implied by a runtime's message is never confirmed") {
  ExitFacts f;
  f.only_implied = true;
  Exit x = signalled("SEGV", 11, "dumped");
  x = classified(x, f);
  CHECK(x.cls == ExitClass::segfault);
  CHECK(x.confidence == Confidence::inferred);

  Exit heap = no_record();
  heap.reason_kind = "rust-alloc-failed";
  heap = classified(heap, f);
  CHECK(heap.cls == ExitClass::oom);
  CHECK(heap.confidence == Confidence::inferred);
}

TEST_CASE("app-only exits go through the rules: a lifetime's end is unknown, near the limit an inferred OOM") {
  Exit plain;
  ExitFacts f;
  f.app_lifetime_only = true;
  classify_exit(plain, f);
  CHECK(plain.cls == ExitClass::unknown);
  CHECK(plain.cause == "no exit record");
  CHECK(plain.confidence == Confidence::inferred);
  REQUIRE(plain.missing.size() == 1);
  CHECK(plain.missing[0].find("no journal record") != std::string::npos);

  Exit near;
  f.near_memory_limit = 96ull << 20;
  classify_exit(near, f);
  CHECK(near.cls == ExitClass::oom);
  CHECK(near.oom_kind == OomKind::cgroup);
  CHECK(near.cause == "near-memory-limit");
  CHECK(near.confidence == Confidence::inferred);
  REQUIRE(near.missing.size() == 2);
  CHECK(near.missing[1].find("96.0 MiB limit") != std::string::npos);
}
