// The --state file of `crashsift watch`: read back as written, old ids forgotten, the replay of
// the longest settle kept.
#include <doctest/doctest.h>

#include <cstdio>
#include <fstream>
#include <unistd.h>

#include "crashsift/pipeline/watch_state.hpp"

using namespace crashsift;

namespace {

classify::Exit exit_at(UsecUtc t, std::int64_t pid) {
  classify::Exit x;
  x.unit = "a.service";
  x.hostname = "h1";
  x.pid = pid;
  x.exited_at = t;
  return x;
}

std::string temp_path() {
  char name[] = "/tmp/crashsift-state-XXXXXX";
  const int fd = mkstemp(name);
  REQUIRE(fd >= 0);
  close(fd);
  std::remove(name);
  return name;
}

}  // namespace

TEST_CASE("watch state: a missing file is a first start; what is saved loads back") {
  const std::string path = temp_path();
  pipeline::WatchState first;
  CHECK(first.load(path).empty());
  CHECK_FALSE(first.position());
  const UsecUtc t = 1790000000000000;
  first.note_written(exit_at(t, 1));
  first.set_position({t + 5 * usec_per_sec, "s=abc;i=4"}, pipeline::watch_replay_span(10 * usec_per_sec));
  REQUIRE(first.save(path).empty());

  pipeline::WatchState again;
  REQUIRE(again.load(path).empty());
  REQUIRE(again.position());
  CHECK(again.position()->time == t + 5 * usec_per_sec);
  CHECK(again.position()->cursor == "s=abc;i=4");
  CHECK(again.written(exit_at(t, 1)));
  CHECK_FALSE(again.written(exit_at(t, 2)));
  // A restart with a shorter settle still reads back as far as the longer one needs.
  const auto from = again.resume_point(pipeline::watch_replay_span(1 * usec_per_sec));
  REQUIRE(from);
  CHECK(from->time == t + 5 * usec_per_sec - pipeline::watch_replay_span(10 * usec_per_sec));
  std::remove(path.c_str());
}

TEST_CASE("watch state: ids of exits older than any resume point are forgotten") {
  pipeline::WatchState s;
  const UsecUtc t = 1790000000000000;
  s.note_written(exit_at(t, 1));
  s.note_written(exit_at(t + 3600 * usec_per_sec, 2));
  s.set_position({t + 3600 * usec_per_sec, ""}, pipeline::watch_replay_span(10 * usec_per_sec));
  CHECK_FALSE(s.written(exit_at(t, 1)));
  CHECK(s.written(exit_at(t + 3600 * usec_per_sec, 2)));
  CHECK(s.remembered() == 1);
}

TEST_CASE("watch state: a file that is not a watch state is refused") {
  const std::string path = temp_path();
  std::ofstream(path) << "{\"schema\":\"crashsift/exit/1\"}";
  pipeline::WatchState s;
  CHECK(s.load(path).find("not a crashsift watch state") != std::string::npos);
  std::remove(path.c_str());
}
