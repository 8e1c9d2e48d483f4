// journalctl -o verbose: header + indented NAME=value fields, mapped like export.
#include <doctest/doctest.h>

#include "crashsift/input/journal_fields.hpp"
#include "crashsift/input/parser.hpp"
#include "unit/input/text_parse_support.hpp"

using namespace crashsift;
using crashsift::testing::export_events;
using crashsift::testing::has_note_containing;
using crashsift::testing::parse_with;
using crashsift::testing::read_testdata;
using crashsift::testing::utc_options;

namespace {

const input::FormatParser& verbosep() { return input::verbose_format(); }


size_t count_cursors(const std::string& export_bytes) {
  size_t n = 0;
  for (size_t pos = 0; (pos = export_bytes.find("__CURSOR=", pos)) != std::string::npos; ++pos)
    if (pos == 0 || export_bytes[pos - 1] == '\n') ++n;
  return n;
}

// Every member the field mapping fills, compared one by one.
void check_same(const Event& got, const Event& want) {
  CHECK(got.time == want.time);
  CHECK(got.monotonic_usec == want.monotonic_usec);
  CHECK(got.boot_id == want.boot_id);
  CHECK(got.hostname == want.hostname);
  CHECK(got.identifier == want.identifier);
  CHECK(got.pid == want.pid);
  CHECK(got.comm == want.comm);
  CHECK(got.systemd_unit == want.systemd_unit);
  CHECK(got.unit == want.unit);
  CHECK(got.invocation_id == want.invocation_id);
  CHECK(got.message_id == want.message_id);
  CHECK(got.message == want.message);
  CHECK(got.kernel == want.kernel);
  CHECK(got.priority == want.priority);
  CHECK(got.exit_code == want.exit_code);
  CHECK(got.exit_status == want.exit_status);
  CHECK(got.command == want.command);
  CHECK(got.unit_result == want.unit_result);
  CHECK(got.n_restarts == want.n_restarts);
  CHECK(got.coredump_pid == want.coredump_pid);
  CHECK(got.coredump_signal == want.coredump_signal);
  CHECK(got.coredump_exe == want.coredump_exe);
  CHECK(got.coredump_comm == want.coredump_comm);
  CHECK(got.coredump_unit == want.coredump_unit);
  CHECK(got.coredump_filename == want.coredump_filename);
  CHECK(got.coredump_timestamp == want.coredump_timestamp);
  CHECK(got.origin.cursor == want.origin.cursor);
}

}  // namespace

TEST_CASE("verbose lab journal: as many events as journal.export has entries, all equal") {
  const std::string exp = read_testdata("journals/systemd-lab/journal.export");
  const auto truth = export_events("journals/systemd-lab/journal.export");
  const auto p = parse_with(verbosep(), read_testdata("journals/systemd-lab/journal.verbose.txt"));
  REQUIRE(count_cursors(exp) == 436);
  REQUIRE(p.events.size() == count_cursors(exp));
  CHECK(p.report.entries == 436);
  CHECK(p.report.skipped == 0);
  for (size_t i = 0; i < truth.size(); ++i) {
    CAPTURE(i);
    check_same(p.events[i], truth[i]);
  }
}

TEST_CASE("verbose coredump entries: multi-line MESSAGE and /proc dumps, equal to export") {
  // Real systemd-coredump entries: MESSAGE holds the stack trace, COREDUMP_OPEN_FDS and
  // COREDUMP_PROC_STATUS continue over many lines with TABs and bare-indent empty lines.
  const auto truth = export_events("journals/coredump/journal.export");
  const auto p = parse_with(verbosep(), read_testdata("journals/coredump/coredump-entries.verbose.txt"));
  REQUIRE(p.events.size() == 3);
  CHECK(p.report.skipped == 0);
  for (const auto& e : p.events) {
    CAPTURE(e.origin.cursor);
    CHECK(e.message_id == message_ids::coredump);
    CHECK(e.message.find("\n\nStack trace of thread ") != std::string::npos);
    const Event* want = nullptr;
    for (const auto& t : truth)
      if (t.origin.cursor == e.origin.cursor) want = &t;
    REQUIRE(want != nullptr);
    std::string msg = want->message;
    while (!msg.empty() && msg.back() == '\n') msg.pop_back();
    CHECK(e.message == msg);
    CHECK(e.coredump_pid == want->coredump_pid);
    CHECK(e.coredump_signal == want->coredump_signal);
    CHECK(e.coredump_exe == want->coredump_exe);
    CHECK(e.time == want->time);
  }
  CHECK(p.events[0].coredump_pid == 10164);
  CHECK(p.events[0].coredump_signal == 11);
  CHECK(p.events[0].coredump_comm == "crashlab");
}

