// exit_id(): what names one death across runs (crashsift-json(5), member "id").
#include <doctest/doctest.h>

#include "crashsift/classify/exit.hpp"

using crashsift::classify::Exit;
using crashsift::classify::ExitClass;
using crashsift::classify::exit_id;

namespace {

Exit death() {
  Exit x;
  x.hostname = "web1";
  x.boot_id = "6513270e269e0d37f2a74de452e6b438";
  x.unit = "orders.service";
  x.pid = 2248652;
  x.exited_at = 1777593620035562;
  return x;
}

}  // namespace

TEST_CASE("exit id: 16 lowercase hex digits, the same for the same death") {
  const std::string id = exit_id(death());
  CHECK(id.size() == 16);
  CHECK(id.find_first_not_of("0123456789abcdef") == std::string::npos);
  CHECK(exit_id(death()) == id);
}

TEST_CASE("exit id: later evidence does not change it") {
  Exit later = death();
  later.cls = ExitClass::oom;
  later.cause = "kernel-oom-kill";
  later.reason = "JavaScript heap out of memory";
  later.evidence.push_back({"kernel-oom", "Out of memory: Killed process 2248652 (node)", {}, {}});
  later.invocation_id = "0ed904759531985d5d9dc9f81818e811";
  later.input = 3;
  CHECK(exit_id(later) == exit_id(death()));
}

TEST_CASE("exit id: each identifying fact makes another id") {
  const std::string base = exit_id(death());
  Exit other = death();
  other.hostname = "web2";
  CHECK(exit_id(other) != base);
  other = death();
  other.boot_id = "7513270e269e0d37f2a74de452e6b438";
  CHECK(exit_id(other) != base);
  other = death();
  other.unit = "billing.service";
  CHECK(exit_id(other) != base);
  other = death();
  other.pid = 2248653;
  CHECK(exit_id(other) != base);
  other = death();
  other.pid.reset();
  CHECK(exit_id(other) != base);
  other = death();
  other.exited_at = *death().exited_at + 1;  // a crash loop restarts within the same second
  CHECK(exit_id(other) != base);
}

TEST_CASE("exit id: the parts do not run into each other") {
  Exit a = death(), b = death();
  a.hostname = "web1";
  a.unit = "x.service";
  b.hostname = "web1x";
  b.unit = ".service";
  CHECK(exit_id(a) != exit_id(b));
}
