// dmesg, dmesg -T, dmesg -x, dmesg -r, dmesg --time-format iso and /dev/kmsg records.
#include <doctest/doctest.h>

#include "crashsift/input/parser.hpp"
#include "unit/input/text_parse_support.hpp"

using namespace crashsift;
using crashsift::testing::has_note_containing;
using crashsift::testing::parse_with;
using crashsift::testing::read_testdata;
using crashsift::testing::utc_options;

namespace {
const input::FormatParser& kernelp() { return input::kernel_format(); }
}  // namespace

TEST_CASE("kernel: the same real OOM kill as dmesg, dmesg -x and kmsg gives the same events") {
  for (const char* dir : {"kernel/oom-bun", "kernel/oom-node", "kernel/oom-crashlab"}) {
    CAPTURE(dir);
    const auto plain = parse_with(kernelp(), read_testdata(std::string(dir) + "/dmesg.txt"));
    const auto x = parse_with(kernelp(), read_testdata(std::string(dir) + "/dmesg-x.txt"));
    const auto kmsg = parse_with(kernelp(), read_testdata(std::string(dir) + "/kmsg.txt"));
    REQUIRE(plain.events.size() >= 79);
    REQUIRE(x.events.size() == plain.events.size());
    REQUIRE(kmsg.events.size() == plain.events.size());
    CHECK(plain.report.skipped + x.report.skipped + kmsg.report.skipped == 0);
    for (size_t i = 0; i < plain.events.size(); ++i) {
      CAPTURE(i);
      CHECK(x.events[i].message == plain.events[i].message);
      CHECK(kmsg.events[i].message == plain.events[i].message);
      CHECK(x.events[i].monotonic_usec == plain.events[i].monotonic_usec);
      CHECK(kmsg.events[i].monotonic_usec == plain.events[i].monotonic_usec);
      CHECK(kmsg.events[i].priority == x.events[i].priority);  // kmsg "4,..." == dmesg -x "warn"
      CHECK(plain.events[i].kernel);
      CHECK(plain.events[i].identifier == "kernel");
      CHECK_FALSE(plain.events[i].time);
    }
    CHECK(has_note_containing(plain.report, "--kernel-boot-time"));
  }
}

TEST_CASE("kernel: facts of the real bun OOM kill") {
  const auto p = parse_with(kernelp(), read_testdata("kernel/oom-bun/dmesg-x.txt"));
  REQUIRE(p.events.size() == 79);
  CHECK(p.events[1].message == "bun invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0");
  CHECK(p.events[1].monotonic_usec == 10462678430u);
  CHECK(p.events[1].priority == 4);
  // "kern  :info  : [10462.678450]  <TASK>": the message keeps its own leading space.
  CHECK(p.events[4].message == " <TASK>");
  bool kill_line = false;
  for (const auto& e : p.events)
    if (e.message.find("Memory cgroup out of memory: Killed process") == 0) {
      kill_line = true;
      CHECK(e.priority == 3);  // err
    }
  CHECK(kill_line);
}

TEST_CASE("kernel: --kernel-boot-time places relative stamps") {
  // The marker line's text is the realtime (ns) at which it was written:
  // "[10462.557722] crashlab-oom-marker-13055-1795420660367006404".
  auto o = utc_options();
  o.kernel_boot_time = 1795420660367006 - 10462557722;
  const auto p = parse_with(kernelp(), read_testdata("kernel/oom-bun/dmesg.txt"), o);
  REQUIRE(!p.events.empty());
  REQUIRE(p.events[0].time);
  CHECK(*p.events[0].time == 1795420660367006);
  CHECK(p.events[0].time_has_usec);
  CHECK_FALSE(has_note_containing(p.report, "--kernel-boot-time"));
  CHECK(p.report.first_time == p.events[0].time);
}

