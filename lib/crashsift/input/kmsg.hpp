#pragma once
// /dev/kmsg: the kernel's ring buffer, one record per read:
//   "6,1234,10462678430,-;Memory cgroup out of memory: Killed process 202 (worker) ..."
// (priority, sequence number, µs since boot, flags; the text), followed by dictionary lines
// (" SUBSYSTEM=memory") that describe the record.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crashsift/core/diag.hpp"
#include "crashsift/core/event.hpp"
#include "crashsift/core/time.hpp"

namespace crashsift::input {

struct KmsgRecord {
  int priority = -1;          // the level (0 emerg .. 7 debug)
  std::uint64_t sequence = 0;
  std::uint64_t usec = 0;     // since boot
  std::string_view text;
};

// One record line ("prio,seq,usec,flags;text"); nullopt for anything else.
std::optional<KmsgRecord> parse_kmsg_record(std::string_view line);

// `crashsift watch --kernel`: follows /dev/kmsg (or a stream of its lines) on a thread of its
// own beside the journal being followed, for hosts and containers whose journal lacks the
// kernel's lines. Events are kernel events placed in time by the boot's realtime; drain() hands
// over what was read since the last call, without waiting.
class KmsgFollower {
 public:
  struct Options {
    std::string path = "/dev/kmsg";
    std::uint32_t input_index = 0;
    UsecUtc boot_time = 0;              // realtime of boot: record time = boot_time + usec
    std::string boot_id;                // "" when the records' boot is not known as an ID
    // Records before this are skipped (the ring buffer holds the boot's past); none: only
    // records written from now on are read.
    std::optional<UsecUtc> since;
  };
  explicit KmsgFollower(Options o);
  ~KmsgFollower();  // stops the thread
  KmsgFollower(const KmsgFollower&) = delete;
  KmsgFollower& operator=(const KmsgFollower&) = delete;

  // "" when the follower runs, else why it cannot (no permission to read /dev/kmsg, ...).
  const std::string& error() const;
  void drain(std::vector<Event>& out);
  // What was read: records, skips, lost records (the ring buffer overran us); at the end.
  InputReport report();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The realtime at which this boot started (now minus CLOCK_MONOTONIC).
UsecUtc this_boot_realtime();

}  // namespace crashsift::input
