#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "unit/classify/witnesses/feed.hpp"
#include "crashsift/classify/tracker.hpp"
#include "support/events.hpp"

using namespace crashsift;
using namespace crashsift::classify;
using namespace crashsift::test;

namespace {

std::vector<Witness> status(const std::string& text, Feed how, const std::vector<Event>& after = {}) {
  auto r = make_witness_systemctl_status();
  return feed(*r, text, how, after);
}

const char* oom_block =
    "\xc3\x97 ledger-sync.service - Ledger sync worker\n"
    "     Loaded: loaded (/etc/systemd/system/ledger-sync.service; enabled; preset: enabled)\n"
    "     Active: failed (Result: oom-kill) since Tue 2024-03-05 10:11:14 UTC; 3min 2s ago\n"
    "   Duration: 2h 14min 3.201s\n"
    "    Process: 4182 ExecStart=/usr/bin/node /srv/ledger/index.js (code=killed, signal=KILL)\n"
    "   Main PID: 4182 (code=killed, signal=KILL)\n"
    "        CPU: 41min 12.554s\n"
    "\n"
    "Mar 05 10:11:14 web-03 systemd[1]: ledger-sync.service: Main process exited, code=killed, status=9/KILL\n";

}  // namespace

TEST_CASE("systemctl status: a failed unit's block is one witness of the main process's death") {
  for (Feed how : {Feed::pasted, Feed::cat}) {
    auto got = status(oom_block, how);
    REQUIRE(got.size() == 1);
    const Witness& w = got[0];
    CHECK(w.kind == "systemctl-status");
    CHECK(w.unit == "ledger-sync.service");
    CHECK(w.pid == 4182);
    CHECK(w.exit_kind == "killed");
    CHECK(w.signal == "KILL");
    CHECK_FALSE(w.code);
    CHECK(w.unit_result == "oom-kill");
    CHECK(w.when == WhenKnown::absolute);
    CHECK(w.time == utc(2024, 3, 5, 10, 11, 14));
    REQUIRE(w.lines.size() == 2);
    CHECK(w.lines[0].text == "Main PID: 4182 (code=killed, signal=KILL)");
    CHECK(w.lines[0].origin.line == 6);
  }
}

TEST_CASE("systemctl status: the zone of 'since' is applied; exit codes and auto-restart") {
  const std::string block =
      "\xe2\x97\x8f scraper.service - Price scraper\n"
      "     Loaded: loaded (/etc/systemd/system/scraper.service; enabled; vendor preset: enabled)\n"
      "     Active: activating (auto-restart) (Result: exit-code) since Tue 2023-05-02 10:11:12 CEST; 4s ago\n"
      "    Process: 88120 ExecStart=/opt/scraper/venv/bin/python -m scraper (code=exited, status=1/FAILURE)\n"
      "   Main PID: 88120 (code=exited, status=1/FAILURE)\n";
  auto got = status(block, Feed::pasted);
  REQUIRE(got.size() == 1);
  CHECK(got[0].unit == "scraper.service");
  CHECK(got[0].exit_kind == "exited");
  CHECK(got[0].code == 1);
  CHECK(got[0].signal.empty());
  CHECK(got[0].unit_result == "exit-code");
  CHECK(got[0].time == utc(2023, 5, 2, 8, 11, 12));
}

TEST_CASE("systemctl status: numeric offsets, unknown zones and bare exit statuses") {
  auto numeric = status(
      "\xc3\x97 a.service - A\n     Active: failed (Result: exit-code) since Mon 2022-01-10 08:00:01 +03; 5s ago\n"
      "   Main PID: 51 (code=exited, status=3)\n",
      Feed::cat);
  REQUIRE(numeric.size() == 1);
  CHECK(numeric[0].code == 3);
  CHECK(numeric[0].time == utc(2022, 1, 10, 5, 0, 1));
  auto unknown = status(
      "\xc3\x97 a.service - A\n     Active: failed (Result: exit-code) since Mon 2022-01-10 08:00:01 XYZT; 5s ago\n"
      "   Main PID: 51 (code=exited, status=3)\n",
      Feed::cat);
  REQUIRE(unknown.size() == 1);
  CHECK_FALSE(unknown[0].time);
  CHECK(unknown[0].when == WhenKnown::none);
}

