// `crashsift watch [INPUT]`: a live stream of journal entries (`journalctl -f -o export |
// crashsift watch -`), each death classified and written as soon as its evidence has settled.
#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <memory>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "cli.hpp"
#include "command.hpp"
#include "crashsift/input/parser.hpp"
#include "crashsift/pipeline/exit_hooks.hpp"
#include "crashsift/pipeline/live_loops.hpp"
#include "crashsift/pipeline/watch_state.hpp"
#include "crashsift/pipeline/exits_run.hpp"
#include "crashsift/report/exits_report.hpp"
#include "exit_status.hpp"
#include "exits_options.hpp"
#include "journal_sender.hpp"
#include "crashsift/report/exit_fields.hpp"

namespace crashsift::tool {

namespace {

// SIGINT and SIGTERM end the stream, not the process: what is held is still written.
volatile std::sig_atomic_t stop_requested = 0;
void request_stop(int) { stop_requested = 1; }

void stop_on_signals() {
  struct sigaction sa {};
  sa.sa_handler = request_stop;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: a blocked read returns, and the stream ends there
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

struct WatchOptions {
  ExitsOptions exits;
  std::string input;      // a stream ("-" = stdin); none: the local journal or --directory
  std::string directory;
  double settle_sec = 10;
  std::string state_file;
  bool kernel = false;
  std::string kernel_from;
  pipeline::HookOptions hooks;
};

using Cores = std::vector<std::pair<size_t, report::CoreAttachment>>;

void say(const std::vector<std::string>& messages) {
  for (const auto& m : messages) std::fprintf(stderr, "crashsift watch: %s\n", m.c_str());
}

// Each exit's crashsift/exit/1 line, as the NDJSON writer writes it: a hook's stdin, the
// journal entry's CRASHSIFT_JSON.
std::vector<std::string> ndjson_lines(const std::vector<classify::Exit>& exits, const Cores& cores,
                                      const std::vector<InputReport>& inputs, const report::BatchSamples& samples) {
  std::string all;
  report::make_ndjson_exits_writer([&](std::string_view s) { all.append(s); })->write_final(exits, cores, inputs, samples);
  std::vector<std::string> lines;
  for (size_t from = 0, nl; (nl = all.find('\n', from)) != std::string::npos; from = nl + 1)
    lines.push_back(all.substr(from, nl + 1 - from));
  return lines;
}

// Where each settled exit goes: the chosen format on stdout (or the journal), and the hooks.
class WatchOutput {
 public:
  WatchOutput(const WatchOptions& o, report::Emit emit)
      : format_(o.exits.out.format), emit_(emit), zone_(resolve_zone(o.exits.out)) {
    const report::TextStyle style{resolve_zone(o.exits.out), resolve_color(o.exits.out), o.exits.evidence};
    writer_ = format_ == "ndjson" ? report::make_ndjson_exits_writer(emit) : report::make_text_exits_writer(style, emit);
    if (!o.hooks.command.empty()) hooks_ = std::make_unique<pipeline::ExitHooks>(o.hooks);
    if (format_ == "journal")
      if (const std::string why = journal_unavailable(); !why.empty()) refuse_journal(why);
  }

  void write(const std::vector<classify::Exit>& exits, const Cores& cores, const std::vector<InputReport>& inputs,
             const report::BatchSamples& samples) {
    if (exits.empty()) return;
    // Each exit's JSON is made once: the ndjson output's line, the journal's CRASHSIFT_JSON and
    // the hook's stdin are the same text.
    std::vector<std::string> json;
    if (hooks_ || format_ != "text") json = ndjson_lines(exits, cores, inputs, samples);
    if (format_ == "ndjson")
      for (const auto& line : json) emit_(line);
    else
      for (size_t i = 0; i < exits.size(); ++i)
        write_one(exits[i], report::core_at(cores, i), samples.of(i), inputs, json, i);
    if (hooks_) {
      // The hook's environment besides its JSON on stdin (crashsift-watch(1)).
      for (size_t i = 0; i < exits.size() && i < json.size(); ++i)
        hooks_->submit({json[i], report::exit_fields(exits[i])});
      say(hooks_->take_messages());
    }
  }

  // Exits written before that a late record explained since (a core written after the settle
  // window): the same exit again, marked as its update, in every output and hook.
  void write_updates(const std::vector<classify::Exit>& exits, const Cores& cores, const std::vector<InputReport>& inputs,
                     const report::BatchSamples& samples) {
    for (size_t i = 0; i < exits.size(); ++i) {
      const classify::Exit& x = exits[i];
      const report::CoreAttachment* core = report::core_at(cores, i);
      const std::string json = report::format_exit_update_ndjson(x, inputs, core, samples.of(i), samples.how_of(i));
      std::string message = "update: " + report::exit_summary_line(x, core) + "; PID " +
                            (x.pid ? std::to_string(*x.pid) : std::string("?")) + " exited " +
                            (x.exited_at ? format_in_zone(*x.exited_at, zone_, x.time_has_usec) : std::string("?")) +
                            "; evidence now:";
      for (const auto& e : x.evidence) message += " " + e.role;
      if (!x.coredump_filename.empty()) message += "; core " + x.coredump_filename;
      if (format_ == "ndjson") emit_(json);
      else if (format_ == "journal" && !journal_refused_) send_to_journal(x, message, json, true);
      else emit_("    " + message + "\n");
      if (hooks_) {
        auto env = report::exit_fields(x);
        env.emplace_back("CRASHSIFT_UPDATE", "1");
        hooks_->submit({json, std::move(env)});
      }
    }
    if (hooks_) say(hooks_->take_messages());
  }

  void finish(const report::ExitsReport& r) {
    writer_->finish(r);
    if (journal_sent_) std::fprintf(stderr, "crashsift watch: %llu exits written to the journal\n",
                                    static_cast<unsigned long long>(journal_sent_));
    if (!hooks_) return;
    const pipeline::HookStats st = hooks_->finish();
    say(hooks_->take_messages());
    std::fprintf(stderr, "crashsift watch: hooks: %llu run, %llu failed, %llu timed out, %llu dropped\n",
                 static_cast<unsigned long long>(st.started), static_cast<unsigned long long>(st.failed),
                 static_cast<unsigned long long>(st.timed_out), static_cast<unsigned long long>(st.dropped));
  }

 private:
  // Text and journal: exit by exit, a failure that repeats within ten minutes said with it.
  void write_one(const classify::Exit& x, const report::CoreAttachment* core, const correlate::SamplesSummary* samples,
                 const std::vector<InputReport>& inputs, const std::vector<std::string>& json, size_t i) {
    std::optional<std::string> streak;
    if (auto s = loops_.note(x); s && pipeline::streak_worth_saying(*s)) streak = pipeline::describe_streak(x.unit, *s);
    if (format_ == "journal" && !journal_refused_ && i < json.size() &&
        send_to_journal(x, report::exit_summary_line(x, core) + (streak ? "; " + *streak : ""), json[i], false))
      return;
    Cores one;
    if (core) one.push_back({0, *core});
    report::BatchSamples one_samples;
    if (samples) one_samples.summaries.push_back(*samples);
    writer_->write_final({x}, one, inputs, one_samples);
    if (streak) emit_("    " + *streak + "\n");
  }

  // False when the journal refused it (said once; text from here on).
  bool send_to_journal(const classify::Exit& x, const std::string& message, const std::string& json, bool update) {
    std::vector<std::string> entry = report::exit_journal_entry(x, message, json);
    if (update) entry.push_back("CRASHSIFT_UPDATE=1");
    const std::string error = send_journal_entry(entry);
    if (error.empty()) {
      ++journal_sent_;
      return true;
    }
    refuse_journal("the journal refused an entry: " + error);
    if (update) emit_("    " + message + "\n");
    return false;
  }

  // Nothing is lost: the rows go to standard output from here on.
  void refuse_journal(const std::string& why) {
    journal_refused_ = true;
    std::fprintf(stderr, "crashsift watch: error: %s; writing text to standard output\n", why.c_str());
  }

  std::string format_;
  report::Emit emit_;
  Zone zone_;
  std::unique_ptr<report::ExitsWriter> writer_;
  std::unique_ptr<pipeline::ExitHooks> hooks_;
  pipeline::LiveLoops loops_;
  bool journal_refused_ = false;
  std::uint64_t journal_sent_ = 0;
};

// --state FILE: loaded at the start, saved whenever exits were written (and every few seconds
// while the position moves), so that a restart neither misses nor repeats an exit.
class SavedState {
 public:
  SavedState(std::string path, UsecUtc settle) : path_(std::move(path)), replay_(pipeline::watch_replay_span(settle)) {}

  std::string load() { return state_.load(path_); }

  // The local journal or -D is read again from before the saved position; a stream (stdin)
  // cannot be: there only the exits already written are kept from going out again.
  void resume(pipeline::ExitsQuery::Live& live, bool journal_followed) {
    live.written_before = [this](const classify::Exit& x) {
      if (!state_.written(x)) return false;
      ++repeats_;
      return true;
    };
    live.on_position = [this](const pipeline::LivePosition& p) {
      state_.set_position(p, replay_);
      save(false);
    };
    const auto& at = state_.position();
    if (!at) return;
    std::fprintf(stderr, "crashsift watch: --state %s: read up to %s, %zu exits written recently%s\n", path_.c_str(),
                 format_rfc3339_utc(at->time).c_str(), state_.remembered(),
                 journal_followed ? "; reading again from a while before" : "; a stream is not rewound");
    if (journal_followed) live.resume = state_.resume_point(replay_);
  }

  void note_written(const std::vector<classify::Exit>& exits) {
    for (const auto& x : exits) state_.note_written(x);
    dirty_ = dirty_ || !exits.empty();
  }

  void finish() {
    save(true);
    if (repeats_)
      std::fprintf(stderr, "crashsift watch: %llu exits written before this start (--state) were not written again\n",
                   static_cast<unsigned long long>(repeats_));
  }

 private:
  void save(bool now) {
    const auto t = std::chrono::steady_clock::now();
    if (!now && !dirty_ && t - saved_at_ < std::chrono::seconds(5)) return;
    if (const std::string error = state_.save(path_); !error.empty()) {
      if (!failing_) std::fprintf(stderr, "crashsift watch: error: --state: %s\n", error.c_str());
      failing_ = true;
      return;
    }
    failing_ = false;
    dirty_ = false;
    saved_at_ = t;
  }

  std::string path_;
  UsecUtc replay_;
  pipeline::WatchState state_;
  std::uint64_t repeats_ = 0;
  bool dirty_ = false, failing_ = false;
  std::chrono::steady_clock::time_point saved_at_{};
};

int run(WatchOptions& o) {
  pipeline::ExitsQuery q;
  std::vector<classify::ExitClass> fail_on;
  if (!o.input.empty() && !o.directory.empty()) {
    std::fprintf(stderr, "crashsift watch: error: give a stream (INPUT) or a journal directory (-D), not both\n");
    return exit_usage;
  }
  if (!o.input.empty()) o.exits.inputs = {o.input};
  if (!o.directory.empty()) o.exits.directories = {o.directory};
  o.exits.jobs = 1;
  try {
    q = make_query(o.exits);
    fail_on = parse_classes(o.exits.fail_on);
    if (q.hosts.size() > 1 || (!q.hosts.empty() && !q.inputs.empty()))
      throw CLI::ValidationError("INPUT", "watch follows one input: one gatewayd URL (run one watch per host)");
  } catch (const CLI::ValidationError& e) {
    std::fprintf(stderr, "crashsift watch: error: %s\n", e.what());
    return exit_usage;
  }
  q.live = pipeline::ExitsQuery::Live{};
  q.live->settle = static_cast<UsecUtc>(o.settle_sec * usec_per_sec);
  q.live->stop = [] { return stop_requested != 0; };
  if (o.kernel || !o.kernel_from.empty()) {
    q.live->kernel = o.kernel_from.empty() ? "/dev/kmsg" : o.kernel_from;
    // A service that was asked for the kernel's lines and cannot have them says so at once.
    const int fd = ::open(q.live->kernel.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
      std::fprintf(stderr, "crashsift watch: error: --kernel: cannot read %s: %s%s\n", q.live->kernel.c_str(),
                   std::strerror(errno),
                   errno == EPERM || errno == EACCES ? " (reading the kernel's log needs root or CAP_SYSLOG)" : "");
      return exit_usage;
    }
    ::close(fd);
  }
  std::optional<SavedState> state;
  if (!o.state_file.empty()) {
    state.emplace(o.state_file, q.live->settle);
    if (const std::string error = state->load(); !error.empty()) {
      std::fprintf(stderr, "crashsift watch: error: --state: %s\n", error.c_str());
      return exit_usage;
    }
    state->resume(*q.live, o.input.empty() || !q.hosts.empty());
  }
  stop_on_signals();
  OutputSink sink(o.exits.out);
  if (!sink.ok()) return exit_usage;
  WatchOutput out(o, [&](std::string_view s) { sink.write(s); });
  bool matched = false;
  auto fails = [&](const classify::Exit& x) { return std::find(fail_on.begin(), fail_on.end(), x.cls) != fail_on.end(); };
  q.on_final_exits = [&](std::vector<classify::Exit>& exits, const Cores& cores, const std::vector<InputReport>& inputs,
                         const report::BatchSamples& samples) {
    out.write(exits, cores, inputs, samples);
    sink.flush();  // a death is on the reader's screen (or in its pipe) the moment it is known
    if (state) state->note_written(exits);
    matched = matched || std::any_of(exits.begin(), exits.end(), fails);
  };
  q.on_exit_updates = [&](std::vector<classify::Exit>& exits, const Cores& cores, const std::vector<InputReport>& inputs,
                          const report::BatchSamples& samples) {
    out.write_updates(exits, cores, inputs, samples);
    sink.flush();
    matched = matched || std::any_of(exits.begin(), exits.end(), fails);
  };
  if (!pipeline::streams_exits(q)) {
    std::fprintf(stderr, "crashsift watch: error: -b with an offset needs every boot first; give a boot ID prefix\n");
    return exit_usage;
  }
  report::ExitsReport r = pipeline::run_exits(q);
  const std::string diag = report::format_input_diagnostics(r);
  if (!o.exits.quiet || !r.usable()) std::fputs(diag.c_str(), stderr);
  if (!r.usable()) {
    std::fprintf(stderr, "crashsift: error: nothing usable was read from the input\n");
    sink.close();
    return exit_usage;
  }
  // The exits still held when the stream ended go out like the others; finish() only counts them.
  report::BatchSamples held_samples;
  held_samples.summaries = r.samples;
  held_samples.how = r.samples_how;
  out.write(r.exits, r.cores, r.inputs, held_samples);
  if (state) {
    state->note_written(r.exits);
    state->finish();
  }
  matched = matched || std::any_of(r.exits.begin(), r.exits.end(), fails);
  for (const auto& x : r.exits) ++r.streamed_by_class[std::string(classify::to_string(x.cls))];
  r.streamed_exits += r.exits.size();
  r.exits.clear();
  r.cores.clear();
  out.finish(r);
  if (!sink.close()) return exit_usage;
  return matched ? exit_findings : exit_ok;
}

}  // namespace

void register_watch(CLI::App& root, Commands& commands) {
  auto opts = std::make_shared<WatchOptions>();
  CLI::App* app = root.add_subcommand(
      "watch", "Follow a live journal stream and write each death, classified, as soon as its evidence has settled");
  app->footer(
      "Examples: crashsift watch   (the local journal, from now on)\n"
      "          journalctl -f -o export | crashsift watch -\n"
      "          crashsift watch http://web1:19531   (a host's systemd-journal-gatewayd)\n"
      "Exit status: 0 the stream ended; 1 an exit matched --fail-on; 2 usage error or nothing usable read; "
      "3 internal error.\nSee crashsift-watch(1) and crashsift-json(5).");
  app->add_option("INPUT", opts->input,
                  "A stream: '-' (standard input) or a FIFO; journalctl -o export, json or any text form, "
                  "compressed or not (a regular file is read to its end, not followed); or http(s)://HOST:19531, a "
                  "host's systemd-journal-gatewayd, followed with ?follow. None: follow the local journal")
      ->group("Input");
  app->add_option("-D,--directory", opts->directory,
                  "Follow the journal files in DIR (and its machine-ID subdirectories) as they are written, "
                  "new and rotated files too")
      ->group("Input");
  app->add_option("--input-format", opts->exits.input_format, "Force the input format instead of detecting it")
      ->check(CLI::IsMember(input::format_names()))
      ->group("Input");
  app->add_option("--year", opts->exits.year, "Year for `short` timestamps, which have none (default: from the file's mtime)")
      ->group("Input");
  app->add_option("--settle", opts->settle_sec,
                  "Seconds an exit waits for its later evidence (the kernel's kill line, the coredump record, "
                  "PID 1's result line) before it is written; evidence later still (up to ten minutes) is written "
                  "as an update of that exit")
      ->check(CLI::Range(0.0, 3600.0))
      ->group("Input");
  app->add_flag("--kernel", opts->kernel,
                "Also follow the kernel's log (/dev/kmsg) for OOM kill and fault lines the journal lacks "
                "(containers, journals without kernel lines); needs root or CAP_SYSLOG")
      ->group("Input");
  app->add_option("--kernel-from", opts->kernel_from,
                  "Like --kernel, but read /dev/kmsg record lines from PATH (a FIFO fed by `ssh HOST cat "
                  "/dev/kmsg`); their times are placed by --kernel-boot-time, else by this host's boot")
      ->group("Input");
  app->add_option("--kernel-boot-time", opts->exits.kernel_boot_time,
                  "When the boot of the --kernel-from records started (a time), to place their stamps")
      ->group("Input");
  app->add_option("--state", opts->state_file,
                  "Keep the position read up to (the journal cursor) and the exits written in FILE: a restarted "
                  "watch reads the journal again from before it and writes each exit once, none missed, none "
                  "twice")
      ->group("Input");
  add_remote_options(app, opts->exits, false);
  add_selection_options(app, opts->exits);
  add_core_options(app, opts->exits);
  add_app_options(app, opts->exits);
  app->add_option("--exec", opts->hooks.command,
                  "Run CMD (with /bin/sh -c) for each exit written: the exit's JSON on its standard input, "
                  "CRASHSIFT_EXIT_ID, _UNIT, _CLASS, _CAUSE, _REASON, _PID, _PROCESS, _CODE, _SIGNAL, _HOST and "
                  "_EXITED_AT in its environment, its output on our stderr. Never holds the watch up")
      ->group("Hooks");
  app->add_option("--exec-timeout", opts->hooks.timeout_sec, "Seconds a hook may run before it is killed (default 30)")
      ->check(CLI::Range(0.0, 86400.0))
      ->group("Hooks");
  app->add_option("--exec-jobs", opts->hooks.max_running, "Hooks running at once at most (default 4)")
      ->check(CLI::Range(1u, 256u))
      ->group("Hooks");
  app->add_option("--exec-queue", opts->hooks.max_queued,
                  "Hooks waiting to run at most (default 100); more are dropped, counted and said")
      ->check(CLI::Range(size_t{1}, size_t{1000000}))
      ->group("Hooks");
  app->add_flag("--evidence", opts->exits.evidence, "Text: print the deciding lines under each exit")->group("Output");
  app->add_flag("-q,--quiet", opts->exits.quiet, "Do not report skipped lines on stderr")->group("Output");
  app->add_option("--format", opts->exits.out.format,
                  "Output format: text (default, one line per exit), ndjson (one crashsift/exit/1 object per "
                  "line, then a summary when the stream ends) or journal (one entry per exit in the local journal, "
                  "MESSAGE_ID=" + std::string(report::exit_message_id) + ", its facts in CRASHSIFT_* fields)")
      ->check(CLI::IsMember({"text", "ndjson", "journal"}))
      ->group("Output");
  add_display_options(*app, opts->exits.out);
  commands.push_back({app, [opts] { return run(*opts); }});
}

}  // namespace crashsift::tool
