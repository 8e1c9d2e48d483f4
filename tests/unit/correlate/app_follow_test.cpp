// watch --app: the follower accounts for bad lines as the batch reader does, and a line that
// never ends cannot grow its buffer without bound.
#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

#include "crashsift/correlate/app_follow.hpp"

using namespace crashsift;

namespace {

std::string temp_log() {
  return (std::filesystem::temp_directory_path() / ("cs-follow-" + std::to_string(::getpid()) + ".ndjson")).string();
}

void append(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::app | std::ios::binary);
  out << text;
}

std::string sample(int second, int rss_mb) {
  return "{\"time\":\"2026-05-01T10:00:" + std::string(second < 10 ? "0" : "") + std::to_string(second) +
         ".000Z\",\"msg\":\"memory\",\"rss\":" + std::to_string(rss_mb << 20) + "}\n";
}

// The follower forgets samples older than now - keep: a keep of decades forgets none of these.
const UsecUtc now = 1'900'000'000 * usec_per_sec;
const UsecUtc keep_all = 40LL * 365 * 86400 * usec_per_sec;

}  // namespace

TEST_CASE("followed app log: bad lines are counted with their line numbers, good ones become samples") {
  const std::string path = temp_log();
  std::filesystem::remove(path);
  append(path, sample(1, 100) + "oops, a plain text line\n\n{\"time\":\"2026-05-01T10:00:02.000Z\",\"rss\":\n" +
                   sample(3, 120));
  input::AppReadOptions options;
  correlate::AppFollower follower({input::AppInputSpec{"api.service", {path}, {}}}, options, keep_all);
  follower.catch_up(now);
  const auto& app = follower.apps().at(0);
  CHECK(app.series.size() == 2);
  const InputReport& in = app.inputs.at(0);
  CHECK(in.skipped == 2);
  REQUIRE(in.first_skips.size() == 2);
  CHECK(in.first_skips[0].line == 2);
  CHECK(in.first_skips[0].reason == "not a JSON object");
  CHECK(in.first_skips[1].line == 4);
  CHECK(in.first_skips[1].reason == "invalid JSON");
  std::filesystem::remove(path);
}

TEST_CASE("followed app log: a line over --max-line is dropped through its newline, the next one is read") {
  const std::string path = temp_log();
  std::filesystem::remove(path);
  input::AppReadOptions options;
  options.max_line = 4096;
  correlate::AppFollower follower({input::AppInputSpec{"", {path}, {}}}, options, keep_all);
  append(path, sample(1, 100) + "{\"time\":\"2026-05-01T10:00:02.000Z\",\"junk\":\"" + std::string(100000, 'x'));
  follower.catch_up(now);
  append(path, std::string(50000, 'y') + "\"}\n" + sample(3, 130));
  follower.catch_up(now);
  const auto& app = follower.apps().at(0);
  CHECK(app.series.size() == 2);
  const InputReport& in = app.inputs.at(0);
  CHECK(in.skipped == 1);
  REQUIRE(in.first_skips.size() == 1);
  CHECK(in.first_skips[0].line == 2);
  CHECK(in.first_skips[0].reason == "line of more than 4096 bytes is over the line limit");
  std::filesystem::remove(path);
}

TEST_CASE("followed app log: a long file is followed from its end, bad lines keep their real line numbers") {
  const std::string path = temp_log();
  std::filesystem::remove(path);
  std::string body;
  std::uint64_t lines = 0;
  while (body.size() < correlate::AppFollower::initial_tail_bytes + (1 << 20)) {
    body += sample(static_cast<int>(lines % 60), 100);
    ++lines;
  }
  body += "not json\n" + std::string(5000, 'z') + "\n" + sample(59, 140);
  append(path, body);
  input::AppReadOptions options;
  options.max_line = 4096;
  correlate::AppFollower follower({input::AppInputSpec{"", {path}, {}}}, options, keep_all);
  follower.catch_up(now);
  const InputReport& in = follower.apps().at(0).inputs.at(0);
  REQUIRE(in.first_skips.size() == 2);
  CHECK(in.first_skips[0].line == lines + 1);
  CHECK(in.first_skips[0].reason == "not a JSON object");
  CHECK(in.first_skips[1].line == lines + 2);  // a whole line over --max-line, read in one piece
  CHECK(in.first_skips[1].reason == "line of more than 4096 bytes is over the line limit");
  // Only the last 8 MiB were read: fewer records than lines, each a timed sample.
  CHECK(in.entries > 0);
  CHECK(in.entries < lines);
  CHECK(follower.apps().at(0).series.size() == in.entries);
  std::filesystem::remove(path);
}
