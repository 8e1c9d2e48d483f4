#include "crashsift/pipeline/exits_run.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <map>
#include <memory>
#include <set>
#include <sys/stat.h>
#include <unistd.h>

#include "crashsift/classify/rules.hpp"
#include "crashsift/classify/tracker.hpp"
#include "crashsift/core/fd_io.hpp"
#include "crashsift/core/text.hpp"
#include "crashsift/correlate/app_follow.hpp"
#include "crashsift/correlate/app_lifetimes.hpp"
#include "crashsift/correlate/sample_series.hpp"
#include "crashsift/correlate/window.hpp"
#include "crashsift/input/byte_source.hpp"
#include "crashsift/input/gatewayd_follow.hpp"
#include "crashsift/input/journal_follow.hpp"
#include "crashsift/input/journal_native.hpp"
#include "crashsift/input/kmsg.hpp"
#include "crashsift/pipeline/exit_cores.hpp"
#include "crashsift/pipeline/exits_app.hpp"
#include "crashsift/pipeline/input_reading.hpp"

namespace crashsift::pipeline {

namespace {

// A watch restarted with --state over gatewayd re-reads this many entries before the saved
// cursor (gatewayd 252 seeks by cursor and count, not by time); those before the replay span
// are dropped again.
constexpr unsigned follow_entries_back = 5000;
// The journal inputs of a run: paths, -D directories, --file journals (one), hosts (one), or
// the local journal.
size_t count_journal_inputs(const ExitsQuery& q) {
  const bool none = q.inputs.empty() && q.journal_dirs.empty() && q.journal_files.empty() && q.hosts.empty();
  return q.inputs.size() + q.journal_dirs.size() + (q.journal_files.empty() ? 0 : 1) + (q.hosts.empty() ? 0 : 1) +
         (none ? 1 : 0);
}

std::optional<UsecUtc> file_mtime(const std::string& path) {
  struct stat st {};
  if (path == "-" || ::stat(path.c_str(), &st) != 0) return std::nullopt;
  return static_cast<UsecUtc>(st.st_mtim.tv_sec) * usec_per_sec + st.st_mtim.tv_nsec / 1000;
}

class Runner {
 public:
  explicit Runner(const ExitsQuery& q) : q_(q) {}

  ExitsRun run() {
    std::uint32_t index = 0;
    streaming_ = streams_exits(q_);
    classify::StreamWindows windows = q_.live ? classify::StreamWindows::live(q_.live->settle) : classify::StreamWindows{};
    if (count_journal_inputs(q_) > 1) windows.hold_exits = std::max<size_t>(q_.hold_exits_across_inputs, 2);
    tracker_.stream_final_exits(streaming_, windows);
    const bool no_journal = q_.inputs.empty() && q_.journal_dirs.empty() && q_.journal_files.empty() && q_.hosts.empty();
    if (no_journal && !q_.app_args.empty()) return run_app_only(q_);
    if (q_.live && streaming_ && !q_.live->kernel.empty())
      follow_kernel(static_cast<std::uint32_t>((no_journal ? 1 : 0) + q_.journal_dirs.size() +
                                               (q_.journal_files.empty() ? 0 : 1) + q_.inputs.size() + q_.hosts.size()));
    if (no_journal) {
      input::NativeSource src;
      src.units = exact_units();
      if (q_.live && streaming_) follow_native("(local journal)", src, index++);
      else read_native("(local journal)", src, index++);
    }
    for (const auto& dir : q_.journal_dirs) {
      input::NativeSource src{input::NativeSource::Kind::directory, dir, {}, {}, exact_units(), {}};
      if (q_.live && streaming_) follow_native(dir, src, index++);
      else read_native(dir, src, index++);
    }
    if (!q_.journal_files.empty()) {
      input::NativeSource src{input::NativeSource::Kind::files, {}, q_.journal_files, {}, exact_units(), {}};
      read_native(join_names(q_.journal_files), src, index++);
    }
    read_paths(index);
    index += static_cast<std::uint32_t>(q_.inputs.size());
    if (!q_.hosts.empty()) {
      if (q_.live && streaming_) follow_host(index);
      else read_hosts(index);
    }
    say_live_position();
    stop_following_kernel();
    return finish();
  }

