// The journalctl short family (short, short-precise, short-iso[-precise], short-unix,
// short-full, with-unit, short-monotonic) and pasted excerpts, one quirk per case.
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

const input::FormatParser& shortp() { return input::short_format(); }

UsecUtc utc(int y, int mo, int d, int h, int mi, int s, int us = 0) {
  return usec_from_civil_utc(CivilTime{y, mo, d, h, mi, s, us});
}


bool printable_message(const std::string& m) {
  for (unsigned char c : m)
    if ((c < 0x20 && c != '\n') || c == 0x7f) return false;  // TAB, ESC, \r: journalctl rewrites
  return true;
}

}  // namespace

// ---- real journals ------------------------------------------------------------------------

TEST_CASE("short-iso-precise lab journal: every event equals the export entry") {
  const auto truth = export_events("journals/systemd-lab/journal.export");
  const auto p = parse_with(shortp(), read_testdata("journals/systemd-lab/journal.short-iso-precise.txt"));
  REQUIRE(truth.size() == 436);
  REQUIRE(p.events.size() == truth.size());
  CHECK(p.report.entries == 436);
  CHECK(p.report.skipped == 0);
  for (size_t i = 0; i < truth.size(); ++i) {
    CAPTURE(i);
    CHECK(p.events[i].time == truth[i].time);
    CHECK(p.events[i].time_has_usec);
    CHECK(p.events[i].identifier == truth[i].identifier);
    CHECK(p.events[i].pid == truth[i].pid);
    CHECK(p.events[i].hostname == truth[i].hostname);
    CHECK(p.events[i].message == truth[i].message);
    CHECK(p.events[i].origin.line == i + 1);
  }
  CHECK(p.report.first_time == truth.front().time);
}

TEST_CASE("short-iso lab journal: second precision, same events") {
  const auto truth = export_events("journals/systemd-lab/journal.export");
  const auto p = parse_with(shortp(), read_testdata("journals/systemd-lab/journal.short-iso.txt"));
  REQUIRE(p.events.size() == truth.size());
  for (size_t i = 0; i < truth.size(); i += 7) {
    CAPTURE(i);
    CHECK_FALSE(p.events[i].time_has_usec);
    CHECK(*p.events[i].time == *truth[i].time / usec_per_sec * usec_per_sec);
    CHECK(p.events[i].message == truth[i].message);
  }
}

TEST_CASE("short lab journal: yearless stamps take the year of the file's mtime") {
  const auto truth = export_events("journals/systemd-lab/journal.export");
  auto o = utc_options();
  o.reference_time = utc(2026, 11, 23, 9, 36, 0);
  const auto p = parse_with(shortp(), read_testdata("journals/systemd-lab/journal.short.txt"), o);
  REQUIRE(p.events.size() == truth.size());
  CHECK(p.report.skipped == 0);
  for (size_t i = 0; i < truth.size(); i += 5) {
    CAPTURE(i);
    CHECK(*p.events[i].time == *truth[i].time / usec_per_sec * usec_per_sec);
    CHECK(p.events[i].pid == truth[i].pid);
  }
  CHECK(has_note_containing(p.report, "modification time"));
}

TEST_CASE("short-iso-precise coredump journal: multi-line stack traces equal the export") {
  // systemd-coredump's MESSAGE is "Process N (comm) of user 0 dumped core.\n\nStack trace of
  // thread N:\n#0 ..." and journalctl prints lines 2..n at the message column, the empty line
  // as the bare indent.
  const auto truth = export_events("journals/coredump/journal.export");
  const auto p = parse_with(shortp(), read_testdata("journals/coredump/journal.short-iso-precise.txt"));
  REQUIRE(truth.size() == 814);
  REQUIRE(p.events.size() == truth.size());
  CHECK(p.report.skipped == 0);
  size_t compared = 0, coredumps = 0;
  for (size_t i = 0; i < truth.size(); ++i) {
    CAPTURE(i);
    CHECK(p.events[i].time == truth[i].time);
    CHECK(p.events[i].identifier == truth[i].identifier);
    // Lines that user space wrote to /dev/kmsg while journald was down ("systemd-coredump[9206]:
    // Cannot resolve systemd-coredump user...") are _TRANSPORT=kernel in the journal but look
    // like any other line in short output: only "kernel:" lines can be known as kernel ones.
    CHECK(p.events[i].kernel == (truth[i].kernel && truth[i].identifier == "kernel"));
    if (!printable_message(truth[i].message)) continue;
    std::string want = truth[i].message;
    while (!want.empty() && want.back() == '\n') want.pop_back();  // no line for a trailing \n
    CHECK(p.events[i].message == want);
    ++compared;
    if (truth[i].message_id == message_ids::coredump) {
      ++coredumps;
      CHECK(p.events[i].message.find("\n\nStack trace of thread ") != std::string::npos);
    }
  }
  CHECK(compared > 700);
  CHECK(coredumps >= 3);
}

