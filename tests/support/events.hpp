#pragma once
// Builders for hand-made event streams (the minidump-synth role): a few lines per scenario.
#include <string>

#include "crashsift/core/event.hpp"

namespace crashsift::test {

inline constexpr UsecUtc t0 = 1795420661000000;  // 2026-11-23T07:57:41Z

inline Event pid1(UsecUtc t, std::string message, std::string boot = "b1") {
  Event e;
  e.time = t;
  e.identifier = "systemd";
  e.pid = 1;
  e.boot_id = std::move(boot);
  e.message = std::move(message);
  return e;
}

inline Event output(UsecUtc t, std::string ident, std::int64_t pid, std::string message, std::string unit = "",
                    std::string boot = "b1") {
  Event e;
  e.time = t;
  e.identifier = std::move(ident);
  e.pid = pid;
  e.systemd_unit = std::move(unit);
  e.boot_id = std::move(boot);
  e.message = std::move(message);
  return e;
}

inline Event kernel(UsecUtc t, std::string message) {
  Event e;
  e.time = t;
  e.kernel = true;
  e.identifier = "kernel";
  e.message = std::move(message);
  return e;
}

inline UsecUtc ms(std::int64_t n) { return n * 1000; }

}  // namespace crashsift::test