 private:
  // Exact unit names can be pushed down into sd-journal matches; globs cannot.
  std::vector<std::string> exact_units() const {
    std::vector<std::string> out;
    for (const auto& g : q_.selection.unit_globs) {
      if (g.find_first_of("*?[") != std::string::npos) return {};
      out.push_back(contains(g, ".") ? g : g + ".service");
    }
    return out;
  }

  static std::string join_names(const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : ",") + x;
    return s;
  }

  input::ParseOptions options_for(std::uint32_t index, const std::string& path) const {
    input::ParseOptions o = q_.parse;
    o.input_index = index;
    if (!o.reference_time) o.reference_time = file_mtime(path);
    return o;
  }

  void read_native(const std::string& label, const input::NativeSource& src, std::uint32_t index) {
    InputReport report;
    report.path = label;
    report.format = "journal";
    tracker_.set_input_context({q_.parse.zone, q_.parse.year});
    tracker_.begin_input(index, true);
    name_input(index, label);
    input::read_native_journal(src, options_for(index, ""), report, [&](const Event& e) {
      tracker_.on_event(e);
      hand_on_final_exits();
    });
    tracker_.end_input();
    reports_.push_back(std::move(report));
  }

  // systemd-journal-gatewayd hosts: one input of many hosts (each its own InputReport and
  // origin index, from `first` on), merged by time.
  void read_hosts(std::uint32_t first) {
    input::GatewaydOptions options = q_.gatewayd;
    options.units = exact_units();
    if (q_.live && q_.live->stop) options.stop = q_.live->stop;
    for (size_t i = 0; i < q_.hosts.size(); ++i)
      name_input(first + static_cast<std::uint32_t>(i), q_.hosts[i].url);
    tracker_.set_input_context({q_.parse.zone, q_.parse.year});
    tracker_.begin_input(first, true);
    std::vector<InputReport> reports;
    input::read_gatewayd_hosts(q_.hosts, options, options_for(first, ""), reports, [&](const Event& e) {
      tracker_.on_event(e);
      hand_on_final_exits();
    });
    tracker_.end_input();
    for (auto& r : reports) reports_.push_back(std::move(r));
  }

  // `watch http://HOST:19531`: the host's journal followed through gatewayd (from now, or some
  // entries before the --state cursor, then only from the resume time on).
  void follow_host(std::uint32_t index) {
    const input::GatewaydHost& host = q_.hosts.front();
    InputReport report;
    report.path = host.url;
    report.format = "export";
    input::GatewaydFollowStart start;
    std::optional<UsecUtc> from;
    if (q_.live->resume) {
      start.cursor = q_.live->resume->cursor;
      start.entries_back = follow_entries_back;
      from = q_.live->resume->time;
    }
    auto src = input::follow_gatewayd_host(host, q_.gatewayd, start, live_idle_hook());
    tracker_.set_input_context({q_.parse.zone, q_.parse.year});
    tracker_.begin_input(index, true);
    name_input(index, host.url);
    input::LineReader reader(*src, q_.parse.max_line);
    input::ParseOptions options = options_for(index, "");
    options.jobs = 1;
    input::export_format().parse(reader, options, report, [&](const Event& e) {
      if (from && e.time && *e.time < *from) return;  // before the replay span of a restart
      take_kernel_events();
      note_live_time(e);
      tracker_.on_event(e);
      hand_on_final_exits();
    });
    tracker_.end_input();
    report.bytes = reader.bytes_consumed();
    for (auto& n : src->notes()) report.note(std::move(n));
    if (!src->error().empty()) {
      if (report.entries == 0) report.fatal = src->error();
      else report.note("the stream ended: " + src->error());
    } else if (report.entries == 0) {
      report.empty_but_valid = true;  // followed and quiet until stopped: nothing wrong with it
    }
    reports_.push_back(std::move(report));
  }

  // A live input: between two reads of a quiet stream its time goes on, and exits whose
  // windows closed leave. None for an input read after the fact.
  input::IdleHook live_idle_hook() {
    input::IdleHook idle;
    if (!q_.live || !streaming_) return idle;
    idle.after_ms = q_.live->idle_ms;
    idle.stop = q_.live->stop;
    idle.on_idle = [this] {
      take_kernel_events();
      if (!live_last_time_) return;  // nothing read yet: no time to go on from
      tracker_.advance_clock(*live_last_time_ + (live_now() - live_last_steady_));
      hand_on_final_exits();
      say_live_position();
    };
    return idle;
  }

