// PID 1 logs through the kernel buffer early in boot and after switch-root: in a journal those
// entries are _TRANSPORT=kernel with SYSLOG_IDENTIFIER=systemd (seen on systemd's own no-rtc
// test journal: 6 exits were lost natively that its short-iso rendering kept); in dmesg text
// they are kernel lines "systemd[1]: foo.service: ...". Both are the service manager's lines.
#include <doctest/doctest.h>

#include "crashsift/classify/tracker.hpp"
#include "support/events.hpp"
#include "support/track.hpp"

using namespace crashsift;
using namespace crashsift::classify;
using namespace crashsift::test;

TEST_CASE("service manager lines that came through the kernel buffer are PID 1's") {
  Event e = pid1(t0, "initrd-switch-root.service: Deactivated successfully.");
  e.kernel = true;  // _TRANSPORT=kernel, SYSLOG_IDENTIFIER=systemd
  Event crash = pid1(t0 + ms(5), "early.service: Main process exited, code=dumped, status=11/SEGV");
  crash.kernel = true;
  const auto c = track({e, crash});
  REQUIRE(c.exits.size() == 2);
  CHECK(c.exits[0].unit == "initrd-switch-root.service");
  CHECK(c.exits[0].cls == ExitClass::clean);
  CHECK(c.exits[1].unit == "early.service");
  CHECK(c.exits[1].cls == ExitClass::segfault);
  CHECK(c.exits[1].signal == "SEGV");
}

TEST_CASE("dmesg text: 'systemd[1]: ...' kernel lines are the service manager's, other kernel lines are not") {
  const auto c = track({kernel(t0, "systemd[1]: early.service: Main process exited, code=exited, status=1/FAILURE"),
                      kernel(t0 + ms(1), "systemd[1]: early.service: Failed with result 'exit-code'."),
                      kernel(t0 + ms(2), "usb 1-1: new high-speed USB device number 2 using xhci_hcd")});
  REQUIRE(c.exits.size() == 1);
  CHECK(c.exits[0].unit == "early.service");
  CHECK(c.exits[0].cls == ExitClass::self_exit);
  CHECK(c.exits[0].code == 1);
  CHECK(c.exits[0].unit_result == "exit-code");
}
