#pragma once
// Crash loops as they happen (`crashsift watch`): per unit, the failures of the last window
// (10 minutes by default), so the watch can say "3rd failure of orders.service in 10 min, all
// oom". Bounded: a unit keeps only the failures inside the window.
#include <deque>
#include <map>
#include <optional>
#include <string>

#include "crashsift/classify/exit.hpp"

namespace crashsift::pipeline {

struct LoopStreak {
  size_t failures = 0;        // in the window, this one included
  UsecUtc window = 0;
  bool same_kind = true;      // every one of them of the same class and cause
  std::string kind;           // "oom/kernel-oom-kill": this failure's class and cause
};

class LiveLoops {
 public:
  explicit LiveLoops(UsecUtc window = 10 * 60 * usec_per_sec) : window_(window) {}
  // A failure of a unit (not clean, with a unit and a time): its streak; nullopt for the rest.
  std::optional<LoopStreak> note(const classify::Exit& x);

 private:
  struct Failure {
    UsecUtc at;
    std::string kind;
  };
  UsecUtc window_;
  std::map<std::string, std::deque<Failure>> by_unit_;
};

// Whether a streak is worth a line: the 2nd and 3rd failure, then the 5th, 10th, 50th, 100th,
// 500th, ... (a loop restarting every second would otherwise double every row).
bool streak_worth_saying(const LoopStreak& s);

// "3rd failure of orders.service in 10 min, all oom/kernel-oom-kill" (text for a person).
std::string describe_streak(const std::string& unit, const LoopStreak& s);

}  // namespace crashsift::pipeline
