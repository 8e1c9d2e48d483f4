#include "crashsift/pipeline/live_loops.hpp"

#include <algorithm>

namespace crashsift::pipeline {
namespace {

std::string ordinal(size_t n) {
  const size_t tens = n % 100;
  const char* suffix = (tens >= 11 && tens <= 13) ? "th" : n % 10 == 1 ? "st" : n % 10 == 2 ? "nd" : n % 10 == 3 ? "rd" : "th";
  return std::to_string(n) + suffix;
}

std::string kind_of(const classify::Exit& x) {
  std::string k(classify::to_string(x.cls));
  if (!x.cause.empty()) k += "/" + x.cause;
  return k;
}

}  // namespace

std::optional<LoopStreak> LiveLoops::note(const classify::Exit& x) {
  if (x.cls == classify::ExitClass::clean || x.unit.empty() || !x.exited_at) return std::nullopt;
  auto& failures = by_unit_[x.unit];
  while (!failures.empty() && failures.front().at + window_ < *x.exited_at) failures.pop_front();
  failures.push_back({*x.exited_at, kind_of(x)});
  LoopStreak s;
  s.failures = failures.size();
  s.window = window_;
  s.kind = failures.back().kind;
  s.same_kind = std::all_of(failures.begin(), failures.end(), [&](const Failure& f) { return f.kind == s.kind; });
  return s;
}

bool streak_worth_saying(const LoopStreak& s) {
  if (s.failures == 2 || s.failures == 3) return true;
  for (size_t step = 5; step <= s.failures && step > 0; step *= 10)
    if (s.failures == step || s.failures == 2 * step) return true;
  return false;
}

std::string describe_streak(const std::string& unit, const LoopStreak& s) {
  std::string text = ordinal(s.failures) + " failure of " + unit + " in " + std::to_string(s.window / (60 * usec_per_sec)) +
                     " min";
  if (s.same_kind) text += ", all " + s.kind;
  return text;
}

}  // namespace crashsift::pipeline
