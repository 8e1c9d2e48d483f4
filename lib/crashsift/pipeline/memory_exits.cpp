#include "crashsift/pipeline/memory_exits.hpp"

namespace crashsift::pipeline {

namespace {

constexpr UsecUtc slack_before_end = 5 * usec_per_sec;
constexpr UsecUtc reach_without_next = 600 * usec_per_sec;

std::string how_it_ended(const classify::Exit& x, const Zone& zone) {
  return std::string(to_string(x.cls)) + (x.signal.empty() ? "" : " (SIG" + x.signal + ")") +
         (x.code ? " (exit " + std::to_string(*x.code) + ")" : "") + " per the journal at " +
         format_in_zone(*x.exited_at, zone) + (x.reason.empty() ? "" : ": " + x.reason);
}

const classify::Exit* exit_of(const correlate::AppLifetime& life, const std::vector<classify::Exit>& exits) {
  const UsecUtc lo = life.end - slack_before_end;
  const UsecUtc hi = life.next_start.value_or(life.end + reach_without_next);
  const classify::Exit* by_time = nullptr;
  for (const auto& x : exits) {
    if (!x.exited_at || *x.exited_at < lo || *x.exited_at > hi) continue;
    if (life.pid >= 0 && x.pid && *x.pid == life.pid) return &x;  // the same process: certain
    if (life.pid >= 0 && x.pid && *x.pid != life.pid) continue;   // another process's death
    if (!by_time) by_time = &x;
  }
  return by_time;
}

}  // namespace

void tie_lifetimes_to_exits(const std::vector<classify::Exit>& exits, std::vector<correlate::MemoryReport>& reports,
                            const Zone& zone) {
  for (auto& r : reports)
    for (auto& m : r.lifetimes)
      if (const classify::Exit* x = exit_of(m.life, exits)) m.journal_exit = how_it_ended(*x, zone);
}

}  // namespace crashsift::pipeline
