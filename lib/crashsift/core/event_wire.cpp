#include "crashsift/core/event_wire.hpp"

#include <array>
#include <cstdint>
#include <cstring>
#include <optional>

namespace crashsift {

namespace {

// Record: u32 body length, then the body: a flags byte, then (tag, value) pairs. Strings are
// u32 length + bytes; numbers are 8 bytes. Tags index the tables below, so adding an Event
// member means adding one table row.
constexpr std::array<std::string Event::*, 18> string_members{
    &Event::boot_id,        &Event::hostname,        &Event::identifier,      &Event::comm,
    &Event::systemd_unit,   &Event::unit,            &Event::invocation_id,   &Event::message_id,
    &Event::message,        &Event::exit_code,       &Event::command,         &Event::unit_result,
    &Event::memory_peak,    &Event::coredump_unit,   &Event::coredump_exe,    &Event::coredump_comm,
    &Event::coredump_filename, &Event::machine_id};

// Optional numbers, all carried as int64.
enum NumberTag : std::uint8_t {
  num_time = 100,
  num_monotonic,
  num_pid,
  num_exit_status,
  num_n_restarts,
  num_coredump_pid,
  num_coredump_signal,
  num_coredump_timestamp,
  num_priority,
  num_line,
  str_cursor,
};

enum Flag : std::uint8_t { f_usec = 1, f_kernel = 2, f_pasted = 4, f_line_cut = 8, f_salvaged = 16 };

void put_u32(std::string& out, std::uint32_t v) { out.append(reinterpret_cast<const char*>(&v), sizeof v); }
void put_i64(std::string& out, std::uint8_t tag, std::int64_t v) {
  out.push_back(static_cast<char>(tag));
  out.append(reinterpret_cast<const char*>(&v), sizeof v);
}
void put_str(std::string& out, std::uint8_t tag, const std::string& s) {
  if (s.empty()) return;
  out.push_back(static_cast<char>(tag));
  put_u32(out, static_cast<std::uint32_t>(s.size()));
  out.append(s);
}
template <class T>
void put_opt(std::string& out, std::uint8_t tag, const std::optional<T>& v) {
  if (v) put_i64(out, tag, static_cast<std::int64_t>(*v));
}

bool set_number(Event& e, std::uint8_t tag, std::int64_t v) {
  switch (tag) {
    case num_time: e.time = v; return true;
    case num_monotonic: e.monotonic_usec = static_cast<std::uint64_t>(v); return true;
    case num_pid: e.pid = v; return true;
    case num_exit_status: e.exit_status = static_cast<int>(v); return true;
    case num_n_restarts: e.n_restarts = static_cast<int>(v); return true;
    case num_coredump_pid: e.coredump_pid = v; return true;
    case num_coredump_signal: e.coredump_signal = static_cast<int>(v); return true;
    case num_coredump_timestamp: e.coredump_timestamp = v; return true;
    case num_priority: e.priority = static_cast<int>(v); return true;
    case num_line: e.origin.line = static_cast<std::uint64_t>(v); return true;
    default: return false;
  }
}

}  // namespace

void encode_event(const Event& e, std::string& out) {
  const size_t start = out.size();
  put_u32(out, 0);  // body length, patched below
  const std::uint8_t flags = (e.time_has_usec ? f_usec : 0) | (e.kernel ? f_kernel : 0) | (e.pasted ? f_pasted : 0) |
                             (e.line_cut ? f_line_cut : 0) | (e.origin.salvaged ? f_salvaged : 0);
  out.push_back(static_cast<char>(flags));
  for (std::uint8_t i = 0; i < string_members.size(); ++i)
    put_str(out, i, e.*string_members[i]);
  put_opt(out, num_time, e.time);
  put_opt(out, num_monotonic, e.monotonic_usec);
  put_opt(out, num_pid, e.pid);
  put_opt(out, num_exit_status, e.exit_status);
  put_opt(out, num_n_restarts, e.n_restarts);
  put_opt(out, num_coredump_pid, e.coredump_pid);
  put_opt(out, num_coredump_signal, e.coredump_signal);
  put_opt(out, num_coredump_timestamp, e.coredump_timestamp);
  if (e.priority >= 0) put_i64(out, num_priority, e.priority);
  if (e.origin.line) put_i64(out, num_line, static_cast<std::int64_t>(e.origin.line));
  put_str(out, str_cursor, e.origin.cursor);
  const auto body = static_cast<std::uint32_t>(out.size() - start - sizeof(std::uint32_t));
  std::memcpy(out.data() + start, &body, sizeof body);
}

bool decode_event(std::string_view& in, Event& e) {
  std::string_view rest = in;
  std::uint32_t body_size = 0;
  if (!wire_take(rest, body_size) || body_size < 1 || body_size > rest.size()) return false;
  std::string_view body = rest.substr(0, body_size);
  e.clear();
  std::uint8_t flags = 0;
  wire_take(body, flags);
  e.time_has_usec = flags & f_usec;
  e.kernel = flags & f_kernel;
  e.pasted = flags & f_pasted;
  e.line_cut = flags & f_line_cut;
  e.origin.salvaged = flags & f_salvaged;
  while (!body.empty()) {
    std::uint8_t tag = 0;
    wire_take(body, tag);
    if (tag < string_members.size() || tag == str_cursor) {
      std::uint32_t n = 0;
      if (!wire_take(body, n) || n > body.size()) return false;
      std::string& target = tag == str_cursor ? e.origin.cursor : e.*string_members[tag];
      target.assign(body.data(), n);
      body.remove_prefix(n);
      continue;
    }
    std::int64_t v = 0;
    if (!wire_take(body, v) || !set_number(e, tag, v)) return false;
  }
  in = rest.substr(body_size);
  return true;
}

}  // namespace crashsift
