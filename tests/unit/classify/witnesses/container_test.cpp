#include <doctest/doctest.h>

#include "unit/classify/witnesses/feed.hpp"

using namespace crashsift;
using namespace crashsift::classify;
using namespace crashsift::test;

namespace crashsift::classify {
std::unique_ptr<WitnessRecognizer> make_witness_container();
}

namespace {

std::vector<Witness> container(const std::string& text, Feed how = Feed::cat) {
  auto r = make_witness_container();
  return feed(*r, text, how);
}

}  // namespace

TEST_CASE("docker events: an oom event and the die of the same container are one death") {
  for (Feed how : {Feed::cat, Feed::pasted}) {
    auto w = container(
        "$ docker events --filter container=thumbnailer\n"
        "2024-08-08T13:22:40.118331207Z container oom 3f2a9c1d (image=acme/thumbnailer:1.9, name=thumbnailer)\n"
        "2024-08-08T13:22:40.301577912Z container die 3f2a9c1d (exitCode=137, image=acme/thumbnailer:1.9, name=thumbnailer)\n"
        "2024-08-08T13:22:41.004121985Z container start 3f2a9c1d (image=acme/thumbnailer:1.9, name=thumbnailer)\n",
        how);
    REQUIRE(w.size() == 1);
    CHECK(w[0].comm == "thumbnailer");
    CHECK(w[0].oom == OomKind::cgroup);
    CHECK(w[0].code == 137);
    CHECK(w[0].signal == "KILL");
    CHECK(w[0].when == WhenKnown::absolute);
    CHECK(*w[0].time / usec_per_sec == utc(2024, 8, 8, 13, 22, 40) / usec_per_sec);
    CHECK(w[0].lines.size() == 2);
  }
}

TEST_CASE("docker events: die codes, offsets and an oom with no die") {
  auto w = container(
      "2024-03-05T10:11:12.123456789+01:00 container die 9a (exitCode=1, image=x, name=web)\n"
      "2024-03-05T10:11:13.000000000+01:00 container die 9b (exitCode=0, image=x, name=job)\n"
      "2024-03-05T10:11:14.000000000+01:00 container oom 9c (image=x, name=hog)\n");
  REQUIRE(w.size() == 3);
  CHECK(w[0].code == 1);
  CHECK(w[0].exit_kind == "exited");
  CHECK(*w[0].time / usec_per_sec == utc(2024, 3, 5, 9, 11, 12) / usec_per_sec);
  CHECK(w[1].code == 0);
  CHECK(w[2].oom == OomKind::cgroup);
  CHECK(w[2].comm == "hog");
}

TEST_CASE("docker inspect: OOMKilled true, the container named by the command") {
  auto w = container(
      "$ docker inspect --format '{{json .State}}' importer | jq\n{\n  \"Status\": \"exited\",\n  \"Running\": false,\n"
      "  \"OOMKilled\": true,\n  \"Dead\": false,\n  \"Pid\": 0,\n  \"ExitCode\": 137,\n  \"Error\": \"\",\n"
      "  \"StartedAt\": \"2023-05-08T08:03:05.553904873Z\",\n  \"FinishedAt\": \"2023-05-08T08:05:05.514785974Z\"\n}\n");
  REQUIRE(w.size() == 1);
  CHECK(w[0].kind == "docker-inspect");
  CHECK(w[0].comm == "importer");
  CHECK(w[0].oom == OomKind::cgroup);
  CHECK(w[0].code == 137);
  CHECK(w[0].signal == "KILL");
  CHECK(*w[0].time / usec_per_sec == utc(2023, 5, 8, 8, 5, 5) / usec_per_sec);
}

TEST_CASE("docker inspect: 137 without OOMKilled is a SIGKILL; the Go-template form") {
  auto w = container("`State:{\nDead:false,\nError:\"\",\nExitCode:137,\nFinishedAt:\"2025-05-30T21:45:11.910895562Z\",\n"
                     "OOMKilled:false,\nPaused:false,\nPid:0,\nRestarting:false,\nRunning:false,\n"
                     "StartedAt:\"2025-05-30T16:31:28.528427274Z\",\nStatus:\"exited\"\n}`\n");
  REQUIRE(w.size() == 1);
  CHECK(w[0].oom == OomKind::none);
  CHECK(w[0].code == 137);
  CHECK(w[0].signal == "KILL");
  CHECK(w[0].comm.empty());
}

TEST_CASE("docker inspect: the full array, the name after the State object; running is no death") {
  auto w = container(
      "[\n    {\n        \"Id\": \"c35e838c9646\",\n        \"State\": {\n            \"Status\": \"exited\",\n"
      "            \"Running\": false,\n            \"OOMKilled\": false,\n            \"ExitCode\": 1,\n"
      "            \"FinishedAt\": \"2024-10-14T07:33:02.880912345Z\"\n        },\n        \"Name\": \"/api-gateway\",\n");
  REQUIRE(w.size() == 1);
  CHECK(w[0].comm == "api-gateway");
  CHECK(w[0].code == 1);
  CHECK(w[0].exit_kind == "exited");
  CHECK(container("\"State\": {\n\"Status\": \"running\",\n\"Running\": true,\n\"ExitCode\": 0,\n"
                  "\"FinishedAt\": \"0001-01-01T00:00:00Z\"\n},\n")
            .empty());
}

TEST_CASE("docker ps -a and compose") {
  auto w = container(
      "CONTAINER ID   IMAGE     COMMAND                  CREATED       STATUS                       PORTS     NAMES\n"
      "8a1b2c3d4e5f   acme/api  \"node dist/main.js\"      2 hours ago   Exited (137) 5 minutes ago             api\n"
      "1f2e3d4c5b6a   postgres  \"docker-entrypoint.s\xe2\x80\xa6\"   3 days ago    Up 3 days (healthy)          5432/tcp  db\n"
      "api-1     | {\"level\":\"info\",\"msg\":\"warming cache\"}\n"
      "api-1 exited with code 137\n"
      "\x1b[36mworker-1 exited with code 0\x1b[0m\n");
  REQUIRE(w.size() == 3);
  CHECK(w[0].kind == "docker-ps");
  CHECK(w[0].comm == "api");
  CHECK(w[0].signal == "KILL");
  CHECK(w[0].code == 137);
  CHECK(w[1].kind == "compose");
  CHECK(w[1].comm == "api-1");
  CHECK(w[1].signal == "KILL");
  CHECK(w[1].exit_kind.empty());
  CHECK(w[2].comm == "worker-1");
  CHECK(w[2].code == 0);
  CHECK(w[2].exit_kind == "exited");
  CHECK(container("The container exited with code 137 after a while\n").empty());
}