TEST_CASE("v252 renderings: every short variant reads the same 8 entries") {
  const char* files[] = {"short", "short-precise", "short-iso", "short-iso-precise", "short-unix",
                         "short-full", "with-unit", "short-monotonic"};
  for (const char* f : files) {
    CAPTURE(f);
    auto o = utc_options();
    o.year = 2025;
    const auto p = parse_with(shortp(), read_testdata(std::string("journals/v252-samples/journalctl-v252.") + f + ".txt"), o);
    REQUIRE(p.events.size() == 8);
    CHECK(p.report.skipped == 0);
    CHECK(p.events[0].message == "Starting app.service - My App...");
    CHECK(p.events[2].message ==
          "panic(main thread): Segmentation fault at address 0x0\n"
          "oh no: Bun has crashed. This indicates a bug in Bun, not your code.");
    CHECK(p.events[3].message == "[17B blob data]");
    CHECK(p.events[2].pid == 4242);
    CHECK(p.events[2].hostname == "web1");
    // "-- Boot f9e8d7c6b5a4938271605f4e3d2c1b0a --" names the boot of the last entry only.
    CHECK(p.events[6].boot_id.empty());
    CHECK(p.events[7].boot_id == "f9e8d7c6b5a4938271605f4e3d2c1b0a");
    CHECK(has_note_containing(p.report, "separator"));
    if (std::string(f) == "short-monotonic") {
      CHECK_FALSE(p.events[0].time);
      CHECK(p.events[2].monotonic_usec == 7000000u);
      CHECK(has_note_containing(p.report, "seconds since boot"));
    } else {
      CHECK(p.events[0].time == utc(2025, 1, 4, 14, 13, 20));
      CHECK(p.events[7].time == utc(2025, 1, 5, 14, 13, 20));
    }
  }
}

TEST_CASE("with-unit: the tag is the unit, PID 1 in init.scope is systemd") {
  const auto p = parse_with(shortp(), read_testdata("journals/v252-samples/journalctl-v252.with-unit.txt"));
  REQUIRE(p.events.size() == 8);
  CHECK(p.events[0].systemd_unit == "init.scope");
  CHECK(p.events[0].identifier == "systemd");
  CHECK(p.events[0].pid == 1);
  CHECK(p.events[2].systemd_unit == "app.service");
  CHECK(p.events[2].identifier.empty());
  // User units print as "user@1000.service/app.service[77]".
  const auto u = parse_with(shortp(), "Sat 2025-01-04 14:13:22 UTC web1 user@1000.service/app.service[77]: hi\n");
  REQUIRE(u.events.size() == 1);
  CHECK(u.events[0].systemd_unit == "user@1000.service");
  CHECK(u.events[0].pid == 77);
}

// ---- timestamp shapes ---------------------------------------------------------------------

TEST_CASE("short-iso offsets: +0000 (<=v254), +00:00 (v255+), other zones") {
  const auto p = parse_with(shortp(),
                            "2026-11-23T07:57:41+0000 h a[1]: x\n"
                            "2026-11-23T07:57:41+00:00 h a[1]: x\n"
                            "2026-11-23T16:57:41+09:00 h a[1]: x\n"
                            "2026-11-23T02:57:41.500000-0500 h a[1]: x\n");
  REQUIRE(p.events.size() == 4);
  for (int i = 0; i < 3; ++i) CHECK(p.events[static_cast<size_t>(i)].time == utc(2026, 11, 23, 7, 57, 41));
  CHECK(p.events[3].time == utc(2026, 11, 23, 7, 57, 41, 500000));
  CHECK(p.events[3].time_has_usec);
  CHECK_FALSE(p.events[0].time_has_usec);
}