  void note_live_time(const Event& e) {
    if (!q_.live || !e.time || (live_last_time_ && *e.time < *live_last_time_)) return;
    live_last_time_ = e.time;
    live_last_steady_ = live_now();
    if (!q_.live->on_position) return;
    live_position_.time = *e.time;
    if (!e.origin.cursor.empty()) live_position_.cursor = e.origin.cursor;
  }

  // --kernel: the kernel's records, read on a thread of their own, join the followed input's
  // stream between its entries and while it is quiet. They do not move the stream's clock.
  void follow_kernel(std::uint32_t index) {
    input::KmsgFollower::Options o;
    o.path = q_.live->kernel;
    o.input_index = index;
    o.boot_time = q_.parse.kernel_boot_time ? *q_.parse.kernel_boot_time : input::this_boot_realtime();
    // No boot ID: a container's journal (-D from the host) has a boot ID of its own, not the
    // kernel's, and records piped from elsewhere need not be of this boot. Live records and
    // live exits are tied by time, PID and cgroup.
    o.since = q_.live->resume ? std::optional<UsecUtc>(q_.live->resume->time) : q_.selection.since;
    kmsg_index_ = index;
    name_input(index, o.path);
    kmsg_ = std::make_unique<input::KmsgFollower>(std::move(o));
  }

  void take_kernel_events() {
    if (!kmsg_) return;
    kernel_events_.clear();
    kmsg_->drain(kernel_events_);
    for (const auto& e : kernel_events_) tracker_.on_event(e);
  }

  void stop_following_kernel() {
    if (!kmsg_) return;
    take_kernel_events();
    InputReport r = kmsg_->report();
    kmsg_.reset();
    if (reports_.size() < kmsg_index_) reports_.resize(kmsg_index_);
    reports_.push_back(std::move(r));
  }

  void say_live_position() {
    if (q_.live && q_.live->on_position && live_last_time_) q_.live->on_position(live_position_);
  }

  // `watch` on the local journal or a directory: followed as journald writes it, from its end
  // (or --since).
  void follow_native(const std::string& label, input::NativeSource src, std::uint32_t index) {
    InputReport report;
    report.path = label;
    report.format = "journal";
    src.since = q_.selection.since;
    if (q_.live->resume) {
      src.since = q_.live->resume->time;
      src.resume_cursor = q_.live->resume->cursor;
    }
    tracker_.set_input_context({q_.parse.zone, q_.parse.year});
    tracker_.begin_input(index, true);
    name_input(index, label);
    input::follow_native_journal(src, options_for(index, ""), live_idle_hook(), report, [&](const Event& e) {
      take_kernel_events();
      note_live_time(e);
      tracker_.on_event(e);
      hand_on_final_exits();
    });
    tracker_.end_input();
    reports_.push_back(std::move(report));
  }

  // The inputs named on the command line, one after another: the tracker must see them in
  // order. (Reading input k+1 ahead on a thread of its own while the tracker works through
  // input k was measured on a 2-vCPU VM and gained nothing over each JSON and export input's own
  // -j blocks: copying every event across costs what the overlap saves; bench/README.md.)
  void read_paths(std::uint32_t first) {
    for (size_t i = 0; i < q_.inputs.size(); ++i) {
      const std::uint32_t index = first + static_cast<std::uint32_t>(i);
      const InputReadSettings settings = settings_for(index, q_.inputs[i]);
      classify_input(index, q_.inputs[i], [&](const InputReadSink& to) { return read_input(q_.inputs[i], settings, to); });
    }
  }

  InputReadSettings settings_for(std::uint32_t index, const std::string& path) {
    InputReadSettings s;
    s.input_format = q_.input_format;
    s.parse = options_for(index, path);
    if (q_.live) s.parse.jobs = 1;  // blocks of 256 KiB would wait for a quiet stream to fill them
    s.units = exact_units();
    s.idle = live_idle_hook();
    s.live = q_.live.has_value();
    s.progress = q_.progress;
    return s;
  }

