#pragma once
// Events of several streams, each in its own time order, kept in unlinked temporary files while
// the streams are read (in parallel, at different speeds: hosts of a fleet, the filtered
// requests to one host), then handed on merged into one time order. Memory holds one event and
// a small read buffer per stream, whatever the streams' sizes.
#include <cstdint>
#include <string>
#include <vector>

#include "crashsift/core/event.hpp"

namespace crashsift::input {

class EventRun {
 public:
  EventRun();  // in $TMPDIR (or /tmp); error() says why it could not be made
  ~EventRun();
  EventRun(const EventRun&) = delete;
  EventRun& operator=(const EventRun&) = delete;

  // Writing (one thread at a time).
  void add(const Event& e);
  void finish_writing();
  std::uint64_t size() const { return events_; }
  // The input index the events read back carry (origin.input is not kept in the file).
  void set_input(std::uint32_t index) { input_ = index; }

  // Reading, after finish_writing: false at the end or on a read error (error()).
  bool next(Event& e);
  const std::string& error() const { return error_; }

 private:
  void flush();
  bool fill(size_t need);
  int fd_ = -1;
  std::string out_;
  std::uint64_t written_ = 0, read_at_ = 0, events_ = 0;
  std::uint32_t input_ = 0;
  std::string in_;
  size_t in_pos_ = 0;
  std::string error_;
};

// Hands on every run's events in time order (a k-way merge; untimed events first, ties to the
// earlier run). An entry that two runs hold (the same cursor at the same time: one journal entry
// matched by two filtered requests) is handed on once; the copies go to on_duplicate.
void merge_event_runs(const std::vector<EventRun*>& runs, const EventSink& sink, const EventSink& on_duplicate = {});

}  // namespace crashsift::input
