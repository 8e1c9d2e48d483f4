// ExitHooks: a command per exit that never holds the watch up (crashsift-watch(1), --exec).
#include <doctest/doctest.h>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "crashsift/pipeline/exit_hooks.hpp"

using crashsift::pipeline::ExitHooks;
using crashsift::pipeline::HookJob;
using crashsift::pipeline::HookOptions;

namespace {

HookJob job(const std::string& id, std::string json = "") {
  if (json.empty()) json = "{\"id\":\"" + id + "\",\"class\":\"oom\"}\n";
  return HookJob{json, {{"CRASHSIFT_EXIT_ID", id}, {"CRASHSIFT_UNIT", "orders.service"}, {"CRASHSIFT_CLASS", "oom"}}};
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("exit hooks: each run gets the exit's JSON on stdin and its facts in the environment") {
  const auto dir = std::filesystem::temp_directory_path() / ("crashsift-hooks-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  HookOptions o;
  o.command = "cat > '" + dir.string() + "'/\"$CRASHSIFT_EXIT_ID\".json; echo \"$CRASHSIFT_UNIT $CRASHSIFT_CLASS\" > '" +
              dir.string() + "'/\"$CRASHSIFT_EXIT_ID\".env";
  ExitHooks hooks(o);
  for (const char* id : {"a1", "b2", "c3"}) CHECK(hooks.submit(job(id)));
  const auto stats = hooks.finish();
  CHECK(stats.started == 3);
  CHECK(stats.succeeded == 3);
  CHECK(stats.failed == 0);
  CHECK(read_file((dir / "b2.json").string()) == "{\"id\":\"b2\",\"class\":\"oom\"}\n");
  CHECK(read_file((dir / "c3.env").string()) == "orders.service oom\n");
  std::filesystem::remove_all(dir);
}

TEST_CASE("exit hooks: a failing hook is counted and said, with its status") {
  HookOptions o;
  o.command = "exit 3";
  ExitHooks hooks(o);
  hooks.submit(job("f1"));
  const auto stats = hooks.finish();
  CHECK(stats.failed == 1);
  const auto messages = hooks.take_messages();
  REQUIRE(messages.size() == 1);
  CHECK(messages[0] == "hook for orders.service f1: exit status 3");
}

TEST_CASE("exit hooks: a hook that outlives its timeout is killed, with its children") {
  HookOptions o;
  o.command = "sleep 30 & sleep 30";
  o.timeout_sec = 0.2;
  ExitHooks hooks(o);
  const auto t0 = std::chrono::steady_clock::now();
  hooks.submit(job("t1"));
  const auto stats = hooks.finish();
  CHECK(stats.timed_out == 1);
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(10));
}

TEST_CASE("exit hooks: a full queue drops runs and counts them; submit never waits") {
  HookOptions o;
  o.command = "sleep 0.3";
  o.max_running = 1;
  o.max_queued = 1;
  ExitHooks hooks(o);
  const auto t0 = std::chrono::steady_clock::now();
  size_t accepted = 0;
  for (int i = 0; i < 6; ++i) accepted += hooks.submit(job("q" + std::to_string(i)));
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::milliseconds(200));
  const auto stats = hooks.finish();
  CHECK(stats.dropped == 6 - accepted);
  CHECK(stats.dropped >= 3);
  CHECK(stats.succeeded == accepted);
  const auto messages = hooks.take_messages();
  REQUIRE_FALSE(messages.empty());
  CHECK(messages[0].find("hook queue full") == 0);
}

TEST_CASE("exit hooks: a hook that does not read a large input neither blocks nor kills the watch") {
  HookOptions o;
  o.command = "exit 0";
  ExitHooks hooks(o);
  hooks.submit(job("big", std::string(4 << 20, 'x')));
  const auto stats = hooks.finish();
  CHECK(stats.succeeded == 1);
}
