// ExitTracker: when an exit is final. Records join the exits they reach once no later record
// can; what joins nothing is merged as a witness; final exits are classified and handed on in
// time order (streaming), or all at finish().
#include <algorithm>
#include <cstdlib>

#include "crashsift/classify/rules.hpp"
#include "crashsift/classify/tracker_state.hpp"
#include "crashsift/core/text.hpp"

namespace crashsift::classify {

void ExitTracker::Impl::join_late_records(UsecUtc now) {
  if (!recent) return;
  if (records_added != records_joined_late) recent->join_late(kernel, coredumps, kernel_present, updates);
  records_joined_late = records_added;
  recent->forget_before(now);
}

void ExitTracker::Impl::join_records(size_t i) {
  Exit& x = exits[i];
  ExitFacts& f = exits.facts(i);
  f.kernel_input_present = kernel_present;
  join_coredump(coredumps, x, f);
  if (x.pid_source == "coredump")  // the coredump entry settled what the text form could not
    std::erase_if(x.missing, [](const std::string& s) { return contains(s, "could be the main one"); });
  join_kernel(kernel, x, f);
  note_journal_witnesses(x, f);
  exits.set_joined(i);
}

void ExitTracker::Impl::join_exits(std::optional<UsecUtc> now) {
  for (join_cursor = std::max(join_cursor, exits.begin()); join_cursor < exits.end(); ++join_cursor) {
    if (!exits.held(join_cursor) || exits.joined(join_cursor)) continue;
    const auto& t = exits[join_cursor].exited_at;
    if (now && (!t || *t + windows.reach_after + windows.reorder_slack >= *now)) break;
    join_records(join_cursor);
  }
}

void ExitTracker::Impl::merge_settled_evidence(std::optional<UsecUtc> now) {
  std::optional<UsecUtc> unjoined_from;  // the first exit not joined yet
  if (join_cursor < exits.end()) unjoined_from = exits[join_cursor].exited_at;
  auto settled = [&](const std::optional<UsecUtc>& t) {
    if (!now) return true;
    return t && *t + windows.reach_before + windows.reach_after + windows.reorder_slack < *now &&
           (!unjoined_from || *unjoined_from > *t + windows.reach_before);
  };
  std::vector<Witness> orphans;
  std::erase_if(coredumps, [&](CoredumpRecord& c) {
    if (!settled(c.time)) return false;
    if (!c.used) orphans.push_back(coredump_witness(c));
    return true;
  });
  std::erase_if(kernel, [&](KernelRecord& k) {
    if (!settled(k.time)) return false;
    if (!k.used) orphans.push_back(kernel_witness(k));
    return true;
  });
  std::erase_if(witnesses, [&](Witness& w) {
    if (!settled(w.time)) return false;
    orphans.push_back(std::move(w));
    return true;
  });
  if (orphans.empty()) return;
  std::stable_sort(orphans.begin(), orphans.end(), [](const Witness& a, const Witness& b) {
    if (a.input != b.input) return a.input < b.input;
    return a.order < b.order;
  });
  merge_witnesses(exits, std::move(orphans), unjoined, inputs_with_records_taken);
}

UsecUtc ExitTracker::Impl::final_before(UsecUtc now) const {
  UsecUtc until = now - windows.reach_after - windows.reorder_slack;
  auto reaches_back = [&](const std::optional<UsecUtc>& t) {
    if (t) until = std::min(until, *t - windows.reach_after);
  };
  for (const auto& c : coredumps)
    if (!c.used) reaches_back(c.time);
  for (const auto& k : kernel)
    if (!k.used) reaches_back(k.time);
  for (const auto& w : witnesses) reaches_back(w.time);
  if (auto t = main_process.earliest_pending_time()) until = std::min(until, *t);
  for (const auto& [key, u] : units)
    if (u.open_exit && exits.held(*u.open_exit)) {
      const auto& t = exits[*u.open_exit].exited_at;
      if (t && *t + windows.result_wait >= now) until = std::min(until, *t);
    }
  return until;
}

bool ExitTracker::Impl::evidence_untimed() const {
  if (main_process.has_untimed_pending()) return true;
  for (const auto& c : coredumps)
    if (!c.time) return true;
  for (const auto& k : kernel)
    if (!k.time) return true;
  for (const auto& w : witnesses)
    if (!w.time || w.when != WhenKnown::absolute) return true;
  for (size_t i = join_cursor; i < exits.end(); ++i)
    if (exits.held(i) && !exits[i].exited_at) return true;
  return false;
}

Exit ExitTracker::Impl::take_classified(size_t i) {
  auto [x, f] = exits.take(i);
  if (recent) recent->keep(x, f);
  f.kernel_input_present = f.kernel_input_present || kernel_present;
  classify_exit(x, f);
  if (made_from_record(x)) inputs_with_records_taken.insert(x.input);
  if (x.cls != ExitClass::clean) units_with_failures.insert(x.unit);
  return std::move(x);
}

void ExitTracker::Impl::take_final(std::vector<Exit>& out) {
  if (!streaming || stream_stopped || !watermark || *watermark < next_flush_at) return;
  const bool over_budget = windows.hold_exits > 0 && exits.end() - exits.begin() > windows.hold_exits;
  if (arrival < next_flush_arrival && !over_budget) return;
  const UsecUtc now = *watermark;
  next_flush_at = now + windows.flush_every;
  next_flush_arrival = arrival + windows.flush_after_events;
  if (windows.hold_exits > 0 && !over_budget) return;
  // A quiet live stream brings no next event to decide a text-form exit's main process: the
  // clock going on decides it, or that exit would hold back every later one.
  if (main_process.has_pending() && main_process.pending_due(now)) main_process.resolve_pending(now);
  if (evidence_untimed()) {
    stream_stopped = true;
    return;
  }
  join_late_records(now);  // before the late record is merged as a death of its own
  join_exits(now);
  merge_settled_evidence(now);
  const UsecUtc until = final_before(now);
  std::vector<size_t> leaving;
  for (size_t i = exits.begin(); i < exits.end(); ++i) {
    if (!exits.held(i) || !exits.joined(i)) continue;
    const auto& t = exits[i].exited_at;
    if (t && *t < until) leaving.push_back(i);
  }
  // Holding exits back: the oldest final ones leave until half the budget is held. Oldest by
  // time, not by arrival: an exit waiting for its core record arrived before later ones.
  bool holding = false;
  if (windows.hold_exits > 0) {
    const size_t held_now = exits.end() - exits.begin();
    const size_t may_leave = held_now > windows.hold_exits / 2 ? held_now - windows.hold_exits / 2 : 0;
    if (leaving.size() > may_leave) {
      holding = true;
      std::stable_sort(leaving.begin(), leaving.end(),
                       [&](size_t a, size_t b) { return *exits[a].exited_at < *exits[b].exited_at; });
      leaving.resize(may_leave);
      std::sort(leaving.begin(), leaving.end());
    }
  }
  // They leave in time order (ties in arrival order) but are taken in arrival order, each
  // moved once into its place: sorting the exits themselves moved each a dozen times (6 % of
  // the instructions of an export's parse).
  std::vector<size_t> by_time(leaving.size());
  for (size_t n = 0; n < by_time.size(); ++n) by_time[n] = n;
  std::stable_sort(by_time.begin(), by_time.end(), [&](size_t a, size_t b) {
    return *exits[leaving[a]].exited_at < *exits[leaving[b]].exited_at;
  });
  std::vector<size_t> place(leaving.size());
  for (size_t rank = 0; rank < by_time.size(); ++rank) place[by_time[rank]] = rank;
  const size_t first = out.size();
  out.resize(first + leaving.size());
  for (size_t n = 0; n < leaving.size(); ++n) {
    const size_t i = leaving[n];
    if (emitted_up_to && *exits[i].exited_at < *emitted_up_to) ++exits_out_of_order;
    out[first + place[n]] = take_classified(i);
  }
  // Final exits still held are not out of order when they leave: only those before the
  // last exit that left are.
  UsecUtc left_up_to = until;
  if (holding) left_up_to = out.size() > first ? *out.back().exited_at : emitted_up_to.value_or(until);
  if (!emitted_up_to || left_up_to > *emitted_up_to) emitted_up_to = left_up_to;
}
// The same exit read from two inputs (say, the export and the json of one journal) is listed
// once: same unit, boot, time (to the coarser precision) and code/signal.
static bool same_exit(const Exit& a, const Exit& b) {
  if (a.unit != b.unit || !same_boot(a.boot_id, b.boot_id) || !same_machine(a.machine_id, a.hostname, b.machine_id, b.hostname) || a.code != b.code || a.signal != b.signal ||
      a.input == b.input || !a.exited_at || !b.exited_at)
    return false;
  const UsecUtc tolerance = (a.time_has_usec && b.time_has_usec) ? 0 : one_second;
  return std::llabs(*a.exited_at - *b.exited_at) <= tolerance;
}

// Stable by exit time, untimed exits (cat form) first in input order. Sorts indexes and then
// moves each exit once along its permutation cycle, so no second array of exits is made.
static void sort_by_exit_time(std::vector<Exit>& exits) {
  std::vector<size_t> order(exits.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    const auto& ta = exits[a].exited_at;
    const auto& tb = exits[b].exited_at;
    if (ta && tb) return *ta < *tb;
    return ta.has_value() < tb.has_value();
  });
  // Position i must receive exits[order[i]].
  for (size_t start = 0; start < order.size(); ++start) {
    if (order[start] == start) continue;
    Exit held = std::move(exits[start]);
    size_t at = start;
    while (order[at] != start) {
      const size_t from = order[at];
      exits[at] = std::move(exits[from]);
      order[at] = at;
      at = from;
    }
    exits[at] = std::move(held);
    order[at] = at;
  }
}

