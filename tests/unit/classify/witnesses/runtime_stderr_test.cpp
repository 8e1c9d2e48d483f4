// The runtime_*.cpp recognizers over REAL stderr: testdata/captures/runtimes/ (captured on this
// project's machine, truth in each case's exit.txt) and shared/real/{node,bun}, each fed both
// ways the parsers deliver raw text; then paste shapes (prompts, `echo $?`, shell messages, CI
// prefixes) and the look-alikes that are no death (logged tracebacks, recovered panics).
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "feed.hpp"  // same folder: the shared feeding helper of the witness tests
#include "crashsift/classify/crash_message.hpp"
#include "crashsift/core/text.hpp"

namespace crashsift::classify {
std::unique_ptr<WitnessRecognizer> make_witness_runtime_stderr();
std::unique_ptr<WitnessRecognizer> make_witness_runtime_go();
std::unique_ptr<WitnessRecognizer> make_witness_runtime_python();
std::unique_ptr<WitnessRecognizer> make_witness_runtime_rust();
std::unique_ptr<WitnessRecognizer> make_witness_runtime_jvm();
std::unique_ptr<WitnessRecognizer> make_witness_runtime_node();
std::unique_ptr<WitnessRecognizer> make_witness_runtime_bun();
}  // namespace crashsift::classify

using namespace crashsift;
using namespace crashsift::classify;
using crashsift::test::Feed;

namespace {

std::vector<Witness> runtime_witnesses(const std::string& text, Feed how, const std::vector<Event>& after = {}) {
  using Make = std::unique_ptr<WitnessRecognizer> (*)();
  static constexpr Make makers[] = {make_witness_runtime_stderr, make_witness_runtime_go,  make_witness_runtime_python,
                                    make_witness_runtime_rust,   make_witness_runtime_jvm, make_witness_runtime_node,
                                    make_witness_runtime_bun};
  std::vector<Witness> all;
  for (Make make : makers) {
    auto r = make();
    for (auto& w : test::feed(*r, text, how, after)) all.push_back(std::move(w));
  }
  return all;
}

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

const std::filesystem::path captures = std::filesystem::path(CRASHSIFT_TESTDATA) / "captures" / "runtimes";
const std::filesystem::path shared_real = std::filesystem::path(CRASHSIFT_TESTDATA) / ".." / ".." / "shared" / "real";

struct Expect {
  const char* name;
  const char* kind;        // reason_kind; "" = no witness at all
  const char* reason;      // the reason starts with this
  std::int64_t pid = 0;    // 0 = none known
  const char* signal = "";
  const char* comm = "";
  const char* exit_kind = "";
  int code = -1;           // -1 = no code shown
};

void check_one(const std::string& text, const Expect& x, Feed how) {
  const std::string name = x.name, feed = how == Feed::pasted ? "pasted" : "cat";
  CAPTURE(name);
  CAPTURE(feed);
  const auto got = runtime_witnesses(text, how);
  if (std::string_view(x.kind).empty()) {
    CHECK(got.empty());
    return;
  }
  REQUIRE(got.size() == 1);
  const Witness& w = got[0];
  CHECK(w.reason_kind == x.kind);
  CHECK(crashsift::starts_with(w.reason, x.reason));
  // Only `go run`'s "exit status 2" line says how the process ended; nothing else in stderr does.
  CHECK(w.states_cause == (x.code >= 0));
  CHECK(w.signal == x.signal);
  CHECK(w.comm == x.comm);
  CHECK(w.exit_kind == x.exit_kind);
  if (x.code >= 0) CHECK(w.code == x.code);
  else CHECK_FALSE(w.code);
  if (x.pid) CHECK(w.pid == x.pid);
  else CHECK_FALSE(w.pid);
  REQUIRE_FALSE(w.lines.empty());
  CHECK(w.lines.front().text == w.reason.substr(0, w.lines.front().text.size()));
  CHECK(w.when == WhenKnown::none);
}

}  // namespace

