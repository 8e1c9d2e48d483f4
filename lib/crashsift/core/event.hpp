#pragma once
// The normalized journal event every input parser produces. Only the fields crashsift reasons
// about are kept; parsers reuse one Event and call clear() between entries, so the strings keep
// their capacity and parsing a record allocates nothing in the steady state.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "crashsift/core/time.hpp"

namespace crashsift {

// Where an event came from, for evidence lines: "journal.export:2355" or a cursor.
struct Origin {
  std::uint32_t input = 0;   // index into the run's input list
  std::uint64_t line = 0;    // 1-based line (text forms) or first line of the entry
  std::string cursor;        // __CURSOR when the form carries one (json, export, native)
  bool salvaged = false;     // recovered from a damaged native journal by the salvage reader
};

struct Event {
  std::optional<UsecUtc> time;           // _SOURCE_REALTIME_TIMESTAMP or the entry's realtime
  bool time_has_usec = true;             // false for forms printed to the second (short, short-iso)
  std::optional<std::uint64_t> monotonic_usec;
  std::string boot_id;
  std::string hostname;
  std::string machine_id;                // _MACHINE_ID: the host, whatever its name at the time
  std::string identifier;                // SYSLOG_IDENTIFIER, else _COMM (the text "ident[pid]:" tag)
  std::optional<std::int64_t> pid;       // _PID, else SYSLOG_PID
  std::string comm;                      // _COMM
  std::string systemd_unit;              // _SYSTEMD_UNIT: the unit the logging process runs in
  std::string unit;                      // UNIT= / USER_UNIT=: the unit PID 1 is talking about
  std::string invocation_id;             // INVOCATION_ID (PID 1) or _SYSTEMD_INVOCATION_ID
  std::string message_id;
  std::string message;
  bool kernel = false;                   // _TRANSPORT=kernel or a dmesg/kmsg line
  // A line of pasted text that is no journal record (a `systemctl status` header, a shell's or
  // supervisor's message, raw stderr): message holds the line as written, nothing else is known.
  bool pasted = false;
  bool line_cut = false;                 // _LINE_BREAK=line-max: journald split a long line
  int priority = -1;
  // PID 1 exit record (MESSAGE_ID 98e32220...): EXIT_CODE / EXIT_STATUS / COMMAND.
  std::string exit_code;
  std::optional<int> exit_status;
  std::string command;
  std::string unit_result;               // UNIT_RESULT (d9b373ed...)
  std::optional<int> n_restarts;         // N_RESTARTS (5eb03494...)
  std::string memory_peak;               // MEMORY_PEAK (bytes, from the resource line)
  // systemd-coredump entry (MESSAGE_ID fc2e22bc...).
  std::optional<std::int64_t> coredump_pid;
  std::optional<int> coredump_signal;
  std::string coredump_unit;
  std::string coredump_exe;
  std::string coredump_comm;
  std::string coredump_filename;
  std::optional<UsecUtc> coredump_timestamp;
  Origin origin;

  void clear();
  // Frees a message buffer of more than `keep` bytes. Events parsed into many reused slots
  // (a parallel parse's blocks) would otherwise each keep the capacity of the longest message
  // they ever held, and memory would grow with the input.
  void release_long_message(size_t keep) {
    if (message.capacity() > keep) std::string().swap(message);
  }
};

using EventSink = std::function<void(const Event&)>;

// Well-known MESSAGE_IDs (src/systemd/sd-messages.h).
namespace message_ids {
inline constexpr const char* process_exit = "98e322203f7a4ed290d09fe03c09fe15";
inline constexpr const char* unit_failed = "d9b373ed55a64feb8242e02dbe79a49c";
inline constexpr const char* unit_success = "7ad2d189f7e94e70a38c781354912448";
inline constexpr const char* restart_scheduled = "5eb03494b6584870a536b337290809b3";
inline constexpr const char* unit_resources = "ae8f7b866b0347b9af31fe1c80b127c0";
inline constexpr const char* unit_oom = "fe6faa94e7774663a0da52717891d8ef";
inline constexpr const char* unit_oomd_kill = "d989611b15e44c9dbf31e3c81256e4ed";
inline constexpr const char* unit_starting = "7d4958e842da4a758f6c1cdc7b36dcc5";
inline constexpr const char* unit_started = "39f53479d3a045ac8e11786248231fbf";
inline constexpr const char* unit_start_failed = "be02cf6855d2428ba40df7e9d022f03d";
inline constexpr const char* unit_stopping = "de5b426a63be47a7b6ac3eaac82e2f6f";
inline constexpr const char* unit_stopped = "9d1aaa27d60140bd96365438aad20286";
inline constexpr const char* spawn_failed = "641257651c1b4ec9a8624d7a40a9e1e7";
inline constexpr const char* coredump = "fc2e22bc6ee647b6b90729ab34a250b1";
}  // namespace message_ids

}  // namespace crashsift
