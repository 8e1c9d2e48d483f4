#pragma once
// Finds the crash message in a process's last output lines (formats.md §5): Bun panics, V8
// fatal errors, uncaught JS errors (Node and Bun layouts), Go/Rust panics, Python tracebacks,
// and plain "fatal: ..." lines. journald stores one entry per output line, so these arrive
// as separate lines and are reassembled here.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace crashsift::classify {

struct CrashMessage {
  std::string text;      // the reason line (Rust: header + message joined)
  std::string kind;      // "bun-panic", "bun-out-of-memory", "v8-heap-limit", "v8-fatal-error",
                         // "jsc-out-of-memory", "uncaught-exception", "unhandled-rejection",
                         // "go-panic", "go-fatal-error", "go-out-of-memory", "rust-panic",
                         // "python-exception", "python-memory-error", "fatal-message"
  size_t line_index = 0; // index into the lines given
};

// lines: oldest first.
std::optional<CrashMessage> find_crash_message(const std::vector<std::string_view>& lines);

// "Bun v1.3.13" from "Bun v1.3.13 (bf2e2cec) Linux x64" or "Bun v1.4.5 (Linux x64)";
// "Node.js v20.20.2". Empty when the line names no runtime.
// The first line of a runtime's crash dump ("panic: ...", "fatal error: ...", "Traceback ...",
// "FATAL ERROR: ...", "SIGABRT: abort"): kept aside per process, because a goroutine dump or a
// long stack can push it out of the bounded output tail.
bool is_crash_header(std::string_view line);

std::string find_runtime_version(std::string_view line);

// True when the crash kind means the runtime's own heap was exhausted.
bool is_runtime_heap_oom(std::string_view kind);

}  // namespace crashsift::classify
