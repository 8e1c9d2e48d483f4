// The crash-message finders added with the witness model (JVM, Rust allocation failure, glibc
// aborts, Go signal dumps, an app's own fatal record) and is_crash_header, on real stderr from
// testdata/captures/runtimes and testdata/pastes where there is one; then the crash header kept
// past the bounded output tail, through ExitTracker with journal-form events.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "crashsift/classify/crash_message.hpp"
#include "crashsift/classify/tracker.hpp"
#include "support/events.hpp"

using namespace crashsift;
using namespace crashsift::classify;
using namespace crashsift::test;

namespace {

std::string slurp(const std::string& rel) {
  std::ifstream in(std::string(CRASHSIFT_TESTDATA) + "/" + rel);
  REQUIRE(in);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The lines as journald stores them: one per line, blank lines dropped.
std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);)
    if (l.find_first_not_of(" \t\r") != std::string::npos) out.push_back(l);
  return out;
}

std::optional<CrashMessage> find(const std::vector<std::string>& lines) {
  std::vector<std::string_view> views(lines.begin(), lines.end());
  return find_crash_message(views);
}

std::optional<CrashMessage> find_in(const std::string& rel) { return find(lines_of(slurp(rel))); }

}  // namespace

// ---- glibc ---------------------------------------------------------------------------------

TEST_CASE("glibc abort: double free and stack smashing (real stderr)") {
  auto df = find_in("captures/runtimes/c-double-free/stderr.txt");
  REQUIRE(df);
  CHECK(df->kind == "glibc-abort");
  CHECK(df->text == "free(): double free detected in tcache 2");
  CHECK_FALSE(is_runtime_heap_oom(df->kind));

  auto ss = find_in("captures/runtimes/c-stack-smash/stderr.txt");
  REQUIRE(ss);
  CHECK(ss->kind == "glibc-abort");
  CHECK(ss->text == "*** stack smashing detected ***: terminated");
}

TEST_CASE("glibc abort: the other heap checks, and the last one wins") {
  for (std::string_view l : {"malloc(): corrupted top size", "corrupted size vs. prev_size",
                             "munmap_chunk(): invalid pointer", "realloc(): invalid next size",
                             "malloc_consolidate(): unaligned fastbin chunk detected",
                             "double free or corruption (out)", "*** buffer overflow detected ***: terminated"}) {
    CAPTURE(l);
    auto m = find({"starting worker", std::string(l)});
    REQUIRE(m);
    CHECK(m->kind == "glibc-abort");
    CHECK(m->line_index == 1);
  }
  // A program's own words that only mention free() are no glibc message.
  CHECK_FALSE(find({"released buffers with free() and exited"}));
}

// ---- Rust allocation failure -----------------------------------------------------------------

TEST_CASE("Rust allocation failure is the runtime heap exhausted (real stderr, Debian and rustup builds)") {
  for (const char* name : {"rust-deb-alloc-failed", "rust-up-alloc-failed"}) {
    CAPTURE(name);
    auto m = find_in(std::string("captures/runtimes/") + name + "/stderr.txt");
    REQUIRE(m);
    CHECK(m->kind == "rust-alloc-failed");
    CHECK(m->text == "memory allocation of 8589934592 bytes failed");
    CHECK(m->line_index == 0);  // rustup's build adds a "note:" line after it
    CHECK(is_runtime_heap_oom(m->kind));
  }
  CHECK_FALSE(find({"memory allocation of 8 bytes succeeded"}));
}

// ---- JVM -------------------------------------------------------------------------------------

TEST_CASE("JVM OutOfMemoryError with its tab-indented frames is the JVM heap, not a JS error") {
  auto m = find_in("pastes/106-jvm-oom-heap-space/input.txt");
  REQUIRE(m);
  CHECK(m->kind == "jvm-out-of-memory");
  CHECK(m->text == "Exception in thread \"main\" java.lang.OutOfMemoryError: Java heap space");
  CHECK(m->line_index == 0);
  CHECK(is_runtime_heap_oom(m->kind));

  // -XX:+ExitOnOutOfMemoryError prints one line.
  auto exit_on = find({"Terminating due to java.lang.OutOfMemoryError: Java heap space"});
  REQUIRE(exit_on);
  CHECK(exit_on->kind == "jvm-out-of-memory");
}