TEST_CASE("short-unix: seconds.micros since the epoch") {
  // Real lab entry 1 rendered with -o short-unix.
  const auto p = parse_with(shortp(), "1795420661.617199 crashlab systemd-journald[20]: Journal started\n");
  REQUIRE(p.events.size() == 1);
  CHECK(p.events[0].time == 1795420661617199);
  CHECK(p.events[0].identifier == "systemd-journald");
}

TEST_CASE("short-full: the zone abbreviation") {
  SUBCASE("UTC is exact whatever --timezone says") {
    auto o = utc_options();
    o.zone = Zone("Asia/Tokyo");
    const auto p = parse_with(shortp(), "Mon 2026-11-23 07:57:41 UTC h a[1]: x\n", o);
    REQUIRE(p.events.size() == 1);
    CHECK(p.events[0].time == utc(2026, 11, 23, 7, 57, 41));
  }
  SUBCASE("JST is read in the given zone") {
    auto o = utc_options();
    o.zone = Zone("Asia/Tokyo");
    const auto p = parse_with(shortp(), "Mon 2026-11-23 16:57:41 JST h a[1]: x\n", o);
    REQUIRE(p.events.size() == 1);
    CHECK(p.events[0].time == utc(2026, 11, 23, 7, 57, 41));
    CHECK(p.report.notes.empty());
  }
  SUBCASE("an abbreviation that is not the given zone's gets a note") {
    const auto p = parse_with(shortp(), "Mon 2026-11-23 16:57:41 JST h a[1]: x\n");
    CHECK(has_note_containing(p.report, "JST"));
  }
}

TEST_CASE("short: localized, lowercase and padded month names") {
  auto o = utc_options();
  o.year = 2026;
  struct Case {
    const char* line;
    int month, day;
  } cases[] = {
      {"Dez 03 07:57:41 host app[1]: x", 12, 3},          // de_DE
      {"Mär 03 07:57:41 host app[1]: x", 3, 3},           // de_DE
      {"ene 05 07:57:41 host app[1]: x", 1, 5},           // es_ES
      {"oct. 12 07:57:41 host app[1]: x", 10, 12},        // fr_FR, with a dot
      {"févr. 12 07:57:41 host app[1]: x", 2, 12},        // fr_FR, accented
      {"lip 07 07:57:41 host app[1]: x", 7, 7},           // pl_PL
      {"9\xec\x9b\x94 23 07:57:41 host app[1]: x", 9, 23},  // ko_KR "9월"
      {"nov 23 07:57:41 host app[1]: x", 11, 23},         // lowercase English
      {"Aug  2 07:57:41 host app[1]: x", 8, 2},           // syslog-style space-padded day
      {"\xd0\xbd\xd0\xbe\xd1\x8f 23 07:57:41 host app[1]: x", 11, 23},  // ru_RU "ноя"
  };
  for (const auto& c : cases) {
    CAPTURE(c.line);
    const auto p = parse_with(shortp(), std::string(c.line) + "\n", o);
    REQUIRE(p.events.size() == 1);
    CHECK(p.events[0].time == utc(2026, c.month, c.day, 7, 57, 41));
    CHECK(p.events[0].identifier == "app");
  }
}

TEST_CASE("short: year inference") {
  SUBCASE("--year is used as given") {
    auto o = utc_options();
    o.year = 2023;
    const auto p = parse_with(shortp(), "Nov 23 07:57:41 h a[1]: x\n", o);
    CHECK(p.events.at(0).time == utc(2023, 11, 23, 7, 57, 41));
  }
  SUBCASE("a first month after the mtime's month is from the year before") {
    auto o = utc_options();
    o.reference_time = utc(2027, 1, 2, 0, 0, 0);
    const auto p = parse_with(shortp(), "Dec 31 23:59:58 h a[1]: x\nJan 01 00:00:03 h a[1]: y\n", o);
    REQUIRE(p.events.size() == 2);
    CHECK(p.events[0].time == utc(2026, 12, 31, 23, 59, 58));
    CHECK(p.events[1].time == utc(2027, 1, 1, 0, 0, 3));  // December -> January rollover
  }
  SUBCASE("a late December line right after the rollover goes back a year") {
    auto o = utc_options();
    o.year = 2026;
    const auto p = parse_with(shortp(),
                              "Dec 31 23:59:58 h a[1]: x\nJan 01 00:00:01 h b[2]: y\n"
                              "Dec 31 23:59:59 h a[1]: late\nJan 01 00:00:02 h a[1]: z\n",
                              o);
    REQUIRE(p.events.size() == 4);
    CHECK(p.events[2].time == utc(2026, 12, 31, 23, 59, 59));
    CHECK(p.events[3].time == utc(2027, 1, 1, 0, 0, 2));
  }
  SUBCASE("no --year and no mtime: the current year, with a note") {
    const auto p = parse_with(shortp(), "Jan 01 00:00:00 h a[1]: x\n");
    REQUIRE(p.events.size() == 1);
    CHECK(p.events[0].time);
    CHECK(has_note_containing(p.report, "pass --year"));
  }
}