TEST_CASE("every real runtime capture (testdata/captures/runtimes) gives its one death, both feeds") {
  // Truth: each case's exit.txt and cmd.txt; the reason is the runtime's own message line.
  const Expect cases[] = {
      {"c-double-free", "glibc-abort", "free(): double free detected in tcache 2", 0, "ABRT"},
      {"c-stack-smash", "glibc-abort", "*** stack smashing detected ***: terminated", 0, "ABRT"},
      {"go-concurrent-map-writes", "go-fatal-error", "fatal error: concurrent map writes", 0, "", "", "exited"},
      {"go-concurrent-map-writes-gorun", "go-fatal-error", "fatal error: concurrent map writes", 0, "", "", "exited", 2},
      {"go-nilptr", "go-panic", "panic: runtime error: invalid memory address or nil pointer dereference", 0, "", "", "exited"},
      {"go-nilptr-gorun", "go-panic", "panic: runtime error: invalid memory address", 0, "", "", "exited", 2},
      {"go-oom", "go-out-of-memory", "fatal error: out of memory", 0, "", "", "exited"},
      {"go-oom-at-startup", "go-fatal-error", "fatal error: failed to reserve page summary memory", 0, "", "", "exited"},
      {"go-panic", "go-panic", "panic: invalid order id \"\"", 0, "", "", "exited"},
      {"go-panic-gorun", "go-panic", "panic: invalid order id \"\"", 0, "", "", "exited", 2},
      {"node-heap-oom", "v8-heap-limit", "FATAL ERROR: Reached heap limit Allocation failed", 30391, "", "node"},
      {"node-uncaught-exception", "uncaught-exception", "TypeError: Cannot read properties of undefined (reading 'profile')",
       0, "", "node", "exited"},
      {"node-unhandled-rejection", "uncaught-exception", "Error: upstream returned 503", 0, "", "node", "exited"},
      {"python-chained-traceback", "python-exception",
       "ValueError: invalid literal for int() with base 10: 'port-not-a-number'", 0, "", "", "exited"},
      {"python-faulthandler-segv", "python-fatal-error", "Fatal Python error: Segmentation fault", 0, "SEGV"},
      {"python-memoryerror", "python-memory-error", "MemoryError", 0, "", "", "exited"},
      {"python-segv-no-faulthandler", "", ""},
      {"python-sigkill", "", ""},
      {"rust-deb-alloc-failed", "rust-alloc-failed", "memory allocation of 8589934592 bytes failed"},
      {"rust-deb-panic-index", "rust-panic", "thread 'main' panicked at 'index out of bounds", 0, "", "", "exited"},
      {"rust-deb-panic-index-backtrace", "rust-panic", "thread 'main' panicked at 'index out of bounds", 0, "", "",
       "exited"},
      {"rust-deb-unwrap-err", "rust-panic", "thread 'main' panicked at 'called `Result::unwrap()`", 0, "", "", "exited"},
      {"rust-up-alloc-failed", "rust-alloc-failed", "memory allocation of 8589934592 bytes failed"},
      {"rust-up-panic-index", "rust-panic",
       "thread 'main' (30341) panicked at rs_panic.rs:2:5: index out of bounds: the len is 3 but the index is 10", 30341,
       "", "", "exited"},
      {"rust-up-panic-index-backtrace", "rust-panic", "thread 'main' (30345) panicked at rs_panic.rs:2:5: index out",
       30345, "", "", "exited"},
      {"rust-up-unwrap-err", "rust-panic", "thread 'main' (30359) panicked at rs_unwrap.rs:5:65: called", 30359, "", "",
       "exited"},
  };
  size_t seen = 0;
  for (const auto& x : cases) {
    const auto path = captures / x.name / "stderr.txt";
    REQUIRE(std::filesystem::exists(path));
    const std::string text = slurp(path);
    check_one(text, x, Feed::pasted);
    check_one(text, x, Feed::cat);
    ++seen;
  }
  CHECK(seen == 26);  // the 26 case folders of the capture (28 entries with PROVENANCE, versions.txt)
}

