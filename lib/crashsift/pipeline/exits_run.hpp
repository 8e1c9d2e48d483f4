#pragma once
// The `exits` pipeline as a library call: open every input, detect its format, stream it into
// the ExitTracker, classify, then apply the selection. The CLI only fills ExitsQuery and prints.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "crashsift/classify/exit.hpp"
#include "crashsift/core/diag.hpp"
#include "crashsift/core/time.hpp"
#include "crashsift/input/app_ndjson.hpp"
#include "crashsift/input/gatewayd.hpp"
#include "crashsift/input/parser.hpp"
#include "crashsift/report/exits_report.hpp"
#include "crashsift/symbolize/symbolize.hpp"

namespace crashsift::pipeline {

struct Selection {
  std::vector<std::string> unit_globs;       // -u; a name without ".service" also matches X.service
  std::optional<UsecUtc> since, until;
  std::vector<std::string> boots;            // boot id prefixes, or offsets "0", "-1" (0 = last boot)
  std::vector<std::int64_t> pids;
  std::vector<classify::ExitClass> classes;
  std::vector<std::string> host_globs;       // --host: the exit's _HOSTNAME
};

// How far a live stream has been read: its latest entry's time and cursor ("" when the form
// has none: text, a stream without __CURSOR).
struct LivePosition {
  UsecUtc time = 0;
  std::string cursor;
};

struct ExitsQuery {
  std::vector<std::string> inputs;           // files, "-" (stdin), directories; empty = local journal
  std::vector<std::string> journal_dirs;     // -D
  std::vector<std::string> journal_files;    // --file
  // systemd-journal-gatewayd URLs (INPUT http(s)://..., --hosts FILE): one input of many hosts,
  // read after the others.
  std::vector<input::GatewaydHost> hosts;
  input::GatewaydOptions gatewayd;           // TLS, timeouts, hosts in flight (units: from -u)
  std::string input_format = "auto";         // --input-format
  input::ParseOptions parse;                 // zone, year, max_line, kernel boot time
  Selection selection;
  // --app [UNIT=]FILE...: app telemetry logs whose samples are attached to each exit.
  std::vector<std::string> app_args;
  input::AppReadOptions app_options;
  double window_s = 600;                     // --window
  std::optional<std::uint64_t> memory_limit; // --memory-limit: app-only mode infers OOM near it
  // --cores DIR...: core files to attach (also systemd-coredump's COREDUMP_FILENAME when it
  // exists); symbolized in an isolated child with these settings.
  std::vector<std::string> core_dirs;
  bool use_coredump_entries = false;         // attach journal backtraces even without --cores
  symbolize::CoreRequest core_settings;
  // When set, exits are handed here as soon as they are final — classified, selected, in time
  // order — while the input is still read, and forgotten: memory stays flat however many exits
  // the input holds. Not used with --app or a boot offset (-b -1), which need every exit
  // first, nor live with several inputs; the report then holds the exits left at the end and
  // counts the others (streamed_exits). With several inputs (read one after another, so not in
  // one time order) the last `hold_exits_across_inputs` exits wait for the later inputs'
  // evidence and copies of them. `inputs` names the inputs for evidence origins.
  // `cores`: the core or journal backtrace of those exits that have one, by index into `exits`.
  // `samples`: with --app in a live run, the app samples before each of those exits.
  using FinalExits = std::function<void(std::vector<classify::Exit>& exits,
                                        const std::vector<std::pair<size_t, report::CoreAttachment>>& cores,
                                        const std::vector<InputReport>& inputs, const report::BatchSamples& samples)>;
  FinalExits on_final_exits;
  size_t hold_exits_across_inputs = 4096;  // about 2 KB each
  // Live: exits on_final_exits already had, which a record that came after their settle window
  // explains (a core written late): the same exits (same id), classified again.
  FinalExits on_exit_updates;
  // Called with a progress line (e.g. "reading big.json: 1.2 GB of 4.0 GB") for big inputs.
  std::function<void(const std::string&)> progress;

  // A live input (`crashsift watch`): one stream (a pipe from `journalctl -f -o export`, a
  // FIFO), read as it comes. An exit leaves `settle` after its time (later evidence is no
  // longer joined to it). While the stream is quiet its time goes on from its last entry by the
  // time that passed since, so exits leave without waiting for the next line, and a replayed
  // old stream is timed by its own entries, not by today's date. Needs on_final_exits.
  struct Live {
    UsecUtc settle = 10 * usec_per_sec;
    int idle_ms = 250;
    std::function<std::int64_t()> steady_usec;  // a monotonic clock in µs; a test can pin it
    std::function<bool()> stop;                 // true: end the stream here (a signal came)
    // A restarted watch (--state): the local journal or -D is read again from `resume`, and
    // exits for which written_before() says yes are not handed on a second time.
    std::optional<LivePosition> resume;
    std::function<bool(const classify::Exit&)> written_before;
    // Where the stream has been read to: after exits were handed on, while it is quiet, and
    // at its end.
    std::function<void(const LivePosition&)> on_position;
    // Also follow the kernel's ring buffer (/dev/kmsg, or a stream of its record lines) beside
    // the input: for journals without the kernel's lines (containers).
    std::string kernel;
  };
  std::optional<Live> live;
};

using ExitsRun = report::ExitsReport;

ExitsRun run_exits(const ExitsQuery& query);

// Exposed for tests.
bool streams_exits(const ExitsQuery& query);
bool unit_matches(const std::string& unit, const std::vector<std::string>& globs);
bool exit_selected(const classify::Exit& x, const Selection& s, const std::vector<std::string>& boot_order);

}  // namespace crashsift::pipeline
