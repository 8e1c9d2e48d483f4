// Notes of cores from other architectures: names, and the per-architecture layouts of
// NT_PRPSINFO / NT_PRSTATUS / NT_SIGINFO. The offsets below are written out by hand from the
// kernel's structs (<linux/elfcore.h> with each architecture's __kernel_uid_t, unsigned long and
// elf_gregset_t) and from elfutils' backends/*_corenote.c, independently of the parser's own
// arithmetic in core_notes.cpp, so a wrong table row shows up as a wrong pid, uid or comm.
#include <doctest/doctest.h>

#include "crashsift/symbolize/core_notes.hpp"
#include "crashsift/symbolize/core_reader.hpp"
#include "unit/symbolize/core_fixtures.hpp"

using namespace crashsift::symbolize;
using test::CoreBuilder;
using test::put_at;

namespace {

constexpr std::uint32_t nt_prstatus = 1, nt_prpsinfo = 3, nt_siginfo = 0x53494749;

struct Layout {
  const char* name;  // expected arch name
  std::uint16_t machine;
  bool is64, big_endian;
  std::uint32_t e_flags;
  // elf_prpsinfo
  size_t uid_off, uid_size, pid_off, fname_off, psargs_off, psinfo_size;
  // elf_prstatus
  size_t tid_off, reg_off, reg_size;
  int pc_slot, sp_slot;
};

// name        machine   64     BE     flags uid    usz pid fname args size  tid reg rsz  pc  sp
const Layout layouts[] = {
    {"i386",      3,      false, false, 0,    8,  2, 12, 28, 44, 124,   24,  72, 4, 12, 15},
    {"x32",       62,     false, false, 0,    8,  2, 12, 28, 44, 124,   24,  72, 8, 16, 19},
    {"arm",       40,     false, false, 0,    8,  2, 12, 28, 44, 124,   24,  72, 4, 15, 13},
    {"armeb",     40,     false, true,  0,    8,  2, 12, 28, 44, 124,   24,  72, 4, 15, 13},
    {"ppc",       20,     false, true,  0,    8,  4, 16, 32, 48, 128,   24,  72, 4, 32,  1},
    {"s390",      22,     false, true,  0,    8,  2, 12, 28, 44, 124,   24,  72, 4,  1, 17},
    {"sparc",     2,      false, true,  0,    8,  2, 12, 28, 44, 124,   24,  72, 4, 33, 14},
    {"mips",      8,      false, true,  0,    8,  4, 16, 32, 48, 128,   24,  72, 4, 40, 35},
    {"mipsel",    8,      false, false, 0,    8,  4, 16, 32, 48, 128,   24,  72, 4, 40, 35},
    {"mipsn32el", 8,      false, false, 0x20, 8,  4, 16, 32, 48, 128,   24,  72, 8, 34, 29},
    {"m68k",      4,      false, true,  0,    8,  2, 12, 28, 44, 124,   22,  70, 4, 18, 15},
    {"sh",        42,     false, false, 0,    8,  2, 12, 28, 44, 124,   24,  72, 4, 16, 15},
    {"riscv32",   243,    false, false, 0,    8,  4, 16, 32, 48, 128,   24,  72, 4,  0,  2},
    {"x86_64",    62,     true,  false, 0,    16, 4, 24, 40, 56, 136,   32, 112, 8, 16, 19},
    {"aarch64",   183,    true,  false, 0,    16, 4, 24, 40, 56, 136,   32, 112, 8, 32, 31},
    {"ppc64",     21,     true,  true,  0,    16, 4, 24, 40, 56, 136,   32, 112, 8, 32,  1},
    {"ppc64le",   21,     true,  false, 0,    16, 4, 24, 40, 56, 136,   32, 112, 8, 32,  1},
    {"s390x",     22,     true,  true,  0,    16, 4, 24, 40, 56, 136,   32, 112, 8,  1, 17},
    {"sparc64",   43,     true,  true,  0,    16, 4, 24, 40, 56, 136,   32, 112, 8, 33, 14},
    {"mips64el",  8,      true,  false, 0,    16, 4, 24, 40, 56, 136,   32, 112, 8, 34, 29},
    {"riscv64",   243,    true,  false, 0,    16, 4, 24, 40, 56, 136,   32, 112, 8,  0,  2},
    {"loongarch64", 258,  true,  false, 0,    16, 4, 24, 40, 56, 136,   32, 112, 8, 33,  3},
    {"alpha",     0x9026, true,  false, 0,    16, 4, 24, 40, 56, 136,   32, 112, 8, 32, 30},
};

std::string psinfo_for(const Layout& l, std::int32_t pid, std::uint32_t uid, const std::string& comm,
                       const std::string& args) {
  std::string d(l.psinfo_size, '\0');
  put_at(d, l.uid_off, uid, static_cast<int>(l.uid_size), l.big_endian);
  put_at(d, l.uid_off + l.uid_size, uid + 1, static_cast<int>(l.uid_size), l.big_endian);  // gid
  put_at(d, l.pid_off, static_cast<std::uint32_t>(pid), 4, l.big_endian);
  put_at(d, l.pid_off + 4, 1, 4, l.big_endian);  // ppid
  d.replace(l.fname_off, comm.size(), comm);
  d.replace(l.psargs_off, args.size(), args);
  return d;
}

std::string prstatus_for(const Layout& l, std::int32_t tid, int sig, std::uint64_t pc, std::uint64_t sp) {
  const size_t last = static_cast<size_t>(std::max(l.pc_slot, l.sp_slot)) + 1;
  std::string d(l.reg_off + last * l.reg_size + 4, '\0');
  put_at(d, 0, static_cast<std::uint32_t>(sig), 4, l.big_endian);
  put_at(d, 12, static_cast<std::uint32_t>(sig), 2, l.big_endian);  // pr_cursig
  put_at(d, l.tid_off, static_cast<std::uint32_t>(tid), 4, l.big_endian);
  put_at(d, l.reg_off + l.reg_size * static_cast<size_t>(l.pc_slot), pc, static_cast<int>(l.reg_size), l.big_endian);
  put_at(d, l.reg_off + l.reg_size * static_cast<size_t>(l.sp_slot), sp, static_cast<int>(l.reg_size), l.big_endian);
  return d;
}

CoreBuilder builder_for(const Layout& l) {
  CoreBuilder b;
  b.machine = l.machine, b.is64 = l.is64, b.big_endian = l.big_endian, b.e_flags = l.e_flags;
  return b;
}

}  // namespace