TEST_CASE("JVM hs_err banner: the signal line under it is the reason") {
  auto m = find_in("pastes/107-jvm-hs-err-sigsegv/input.txt");
  REQUIRE(m);
  CHECK(m->kind == "jvm-fatal-error");
  CHECK(m->text == "SIGSEGV (0xb) at pc=0x00007f7bfaa351c9, pid=13060, tid=13080");
  CHECK_FALSE(is_runtime_heap_oom(m->kind));

  // Without the signal line within the next few lines, the banner itself.
  auto bare = find({"#", "# A fatal error has been detected by the Java Runtime Environment:", "#"});
  REQUIRE(bare);
  CHECK(bare->kind == "jvm-fatal-error");
  CHECK(bare->text == "# A fatal error has been detected by the Java Runtime Environment:");
  CHECK(bare->line_index == 1);
}

// ---- Go signal dump --------------------------------------------------------------------------

TEST_CASE("Go signal dump without a panic (SIGABRT from a watchdog): the signal line") {
  // Paste 013: systemd's watchdog sent SIGABRT; the Go runtime printed its dump.
  const std::vector<std::string> lines = {
      "SIGABRT: abort",
      "PC=0x46f2c1 m=0 sigcode=0",
      "goroutine 0 gp=0x1a31e40 m=0 mp=0x1a32f20 [idle]:",
      "runtime.futex(0x1a33060, 0x80, 0x0, 0x0, 0x0, 0x0)",
      "        /usr/local/go/src/runtime/sys_linux_amd64.s:557 +0x21 fp=0x7ffd2b1c7b30 sp=0x7ffd2b1c7b28 pc=0x46f2c1"};
  auto m = find(lines);
  REQUIRE(m);
  CHECK(m->kind == "go-signal");
  CHECK(m->text == "SIGABRT: abort");
  CHECK(m->line_index == 0);

  auto segv = find({"SIGSEGV: segmentation violation", "PC=0x4553a1 m=3 sigcode=1 addr=0x0"});
  REQUIRE(segv);
  CHECK(segv->kind == "go-signal");
}

TEST_CASE("Go signal dump: needs the PC= line, and a panic with its [signal ...] line stays a panic") {
  auto m = find({"SIGTERM: shutting down", "bye"});
  CHECK((!m || m->kind != "go-signal"));

  auto nil = find_in("captures/runtimes/go-nilptr/stderr.txt");
  REQUIRE(nil);
  CHECK(nil->kind == "go-panic");
  CHECK(nil->text == "panic: runtime error: invalid memory address or nil pointer dereference");
}

// ---- the app's own fatal record --------------------------------------------------------------

TEST_CASE("app fatal record: pino/bunyan level 60, winston and GCP severities; the msg is the reason") {
  auto pino = find({R"({"level":30,"time":1732345000000,"pid":42,"hostname":"api-1","msg":"listening"})",
                    R"({"level":60,"time":1732345001000,"pid":42,"hostname":"api-1","msg":"database unreachable, exiting"})"});
  REQUIRE(pino);
  CHECK(pino->kind == "app-fatal");
  CHECK(pino->text == "database unreachable, exiting");
  CHECK(pino->line_index == 1);

  auto winston = find({R"({"level":"fatal","message":"config missing","timestamp":"2024-11-23T07:57:41Z"})"});
  REQUIRE(winston);
  CHECK(winston->text == "config missing");

  auto gcp = find({R"({"severity":"FATAL","message":"cannot bind :8080"})"});
  REQUIRE(gcp);
  CHECK(gcp->kind == "app-fatal");
  CHECK(gcp->text == "cannot bind :8080");

  // No msg or message key: the record itself, cut.
  const std::string long_record = R"({"level":60,"err":")" + std::string(300, 'x') + R"("})";
  auto raw = find({long_record});
  REQUIRE(raw);
  CHECK(raw->text.size() == 200);
  CHECK(raw->text.substr(0, 11) == R"({"level":60)");
}

TEST_CASE("app fatal record: lower levels and non-JSON text are not fatal records") {
  CHECK_FALSE(find({R"({"level":50,"msg":"request failed"})"}));
  CHECK_FALSE(find({R"(level=60 msg="not json")"}));
}

TEST_CASE("app fatal record: a runtime's own crash message after it is the more specific reason") {
  auto m = find({R"({"level":60,"msg":"unhandled error, exiting"})",
                 "/srv/app/index.js:12",
                 "TypeError: Cannot read properties of undefined (reading 'x')",
                 "    at main (/srv/app/index.js:12:5)"});
  REQUIRE(m);
  CHECK(m->kind == "uncaught-exception");
}

// ---- finder precedence among the new kinds ---------------------------------------------------

