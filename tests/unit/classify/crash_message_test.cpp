#include <doctest/doctest.h>

#include "crashsift/classify/crash_message.hpp"

using namespace crashsift::classify;

namespace {
std::optional<CrashMessage> find(std::vector<std::string_view> lines) { return find_crash_message(lines); }
}  // namespace

TEST_CASE("Bun panic banner: the panic line is the reason (real Bun 1.4.5 output)") {
  auto m = find({"============================================================", "Bun v1.4.5 (a7733435c) Linux x64",
                 "Elapsed: 994ms | User: 6ms | Sys: 0ms", "panic(main thread): Segmentation fault at address 0x23",
                 "oh no: Bun has crashed. This indicates a bug in Bun, not your code.",
                 "To send a redacted crash report to Bun's team,", " https://bun.report/1.4.5/la1a77"});
  REQUIRE(m);
  CHECK(m->kind == "bun-panic");
  CHECK(m->text == "panic(main thread): Segmentation fault at address 0x23");
  CHECK(m->line_index == 3);
}

TEST_CASE("Bun out of memory has no panic line") {
  auto m = find({"oh no: Bun has ran out of memory.", "To send a redacted crash report"});
  REQUIRE(m);
  CHECK(m->kind == "bun-out-of-memory");
}

TEST_CASE("V8 heap limit (real Node 20 output, blank lines dropped by journald)") {
  auto m = find({"<--- Last few GCs --->", "nt[42:0x1b2e7280]      248 ms: Mark-Compact 31.8 (50.2) -> 25.4 (59.4) MB",
                 "<--- JS stacktrace --->",
                 "FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory",
                 "----- Native stack trace -----", " 1: 0xb78db3 node::OOMErrorHandler(char const*) [/usr/bin/node]"});
  REQUIRE(m);
  CHECK(m->kind == "v8-heap-limit");
  CHECK(is_runtime_heap_oom(m->kind));
}

TEST_CASE("Node uncaught error: the header above the frames") {
  auto m = find({"/srv/app/throw.js:5", "  return cfg.database.host;", "             ^",
                 "TypeError: Cannot read properties of undefined (reading 'database')",
                 "    at handler (/srv/app/throw.js:5:14)", "    at main (/srv/app/throw.js:8:3)", "Node.js v20.20.2"});
  REQUIRE(m);
  CHECK(m->kind == "uncaught-exception");
  CHECK(m->text == "TypeError: Cannot read properties of undefined (reading 'database')");
}

TEST_CASE("Bun uncaught error: lower-case 'error:' and 6-space frames") {
  auto m = find({"1 | function handler() { throw new Error(\"boom\"); }", "error: Timed out while waiting for handshake",
                 "      at emitError (node:events:51:13)",
                 "      at <anonymous> (/$bunfs/root/dispatch-server:16:75617)", "Bun v1.3.14 (Linux x64)"});
  REQUIRE(m);
  CHECK(m->kind == "uncaught-exception");
  CHECK(m->text == "error: Timed out while waiting for handshake");
}

TEST_CASE("Node non-Error rejection") {
  auto m = find({"node:internal/process/promises:389",
                 "UnhandledPromiseRejection: This error originated either by throwing inside of an async function "
                 "without a catch block. The promise rejected with the reason \"#<Object>\".",
                 "  code: 'ERR_UNHANDLED_REJECTION'", "Node.js v20.20.2"});
  REQUIRE(m);
  CHECK(m->kind == "unhandled-rejection");
}

TEST_CASE("Go, Rust and Python crash headers") {
  auto go = find({"panic: runtime error: invalid memory address or nil pointer dereference",
                  "[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x48f4d2]", "goroutine 1 [running]:",
                  "main.main()"});
  REQUIRE(go);
  CHECK(go->kind == "go-panic");
  auto gooom = find({"fatal error: runtime: out of memory", "", "goroutine 7 [running]:"});
  REQUIRE(gooom);
  CHECK(gooom->kind == "go-out-of-memory");
  auto rust = find({"thread 'main' (15709) panicked at m.rs:1:48:", "index out of bounds: the len is 0 but the index is 3",
                    "note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace"});
  REQUIRE(rust);
  CHECK(rust->kind == "rust-panic");
  CHECK(rust->text == "thread 'main' (15709) panicked at m.rs:1:48: index out of bounds: the len is 0 but the index is 3");
  auto py = find({"Traceback (most recent call last):", "  File \"/srv/a.py\", line 3, in <module>", "    main()",
                  "KeyError: 'PYSVC_CONFIG'"});
  REQUIRE(py);
  CHECK(py->kind == "python-exception");
  CHECK(py->text == "KeyError: 'PYSVC_CONFIG'");
}

TEST_CASE("plain fatal lines and no message at all") {
  auto m = find({"crashlab pid=54 mode=exit", "fatal: cannot open /etc/crashlab.conf: No such file or directory"});
  REQUIRE(m);
  CHECK(m->kind == "fatal-message");
  CHECK_FALSE(find({"server idle", "listening on :8080"}));
  CHECK_FALSE(find({}));
}

TEST_CASE("runtime versions from banners and trailers") {
  CHECK(find_runtime_version("Bun v1.3.13 (bf2e2cec) Linux x64") == "Bun v1.3.13");
  CHECK(find_runtime_version("Bun v1.4.5 (Linux x64)") == "Bun v1.4.5");
  CHECK(find_runtime_version("Bun v1.4.0-canary.1+bcad9b220 (Linux x64)") == "Bun v1.4.0-canary.1+bcad9b220");
  CHECK(find_runtime_version("Node.js v20.20.2") == "Node.js v20.20.2");
  CHECK(find_runtime_version("we use Bun vNext soon").empty());
}