TEST_CASE("short: yearless stamps are read in options.zone") {
  auto o = utc_options();
  o.zone = Zone("Europe/Berlin");
  o.year = 2026;
  const auto p = parse_with(shortp(), "Nov 23 08:57:41 h a[1]: x\nJul 01 14:00:00 h a[1]: summer\n", o);
  REQUIRE(p.events.size() == 2);
  CHECK(p.events[0].time == utc(2026, 11, 23, 7, 57, 41));  // CET = UTC+1
  CHECK(p.events[1].time == utc(2027, 7, 1, 12, 0, 0));     // Nov -> Jul: next year, CEST
}

TEST_CASE("short: time-only lines take the date of the line before") {
  auto o = utc_options();
  o.year = 2026;
  const auto p = parse_with(shortp(),
                            "14:28:21 bun[4242]: before any date\n"
                            "Nov 23 23:59:58 host app[7]: dated\n"
                            "23:59:59 app[7]: same day\n"
                            "00:00:02 app[7]: next day\n",
                            o);
  REQUIRE(p.events.size() == 4);
  CHECK_FALSE(p.events[0].time);
  CHECK(p.events[0].pid == 4242);
  CHECK(p.events[2].time == utc(2026, 11, 23, 23, 59, 59));
  CHECK(p.events[3].time == utc(2026, 11, 24, 0, 0, 2));
  CHECK(has_note_containing(p.report, "time of day"));
}

// ---- tags ---------------------------------------------------------------------------------

TEST_CASE("short: identifier, pid and hostname") {
  SUBCASE("systemd[1]") {
    const auto p = parse_with(shortp(), "2026-11-23T07:57:41+0000 crashlab systemd[1]: app.service: Main process exited, code=dumped, status=11/SEGV\n");
    REQUIRE(p.events.size() == 1);
    CHECK(p.events[0].identifier == "systemd");
    CHECK(p.events[0].pid == 1);
    CHECK(p.events[0].hostname == "crashlab");
    CHECK(p.events[0].message == "app.service: Main process exited, code=dumped, status=11/SEGV");
  }
  SUBCASE("kernel: has no pid and marks a kernel event") {
    // Real line from shared/real/coredump/journal.short-iso-precise.txt.
    const auto p = parse_with(shortp(), "2026-11-23T07:55:44.771982+0000 vm kernel: plugin-loader[10172]: segfault at 0 ip 000055610e857235 sp 00007f0244a59e88 error 6\n");
    REQUIRE(p.events.size() == 1);
    CHECK(p.events[0].identifier == "kernel");
    CHECK(p.events[0].kernel);
    CHECK_FALSE(p.events[0].pid);
    CHECK(p.events[0].message.rfind("plugin-loader[10172]: segfault at 0", 0) == 0);
  }
  SUBCASE("--no-hostname") {
    const auto p = parse_with(shortp(), "Nov 23 07:57:41 systemd[1]: app.service: Failed with result 'core-dump'.\n");
    REQUIRE(p.events.size() == 1);
    CHECK(p.events[0].hostname.empty());
    CHECK(p.events[0].identifier == "systemd");
    CHECK(p.events[0].message == "app.service: Failed with result 'core-dump'.");
  }
  SUBCASE("an identifier from _COMM with spaces, with a pid") {
    const auto p = parse_with(shortp(), "Nov 23 07:57:41 host Isolated Web Co[4311]: crashed\n");
    REQUIRE(p.events.size() == 1);
    CHECK(p.events[0].identifier == "Isolated Web Co");
    CHECK(p.events[0].pid == 4311);
  }
  SUBCASE("an empty MESSAGE prints just the prefix") {
    const auto p = parse_with(shortp(), "Nov 23 07:57:41 host app[1]:\nNov 23 07:57:42 host app[1]: \n");
    REQUIRE(p.events.size() == 2);
    CHECK(p.events[0].message.empty());
    CHECK(p.events[1].message.empty());
  }
  SUBCASE("the hyperlink glyph of catalog-linked messages is stripped") {
    const auto p = parse_with(shortp(),
                              "Nov 23 07:57:41 host systemd-coredump[835]: [\xf0\x9f\xa1\x95] Process 797 (swww) of user 1000 dumped core.\n"
                              "Nov 23 07:57:41 host systemd-coredump[836]: [LNK] Process 798 (swww) of user 1000 dumped core.\n");
    REQUIRE(p.events.size() == 2);
    CHECK(p.events[0].message == "Process 797 (swww) of user 1000 dumped core.");
    CHECK(p.events[1].message == "Process 798 (swww) of user 1000 dumped core.");
  }
}

