// System crash reporters and userspace killers that name the process they saw die or killed:
//
//   earlyoom:  sending SIGTERM to process 57834 uid 1000 "code": badness 866, VmRSS 5122 MiB
//              (then "process exited after 0.3 seconds"; older versions omit "uid N")
//   apport:    ERROR: apport (pid 7331) Thu Feb  1 09:12:44 2024: called for pid 7210, signal 11,
//              core limit 0, dump mode 1   + "executable: /usr/bin/imgconv (command line ...)"
//   ABRT:      Process 361013 (vim) of user 500 killed by SIGSEGV - dumping core
//   audit:     type=ANOM_ABEND msg=audit(1718255291.541:227013): auid=... pid=44120
//              comm="mqbroker" exe="/opt/mq/bin/mqbroker" sig=6 res=1
//              kernel: audit: type=1701 audit(1722340841.203:812): ... (the same record via printk)
//
// apport, ABRT and audit ANOM_ABEND are called by the kernel's core dump path, so the signal is
// a core-dumping one. earlyoom is a userspace killer: neither kernel OOM nor systemd-oomd.
#include <memory>

#include "crashsift/classify/systemd_lines.hpp"
#include "crashsift/classify/witness.hpp"
#include "crashsift/classify/witnesses/text_lines.hpp"
#include "crashsift/core/text.hpp"

