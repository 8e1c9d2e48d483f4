// Memory bound of the sample series: beyond the cap, samples outside the windows before exits are
// decimated, while the windows, lifetime boundaries and the last sample stay exact.
#include <doctest/doctest.h>

#include "crashsift/correlate/sample_series.hpp"

using namespace crashsift;
using namespace crashsift::correlate;

namespace {
input::AppRecord rec(UsecUtc t, std::uint64_t rss, std::int64_t pid, std::int32_t active) {
  input::AppRecord r;
  r.time = t;
  r.rss_bytes = rss;
  r.pid = pid;
  r.activity.push_back({"activeConversations", active});
  return r;
}
}  // namespace

TEST_CASE("a capped series stays bounded, keeps exit windows, boundaries and the last sample exactly") {
  SampleSeries s;
  const UsecUtc sec = usec_per_sec;
  const UsecUtc exit_at = 50000 * sec;
  s.set_retention(1000, {{exit_at - 600 * sec, exit_at + 5 * sec}});
  for (std::int64_t i = 0; i < 100000; ++i) {
    const std::int64_t pid = i < 70000 ? 100 : 200;  // a restart at sample 70000
    s.add(rec(i * sec, 1000 + static_cast<std::uint64_t>(i), pid, static_cast<std::int32_t>(i % 7)));
  }
  s.sort();
  CHECK(s.decimation() > 1);
  CHECK(s.size() < 3000);  // cap + the 606-second window + boundaries, not 100000
  // Every sample of the exit window is there, with its activity count intact.
  size_t in_window = 0;
  for (const auto& smp : s.samples())
    if (smp.time >= exit_at - 600 * sec && smp.time <= exit_at + 5 * sec) {
      ++in_window;
      REQUIRE(s.activity(smp).size() == 1);
      CHECK(s.activity(smp)[0].value == static_cast<std::int32_t>((smp.time / sec) % 7));
    }
  CHECK(in_window == 606);
  // The last sample before the exit is exact.
  auto last = s.last_at_or_before(exit_at);
  REQUIRE(last);
  CHECK(s.samples()[*last].time == exit_at);
  // Both sides of the PID change and the very last sample are kept.
  bool before = false, after = false;
  for (const auto& smp : s.samples()) {
    before |= smp.time == 69999 * sec && smp.pid == 100;
    after |= smp.time == 70000 * sec && smp.pid == 200;
  }
  CHECK(before);
  CHECK(after);
  CHECK(s.samples().back().time == 99999 * sec);
}

TEST_CASE("without a cap every sample is kept") {
  SampleSeries s;
  s.set_retention(0, {});
  for (int i = 0; i < 5000; ++i) s.add(rec(i * usec_per_sec, 1, 1, 0));
  s.sort();
  CHECK(s.size() == 5000);
  CHECK(s.decimation() == 1);
}

TEST_CASE("a followed series forgets its old samples, and the activity of the rest stays theirs") {
  SampleSeries s;
  const UsecUtc sec = usec_per_sec;
  for (std::int64_t i = 0; i < 100; ++i) s.add(rec(i * sec, 1000 + static_cast<std::uint64_t>(i), 100, static_cast<std::int32_t>(i)));
  s.drop_before(60 * sec);
  REQUIRE(s.size() == 40);
  CHECK(s.samples().front().time == 60 * sec);
  CHECK(s.samples().front().rss == 1060);
  for (const auto& sample : s.samples()) {
    const auto act = s.activity(sample);
    REQUIRE(act.size() == 1);
    CHECK(act[0].value == static_cast<std::int32_t>(sample.time / sec));
  }
  s.drop_before(0);  // nothing before: nothing goes
  CHECK(s.size() == 40);
}

TEST_CASE("decimation reuses the series' memory, and every kept sample keeps its own activity") {
  SampleSeries s;
  const UsecUtc sec = usec_per_sec;
  s.set_retention(1000, {});
  s.add(rec(0, 1000, 100, 0));
  const Sample* const first_storage = s.samples().data();
  for (std::int64_t i = 1; i < 20000; ++i)
    s.add(rec(i * sec, 1000 + static_cast<std::uint64_t>(i), 100, static_cast<std::int32_t>(i % 1000)));
  CHECK(s.decimation() >= 16);  // many compactions happened...
  CHECK(s.samples().data() == first_storage);  // ...and none moved the series to fresh memory
  s.sort();
  REQUIRE(s.size() > 100);
  for (const auto& smp : s.samples()) {
    const auto act = s.activity(smp);
    REQUIRE(act.size() == 1);
    CHECK(act[0].value == static_cast<std::int32_t>((smp.time / sec) % 1000));
    CHECK(smp.rss == 1000 + smp.time / sec);
  }
}
