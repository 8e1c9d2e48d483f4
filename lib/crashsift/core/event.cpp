#include "crashsift/core/event.hpp"

namespace crashsift {

void Event::clear() {
  time.reset();
  time_has_usec = true;
  monotonic_usec.reset();
  boot_id.clear();
  hostname.clear();
  machine_id.clear();
  identifier.clear();
  pid.reset();
  comm.clear();
  systemd_unit.clear();
  unit.clear();
  invocation_id.clear();
  message_id.clear();
  message.clear();
  kernel = false;
  pasted = false;
  line_cut = false;
  priority = -1;
  exit_code.clear();
  exit_status.reset();
  command.clear();
  unit_result.clear();
  n_restarts.reset();
  memory_peak.clear();
  coredump_pid.reset();
  coredump_signal.reset();
  coredump_unit.clear();
  coredump_exe.clear();
  coredump_comm.clear();
  coredump_filename.clear();
  coredump_timestamp.reset();
  origin.line = 0;
  origin.cursor.clear();
  origin.salvaged = false;
}

}  // namespace crashsift
