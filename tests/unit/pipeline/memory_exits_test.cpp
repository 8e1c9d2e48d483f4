// `crashsift memory` with journals: which exit ended which app lifetime.
#include <doctest/doctest.h>

#include "crashsift/pipeline/memory_exits.hpp"

using namespace crashsift;

namespace {
constexpr UsecUtc s = usec_per_sec;
constexpr UsecUtc t0 = 1795420661000000;

classify::Exit exit_at(UsecUtc t, std::optional<std::int64_t> pid, classify::ExitClass cls, std::string signal = "") {
  classify::Exit x;
  x.exited_at = t;
  x.pid = pid;
  x.cls = cls;
  x.signal = std::move(signal);
  return x;
}

correlate::MemoryReport one_lifetime(UsecUtc end, std::int64_t pid, std::optional<UsecUtc> next_start) {
  correlate::MemoryReport r;
  correlate::LifetimeMemory m;
  m.life.start = end - 60 * s;
  m.life.end = end;
  m.life.pid = pid;
  m.life.next_start = next_start;
  r.lifetimes.push_back(m);
  return r;
}
}  // namespace

TEST_CASE("memory: a lifetime is tied to its own process's exit before another's at the same moment") {
  std::vector<correlate::MemoryReport> reports{one_lifetime(t0, 41, t0 + 20 * s)};
  const std::vector<classify::Exit> exits{exit_at(t0 + 1 * s, 99, classify::ExitClass::clean),
                                          exit_at(t0 + 2 * s, 41, classify::ExitClass::segfault, "SEGV")};
  pipeline::tie_lifetimes_to_exits(exits, reports, Zone::utc());
  CHECK(reports[0].lifetimes[0].journal_exit.rfind("segfault (SIGSEGV) per the journal at 2026-11-23 07:57:43", 0) == 0);
}

TEST_CASE("memory: without PIDs, the first exit after the last record and before the next lifetime") {
  std::vector<correlate::MemoryReport> reports{one_lifetime(t0, -1, t0 + 20 * s)};
  const std::vector<classify::Exit> exits{exit_at(t0 - 30 * s, std::nullopt, classify::ExitClass::clean),
                                          exit_at(t0 + 3 * s, std::nullopt, classify::ExitClass::oom, "KILL"),
                                          exit_at(t0 + 25 * s, std::nullopt, classify::ExitClass::self_exit)};
  pipeline::tie_lifetimes_to_exits(exits, reports, Zone::utc());
  CHECK(reports[0].lifetimes[0].journal_exit.rfind("oom (SIGKILL)", 0) == 0);
}

TEST_CASE("memory: no exit in reach leaves the lifetime's end unexplained") {
  std::vector<correlate::MemoryReport> reports{one_lifetime(t0, 41, std::nullopt)};
  const std::vector<classify::Exit> exits{exit_at(t0 + 700 * s, 41, classify::ExitClass::clean)};
  pipeline::tie_lifetimes_to_exits(exits, reports, Zone::utc());
  CHECK(reports[0].lifetimes[0].journal_exit.empty());
}