TEST_CASE("systemctl status: a running unit is no death, even with a crash in its tail") {
  const std::string block =
      "\xe2\x97\x8f geo-lookup.service - GeoIP lookup API\n"
      "     Loaded: loaded (/etc/systemd/system/geo-lookup.service; enabled; preset: enabled)\n"
      "     Active: active (running) since Fri 2025-05-09 13:01:47 UTC; 2min 11s ago\n"
      "   Main PID: 40991 (geo-lookup)\n"
      "     CGroup: /system.slice/geo-lookup.service\n"
      "             \xe2\x94\x94\xe2\x94\x80" "40991 /usr/local/bin/geo-lookup --listen :9400\n"
      "May 09 13:01:42 geo-2 geo-lookup[40870]: panic: runtime error: index out of range [4] with length 4\n";
  CHECK(status(block, Feed::pasted).empty());
  CHECK(status(block, Feed::cat).empty());
}

TEST_CASE("systemctl status: inactive (dead) with a clean exit, and several units in one call") {
  const std::string text =
      "\xe2\x97\x8b smtp-relay.service - Local SMTP relay\n"
      "     Active: inactive (dead) since Wed 2024-02-07 11:30:02 UTC; 20min ago\n"
      "   Main PID: 771 (code=exited, status=0/SUCCESS)\n"
      "\xc3\x97 queue-runner.service - Queue runner\n"
      "     Active: failed (Result: signal) since Mon 2022-01-10 08:00:03 UTC; 3s ago\n"
      "   Main PID: 811 (code=dumped, signal=SEGV)\n";
  auto got = status(text, Feed::cat);
  REQUIRE(got.size() == 2);
  CHECK(got[0].unit == "smtp-relay.service");
  CHECK(got[0].code == 0);
  CHECK(got[1].unit == "queue-runner.service");
  CHECK(got[1].exit_kind == "dumped");
  CHECK(got[1].signal == "SEGV");
}

TEST_CASE("systemctl status: 80-column terminal wraps are joined back into their field") {
  const std::string block =
      "\xc3\x97 llm-gateway.service - LLM gateway\n"
      "     Loaded: loaded (/etc/systemd/system/llm-gateway.service; enabled; preset: en\n"
      "abled)\n"
      "     Active: failed (Result: core-dump) since Tue 2025-03-18 22:41:07 UTC; 14min \n"
      "ago\n"
      "   Main PID: 30988 (code=dumped, signal=ABRT)\n"
      "Mar 18 22:41:06 gw-2 llm-gateway[30988]: terminate called after throwing an inst\n";
  for (Feed how : {Feed::pasted, Feed::cat}) {
    auto got = status(block, how);
    REQUIRE(got.size() == 1);
    CHECK(got[0].pid == 30988);
    CHECK(got[0].signal == "ABRT");
    CHECK(got[0].unit_result == "core-dump");
    CHECK(got[0].time == utc(2025, 3, 18, 22, 41, 7));
  }
}

TEST_CASE("systemctl status: terminal colours and OSC 8 links are read through") {
  const std::string block =
      "\x1b[0;1;31m\xe2\x97\x8f\x1b[0m api-segv.service - Image resizer\r\n"
      "     Loaded: loaded (\x1b]8;;file://h/etc/x\a/etc/x\x1b]8;;\a; enabled)\r\n"
      "     Active: \x1b[0;1;31mfailed\x1b[0m (Result: core-dump) since Sun 2026-12-06 03:04:16 UTC; 12s ago\r\n"
      "   Main PID: 40 (code=dumped, signal=SEGV)\r\n";
  auto got = status(block, Feed::cat);
  REQUIRE(got.size() == 1);
  CHECK(got[0].unit == "api-segv.service");
  CHECK(got[0].pid == 40);
  CHECK(got[0].unit_result == "core-dump");
  CHECK(got[0].time == utc(2026, 12, 6, 3, 4, 16));
}

