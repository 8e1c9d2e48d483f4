#pragma once
// `crashsift watch`: an exit already handed on can still be explained by a record that comes
// after its settle window: systemd-coredump logs a large core's entry when the core is written
// (a minute later), an OOM line can be late through another input. RecentExits keeps the
// exits of the last minutes as they were before classification, joins such late records to
// them, and hands the exit on again, reclassified, as an update of the same exit (same id),
// instead of letting the record become a second death of its own.
#include <cstddef>
#include <deque>
#include <utility>
#include <vector>

#include "crashsift/classify/exit.hpp"
#include "crashsift/classify/journal_records.hpp"
#include "crashsift/classify/rules.hpp"

namespace crashsift::classify {

class RecentExits {
 public:
  RecentExits(UsecUtc keep_for, size_t max_kept) : keep_for_(keep_for), max_kept_(max_kept) {}

  // An exit as it leaves the tracker: joined, not yet classified.
  void keep(const Exit& x, const ExitFacts& f);
  // Joins the unused records that explain a kept exit (by PID, or the unit's cgroup); each exit
  // that took one is appended to `updated`, classified.
  void join_late(std::vector<KernelRecord>& kernel, std::vector<CoredumpRecord>& cores, bool kernel_present,
                 std::vector<Exit>& updated);
  // The kept exits older than keep_for before `now` can no longer change.
  void forget_before(UsecUtc now);
  bool empty() const { return kept_.empty(); }

 private:
  UsecUtc keep_for_;
  size_t max_kept_;
  std::deque<std::pair<Exit, ExitFacts>> kept_;
};

}  // namespace crashsift::classify