TEST_CASE("core arch: psinfo and prstatus are read with each architecture's layout") {
  for (const Layout& l : layouts) {
    const std::string name = l.name;
    CAPTURE(name);
    CoreBuilder b = builder_for(l);
    b.note(nt_prstatus, prstatus_for(l, 4243, 11, 0x10001234, 0x7ff0f000))
        .note(nt_prpsinfo, psinfo_for(l, 4242, 10234, "demo-app", std::string("demo-app\0--port\0" "80", 18)));
    const std::string bytes = b.build();
    MemoryCoreBytes mem(bytes);
    auto n = parse_core_notes(mem);
    REQUIRE(n.ok());
    CHECK(n->arch == name);
    REQUIRE(n->psinfo);
    CHECK(n->psinfo->pid == 4242);
    CHECK(n->psinfo->ppid == 1);
    CHECK(n->psinfo->uid == 10234);
    CHECK(n->psinfo->fname == "demo-app");
    CHECK(n->psinfo->psargs == "demo-app --port 80");
    REQUIRE(n->threads.size() == 1);
    CHECK(n->threads[0].tid == 4243);
    CHECK(n->threads[0].cursig == 11);
    REQUIRE(n->threads[0].pc);
    CHECK(*n->threads[0].pc == 0x10001234);
    CHECK(*n->threads[0].sp == (l.machine == 43 ? 0x7ff0f000 + 2047 : 0x7ff0f000));  // sparc64 stack bias
    CHECK(n->problems.empty());
  }
}

// The notes of elfutils' tests/backtrace.ppc.core (a 32-bit big-endian PowerPC core), as
// `eu-readelf -n` prints them:
//   PRSTATUS  pid: 17198, ..., nip: 0x1000e1f0, r1: -142611584 (0xf77feb80)
//   PRPSINFO  uid: 10234, gid: 10234, pid: 17197, ppid: 25785, pgrp: 17197, sid: 25785
//             fname: backtrace.ppc.e, psargs: ./backtrace.ppc.exec --gencore
//   SIGINFO   si_signo: 6, si_errno: 0, si_code: -6 (SI_TKILL, sent by pid 17197, uid 10234)
// rebuilt here field by field (kernel struct elf_prpsinfo on ppc32: 32-bit pr_uid/pr_gid).
TEST_CASE("core arch: a ppc32 core gives the pid, uid, comm and sender eu-readelf shows") {
  const Layout& ppc = layouts[4];
  REQUIRE(std::string(ppc.name) == "ppc");
  std::string psinfo(128, '\0');
  psinfo[0] = 2, psinfo[1] = 'D';
  put_at(psinfo, 4, 0x40400404, 4, true);  // pr_flag
  put_at(psinfo, 8, 10234, 4, true);       // pr_uid
  put_at(psinfo, 12, 10234, 4, true);      // pr_gid
  put_at(psinfo, 16, 17197, 4, true);      // pr_pid
  put_at(psinfo, 20, 25785, 4, true);      // pr_ppid
  put_at(psinfo, 24, 17197, 4, true);      // pr_pgrp
  put_at(psinfo, 28, 25785, 4, true);      // pr_sid
  psinfo.replace(32, 15, "backtrace.ppc.e");
  psinfo.replace(48, 32, "./backtrace.ppc.exec --gencore \0", 32);
  std::string siginfo(128, '\0');
  put_at(siginfo, 0, 6, 4, true);
  put_at(siginfo, 8, static_cast<std::uint32_t>(-6), 4, true);
  put_at(siginfo, 12, 17197, 4, true);  // _kill._pid: the union starts at 12 on 32-bit
  put_at(siginfo, 16, 10234, 4, true);  // _kill._uid
  std::string prstatus = prstatus_for(ppc, 17198, 6, 0x1000e1f0, 0xf77feb80);
  prstatus.resize(268);
  CoreBuilder b = builder_for(ppc);
  b.note(nt_prstatus, prstatus).note(nt_prpsinfo, psinfo).note(nt_siginfo, siginfo);
  const std::string bytes = b.build();
  MemoryCoreBytes mem(bytes);
  auto n = parse_core_notes(mem);
  REQUIRE(n.ok());
  CHECK(n->arch == "ppc");
  REQUIRE(n->siginfo);
  CHECK(*n->siginfo->sender_uid == 10234);
  CoreReport r;
  fill_header(*n, r);
  CHECK(*r.crash.pid == 17197);
  CHECK(*r.crash.uid == 10234);
  CHECK(r.crash.comm == "backtrace.ppc.e");
  CHECK(r.crash.cmdline == "./backtrace.ppc.exec --gencore");
  CHECK(*r.crash.crashing_tid == 17198);
  CHECK(r.crash.si_code_name == "SI_TKILL");
  CHECK(*r.crash.sender_pid == 17197);  // the process itself: same as pr_pid
  CHECK(n->threads[0].pc == 0x1000e1f0u);
}

