#include <doctest/doctest.h>

#include "unit/classify/witnesses/feed.hpp"
#include "support/events.hpp"

using namespace crashsift;
using namespace crashsift::classify;
using namespace crashsift::test;

namespace {

std::vector<Witness> run(const std::vector<Event>& events) {
  auto r = make_witness_coredump_text();
  std::vector<Witness> got;
  WitnessSink sink = [&](Witness&& w) { got.push_back(std::move(w)); };
  for (const auto& e : events) r->on_event(e, sink);
  r->end_input(sink);
  return got;
}

}  // namespace

TEST_CASE("coredump text: a pasted 'dumped core' line is a coredump witness without a time") {
  auto got = feed(*make_witness_coredump_text(), "Process 797 (swaybg) of user 1000 dumped core.\n", Feed::pasted);
  REQUIRE(got.size() == 1);
  CHECK(got[0].kind == "coredump");
  CHECK(got[0].pid == 797);
  CHECK(got[0].comm == "swaybg");
  CHECK(got[0].exit_kind == "dumped");
  CHECK(got[0].signal.empty());
  CHECK(got[0].when == WhenKnown::none);
  REQUIRE(got[0].lines.size() == 1);
  CHECK(got[0].lines[0].text == "Process 797 (swaybg) of user 1000 dumped core.");
}

TEST_CASE("coredump text: the v256 early line gives the signal; link glyph and odd comms") {
  auto got = feed(*make_witness_coredump_text(),
                  "Process 41870 (mpv) of user 1000 terminated abnormally with signal 11/SEGV, processing...\n"
                  "[\xf0\x9f\xa1\x95] Process 861 (Web Content) of user 1000 dumped core.\n"
                  "Process 9 (a) of user b) of user 0 dumped core.\n",
                  Feed::cat);
  REQUIRE(got.size() == 3);
  CHECK(got[0].pid == 41870);
  CHECK(got[0].signal == "SEGV");
  CHECK(got[1].pid == 861);
  CHECK(got[1].comm == "Web Content");
  CHECK(got[2].comm == "a) of user b");
}

TEST_CASE("coredump text: events the tracker reads itself are left to it") {
  Event own = output(t0, "systemd-coredump", 835, "Process 797 (swaybg) of user 1000 dumped core.");
  Event by_id = output(t0, "systemd-coredump", 835, "[x] Process 797 (swaybg) of user 1000 dumped core.");
  by_id.message_id = message_ids::coredump;
  CHECK(run({own, by_id}).empty());
  // Relayed under another identifier (a container's journal, a log shipper): ours, with its time.
  Event relayed = output(t0, "fluent-bit", 12, "Process 797 (swaybg) of user 1000 dumped core.");
  relayed.hostname = "tux";
  auto got = run({relayed});
  REQUIRE(got.size() == 1);
  CHECK(got[0].time == t0);
  CHECK(got[0].when == WhenKnown::absolute);
  CHECK(got[0].host == "tux");
}

TEST_CASE("coredump text: no core generated, rsyslog #012 newlines, and lines that only look alike") {
  auto got = feed(*make_witness_coredump_text(),
                  "Process 1877 (ffmpeg) of user 1004 terminated abnormally without generating a coredump.\n"
                  "Process 2201 (vpnd) of user 0 dumped core.#012#012Stack trace of thread 2201:#012#0  0x1 n/a\n"
                  "Process 12 (x) exited with code 3\n"
                  "Process started\n"
                  "Process -4 (x) of user 0 dumped core.\n",
                  Feed::cat);
  REQUIRE(got.size() == 2);
  CHECK(got[0].pid == 1877);
  CHECK(got[0].missing.size() == 1);
  CHECK(got[1].pid == 2201);
  CHECK(got[1].lines[0].text == "Process 2201 (vpnd) of user 0 dumped core.");
  CHECK(got[1].coredump_message.find("\nStack trace of thread 2201:\n#0  0x1 n/a") != std::string::npos);
}

TEST_CASE("coredump text: kernel lines and the coredumpctl Message: field are not the sentence") {
  Event k = kernel(t0, "Process 1 (init) of user 0 dumped core.");
  CHECK(run({k}).empty());
  CHECK(feed(*make_witness_coredump_text(), "       Message: Process 4242 (myapp) of user 0 dumped core.\n", Feed::cat)
            .empty());
}

TEST_CASE("coredump text: v256's early line and its 'dumped core' line are one witness") {
  Event early = output(t0, "fwd", 5, "Process 41870 (mpv) of user 1000 terminated abnormally with signal 11/SEGV, processing...");
  Event other = output(t0 + ms(900), "systemd", 1, "Started systemd-coredump@7-41877-0.service.");
  Event done = output(t0 + ms(2000), "fwd", 5, "Process 41870 (mpv) of user 1000 dumped core.\n\nStack trace of thread 41874:\n#0  0x1 n/a");
  auto got = run({early, other, done});
  REQUIRE(got.size() == 1);
  CHECK(got[0].pid == 41870);
  CHECK(got[0].signal == "SEGV");
  CHECK(got[0].time == t0);
  CHECK(got[0].lines.size() == 2);
  CHECK(got[0].coredump_message.find("Stack trace of thread 41874:") != std::string::npos);
  // An early line whose process then got no "dumped core" line is still a death.
  auto alone = run({early});
  REQUIRE(alone.size() == 1);
  CHECK(alone[0].signal == "SEGV");
}
