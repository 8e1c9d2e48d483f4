#include "crashsift/input/journal_index_read.hpp"

#include <systemd/sd-journal.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <unordered_set>
#include <vector>

#include "crashsift/core/text.hpp"

namespace crashsift::input {
namespace {

constexpr size_t first_lines = 32;   // an invocation's first lines: its start time, version banners
// Before an exit: the tracker keeps 32 lines a process, and a crash header above a long dump.
constexpr size_t last_lines = 256;
constexpr std::uint64_t follow_usec = 5'000'000;  // output journald stores after the exit record
constexpr std::uint64_t forget_usec = 600'000'000;

// Senders whose own lines witness other processes' deaths (classify/witnesses/, the tracker's
// coredump, oomd and journald records).
// Docker's and Kubernetes' tooling output is read only from pastes, so dockerd's chatter is not.
constexpr const char* witness_identifiers[] = {"systemd-coredump", "systemd-oomd", "systemd-journald",
                                               "earlyoom",         "nohang",       "apport",
                                               "abrt-hook-ccpp",   "abrtd",        "abrt-dump-journal-oops",
                                               "supervisord",      "pm2"};

// The anchors' filter: a disjunction of conjunctions of FIELD=value, used both as sd-journal
// matches and, on output lines, to leave out the entries the anchor walk sends itself.
using Term = std::vector<std::string>;

// present: the SYSLOG_IDENTIFIERs and _TRANSPORTs the file holds. sd-journal's cost of each
// step grows with the number of terms, so a sender the file never saw is not asked for.
std::vector<Term> anchor_terms(const std::vector<std::string>& units, const std::unordered_set<std::string>& present,
                               const std::unordered_set<std::string>& transports,
                               const std::unordered_set<std::string>& ids_present) {
  std::vector<Term> terms;
  if (units.empty()) {
    terms.push_back({"_PID=1"});
    terms.push_back({"SYSLOG_IDENTIFIER=systemd"});  // user managers too, in any wording
    // The forked child that cannot exec logs under its own name, "(ot-exist)", outside the
    // unit's cgroup.
    if (ids_present.count(message_ids::spawn_failed))
      terms.push_back({std::string("MESSAGE_ID=") + message_ids::spawn_failed});
    for (const char* ident : witness_identifiers)
      if (present.count(ident)) terms.push_back({std::string("SYSLOG_IDENTIFIER=") + ident});
  } else {
    // What `journalctl -u` reads of the manager, and the unit's coredumps (see add_unit_matches).
    for (const auto& u : units) {
      terms.push_back({"UNIT=" + u, "_PID=1"});
      terms.push_back({"USER_UNIT=" + u});
      terms.push_back({"COREDUMP_UNIT=" + u});
    }
    terms.push_back({"SYSLOG_IDENTIFIER=systemd-oomd"});
  }
  terms.push_back({"_TRANSPORT=kernel"});
  // The kernel's audit records: ANOM_ABEND names a process that died of a signal.
  if (transports.count("audit")) terms.push_back({"_TRANSPORT=audit"});
  return terms;
}

int add_matches(sd_journal* j, const std::vector<Term>& terms) {
  for (const auto& term : terms) {
    for (const auto& m : term)
      if (int r = sd_journal_add_match(j, m.data(), m.size()); r < 0) return r;
    if (int r = sd_journal_add_disjunction(j); r < 0) return r;
  }
  return 0;
}

// Whether an entry passes the anchor filter, from its FIELD=value items: see() each item as the
// entry is read (fill_event_from_journal), then matched(). An item counts wherever it is in the
// entry, as it does for sd-journal's own matches. One pass over the entry's data: asking
// sd_journal_get_data for each field walked the entry's items once per field (a quarter of
// `-u UNIT`'s time).
class AnchorFilter {
 public:
  explicit AnchorFilter(std::vector<Term> terms) : terms_(std::move(terms)) {
    for (const auto& term : terms_)
      for (const auto& m : term) fields_.insert(m.substr(0, m.find('=')));
  }
  const std::vector<Term>& terms() const { return terms_; }

