#pragma once
// The documented exit statuses (man/crashsift.1, EXIT STATUS).
namespace crashsift::tool {
inline constexpr int exit_ok = 0;
inline constexpr int exit_findings = 1;   // --fail-on (or --baseline) matched
inline constexpr int exit_usage = 2;      // usage error, or nothing usable was read
inline constexpr int exit_internal = 3;   // a bug: please report
}  // namespace crashsift::tool