// ---- multi-line messages ------------------------------------------------------------------

TEST_CASE("short: continuation lines at the message column join the message") {
  const std::string prefix = "Nov 23 07:55:44 vm systemd-coredump[10166]: ";
  const std::string pad(prefix.size(), ' ');
  const std::string text = prefix + "Process 10164 (crashlab) of user 0 dumped core.\n" + pad + "\n" + pad +
                           "Stack trace of thread 10164:\n" + pad +
                           "#0  0x000055f946c08235 write_through (crashlab + 0x1235)\n" +
                           // a paste that trimmed the bare indent of the second empty line:
                           "\n" + pad + "Stack trace of thread 10165:\n" + pad +
                           "  indented content keeps its own spaces\n" +
                           "Nov 23 07:55:45 vm systemd[1]: next\n";
  auto o = utc_options();
  o.year = 2026;
  const auto p = parse_with(shortp(), text, o);
  REQUIRE(p.events.size() == 2);
  CHECK(p.events[0].message ==
        "Process 10164 (crashlab) of user 0 dumped core.\n\nStack trace of thread 10164:\n"
        "#0  0x000055f946c08235 write_through (crashlab + 0x1235)\n\nStack trace of thread 10165:\n"
        "  indented content keeps its own spaces");
  CHECK(p.events[1].message == "next");
}

TEST_CASE("short: a continuation line before any entry is read as pasted text, not lost") {
  const auto p = parse_with(shortp(), "                     #0 0x1 f (x + 0x1)\nNov 23 07:57:41 h a[1]: x\n");
  CHECK(p.events.size() == 1);
  CHECK(p.report.skipped == 0);
  REQUIRE(p.pasted.size() == 1);
  CHECK(p.pasted[0].message == "#0 0x1 f (x + 0x1)");
  CHECK(p.pasted[0].origin.line == 1);
  CHECK(has_note_containing(p.report, "not journal entries as pasted text"));
}

TEST_CASE("short: bytes that are not text among journal lines are still skipped") {
  const auto p = parse_with(shortp(), "Nov 23 07:57:41 h a[1]: x\n\xff\xfe garbage\n");
  CHECK(p.events.size() == 1);
  CHECK(p.report.skipped == 1);
  REQUIRE(p.report.first_skips.size() == 1);
  CHECK(p.report.first_skips[0].line == 2);
}

// ---- separators and pasted decorations ----------------------------------------------------

TEST_CASE("short: -- Reboot -- starts a new, unnamed boot") {
  const auto p = parse_with(shortp(),
                            "-- Logs begin at Mon 2026-11-23 07:00:00 UTC, end at Mon 2026-11-23 08:00:00 UTC. --\n"
                            "2026-11-23T07:57:41+0000 h a[1]: one\n"
                            "-- Reboot --\n"
                            "2026-11-23T07:59:41+0000 h a[1]: two\n"
                            "-- Reboot --\n"
                            "2026-11-23T08:01:41+0000 h a[1]: three\n");
  REQUIRE(p.events.size() == 3);
  CHECK(p.events[0].boot_id.empty());
  CHECK_FALSE(p.events[1].boot_id.empty());
  CHECK(p.events[1].boot_id != p.events[2].boot_id);
  CHECK(p.report.skipped == 0);
  CHECK(has_note_containing(p.report, "3 journalctl separator"));
}

