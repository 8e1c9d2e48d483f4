// systemd-coredump's sentence about a crash when it arrives as text, not as its journal entry
// (formats.md §3):
//
//   Process 4242 (myapp) of user 0 dumped core.
//   Process 4242 (myapp) of user 0 terminated abnormally with signal 11/SEGV, processing...
//   Process 4242 (myapp) of user 0 terminated abnormally without generating a coredump.
//
// The tracker already reads the entry when the identifier is systemd-coredump or the
// MESSAGE_ID is the coredump one (with its COREDUMP_* fields); this recognizer reads only what
// the tracker does not take — a pasted line, `-o cat` output, a line relayed under another
// identifier — so that one sentence never makes two witnesses.
#include <memory>

#include "crashsift/classify/witness.hpp"
#include "crashsift/classify/witnesses/text_lines.hpp"
#include "crashsift/core/text.hpp"

namespace crashsift::classify {

namespace {

namespace wt = witness_text;

constexpr size_t max_message = 64 * 1024;

// The tracker's own test for a systemd-coredump entry (tracker.cpp is_coredump_entry): events
// it takes are not ours.
bool tracker_takes(const Event& e) {
  if (e.message_id == message_ids::coredump) return true;
  return e.identifier == "systemd-coredump" && starts_with(e.message, "Process ") &&
         (contains(e.message, " dumped core") || contains(e.message, "terminated abnormally"));
}

// journalctl on a terminal with hyperlinks prefixes catalog-linked messages with "[🡕] ".
std::string_view strip_link_glyph(std::string_view t) {
  if (t.empty() || t[0] != '[') return t;
  const size_t close = t.find("] ");
  if (close == std::string_view::npos || close > 8) return t;
  return t.substr(close + 2);
}

struct Sentence {
  std::int64_t pid = 0;
  std::string comm;
  std::string signal;
  bool core_written = true;  // false: "without generating a coredump"
  bool processing = false;   // the early line: the handler has not finished yet
  bool known = false;
};

// "Process 4242 (my app) of user 0 <tail>": the comm may hold spaces and parentheses, so the
// last ") of user " ends it.
Sentence parse_sentence(std::string_view t) {
  Sentence s;
  std::string_view rest = t.substr(8);
  const size_t sp = rest.find(" (");
  if (sp == std::string_view::npos || !parse_int64(rest.substr(0, sp), s.pid) || s.pid <= 0) return s;
  const size_t of_user = rest.rfind(") of user ");
  if (of_user == std::string_view::npos || of_user < sp + 2) return s;
  s.comm = std::string(rest.substr(sp + 2, of_user - sp - 2));
  std::string_view tail = rest.substr(of_user + 10);
  tail = tail.substr(std::min(tail.size(), tail.find(' ')));  // past the uid
  if (starts_with(tail, " dumped core")) {
    s.known = true;
  } else if (starts_with(tail, " terminated abnormally with signal ")) {
    // "11/SEGV, processing..."
    std::string_view sig = tail.substr(35);
    sig = sig.substr(0, sig.find_first_of(", "));
    const size_t slash = sig.find('/');
    s.signal = wt::signal_name_of(slash == std::string_view::npos ? sig : sig.substr(slash + 1));
    if (s.signal.empty()) s.signal = wt::signal_name_of(sig.substr(0, slash));
    s.processing = true;
    s.known = true;
  } else if (starts_with(tail, " terminated abnormally without generating a coredump")) {
    s.core_written = false;
    s.known = true;
  }
  return s;
}

// rsyslog writes the entry's embedded newlines as "#012".
std::string report_text(std::string_view msg) {
  std::string out;
  msg = msg.substr(0, max_message);
  for (size_t i = 0; i < msg.size();) {
    if (msg.compare(i, 4, "#012") == 0) {
      out.push_back('\n');
      i += 4;
    } else {
      out.push_back(msg[i++]);
    }
  }
  return out;
}

class CoredumpText final : public WitnessRecognizer {
 public:
  std::string_view name() const override { return "coredump-text"; }

  void on_event(const Event& e, const WitnessSink& out) override {
    if (e.kernel) return;
    std::string_view t = wt::skip_indent(e.message);
    // Cheap exit: the sentence starts with "Process " (after a link glyph or a backtick).
    if (t.empty() || (t[0] != 'P' && t[0] != '[' && t[0] != '`')) return;
    if (t[0] != 'P') t = strip_link_glyph(strip_paste_wrapping(t));
    if (!starts_with(t, "Process ") || tracker_takes(e)) return;
    const std::string_view first = t.substr(0, t.find('\n'));
    const Sentence s = parse_sentence(first.substr(0, first.find("#012")));
    if (!s.known) return;
    Witness w = witness(e, t, first, s);
    // v256 says "terminated abnormally with signal …, processing..." first and "dumped core."
    // when done: one death. The early line waits for the later one of the same PID, which
    // brings the stack trace; the signal comes from the early one.
    if (pending_ && pending_->pid == w.pid) {
      if (w.signal.empty()) w.signal = pending_->signal;
      // The early line is stamped when the process died; the later one after the core was written.
      if (pending_->time) w.time = pending_->time, w.when = pending_->when;
      for (auto& l : pending_->lines) w.lines.push_back(std::move(l));
      pending_.reset();
    }
    flush(out);
    if (s.processing) pending_ = std::move(w);
    else out(std::move(w));
  }

  void end_input(const WitnessSink& out) override { flush(out); }

 private:
  void flush(const WitnessSink& out) {
    if (pending_) out(std::move(*pending_));
    pending_.reset();
  }

  std::optional<Witness> pending_;

  static Witness witness(const Event& e, std::string_view t, std::string_view first, const Sentence& s) {
    Witness w;
    w.kind = "coredump";
    w.pid = s.pid;
    w.comm = s.comm;
    w.signal = s.signal;
    // The kernel ran the core handler, so the process died of a core-dumping signal
    // (CLD_DUMPED) even when the handler then wrote nothing.
    w.exit_kind = "dumped";
    w.host = e.hostname;
    w.boot_id = e.boot_id;
    w.time = e.time;
    w.when = e.time ? WhenKnown::absolute : WhenKnown::none;
    w.time_has_usec = e.time_has_usec;
    w.coredump_message = report_text(t);
    if (!s.core_written) w.missing.push_back("no core file: systemd-coredump generated none");
    std::string_view line = first.substr(0, first.find("#012"));
    w.lines.push_back(Evidence{"coredump", std::string(line.substr(0, 512)), e.origin, e.time});
    return w;
  }
};

}  // namespace

std::unique_ptr<WitnessRecognizer> make_witness_coredump_text() { return std::make_unique<CoredumpText>(); }

}  // namespace crashsift::classify
