#pragma once
// Runs one input of hand-made events through the whole tracker (records, witnesses, merge, rules).
#include <vector>

#include "crashsift/classify/tracker.hpp"
#include "crashsift/core/event.hpp"

namespace crashsift::test {

inline classify::Classified track(const std::vector<Event>& events) {
  classify::ExitTracker t;
  t.begin_input(0, true);
  for (const auto& e : events) t.on_event(e);
  t.end_input();
  return t.finish();
}

}  // namespace crashsift::test
