#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "unit/classify/witnesses/feed.hpp"

using namespace crashsift;
using namespace crashsift::classify;
using namespace crashsift::test;

namespace crashsift::classify {
std::unique_ptr<WitnessRecognizer> make_witness_shell_job();
}

namespace {

std::vector<Witness> shell(const std::string& text, Feed how = Feed::cat) {
  auto r = make_witness_shell_job();
  return feed(*r, text, how);
}


}  // namespace

TEST_CASE("shell: bare bash messages, the program from the prompt before them") {
  for (Feed how : {Feed::cat, Feed::pasted}) {
    auto w = shell("user@build:~/search$ ./bin/indexer --rebuild --shards 8\n[indexer] ok\nSegmentation fault (core dumped)\n"
                   "user@build:~/search$\n",
                   how);
    REQUIRE(w.size() == 1);
    CHECK(w[0].kind == "shell-job");
    CHECK(w[0].signal == "SEGV");
    CHECK(w[0].exit_kind == "dumped");
    CHECK(w[0].comm == "indexer");
    CHECK_FALSE(w[0].pid);
    CHECK(w[0].when == WhenKnown::none);
    CHECK(w[0].lines.front().text == "Segmentation fault (core dumped)");
  }
  auto k = shell("$ python3 train.py --epochs 40\nepoch 1/40\nKilled\n");
  REQUIRE(k.size() == 1);
  CHECK(k[0].signal == "KILL");
  CHECK(k[0].exit_kind == "killed");
  CHECK(k[0].comm == "python3");
  auto ill = shell("/app # ./server -c /etc/server.yml\nIllegal instruction\n/app #\n");
  REQUIRE(ill.size() == 1);
  CHECK(ill[0].signal == "ILL");
  CHECK(ill[0].comm == "server");
  for (auto [line, sig] : {std::pair{"Aborted (core dumped)", "ABRT"}, {"Bus error", "BUS"},
                           {"Floating point exception (core dumped)", "FPE"}, {"Trace/breakpoint trap", "TRAP"}}) {
    auto got = shell(std::string(line) + "\n");
    REQUIRE(got.size() == 1);
    CHECK(got[0].signal == sig);
  }
}

TEST_CASE("shell: prose and kernel lines that contain the words are no shell messages") {
  CHECK(shell("Out of memory: Killed process 77310 (python3) total-vm:16922840kB\n").empty());
  CHECK(shell("The worker was Killed by the scheduler\n").empty());
  CHECK(shell("Killed process 4242 (x)\n").empty());
  CHECK(shell("Segmentation fault at address 0x0\n").empty());
  CHECK(shell("killed\n").empty());  // zsh always prefixes "zsh: "
  CHECK(shell("[1] 40112\n").empty());
  CHECK(shell("[1]+  Running                 ./x &\n").empty());
  CHECK(shell("make: *** [Makefile:8: failing] Error 2\n").empty());
}

TEST_CASE("shell: bash without job control names PID and command") {
  auto w = shell("/bin/sh: line 1: 90210 Segmentation fault      (core dumped) ./unit_tests --gtest_brief=1\n");
  REQUIRE(w.size() == 1);
  CHECK(w[0].pid == 90210);
  CHECK(w[0].comm == "unit_tests");
  CHECK(w[0].signal == "SEGV");
  auto padded = shell("/builds/app/ci/run-tests.sh: line 12:  8812 Killed                  ./gradlew test --no-daemon\n");
  REQUIRE(padded.size() == 1);
  CHECK(padded[0].pid == 8812);
  CHECK(padded[0].comm == "gradlew");
  CHECK(padded[0].signal == "KILL");
  // bash pads the status to 24 columns: no space before "(core dumped)".
  auto fpe = shell("./deploy.sh: line 10: 10218 Floating point exception(core dumped) crashlab fpe\n");
  REQUIRE(fpe.size() == 1);
  CHECK(fpe[0].signal == "FPE");
  CHECK(fpe[0].exit_kind == "dumped");
  CHECK(fpe[0].comm == "crashlab");
}

TEST_CASE("shell: the prefixed form also in a journal record, stamped by it") {
  auto r = make_witness_shell_job();
  std::vector<Witness> got;
  WitnessSink sink = [&](Witness&& w) { got.push_back(std::move(w)); };
  Event e;
  e.time = utc(2024, 3, 5, 10, 11, 12);
  e.identifier = "deploy.sh";
  e.pid = 100;
  e.message = "./deploy.sh: line 4: 4242 Aborted                 (core dumped) ./server --port 80";
  r->on_event(e, sink);
  e.message = "Killed";  // a bare word in a journal record is not taken
  r->on_event(e, sink);
  r->end_input(sink);
  REQUIRE(got.size() == 1);
  CHECK(got[0].pid == 4242);
  CHECK(got[0].comm == "server");
  CHECK(got[0].when == WhenKnown::absolute);
  CHECK(got[0].time == utc(2024, 3, 5, 10, 11, 12));
}

