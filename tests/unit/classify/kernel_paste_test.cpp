// kernel_text_in_paste: a kernel OOM or fault line inside pasted text, whatever dmesg, syslog or
// a Markdown post put around it. First the real captures (testdata/captures/kernel-dmesg: the
// same crashes printed by `dmesg`, `dmesg -T` and `dmesg -x`), then each decoration by hand.
#include <doctest/doctest.h>

#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "crashsift/classify/kernel_lines.hpp"

using namespace crashsift::classify;

namespace {

std::vector<std::string> lines_of(const std::string& name) {
  std::ifstream in(std::string(CRASHSIFT_TESTDATA) + "/captures/kernel-dmesg/" + name);
  REQUIRE(in);
  std::vector<std::string> out;
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

struct Found {
  std::vector<std::string> texts;
  std::vector<std::optional<std::uint64_t>> stamps;
};

Found accepted(const std::vector<std::string>& lines) {
  Found f;
  for (const auto& l : lines)
    if (auto k = kernel_text_in_paste(l)) {
      f.texts.emplace_back(k->text);
      f.stamps.push_back(k->monotonic_usec);
    }
  return f;
}

// The PID a kernel line names: the thread of a fault, the victim of a kill, the summary's pid=.
std::int64_t pid_named(std::string_view text) {
  if (auto s = parse_oom_summary_line(text)) return s->pid;
  if (auto k = parse_oom_kill_line(text)) return k->pid;
  if (auto f = parse_fault_line(text)) return f->tid;
  return 0;
}

constexpr std::string_view oom_kill =
    "Memory cgroup out of memory: Killed process 32754 (crashlab) total-vm:68076kB, anon-rss:65280kB, "
    "file-rss:1368kB, shmem-rss:0kB, UID:0 pgtables:172kB oom_score_adj:0";
constexpr std::string_view segv =
    "crashlab[32711]: segfault at 0 ip 0000558c3364e275 sp 00007ffe1211bbf8 error 6 in "
    "crashlab[1275,558c3364e000+1000] likely on CPU 0 (core 0, socket 0)";

// The result's text views the line: keep the line alive while it is looked at.
std::string with(std::string_view before, std::string_view text, std::string_view after = "") {
  return std::string(before) + std::string(text) + std::string(after);
}

}  // namespace

TEST_CASE("kernel paste: real dmesg output — only the fault and OOM lines, with their stamps") {
  const Found f = accepted(lines_of("dmesg.txt"));
  // The crashes that reach the kernel log (pids.txt): four faults in crashlab (one in a thread
  // named plugin-loader), python3's and node's, and the memcg OOM kill with its summary line.
  // abort() and the stack protector (32731, 32735) leave no kernel line.
  std::multiset<std::int64_t> pids;
  for (const auto& t : f.texts) pids.insert(pid_named(t));
  CHECK(pids == std::multiset<std::int64_t>{32711, 32719, 32723, 32727, 32739, 32743, 32754, 32754});
  CHECK(pids.count(32731) == 0);
  CHECK(pids.count(32735) == 0);
  // Every accepted line keeps its dmesg stamp and loses it from the text.
  for (size_t i = 0; i < f.texts.size(); ++i) {
    CAPTURE(f.texts[i]);
    CHECK(f.stamps[i].has_value());
    CHECK(f.texts[i].front() != '[');
  }
  REQUIRE_FALSE(f.texts.empty());
  CHECK(f.texts.front() == segv);
  CHECK(f.stamps.front() == 543712657u);
  CHECK(f.texts.back() == oom_kill);
  CHECK(f.stamps.back() == 545887767u);
}

TEST_CASE("kernel paste: dmesg -T and dmesg -x give the same kernel text as plain dmesg") {
  const Found plain = accepted(lines_of("dmesg.txt"));
  const Found human = accepted(lines_of("dmesg-T.txt"));
  const Found x = accepted(lines_of("dmesg-x.txt"));
  CHECK(human.texts == plain.texts);
  CHECK(x.texts == plain.texts);
  // -T prints wall-clock time instead of the monotonic stamp: there is none to keep.
  for (const auto& s : human.stamps) CHECK_FALSE(s.has_value());
  CHECK(x.stamps == plain.stamps);
}

TEST_CASE("kernel paste: the monotonic stamp is read to the microsecond whatever its width") {
  const std::string six_line = with("[ 8123.441207] ", oom_kill);
  auto six = kernel_text_in_paste(six_line);
  REQUIRE(six);
  CHECK(six->monotonic_usec == 8123441207u);
  const std::string short_frac_line = with("[   12.3] ", segv);
  auto short_frac = kernel_text_in_paste(short_frac_line);
  REQUIRE(short_frac);
  CHECK(short_frac->monotonic_usec == 12300000u);
  const std::string long_frac_line = with("[12.123456789] ", segv);
  auto long_frac = kernel_text_in_paste(long_frac_line);
  REQUIRE(long_frac);
  CHECK(long_frac->monotonic_usec == 12123456u);
  CHECK(long_frac->text == segv);
}

TEST_CASE("kernel paste: printk levels, as dmesg -r and /dev/kmsg readers print them") {
  const std::string lvl_line = with("<3>[  545.887767] ", oom_kill);
  auto lvl = kernel_text_in_paste(lvl_line);
  REQUIRE(lvl);
  CHECK(lvl->text == oom_kill);
  CHECK(lvl->monotonic_usec == 545887767u);
  const std::string bare_line = with("<6>", "traps: node[32743] trap int3 ip:2155a72 sp:7ffc35bd4250 error:0");
  auto bare = kernel_text_in_paste(bare_line);
  REQUIRE(bare);
  CHECK(bare->text == "traps: node[32743] trap int3 ip:2155a72 sp:7ffc35bd4250 error:0");
  CHECK_FALSE(bare->monotonic_usec);
}

TEST_CASE("kernel paste: dmesg -x with and without a stamp; a user-space facility is not the kernel") {
  const std::string err_line = with("kern  :err   : [ 8123.441207] ", oom_kill);
  auto err = kernel_text_in_paste(err_line);
  REQUIRE(err);
  CHECK(err->text == oom_kill);
  CHECK(err->monotonic_usec == 8123441207u);
  const std::string t_line = with("kern  :info  : [Sun Dec  6 03:10:24 2026] ", segv);
  auto t = kernel_text_in_paste(t_line);
  REQUIRE(t);
  CHECK(t->text == segv);
  // A line a program wrote to /dev/kmsg: it may look like a fault, but it is no kernel's.
  const std::string user_line = with("user  :warn  : [  543.711907] ", segv);
  CHECK_FALSE(kernel_text_in_paste(user_line));
}

TEST_CASE("kernel paste: syslog 'kernel:' lines, with and without the dmesg stamp") {
  const std::string plain_line = with("Mar  5 10:11:12 web-1 kernel: ", oom_kill);
  auto plain = kernel_text_in_paste(plain_line);
  REQUIRE(plain);
  CHECK(plain->text == oom_kill);
  const std::string stamped_line = with("Mar  5 10:11:12 web-1 kernel: [ 8801.220114] ", segv);
  auto stamped = kernel_text_in_paste(stamped_line);
  REQUIRE(stamped);
  CHECK(stamped->text == segv);
  auto iso = kernel_text_in_paste(
      "2024-03-05T10:11:12.123456+01:00 web-1 kernel: traps: bun[4242] trap invalid opcode ip:55a65feaf616 "
      "sp:7ffda97322d0 error:0 in bun[1616,55a65feaf000+1000]");
  REQUIRE(iso);
  CHECK(iso->text.substr(0, 16) == "traps: bun[4242]");
  auto summary = kernel_text_in_paste(
      "Dec 06 03:10:26 lab kernel: oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,"
      "mems_allowed=0,task_memcg=/system.slice/web.service,task=node,pid=13202,uid=0");
  REQUIRE(summary);
  CHECK(pid_named(summary->text) == 13202);
}

TEST_CASE("kernel paste: Markdown backticks, fences and quotes around the line") {
  const std::string code_line = with("`[ 8123.441207] ", oom_kill, "`");
  auto code = kernel_text_in_paste(code_line);
  REQUIRE(code);
  CHECK(code->text == oom_kill);
  CHECK(code->monotonic_usec == 8123441207u);
  const std::string fence_line = with("```[  543.712657] ", segv, "```");
  auto fence = kernel_text_in_paste(fence_line);
  REQUIRE(fence);
  CHECK(fence->text == segv);
  const std::string quote_line = with("> [  543.712657] ", segv);
  auto quote = kernel_text_in_paste(quote_line);
  REQUIRE(quote);
  CHECK(quote->text == segv);
  const std::string indented_line = with("    > `Mar  5 10:11:12 web-1 kernel: ", oom_kill, "`  \r");
  auto indented = kernel_text_in_paste(indented_line);
  REQUIRE(indented);
  CHECK(indented->text == oom_kill);
}

TEST_CASE("kernel paste: lines that are not the kernel's OOM or fault lines are refused") {
  for (std::string_view line : {
           std::string_view("[  543.711907] cscap-kernel-marker-32704-1796526625568417922"),
           std::string_view("[  545.887600] crashlab invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0"),
           std::string_view("[  545.887750] [  32754]     0 32754    17019    16662    16320      342 crashlab"),
           std::string_view("[ 9000.1] oom_reaper: reaped process 123 (java), now anon-rss:0kB, file-rss:0kB"),
           std::string_view("Mar  5 10:11:12 web-1 kernel: usb 1-1: new high-speed USB device number 2"),
           std::string_view("web[42]: listening on :8080"),
           std::string_view("Segmentation fault (core dumped)"),
           std::string_view("[1]+  Killed                  ./crashlab oom"),
           std::string_view("panic: runtime error: invalid memory address or nil pointer dereference"),
           std::string_view(""),
           std::string_view("```"),
           std::string_view("[ 8123.441207 Out of memory: Killed process 1 (x) total-vm:1kB, no closing bracket"),
       }) {
    CAPTURE(line);
    CHECK_FALSE(kernel_text_in_paste(line));
  }
}