Classified ExitTracker::finish() {
  Impl& m = *impl_;
  Classified out;
  out.kernel_input_present = m.kernel_present;
  const auto untimed = std::count_if(m.kernel.begin(), m.kernel.end(), [](const KernelRecord& k) { return !k.time; });
  m.join_exits(std::nullopt);
  m.merge_settled_evidence(std::nullopt);
  out.exits.reserve(m.exits.end() - m.exits.begin());
  for (size_t i = m.exits.begin(); i < m.exits.end(); ++i)
    if (m.exits.held(i)) out.exits.push_back(m.take_classified(i));
  if (m.emitted_up_to)
    for (const auto& x : out.exits)
      if (x.exited_at && *x.exited_at < *m.emitted_up_to) ++m.exits_out_of_order;
  sort_by_exit_time(out.exits);
  size_t kept = 0;
  for (size_t i = 0; i < out.exits.size(); ++i) {
    bool dup = false;
    for (size_t k = kept; k-- > 0 && !dup;) {
      const Exit& prev = out.exits[k];
      if (prev.exited_at && out.exits[i].exited_at && *out.exits[i].exited_at - *prev.exited_at > one_second) break;
      dup = same_exit(prev, out.exits[i]);
    }
    if (dup) continue;
    if (kept != i) out.exits[kept] = std::move(out.exits[i]);
    ++kept;
  }
  out.exits.erase(out.exits.begin() + static_cast<std::ptrdiff_t>(kept), out.exits.end());
  for (auto& note : unjoined_notes(m.unjoined)) m.warnings.push_back({"witness-not-joined", std::move(note)});
  if (m.exits_out_of_order > 0 && m.windows.hold_exits > 0)
    m.warnings.push_back(
        {"input-out-of-order",
         std::to_string(m.exits_out_of_order) + " exit(s) came after later exits had been written: the inputs overlap "
         "in time, and with more than " + std::to_string(m.windows.hold_exits) + " exits several inputs are joined "
         "only within the last " + std::to_string(m.windows.hold_exits) + " exits, so those are out of order in the "
         "output, and evidence or copies of an exit in a later input may stand as exits of their own (give "
         "overlapping inputs fewer exits, e.g. with -u or --since, or in time order)"});
  else if (m.exits_out_of_order > 0)
    m.warnings.push_back({"input-out-of-order",
                          std::to_string(m.exits_out_of_order) + " exit(s) came after later exits had been written: "
                          "the input is out of time order by more than 5 minutes, so those are out of order in the output"});
  if (untimed > 0)
    m.warnings.push_back({"kernel-time-unanchored",
                          std::to_string(untimed) + " kernel OOM/fault line(s) have no wall-clock time (dmesg stamps "
                          "are seconds since boot): they were matched by PID only; pass --kernel-boot-time (e.g. "
                          "\"$(uptime -s)\" on that host) to match them by time"});
  for (const auto& [unit, n] : m.suppressed)
    m.warnings.push_back({"journald-suppressed", "journald suppressed " + std::to_string(n) + " messages from " + unit +
                                                     " (rate limiting: crash output may be missing)"});
  for (const auto& [unit, n] : m.lines_cut)
    m.warnings.push_back({"journald-line-max", std::to_string(n) + " output line(s) of " + unit +
                                                   " were cut at journald's LineMax (messages are partial)"});
  for (const auto& [unit, n] : m.hidden_exits)
    m.warnings.push_back({"exit-not-logged", unit + " started again " + std::to_string(n) +
                                                 " time(s) without an exit record in between (clean exits are "
                                                 "logged at debug level; or entries are missing)"});
  for (const auto& [unit, t] : m.journal_starts_inside) {
    // Only worth saying for a unit that failed: a clean stop of a boot-time unit is routine.
    const bool failed = m.units_with_failures.count(unit) > 0;
    if (!failed) continue;
    m.warnings.push_back({"journal-starts-mid-lifetime",
                          "the input begins inside a lifetime of " + unit +
                              ": its start (and any earlier exits) are not in the input (rotated or vacuumed?)"});
  }
  out.warnings = std::move(m.warnings);
  std::sort(m.running.begin(), m.running.end(),
            [](const RunningLifetime& a, const RunningLifetime& b) { return a.started_at < b.started_at; });
  out.running = std::move(m.running);
  out.inputs = std::move(m.stats);
  return out;
}

}  // namespace crashsift::classify