TEST_CASE("shell: job notifications of bash, dash and zsh; PID from the job's start line") {
  auto bash = shell("$ python3 train.py --big &\n[1] 40112\n$ tail -f logs/train.log\n^C\n"
                    "[1]+  Killed                  python3 train.py --big\n");
  REQUIRE(bash.size() == 1);
  CHECK(bash[0].pid == 40112);
  CHECK(bash[0].comm == "python3");
  CHECK(bash[0].signal == "KILL");
  auto dash = shell("[1] + Segmentation fault (core dumped) crashlab segv\n");
  REQUIRE(dash.size() == 1);
  CHECK(dash[0].signal == "SEGV");
  CHECK(dash[0].comm == "crashlab");
  auto zsh = shell("[1]  + killed     crashlab hang\n[2]  - exit 3     crashlab exit 3\n");
  REQUIRE(zsh.size() == 2);
  CHECK(zsh[0].signal == "KILL");
  CHECK(zsh[1].code == 3);
  CHECK(zsh[1].exit_kind == "exited");
  CHECK(zsh[1].signal.empty());
}

TEST_CASE("shell: zsh's own wording") {
  auto w = shell("\xe2\x9d\xaf ./x\nzsh: segmentation fault  ./x\n");
  REQUIRE(w.size() == 1);
  CHECK(w[0].signal == "SEGV");
  CHECK(w[0].exit_kind == "killed");
  CHECK(w[0].comm == "x");
  auto iot = shell("zsh: IOT instruction (core dumped)  crashlab abort\n");
  REQUIRE(iot.size() == 1);
  CHECK(iot[0].signal == "ABRT");
  CHECK(iot[0].exit_kind == "dumped");
  auto ill = shell("zsh: illegal hardware instruction (core dumped)  ./llama\n");
  REQUIRE(ill.size() == 1);
  CHECK(ill[0].signal == "ILL");
  auto node = shell("% node --max-old-space-size=16000 build.js\nzsh: killed     node --max-old-space-size=16000 build.js\n");
  REQUIRE(node.size() == 1);
  CHECK(node[0].comm == "node");
}

TEST_CASE("shell: make's signal and Error 128+N; the shell's message and make's Error are one death") {
  auto joined = shell("$ make check\ncd build && ./unit_tests --gtest_brief=1\n"
                      "/bin/sh: line 1: 90210 Segmentation fault      (core dumped) ./unit_tests --gtest_brief=1\n"
                      "make: *** [Makefile:41: check] Error 139\n");
  REQUIRE(joined.size() == 1);
  CHECK(joined[0].pid == 90210);
  CHECK(joined[0].code == 139);
  CHECK(joined[0].signal == "SEGV");
  CHECK(joined[0].comm == "unit_tests");
  CHECK(joined[0].lines.size() == 2);
  auto direct = shell("gcc -O2 -o demo demo.c\n./demo\nmake: *** [Makefile:5: run] Segmentation fault (core dumped)\n");
  REQUIRE(direct.size() == 1);
  CHECK(direct[0].kind == "make-recipe");
  CHECK(direct[0].signal == "SEGV");
  CHECK(direct[0].comm == "demo");
  auto bare = shell("$ make viashell\nSegmentation fault (core dumped)\nmake: *** [Makefile:6: viashell] Error 139\n");
  REQUIRE(bare.size() == 1);
  CHECK(bare[0].code == 139);
  CHECK(bare[0].comm.empty());  // make is not the dead program
  auto killed = shell("make[2]: *** [Makefile:10: killed] Killed\n");
  REQUIRE(killed.size() == 1);
  CHECK(killed[0].signal == "KILL");
}

TEST_CASE("shell: terminal captures with escapes, carriage returns and dash's prompts") {
  auto w = shell("\x1b[?2004l\rSegmentation fault (core dumped)\n$ $ Killed\n");
  REQUIRE(w.size() == 2);
  CHECK(w[0].signal == "SEGV");
  CHECK(w[1].signal == "KILL");
}

TEST_CASE("shell: the real captures give one witness per death") {
  const std::string dir = std::string(CRASHSIFT_TESTDATA) + "/captures/shell-jobs/";
  auto bash = shell(read_file(dir + "bash-interactive/stderr.txt"));
  // segv, abort, ill, fpe, kill, double-free, stack-smash, job kill, job segv, job TERM, segv no core
  CHECK(bash.size() == 11);
  auto zsh = shell(read_file(dir + "zsh-interactive/transcript.txt"));
  REQUIRE(zsh.size() >= 8);
  CHECK(zsh[0].signal == "SEGV");
  CHECK(zsh[0].comm == "crashlab");
  auto deploy = shell(read_file(dir + "noninteractive/bash-deploy.stderr.txt"));
  REQUIRE(deploy.size() == 5);
  CHECK(deploy[0].pid == 10215);
  CHECK(deploy[2].signal == "KILL");
  auto make = shell(read_file(dir + "make/make-viashell.stderr.txt"));
  REQUIRE(make.size() == 1);
  CHECK(make[0].code == 139);
}
