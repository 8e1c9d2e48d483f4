#include "crashsift/input/event_runs.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <queue>

#include "crashsift/core/event_wire.hpp"
#include "crashsift/core/fd_io.hpp"

namespace crashsift::input {
namespace {
constexpr size_t write_batch = 256u << 10;
constexpr size_t read_batch = 64u << 10;
}  // namespace

EventRun::EventRun() { fd_ = open_unnamed_temporary(error_); }

EventRun::~EventRun() {
  if (fd_ >= 0) ::close(fd_);
}

void EventRun::add(const Event& e) {
  encode_event(e, out_);  // framed by its size: a reader knows how much to read before decoding
  ++events_;
  if (out_.size() >= write_batch) flush();
}

void EventRun::flush() {
  if (fd_ >= 0 && error_.empty() && !write_all(fd_, out_.data(), out_.size()))
    error_ = std::string("cannot write a temporary file: ") + std::strerror(errno);
  written_ += out_.size();
  out_.clear();
}

void EventRun::finish_writing() {
  flush();
  std::string().swap(out_);
}

// At least `need` unread bytes in in_, or false at the end of what was written.
bool EventRun::fill(size_t need) {
  if (in_.size() - in_pos_ >= need) return true;
  in_.erase(0, in_pos_);
  in_pos_ = 0;
  while (in_.size() < need && read_at_ < written_) {
    const size_t have = in_.size();
    const size_t want = static_cast<size_t>(std::min<std::uint64_t>(std::max(need - have, read_batch), written_ - read_at_));
    in_.resize(have + want);
    const ssize_t got = ::pread(fd_, in_.data() + have, want, static_cast<off_t>(read_at_));
    if (got <= 0) {
      in_.resize(have);
      if (got < 0 && errno == EINTR) continue;
      error_ = std::string("cannot read a temporary file back: ") + (got < 0 ? std::strerror(errno) : "short read");
      return false;
    }
    in_.resize(have + static_cast<size_t>(got));
    read_at_ += static_cast<std::uint64_t>(got);
  }
  return in_.size() >= need;
}

bool EventRun::next(Event& e) {
  if (fd_ < 0 || !error_.empty() || !fill(sizeof(std::uint32_t))) return false;
  std::uint32_t body = 0;
  std::memcpy(&body, in_.data() + in_pos_, sizeof body);
  if (!fill(sizeof body + body)) return false;
  std::string_view frame(in_.data() + in_pos_, sizeof body + body);
  if (!decode_event(frame, e)) {
    error_ = "a temporary file of events does not read back";
    return false;
  }
  e.origin.input = input_;
  in_pos_ += sizeof body + body;
  return true;
}

namespace {

// The journal orders entries by the time journald received them (the cursor's t=, hex µs), not
// by the sender's own _SOURCE_REALTIME_TIMESTAMP that Event::time prefers: a service's stdout
// line can be received after PID 1's record of its death although it was written before. Runs
// are merged back in the journal's own order.
std::optional<UsecUtc> journal_order(const Event& e) {
  const std::string& c = e.origin.cursor;
  for (size_t at = 0; at < c.size();) {
    const size_t end = std::min(c.find(';', at), c.size());
    if (c.compare(at, 2, "t=") == 0) {
      std::uint64_t t = 0;
      size_t i = at + 2;
      for (; i < end && i < at + 2 + 15 && std::isxdigit(static_cast<unsigned char>(c[i])); ++i)
        t = t * 16 + static_cast<std::uint64_t>(std::isdigit(static_cast<unsigned char>(c[i])) ? c[i] - '0' : (c[i] | 0x20) - 'a' + 10);
      if (i == end && i > at + 2) return static_cast<UsecUtc>(t);  // at most 15 hex digits: no overflow
    }
    at = end + 1;
  }
  return e.time;
}

}  // namespace

void merge_event_runs(const std::vector<EventRun*>& runs, const EventSink& sink, const EventSink& on_duplicate) {
  std::vector<Event> heads(runs.size());
  std::vector<std::optional<UsecUtc>> keys(runs.size());
  // Earliest first; ties to the earlier run. Events without a time sort before every timed one.
  const auto later = [&keys](size_t a, size_t b) {
    const auto& ta = keys[a];
    const auto& tb = keys[b];
    if (ta.has_value() != tb.has_value()) return ta.has_value();
    if (ta && *ta != *tb) return *ta > *tb;
    return a > b;
  };
  std::priority_queue<size_t, std::vector<size_t>, decltype(later)> queue(later);
  const auto advance = [&](size_t i) {
    if (!runs[i]->next(heads[i])) return;
    keys[i] = journal_order(heads[i]);
    queue.push(i);
  };
  for (size_t i = 0; i < runs.size(); ++i) advance(i);
  std::optional<UsecUtc> last_key;
  std::vector<std::string> cursors_at_last_key;
  while (!queue.empty()) {
    const size_t i = queue.top();
    queue.pop();
    const Event& e = heads[i];
    if (keys[i] != last_key) {
      last_key = keys[i];
      cursors_at_last_key.clear();
    }
    bool duplicate = false;
    if (!e.origin.cursor.empty()) {
      duplicate = std::find(cursors_at_last_key.begin(), cursors_at_last_key.end(), e.origin.cursor) !=
                  cursors_at_last_key.end();
      if (!duplicate) cursors_at_last_key.push_back(e.origin.cursor);
    }
    if (!duplicate) sink(e);
    else if (on_duplicate) on_duplicate(e);
    advance(i);
  }
}

}  // namespace crashsift::input
