// `crashsift memory` end to end over the real captures: exit status, the JSON contract's shape,
// --explain-fields, and usage errors (status 2 with a message, never an exception).
#include <doctest/doctest.h>

#include <array>
#include <cstdio>
#include <string>
#include <sys/wait.h>

namespace {

struct Run {
  int status = -1;
  std::string out;
};

Run run(const std::string& args) {
  Run r;
  const std::string cmd = std::string("TZ=UTC ") + CRASHSIFT_BINARY + " " + args + " 2>/dev/null";
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p);
  std::array<char, 4096> buf{};
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  const int st = pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

const std::string captures = std::string(CRASHSIFT_TESTDATA) + "/app/captures";

}  // namespace

TEST_CASE("crashsift memory: text over a two-lifetime capture") {
  const Run r = run("memory --utc --app " + captures + "/node-custom-restarts/app.ndjson");
  CHECK(r.status == 0);
  CHECK(r.out.find("verdict: ") != std::string::npos);
  CHECK(r.out.find("  #2 ") != std::string::npos);
  CHECK(r.out.find("started: container.cold_start marker") != std::string::npos);
  CHECK(r.out.find("last app error: container.uncaught_exception (Timed out while waiting for handshake)") !=
        std::string::npos);
  CHECK(r.out.find("▁") == std::string::npos);   // no sparkline when stdout is not a terminal
}

TEST_CASE("crashsift memory: JSON, markdown, explain-fields, several files with UNIT=") {
  const Run j = run("memory --format json --app web.service=" + captures + "/node-pino-throw/app.ndjson --app " +
                    captures + "/bun-pino-throw/app.ndjson --memory-limit 96M");
  CHECK(j.status == 0);
  CHECK(j.out.rfind("{\"schema\":\"crashsift/memory/1\",\"apps\":[{\"unit\":\"web.service\"", 0) == 0);
  CHECK(j.out.find("\"memory_limit_bytes\":100663296") != std::string::npos);
  const Run m = run("memory --format markdown --app " + captures + "/node-cgroup-oom/app.ndjson --memory-limit 96M");
  CHECK(m.status == 0);
  CHECK(m.out.find("log ends with the last samples near the memory limit") != std::string::npos);
  const Run e = run("memory --explain-fields --app " + captures + "/node-custom-restarts/app.ndjson");
  CHECK(e.status == 0);
  CHECK(e.out.find("rss: rssMB") != std::string::npos);
  CHECK(e.out.find("name says MB: read as MiB") != std::string::npos);
}

TEST_CASE("crashsift memory: usage errors exit 2") {
  CHECK(run("memory --app " + captures + "/nope.ndjson").status == 2);
  CHECK(run("memory --field color=x --app " + captures + "/node-pino-throw/app.ndjson").status == 2);
  CHECK(run("memory --window soon --app " + captures + "/node-pino-throw/app.ndjson").status == 2);
  CHECK(run("memory --memory-limit lots --app " + captures + "/node-pino-throw/app.ndjson").status == 2);
  CHECK(run("memory").status == 2);
  // A log without memory samples: nothing usable, status 2.
  CHECK(run("memory --app " + captures + "/node-pino-throw/stdout.txt").status == 2);
}