  void begin() { values_.clear(); }
  void see(std::string_view item) {
    const size_t eq = item.find('=');
    if (eq != std::string_view::npos && fields_.count(item.substr(0, eq))) values_.emplace_back(item);
  }
  bool matched() const {
    for (const auto& term : terms_) {
      const bool all = std::all_of(term.begin(), term.end(), [&](const std::string& m) {
        return std::find(values_.begin(), values_.end(), m) != values_.end();
      });
      if (all) return true;
    }
    return false;
  }

 private:
  std::vector<Term> terms_;
  std::set<std::string, std::less<>> fields_;
  std::vector<std::string> values_;
};

std::unordered_set<std::string> unique_values(sd_journal* j, const char* field) {
  std::unordered_set<std::string> out;
  if (sd_journal_query_unique(j, field) < 0) return out;
  const void* data = nullptr;
  size_t len = 0;
  // Each value comes as "FIELD=value".
  const size_t prefix = std::strlen(field) + 1;
  SD_JOURNAL_FOREACH_UNIQUE(j, data, len)
    if (len >= prefix) out.emplace(static_cast<const char*>(data) + prefix, len - prefix);
  return out;
}

// The PID a kernel line names as killed or faulting: "Killed process 4242 (node)",
// "node[4242]: segfault at ...", "traps: node[4242] general protection ...".
std::optional<std::int64_t> pid_in_kernel_line(std::string_view m) {
  auto number_at = [](std::string_view s) -> std::optional<std::int64_t> {
    std::int64_t v = 0;
    size_t n = 0;
    while (n < s.size() && s[n] >= '0' && s[n] <= '9') v = v * 10 + (s[n++] - '0');
    return n > 0 && n < 10 ? std::optional<std::int64_t>(v) : std::nullopt;
  };
  if (const size_t k = m.find("Killed process "); k != std::string_view::npos) return number_at(m.substr(k + 15));
  for (std::string_view marker : {"]: segfault at ", "] general protection", "] trap ", "]: general protection"}) {
    const size_t end = m.find(marker);
    if (end == std::string_view::npos) continue;
    const size_t open = m.rfind('[', end);
    if (open != std::string_view::npos) return number_at(m.substr(open + 1, end - open - 1));
  }
  return std::nullopt;
}

// A manager's line about a unit that may be its end: everything but the start job's lines.
bool may_end_a_lifetime(const Event& e) {
  if (e.unit.empty() || e.kernel) return false;
  if (e.message_id == message_ids::unit_starting || e.message_id == message_ids::unit_started) return false;
  return !starts_with(e.message, "Starting ") && !starts_with(e.message, "Started ");
}

class IndexReader {
 public:
  IndexReader(sd_journal* anchors, sd_journal* lines, const FileStreamSettings& settings, const IndexedEntrySink& sink)
      : a_(anchors),
        t_(lines),
        settings_(settings),
        filter_(anchor_terms(settings.units, unique_values(lines, "SYSLOG_IDENTIFIER"),
                             unique_values(lines, "_TRANSPORT"), unique_values(lines, "MESSAGE_ID"))),
        sink_(sink) {}

  IndexReadResult run() {
    IndexReadResult result;
    invocations_ = unique_values(t_, "_SYSTEMD_INVOCATION_ID");
    units_with_output_ = unique_values(t_, "_SYSTEMD_UNIT");
    if (add_matches(a_, filter_.terms()) < 0) {
      sd_journal_flush_matches(a_);
      return result;
    }
    if (settings_.since) sd_journal_seek_realtime_usec(a_, static_cast<std::uint64_t>(*settings_.since));
    result.used = true;
    Event e;
    for (;;) {
      const int r = sd_journal_next(a_);
      if (r == 0) break;
      if (r < 0) {
        result.error = r;
        break;
      }
      e.clear();
      fill_event_from_journal(a_, e, result.invalid_fields);
      // One cursor an anchor (libsystemd formats it anew each time): its seqnum, and where
      // the walk back to its output lines starts.
      const std::string cursor = journal_cursor(a_);
      e.origin.line = seqnum_in_cursor(cursor);
      std::uint64_t realtime = 0;
      sd_journal_get_realtime_usec(a_, &realtime);
      follow_up_due(realtime, result);
      if (auto key = output_key(e)) read_before(*key, cursor, realtime, result);
      sink_(realtime, e);
      ++result.entries;
    }
    follow_up_due(UINT64_MAX, result);
    return result;
  }

