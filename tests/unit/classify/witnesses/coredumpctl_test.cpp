#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "unit/classify/witnesses/feed.hpp"
#include "support/events.hpp"

using namespace crashsift;
using namespace crashsift::classify;
using namespace crashsift::test;

namespace {

std::vector<Witness> coredumpctl(const std::string& text, Feed how, const std::vector<Event>& after = {}) {
  auto r = make_witness_coredumpctl();
  return feed(*r, text, how, after);
}


const char* info_block =
    "$ coredumpctl info 28811\n"
    "           PID: 28811 (vectord)\n"
    "           UID: 997 (vectord)\n"
    "           GID: 997 (vectord)\n"
    "        Signal: 11 (SEGV)\n"
    "     Timestamp: Thu 2024-02-08 14:20:31 CET (1h 3min ago)\n"
    "  Command Line: /usr/bin/vectord --config /etc/vectord/vectord.toml\n"
    "    Executable: /usr/bin/vectord\n"
    " Control Group: /system.slice/vectord.service\n"
    "          Unit: vectord.service\n"
    "         Slice: system.slice\n"
    "       Boot ID: 5d8e1c0b9a7f4e2d8c6b4a2f0e1d3c5b\n"
    "      Hostname: obs-2\n"
    "       Storage: /var/lib/systemd/coredump/core.vectord.997.5d8e.28811.1707398431000000.zst (present)\n"
    "  Size on Disk: 14.2M\n"
    "       Message: Process 28811 (vectord) of user 997 dumped core.\n"
    "                \n"
    "                Module libc.so.6 from rpm glibc-2.38-16.fc39.x86_64\n"
    "                Stack trace of thread 28830:\n"
    "                #0  0x00007f5c1a0b2e11 __memmove_avx_unaligned_erms (libc.so.6 + 0x1a2e11)\n"
    "                #1  0x000055a0e4c11b20 n/a (vectord + 0x611b20)\n"
    "                ELF object binary architecture: AMD x86-64\n";

}  // namespace

TEST_CASE("coredumpctl info: one block is one witness with who, how, when and the stack") {
  for (Feed how : {Feed::pasted, Feed::cat}) {
    auto got = coredumpctl(info_block, how);
    REQUIRE(got.size() == 1);
    const Witness& w = got[0];
    CHECK(w.kind == "coredumpctl-info");
    CHECK(w.pid == 28811);
    CHECK(w.comm == "vectord");
    CHECK(w.exe == "/usr/bin/vectord");
    CHECK(w.unit == "vectord.service");
    CHECK(w.cgroup == "/system.slice/vectord.service");
    CHECK(w.boot_id == "5d8e1c0b9a7f4e2d8c6b4a2f0e1d3c5b");
    CHECK(w.host == "obs-2");
    CHECK(w.signal == "SEGV");
    CHECK(w.exit_kind == "dumped");
    CHECK(w.when == WhenKnown::absolute);
    CHECK(w.time == utc(2024, 2, 8, 13, 20, 31));
    CHECK(w.coredump_filename == "/var/lib/systemd/coredump/core.vectord.997.5d8e.28811.1707398431000000.zst");
    CHECK(w.coredump_message.rfind("Process 28811 (vectord) of user 997 dumped core.", 0) == 0);
    CHECK(w.coredump_message.find("#1  0x000055a0e4c11b20 n/a (vectord + 0x611b20)") != std::string::npos);
    CHECK(w.coredump_message.find("ELF object binary architecture: AMD x86-64") != std::string::npos);
    CHECK(w.missing.empty());
  }
}

TEST_CASE("coredumpctl info: every block of a multi-entry capture, the missing core noted") {
  const std::string dir = std::string(CRASHSIFT_TESTDATA) + "/captures/coredumpctl/";
  auto all = coredumpctl(read_file(dir + "coredumpctl-info-all.txt"), Feed::cat);
  REQUIRE(all.size() == 4);
  CHECK(all[0].pid == 6565);
  CHECK(all[0].signal == "SEGV");
  CHECK(all[1].signal == "ABRT");
  for (const auto& w : all) {
    CHECK(w.time == utc(2026, 12, 6, 3, 5, 13));
    CHECK(w.coredump_message.find("Stack trace of thread") != std::string::npos);
  }
  auto missing = coredumpctl(read_file(dir + "coredumpctl-info-missing.txt"), Feed::pasted);
  REQUIRE(missing.size() == 1);
  CHECK(missing[0].pid == 6565);
  REQUIRE(missing[0].missing.size() == 1);
  CHECK(missing[0].missing[0].find("missing") != std::string::npos);
}

