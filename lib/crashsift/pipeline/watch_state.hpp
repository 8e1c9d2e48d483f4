#pragma once
// `crashsift watch --state FILE`: what a restarted watch needs so that it neither misses nor
// repeats an exit. The position read up to (time and journal cursor) and the ids of the exits
// written recently. A restart reads the journal again from a while before that position, so
// the exits that were still waiting for their evidence when the watch stopped (even by
// SIGKILL) are read again, and the ids keep those already written from going out twice.
#include <map>
#include <optional>
#include <string>

#include "crashsift/classify/exit.hpp"
#include "crashsift/pipeline/exits_run.hpp"

namespace crashsift::pipeline {

inline constexpr const char* watch_state_schema = "crashsift/watch-state/1";

class WatchState {
 public:
  // A missing file is a first start (an empty state). "" or why FILE cannot be used.
  std::string load(const std::string& path);
  // Written to FILE.tmp and renamed over FILE, so a crash leaves the old state or the new one.
  std::string save(const std::string& path) const;

  bool written(const classify::Exit& x) const { return written_.count(classify::exit_id(x)) != 0; }
  void note_written(const classify::Exit& x);
  // Also forgets the ids of exits too old to be read again from any later resume point.
  void set_position(const LivePosition& p, UsecUtc replay);

  const std::optional<LivePosition>& position() const { return position_; }
  // Where a restart reads from: `replay` before the position, or more if the watch that saved
  // it held its exits longer (a longer --settle).
  std::optional<LivePosition> resume_point(UsecUtc replay) const;
  size_t remembered() const { return written_.size(); }

 private:
  std::optional<LivePosition> position_;
  UsecUtc replay_ = 0;  // the longest replay span of the watches that saved this state
  std::map<std::string, UsecUtc> written_;  // exit id -> exit time (or the position when it left)
};

// How far back a restart reads: every exit the stopped watch may still have held (the tracker
// holds an exit up to about three settle windows behind the stream) and the output of the
// process before it, with a minute to spare.
UsecUtc watch_replay_span(UsecUtc settle);

}  // namespace crashsift::pipeline