 private:
  struct Key {
    std::string match;       // "_SYSTEMD_UNIT=...", "_SYSTEMD_INVOCATION_ID=...", "_PID=..."
    std::string invocation;  // the invocation whose first lines are wanted too, if any
  };
  struct Followed {
    std::uint64_t last_seq = 0;  // output sent up to here
    std::string from_cursor;     // the latest anchor that asked: later lines are read from it
    std::uint64_t until = 0;     // and up to this realtime
    bool pending = false;
  };
  struct Line {
    std::uint64_t seq = 0, realtime = 0;
    std::uint64_t invalid_fields = 0;  // counted once the line is sent (it may be read twice)
    Event event;
  };
  // The output lines read for one anchor. Kept from anchor to anchor with their strings'
  // capacity: a fresh Event a line was fresh memory, and on a VM every fresh page is a fault
  // that costs more than parsing the line.
  class LineBatch {
   public:
    Line& add() {
      if (count_ == lines_.size()) lines_.emplace_back();
      Line& line = lines_[count_++];
      line.event.clear();
      line.invalid_fields = 0;
      return line;
    }
    void drop_last() { --count_; }
    void clear() { count_ = 0; }
    std::span<Line> lines() { return {lines_.data(), count_}; }

   private:
    std::vector<Line> lines_;
    size_t count_ = 0;
  };

  std::optional<Key> output_key(const Event& e) const {
    if (e.kernel) {
      if (auto pid = pid_in_kernel_line(e.message)) return Key{"_PID=" + std::to_string(*pid), {}};
      return std::nullopt;
    }
    if (e.coredump_pid) return Key{"_PID=" + std::to_string(*e.coredump_pid), {}};
    if (!may_end_a_lifetime(e)) return std::nullopt;
    // By unit: journald stamps no invocation on the lines of a process that died before it
    // read the process's cgroup, and the tracker ties lines to units by _SYSTEMD_UNIT.
    const bool known_invocation = !e.invocation_id.empty() && invocations_.count(e.invocation_id);
    const std::string first = known_invocation ? e.invocation_id : std::string();
    if (units_with_output_.count(e.unit)) return Key{"_SYSTEMD_UNIT=" + e.unit, first};
    if (known_invocation) return Key{"_SYSTEMD_INVOCATION_ID=" + e.invocation_id, first};
    return std::nullopt;  // the unit never printed
  }

  // The key's output lines before the current anchor: its last ones, and the first ones of
  // every invocation they belong to (its start time, version banners) not read yet.
  void read_before(const Key& key, const std::string& anchor, std::uint64_t realtime, IndexReadResult& result) {
    const std::uint64_t anchor_seq = seqnum_in_cursor(anchor);
    if (anchor.empty() || !anchor_seq) return;
    Followed& f = followed_[key.match];
    LineBatch& got = batch_;
    got.clear();
    if (select(key.match) && sd_journal_seek_cursor(t_, anchor.c_str()) >= 0) {
      for (size_t n = 0; n < last_lines && sd_journal_previous(t_) > 0; ++n)
        if (!take(got, anchor_seq, f.last_seq)) break;
    }
    std::set<std::string> invocations;
    if (!key.invocation.empty()) invocations.insert(key.invocation);
    for (const auto& line : got.lines())
      if (!line.event.invocation_id.empty()) invocations.insert(line.event.invocation_id);
    for (const auto& invocation : invocations) read_first(invocation, anchor_seq, got);
    send(got, f, result);
    f.from_cursor = anchor;
    f.until = realtime + follow_usec;
    if (!f.pending) {
      f.pending = true;
      pending_.push_back(key.match);
    }
  }

  void read_first(const std::string& invocation, std::uint64_t before, LineBatch& got) {
    if (!invocations_.count(invocation) || !first_read_.insert(invocation).second) return;
    if (!select("_SYSTEMD_INVOCATION_ID=" + invocation) || sd_journal_seek_head(t_) < 0) return;
    for (size_t n = 0; n < first_lines && sd_journal_next(t_) > 0; ++n) take(got, before, 0);
  }

