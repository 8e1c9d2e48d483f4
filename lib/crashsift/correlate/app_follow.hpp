#pragma once
// `crashsift watch --app [UNIT=]FILE`: the app logs followed as they grow, so that an exit
// written live gets the memory and activity samples before it, as after the fact. Each spec's
// current file (the last one given: app.ndjson, not app.ndjson.1) is read from its recent end
// at the start and from where it was left at each catch-up; a file replaced (rotation, new
// inode) or cut short (copytruncate) is read again from its start. Samples older than the
// window the exits need are forgotten, so memory stays flat over days.
#include <cstdint>
#include <string>
#include <vector>

#include "crashsift/correlate/sample_series.hpp"
#include "crashsift/input/app_files.hpp"
#include "crashsift/input/app_ndjson.hpp"

namespace crashsift::correlate {

class AppFollower {
 public:
  // keep: how much history before "now" an exit can ask for (the --window and a margin).
  AppFollower(std::vector<input::AppInputSpec> specs, input::AppReadOptions options, UsecUtc keep);

  // Reads what was appended since the last call; forgets what is older than now - keep.
  void catch_up(UsecUtc now);
  const std::vector<AppData>& apps() const { return apps_; }

  // Bytes of the current file read at the start: its last part, enough for the recent window.
  static constexpr std::uint64_t initial_tail_bytes = 8u << 20;

 private:
  struct Followed {
    std::string path;
    std::uint64_t device = 0, inode = 0, offset = 0;
    bool opened = false;
    bool skip_to_newline = false;  // the bytes up to the next newline are no whole line (or too long)
    bool skip_counted = false;     // ... and that line was already counted (reported as too long)
    std::string partial;           // the last line, not yet ended by a newline
    std::uint64_t line = 0;
  };
  void read_new(size_t i);
  void take_line(size_t i, std::string_view line);
  std::string over_line_limit() const;

  input::AppReadOptions options_;
  UsecUtc keep_;
  std::vector<AppData> apps_;
  std::vector<Followed> files_;  // one per app
  input::AppRecord record_;
};

}  // namespace crashsift::correlate
