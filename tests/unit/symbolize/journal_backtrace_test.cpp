#include <doctest/doctest.h>

#include "crashsift/symbolize/journal_backtrace.hpp"

using namespace crashsift::symbolize;

// From shared/real/coredump/coredump-entries.verbose.txt (systemd 252, real run), trimmed.
static const char* node_message =
    "Process 10176 (node) of user 0 dumped core.\n"
    "\n"
    "Module /usr/bin/node with build-id 0123abcd\n"
    "Stack trace of thread 10176:\n"
    "#0  0x00007f5fb59c8eec __pthread_kill_implementation (libc.so.6 + 0x8aeec)\n"
    "#1  0x00007f5fb5979fb2 __GI_raise (libc.so.6 + 0x3bfb2)\n"
    "#2  0x00007f5fb5964472 __GI_abort (libc.so.6 + 0x26472)\n"
    "#3  0x0000000000d3a3dd _ZN4nodeL5AbortERKN2v820FunctionCallbackInfoINS0_5ValueEEE (node + 0x93a3dd)\n"
    "#4  0x0000000000f50bdf _ZN2v88internal25FunctionCallbackArguments4CallENS0_15CallHandlerInfoE (node + 0xb50bdf)\n"
    "#5  0x00000000018cfd1c n/a (node + 0x14cfd1c)\n"
    "\n"
    "Stack trace of thread 10179:\n"
    "#0  0x00007f5fb59c3f16 __futex_abstimed_wait_common64 (libc.so.6 + 0x85f16)\n"
    "#1  0x00007f5fb59c65d8 __pthread_cond_wait_common (libc.so.6 + 0x885d8)\n"
    "ELF object binary architecture: AMD x86-64";

TEST_CASE("journal backtrace: systemd-coredump's MESSAGE becomes threads and frames") {
  const CoreReport r = parse_journal_backtrace(node_message, 6);
  CHECK(r.source == "journal");
  CHECK(*r.crash.pid == 10176);
  CHECK(r.crash.comm == "node");
  CHECK(*r.crash.uid == 0);
  CHECK(r.crash.signal_name == "SIGABRT");
  CHECK(r.crash.arch == "AMD x86-64");
  REQUIRE(r.threads.size() == 2);
  CHECK(r.threads[0].crashing);
  CHECK_FALSE(r.threads[1].crashing);
  CHECK(r.threads[0].tid == 10176);
  REQUIRE(r.threads[0].frames.size() == 6);
  const Frame& f3 = r.threads[0].frames[3];
  CHECK(f3.index == 3);
  CHECK(f3.pc == 0xd3a3dd);
  CHECK(f3.module == "node");
  CHECK(*f3.module_offset == 0x93a3dd);
  CHECK(f3.function == "node::Abort(v8::FunctionCallbackInfo<v8::Value> const&)");
  CHECK(f3.trust == Trust::journal);
  CHECK(r.threads[0].frames[5].function.empty());  // "n/a"
  REQUIRE(r.modules.size() == 1);
  CHECK(r.modules[0].name == "/usr/bin/node");
  CHECK(r.modules[0].build_id == "0123abcd");
  REQUIRE(r.signature);
  CHECK(r.signature->text == "SIGABRT: node::Abort < v8::internal::FunctionCallbackArguments::Call < node+0x14cfd1c");
  CHECK_FALSE(r.signature->symbolized);
}

TEST_CASE("journal backtrace: rsyslog #012 newlines, old frame form and module line forms") {
  const CoreReport r = parse_journal_backtrace(
      "Process 9 (x) of user 1000 dumped core.#012#012Found module /usr/bin/x with build-id: aa11#012"
      "Module /lib/libz.so.1 from deb zlib-1.2.amd64, build-id=bb22#012Module /lib/liby.so without build-id."
      "#012Stack trace of thread 9:#012#0  0x0000000000401000 main (x)#012");
  REQUIRE(r.threads.size() == 1);
  REQUIRE(r.threads[0].frames.size() == 1);
  CHECK(r.threads[0].frames[0].module == "x");
  CHECK_FALSE(r.threads[0].frames[0].module_offset);
  REQUIRE(r.modules.size() == 3);
  CHECK(r.modules[0].build_id == "aa11");
  CHECK(r.modules[1].name == "/lib/libz.so.1");
  CHECK(r.modules[1].build_id == "bb22");
  CHECK(r.modules[2].build_id.empty());
  CHECK(*r.crash.uid == 1000);
}

TEST_CASE("journal backtrace: a message without a stack trace gives no threads and no signature") {
  const CoreReport r = parse_journal_backtrace("Process 1 (x) of user 0 dumped core.");
  CHECK(r.threads.empty());
  CHECK_FALSE(r.signature);
}
