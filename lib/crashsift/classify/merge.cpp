#include "crashsift/classify/merge.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <map>
#include <set>
#include <string>

#include "crashsift/classify/systemd_lines.hpp"
#include "crashsift/core/text.hpp"

namespace crashsift::classify {

namespace {

constexpr UsecUtc one_second = usec_per_sec;
// Witnesses of one death cluster around it: a kill line precedes the exit record by up to a
// few seconds, a coredump entry follows it by the time the core takes to write.
constexpr UsecUtc joins_before = 30 * one_second;
constexpr UsecUtc joins_after = 60 * one_second;
// A paste-order join reaches at most this many lines ahead (a goroutine dump is long).
constexpr UsecUtc max_paste_distance = 400;


// Both times known (absolute), and the witness inside the exit's window.
bool near(const Witness& w, const Exit& x, UsecUtc before = joins_before, UsecUtc after = joins_after) {
  return w.time && x.exited_at && *w.time >= *x.exited_at - before && *w.time <= *x.exited_at + after;
}

// Neither knows its time: only the paste's own order can tie them (same input).
bool both_untimed(const Witness& w, const Exit& x) { return !w.time && !x.exited_at && w.input == x.input; }

std::string unit_of_cgroup(std::string_view cgroup) {
  const size_t slash = cgroup.rfind('/');
  std::string_view last = slash == std::string_view::npos ? cgroup : cgroup.substr(slash + 1);
  for (std::string_view suffix : {".service", ".scope", ".socket"})
    if (ends_with(last, suffix)) return std::string(last);
  return {};
}

std::string program_of_unit(std::string_view unit) {
  const size_t dot = unit.rfind('.');
  return std::string(dot == std::string_view::npos ? unit : unit.substr(0, dot));
}

struct Candidate {
  size_t exit = 0;
  std::string joined_by;
  UsecUtc distance = 0;
};

class Merger {
 public:
  Merger(ExitStore& exits, const std::set<std::uint32_t>& inputs_with_records_taken)
      : exits_(exits), records_taken_(inputs_with_records_taken) {}

  void add(Witness&& w) {
    if (auto c = find(w)) return join(std::move(w), c->exit, c->joined_by);
    // A runtime's last words in an input that records deaths (a journal): they belong to one of
    // its exits, but not one that can be told apart — a guessed join would be worse than none.
    if (!w.states_cause && input_has_records(w.input)) {
      ++unjoined_[w.kind];
      return;
    }
    create(std::move(w));
  }

  const std::map<std::string, int>& unjoined() const { return unjoined_; }

 private:
  // Does this exit's process conflict with the witness's? Two different PIDs in the same PID
  // namespace are two deaths; a kernel line's PID is the host's, so a comm+time join is still
  // allowed when the exit's PID came from a container journal.
  static bool pid_conflict(const Witness& w, const Exit& x) { return w.pid && x.pid && *w.pid != *x.pid; }
  static bool unit_conflict(const Witness& w, const Exit& x) {
    return !w.unit.empty() && !x.unit.empty() && w.unit != x.unit;
  }
  static bool how_conflict(const Witness& w, const Exit& x) {
    if (!w.signal.empty() && !x.signal.empty() && w.signal != x.signal) return true;
    if (w.code && x.code && *w.code != *x.code) return true;
    // An exit with a code cannot also have died by a signal the witness names.
    if (!w.signal.empty() && x.code && x.exit_kind == "exited" && !w.kernel_oom && !w.kernel_fault) return true;
    return false;
  }

  std::optional<Candidate> find(const Witness& w) const {
    std::optional<Candidate> best;
    auto offer = [&](size_t i, std::string how, UsecUtc distance) {
      if (!best || distance < best->distance) best = Candidate{i, std::move(how), distance};
    };
    for (size_t i = exits_.begin(); i < exits_.end(); ++i) {
      if (!exits_.held(i)) continue;
      const Exit& x = exits_[i];
      if (!same_boot(w.boot_id, x.boot_id) || !same_host(w.host, x.hostname)) continue;
      if (how_conflict(w, x) || unit_conflict(w, x)) continue;
      const UsecUtc d = (w.time && x.exited_at) ? std::llabs(*w.time - *x.exited_at) : 0;
      // Two witnesses of one kind are two deaths — unless they name the same PID at the same
      // time (systemd-coredump's early "terminated abnormally" line and its "dumped core").
      const bool same_pid = w.pid && x.pid && *w.pid == *x.pid;
      if (has_kind(x, w.kind) && !(same_pid && near(w, x, 5 * one_second, 5 * one_second))) continue;
      if (same_pid) {
        if (near(w, x, 3600 * one_second, joins_after)) offer(i, "pid+time", d);
        else if (!w.time || !x.exited_at) offer(i, "pid", d + one_second);
        continue;
      }
      if (pid_conflict(w, x) && !w.kernel_oom && !w.kernel_fault) continue;
      if (!w.unit.empty() && w.unit == x.unit) {
        if (near(w, x)) offer(i, "unit", d + 2 * one_second);
        else if (both_untimed(w, x) && close_in_order(w, i)) offer(i, "unit", 3 * one_second);
        continue;
      }
      if (!w.cgroup.empty() && !x.unit.empty() && ends_with(w.cgroup, "/" + x.unit) && near(w, x)) {
        offer(i, "cgroup", d + 2 * one_second);
        continue;
      }
      if (!w.comm.empty() && same_comm(w.comm, x) && (near(w, x) || (both_untimed(w, x) && close_in_order(w, i))))
        offer(i, "comm+time", d + 4 * one_second);
    }
    if (!best && !w.time && !w.comm.empty()) best = by_command_alone(w);
    if (!best && w.unit.empty() && w.cgroup.empty()) return by_paste_order(w);
    return best;
  }

