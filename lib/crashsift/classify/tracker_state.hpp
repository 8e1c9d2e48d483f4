#pragma once
// ExitTracker's state and the steps that change it, private to the tracker's three files:
//   tracker.cpp               event dispatch, kernel / oomd / coredump records, the public API
//   tracker_manager_lines.cpp the service manager's lines: lifetimes, exit records, results
//   tracker_final.cpp         when an exit is final: joining records, merging witnesses, handing on
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "crashsift/classify/exit_store.hpp"
#include "crashsift/classify/exit_updates.hpp"
#include "crashsift/classify/journal_records.hpp"
#include "crashsift/classify/kernel_lines.hpp"
#include "crashsift/classify/main_process.hpp"
#include "crashsift/classify/merge.hpp"
#include "crashsift/classify/systemd_lines.hpp"
#include "crashsift/classify/tracker.hpp"
#include "crashsift/classify/witness.hpp"

namespace crashsift::classify {

inline constexpr UsecUtc one_second = usec_per_sec;

struct UnitState {
  std::string unit, hostname, boot_id;
  std::optional<UsecUtc> started_at;
  bool fresh_start = false;          // "Starting" seen, "Started" not yet
  std::string invocation_id;
  std::optional<size_t> open_exit;   // exit awaiting its result line
  std::optional<size_t> last_exit;   // for restart counter / resources / start limit
  bool stop_requested = false;
  bool start_limit_pending = false;
  bool exit_since_start = false;     // an exit record was seen for the current lifetime
  bool start_seen = false;           // a Starting/Started line for this unit is in the input
  bool stopped = false;              // "Stopped" since the last start
  std::vector<Evidence> pending;     // lines seen before the exit record
  ExitFacts pending_facts;
  std::optional<std::int64_t> known_pid;
  std::string known_comm;
  std::string killed_with;           // "Killing process N (comm) with signal SIGKILL" named the main PID
};

// A unit's lifetimes are per host and per boot: a journal-remote directory holds many hosts,
// whose boots (in a copied or rewritten journal) may even share an ID.
inline std::string unit_key(std::string_view host, std::string_view boot, std::string_view unit) {
  std::string k(host);
  k.push_back('\x1f');
  k.append(boot);
  k.push_back('\x1f');
  k.append(unit);
  return k;
}

// The host part of a unit_key.
inline std::string_view unit_key_host(std::string_view key) { return key.substr(0, key.find('\x1f')); }

inline std::string first_line(std::string_view s) { return std::string(s.substr(0, s.find('\n'))); }

// PID 1 logs through the kernel buffer early in boot and after switch-root: those entries are
// _TRANSPORT=kernel with SYSLOG_IDENTIFIER=systemd, and still the service manager's lines.
inline bool is_service_manager(const Event& e) { return e.identifier == "systemd"; }

struct ExitTracker::Impl {
  explicit Impl(TrackerLimits l)
      : limits(l), main_process(exits, TailLimits{l.max_tracked_processes, l.tail_lines, l.max_line_chars}) {}

  TrackerLimits limits;
  ExitStore exits;                       // held until final (see take_final)
  std::vector<KernelRecord> kernel;
  std::vector<CoredumpRecord> coredumps;
  std::unordered_map<std::string, UnitState> units;
  MainProcess main_process;
  std::vector<Warning> warnings;
  std::uint32_t input = 0;
  bool form_has_pids = true;
  bool kernel_present = false;
  std::optional<OomSummary> last_oom_summary;
  std::map<std::string, std::int64_t> suppressed;   // journald rate limiting, per unit
  std::map<std::string, std::int64_t> lines_cut;    // _LINE_BREAK=line-max, per unit
  std::map<std::string, std::int64_t> hidden_exits; // starts with no exit record in between
  std::set<std::string> first_exit_seen;
  std::map<std::string, std::optional<UsecUtc>> journal_starts_inside;  // first exit without a start
  std::uint64_t arrival = 0;
  std::unordered_map<std::string, std::string> last_boot_of_host;  // by machine key
  std::vector<RunningLifetime> running;  // of the inputs ended so far

  std::vector<std::unique_ptr<WitnessRecognizer>> recognizers = make_witness_recognizers();
  InputContext context;
  std::vector<Witness> witnesses;
  std::vector<InputStats> stats;
  WitnessSink witness_sink = [this](Witness&& w) {
    w.input = input;
    if (stats.size() <= input) stats.resize(input + 1);
    ++stats[input].witnesses;
    if (!w.order) w.order = arrival;
    if (witnesses.size() < limits.max_kernel_records) witnesses.push_back(std::move(w));
  };

