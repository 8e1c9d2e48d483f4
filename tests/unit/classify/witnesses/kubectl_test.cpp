#include <doctest/doctest.h>

#include "unit/classify/witnesses/feed.hpp"

using namespace crashsift;
using namespace crashsift::classify;
using namespace crashsift::test;

namespace crashsift::classify {
std::unique_ptr<WitnessRecognizer> make_witness_kubectl();
}

namespace {

std::vector<Witness> kubectl(const std::string& text, Feed how = Feed::cat) {
  auto r = make_witness_kubectl();
  return feed(*r, text, how);
}

const char* oom_pod =
    "Containers:\n"
    "  checkout:\n"
    "    Container ID:   containerd://9b1c4e7a\n"
    "    Image:          registry.example.com/shop/checkout:2.14.1\n"
    "    State:          Waiting\n"
    "      Reason:       CrashLoopBackOff\n"
    "    Last State:     Terminated\n"
    "      Reason:       OOMKilled\n"
    "      Exit Code:    137\n"
    "      Started:      Fri, 15 Sep 2023 09:56:14 +0200\n"
    "      Finished:     Fri, 15 Sep 2023 09:56:17 +0200\n"
    "    Ready:          False\n"
    "    Restart Count:  6\n"
    "    Limits:\n"
    "      memory:  256Mi\n";

}  // namespace

TEST_CASE("kubectl describe: Last State Terminated OOMKilled; CrashLoopBackOff is no death") {
  for (Feed how : {Feed::cat, Feed::pasted}) {
    auto w = kubectl(oom_pod, how);
    REQUIRE(w.size() == 1);
    CHECK(w[0].kind == "kubectl-describe");
    CHECK(w[0].comm == "checkout");
    CHECK(w[0].oom == OomKind::cgroup);
    CHECK(w[0].signal == "KILL");
    CHECK(w[0].code == 137);
    CHECK(w[0].when == WhenKnown::absolute);
    CHECK(w[0].time == utc(2023, 9, 15, 7, 56, 17));
  }
}

TEST_CASE("kubectl describe: Error exit 1, Completed exit 0, no container name in the excerpt") {
  auto err = kubectl(
      "    State:          Running\n      Started:      Mon, 04 Nov 2024 14:20:07 +0000\n"
      "    Last State:     Terminated\n      Reason:       Error\n      Exit Code:    1\n"
      "      Started:      Mon, 04 Nov 2024 14:19:31 +0000\n      Finished:     Mon, 04 Nov 2024 14:19:52 +0000\n"
      "    Ready:          True\n");
  REQUIRE(err.size() == 1);
  CHECK(err[0].code == 1);
  CHECK(err[0].exit_kind == "exited");
  CHECK(err[0].comm.empty());
  CHECK(err[0].time == utc(2024, 11, 4, 14, 19, 52));
  auto done = kubectl(
      "Containers:\n  migrate:\n    Container ID:  containerd://44e1\n    Image:         db/migrate:7\n"
      "    State:         Terminated\n      Reason:      Completed\n      Exit Code:   0\n"
      "      Finished:    Tue, 21 Jan 2025 03:00:41 +0100\n");  // the block ends with the input
  REQUIRE(done.size() == 1);
  CHECK(done[0].comm == "migrate");
  CHECK(done[0].code == 0);
  CHECK(done[0].time == utc(2025, 1, 21, 2, 0, 41));
}

TEST_CASE("kubectl describe: a healthy pod and a waiting container give nothing") {
  CHECK(kubectl("    State:          Running\n      Started:      Tue, 10 Dec 2024 08:01:12 +0000\n"
                "    Ready:          True\n    Restart Count:  0\n")
            .empty());
  CHECK(kubectl("    State:          Waiting\n      Reason:       CrashLoopBackOff\n    Ready:          False\n").empty());
}

TEST_CASE("kubectl get events: OOMKilling rows") {
  auto w = kubectl(
      "LAST SEEN   TYPE      REASON       OBJECT          MESSAGE\n"
      "12m         Warning   OOMKilling   node/pool-a-3   Memory cgroup out of memory: Killed process 28311 (java) "
      "total-vm:5125432kB, anon-rss:1048576kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:4096kB oom_score_adj:999\n");
  REQUIRE(w.size() == 1);
  CHECK(w[0].pid == 28311);
  CHECK(w[0].comm == "java");
  CHECK(w[0].oom == OomKind::cgroup);
  CHECK(w[0].signal == "KILL");
}