TEST_CASE("real Node and Bun stderr (shared/real): heap OOM PID, uncaught errors, panics") {
  if (!std::filesystem::exists(shared_real / "node")) {
    MESSAGE("CRASHSIFT-SKIP: shared/real is not on this machine");
    return;
  }
  const Expect node[] = {
      {"heap-oom", "v8-heap-limit", "FATAL ERROR: Reached heap limit", 12819, "", "node"},
      {"report-on-fatal", "v8-heap-limit", "FATAL ERROR: Reached heap limit", 12861, "", "node"},
      {"throw", "uncaught-exception", "TypeError: Cannot read properties of undefined (reading 'database')", 0, "", "node",
       "exited"},
      {"reject", "uncaught-exception", "Error: upstream returned 503", 0, "", "node", "exited"},
      {"reject-nonerror", "unhandled-rejection", "UnhandledPromiseRejection: This error originated", 0, "", "node",
       "exited"},
      {"reject-warn", "", ""},  // the old warn mode: the process lives on
      {"abort", "", ""},        // process.abort(): no message of its own to read
  };
  for (const auto& x : node) {
    const std::string text = slurp(shared_real / "node" / x.name / "stderr.txt");
    check_one(text, x, Feed::pasted);
    check_one(text, x, Feed::cat);
  }
  const Expect bun[] = {
      {"ffi-segv", "bun-panic", "panic(main thread): Segmentation fault at address 0x8", 0, "", "bun"},
      {"kill-ABRT", "bun-panic", "panic(main thread): abort() called", 0, "", "bun"},
      {"kill-BUS", "bun-panic", "panic(main thread): Bus error at address 0x3874", 0, "", "bun"},
      {"kill-ILL", "bun-panic", "panic(main thread): Illegal instruction", 0, "", "bun"},
      {"kill-SEGV", "bun-panic", "panic(main thread): Segmentation fault", 0, "", "bun"},
      {"kill-KILL", "", ""},
      {"kill-TERM", "", ""},
      {"reject", "uncaught-exception", "error: upstream returned 503", 0, "", "bun", "exited"},
      {"throw", "uncaught-exception", "TypeError: undefined is not an object", 0, "", "bun", "exited"},
  };
  for (const auto& x : bun) {
    const std::string text = slurp(shared_real / "bun" / x.name / "stderr.txt");
    check_one(text, x, Feed::pasted);
    check_one(text, x, Feed::cat);
    if (std::string_view(x.kind) == "bun-panic") CHECK(runtime_witnesses(text, Feed::pasted)[0].runtime == "Bun v1.4.5");
  }
}

TEST_CASE("heap OOM kinds are the ones the rules read as runtime-heap OOM") {
  CHECK(is_runtime_heap_oom("v8-heap-limit"));
  CHECK(is_runtime_heap_oom("go-out-of-memory"));
  CHECK(is_runtime_heap_oom("python-memory-error"));
  CHECK(is_runtime_heap_oom("bun-out-of-memory"));
}

TEST_CASE("the shell around the dump: prompt names the program, echo $? and job lines tell how it ended") {
  const std::string go = "$ go run ./cmd/fetcher\n2024/05/21 09:14:02 fetching 212 feeds\npanic: assignment to entry in nil map\n\n"
                         "goroutine 1 [running]:\nmain.main()\n\t/home/li/src/fetcher/cmd/fetcher/main.go:48 +0x2f4\n"
                         "exit status 2\n";
  auto w = runtime_witnesses(go, Feed::pasted);
  REQUIRE(w.size() == 1);
  CHECK(w[0].comm == "fetcher");
  CHECK(w[0].code == 2);
  CHECK(w[0].exit_kind == "exited");
  CHECK(w[0].states_cause);  // an exit status line is in the block

  const std::string py = "(venv) $ python3 etl.py --date 2024-02-30\nTraceback (most recent call last):\n"
                         "  File \"/home/raj/etl/etl.py\", line 88, in <module>\n    main(parse_args())\n"
                         "ValueError: day is out of range for month\n(venv) $ echo $?\n1\n";
  w = runtime_witnesses(py, Feed::pasted);
  REQUIRE(w.size() == 1);
  CHECK(w[0].comm == "python3");
  CHECK(w[0].code == 1);
  CHECK(w[0].reason == "ValueError: day is out of range for month");

  const std::string rust = "\xe2\x9e\x9c  tiler git:(main) \xe2\x9c\x97 ./target/debug/tiler --input big.tif -z 18\n"
                           "memory allocation of 137421126912 bytes failed\n"
                           "[1]    61877 IOT instruction (core dumped)  ./target/debug/tiler --input big.tif -z 18\n";
  w = runtime_witnesses(rust, Feed::pasted);
  REQUIRE(w.size() == 1);
  CHECK(w[0].comm == "tiler");
  CHECK(w[0].pid == 61877);
  CHECK(w[0].signal == "ABRT");
  CHECK(w[0].reason_kind == "rust-alloc-failed");

  const std::string smash = "+ ../../build/genie_gxg -g data/geno -k 10\n#SNP in bim file 100\n"
                            "*** stack smashing detected ***: terminated\n"
                            "./test.sh: line 7: 23677 Aborted                 (core dumped) ../../build/genie_gxg -g x\n";
  w = runtime_witnesses(smash, Feed::cat);
  REQUIRE(w.size() == 1);
  CHECK(w[0].pid == 23677);
  CHECK(w[0].comm == "genie_gxg");
  CHECK(w[0].signal == "ABRT");
}

