#include "exits_options.hpp"

#include <algorithm>
#include <cstdio>
#include <thread>
#include <unistd.h>

#include "crashsift/core/text.hpp"

namespace crashsift::tool {

namespace {

std::optional<UsecUtc> parse_when(const std::string& s, const Zone& zone, const char* what) {
  if (s.empty()) return std::nullopt;
  auto t = parse_time_spec(s, zone, now_usec());
  if (!t) throw CLI::ValidationError(what, "cannot read time '" + s + "'");
  return t;
}

std::optional<UsecUtc> parse_boot_time(const std::string& s, const Zone& zone) {
  if (s.empty()) return std::nullopt;
  double secs = 0;
  if (parse_double(s, secs)) return static_cast<UsecUtc>(secs * 1e6);
  return parse_when(s, zone, "--kernel-boot-time");
}

}  // namespace

void add_input_options(CLI::App* app, ExitsOptions& o) {
  app->add_option("INPUT", o.inputs,
                  "Journal inputs: journalctl text (short, short-iso, short-precise, short-unix, short-full, "
                  "with-unit, verbose, cat), -o json / json-seq, -o export, native .journal files or "
                  "directories, dmesg/kmsg text, and pasted evidence in any mix (systemctl status, coredumpctl "
                  "info/list, syslog, shell, supervisor and container lines, runtime stderr); '-' is standard input; "
                  ".gz .zst .xz .lz4 are decompressed; http(s)://HOST:19531 reads a host's systemd-journal-gatewayd. "
                  "No INPUT: the local system journal.");
  app->add_option("-D,--directory", o.directories, "Read the native journal files in DIR (like journalctl -D)")
      ->allow_extra_args(false)
      ->group("Input");
  app->add_option("--file", o.files, "Read this native journal file (repeatable, like journalctl --file)")
      ->allow_extra_args(false)
      ->group("Input");
  add_remote_options(app, o, true);
  app->add_option("--input-format", o.input_format, "Force the input format instead of detecting it")
      ->check(CLI::IsMember(input::format_names()))
      ->group("Input");
  app->add_option("--year", o.year, "Year for `short` timestamps, which have none (default: from the file's mtime)")
      ->group("Input");
  app->add_option("--kernel-boot-time", o.kernel_boot_time,
                  "When the host booted (ISO time or epoch seconds): places dmesg [seconds] stamps in time so "
                  "kernel OOM/segfault lines can be matched to exits by time")
      ->group("Input");
  app->add_flag("--verify", o.verify_journals,
               "Check native journal files libsystemd reads without error against the file format: every "
               "payload against its hash, every entry item against its object (catches flipped bytes that "
               "libsystemd passes on silently; about 50% more time on native journals)")
      ->group("Input");
  app->add_option("--native-read", o.native_read,
                  "Native journals: 'index' (default) finds the exits through the files' field index and reads "
                  "output lines only around them; 'scan' reads every entry (also finds a runtime's crash text "
                  "in a process that no exit, kill line or core names, and output lines a directory's earlier file holds: "
                  "a process started before a rotation). Files journald did not close (*.journal~) and --verify always "
                  "scan")
      ->check(CLI::IsMember({"index", "scan"}))
      ->group("Input");
  app->add_option("-j,--jobs", o.jobs,
                  "Threads for parsing journal JSON and export, and prefiltering app logs, in parallel blocks; for a "
                  "directory of native journals, the readers of the next N files (at most 4) start early (default: "
                  "the number of cores). The result is the same whatever N")
      ->check(CLI::Range(1u, 256u))
      ->group("Input");
  app->add_option("--max-line", o.max_line,
                  "Skip (and report) lines longer than this without buffering them (default 16M)")
      ->group("Input");
}

void add_remote_options(CLI::App* app, ExitsOptions& o, bool fleet) {
  if (fleet) {
    app->add_option("--hosts", o.hosts_file,
                    "Read the systemd-journal-gatewayd hosts listed in FILE (one URL or NAME=URL per line, '#' "
                    "comments) beside any URL given as INPUT")
        ->group("Remote hosts");
    app->add_option("--max-hosts-in-flight", o.max_hosts_in_flight, "Read at most N hosts at once (default 8)")
        ->check(CLI::Range(1u, 1024u))
        ->group("Remote hosts");
  }
  app->add_option("--connect-timeout", o.connect_timeout,
                  "Seconds to wait for a host to accept the connection (default 10)")
      ->check(CLI::PositiveNumber)
      ->group("Remote hosts");
  if (fleet) {
    app->add_option("--read-timeout", o.read_timeout,
                    "Give up on a host that sends nothing for this many seconds (default 30)")
        ->check(CLI::PositiveNumber)
        ->group("Remote hosts");
  }
  app->add_option("--trust", o.trust,
                  "https: check the hosts' certificates against this CA bundle (PEM), or 'all' to check none")
      ->group("Remote hosts");
  app->add_option("--cert", o.cert, "https: present this client certificate (PEM)")->group("Remote hosts");
  app->add_option("--key", o.key, "https: the client certificate's private key (PEM)")->group("Remote hosts");
}

void add_app_options(CLI::App* app, ExitsOptions& o) {
  app->add_option("--app", o.apps,
                  "App telemetry log ([UNIT=]FILE, repeatable, globs; rotated FILE.1, FILE.2.gz are read in "
                  "order): attach to every exit the memory and activity samples before it")
      ->allow_extra_args(false)
      ->group("App telemetry");
  app->add_option("--field", o.fields,
                  "Override an app log field: time=PATH, rss=PATH, heap=PATH, activity=PATH, event=PATH "
                  "(dotted paths)")
      ->allow_extra_args(false)
      ->group("App telemetry");
  app->add_option("--app-tz", o.app_tz, "Zone for app timestamps without an offset (default UTC)")
      ->group("App telemetry");
  app->add_option("--window", o.window, "Window before each exit for peak rss and slope (default 10min)")
      ->group("App telemetry");
  app->add_option("--memory-limit", o.memory_limit,
                  "The unit's memory limit (MemoryMax=, e.g. 24G): judges whether memory explains a death; with "
                  "--app and no journal, a lifetime ending near it is an inferred OOM")
      ->group("App telemetry");
}

void add_core_options(CLI::App* app, ExitsOptions& o) {
  app->add_option("--cores", o.core_dirs,
                  "Directory of core dumps (e.g. /var/lib/systemd/coredump; .zst/.lz4/.xz cores too): attach each "
                  "core to the exit it belongs to (PID, boot, time, executable) with its crash signature and top "
                  "frames. systemd-coredump's COREDUMP_FILENAME is followed too; when the core is gone, the "
                  "backtrace in its journal entry is used instead")
      ->allow_extra_args(false)
      ->group("Core dumps");
  app->add_option("--core-timeout", o.core_timeout, "Seconds allowed to symbolize one core (default 30)")
      ->group("Core dumps");
  app->add_flag("--debuginfod", o.debuginfod,
                "Also fetch the debug files of stripped binaries from the DEBUGINFOD_URLS servers (cached in "
                "DEBUGINFOD_CACHE_PATH; bounded by --core-timeout)")
      ->group("Core dumps");
}

void add_selection_options(CLI::App* app, ExitsOptions& o) {
  app->add_option("-u,--unit", o.units, "Only exits of units matching GLOB (repeatable; 'app' means app.service)")
      ->allow_extra_args(false)
      ->group("Selection");
  app->add_option("--host", o.hosts,
                  "Only exits of hosts (_HOSTNAME) matching GLOB (repeatable): one host of a journal-remote "
                  "directory or of a fleet's journals")
      ->allow_extra_args(false)
      ->group("Selection");
  app->add_option("--since", o.since, "Only exits at or after TIME (ISO, '2026-06-28 09:00', '09:00', '-2h', 'today')")
      ->group("Selection");
  app->add_option("--until", o.until, "Only exits at or before TIME")->group("Selection");
  app->add_option("-b,--boot", o.boots, "Only exits of this boot: id prefix, or 0 = last boot, -1 = the one before")
      ->allow_extra_args(false)
      ->group("Selection");
  app->add_option("--pid", o.pids, "Only exits of this main PID (repeatable)")
      ->allow_extra_args(false)->group("Selection");
  app->add_option("--class", o.classes,
                  "Only exits of these classes (comma-separated: clean, self-exit, segfault, oom, watchdog, "
                  "timeout, killed, unknown)")
      ->allow_extra_args(false)
      ->group("Selection");
  app->add_option("--fail-on", o.fail_on,
                  "Exit with status 1 when any selected exit is of one of these classes (comma-separated, "
                  "'all' = every class but clean): a CI gate")
      ->allow_extra_args(false)
      ->group("Selection");
}

// Every core: since blocks are read without zero-filling, parsed in place and filled slot by
// slot, and the reading thread parses blocks itself while it waits, -j2 on a 2-vCPU VM takes
// 0.65-0.7x the wall time of -j1 on the 1 GiB journals (bench/README.md).
unsigned default_jobs() { return std::max(1u, std::thread::hardware_concurrency()); }

pipeline::ExitsQuery make_query(const ExitsOptions& o) {
  validate_zone(o.out.tz);
  if (!o.app_tz.empty()) validate_zone(o.app_tz);
  pipeline::ExitsQuery q;
  for (const auto& in : o.inputs) {
    if (input::is_gatewayd_url(in)) q.hosts.push_back(input::host_from_url(in));
    else q.inputs.push_back(in);
  }
  if (!o.hosts_file.empty()) {
    auto listed = input::read_hosts_file(o.hosts_file);
    if (!listed) throw CLI::ValidationError("--hosts", listed.error());
    q.hosts.insert(q.hosts.end(), listed->begin(), listed->end());
  }
  q.gatewayd.tls = {o.trust, o.cert, o.key};
  // At least 1 ms (libcurl reads 0 as "its default" or "never"), at most a day.
  const auto millis = [](double seconds) { return static_cast<long>(std::clamp(seconds * 1000, 1.0, 86'400'000.0)); };
  q.gatewayd.connect_timeout_ms = millis(o.connect_timeout);
  q.gatewayd.read_timeout_ms = millis(o.read_timeout);
  q.gatewayd.max_in_flight = o.max_hosts_in_flight;
  q.journal_dirs = o.directories;
  q.journal_files = o.files;
  q.input_format = o.input_format;
  const Zone zone = resolve_zone(o.out);
  q.parse.zone = zone;
  q.parse.year = o.year;
  q.parse.verify_journals = o.verify_journals;
  q.parse.native_by_index = o.native_read == "index";
  q.parse.jobs = o.jobs ? o.jobs : default_jobs();
  q.parse.kernel_boot_time = parse_boot_time(o.kernel_boot_time, zone);
  auto max_line = parse_size(o.max_line);
  if (!max_line) throw CLI::ValidationError("--max-line", "cannot read size '" + o.max_line + "'");
  q.parse.max_line = static_cast<size_t>(*max_line);
  q.selection.unit_globs = o.units;
  q.selection.host_globs = o.hosts;
  q.selection.since = parse_when(o.since, zone, "--since");
  q.selection.until = parse_when(o.until, zone, "--until");
  q.selection.boots = o.boots;
  q.selection.pids = o.pids;
  q.selection.classes = parse_classes(o.classes);
  q.app_args = o.apps;
  for (const auto& f : o.fields)
    if (auto r = input::parse_field_override(f, q.app_options.fields); !r)
      throw CLI::ValidationError("--field", f + ": " + r.error());
  q.app_options.zone = o.app_tz.empty() ? Zone::utc() : Zone(o.app_tz);
  q.app_options.max_line = q.parse.max_line;
  q.app_options.jobs = q.parse.jobs;
  const auto window = parse_duration_seconds(o.window);
  if (!window || *window <= 0) throw CLI::ValidationError("--window", "expected a duration like 10min, 90s, 1h");
  q.window_s = *window;
  if (!o.memory_limit.empty()) {
    q.memory_limit = parse_size(o.memory_limit);
    if (!q.memory_limit) throw CLI::ValidationError("--memory-limit", "cannot read size '" + o.memory_limit + "'");
  }
  q.core_dirs = o.core_dirs;
  q.use_coredump_entries = true;  // journal backtraces cost nothing: always attach them
  q.core_settings.timeout_sec = o.core_timeout;
  q.core_settings.debuginfod = o.debuginfod;
  if (isatty(STDERR_FILENO) == 1 && !o.quiet)
    q.progress = [](const std::string& line) { std::fprintf(stderr, "\r\x1b[K%s", line.c_str()); };
  return q;
}


}  // namespace crashsift::tool
