// RecentExits (watch): a record that arrives after an exit left updates that exit, and only
// the exit of the process it names.
#include <doctest/doctest.h>

#include "crashsift/classify/exit_updates.hpp"

using namespace crashsift;
using namespace crashsift::classify;

namespace {

const UsecUtc t0 = 1790000000000000;

Exit dumped(std::int64_t pid, UsecUtc at) {
  Exit x;
  x.unit = "a.service";
  x.pid = pid;
  x.pid_source = "journal";
  x.exited_at = at;
  x.exit_kind = "dumped";
  x.signal = "SEGV";
  x.signal_number = 11;
  x.evidence.push_back({"exit-record", "a.service: Main process exited, code=dumped, status=11/SEGV", {}, at});
  return x;
}

CoredumpRecord core_of(std::int64_t pid, UsecUtc at) {
  CoredumpRecord c;
  c.time = at;
  c.pid = pid;
  c.unit = "a.service";
  c.text = "Process " + std::to_string(pid) + " (app) of user 0 dumped core.";
  c.filename = "/var/lib/systemd/coredump/core." + std::to_string(pid);
  return c;
}

}  // namespace

TEST_CASE("late records: a core of the next instance of a crash-looping unit updates that exit only") {
  RecentExits recent(600 * usec_per_sec, 16);
  recent.keep(dumped(101, t0), {});
  recent.keep(dumped(102, t0 + 2 * usec_per_sec), {});
  std::vector<KernelRecord> kernel;
  std::vector<CoredumpRecord> cores{core_of(102, t0 + 2 * usec_per_sec)};
  std::vector<Exit> updated;
  recent.join_late(kernel, cores, false, updated);
  REQUIRE(updated.size() == 1);
  CHECK(*updated[0].pid == 102);
  CHECK(updated[0].coredump_filename == "/var/lib/systemd/coredump/core.102");
  CHECK(updated[0].cls == ExitClass::segfault);
  CHECK(cores[0].used);
  // The same record does not update it twice; nothing new, no update.
  updated.clear();
  recent.join_late(kernel, cores, false, updated);
  CHECK(updated.empty());
}

TEST_CASE("late records: an exit older than the update window is no longer kept") {
  RecentExits recent(60 * usec_per_sec, 16);
  recent.keep(dumped(101, t0), {});
  recent.forget_before(t0 + 61 * usec_per_sec);
  CHECK(recent.empty());
  std::vector<KernelRecord> kernel;
  std::vector<CoredumpRecord> cores{core_of(101, t0)};
  std::vector<Exit> updated;
  recent.join_late(kernel, cores, false, updated);
  CHECK(updated.empty());
  CHECK_FALSE(cores[0].used);
}