TEST_CASE("V8 heap report: PID from the GC lines, CI prefixes, yarn's exit code, Aborted") {
  const std::string text =
      "[build] $ webpack --mode production\n[build] <--- Last few GCs --->\n"
      "[build] [412:0x6b1c0a0]   188240 ms: Scavenge 4011.6 (4124.2) -> 4007.9 (4124.7) MB, 22.41 / 0.00 ms\n"
      "[build] FATAL ERROR: Ineffective mark-compacts near heap limit Allocation failed - JavaScript heap out of memory\n"
      "[build] ----- Native stack trace -----\n"
      "[build]  1: 0xb8ced1 node::OOMErrorHandler(char const*, v8::OOMDetails const&) [/usr/local/bin/node]\n"
      "[build] Aborted (core dumped)\n[build] error Command failed with exit code 134.\n"
      "[build] info Visit https://yarnpkg.com/en/docs/cli/run for documentation about this command.\n";
  auto w = runtime_witnesses(text, Feed::pasted);
  REQUIRE(w.size() == 1);
  CHECK(w[0].pid == 412);
  CHECK(w[0].comm == "node");
  CHECK(w[0].reason_kind == "v8-heap-limit");
  CHECK(w[0].signal == "ABRT");
  CHECK(w[0].code == 134);
}

TEST_CASE("two runs in one paste are two deaths") {
  const std::string text =
      "first run:\n/app/dist/queue.js:212\n        throw new QueueClosedError(this.name);\n        ^\n\n"
      "QueueClosedError: queue \"emails\" is closed\n    at Queue.add (/app/dist/queue.js:212:15)\n\nNode.js v20.10.0\n\n"
      "second run (after bumping the pool):\n\n<--- Last few GCs --->\n\n"
      "[7:0x5d1c2e0]    61210 ms: Mark-Compact 251.8 (258.6) -> 250.9 (259.1) MB, 301.22 / 0.00 ms\n\n"
      "FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory\n";
  for (Feed how : {Feed::pasted, Feed::cat}) {
    auto w = runtime_witnesses(text, how);
    REQUIRE(w.size() == 2);
    // One recognizer each (Node's uncaught error first in the recognizer order: heap, then uncaught).
    const Witness& oom = w[0].reason_kind == "v8-heap-limit" ? w[0] : w[1];
    const Witness& thrown = w[0].reason_kind == "v8-heap-limit" ? w[1] : w[0];
    CHECK(oom.pid == 7);
    CHECK(thrown.reason == "QueueClosedError: queue \"emails\" is closed");
    CHECK(thrown.runtime == "Node.js v20.10.0");
  }
}

TEST_CASE("Bun: standalone executable named by Args:, bun run's signal line, out of memory") {
  const std::string banner = "$ ./dist/relay-cli serve --port 7070\n"
                             "============================================================\n"
                             "Bun v1.3.2 (b131639c) Linux x64 (baseline)\nArgs: \"relay-cli\" \"serve\"\n"
                             "panic(main thread): Segmentation fault at address 0x726E55555554\n"
                             "oh no: Bun has crashed. This indicates a bug in Bun, not your code.\n"
                             "Illegal instruction (core dumped)\n";
  auto w = runtime_witnesses(banner, Feed::pasted);
  REQUIRE(w.size() == 1);
  CHECK(w[0].comm == "relay-cli");
  CHECK(w[0].signal == "ILL");  // what the shell shows, not the panic's words
  CHECK(w[0].reason_kind == "bun-panic");
  CHECK(w[0].runtime == "Bun v1.3.2");

  const std::string run = "$ bun run test\npanic(main thread): Segmentation fault at address 0x504C1C2\n"
                          "oh no: Bun has crashed. This indicates a bug in Bun, not your code.\n"
                          " https://bun.report/1.2.5/lt1013fddduIukgQo9izqE\n"
                          "error: script \"test\" was terminated by signal SIGILL (Illegal instruction)\n";
  w = runtime_witnesses(run, Feed::pasted);
  REQUIRE(w.size() == 1);
  CHECK(w[0].comm == "bun");
  CHECK(w[0].signal == "ILL");

  w = runtime_witnesses("Bun v1.2.5 (013fddd) Linux x64\noh no: Bun has ran out of memory.\n", Feed::cat);
  REQUIRE(w.size() == 1);
  CHECK(w[0].reason_kind == "bun-out-of-memory");
  CHECK(is_runtime_heap_oom(w[0].reason_kind));
}

