// The timeline's "still running" start: only where the listed exits do not show that the
// lifetime ended after all, and only within the selection.
#include <doctest/doctest.h>

#include <string>

#include "crashsift/pipeline/timeline.hpp"

using namespace crashsift;

namespace {

constexpr UsecUtc t0 = 1'800'000'000 * usec_per_sec;

classify::Exit exit_of(std::string unit, std::string boot, UsecUtc at) {
  classify::Exit x;
  x.unit = std::move(unit);
  x.hostname = "web1";
  x.boot_id = std::move(boot);
  x.exited_at = at;
  x.started_at = at - 60 * usec_per_sec;
  return x;
}

size_t running_lines(const report::ExitsReport& r) {
  size_t n = 0;
  for (const auto& e : pipeline::build_timeline(r, 0, std::nullopt, std::nullopt).entries)
    if (e.text == "started; still running when the input ends") ++n;
  return n;
}

}  // namespace

TEST_CASE("timeline: a unit restarted after its last exit is shown running; an exit after the start ends it") {
  report::ExitsReport r;
  r.exits.push_back(exit_of("api.service", "b1", t0));
  r.running.push_back({"api.service", "web1", "b1", "", t0 + 5 * usec_per_sec});
  CHECK(running_lines(r) == 1);
  r.exits.push_back(exit_of("api.service", "b1", t0 + 50 * usec_per_sec));  // a later input's exit
  CHECK(running_lines(r) == 0);
}

TEST_CASE("timeline: no running start for another boot's lifetime, nor after the host booted again") {
  report::ExitsReport selected_boot;  // -b -1: the exits of boot b1 only
  selected_boot.exits.push_back(exit_of("api.service", "b1", t0));
  selected_boot.running.push_back({"api.service", "web1", "b2", "", t0 + 3600 * usec_per_sec});
  CHECK(running_lines(selected_boot) == 0);

  report::ExitsReport rebooted;
  rebooted.exits.push_back(exit_of("api.service", "b1", t0));
  rebooted.exits.push_back(exit_of("cron.service", "b2", t0 + 7200 * usec_per_sec));
  rebooted.running.push_back({"api.service", "web1", "b1", "", t0 + 5 * usec_per_sec});
  CHECK(running_lines(rebooted) == 0);

  report::ExitsReport other_host = rebooted;  // the later boot is another host's
  other_host.exits[1].hostname = "web2";
  CHECK(running_lines(other_host) == 1);
}