  // Streaming (tracker_final.cpp).
  bool streaming = false;
  bool stream_stopped = false;             // untimed evidence: everything waits for finish()
  std::optional<UsecUtc> watermark;        // the latest event time of the input
  UsecUtc next_flush_at = 0;
  std::uint64_t next_flush_arrival = 0;
  size_t join_cursor = 0;                  // exits before it are joined (or gone)
  std::optional<UsecUtc> emitted_up_to;    // every exit before this time has left
  std::uint64_t exits_out_of_order = 0;    // arrived after later exits had left
  UnjoinedCounts unjoined;
  std::set<std::uint32_t> inputs_with_records_taken;
  std::set<std::string> units_with_failures;
  StreamWindows windows;
  std::optional<RecentExits> recent;       // live: exits that left, for late records
  std::vector<Exit> updates;               // exits handed on again, for take_updates
  std::uint64_t records_added = 0, records_joined_late = 0;

  // ---- event dispatch and records (tracker.cpp) ----------------------------------------
  void count(const Event& e);
  void on_event(const Event& e);
  void on_kernel(const Event& e);
  // "Suppressed 1234 messages from app.service" (RateLimitBurst=): output lost before a crash.
  void on_suppressed(const Event& e);
  void on_oomd(const Event& e);
  void on_coredump(const Event& e);
  // At the end of an input: the lifetimes of its hosts' last boots that did not end.
  void keep_running_lifetimes();

  // ---- the service manager's lines (tracker_manager_lines.cpp) -------------------------
  void on_event_as_manager(const Event& e);
  // Structured fields first, exact text always: where the journal form carries EXIT_CODE,
  // EXIT_STATUS, UNIT_RESULT or N_RESTARTS, they decide; the text fills in the rest.
  static void prefer_structured_fields(SystemdFact& f, const Event& e);
  // A unit's last or open exit, unless it was already handed on (final: minutes old).
  Exit* held_exit(const std::optional<size_t>& i) { return i && exits.held(*i) ? &exits[*i] : nullptr; }
  Evidence evidence(std::string role, const Event& e);
  void on_fact(const SystemdFact& f, const Event& e);
  void on_start(UnitState& u, const SystemdFact& f, const Event& e);
  // Lines that explain an exit but come before (or right after) its exit record.
  void on_exit_context(UnitState& u, const SystemdFact& f, const Event& e);
  // systemd names the main process first when it kills a unit's processes.
  static void remember_pid(UnitState& u, const SystemdFact& f);
  size_t new_exit(UnitState& u, const std::string& unit, const Event& e);
  void on_main_exited(UnitState& u, const SystemdFact& f, const Event& e);
  void on_result(UnitState& u, const std::string& unit, const std::string& result, const Event& e);
  // "Unit X entered failed state." (old systemd): the result is not named. After an exit line
  // (or a start-limit line) it only confirms it; alone, it is the death's only record.
  void on_unnamed_failure(UnitState& u, const std::string& unit, const Event& e);

  // ---- final exits (tracker_final.cpp) -------------------------------------------------
  // An exit is final once no evidence can still reach it: the kernel and coredump records that
  // join it come at most a minute after it, and a record or witness that joins nothing is
  // merged only when no exit it could reach (up to an hour after it, by PID) is still to come.
  // Exits leave in time order as soon as they are final, so memory holds the exits of the last
  // few minutes (an hour around unjoined evidence), not those of the whole input.

  // A record arrived since the last look: it may explain an exit that already left.
  void join_late_records(UsecUtc now);
  void join_records(size_t i);
  // Joins the exits whose window for later records has closed by `now` (all, when none).
  void join_exits(std::optional<UsecUtc> now);
  // Records and witnesses that no exit still to be joined can take: unused ones are merged as
  // witnesses; used ones are dropped. now = nullopt: all of them (the end of the run).
  void merge_settled_evidence(std::optional<UsecUtc> now);
  // Exits before this time can take no more evidence.
  UsecUtc final_before(UsecUtc now) const;
  bool evidence_untimed() const;
  // Classifies exit i and takes it out of the store.
  Exit take_classified(size_t i);
  void take_final(std::vector<Exit>& out);
};

}  // namespace crashsift::classify