  // Output stored after the anchors that asked, up to their follow window, once the anchor
  // walk has passed the window's end.
  void follow_up_due(std::uint64_t now, IndexReadResult& result) {
    if (pending_.empty()) return;
    std::vector<std::string> still;
    for (const auto& match : pending_) {
      Followed& f = followed_[match];
      if (f.until >= now) {
        still.push_back(match);
        continue;
      }
      f.pending = false;
      if (!select(match) || sd_journal_seek_cursor(t_, f.from_cursor.c_str()) < 0) continue;
      LineBatch& got = batch_;
      got.clear();
      while (sd_journal_next(t_) > 0) {
        std::uint64_t rt = 0;
        sd_journal_get_realtime_usec(t_, &rt);
        if (rt > f.until) break;
        take(got, UINT64_MAX, f.last_seq);
      }
      send(got, f, result);
    }
    pending_ = std::move(still);
    forget_old(now);
  }

  void forget_old(std::uint64_t now) {
    if (now == UINT64_MAX || ++sweeps_ % 256) return;
    std::erase_if(followed_, [&](const auto& kv) { return !kv.second.pending && kv.second.until + forget_usec < now; });
  }

  bool select(const std::string& match) {
    sd_journal_flush_matches(t_);
    return sd_journal_add_match(t_, match.data(), match.size()) >= 0;
  }

  // Keeps the current output line when it is new (after `after`, before `before`) and not an
  // anchor (the anchor walk sends those). False once the walk backwards reached sent lines.
  bool take(LineBatch& got, std::uint64_t before, std::uint64_t after) {
    const std::uint64_t seq = journal_seqnum(t_);
    if (seq <= after) return false;
    if (seq >= before) return true;
    Line& line = got.add();
    line.seq = seq;
    // Damaged fields are counted when the line is sent: an anchor's by the anchor walk, a
    // line read twice (a first and a last line) once.
    filter_.begin();
    fill_event_from_journal(t_, line.event, line.invalid_fields, see_item_);
    if (filter_.matched()) {
      got.drop_last();
      return true;
    }
    sd_journal_get_realtime_usec(t_, &line.realtime);
    line.event.origin.line = seq;
    return true;
  }

  void send(LineBatch& batch, Followed& f, IndexReadResult& result) {
    const std::span<Line> got = batch.lines();
    std::sort(got.begin(), got.end(), [](const Line& x, const Line& y) { return x.seq < y.seq; });
    // A line can be asked for twice: as a first and a last line, by the PID a kernel line
    // names and by its invocation. The set is only for the deaths being read now.
    if (sent_.size() > (1u << 18)) sent_.clear();
    for (const auto& line : got) {
      if (!sent_.insert(line.seq).second) continue;
      result.invalid_fields += line.invalid_fields;
      sink_(line.realtime, line.event);
      f.last_seq = std::max(f.last_seq, line.seq);
    }
  }

  sd_journal* a_;
  sd_journal* t_;
  const FileStreamSettings& settings_;
  AnchorFilter filter_;
  const std::function<void(std::string_view)> see_item_ = [this](std::string_view item) { filter_.see(item); };
  const IndexedEntrySink& sink_;
  std::unordered_set<std::string> invocations_, units_with_output_;
  std::map<std::string, Followed> followed_;
  std::unordered_set<std::string> first_read_;  // invocations whose first lines were sent
  std::unordered_set<std::uint64_t> sent_;
  std::vector<std::string> pending_;
  std::uint64_t sweeps_ = 0;
  LineBatch batch_;
};

}  // namespace

IndexReadResult read_by_index(sd_journal* j, sd_journal* lines, const FileStreamSettings& settings,
                              const IndexedEntrySink& sink) {
  sd_journal_set_data_threshold(lines, 64 * 1024);
  IndexReader reader(j, lines, settings, sink);
  return reader.run();
}

std::string journal_cursor(sd_journal* j) {
  char* c = nullptr;
  if (sd_journal_get_cursor(j, &c) < 0 || !c) return {};
  std::string s(c);
  std::free(c);
  return s;
}

std::uint64_t seqnum_in_cursor(std::string_view cursor) {
  const size_t i = cursor.find(";i=");
  if (i == std::string_view::npos) return 0;
  std::uint64_t seqnum = 0;
  for (const char c : cursor.substr(i + 3)) {
    const int digit = c >= '0' && c <= '9'   ? c - '0'
                      : c >= 'a' && c <= 'f' ? c - 'a' + 10
                      : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                             : -1;
    if (digit < 0) break;
    seqnum = seqnum * 16 + static_cast<std::uint64_t>(digit);
  }
  return seqnum;
}

}  // namespace crashsift::input