TEST_CASE("JVM: main thread's OutOfMemoryError, hs_err report with PID and JRE version") {
  auto w = runtime_witnesses("Exception in thread \"main\" java.lang.OutOfMemoryError: Java heap space\n"
                             "\tat java.base/java.util.Arrays.copyOf(Arrays.java:3537)\n",
                             Feed::pasted);
  REQUIRE(w.size() == 1);
  CHECK(w[0].reason_kind == "jvm-out-of-memory");
  CHECK(w[0].comm == "java");
  w = runtime_witnesses("#\n# A fatal error has been detected by the Java Runtime Environment:\n#\n"
                        "#  SIGSEGV (0xb) at pc=0x00007f7bfaa351c9, pid=13060, tid=13080\n#\n"
                        "# JRE version: OpenJDK Runtime Environment Temurin-17.0.9+9 (17.0.9+9) (build 17.0.9+9)\n"
                        "# Problematic frame:\n# C  [libsqlitejdbc.so+0x551c9]  sqlite3VdbeExec+0x1b29\n#\n",
                        Feed::cat);
  REQUIRE(w.size() == 1);
  CHECK(w[0].pid == 13060);
  CHECK(w[0].signal == "SEGV");
  CHECK(crashsift::starts_with(w[0].runtime, "OpenJDK Runtime Environment Temurin-17.0.9+9"));
}

TEST_CASE("Go: signal dump without panic; a long goroutine dump keeps the header as reason") {
  std::string text = "SIGABRT: abort\nPC=0x46e4a1 m=0 sigcode=0\n\ngoroutine 0 [idle]:\nruntime.futex()\n"
                     "\t/usr/local/go/src/runtime/sys_linux_amd64.s:557 +0x21\n";
  for (int i = 1; i < 400; ++i)
    text += "goroutine " + std::to_string(i) + " [select]:\nmain.worker()\n\t/src/w.go:9 +0x1f\n";
  text += "rax    0xca\nrip    0x46e4a1\n";
  auto w = runtime_witnesses(text, Feed::pasted);
  REQUIRE(w.size() == 1);
  CHECK(w[0].reason == "SIGABRT: abort");
  CHECK(w[0].signal == "ABRT");
  CHECK(w[0].lines.size() <= 12);  // bounded evidence however long the dump
}

TEST_CASE("look-alikes that are no death") {
  // A recovered HTTP handler panic (negative paste 182), a logged traceback (183), the old
  // rejection warning (181), a worker thread's Rust panic, another thread's Java exception.
  const char* texts[] = {
      "2024/03/12 15:41:07 http: panic serving 10.0.3.18:51234: runtime error: index out of range\n"
      "goroutine 9121 [running]:\nnet/http.(*conn).serve.func1()\n\t/usr/local/go/src/net/http/server.go:1898 +0xbe\n"
      "panic({0x8d1f20?, 0xc000512360?})\n\t/usr/local/go/src/runtime/panic.go:770 +0x132\n"
      "2024/03/12 15:41:08 GET /v1/lookup?q=x 200 1.2ms\n",
      "2024-08-21 09:12:44,118 ERROR worker.tasks: task sync_invoices failed, will retry in 30s\n"
      "Traceback (most recent call last):\n  File \"/srv/worker/tasks.py\", line 77, in sync_invoices\n"
      "    resp.raise_for_status()\nrequests.exceptions.HTTPError: 502 Server Error: Bad Gateway\n"
      "2024-08-21 09:13:14,120 INFO worker.tasks: task sync_invoices succeeded\n",
      "(node:4121) UnhandledPromiseRejectionWarning: Error: connect ECONNREFUSED 127.0.0.1:6379\n"
      "    at TCPConnectWrap.afterConnect [as oncomplete] (net.js:1148:16)\nserver still listening on :3000\n",
      "thread 'tokio-runtime-worker' panicked at src/conn.rs:88:14:\nconnection reset\n"
      "note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace\n",
      "Exception in thread \"pool-1-thread-3\" java.lang.IllegalStateException: closed\n\tat a.B.c(B.java:1)\n",
      "TypeError: x is not a function\n    at handler (/srv/app.js:3:9)\nstill serving\n",
      "panic: \n",
  };
  for (const char* t : texts) {
    const std::string text = t;
    CAPTURE(text);
    CHECK(runtime_witnesses(t, Feed::pasted).empty());
    CHECK(runtime_witnesses(t, Feed::cat).empty());
  }
}

TEST_CASE("journal records with an identifier or PID are left to the tracker's output tails") {
  std::vector<Event> journal;
  for (const char* line : {"panic: boom", "goroutine 1 [running]:", "main.main()", "Traceback (most recent call last):",
                           "ValueError: x", "free(): double free detected in tcache 2"}) {
    Event e;
    e.identifier = "app";
    e.pid = 42;
    e.time = test::utc(2025, 1, 2, 3, 4, 5);
    e.message = line;
    journal.push_back(e);
  }
  CHECK(runtime_witnesses("", Feed::pasted, journal).empty());
}