TEST_CASE("core arch: mips siginfo has si_code before si_errno; s390 31-bit pc drops the mode bit") {
  Layout mips = layouts[7];
  REQUIRE(std::string(mips.name) == "mips");
  std::string siginfo(128, '\0');
  put_at(siginfo, 0, 11, 4, true);
  put_at(siginfo, 4, 2, 4, true);   // si_code SEGV_ACCERR
  put_at(siginfo, 8, 0, 4, true);   // si_errno
  put_at(siginfo, 12, 0x7fff0010, 4, true);
  CoreBuilder b = builder_for(mips);
  b.note(nt_prstatus, prstatus_for(mips, 7, 11, 0x400100, 0x7fff0000)).note(nt_siginfo, siginfo);
  const std::string bytes = b.build();
  MemoryCoreBytes mem(bytes);
  auto n = parse_core_notes(mem);
  REQUIRE(n.ok());
  REQUIRE(n->siginfo);
  CHECK(n->siginfo->code == 2);
  CHECK(n->siginfo->err == 0);
  CHECK(*n->siginfo->addr == 0x7fff0010);

  const Layout& s390 = layouts[5];
  REQUIRE(std::string(s390.name) == "s390");
  CoreBuilder c = builder_for(s390);
  c.note(nt_prstatus, prstatus_for(s390, 58560, 6, 0x8040c4a2, 0x7d2e0008));  // eu-readelf: pswa 0x8040c4a2
  const std::string bytes2 = c.build();
  MemoryCoreBytes mem2(bytes2);
  auto n2 = parse_core_notes(mem2);
  REQUIRE(n2.ok());
  CHECK(*n2->threads[0].pc == 0x40c4a2);
}

TEST_CASE("core arch: machine names follow uname -m, with class and byte order") {
  struct Case {
    std::uint16_t machine;
    bool is64, be;
    std::uint32_t flags;
    const char* name;
  };
  const Case cases[] = {
      {62, true, false, 0, "x86_64"},     {62, false, false, 0, "x32"},       {3, false, false, 0, "i386"},
      {183, true, false, 0, "aarch64"},   {183, true, true, 0, "aarch64_be"}, {40, false, false, 0, "arm"},
      {20, false, true, 0, "ppc"},        {21, true, true, 0, "ppc64"},       {21, true, false, 0, "ppc64le"},
      {22, false, true, 0, "s390"},       {22, true, true, 0, "s390x"},       {2, false, true, 0, "sparc"},
      {18, false, true, 0, "sparc"},      {43, true, true, 0, "sparc64"},     {8, false, true, 0, "mips"},
      {8, false, false, 0, "mipsel"},     {8, false, true, 0x20, "mipsn32"},  {8, true, true, 0, "mips64"},
      {8, true, false, 0, "mips64el"},    {243, false, false, 0, "riscv32"},  {243, true, false, 0, "riscv64"},
      {258, true, false, 0, "loongarch64"}, {0x9026, true, false, 0, "alpha"}, {50, true, false, 0, "ia64"},
      {4, false, true, 0, "m68k"},        {42, false, false, 0, "sh"},        {42, false, true, 0, "sheb"},
      {15, false, true, 0, "parisc"},     {15, true, true, 0, "parisc64"},    {252, false, false, 0, "csky"},
      {999, true, false, 0, "EM_999"},
  };
  for (const Case& c : cases) {
    const std::string name = c.name;
    CAPTURE(name);
    CHECK(machine_name(c.machine, c.is64, c.be, c.flags) == name);
  }
}