  // An untimed witness (a runtime's message in an app log section of a paste) and the one timed
  // death of a process of that name in the same input: the name alone ties them when nothing
  // else in the input could be that death.
  std::optional<Candidate> by_command_alone(const Witness& w) const {
    std::optional<Candidate> only;
    for (size_t i = exits_.begin(); i < exits_.end(); ++i) {
      if (!exits_.held(i)) continue;
      const Exit& x = exits_[i];
      if (x.input != w.input || !x.exited_at || !same_command(w.comm, x.process_name)) continue;
      if (how_conflict(w, x) || pid_conflict(w, x) || has_kind(x, w.kind)) continue;
      if (only) return std::nullopt;  // two deaths of that name: the name does not tell which
      only = Candidate{i, "comm", 0};
    }
    return only;
  }

  // One death has one witness of each kind: two "Segmentation fault" lines are two deaths.
  static bool has_kind(const Exit& x, const std::string& kind) {
    for (const auto& r : x.witnesses)
      if (r.kind == kind) return true;
    return false;
  }

  // Evidence that names no process or unit and has no time (a runtime's message, a shell's
  // "Aborted (core dumped)") in a paste without times: the death recorded right after it in the
  // same input — the record of a death follows the dying process's last words.
  std::optional<Candidate> by_paste_order(const Witness& w) const {
    std::optional<Candidate> best;
    int records_in_reach = 0;
    for (size_t i = exits_.begin(); i < exits_.end(); ++i) {
      if (!exits_.held(i)) continue;
      const Exit& x = exits_[i];
      if (x.input != w.input || w.time || x.exited_at || has_kind(x, w.kind) || how_conflict(w, x) ||
          pid_conflict(w, x))
        continue;
      if (!w.comm.empty() && !x.process_name.empty() && !same_comm(w.comm, x)) continue;
      const std::uint64_t pos = x.arrival;  // created exits take their witness's order
      if (pos < w.order) continue;
      const UsecUtc distance = static_cast<UsecUtc>(pos - w.order);
      if (distance > max_paste_distance) continue;
      if (made_from_record(x)) ++records_in_reach;
      if (!best || distance < best->distance) best = Candidate{i, "paste-order", distance};
    }
    // Journal records of several deaths within reach (units' output interleaves in a journal):
    // the order does not tell which one these last words belong to.
    if (best && made_from_record(exits_[best->exit]) && records_in_reach > 1) return std::nullopt;
    return best;
  }

  bool input_has_records(std::uint32_t input) const {
    if (records_taken_.count(input)) return true;
    for (size_t i = exits_.begin(); i < exits_.end(); ++i)
      if (exits_.held(i) && exits_[i].input == input && made_from_record(exits_[i])) return true;
    return false;
  }


  // Kernel comm is cut to 15 bytes; a unit's program name often equals the comm.
  static bool same_comm(std::string_view comm, const Exit& x) {
    return same_command(comm, x.process_name) || (x.process_name.empty() && same_command(comm, program_of_unit(x.unit)));
  }

  // Untimed evidence in a paste joins an exit only when nothing else of the kind stands between.
  bool close_in_order(const Witness& w, size_t exit_index) const {
    const Exit& x = exits_[exit_index];
    for (size_t k = exits_.begin(); k < exits_.end(); ++k) {
      if (k == exit_index || !exits_.held(k) || exits_[k].input != w.input || exits_[k].exited_at) continue;
      if (exits_[k].unit == x.unit && exits_[k].process_name == x.process_name) return false;  // ambiguous
    }
    return true;
  }

  void join(Witness&& w, size_t i, const std::string& how) {
    Exit& x = exits_[i];
    ExitFacts& f = exits_.facts(i);
    apply(w, x, f);
    if (w.states_cause) f.only_implied = false;
    x.witnesses.push_back(WitnessRef{w.kind, how, w.lines.empty() ? Origin{} : w.lines.front().origin});
  }

