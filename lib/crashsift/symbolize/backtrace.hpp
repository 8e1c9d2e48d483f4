#pragma once
// Plain data for one core dump turned into backtraces (contract "crashsift/core/1"). Producers:
// the libdwfl core reader (core_reader.hpp), the systemd-coredump journal parser
// (journal_backtrace.hpp) and the JSON reader (core_json.hpp, used to bring results back from the
// isolated child). Consumers: core_format.hpp, core_json.hpp, signature.hpp. Nothing here
// computes; every fact that may be unknown is optional or empty (JSON null).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace crashsift::symbolize {

// How a frame was found (rust-minidump FrameTrust). "context": registers saved in the core;
// "cfi": DWARF call-frame info of the callee; "frame-pointer": rbp chain (no CFI for the
// callee); "scan": stack scanning; "journal": copied from a systemd-coredump journal message.
enum class Trust { context, cfi, frame_pointer, scan, journal, unknown };
const char* trust_name(Trust t);
Trust trust_from_name(std::string_view name);

// A function inlined into a physical frame; innermost first. file/line/column are where the
// pc is inside this function (for the innermost) or the call site of the next inner one.
struct InlineFrame {
  std::string function;  // demangled
  std::string file;
  std::optional<std::uint32_t> line, column;
};

struct Frame {
  std::uint32_t index = 0;            // physical frame number, 0 = innermost
  std::uint64_t pc = 0;               // as unwound (return address for callers)
  std::string module;                 // module base name ("libc.so.6"), empty = unmapped
  std::optional<std::uint64_t> module_offset;  // pc - module load address
  std::string function;               // demangled; empty when no symbol covers the pc
  std::vector<InlineFrame> inlined;   // inlined callees at this pc, innermost first
  std::string file;                   // source location inside `function`
  std::optional<std::uint32_t> line, column;
  Trust trust = Trust::unknown;
  bool activation = false;            // pc is exact (frame 0 or signal frame): not adjusted by -1
};

struct Thread {
  std::int64_t tid = 0;
  bool crashing = false;
  bool truncated = false;             // the frame bound was hit
  std::string error;                  // why unwinding stopped early, if it did
  std::vector<Frame> frames;
};

struct Module {
  std::string name;                   // as the core names it (NT_FILE path, "[vdso: N]", ...)
  std::string build_id;               // lowercase hex, empty if none
  std::uint64_t load_address = 0;
  std::uint64_t end_address = 0;
  std::string elf_path;               // file used for the module, empty = not found
  std::string found_by;               // "core-path", "exe-option", "sysroot", "debug-dir", "build-id", "debuginfod"
  std::string symbols;                // "symtab", "debuginfo", "minidebuginfo", "dynsym", "none"
  std::string debuginfo;              // "embedded", "separate", "missing", "not-searched" (no frame in it)
  std::string debuginfo_path;
  std::string debuginfo_found_by;     // "embedded", "build-id", "debuglink", "debug-dir", "sysroot", "debuginfod", ...
};

struct Crash {
  std::optional<int> signal;          // e.g. 11
  std::string signal_name;            // "SIGSEGV"
  std::optional<int> si_code;
  std::string si_code_name;           // "SEGV_MAPERR", "SI_TKILL", ...
  std::optional<std::uint64_t> fault_address;
  std::string fault_hint;             // "null page", "non-canonical address", "near stack pointer (stack overflow?)"
  std::optional<std::int64_t> sender_pid;  // for SI_USER/SI_TKILL: who sent the signal
  std::optional<std::int64_t> pid;
  std::optional<std::int64_t> crashing_tid;
  std::optional<std::int64_t> uid;
  std::string comm;                   // NT_PRPSINFO pr_fname (15 chars max)
  std::string cmdline;                // NT_PRPSINFO pr_psargs (80 chars max, truncated by the kernel)
  std::string exe;                    // mapping that holds AT_ENTRY, from NT_FILE
  std::string arch;                   // "x86_64", "aarch64", ...
  std::optional<double> uptime_sec;   // process age at the crash when known
  std::optional<std::int64_t> time_usec;  // crash time (systemd file name, else file mtime)
  std::string time_source;            // "file-name", "mtime"
};

struct Signature {
  std::string hash;                   // 12 hex digits (FNV-1a 64 of `text`)
  std::string text;                   // "SIGSEGV: a < b < c"
  bool symbolized = true;             // false: built from module+offset (groups one build only)
};

struct Warning {
  std::string code;                   // kebab-case, stable
  std::string message;
};

struct Limits {
  std::uint32_t max_threads = 1024;
  std::uint32_t max_frames = 256;
  std::uint32_t threads_total = 0;    // threads in the core
  bool threads_truncated = false;     // max_threads was hit
};

struct CoreReport {
  std::string source = "core";        // "core" or "journal"
  std::string path;
  std::string compression;            // "", "zstd", "lz4", "xz", "gzip"
  std::optional<std::uint64_t> file_size, apparent_size;
  std::string backend;                // "libdwfl", "journal", "notes-only"
  Crash crash;
  std::optional<Signature> signature;
  std::vector<Thread> threads;        // crashing thread first
  std::vector<Module> modules;
  Limits limits;
  std::vector<Warning> warnings;
  bool complete = true;               // false: partial (timeout, child crash, unreadable parts)
};

}  // namespace crashsift::symbolize
