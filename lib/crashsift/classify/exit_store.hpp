#pragma once
// The exits an input has produced and not yet handed on, with their facts. Indexes are absolute
// (the n-th exit of the run), so a unit's "last exit" or a pending text-form exit keeps naming
// the same exit while older ones are taken out from the front: memory holds the exits still
// open to evidence, not every exit of the run.
#include <cstddef>
#include <deque>
#include <utility>
#include <vector>

#include "crashsift/classify/exit.hpp"
#include "crashsift/classify/rules.hpp"

namespace crashsift::classify {

class ExitStore {
 public:
  ExitStore() = default;
  // A store over exits built elsewhere (tests, the one-shot merge).
  ExitStore(std::vector<Exit>&& exits, std::vector<ExitFacts>&& facts) {
    for (size_t i = 0; i < exits.size(); ++i) push_back(std::move(exits[i]), i < facts.size() ? facts[i] : ExitFacts{});
  }

  size_t begin() const { return base_; }
  size_t end() const { return base_ + slots_.size(); }
  bool held(size_t i) const { return i >= base_ && i < end() && !slots_[i - base_].gone; }
  Exit& operator[](size_t i) { return slots_[i - base_].exit; }
  const Exit& operator[](size_t i) const { return slots_[i - base_].exit; }
  ExitFacts& facts(size_t i) { return slots_[i - base_].facts; }
  // Joined to the kernel and coredump records (or made by the merger, which never is).
  bool joined(size_t i) const { return slots_[i - base_].joined; }
  void set_joined(size_t i) { slots_[i - base_].joined = true; }

  size_t push_back(Exit&& x, const ExitFacts& f, bool joined = false) {
    slots_.push_back(Slot{std::move(x), f, joined, false});
    return end() - 1;
  }

  // Moves exit i out; the slots taken out at the front are freed.
  std::pair<Exit, ExitFacts> take(size_t i) {
    Slot& s = slots_[i - base_];
    std::pair<Exit, ExitFacts> out{std::move(s.exit), std::move(s.facts)};
    s.exit = Exit{};
    s.gone = true;
    while (!slots_.empty() && slots_.front().gone) {
      slots_.pop_front();
      ++base_;
    }
    return out;
  }

 private:
  struct Slot {
    Exit exit;
    ExitFacts facts;
    bool joined = false;
    bool gone = false;
  };
  std::deque<Slot> slots_;
  size_t base_ = 0;
};

}  // namespace crashsift::classify
