#pragma once
// The last output lines of one live process, kept by the tracker to find the main process of an
// exit and its crash message. Bounded: a fixed ring of lines per process, plus the last crash
// header ("panic: ...") that a long dump would push out of the ring.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crashsift/classify/crash_message.hpp"
#include "crashsift/core/event.hpp"

namespace crashsift::classify {

// One kept output line. Only the line number is kept, not the cursor: cursors are ~120 bytes
// and a tail holds many lines for every live process.
struct OutputLine {
  std::string text;
  std::uint32_t input = 0;
  std::uint64_t line = 0;
  std::optional<UsecUtc> time;
  std::uint64_t seq = 0;       // position among the process's lines (one message may hold many)
  Origin origin() const { return Origin{input, line, {}}; }
};

// The last output lines of one live process, in a fixed ring (strings keep their capacity).
struct ProcessTail {
  std::string host;            // machine_key(): the machine ID, else the hostname
  std::string boot_id;
  std::int64_t pid = 0;
  std::string identifier;
  std::string unit;            // _SYSTEMD_UNIT when the form has it
  std::string invocation_id;
  std::optional<UsecUtc> first_time, last_time;
  std::uint64_t order = 0;     // arrival order of the last line, for forms without time
  std::vector<OutputLine> ring;
  size_t next = 0, count = 0;
  std::string runtime;
  // The last crash-dump header, kept aside: a goroutine dump or a long trace pushes it out of the ring.
  std::optional<OutputLine> header;
  std::uint64_t pushed = 0;

  void push(std::string_view text, const Event& e, size_t cap, size_t max_chars) {
    if (ring.size() < cap) ring.resize(cap);
    ++pushed;
    if (is_crash_header(text))
      header = OutputLine{std::string(text.substr(0, max_chars)), e.origin.input, e.origin.line, e.time, pushed};
    OutputLine& slot = ring[next];
    slot.text.assign(text.substr(0, max_chars));
    slot.input = e.origin.input;
    slot.line = e.origin.line;
    slot.time = e.time;
    slot.seq = pushed;
    next = (next + 1) % cap;
    count = std::min(count + 1, cap);
  }
  // Oldest first; the kept crash header first of all when it has left the ring.
  std::vector<const OutputLine*> lines() const {
    std::vector<const OutputLine*> out;
    const size_t cap = ring.size();
    if (header && count == cap && count > 0 && ring[next % cap].seq > header->seq) out.push_back(&*header);
    for (size_t k = 0; k < count; ++k) out.push_back(&ring[(next + cap - count + k) % cap]);
    return out;
  }
};

}  // namespace crashsift::classify
