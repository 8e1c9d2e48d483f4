// `systemctl status` blocks pasted into a report (formats.md §11):
//
//   × ledger-sync.service - Ledger sync worker
//        Loaded: loaded (/etc/systemd/system/ledger-sync.service; enabled; preset: enabled)
//        Active: failed (Result: oom-kill) since Tue 2024-03-05 10:11:14 UTC; 3min 2s ago
//       Process: 4182 ExecStart=/usr/bin/node /srv/ledger/index.js (code=killed, signal=KILL)
//      Main PID: 4182 (code=killed, signal=KILL)
//
// The header tells the last death of the unit's main process: its PID and how it ended
// (Main PID), the unit's result and when the unit entered that state (Active). One witness per
// block, only when the unit is no longer running: a running unit's Main PID is alive. The
// journal tail under the block is read by the input parser as journal lines and makes its own
// exits; the merger joins this witness with the last of them (same PID or unit).
#include <memory>

#include "crashsift/classify/witness.hpp"
#include "crashsift/classify/witnesses/text_lines.hpp"
#include "crashsift/core/text.hpp"

namespace crashsift::classify {

namespace {

namespace wt = witness_text;

// Terminal wraps cut lines at the window width (80 columns is the usual): only a field line
// that long can have been wrapped.
constexpr size_t wrapped_line_min = 60;
// Lines the block does not know (Docs: continuation URLs, prose) tolerated before it is over.
constexpr int unknown_lines_max = 6;

// "● " (active), "× " (failed, v250+), "○ " (inactive), "↻ " (reloading/activating).
std::string_view strip_bullet(std::string_view t) {
  static constexpr std::string_view bullets[] = {"\xe2\x97\x8f ", "\xc3\x97 ", "\xe2\x97\x8b ", "\xe2\x86\xbb "};
  for (auto b : bullets)
    if (starts_with(t, b)) return t.substr(b.size());
  return {};
}

// "x.service - Description" -> "x.service"; "" when the first word is no unit name.
std::string unit_of_header(std::string_view rest) {
  const std::string_view name = rest.substr(0, rest.find(' '));
  const size_t dot = name.rfind('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 == name.size() || name.size() > 256) return {};
  for (char c : name)
    if (static_cast<unsigned char>(c) <= ' ' || c == '/' || c == '(') return {};
  return std::string(name);
}

// The main process's death from "(code=exited, status=1/FAILURE)" / "(code=killed, signal=KILL)".
struct Death {
  std::string exit_kind, signal;
  std::optional<int> code;
};

std::optional<Death> death_of(std::string_view s) {
  const size_t at = s.rfind("(code=");
  if (at == std::string_view::npos) return std::nullopt;
  std::string_view in = s.substr(at + 6);
  in = in.substr(0, in.find(')'));
  Death d;
  const size_t comma = in.find(',');
  d.exit_kind = std::string(trim(in.substr(0, comma)));
  if (d.exit_kind.empty()) return std::nullopt;
  if (comma == std::string_view::npos) return d;
  const std::string_view rest = trim(in.substr(comma + 1));
  if (starts_with(rest, "status=")) {
    const std::string_view v = rest.substr(7);
    std::int64_t n = 0;
    if (parse_int64(v.substr(0, v.find('/')), n) && n >= 0 && n < 1 << 16) d.code = static_cast<int>(n);
  } else if (starts_with(rest, "signal=")) {
    d.signal = wt::signal_name_of(rest.substr(7));
  }
  return d;
}

// "failed (Result: oom-kill) since Tue 2023-05-02 10:11:12 CEST; 2min ago"
struct Active {
  std::string state, substate, result;
  std::optional<UsecUtc> since;
};

Active parse_active(std::string_view s) {
  Active a;
  a.state = std::string(s.substr(0, s.find(' ')));
  if (const size_t open = s.find(" ("); open != std::string_view::npos && open == a.state.size()) {
    const std::string_view in = s.substr(open + 2);
    a.substate = std::string(in.substr(0, in.find(')')));
  }
  if (const size_t r = s.find("(Result: "); r != std::string_view::npos) {
    const std::string_view in = s.substr(r + 9);
    a.result = std::string(trim(in.substr(0, in.find(')'))));
  }
  if (const size_t since = s.find(" since "); since != std::string_view::npos)
    if (auto st = wt::parse_systemd_stamp(s.substr(since + 7))) a.since = st->utc;
  return a;
}

// The unit no longer runs its main process: the last death is what the header shows.
bool shows_a_death(const Active& a) {
  return a.state == "failed" || a.state == "inactive" || (a.state == "activating" && a.substate == "auto-restart");
}

enum class Field { none, active, main_pid, process, other };

struct Block {
  bool open = false;
  std::string unit;
  std::string active, main_pid, exec_process;  // field values (after the label)
  Evidence active_line, main_line, process_line;
  Field last = Field::none;
  size_t last_len = 0;
  int unknown = 0;
};

class SystemctlStatus final : public WitnessRecognizer {
 public:
  std::string_view name() const override { return "systemctl-status"; }

  void on_event(const Event& e, const WitnessSink& out) override {
    if (!wt::is_text_line(e)) {
      if (b_.open) close(out);  // a journal record: the header section is over
      return;
    }
    std::string_view t = wt::chomp(wt::skip_indent(e.message));
    if (t.empty()) return;
    const unsigned char first = static_cast<unsigned char>(t[0]);
    // Cheap exit for lines that cannot start or continue a block.
    if (!b_.open && first != 0xe2 && first != 0xc3 && first != 0x1b && first != 'A' && first != 'L') return;
    std::string plain;
    if (t.find('\x1b') != std::string_view::npos) {
      plain = wt::strip_ansi(t);
      t = wt::skip_indent(plain);
    }
    if (const std::string_view rest = strip_bullet(t); !rest.empty()) return open_block(unit_of_header(rest), out);
    if (!b_.open) {
      // A block whose header was cut off the paste still says its state and main process.
      if (!starts_with(t, "Loaded: ") && !starts_with(t, "Active: ")) return;
      open_block({}, out);
    }
    if (field(t, e)) return;
    other_line(t, out);
  }

  void end_input(const WitnessSink& out) override {
    if (b_.open) close(out);
  }

 private:
  void open_block(std::string unit, const WitnessSink& out) {
    if (b_.open) close(out);
    b_ = Block{};
    b_.open = true;
    b_.unit = std::move(unit);
  }

  static Evidence evidence(std::string_view text, const Event& e) {
    return Evidence{"systemctl-status", std::string(text.substr(0, 512)), e.origin, e.time};
  }

  // A "Label: value" line of the header; false when the line is none.
  bool field(std::string_view t, const Event& e) {
    b_.last = Field::other;
    b_.last_len = t.size();
    if (starts_with(t, "Active: ")) {
      b_.active = std::string(t.substr(8));
      b_.active_line = evidence(t, e);
      b_.last = Field::active;
    } else if (starts_with(t, "Main PID: ")) {
      b_.main_pid = std::string(t.substr(10));
      b_.main_line = evidence(t, e);
      b_.last = Field::main_pid;
    } else if (starts_with(t, "Process: ")) {
      // Only the main command's line can stand in for a missing Main PID line.
      if (t.find(" ExecStart=") == std::string_view::npos) return true;
      b_.exec_process = std::string(t.substr(9));
      b_.process_line = evidence(t, e);
      b_.last = Field::process;
    } else if (!is_other_field(t)) {
      b_.last = Field::none;
      return false;
    }
    return true;
  }

  static bool is_other_field(std::string_view t) {
    static constexpr std::string_view labels[] = {
        "Loaded: ", "Tasks: ",   "Memory: ",   "CPU: ", "CGroup: ", "Docs: ",   "Duration: ", "TriggeredBy: ",
        "Triggers: ", "Status: ", "Invocation: ", "Drop-In: ", "IO: ", "IP: ", "Mem peak: ", "Swap peak: ",
        "Notify: ", "Condition: ", "Assert: ", "Listen: ", "Accepted: ", "Trigger: ", "Where: ", "What: ",
        "Device: ", "Follows: ", "Warning: "};
    for (auto l : labels)
      if (starts_with(t, l)) return true;
    // cgroup tree and Drop-In file list: "└─1234 /usr/bin/app", "├─…", "│ …"
    return starts_with(t, "\xe2\x94\x94") || starts_with(t, "\xe2\x94\x9c") || starts_with(t, "\xe2\x94\x82");
  }

  // Not a field: the end of the header (a journal line of the tail, a prompt), a piece of a
  // field line the terminal wrapped, or text the block ignores.
  void other_line(std::string_view t, const WitnessSink& out) {
    const bool ends_block = t.find("]: ") != std::string_view::npos || starts_with(t, "-- ") || t[0] == '[' ||
                            starts_with(t, "$ ") || starts_with(t, "# ") || starts_with(t, "```");
    if (ends_block) return close(out);
    if (b_.last_len >= wrapped_line_min && t.size() < 100) {
      if (std::string* f = last_field()) f->append(t);
      b_.last_len = 0;  // a wrapped line continues once
      return;
    }
    b_.last = Field::none;
    if (++b_.unknown > unknown_lines_max) close(out);
  }

  std::string* last_field() {
    switch (b_.last) {
      case Field::active: return &b_.active;
      case Field::main_pid: return &b_.main_pid;
      case Field::process: return &b_.exec_process;
      default: return nullptr;
    }
  }

  void close(const WitnessSink& out) {
    Block b = std::move(b_);
    b_ = Block{};
    if (b.active.empty()) return;
    const Active a = parse_active(b.active);
    if (!shows_a_death(a)) return;
    // The main process's death; a block without a Main PID line may still show ExecStart's.
    const bool from_main = !b.main_pid.empty();
    const std::string& line = from_main ? b.main_pid : b.exec_process;
    auto d = death_of(line);
    if (!d) return;
    Witness w;
    w.kind = "systemctl-status";
    w.unit = b.unit;
    std::int64_t pid = 0;
    if (parse_int64(line.substr(0, line.find(' ')), pid) && pid > 0) w.pid = pid;
    w.exit_kind = std::move(d->exit_kind);
    w.code = d->code;
    w.signal = std::move(d->signal);
    w.unit_result = a.result;
    w.time = a.since;
    // "since" carries the zone; without a zone it could be any, so it is not used at all.
    w.when = a.since ? WhenKnown::absolute : WhenKnown::none;
    w.time_has_usec = false;
    Evidence first = from_main ? std::move(b.main_line) : std::move(b.process_line);
    first.time = w.time;
    b.active_line.time = w.time;
    w.lines.push_back(std::move(first));
    w.lines.push_back(std::move(b.active_line));
    out(std::move(w));
  }

  Block b_;
};

}  // namespace

std::unique_ptr<WitnessRecognizer> make_witness_systemctl_status() { return std::make_unique<SystemctlStatus>(); }

}  // namespace crashsift::classify