TEST_CASE("short: -- No entries -- and -- Journal begins at -- are not skips") {
  const auto p = parse_with(shortp(),
                            "-- Journal begins at Mon 2026-11-23 07:00:00 UTC, ends at Mon 2026-11-23 08:00:00 UTC. --\n"
                            "-- No entries --\n");
  CHECK(p.events.empty());
  CHECK(p.report.skipped == 0);
}

TEST_CASE("short: journalctl -x catalog lines are ignored") {
  const auto p = parse_with(shortp(),
                            "Nov 23 07:57:41 h systemd[1]: app.service: Failed with result 'oom-kill'.\n"
                            "\xe2\x96\x91\xe2\x96\x91 Subject: Unit failed\n"
                            "\xe2\x96\x91\xe2\x96\x91 Defined-By: systemd\n"
                            "\xe2\x96\x91\xe2\x96\x91 \n"
                            "\xe2\x96\x91\xe2\x96\x91 The unit app.service has entered the 'failed' state with result 'oom-kill'.\n"
                            "Nov 23 07:57:42 h systemd[1]: next\n");
  REQUIRE(p.events.size() == 2);
  CHECK(p.events[0].message == "app.service: Failed with result 'oom-kill'.");
  CHECK(p.report.skipped == 0);
  CHECK(has_note_containing(p.report, "4 journalctl -x catalog"));
}

TEST_CASE("short: a paste from an issue thread (prompt, fence, quote, status header)") {
  const auto p = parse_with(shortp(),
                            "```console\n"
                            "$ systemctl status app\n"
                            "\xc3\x97 app.service - My App\n"
                            "     Loaded: loaded (/etc/systemd/system/app.service; enabled)\n"
                            "     Active: failed (Result: oom-kill) since Mon 2026-11-23 07:57:41 UTC\n"
                            "   Main PID: 1234 (code=killed, signal=KILL)\n"
                            "\n"
                            "Nov 23 07:57:41 web1 systemd[1]: app.service: A process of this unit has been killed by the OOM killer.\n"
                            "(snip)\n"
                            "root@web1:~# journalctl -k\n"
                            "> Nov 23 07:57:40 web1 kernel: Out of memory: Killed process 1234 (node) total-vm:9476316kB\n"
                            "```\n");
  REQUIRE(p.events.size() == 2);
  CHECK(p.events[1].kernel);
  CHECK(p.events[1].message.rfind("Out of memory: Killed process 1234 (node)", 0) == 0);
  CHECK(p.report.skipped == 0);
  // The status header is handed on as pasted text for the systemctl-status witness.
  REQUIRE(p.pasted.size() == 4);
  CHECK(p.pasted[0].message == "\xc3\x97 app.service - My App");
  CHECK(p.pasted[3].message == "Main PID: 1234 (code=killed, signal=KILL)");
  CHECK(has_note_containing(p.report, "shell prompt"));
  CHECK(has_note_containing(p.report, "systemctl status"));
}

TEST_CASE("short: a dmesg line pasted among journal lines is a kernel event") {
  const auto p = parse_with(shortp(),
                            "Nov 23 07:57:41 h systemd[1]: x\n"
                            "[10463.883791] crashlab[13218]: segfault at 0 ip 000055e8c5241235 sp 00007fff519af7d8 error 6\n");
  REQUIRE(p.events.size() == 2);
  CHECK(p.events[1].kernel);
  CHECK(p.events[1].identifier == "kernel");
  CHECK(p.events[1].monotonic_usec == 10463883791u);
  CHECK(p.events[1].message.rfind("crashlab[13218]: segfault", 0) == 0);
  CHECK(has_note_containing(p.report, "--kernel-boot-time"));
}

TEST_CASE("short: CRLF line ends") {
  const auto p = parse_with(shortp(), "Nov 23 07:57:41 h a[1]: x\r\nNov 23 07:57:42 h a[1]: y\r\n");
  REQUIRE(p.events.size() == 2);
  CHECK(p.events[0].message == "x");
}

// ---- damage -------------------------------------------------------------------------------