TEST_CASE("verbose v252 rendering: blob data, multi-line MESSAGE, boot separator") {
  const auto p = parse_with(verbosep(), read_testdata("journals/v252-samples/journalctl-v252.verbose.txt"));
  REQUIRE(p.events.size() == 8);
  CHECK(p.report.skipped == 0);
  CHECK(p.events[2].message ==
        "panic(main thread): Segmentation fault at address 0x0\n"
        "oh no: Bun has crashed. This indicates a bug in Bun, not your code.");
  CHECK(p.events[3].message == "[17B blob data]");
  CHECK(p.events[4].exit_code == "dumped");
  CHECK(p.events[4].exit_status == 11);
  CHECK(p.events[4].unit == "app.service");
  CHECK(p.events[0].boot_id == "0a1b2c3d4e5f60718293a4b5c6d7e8f9");
  CHECK(p.events[7].boot_id == "f9e8d7c6b5a4938271605f4e3d2c1b0a");
  CHECK(p.events[0].time == 1736000000000000);
  CHECK(p.events[0].monotonic_usec == 5000000u);  // m=4c4b40
  CHECK(p.events[0].origin.line == 1);
}

TEST_CASE("verbose: the cursor's t= is the receive time; _SOURCE_REALTIME_TIMESTAMP wins") {
  // Lab entry 3: header and short output show .618412 (source), the cursor's t= is .618442.
  const auto p = parse_with(verbosep(),
                            "Mon 2026-11-23 07:57:41.618412 UTC [s=ad69;i=3;b=f2e2dfc4d76649b1bcf0012e99ebe81f;m=26fb10457;t=660ecf2c2170a;x=2c03]\n"
                            "    _SOURCE_REALTIME_TIMESTAMP=1795420661618412\n"
                            "    MESSAGE=Finished systemd-remount-fs.service - Remount Root and Kernel File Systems.\n"
                            "Mon 2026-11-23 07:57:41.618442 UTC [s=ad69;i=4;b=f2e2dfc4d76649b1bcf0012e99ebe81f;m=26fb10457;t=660ecf2c2170a;x=2c03]\n"
                            "    MESSAGE=no source time\n");
  REQUIRE(p.events.size() == 2);
  CHECK(p.events[0].time == 1795420661618412);
  CHECK(p.events[1].time == 1795420661618442);
  CHECK(p.events[0].boot_id == "f2e2dfc4d76649b1bcf0012e99ebe81f");
}

TEST_CASE("verbose: a header without t= falls back to the printed time") {
  auto o = utc_options();
  o.zone = Zone("Asia/Tokyo");
  const auto p = parse_with(verbosep(),
                            "Mon 2026-11-23 16:57:41.500000 JST [s=ad69;i=3]\n    MESSAGE=a\n"
                            "Mon 2026-11-23 07:57:41.500000 UTC [s=ad69;i=4]\n    MESSAGE=b\n",
                            o);
  REQUIRE(p.events.size() == 2);
  CHECK(p.events[0].time == 1795420661500000);
  CHECK(p.events[1].time == 1795420661500000);
}