namespace crashsift::classify {

namespace {

namespace wt = witness_text;

constexpr size_t max_line = 8192;

// `key=value` or `key="value"` in an audit record; "" when absent.
std::string_view audit_field(std::string_view s, std::string_view key) {
  size_t at = 0;
  while ((at = s.find(key, at)) != std::string_view::npos) {
    if ((at == 0 || s[at - 1] == ' ') && at + key.size() < s.size() && s[at + key.size()] == '=') break;
    at += key.size();
  }
  if (at == std::string_view::npos) return {};
  std::string_view v = s.substr(at + key.size() + 1);
  if (!v.empty() && v[0] == '"') {
    v.remove_prefix(1);
    return v.substr(0, v.find('"'));
  }
  return v.substr(0, v.find(' '));
}

std::string basename_of(std::string_view path) {
  const size_t slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

std::optional<std::int64_t> positive(std::string_view s) {
  std::int64_t n = 0;
  if (!parse_int64(s, n) || n <= 0) return std::nullopt;
  return n;
}

// "Thu Feb  1 09:12:44 2024" (ctime, as apport writes it) -> civil time.
std::optional<CivilTime> ctime_stamp(std::string_view s) {
  static constexpr std::string_view months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  if (s.size() < 24 || s[3] != ' ' || s[7] != ' ') return std::nullopt;
  CivilTime c;
  c.month = 0;
  for (int m = 0; m < 12; ++m)
    if (s.substr(4, 3) == months[m]) c.month = m + 1;
  std::int64_t day = 0, h = 0, mi = 0, sec = 0, year = 0;
  if (c.month == 0 || !parse_int64(trim(s.substr(8, 2)), day) || s[13] != ':' || s[16] != ':' ||
      !parse_int64(s.substr(11, 2), h) || !parse_int64(s.substr(14, 2), mi) || !parse_int64(s.substr(17, 2), sec) ||
      !parse_int64(s.substr(20, 4), year))
    return std::nullopt;
  if (day < 1 || day > 31 || h > 23 || mi > 59 || sec > 60) return std::nullopt;
  c.day = static_cast<int>(day);
  c.hour = static_cast<int>(h);
  c.minute = static_cast<int>(mi);
  c.second = static_cast<int>(sec);
  c.year = static_cast<int>(year);
  return c;
}

class CrashReporter final : public WitnessRecognizer {
 public:
  std::string_view name() const override { return "crash-reporter"; }

  void begin_input(const InputContext& context) override { local_ = context.zone; }

  void on_event(const Event& e, const WitnessSink& out) override {
    if (e.message.size() < 16 || e.message.size() > max_line) return flush(out);
    std::string_view t = strip_paste_wrapping(wt::chomp(e.message));
    if (t.empty()) return flush(out);
    // First byte gate: "type=", "audit:", "sending", "Process", "ERROR:"/"INFO:", "executable:".
    switch (t[0]) {
      case 't':
      case 'a':
        if (auto w = audit(t, e)) return emit(std::move(*w), t, e, out);
        break;
      case 's':
        if (!e.kernel && starts_with(t, "sending SIG")) return earlyoom(t, e, out);
        break;
      case 'P':
        if (!e.kernel && starts_with(t, "Process ")) {
          if (auto w = abrt(t)) return emit(std::move(*w), t, e, out);
        }
        break;
      case 'E':
      case 'I':
      case 'W':
      case 'e':
        if (!e.kernel && apport(t, e, out)) return;
        break;
      default:
        break;
    }
    flush(out);
  }

  void end_input(const WitnessSink& out) override { flush(out); }

 private:
  // type=ANOM_ABEND (or its number 1701) only: other audit records are no deaths.
  std::optional<Witness> audit(std::string_view t, const Event& e) {
    if (starts_with(t, "audit: ")) t.remove_prefix(7);
    if (!starts_with(t, "type=ANOM_ABEND ") && !starts_with(t, "type=1701 ")) return std::nullopt;
    Witness w;
    w.kind = "audit-anom-abend";
    w.pid = positive(audit_field(t, "pid"));
    w.comm = std::string(audit_field(t, "comm"));
    w.exe = std::string(audit_field(t, "exe"));
    w.signal = signal_from_text(audit_field(t, "sig"));
    if (w.signal.empty()) return std::nullopt;
    w.exit_kind = "dumped";
    // "audit(1718255291.541:227013)": the kernel's own clock, UTC.
    const size_t stamp = t.find("audit(");
    if (stamp != std::string_view::npos) {
      std::string_view v = t.substr(stamp + 6);
      v = v.substr(0, v.find(':'));
      double epoch = 0;
      if (v.find('/') == std::string_view::npos && parse_double(v, epoch) && epoch > 0 && epoch < 1e11) {
        w.time = static_cast<UsecUtc>(epoch * 1e6);
        w.when = WhenKnown::absolute;
        w.time_has_usec = false;
      }
    }
    (void)e;
    return w;
  }

  // earlyoom's kill: the signal it sent is how the process died when it exits.
  void earlyoom(std::string_view t, const Event& e, const WitnessSink& out) {
    flush(out);
    std::string_view rest = t.substr(8);  // "SIGTERM to process 57834 ..."
    const size_t to = rest.find(" to process ");
    if (to == std::string_view::npos) return;
    Witness w;
    w.kind = "earlyoom-kill";
    w.signal = signal_from_text(rest.substr(0, to));
    std::string_view after = rest.substr(to + 12);
    w.pid = positive(after.substr(0, after.find(' ')));
    const size_t q1 = after.find('"'), q2 = q1 == std::string_view::npos ? q1 : after.find('"', q1 + 1);
    if (q2 != std::string_view::npos) w.comm = std::string(after.substr(q1 + 1, q2 - q1 - 1));
    if (w.signal.empty() || !w.pid) return;
    w.exit_kind = "killed";
    w.external_kill = true;  // earlyoom sent it: a SIGTERM here is a kill, not a stop
    emit(std::move(w), t, e, out);
  }

  // "Process 361013 (vim) of user 500 killed by SIGSEGV - dumping core" (abrt-hook-ccpp)
  static std::optional<Witness> abrt(std::string_view t) {
    const size_t killed = t.find(" killed by SIG");
    if (killed == std::string_view::npos || t.find(" of user ") == std::string_view::npos) return std::nullopt;
    std::string_view rest = t.substr(8);
    Witness w;
    w.kind = "abrt-hook";
    w.pid = positive(rest.substr(0, rest.find(' ')));
    const size_t open = rest.find(" ("), close = rest.find(") of user ");
    if (open != std::string_view::npos && close != std::string_view::npos && close > open)
      w.comm = std::string(rest.substr(open + 2, close - open - 2));
    std::string_view sig = t.substr(killed + 11);
    w.signal = signal_from_text(sig.substr(0, sig.find(' ')));
    if (!w.pid || w.signal.empty()) return std::nullopt;
    w.exit_kind = contains(t, "dumping core") ? "dumped" : "killed";
    return w;
  }

  // apport.log: the "called for pid" line makes the witness; the "executable:" line of the same
  // apport run, which follows it, names the program.
  bool apport(std::string_view t, const Event& e, const WitnessSink& out) {
    const size_t at = t.find("apport (pid ");
    if (at == std::string_view::npos || at > 16) return false;
    std::string_view rest = t.substr(at + 12);
    const std::string apport_pid(rest.substr(0, rest.find(')')));
    const size_t colon = rest.find(": ");
    if (colon == std::string_view::npos) return false;
    const std::string_view stamp = trim(rest.substr(rest.find(')') + 1, colon - rest.find(')') - 1));
    const std::string_view what = rest.substr(colon + 2);
    if (pending_ && apport_pid == pending_apport_ && starts_with(what, "executable: ")) {
      std::string_view exe = what.substr(12);
      exe = exe.substr(0, exe.find(" (command line"));
      pending_->exe = std::string(exe);
      pending_->comm = basename_of(exe);
      pending_->lines.push_back(Evidence{"apport", std::string(t.substr(0, 512)), e.origin, pending_->time});
      flush(out);
      return true;
    }
    if (!starts_with(what, "called for pid ")) return false;
    flush(out);
    std::string_view args = what.substr(15);
    Witness w;
    w.kind = "apport";
    w.pid = positive(args.substr(0, args.find(',')));
    const size_t sig = args.find("signal ");
    if (sig != std::string_view::npos) {
      std::string_view n = args.substr(sig + 7);
      w.signal = signal_from_text(n.substr(0, n.find(',')));
    }
    if (!w.pid || w.signal.empty()) return false;
    w.exit_kind = "dumped";
    if (auto c = ctime_stamp(stamp)) {
      w.time = local_.to_utc(*c);
      w.when = WhenKnown::absolute;
      w.time_has_usec = false;
    }
    fill(w, t, e);
    pending_ = std::move(w);
    pending_apport_ = apport_pid;
    return true;
  }

  void fill(Witness& w, std::string_view line, const Event& e) const {
    if (!w.time && e.time) {
      w.time = e.time;
      w.time_has_usec = e.time_has_usec;
      w.when = WhenKnown::absolute;
    }
    w.host = e.hostname;
    w.boot_id = e.boot_id;
    w.lines.push_back(Evidence{w.kind, std::string(line.substr(0, 512)), e.origin, w.time});
  }

  void emit(Witness&& w, std::string_view line, const Event& e, const WitnessSink& out) {
    flush(out);
    fill(w, line, e);
    out(std::move(w));
  }

  void flush(const WitnessSink& out) {
    if (!pending_) return;
    out(std::move(*pending_));
    pending_.reset();
  }

  std::optional<Witness> pending_;  // an apport witness waiting for its "executable:" line
  std::string pending_apport_;
  Zone local_;  // --tz, else the local zone (InputContext)
};

}  // namespace

std::unique_ptr<WitnessRecognizer> make_witness_crash_reporter() { return std::make_unique<CrashReporter>(); }

}  // namespace crashsift::classify
