#include <doctest/doctest.h>

#include "crashsift/classify/kernel_lines.hpp"

using namespace crashsift::classify;

TEST_CASE("memcg OOM kill line (real kernel 6.18 output)") {
  auto k = parse_oom_kill_line(
      "Memory cgroup out of memory: Killed process 13211 (crashlab) total-vm:68076kB, anon-rss:65280kB, "
      "file-rss:1320kB, shmem-rss:0kB, UID:0 pgtables:172kB oom_score_adj:0");
  REQUIRE(k);
  CHECK(k->pid == 13211);
  CHECK(k->comm == "crashlab");
  CHECK(k->memcg);
  CHECK(k->anon_rss_kb == 65280u);
}

TEST_CASE("global OOM and the 4.19 two-line form") {
  auto g = parse_oom_kill_line("Out of memory: Killed process 49358 (grep) total-vm:9476316kB, anon-rss:6845824kB");
  REQUIRE(g);
  CHECK_FALSE(g->memcg);
  auto old = parse_oom_kill_line("Killed process 123 (java) total-vm:100kB, anon-rss:50kB, file-rss:0kB");
  REQUIRE(old);
  CHECK(old->pid == 123);
  CHECK_FALSE(parse_oom_kill_line("oom_reaper: reaped process 123 (java), now anon-rss:0kB"));
}

TEST_CASE("segfault and trap lines name the thread") {
  auto f = parse_fault_line(
      "plugin-loader[13207]: segfault at 0 ip 000055b2e7146235 sp 00007f0cf2dbfe88 error 6 in "
      "crashlab[1235,55b2e7146000+1000] likely on CPU 0 (core 0, socket 0)");
  REQUIRE(f);
  CHECK(f->comm == "plugin-loader");
  CHECK(f->tid == 13207);
  CHECK(f->kind == "segfault");
  CHECK(f->address == 0u);
  auto t = parse_fault_line("traps: bun[4242] trap invalid opcode ip:55d0 sp:7ffd error:0 in bun[400000+1000]");
  REQUIRE(t);
  CHECK(t->comm == "bun");
  CHECK(t->kind == "trap invalid opcode");
  CHECK_FALSE(parse_fault_line("new mount options do not match the existing superblock"));
  CHECK(is_oom_summary_line("oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),task=node,pid=1,uid=0"));
}