  // One input's events through the tracker, as read(to) reads them.
  void classify_input(std::uint32_t index, const std::string& label,
                      const std::function<InputReport(const InputReadSink&)>& read) {
    tracker_.set_input_context({q_.parse.zone, q_.parse.year});
    bool begun = false;
    InputReadSink to;
    to.begin = [&](bool form_has_pids) {
      tracker_.begin_input(index, form_has_pids);
      name_input(index, label);
      begun = true;
    };
    to.event = [&](const Event& e) {
      if (kmsg_) take_kernel_events();
      note_live_time(e);
      tracker_.on_event(e);
      hand_on_final_exits();
    };
    InputReport report = read(to);
    if (begun) tracker_.end_input();
    reports_.push_back(std::move(report));
  }

  // Streaming: the exits that became final go out now (selected), and are only counted here.
  void hand_on_final_exits() {
    if (!streaming_) return;
    tracker_.take_final(final_);
    hand_on_updates();
    if (final_.empty()) return;
    for (const auto& x : final_) note_exit(x);
    std::erase_if(final_, [&](const classify::Exit& x) { return !exit_selected(x, q_.selection, {}); });
    drop_written_before(final_);
    for (const auto& x : final_) ++streamed_by_class_[std::string(to_string(x.cls))];
    streamed_ += final_.size();
    if (final_.empty()) return;
    if (!q_.core_dirs.empty() || q_.use_coredump_entries) cores_.attach(final_, final_cores_);
    live_samples(final_, batch_samples_);
    q_.on_final_exits(final_, final_cores_, input_names_, batch_samples_);
    final_.clear();
    say_live_position();
  }

  // Exits already handed on that a late record explained since (watch): handed on again.
  void hand_on_updates() {
    tracker_.take_updates(updates_);
    std::erase_if(updates_, [&](const classify::Exit& x) { return !exit_selected(x, q_.selection, {}); });
    if (updates_.empty()) return;
    if (q_.on_exit_updates) {
      if (!q_.core_dirs.empty() || q_.use_coredump_entries) cores_.attach(updates_, final_cores_);
      else final_cores_.clear();
      live_samples(updates_, batch_samples_);
      q_.on_exit_updates(updates_, final_cores_, input_names_, batch_samples_);
    }
    updates_.clear();
  }

  // watch --app: the app logs followed as they grow; the samples before each exit of a batch.
  void live_samples(const std::vector<classify::Exit>& exits, report::BatchSamples& out) {
    out.summaries.clear();
    out.how.clear();
    if (!q_.live || q_.app_args.empty() || exits.empty()) return;
    if (!catch_up_app_logs(exits)) return;
    samples_before_exits(exits, app_follower_->apps(), one_unit_watched(), q_.window_s, out.summaries, out.how);
  }

  // One app log without a unit describes the exits of the one unit watched (-u), no other.
  bool one_unit_watched() const { return q_.selection.unit_globs.size() == 1; }

  // The followed app logs read up to the stream's time (or the exits'); false when they cannot
  // be followed (said once as a warning).
  bool catch_up_app_logs(const std::vector<classify::Exit>& exits) {
    if (!app_follower_) {
      auto specs = input::expand_app_inputs(q_.app_args);
      if (!specs) {
        if (!app_error_said_) live_app_warnings_.push_back({"app-log-unreadable", "--app: " + specs.error()});
        app_error_said_ = true;
        return false;
      }
      const auto keep = static_cast<UsecUtc>((std::max(q_.window_s, 600.0) + 120) * 1e6);
      app_follower_ = std::make_unique<correlate::AppFollower>(std::move(*specs), q_.app_options, keep);
    }
    UsecUtc now = live_last_time_.value_or(0);
    for (const auto& x : exits)
      if (x.exited_at) now = std::max(now, *x.exited_at);
    app_follower_->catch_up(now);
    return true;
  }

  void drop_written_before(std::vector<classify::Exit>& exits) const {
    if (q_.live && q_.live->written_before) std::erase_if(exits, q_.live->written_before);
  }

  // What finish() says about all exits, kept as they pass: per-input presence, units.
  void note_exit(const classify::Exit& x) {
    ++exits_seen_;
    inputs_with_exits_.insert(x.input);
    for (const auto& e : x.evidence) inputs_with_exits_.insert(e.origin.input);
    if (q_.selection.unit_globs.empty()) return;
    const std::string name = report::exit_subject(x);  // as the exits table names them
    if (std::find(units_.begin(), units_.end(), name) == units_.end()) units_.push_back(name);
  }