TEST_CASE("verbose: multi-line values, including empty lines with and without the indent") {
  const auto p = parse_with(verbosep(),
                            "Mon 2026-11-23 07:55:44.710137 UTC [s=1;i=1;t=660ecebca381c]\n"
                            "    MESSAGE=Process 10164 (crashlab) of user 0 dumped core.\n"
                            "            \n"
                            "            Stack trace of thread 10164:\n"
                            "\n"
                            "            #0  0x000055f946c08235 write_through (crashlab + 0x1235)\n"
                            "    COREDUMP_ENVIRON=SECRET=hunter2\n"
                            "                     PATH=/bin\n"
                            "    SYSLOG_IDENTIFIER=systemd-coredump\n");
  REQUIRE(p.events.size() == 1);
  CHECK(p.events[0].message ==
        "Process 10164 (crashlab) of user 0 dumped core.\n\nStack trace of thread 10164:\n\n"
        "#0  0x000055f946c08235 write_through (crashlab + 0x1235)");
  CHECK(p.events[0].identifier == "systemd-coredump");
  CHECK(p.events[0].message.find("hunter2") == std::string::npos);
}

TEST_CASE("verbose: an overlong field is skipped, the entry keeps its other fields") {
  auto o = utc_options();
  o.max_line = 256;
  const auto p = parse_with(verbosep(),
                            "Mon 2026-11-23 07:55:44.710137 UTC [s=1;i=1;t=660ecebca381c]\n"
                            "    COREDUMP_PROC_MAPS=" + std::string(10000, 'm') + "\n"
                            "    MESSAGE=kept\n"
                            "Mon 2026-11-23 07:55:45.710137 UTC [s=1;i=2;t=660ecebca381d]\n"
                            "    MESSAGE=next\n",
                            o);
  REQUIRE(p.events.size() == 2);
  CHECK(p.events[0].message == "kept");
  CHECK(p.report.skipped == 1);
  REQUIRE(p.report.first_skips.size() == 1);
  CHECK(p.report.first_skips[0].line == 2);
  CHECK(p.report.first_skips[0].reason.find("10023 bytes") != std::string::npos);
}

TEST_CASE("verbose: a truncated last entry is still emitted, with a note") {
  const auto p = parse_with(verbosep(),
                            "Mon 2026-11-23 07:55:44.710137 UTC [s=1;i=1;t=660ecebca381c]\n"
                            "    MESSAGE=complete\n"
                            "Mon 2026-11-23 07:55:45.710137 UTC [s=1;i=2;t=660ecebca381d]\n"
                            "    _PID=42\n"
                            "    MESSAGE=cut in the mid");
  REQUIRE(p.events.size() == 2);
  CHECK(p.events[1].pid == 42);
  CHECK(p.events[1].message == "cut in the mid");
  CHECK(has_note_containing(p.report, "incomplete"));
}

TEST_CASE("verbose: stray lines are skipped") {
  const auto p = parse_with(verbosep(),
                            "    MESSAGE=before any header\n"
                            "Mon 2026-11-23 07:55:44.710137 UTC [s=1;i=1;t=660ecebca381c]\n"
                            "garbage\n"
                            "    MESSAGE=ok\n");
  REQUIRE(p.events.size() == 1);
  CHECK(p.events[0].message == "ok");
  CHECK(p.report.skipped == 2);
}

TEST_CASE("verbose probe") {
  const auto& f = verbosep();
  CHECK(f.probe(read_testdata("journals/systemd-lab/journal.verbose.txt").substr(0, 4096)));
  CHECK(f.probe(read_testdata("journals/v252-samples/journalctl-v252.verbose.txt")));
  CHECK(f.probe("-- Journal begins at Mon 2026-11-23 07:00:00 UTC. --\n"
                "Mon 2026-11-23 07:55:44.710137 UTC [s=1;i=1]\n    MESSAGE=x\n"));
  CHECK_FALSE(f.probe(read_testdata("journals/v252-samples/journalctl-v252.short-full.txt")));
  CHECK_FALSE(f.probe(read_testdata("journals/systemd-lab/journal.short-iso.txt").substr(0, 4096)));
  CHECK_FALSE(f.probe(read_testdata("kernel/oom-bun/dmesg.txt").substr(0, 4096)));
  CHECK_FALSE(f.probe("Mon 2026-11-23 07:55:44.710137 UTC [s=1;i=1]\nnot a field\n"));
  // short-full whose message ends in ']' (no microseconds, no cursor).
  CHECK_FALSE(f.probe("Sat 2025-01-04 14:13:20 UTC web1 app[7]: listening [ok]\n"));
}
