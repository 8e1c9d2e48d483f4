#include <doctest/doctest.h>

#include "crashsift/core/event_wire.hpp"

using namespace crashsift;

namespace {

Event full_event() {
  Event e;
  e.time = 1764997200123456;
  e.time_has_usec = false;
  e.monotonic_usec = 987654321;
  e.boot_id = "0123456789abcdef0123456789abcdef";
  e.hostname = "web1";
  e.identifier = "systemd";
  e.pid = 1;
  e.comm = "systemd";
  e.systemd_unit = "init.scope";
  e.unit = "dispatch.service";
  e.invocation_id = "feedfacefeedfacefeedfacefeedface";
  e.message_id = message_ids::process_exit;
  e.message = std::string("dispatch.service: Main process exited, code=dumped, status=11/SEGV\0tail", 72);
  e.kernel = true;
  e.pasted = true;
  e.line_cut = true;
  e.priority = 5;
  e.exit_code = "dumped";
  e.exit_status = 11;
  e.command = "bun";
  e.unit_result = "core-dump";
  e.n_restarts = 7;
  e.memory_peak = "123456789";
  e.coredump_pid = 4242;
  e.coredump_signal = 11;
  e.coredump_unit = "dispatch.service";
  e.coredump_exe = "/usr/bin/bun";
  e.coredump_comm = "bun";
  e.coredump_filename = "/var/lib/systemd/coredump/core.bun.0.x.4242.1.zst";
  e.coredump_timestamp = 1764997200000000;
  e.origin.line = 17;
  e.origin.cursor = "s=1;i=2";
  e.origin.salvaged = true;
  return e;
}

void check_same(const Event& a, const Event& b) {
  CHECK(a.time == b.time);
  CHECK(a.time_has_usec == b.time_has_usec);
  CHECK(a.monotonic_usec == b.monotonic_usec);
  CHECK(a.boot_id == b.boot_id);
  CHECK(a.hostname == b.hostname);
  CHECK(a.identifier == b.identifier);
  CHECK(a.pid == b.pid);
  CHECK(a.comm == b.comm);
  CHECK(a.systemd_unit == b.systemd_unit);
  CHECK(a.unit == b.unit);
  CHECK(a.invocation_id == b.invocation_id);
  CHECK(a.message_id == b.message_id);
  CHECK(a.message == b.message);
  CHECK(a.kernel == b.kernel);
  CHECK(a.pasted == b.pasted);
  CHECK(a.line_cut == b.line_cut);
  CHECK(a.priority == b.priority);
  CHECK(a.exit_code == b.exit_code);
  CHECK(a.exit_status == b.exit_status);
  CHECK(a.command == b.command);
  CHECK(a.unit_result == b.unit_result);
  CHECK(a.n_restarts == b.n_restarts);
  CHECK(a.memory_peak == b.memory_peak);
  CHECK(a.coredump_pid == b.coredump_pid);
  CHECK(a.coredump_signal == b.coredump_signal);
  CHECK(a.coredump_unit == b.coredump_unit);
  CHECK(a.coredump_exe == b.coredump_exe);
  CHECK(a.coredump_comm == b.coredump_comm);
  CHECK(a.coredump_filename == b.coredump_filename);
  CHECK(a.coredump_timestamp == b.coredump_timestamp);
  CHECK(a.origin.line == b.origin.line);
  CHECK(a.origin.cursor == b.origin.cursor);
  CHECK(a.origin.salvaged == b.origin.salvaged);
}

}  // namespace

TEST_CASE("event wire: every member survives the round trip, and so does an empty event") {
  const Event full = full_event();
  Event empty;
  empty.clear();
  std::string buf;
  encode_event(full, buf);
  encode_event(empty, buf);
  std::string_view in = buf;
  Event got;
  REQUIRE(decode_event(in, got));
  check_same(full, got);
  REQUIRE(decode_event(in, got));  // reusing the Event: the previous values must not leak
  check_same(empty, got);
  CHECK(in.empty());
}

TEST_CASE("event wire: a cut or corrupt record is refused and the input left as it was") {
  std::string buf;
  encode_event(full_event(), buf);
  Event got;
  for (size_t cut = 0; cut < buf.size(); ++cut) {
    std::string_view in(buf.data(), cut);
    CHECK_FALSE(decode_event(in, got));
    CHECK(in.size() == cut);
  }
  std::string bad = buf;
  bad[5] = static_cast<char>(250);  // an unknown tag right after the flags byte
  std::string_view in = bad;
  CHECK_FALSE(decode_event(in, got));
}