  void name_input(std::uint32_t index, const std::string& label) {
    if (input_names_.size() <= index) input_names_.resize(index + 1);
    input_names_[index].path = label;
  }

  ExitsRun finish() {
    ExitsRun run;
    classify::Classified c = tracker_.finish();
    for (const auto& x : c.exits) note_exit(x);
    run.exits_before_selection = exits_seen_;
    run.kernel_input_present = c.kernel_input_present;
    run.running = std::move(c.running);
    run.warnings = std::move(c.warnings);
    say_what_silent_inputs_held(c, reports_, run.warnings);
    const std::vector<std::string> boots = boot_order(c.exits);
    // Selected in place: a second array of exits would double the peak memory.
    std::erase_if(c.exits, [&](const classify::Exit& x) { return !exit_selected(x, q_.selection, boots); });
    drop_written_before(c.exits);
    run.exits = std::move(c.exits);
    run.streamed_exits = streamed_;
    run.streamed_by_class = std::move(streamed_by_class_);
    run.inputs = std::move(reports_);
    const std::vector<std::string>& units = units_;  // the units that have exits (few)
    if (run.exits.empty() && streamed_ == 0 && !units.empty()) {
      std::string list;
      for (size_t i = 0; i < units.size() && i < 8; ++i) list += (i ? ", " : "") + units[i];
      if (units.size() > 8) list += ", ...";
      run.warnings.push_back({"no-exit-selected", "no exit matched the selection; units with exits: " + list});
    }
    if (!q_.app_args.empty() && q_.live) {
      // The follower has the logs and their accounting (bad lines): no second read of them. It
      // is read to the end of the stream even when no exit asked for it, so the summary says
      // what the logs held (or that they could not be read).
      if (catch_up_app_logs(run.exits)) {
        samples_before_exits(run.exits, app_follower_->apps(), one_unit_watched(), q_.window_s, run.samples,
                             run.samples_how);
        for (const auto& app : app_follower_->apps()) run.app_inputs.insert(run.app_inputs.end(), app.inputs.begin(), app.inputs.end());
      }
    } else if (!q_.app_args.empty()) {
      attach_app_samples(q_, run);
    }
    if (!q_.core_dirs.empty() || q_.use_coredump_entries) cores_.attach(run.exits, run.cores);
    for (auto& w : cores_.warnings()) run.warnings.push_back(std::move(w));
    for (auto& w : live_app_warnings_) run.warnings.push_back(std::move(w));
    return run;
  }

  // An input that yields no exit says what was read in it, so "0 exits" is never silence.
  void say_what_silent_inputs_held(const classify::Classified& c, const std::vector<InputReport>& inputs,
                                   std::vector<Warning>& warnings) const {
    for (size_t i = 0; i < inputs.size(); ++i) {
      const InputReport& in = inputs[i];
      if (!in.fatal.empty() || in.entries == 0) continue;
      // An input whose lines joined the deaths of another (a host's dmesg) was not silent.
      if (inputs_with_exits_.count(static_cast<std::uint32_t>(i))) continue;
      const classify::InputStats st = i < c.inputs.size() ? c.inputs[i] : classify::InputStats{};
      std::string what = in.path + " (" + in.format + "): no death found in " + std::to_string(in.entries) + " entries: " +
                         std::to_string(st.records) + " journal record(s) (" + std::to_string(st.manager_lines) +
                         " from the service manager), " + std::to_string(st.kernel_lines) + " kernel line(s), " +
                         std::to_string(st.text_lines) + " line(s) of other text";
      what += st.witnesses ? "; " + std::to_string(st.witnesses) + " piece(s) of evidence that could not be tied to a death"
                           : "; none is an exit record, kill or fault line, coredump entry, status block, shell, "
                             "supervisor or runtime crash message";
      warnings.push_back({"no-exit-in-input", what});
    }
  }

  static std::vector<std::string> boot_order(const std::vector<classify::Exit>& exits) {
    std::vector<std::string> order;
    for (const auto& x : exits)
      if (!x.boot_id.empty() && std::find(order.begin(), order.end(), x.boot_id) == order.end())
        order.push_back(x.boot_id);
    return order;
  }