TEST_CASE("short: an overlong line is skipped with its size, the parse continues") {
  auto o = utc_options();
  o.year = 2026;
  o.max_line = 200;
  // 3 MB: longer than the reader's buffer, so the reader drops it (Line::overlong) ...
  const std::string huge = "Nov 23 07:57:41 h a[1]: " + std::string(3u << 20, 'x') + "\n";
  // ... and 5000 bytes: buffered whole, refused by the parser against max_line.
  const std::string big = "Nov 23 07:57:41 h a[1]: " + std::string(5000, 'y') + "\n";
  const auto p = parse_with(shortp(),
                            "Nov 23 07:57:40 h a[1]: before\n" + huge + big + "Nov 23 07:57:42 h a[1]: after\n", o);
  REQUIRE(p.events.size() == 2);
  CHECK(p.events[0].message == "before");
  CHECK(p.events[1].message == "after");
  CHECK(p.report.skipped == 2);
  REQUIRE(p.report.first_skips.size() == 2);
  CHECK(p.report.first_skips[0].line == 2);
  CHECK(p.report.first_skips[0].reason.find(std::to_string(huge.size() - 1) + " bytes") != std::string::npos);
  CHECK(p.report.first_skips[1].line == 3);
  CHECK(p.report.first_skips[1].reason.find("5024 bytes") != std::string::npos);
}

TEST_CASE("short: a truncated last line") {
  SUBCASE("cut in the message: still an event") {
    const auto p = parse_with(shortp(), "Nov 23 07:57:41 h a[1]: x\nNov 23 07:57:42 h a[1]: cut here");
    REQUIRE(p.events.size() == 2);
    CHECK(p.events[1].message == "cut here");
  }
  SUBCASE("cut in the timestamp: skipped and named") {
    const auto p = parse_with(shortp(), "Nov 23 07:57:41 h a[1]: x\nNov 23 07:5");
    CHECK(p.events.size() == 1);
    CHECK(p.report.skipped == 1);
    REQUIRE(p.report.first_skips.size() == 1);
    CHECK(p.report.first_skips[0].reason.find("truncated last line") != std::string::npos);
  }
}

TEST_CASE("short: other text goes on as pasted text, a damaged journal line is skipped with a reason") {
  const auto p = parse_with(shortp(),
                            "hello world\n"
                            "Nov 23 07:57:41 no tag in this line\n"
                            "Nov 23 07:57:41 h a[1]: ok\n");
  CHECK(p.events.size() == 1);
  REQUIRE(p.pasted.size() == 1);  // other text is read as pasted text, not skipped
  CHECK(p.pasted[0].message == "hello world");
  CHECK(p.report.skipped == 1);   // a timestamp without a tag is a damaged journal line
  REQUIRE(p.report.first_skips.size() == 1);
  CHECK(p.report.first_skips[0].reason.find("tag") != std::string::npos);
  CHECK(p.report.first_skips[0].line == 2);
}

TEST_CASE("short: binary garbage does not crash") {
  std::string junk;
  for (int i = 0; i < 4096; ++i) junk.push_back(static_cast<char>((i * 131 + 7) % 256));
  const auto p = parse_with(shortp(), junk + "\nNov 23 07:57:41 h a[1]: \xff\xfe\0x\n");
  CHECK(p.report.fatal.empty());
  CHECK(p.report.entries >= 1);
}

// ---- probes -------------------------------------------------------------------------------

TEST_CASE("short probe: takes the short family, refuses dmesg, verbose and cat") {
  const auto& f = shortp();
  CHECK(f.probe(read_testdata("journals/systemd-lab/journal.short-iso.txt").substr(0, 4096)));
  CHECK(f.probe(read_testdata("journals/systemd-lab/journal.short.txt").substr(0, 4096)));
  CHECK(f.probe(read_testdata("journals/v252-samples/journalctl-v252.with-unit.txt")));
  CHECK(f.probe(read_testdata("journals/v252-samples/journalctl-v252.short-monotonic.txt")));
  CHECK(f.probe("```\n$ journalctl -u app\nNov 23 07:57:41 h systemd[1]: x\n```\n"));
  CHECK_FALSE(f.probe(read_testdata("kernel/systemd-lab/host-dmesg.txt").substr(0, 4096)));
  CHECK_FALSE(f.probe(read_testdata("kernel/oom-bun/dmesg.txt").substr(0, 4096)));
  CHECK_FALSE(f.probe(read_testdata("journals/systemd-lab/journal.verbose.txt").substr(0, 4096)));
  CHECK_FALSE(f.probe(read_testdata("journals/systemd-lab/journal.cat.txt").substr(0, 4096)));
  CHECK_FALSE(f.probe(""));
}