TEST_CASE("kernel: dmesg -T is local time to the second") {
  auto o = utc_options();
  o.zone = Zone("Asia/Tokyo");
  const auto p = parse_with(kernelp(),
                            "[Mon Nov 23 16:57:41 2026] bun invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0\n"
                            "[Mon Nov  2 16:57:41 2026] padded day\n",
                            o);
  REQUIRE(p.events.size() == 2);
  CHECK(p.events[0].time == usec_from_civil_utc(CivilTime{2026, 11, 23, 7, 57, 41, 0}));
  CHECK(p.events[1].time == usec_from_civil_utc(CivilTime{2026, 11, 2, 7, 57, 41, 0}));
  CHECK_FALSE(p.events[0].time_has_usec);
  CHECK_FALSE(p.events[0].monotonic_usec);
  CHECK(has_note_containing(p.report, "dmesg -T"));
}

TEST_CASE("kernel: dmesg -r raw priorities and --time-format iso") {
  const auto p = parse_with(kernelp(),
                            "<3>[10463.922205] plugin-loader[13207]: segfault at 0 ip 000055b2e7146235\n"
                            "2026-11-23T07:57:41,617199+00:00 traps: bun[4242] trap invalid opcode ip:55e8c5241235\n");
  REQUIRE(p.events.size() == 2);
  CHECK(p.events[0].priority == 3);
  CHECK(p.events[0].monotonic_usec == 10463922205u);
  CHECK(p.events[0].message.rfind("plugin-loader[13207]: segfault", 0) == 0);
  CHECK(p.events[1].time == 1795420661617199);
  CHECK(p.events[1].message.rfind("traps: bun[4242]", 0) == 0);
}

TEST_CASE("kernel: kmsg dictionary lines are not messages") {
  const auto p = parse_with(kernelp(),
                            "6,1234,10463883791,-;usb 1-1: new high-speed USB device number 2\n"
                            " SUBSYSTEM=usb\n"
                            " DEVICE=c189:1\n"
                            "12,1235,10463883800,c;user-space line\n");
  REQUIRE(p.events.size() == 2);
  CHECK(p.events[0].message == "usb 1-1: new high-speed USB device number 2");
  CHECK(p.events[0].priority == 6);
  CHECK(p.events[1].priority == 4);  // facility 1 (user), level 4
  CHECK(p.report.skipped == 0);
}

TEST_CASE("kernel: damaged input") {
  auto o = utc_options();
  o.max_line = 128;
  const auto p = parse_with(kernelp(),
                            "[    1.000000] ok\n"
                            "[    2.000000] " + std::string(1000, 'x') + "\n"
                            "random words\n"
                            "[    3.00", o);
  REQUIRE(p.events.size() == 1);
  CHECK(p.report.skipped == 3);
  REQUIRE(p.report.first_skips.size() == 3);
  CHECK(p.report.first_skips[0].reason.find("bytes") != std::string::npos);
  CHECK(p.report.first_skips[2].reason.find("truncated last line") != std::string::npos);
}

TEST_CASE("kernel probe: takes kernel text, refuses journals") {
  const auto& f = kernelp();
  for (const char* path : {"kernel/systemd-lab/host-dmesg.txt", "kernel/oom-bun/dmesg.txt",
                           "kernel/oom-bun/dmesg-x.txt", "kernel/oom-bun/kmsg.txt"}) {
    CAPTURE(path);
    CHECK(f.probe(read_testdata(path).substr(0, 4096)));
  }
  CHECK(f.probe("[Mon Nov 23 16:57:41 2026] bun invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL)\n"));
  // A short-iso journal (even one full of kernel lines) is not dmesg.
  CHECK_FALSE(f.probe(read_testdata("journals/systemd-lab/journal.short-iso.txt").substr(0, 4096)));
  CHECK_FALSE(f.probe(read_testdata("journals/systemd-lab/journal.short-iso-precise.txt").substr(0, 4096)));
  CHECK_FALSE(f.probe("2026-11-23T07:55:44.445923+0000 vm kernel: Linux version 6.18.44-fc-v669\n"));
  // short-monotonic shares the "[    5.000000]" stamp but has "host ident[pid]:".
  CHECK_FALSE(f.probe(read_testdata("journals/v252-samples/journalctl-v252.short-monotonic.txt")));
  CHECK_FALSE(f.probe(read_testdata("journals/systemd-lab/journal.cat.txt").substr(0, 4096)));
  CHECK_FALSE(f.probe(read_testdata("journals/systemd-lab/journal.verbose.txt").substr(0, 4096)));
  CHECK_FALSE(f.probe(""));
}