  // A live stream's time: its latest entry's, and when (on a monotonic clock) it was read.
  std::int64_t live_now() const {
    if (q_.live->steady_usec) return q_.live->steady_usec();
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }

  const ExitsQuery& q_;
  classify::ExitTracker tracker_;
  std::vector<InputReport> reports_;
  std::optional<UsecUtc> live_last_time_;
  std::int64_t live_last_steady_ = 0;
  LivePosition live_position_;
  std::unique_ptr<input::KmsgFollower> kmsg_;
  std::vector<Event> kernel_events_;
  std::uint32_t kmsg_index_ = 0;
  // Streaming and what finish() needs to know of the exits that already left.
  bool streaming_ = false;
  std::vector<classify::Exit> final_, updates_;
  report::BatchSamples batch_samples_;
  std::unique_ptr<correlate::AppFollower> app_follower_;
  bool app_error_said_ = false;
  std::vector<std::pair<size_t, report::CoreAttachment>> final_cores_;
  ExitCores cores_{q_.core_dirs, q_.core_settings};
  std::vector<Warning> live_app_warnings_;
  std::vector<InputReport> input_names_;  // paths only, for evidence origins
  std::uint64_t streamed_ = 0, exits_seen_ = 0;
  std::map<std::string, std::uint64_t> streamed_by_class_;
  std::set<std::uint32_t> inputs_with_exits_;
  std::vector<std::string> units_;
};

bool boot_selected(const std::string& boot, const std::vector<std::string>& wanted,
                   const std::vector<std::string>& order) {
  if (wanted.empty()) return true;
  for (const auto& w : wanted) {
    std::int64_t offset = 0;
    if (w.size() < 8 && parse_int64(w, offset)) {
      // journalctl -b semantics: 0 = last boot, -1 = the one before; 1 = first boot.
      const auto n = static_cast<std::int64_t>(order.size());
      const std::int64_t idx = offset <= 0 ? n - 1 + offset : offset - 1;
      if (idx >= 0 && idx < n && order[static_cast<size_t>(idx)] == boot) return true;
    } else if (!w.empty() && starts_with(boot, w)) {
      return true;
    }
  }
  return false;
}

}  // namespace

bool streams_exits(const ExitsQuery& q) {
  // --app needs every exit first after the fact (one read of the logs); live, it is followed.
  if (!q.on_final_exits || (!q.app_args.empty() && !q.live)) return false;
  // Several inputs after the fact stream too, holding the last exits back for the later
  // inputs' evidence (StreamWindows::hold_exits); live, one input is followed.
  if (count_journal_inputs(q) != 1 && q.live) return false;
  for (const auto& b : q.selection.boots) {
    std::int64_t offset = 0;
    if (b.size() < 8 && parse_int64(b, offset)) return false;  // an offset needs every boot first
  }
  return true;
}

bool unit_matches(const std::string& unit, const std::vector<std::string>& globs) {
  if (globs.empty()) return true;
  for (const auto& g : globs) {
    if (glob_match(g, unit)) return true;
    // journalctl -u foo means foo.service.
    if (!contains(g, ".") && glob_match(g + ".service", unit)) return true;
  }
  return false;
}

bool exit_selected(const classify::Exit& x, const Selection& s, const std::vector<std::string>& boots) {
  if (!unit_matches(x.unit, s.unit_globs)) return false;
  if (!s.host_globs.empty() &&
      std::none_of(s.host_globs.begin(), s.host_globs.end(), [&](const std::string& g) { return glob_match(g, x.hostname); }))
    return false;
  if (s.since && (!x.exited_at || *x.exited_at < *s.since)) return false;
  if (s.until && (!x.exited_at || *x.exited_at > *s.until)) return false;
  if (!boot_selected(x.boot_id, s.boots, boots)) return false;
  if (!s.pids.empty() && (!x.pid || std::find(s.pids.begin(), s.pids.end(), *x.pid) == s.pids.end()))
    return false;
  if (!s.classes.empty() && std::find(s.classes.begin(), s.classes.end(), x.cls) == s.classes.end()) return false;
  return true;
}

ExitsRun run_exits(const ExitsQuery& query) { return Runner(query).run(); }

}  // namespace crashsift::pipeline