TEST_CASE("format detection on the real files") {
  struct Case {
    const char* path;
    const char* format;
  } cases[] = {
      {"journals/systemd-lab/journal.short.txt", "short"},
      {"journals/systemd-lab/journal.short-iso.txt", "short"},
      {"journals/systemd-lab/journal.short-iso-precise.txt", "short"},
      {"journals/systemd-lab/journal.verbose.txt", "verbose"},
      {"journals/systemd-lab/journal.cat.txt", "cat"},
      {"journals/coredump/journal.short-iso-precise.txt", "short"},
      {"journals/coredump/coredump-entries.verbose.txt", "verbose"},
      {"journals/v252-samples/journalctl-v252.short-monotonic.txt", "short"},
      {"kernel/systemd-lab/host-dmesg.txt", "kernel"},
      {"kernel/oom-node/dmesg.txt", "kernel"},
      {"kernel/oom-node/dmesg-x.txt", "kernel"},
      {"kernel/oom-node/kmsg.txt", "kernel"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.path);
    const std::string head = read_testdata(c.path).substr(0, 4096);
    const auto* f = input::detect_format(head);
    REQUIRE(f != nullptr);
    CHECK(f->name() == c.format);
  }
}

// ---- -o cat -------------------------------------------------------------------------------

TEST_CASE("cat: one message per line, nothing else, and a note saying so") {
  const auto truth = export_events("journals/systemd-lab/journal.export");
  const auto p = parse_with(input::cat_format(), read_testdata("journals/systemd-lab/journal.cat.txt"));
  REQUIRE(p.events.size() == truth.size());  // the lab journal has no multi-line messages
  for (size_t i = 0; i < truth.size(); i += 11) {
    CAPTURE(i);
    CHECK(p.events[i].message == truth[i].message);
    CHECK_FALSE(p.events[i].time);
    CHECK_FALSE(p.events[i].pid);
    CHECK(p.events[i].identifier.empty());
    CHECK(p.events[i].origin.line == i + 1);
  }
  CHECK(has_note_containing(p.report, "no timestamps, PIDs or units"));
  CHECK_FALSE(p.report.first_time);
}

TEST_CASE("cat: blank lines are not events, CR is dropped, overlong lines are skipped") {
  auto o = utc_options();
  o.max_line = 100;
  const auto p = parse_with(input::cat_format(), "one\r\n\n   \n" + std::string(500, 'z') + "\ntwo", o);
  REQUIRE(p.events.size() == 2);
  CHECK(p.events[0].message == "one");
  CHECK(p.events[1].message == "two");
  CHECK(p.report.skipped == 1);
}

TEST_CASE("cat probe: any text, never binary") {
  CHECK(input::cat_format().probe("Started app.service - My App.\n"));
  CHECK(input::cat_format().probe(read_testdata("journals/v252-samples/journalctl-v252.cat.txt")));
  CHECK_FALSE(input::cat_format().probe(std::string("ELF\0\0\0\x01\x02", 8)));
}

TEST_CASE("short: a systemd line pasted without its timestamp keeps its tag, not a time") {
  const auto p = parse_with(shortp(), "systemd[1]: app.service: Main process exited, code=dumped, status=6/ABRT\n");
  REQUIRE(p.events.size() == 1);
  CHECK(p.events[0].identifier == "systemd");
  CHECK(p.events[0].pid == 1);
  CHECK_FALSE(p.events[0].time);
  CHECK(p.events[0].message == "app.service: Main process exited, code=dumped, status=6/ABRT");
}

TEST_CASE("short: systemctl status states the year and zone of its yearless journal tail") {
  const auto p = parse_with(shortp(),
                            "\xc3\x97 app.service - My App\n"
                            "     Active: failed (Result: exit-code) since Tue 2023-05-02 10:11:12 CEST; 2min ago\n"
                            "May 02 10:11:12 web1 systemd[1]: app.service: Main process exited, code=exited, status=1/FAILURE\n");
  REQUIRE(p.events.size() == 1);
  CHECK(p.events[0].time == utc(2023, 5, 2, 8, 11, 12));  // CEST = UTC+2
  CHECK(has_note_containing(p.report, "CEST"));
}