TEST_CASE("Rust allocation failure wins over a Rust panic earlier in the output") {
  auto m = find({"thread 'worker' panicked at src/main.rs:4:5:", "index out of bounds",
                 "memory allocation of 1073741824 bytes failed"});
  REQUIRE(m);
  CHECK(m->kind == "rust-alloc-failed");
}

TEST_CASE("Go out of memory (real stderr): 'fatal error: out of memory' above the goroutine dump") {
  auto m = find_in("captures/runtimes/go-oom/stderr.txt");
  REQUIRE(m);
  CHECK(m->kind == "go-out-of-memory");
  CHECK(m->text == "fatal error: out of memory");
}

// ---- is_crash_header -------------------------------------------------------------------------

TEST_CASE("is_crash_header: the first line of each runtime's dump") {
  for (std::string_view l : {"panic: invalid order id \"\"", "fatal error: concurrent map writes",
                             "FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory",
                             "Traceback (most recent call last):", "thread 'main' panicked at src/main.rs:2:5:",
                             "thread 'main' (15709) panicked at m.rs:1:48:", "panic(main thread): Segmentation fault at address 0x0",
                             "Exception in thread \"main\" java.lang.OutOfMemoryError: Java heap space",
                             "SIGABRT: abort", "SIGSEGV: segmentation violation", "  panic: indented"}) {
    CAPTURE(l);
    CHECK(is_crash_header(l));
  }
  for (std::string_view l : {"goroutine 1 [running]:", "main.main()", "    at main (/srv/app/index.js:12:5)",
                             "[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x481018]",
                             "PC=0x46f2c1 m=0 sigcode=0", "SIGTERM received, shutting down", "panicking is bad",
                             "", "error: boom"}) {
    CAPTURE(l);
    CHECK_FALSE(is_crash_header(l));
  }
}

// ---- the header kept past the tail, through ExitTracker --------------------------------------

namespace {

// Journal-form events of one process in orders.service, one per non-blank stderr line, each with
// its own entry line (as every journal parser numbers entries), then PID 1's exit record.
struct Journal {
  std::vector<Event> events;
  UsecUtc t = t0;
  std::uint64_t line = 0;

  void out(const std::string& text, std::int64_t pid = 4242) {
    Event e = output(t, "orders", pid, text, "orders.service");
    e.origin.line = ++line;
    t += 100;
    events.push_back(std::move(e));
  }
  void pid1_line(const std::string& text) {
    Event e = pid1(t, text);
    e.origin.line = ++line;
    t += 100;
    events.push_back(std::move(e));
  }
};

Classified track(const std::vector<Event>& events) {
  ExitTracker tracker;
  tracker.begin_input(0, true);
  for (const auto& e : events) tracker.on_event(e);
  tracker.end_input();
  return tracker.finish();
}

// A Go panic whose goroutine dump is long: the real go-panic stderr, then the other goroutines'
// blocks as Go 1.19 prints them (taken from the real go-oom capture, after its first goroutine).
std::vector<std::string> long_go_panic() {
  std::vector<std::string> lines = lines_of(slurp("captures/runtimes/go-panic/stderr.txt"));
  const std::vector<std::string> oom = lines_of(slurp("captures/runtimes/go-oom/stderr.txt"));
  size_t second = 0;
  for (size_t i = 0; i < oom.size(); ++i)
    if (oom[i].rfind("goroutine 2 ", 0) == 0) second = i;
  REQUIRE(second > 0);
  lines.insert(lines.end(), oom.begin() + static_cast<std::ptrdiff_t>(second), oom.end());
  return lines;
}

}  // namespace

TEST_CASE("tracker: a Go panic header more than 32 lines above the end is still the reason") {
  const std::vector<std::string> lines = long_go_panic();
  REQUIRE(lines.front() == "panic: invalid order id \"\"");
  // The tail keeps 32 lines: the header must have left it for this test to mean anything.
  REQUIRE(lines.size() > TrackerLimits{}.tail_lines + 8);
  Journal j;
  j.pid1_line("Started orders.service - Orders.");
  for (const auto& l : lines) j.out(l);
  j.pid1_line("orders.service: Main process exited, code=exited, status=2/INVALIDARGUMENT");
  j.pid1_line("orders.service: Failed with result 'exit-code'.");
  const std::uint64_t header_line = 2;  // right after the Started line

  auto c = track(j.events);
  REQUIRE(c.exits.size() == 1);
  const Exit& x = c.exits[0];
  CHECK(x.pid == 4242);
  CHECK(x.reason == "panic: invalid order id \"\"");
  CHECK(x.reason_kind == "go-panic");
  CHECK(x.cls == ExitClass::self_exit);
  CHECK(x.cause == "go-panic");
  CHECK(x.code == 2);
  // The evidence points at the header's own line, not at a line still in the tail.
  bool found = false;
  for (const auto& e : x.evidence)
    if (e.role == "crash-message") {
      found = true;
      CHECK(e.origin.line == header_line);
      CHECK(e.text == x.reason);
    }
  CHECK(found);
  // The report's short tail is the end of the dump, not the kept header.
  REQUIRE_FALSE(x.last_output.empty());
  CHECK(x.last_output.back() == lines.back());
}

