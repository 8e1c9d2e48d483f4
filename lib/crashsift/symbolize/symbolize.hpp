#pragma once
// Public entry points of the symbolize module: core dump -> CoreReport (backtrace.hpp).
//
//   symbolize_core()      full report, in a forked child with a time and memory limit (default);
//   read_core_identity()  cheap facts for matching a core to an exit (notes only, no libdw);
//   to_json()/core_format.hpp  the renderings.
//
// Nothing here prints and no exception escapes.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "crashsift/core/result.hpp"
#include "crashsift/symbolize/backtrace.hpp"

namespace crashsift::symbolize {

struct CoreRequest {
  std::string core_path;                // plain or .zst/.lz4/.xz/.gz core
  std::string exe;                      // --exe: the executable, when the core's path is wrong or gone
  std::string sysroot;                  // --sysroot: container root; files matched by build-id
  std::vector<std::string> debug_dirs;  // --debug-dir
  bool debuginfod = false;              // query DEBUGINFOD_URLS servers (hard timeout below)
  double timeout_sec = 60;              // wall-clock limit for the isolated child
  std::uint64_t memory_limit = 4ull << 30;  // RLIMIT_AS of the child, on top of the core's size
  std::uint32_t max_threads = 1024;
  std::uint32_t max_frames = 256;
  bool isolate = true;                  // false: run in this process (tests, debugging)
  std::string tmpdir;                   // for decompressed cores; "" = $TMPDIR or /var/tmp
};

// Symbolizes a core. Errors mean nothing usable came out (not a core, unreadable file); a
// partial result (timeout, crashed child, missing modules) is a CoreReport with complete=false
// and warnings.
Result<CoreReport> symbolize_core(const CoreRequest& request);

// The same, always in this process (what the isolated child runs).
Result<CoreReport> symbolize_core_in_process(const CoreRequest& request);

// What can be learnt from a core's notes alone, to match it to an exit (PID, executable, time).
struct CoreIdentity {
  std::string path;
  std::string compression;
  std::optional<std::int64_t> pid;
  std::optional<int> signal;
  std::string signal_name;
  std::string comm;
  std::string exe;
  std::string build_id;                 // of exe, from its first page in the core
  std::optional<std::int64_t> uid;
  std::string boot_id;                  // from a systemd-coredump file name
  std::optional<std::int64_t> time_usec;
  std::string time_source;              // "file-name" (systemd-coredump) or "mtime"
  std::string error;                    // non-empty: not a readable core (other fields may be partial)
};

CoreIdentity read_core_identity(const std::string& path);

// Facts from a systemd-coredump file name core.<comm>.<uid>.<boot>.<pid>.<usec>[.zst|.lz4|.xz].
struct CoredumpName {
  std::string comm, boot_id;
  std::int64_t uid = 0, pid = 0, time_usec = 0;
};
std::optional<CoredumpName> parse_coredump_name(const std::string& path);

}  // namespace crashsift::symbolize