TEST_CASE("systemctl status: a journal record after the header closes the block; the header alone is enough") {
  const std::string header =
      "\xe2\x97\x8f camstream.service - Camera stream relay\n"
      "     Active: failed (Result: watchdog) since Fri 2022-01-14 22:47:03 PST; 11h ago\n"
      "   Main PID: 1021 (code=dumped, signal=ABRT)\n";
  auto got = status(header, Feed::pasted, {pid1(t0, "camstream.service: Failed with result 'watchdog'.")});
  REQUIRE(got.size() == 1);
  CHECK(got[0].unit_result == "watchdog");
  CHECK(got[0].time == utc(2022, 1, 15, 6, 47, 3));
}

TEST_CASE("systemctl status: without a Main PID line the ExecStart process stands in; no death, no witness") {
  auto exec_only = status(
      "\xc3\x97 job.service - Job\n     Active: failed (Result: exit-code) since Mon 2022-01-10 08:00:01 UTC; 5s ago\n"
      "    Process: 77 ExecStartPre=/bin/true (code=exited, status=0/SUCCESS)\n"
      "    Process: 78 ExecStart=/usr/bin/job (code=exited, status=2/INVALIDARGUMENT)\n",
      Feed::pasted);
  REQUIRE(exec_only.size() == 1);
  CHECK(exec_only[0].pid == 78);
  CHECK(exec_only[0].code == 2);
  CHECK(status("\xc3\x97 x.service - X\n     Active: failed (Result: start-limit-hit) since Mon 2022-01-10 08:00:01 UTC\n",
               Feed::cat)
            .empty());
  CHECK(status("Active: is a word people write\nMain PID: none\n", Feed::cat).empty());
}

TEST_CASE("systemctl status: every real capture of a dead unit gives one witness with its Main PID") {
  const std::string dir = std::string(CRASHSIFT_TESTDATA) + "/captures/systemctl-status/";
  struct Case { const char* file; std::int64_t pid; const char* sig; int code; };
  for (const Case& c : {Case{"api-oom.status.txt", 35, "KILL", -1}, Case{"api-segv.status-tty120-color.txt", 40, "SEGV", -1},
                        Case{"api-restart.status.txt", 51, "", 3}, Case{"api-oneshot-ok.status-tty80.txt", 34, "", 0}}) {
    CAPTURE(c.file);
    std::ifstream in(dir + c.file);
    REQUIRE(in);
    std::stringstream ss;
    ss << in.rdbuf();
    auto got = status(ss.str(), Feed::cat);
    REQUIRE(got.size() == 1);
    CHECK(got[0].pid == c.pid);
    CHECK(got[0].signal == c.sig);
    if (c.code >= 0) CHECK(got[0].code == c.code);
    CHECK(got[0].when == WhenKnown::absolute);
  }
  std::ifstream healthy(dir + "api-healthy.status.txt");
  std::stringstream hs;
  hs << healthy.rdbuf();
  CHECK(status(hs.str(), Feed::cat).empty());
}

TEST_CASE("systemctl status: through the tracker, the header joins the exit its journal tail records") {
  ExitTracker t;
  t.begin_input(0, true);
  const UsecUtc at = utc(2024, 3, 5, 10, 11, 14);
  std::istringstream in(oom_block);
  std::string line;
  std::uint64_t n = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line.rfind("Mar 05", 0) == 0) continue;
    t.on_event(text_event(line, Feed::pasted, ++n));
  }
  t.on_event(pid1(at, "ledger-sync.service: Main process exited, code=killed, status=9/KILL", ""));
  t.on_event(pid1(at, "ledger-sync.service: Failed with result 'oom-kill'.", ""));
  t.end_input();
  auto c = t.finish();
  REQUIRE(c.exits.size() == 1);
  const Exit& x = c.exits[0];
  CHECK(x.unit == "ledger-sync.service");
  CHECK(x.pid == 4182);
  CHECK(x.cls == ExitClass::oom);
  bool joined = false;
  for (const auto& w : x.witnesses) joined = joined || w.kind == "systemctl-status";
  CHECK(joined);
}