TEST_CASE("coredumpctl info: the block ends at a journal record; a bare PID: line is nothing") {
  const std::string head =
      "           PID: 4411 (darktable)\n"
      "        Signal: 6 (ABRT)\n"
      "     Timestamp: Wed 2025-04-16 21:13:50 UTC (12min ago)\n"
      "          Unit: session-2.scope\n"
      "       Storage: none\n";
  auto got = coredumpctl(head, Feed::pasted, {pid1(t0, "session-2.scope: Deactivated successfully."),
                                              pid1(t0, "Unit: not-a-field-of-the-block")});
  REQUIRE(got.size() == 1);
  CHECK(got[0].unit == "session-2.scope");
  CHECK(got[0].signal == "ABRT");
  CHECK(got[0].coredump_filename.empty());
  REQUIRE(got[0].missing.size() == 1);
  CHECK(coredumpctl("PID: unknown (x)\nSignal: 11 (SEGV)\n", Feed::cat).empty());
}

TEST_CASE("coredumpctl list: new form with SIGSEGV names, COREFILE and SIZE columns") {
  const std::string list =
      "$ coredumpctl list --since=today\n"
      "TIME                           PID  UID  GID SIG     COREFILE EXE                       SIZE\n"
      "Thu 2025-04-17 11:02:09 EEST 77120  994  994 SIGSEGV present  /usr/lib/tracker-extract  2.1M\n"
      "Thu 2025-04-17 13:45:51 EEST 80012 1000 1000 SIGBUS  missing  /opt/vscode/code              -\n";
  for (Feed how : {Feed::pasted, Feed::cat}) {
    auto got = coredumpctl(list, how);
    REQUIRE(got.size() == 2);
    CHECK(got[0].kind == "coredumpctl-list");
    CHECK(got[0].pid == 77120);
    CHECK(got[0].signal == "SEGV");
    CHECK(got[0].exe == "/usr/lib/tracker-extract");
    CHECK(got[0].comm == "tracker-extract");
    CHECK(got[0].exit_kind == "dumped");
    CHECK(got[0].time == utc(2025, 4, 17, 8, 2, 9));
    CHECK(got[0].missing.empty());
    CHECK(got[1].pid == 80012);
    CHECK(got[1].signal == "BUS");
    CHECK(got[1].comm == "code");
    CHECK(got[1].missing.size() == 1);
  }
}

TEST_CASE("coredumpctl list: old form with a numeric SIG and the PRESENT star") {
  const std::string list =
      "TIME                            PID   UID   GID SIG PRESENT EXE\n"
      "Sun 2017-01-22 14:04:30 CET    1749  1001   100  11 *       /usr/bin/kwin_x11\n"
      "Wed 2017-01-25 09:12:03 CET    2207  1001   100   6         /usr/bin/plasmashell\n"
      "No more rows here.\n"
      "Wed 2017-01-25 09:12:03 CET    2207  1001   100   6         not-a-path\n";
  auto got = coredumpctl(list, Feed::cat);
  REQUIRE(got.size() == 2);
  CHECK(got[0].pid == 1749);
  CHECK(got[0].signal == "SEGV");
  CHECK(got[0].time == utc(2017, 1, 22, 13, 4, 30));
  CHECK(got[1].pid == 2207);
  CHECK(got[1].signal == "ABRT");
  CHECK(got[1].exe == "/usr/bin/plasmashell");
}

TEST_CASE("coredumpctl list: the real capture, and 'No coredumps found.'") {
  const std::string dir = std::string(CRASHSIFT_TESTDATA) + "/captures/coredumpctl/";
  auto got = coredumpctl(read_file(dir + "coredumpctl-list-missing.txt"), Feed::pasted);
  REQUIRE(got.size() == 4);
  CHECK(got[0].pid == 6565);
  CHECK(got[0].missing.size() == 1);
  CHECK(got[3].signal == "FPE");
  CHECK(coredumpctl("$ coredumpctl list\nNo coredumps found.\n", Feed::cat).empty());
}
