// The streaming core of `crashsift watch` (ExitsQuery::live) on a recorded stream: a FIFO
// written in two parts with a quiet spell between them. The deaths of the first part must be
// written during the quiet spell, not when the stream ends; every death once; the same exits
// as reading the whole text as a file. The monotonic clock is the test's, so no test waits
// for real minutes to pass.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "crashsift/pipeline/exits_run.hpp"
#include "crashsift/report/exits_report.hpp"

using namespace crashsift;

namespace {

constexpr std::int64_t t0 = 1790000000000000;  // 2026-09-21, any fixed time
constexpr std::int64_t minute = 60 * usec_per_sec;

// Entries of one death: a start, output, the exit record and the result line (and for a
// segfault the kernel's line), all within a second of `at`.
std::string death(std::int64_t at, const std::string& unit, int pid, const std::string& how) {
  std::ostringstream o;
  const std::string boot = "5c1f0e2d3b4a69788796a5b4c3d2e1f0";
  auto entry = [&](std::int64_t t, const std::vector<std::pair<std::string, std::string>>& fields) {
    o << "__REALTIME_TIMESTAMP=" << t << "\n__MONOTONIC_TIMESTAMP=" << t - 1789000000000000 << "\n_BOOT_ID=" << boot
      << "\n_HOSTNAME=h1\n";
    for (const auto& [k, v] : fields) o << k << "=" << v << "\n";
    o << "\n";
  };
  auto pid1 = [&](std::int64_t t, const std::string& message) {
    entry(t, {{"_PID", "1"}, {"SYSLOG_IDENTIFIER", "systemd"}, {"_TRANSPORT", "journal"}, {"UNIT", unit},
              {"MESSAGE", message}});
  };
  pid1(at - 900000, "Started " + unit + ".");
  entry(at - 500000, {{"_PID", std::to_string(pid)}, {"SYSLOG_IDENTIFIER", "app"}, {"_TRANSPORT", "stdout"},
                      {"_SYSTEMD_UNIT", unit}, {"MESSAGE", "fatal: cannot open /etc/app.conf: No such file or directory"}});
  if (how == "segv") {
    entry(at - 1000, {{"_TRANSPORT", "kernel"}, {"SYSLOG_IDENTIFIER", "kernel"},
                      {"MESSAGE", "app[" + std::to_string(pid) + "]: segfault at 8 ip 000055d0c2a1b2c3 sp 00007ffd4e5f6a70 "
                                  "error 4 in app[55d0c2a00000+40000]"}});
    pid1(at, unit + ": Main process exited, code=killed, status=11/SEGV");
    pid1(at + 100, unit + ": Failed with result 'signal'.");
  } else if (how == "exit") {
    pid1(at, unit + ": Main process exited, code=exited, status=1/FAILURE");
    pid1(at + 100, unit + ": Failed with result 'exit-code'.");
  } else {
    pid1(at, unit + ": Deactivated successfully.");
  }
  return o.str();
}

std::string summary_of(const std::vector<classify::Exit>& exits) {
  std::string s;
  for (const auto& x : exits) s += x.unit + ":" + std::string(classify::to_string(x.cls)) + " ";
  return s;
}

}  // namespace

TEST_CASE("watch: deaths are written while the stream is quiet, once each, as a whole read has them") {
  const std::string part1 = death(t0, "a.service", 101, "exit") + death(t0 + 10 * minute, "b.service", 202, "segv");
  const std::string part2 = death(t0 + 20 * minute, "c.service", 303, "clean");
  char dir[] = "/tmp/crashsift-watch-XXXXXX";
  REQUIRE(mkdtemp(dir));
  const std::string fifo = std::string(dir) + "/stream", file = std::string(dir) + "/stream.export";
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  std::ofstream(file) << part1 << part2;

  std::atomic<std::int64_t> passed{0};  // what the test's clock adds to the real one
  std::mutex m;
  std::condition_variable cv;
  std::string written;        // units and classes, in the order they were written
  std::string before_part2;   // what was written before the second part was sent

  pipeline::ExitsQuery q;
  q.inputs = {fifo};
  q.parse.zone = Zone::utc();
  q.live = pipeline::ExitsQuery::Live{};
  q.live->settle = 5 * usec_per_sec;
  q.live->idle_ms = 20;
  q.live->steady_usec = [&] {
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now().time_since_epoch())
               .count() +
           passed.load();
  };
  q.on_final_exits = [&](std::vector<classify::Exit>& exits, const auto&, const auto&, const auto&) {
    std::lock_guard<std::mutex> lock(m);
    written += summary_of(exits);
    cv.notify_all();
  };
  std::thread writer([&] {
    const int fd = ::open(fifo.c_str(), O_WRONLY);
    if (fd < 0) return;
    (void)!::write(fd, part1.data(), part1.size());
    {
      // Nothing more is sent while the test's clock moves on, a minute every 20 ms, until the
      // two deaths are written (or 20 s of real time).
      std::unique_lock<std::mutex> lock(m);
      for (int i = 0; i < 1000 && written.size() < std::string("a.service:self-exit b.service:segfault ").size(); ++i) {
        passed += minute;
        cv.wait_for(lock, std::chrono::milliseconds(20));
      }
      before_part2 = written;
    }
    (void)!::write(fd, part2.data(), part2.size());
    ::close(fd);
  });
  const report::ExitsReport live = pipeline::run_exits(q);
  writer.join();

  CHECK(before_part2 == "a.service:self-exit b.service:segfault ");
  // The last death is within its settle window when the stream ends: it comes with the end.
  CHECK(written == "a.service:self-exit b.service:segfault ");
  CHECK(live.streamed_exits == 2);
  CHECK(summary_of(live.exits) == "c.service:clean ");
  CHECK(live.warnings.empty());  // in time order: nothing flagged out of order

  // The same exits as the whole text read as a file: every field but where they were read.
  pipeline::ExitsQuery whole_q;
  whole_q.inputs = {file};
  whole_q.parse.zone = Zone::utc();
  const report::ExitsReport whole = pipeline::run_exits(whole_q);
  REQUIRE(whole.exits.size() == 3);
  // The live read again, from the file, keeping what it hands on (the first run wrote it out).
  std::vector<classify::Exit> kept;
  q.inputs = {file};
  q.on_final_exits = [&](std::vector<classify::Exit>& exits, const auto&, const auto&, const auto&) {
    for (auto& x : exits) kept.push_back(std::move(x));
  };
  const report::ExitsReport again = pipeline::run_exits(q);
  std::vector<classify::Exit> all = std::move(kept);
  for (const auto& x : again.exits) all.push_back(x);
  REQUIRE(all.size() == 3);
  for (size_t i = 0; i < 3; ++i) {
    CAPTURE(i);
    CHECK(all[i].unit == whole.exits[i].unit);
    CHECK(all[i].pid == whole.exits[i].pid);
    CHECK(all[i].cls == whole.exits[i].cls);
    CHECK(all[i].cause == whole.exits[i].cause);
    CHECK(all[i].reason == whole.exits[i].reason);
    CHECK(all[i].evidence.size() == whole.exits[i].evidence.size());
    CHECK(classify::exit_id(all[i]) == classify::exit_id(whole.exits[i]));
  }
  std::remove(fifo.c_str());
  std::remove(file.c_str());
  ::rmdir(dir);
}