  void create(Witness&& w) {
    Exit x;
    x.input = w.input;
    x.hostname = w.host;
    x.boot_id = w.boot_id;
    x.time_has_usec = w.time_has_usec;
    if (w.when == WhenKnown::absolute) x.exited_at = w.time;
    ExitFacts f;
    f.only_implied = !w.states_cause;
    apply(w, x, f);
    if (w.when == WhenKnown::time_of_day) x.missing.push_back("time of day only: the date is not in the input");
    if (w.when == WhenKnown::boot_relative)
      x.missing.push_back("time relative to boot only (pass --kernel-boot-time to place it)");
    if (w.when == WhenKnown::none) x.missing.push_back("no time of death in the input");
    if (x.unit.empty()) x.missing.push_back("no unit: " + w.kind + " evidence only");
    x.witnesses.push_back(WitnessRef{w.kind, "created", w.lines.empty() ? Origin{} : w.lines.front().origin});
    x.arrival = w.order;
    exits_.push_back(std::move(x), f, /*joined=*/true);
  }

  static void apply(const Witness& w, Exit& x, ExitFacts& f) {
    if (!x.pid && w.pid) {
      x.pid = w.pid;
      x.pid_source = w.kind;
    }
    if (x.process_name.empty()) x.process_name = w.comm;
    if (x.unit.empty()) x.unit = !w.unit.empty() ? w.unit : unit_of_cgroup(w.cgroup);
    if (!x.exited_at && w.when == WhenKnown::absolute && w.time) {
      x.exited_at = w.time;
      x.time_has_usec = w.time_has_usec;
    }
    if (x.exit_kind.empty() && !w.exit_kind.empty()) x.exit_kind = w.exit_kind;
    if (!x.code && w.code && (x.exit_kind.empty() || x.exit_kind == "exited")) x.code = w.code;
    if (x.signal.empty() && !w.signal.empty()) {
      x.signal = w.signal;
      if (auto n = signal_number(w.signal)) x.signal_number = n;
    }
    if (x.unit_result.empty()) x.unit_result = w.unit_result;
    if (w.oom != OomKind::none) f.stated_oom = w.oom;
    if (w.watchdog) f.watchdog_line = true;
    if (w.external_kill) f.external_kill = true;
    if (f.timeout_state.empty()) f.timeout_state = w.timeout_state;
    if (w.kernel_oom && !f.kernel_oom) {
      f.kernel_oom = w.kernel_oom;
      f.kernel_oom_match = w.pid && x.pid && *w.pid == *x.pid ? MatchKind::pid : MatchKind::comm_and_time;
      f.kernel_input_present = true;
    }
    if (w.kernel_fault && !f.kernel_fault) {
      f.kernel_fault = w.kernel_fault;
      f.kernel_fault_match = MatchKind::pid;
      f.kernel_input_present = true;
    }
    if (w.kind == "coredump" || w.kind == "coredumpctl-info" || w.kind == "coredumpctl-list") f.coredump = true;
    if (x.coredump_filename.empty()) x.coredump_filename = w.coredump_filename;
    if (x.coredump_message.empty()) x.coredump_message = w.coredump_message;
    if (x.reason.empty() && !w.reason.empty()) {
      x.reason = w.reason;
      x.reason_kind = w.reason_kind;
    }
    if (x.runtime.empty()) x.runtime = w.runtime;
    for (const auto& e : w.lines) x.evidence.push_back(e);
    for (const auto& m : w.missing) x.missing.push_back(m);
  }

  ExitStore& exits_;
  const std::set<std::uint32_t>& records_taken_;
  std::map<std::string, int> unjoined_;
};

}  // namespace

bool made_from_record(const Exit& x) {
  return !x.witnesses.empty() && x.witnesses.front().joined_by == "created" &&
         (x.witnesses.front().kind == "exit-record" || x.witnesses.front().kind == "unit-result" ||
          x.witnesses.front().kind == "deactivated");
}

void merge_witnesses(ExitStore& exits, std::vector<Witness>&& witnesses, UnjoinedCounts& unjoined,
                     const std::set<std::uint32_t>& inputs_with_records_taken) {
  // Witnesses that state a death come first, so a runtime's message (which only implies one)
  // joins the death a record states instead of making its own.
  std::stable_sort(witnesses.begin(), witnesses.end(),
                   [](const Witness& a, const Witness& b) { return a.states_cause > b.states_cause; });
  Merger m(exits, inputs_with_records_taken);
  for (auto& w : witnesses) m.add(std::move(w));
  for (const auto& [kind, n] : m.unjoined()) unjoined[kind] += n;
}

std::vector<std::string> unjoined_notes(const UnjoinedCounts& unjoined) {
  std::vector<std::string> notes;
  for (const auto& [kind, n] : unjoined)
    notes.push_back(std::to_string(n) + " " + kind + " message(s) could not be tied to one exit of the journal "
                    "(several deaths are recorded around them and this form does not say whose output they are)");
  return notes;
}

std::vector<std::string> merge_witnesses(std::vector<Exit>& exits, std::vector<ExitFacts>& facts,
                                         std::vector<Witness>&& witnesses) {
  ExitStore store(std::move(exits), std::move(facts));
  UnjoinedCounts unjoined;
  merge_witnesses(store, std::move(witnesses), unjoined, {});
  exits.clear();
  facts.clear();
  for (size_t i = store.begin(); i < store.end(); ++i) {
    auto [x, f] = store.take(i);
    exits.push_back(std::move(x));
    facts.push_back(std::move(f));
  }
  return unjoined_notes(unjoined);
}

}  // namespace crashsift::classify
