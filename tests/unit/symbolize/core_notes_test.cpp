#include <doctest/doctest.h>

#include "crashsift/symbolize/core_notes.hpp"
#include "crashsift/symbolize/core_reader.hpp"
#include "unit/symbolize/core_fixtures.hpp"

using namespace crashsift::symbolize;
using test::CoreBuilder;

namespace {
std::string sample_core() {
  CoreBuilder b;
  b.note(1, CoreBuilder::prstatus(4242, 11, 0x401010, 0x7ffc1000))
      .note(1, CoreBuilder::prstatus(4243, 11, 0x7f0000001000, 0x7ffd0000))
      .note(3, CoreBuilder::psinfo(4242, "demo", std::string("demo\0--port\0" "8080", 16)))
      .note(0x53494749, CoreBuilder::siginfo(11, 1, 0x18))
      .note(0x46494c45, CoreBuilder::nt_file({{0x400000, "/usr/bin/demo"}, {0x7f0000000000, "/lib/libc.so.6"}}))
      .note(6, std::string("\x09\0\0\0\0\0\0\0\x10\x00\x40\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 32));
  return b.build();
}
}  // namespace

TEST_CASE("core notes: a well-formed core gives threads, signal, psinfo, files and the executable") {
  const std::string bytes = sample_core();
  MemoryCoreBytes mem(bytes);
  auto n = parse_core_notes(mem);
  REQUIRE(n.ok());
  CHECK(n->arch == "x86_64");
  REQUIRE(n->threads.size() == 2);
  CHECK(n->threads[0].tid == 4242);
  CHECK(n->threads[0].cursig == 11);
  CHECK(*n->threads[0].pc == 0x401010);
  CHECK(*n->threads[0].sp == 0x7ffc1000);
  REQUIRE(n->siginfo);
  CHECK(n->siginfo->signo == 11);
  CHECK(*n->siginfo->addr == 0x18);
  REQUIRE(n->psinfo);
  CHECK(n->psinfo->pid == 4242);
  CHECK(n->psinfo->fname == "demo");
  CHECK(n->psinfo->psargs == "demo --port 8080");
  REQUIRE(n->files.size() == 2);
  CHECK(n->files[1].path == "/lib/libc.so.6");
  CHECK(*n->at_entry == 0x400010);
  CHECK(core_executable(*n) == "/usr/bin/demo");
  CHECK(n->problems.empty());
}

TEST_CASE("core notes: the crash header decodes si_code and hints at the fault address") {
  const std::string bytes = sample_core();
  MemoryCoreBytes mem(bytes);
  auto n = parse_core_notes(mem);
  REQUIRE(n.ok());
  CoreReport r;
  fill_header(*n, r);
  CHECK(r.crash.signal_name == "SIGSEGV");
  CHECK(r.crash.si_code_name == "SEGV_MAPERR");
  CHECK(r.crash.fault_hint == "null page (NULL pointer dereference)");
  CHECK(*r.crash.crashing_tid == 4242);
  CHECK(r.crash.cmdline == "demo --port 8080");
  CHECK(r.crash.exe == "/usr/bin/demo");
}

TEST_CASE("core notes: fault hints for stack overflow and non-canonical addresses") {
  for (auto [addr, hint] : {std::pair<std::uint64_t, std::string>{0x7ffc0ff8, "near the stack pointer (stack overflow?)"},
                            {0xdead000000000000ull, "non-canonical address (corrupted pointer)"},
                            {0x1000, "low page (NULL pointer plus an offset)"}}) {
    CoreBuilder b;
    b.note(1, CoreBuilder::prstatus(1, 11, 0x401000, 0x7ffc1000)).note(0x53494749, CoreBuilder::siginfo(11, 1, addr));
    const std::string bytes = b.build();
    MemoryCoreBytes mem(bytes);
    auto n = parse_core_notes(mem);
    REQUIRE(n.ok());
    CoreReport r;
    fill_header(*n, r);
    CHECK(r.crash.fault_hint == hint);
  }
}

TEST_CASE("core notes: names of signals and codes") {
  CHECK(signal_name(6) == "SIGABRT");
  CHECK(signal_name(11) == "SIGSEGV");
  CHECK(si_code_name(11, 2) == "SEGV_ACCERR");
  CHECK(si_code_name(7, 2) == "BUS_ADRERR");
  CHECK(si_code_name(6, -6) == "SI_TKILL");
  CHECK(si_code_name(11, 0x80) == "SI_KERNEL");
  CHECK(si_code_name(11, 99) == "code 99");
}

TEST_CASE("core notes: not-a-core inputs fail with a clear message") {
  for (auto [bytes, message] : {std::pair<std::string, std::string>{"", "not an ELF file"},
                                {std::string(4096, '\0'), "not an ELF file"},
                                {"\x7f" "ELF\x02\x01", "truncated ELF header"}}) {
    MemoryCoreBytes mem(bytes);
    auto n = parse_core_notes(mem);
    REQUIRE_FALSE(n.ok());
    CHECK(n.error().find(message) != std::string::npos);
  }
  std::string exe = sample_core();
  exe[16] = 3;  // ET_DYN
  MemoryCoreBytes mem(exe);
  auto n = parse_core_notes(mem);
  REQUIRE_FALSE(n.ok());
  CHECK(n.error().find("not a core dump") != std::string::npos);
}

TEST_CASE("core notes: every truncation of a core parses without crashing and says what is missing") {
  const std::string bytes = sample_core();
  for (size_t len = 0; len <= bytes.size(); ++len) {
    MemoryCoreBytes mem(std::string_view(bytes).substr(0, len));
    auto n = parse_core_notes(mem);
    if (n && len < bytes.size() - 64) CHECK_FALSE(n->problems.empty());
    if (n && len > 64 + 2 * 56 && len < bytes.size() - 64) CHECK(n->notes_truncated);
  }
}

TEST_CASE("core notes: sizes read from the file never drive allocation") {
  CoreBuilder huge_count;
  std::string files(16, '\0');
  files[0] = files[1] = files[2] = files[3] = files[4] = files[5] = '\xff';  // count ~2^48
  files += std::string(40, 'x');
  huge_count.note(1, CoreBuilder::prstatus(1, 11, 1, 1)).note(0x46494c45, files);
  const std::string a = huge_count.build();
  MemoryCoreBytes mem(a);
  auto n = parse_core_notes(mem);
  REQUIRE(n.ok());
  CHECK(n->files.size() <= 2);
  CHECK_FALSE(n->problems.empty());

  std::string b = CoreBuilder().note(1, CoreBuilder::prstatus(1, 11, 1, 1)).build();
  b[56] = '\xff', b[57] = '\xff';  // e_phnum = PN_XNUM with no section header: 65535 program headers
  MemoryCoreBytes mem2(b);
  auto n2 = parse_core_notes(mem2);
  REQUIRE(n2.ok());
  CHECK_FALSE(n2->problems.empty());
}

TEST_CASE("core notes: a core of another architecture still gives its header") {
  CoreBuilder b;
  b.machine = 183;
  b.note(1, CoreBuilder::prstatus(7, 11, 0, 0)).note(0x53494749, CoreBuilder::siginfo(11, 1, 0));
  const std::string bytes = b.build();
  MemoryCoreBytes mem(bytes);
  auto n = parse_core_notes(mem);
  REQUIRE(n.ok());
  CHECK(n->arch == "aarch64");
  CoreReport r;
  fill_header(*n, r);
  CHECK(r.crash.signal_name == "SIGSEGV");
  bool foreign = false;
  for (const auto& w : r.warnings) foreign |= w.code == "foreign-arch";
  CHECK(foreign);
}