TEST_CASE("tracker: Go out of memory (real 92-line stderr) is a runtime-heap OOM though its header left the tail") {
  const std::vector<std::string> lines = lines_of(slurp("captures/runtimes/go-oom/stderr.txt"));
  size_t header = 0;
  while (header < lines.size() && lines[header] != "fatal error: out of memory") ++header;
  REQUIRE(header < lines.size());
  REQUIRE(lines.size() - header > TrackerLimits{}.tail_lines);
  Journal j;
  for (const auto& l : lines) j.out(l);
  j.pid1_line("orders.service: Main process exited, code=exited, status=2/INVALIDARGUMENT");
  auto c = track(j.events);
  REQUIRE(c.exits.size() == 1);
  CHECK(c.exits[0].reason_kind == "go-out-of-memory");
  CHECK(c.exits[0].cls == ExitClass::oom);
  CHECK(c.exits[0].oom_kind == OomKind::runtime_heap);
}

TEST_CASE("tracker: a short dump keeps its header once (no duplicate in front of the tail)") {
  const std::vector<std::string> lines = lines_of(slurp("captures/runtimes/go-panic/stderr.txt"));
  REQUIRE(lines.size() < TrackerLimits{}.tail_lines);
  Journal j;
  for (const auto& l : lines) j.out(l);
  j.pid1_line("orders.service: Main process exited, code=exited, status=2/INVALIDARGUMENT");
  auto c = track(j.events);
  REQUIRE(c.exits.size() == 1);
  CHECK(c.exits[0].reason == "panic: invalid order id \"\"");
  int headers = 0;
  for (const auto& l : c.exits[0].last_output) headers += l == lines.front();
  CHECK(headers <= 1);
}

TEST_CASE("tracker: another process's header does not become this process's reason") {
  const std::vector<std::string> lines = long_go_panic();
  Journal j;
  j.out("panic: from a helper process", 5000);  // another PID in the same unit
  for (size_t i = 1; i < lines.size(); ++i) j.out(lines[i]);  // 4242's dump without its header
  j.pid1_line("orders.service: Main process exited, code=exited, status=2/INVALIDARGUMENT");
  auto c = track(j.events);
  REQUIRE(c.exits.size() == 1);
  CHECK(c.exits[0].pid == 4242);
  CHECK(c.exits[0].reason != "panic: from a helper process");
}

TEST_CASE("a crash header inside one multi-line message survives a long dump in the same message") {
  std::string dump = "panic: invalid order id \"\"\n\ngoroutine 1 [running]:\n";
  for (int i = 0; i < 80; ++i) dump += "main.step" + std::to_string(i) + "(...)\n\t/src/main.go:" + std::to_string(i) + "\n";
  Event out = output(t0, "orders", 4242, dump, "orders.service");
  out.origin.line = 5;
  Event exit = pid1(t0 + ms(3), "orders.service: Main process exited, code=exited, status=2/INVALIDARGUMENT");
  exit.origin.line = 6;
  ExitTracker t;
  t.begin_input(0, true);
  t.on_event(pid1(t0 - ms(50), "Started orders.service - Orders."));
  t.on_event(out);
  t.on_event(exit);
  t.end_input();
  const auto c = t.finish();
  REQUIRE(c.exits.size() == 1);
  CHECK(c.exits[0].reason_kind == "go-panic");
  CHECK(c.exits[0].reason == "panic: invalid order id \"\"");
}

TEST_CASE("app fatal record: an escaped quote does not end the message") {
  const auto m = find({"{\"level\":60,\"msg\":\"config \\\"db.host\\\" missing\",\"pid\":7}"});
  REQUIRE(m);
  CHECK(m->kind == "app-fatal");
  CHECK(m->text == "config \"db.host\" missing");
}
