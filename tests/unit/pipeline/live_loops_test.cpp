// LiveLoops: a unit's failures within the last window, as `watch` says them.
#include <doctest/doctest.h>

#include "crashsift/pipeline/live_loops.hpp"

using namespace crashsift;
using crashsift::pipeline::LiveLoops;

namespace {

classify::Exit failure(const std::string& unit, UsecUtc at, classify::ExitClass cls = classify::ExitClass::oom,
                       const std::string& cause = "kernel-oom-kill") {
  classify::Exit x;
  x.unit = unit;
  x.exited_at = at;
  x.cls = cls;
  x.cause = cause;
  return x;
}

constexpr UsecUtc minute = 60 * usec_per_sec;

}  // namespace

TEST_CASE("live loops: the nth failure of a unit within ten minutes, and whether they are alike") {
  LiveLoops loops;
  const UsecUtc t = 1790000000000000;
  CHECK(loops.note(failure("orders.service", t))->failures == 1);
  CHECK(loops.note(failure("billing.service", t + minute))->failures == 1);  // another unit
  auto s = loops.note(failure("orders.service", t + 4 * minute));
  CHECK(s->failures == 2);
  s = loops.note(failure("orders.service", t + 9 * minute));
  REQUIRE(s);
  CHECK(s->failures == 3);
  CHECK(s->same_kind);
  CHECK(pipeline::describe_streak("orders.service", *s) == "3rd failure of orders.service in 10 min, all oom/kernel-oom-kill");
  // Eleven minutes after the first: it has left the window.
  s = loops.note(failure("orders.service", t + 11 * minute, classify::ExitClass::segfault, "segv"));
  CHECK(s->failures == 3);
  CHECK_FALSE(s->same_kind);
  CHECK(pipeline::describe_streak("orders.service", *s) == "3rd failure of orders.service in 10 min");
}

TEST_CASE("live loops: clean exits, exits without a unit or a time are no failures") {
  LiveLoops loops;
  CHECK_FALSE(loops.note(failure("a.service", 1790000000000000, classify::ExitClass::clean, "deactivated")));
  CHECK_FALSE(loops.note(failure("", 1790000000000000)));
  classify::Exit untimed = failure("a.service", 0);
  untimed.exited_at.reset();
  CHECK_FALSE(loops.note(untimed));
}

TEST_CASE("live loops: the 2nd, 3rd, 5th, 10th, 50th, 100th ... failure are worth a line") {
  std::string said;
  for (size_t n = 1; n <= 1000; ++n) {
    pipeline::LoopStreak s;
    s.failures = n;
    if (pipeline::streak_worth_saying(s)) said += std::to_string(n) + " ";
  }
  CHECK(said == "2 3 5 10 50 100 500 1000 ");
}

TEST_CASE("live loops: ordinals") {
  LiveLoops loops(3600 * usec_per_sec);
  const UsecUtc t = 1790000000000000;
  std::string said;
  for (int i = 0; i < 23; ++i) said = pipeline::describe_streak("u", *loops.note(failure("u", t + i * usec_per_sec)));
  CHECK(said == "23rd failure of u in 60 min, all oom/kernel-oom-kill");
  LiveLoops more(3600 * usec_per_sec);
  for (int i = 0; i < 12; ++i) said = pipeline::describe_streak("u", *more.note(failure("u", t + i * usec_per_sec)));
  CHECK(said == "12th failure of u in 60 min, all oom/kernel-oom-kill");
}
