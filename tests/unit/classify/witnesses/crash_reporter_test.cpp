#include <doctest/doctest.h>

#include "unit/classify/witnesses/feed.hpp"

using namespace crashsift;
using namespace crashsift::classify;
using namespace crashsift::test;

namespace crashsift::classify {
std::unique_ptr<WitnessRecognizer> make_witness_crash_reporter();
}

namespace {

std::vector<Witness> reporter(const std::string& text, Feed how = Feed::cat, const std::vector<Event>& after = {}) {
  auto r = make_witness_crash_reporter();
  return feed(*r, text, how, after);
}

Event record(std::string ident, std::string msg, UsecUtc t, bool kernel = false) {
  Event e;
  e.time = t;
  e.identifier = std::move(ident);
  e.pid = 1460;
  e.kernel = kernel;
  e.message = std::move(msg);
  return e;
}

}  // namespace

TEST_CASE("audit ANOM_ABEND: pid, comm, exe, signal and the record's own epoch") {
  auto w = reporter(
      "# ausearch -m ANOM_ABEND --start today\n----\ntime->Thu Jun 13 05:08:11 2024\n"
      "type=ANOM_ABEND msg=audit(1718255291.541:227013): auid=4294967295 uid=998 gid=998 ses=4294967295 "
      "subj=system_u:system_r:unconfined_service_t:s0 pid=44120 comm=\"mqbroker\" exe=\"/opt/mq/bin/mqbroker\" sig=6 res=1\n");
  REQUIRE(w.size() == 1);
  CHECK(w[0].kind == "audit-anom-abend");
  CHECK(w[0].pid == 44120);
  CHECK(w[0].comm == "mqbroker");
  CHECK(w[0].exe == "/opt/mq/bin/mqbroker");
  CHECK(w[0].signal == "ABRT");
  CHECK(w[0].when == WhenKnown::absolute);
  CHECK(w[0].time == utc(2024, 6, 13, 5, 8, 11) + 541000);
}

TEST_CASE("audit: the kernel's printk of record 1701") {
  auto w = reporter("", Feed::cat,
                    {record("kernel",
                            "audit: type=1701 audit(1722340841.203:812): auid=4294967295 uid=33 gid=33 ses=4294967295 "
                            "subj=unconfined pid=95382 comm=\"apache2\" exe=\"/usr/sbin/apache2\" sig=11 res=1",
                            utc(2024, 7, 30, 12, 0, 41), true)});
  REQUIRE(w.size() == 1);
  CHECK(w[0].pid == 95382);
  CHECK(w[0].signal == "SEGV");
  CHECK(*w[0].time / usec_per_sec == utc(2024, 7, 30, 12, 0, 41) / usec_per_sec);
  CHECK(reporter("type=SYSCALL msg=audit(1722340841.203:812): arch=c000003e syscall=59 pid=1 comm=\"x\"\n").empty());
}

TEST_CASE("earlyoom: the process it signalled, with the signal") {
  const UsecUtc t = utc(2022, 3, 27, 19, 46, 6);
  auto w = reporter("", Feed::cat,
                    {record("earlyoom", "low memory! at or below SIGTERM limits: mem  4.00%, swap 10.00%", t),
                     record("earlyoom", "sending SIGTERM to process 57834 uid 1000 \"code\": badness 866, VmRSS 5122 MiB", t),
                     record("earlyoom", "process exited after 0.3 seconds", t)});
  REQUIRE(w.size() == 1);
  CHECK(w[0].kind == "earlyoom-kill");
  CHECK(w[0].pid == 57834);
  CHECK(w[0].comm == "code");
  CHECK(w[0].signal == "TERM");
  CHECK(w[0].oom == OomKind::none);  // a userspace killer: neither kernel OOM nor oomd
  CHECK(w[0].time == t);
  // Its start-up banner names signals without a process.
  CHECK(reporter("", Feed::cat, {record("earlyoom", "sending SIGTERM when mem <=  4.00% and swap <= 10.00%,", t)}).empty());
}

TEST_CASE("apport: the called-for line, named by the executable line after it") {
  auto w = reporter(
      "$ sudo tail -3 /var/log/apport.log\n"
      "ERROR: apport (pid 7331) Thu Feb  1 09:12:44 2024: called for pid 7210, signal 11, core limit 0, dump mode 1\n"
      "ERROR: apport (pid 7331) Thu Feb  1 09:12:44 2024: executable: /usr/bin/imgconv (command line \"/usr/bin/imgconv --batch /srv/in\")\n"
      "ERROR: apport (pid 7331) Thu Feb  1 09:12:45 2024: wrote report /var/crash/_usr_bin_imgconv.1000.crash\n");
  REQUIRE(w.size() == 1);
  CHECK(w[0].pid == 7210);
  CHECK(w[0].signal == "SEGV");
  CHECK(w[0].comm == "imgconv");
  CHECK(w[0].exe == "/usr/bin/imgconv");
  CHECK(w[0].lines.size() == 2);
  REQUIRE(w[0].time);
}

TEST_CASE("ABRT: abrt-hook-ccpp's line") {
  const UsecUtc t = utc(2019, 6, 11, 11, 31, 59);
  auto w = reporter("", Feed::cat,
                    {record("abrt-hook-ccpp", "Process 361013 (vim) of user 500 killed by SIGSEGV - dumping core", t),
                     record("abrt-hook-ccpp", "Failed to create core_backtrace: dwfl_linux_proc_report failed: no error", t),
                     record("abrt-hook-ccpp", "Process 3245 (beaver_master) of user 500 killed by SIGABRT - dumping core", t)});
  REQUIRE(w.size() == 2);
  CHECK(w[0].pid == 361013);
  CHECK(w[0].comm == "vim");
  CHECK(w[0].signal == "SEGV");
  CHECK(w[0].exit_kind == "dumped");
  CHECK(w[0].time == t);
  CHECK(w[1].signal == "ABRT");
  CHECK(reporter("Process 9190 (crashlab) of user 0 dumped core.\n").empty());  // systemd-coredump's
}
