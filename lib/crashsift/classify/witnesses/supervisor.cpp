// Process supervisors saying that a child died (real output in testdata/captures/{pm2,supervisord}/):
//
//   PM2        | 2022-06-30T21:25:25: PM2 log: App [index:0] exited with code [1] via signal [SIGINT]
//   2026-12-06T03:09:13: PM2 log: App [queue-worker:1] exited with code [0] via signal [SIGKILL]
//   error: Forever detected script exited with code: 1
//   error: Forever detected script was killed by signal: SIGKILL
//   2024-01-09 17:20:03,118 INFO spawned: 'web' with pid 3111
//   2024-01-09 18:02:51,774 WARN exited: web (terminated by SIGKILL; not expected)
//   2024-05-30 02:00:04,551 INFO exited: migrate (exit status 0; expected)
//   2026-12-06 03:08:17,561 WARN stopped: queue-worker (terminated by SIGTERM)
//
// pm2 prints both a code and a signal for every exit: "via signal [SIGINT]" is filler when the
// child exited with a code, and "code [0]" is filler when a signal killed it. Supervisor stamps
// carry no zone: they are read in the zone text times are read in (--tz, else local).
#include <map>
#include <memory>

#include "crashsift/classify/witness.hpp"
#include "crashsift/classify/witnesses/text_lines.hpp"
#include "crashsift/core/text.hpp"

namespace crashsift::classify {

namespace {

namespace wt = witness_text;

constexpr size_t max_line = 4096;

// "2024-01-09 17:20:03,118" / "2022-06-30T21:25:25" -> civil time; nullopt when s does not
// start with such a stamp.
std::optional<CivilTime> leading_stamp(std::string_view s) {
  if (s.size() < 19 || s[4] != '-' || s[7] != '-' || (s[10] != ' ' && s[10] != 'T')) return std::nullopt;
  char tmp[19];
  s.copy(tmp, 19);
  tmp[10] = ' ';
  auto st = wt::parse_systemd_stamp(std::string_view(tmp, 19));
  if (!st) return std::nullopt;
  CivilTime c = st->civil;
  if (s.size() >= 23 && s[19] == ',') {
    std::int64_t ms = 0;
    if (parse_int64(s.substr(20, 3), ms)) c.usec = static_cast<int>(ms * 1000);
  }
  return c;
}

// "[1]" -> 1, after `key` in s ("exited with code [" ...).
std::optional<std::string_view> bracketed_after(std::string_view s, std::string_view key) {
  const size_t at = s.find(key);
  if (at == std::string_view::npos) return std::nullopt;
  const size_t from = at + key.size(), close = s.find(']', from);
  if (close == std::string_view::npos) return std::nullopt;
  return s.substr(from, close - from);
}

class Supervisor final : public WitnessRecognizer {
 public:
  std::string_view name() const override { return "supervisor"; }

  void begin_input(const InputContext& context) override { local_ = context.zone; }

  void on_event(const Event& e, const WitnessSink& out) override {
    if (e.kernel || e.message.size() < 12 || e.message.size() > max_line) return;
    // `pm2 logs` on a terminal colours its prefixes: read the text without the escapes.
    std::string plain;
    std::string_view raw = e.message;
    if (raw.find('\x1b') != std::string_view::npos) raw = plain = wt::strip_ansi(raw);
    std::string_view t = strip_paste_wrapping(wt::chomp(raw));
    // Cheap gate on the first byte: every shape starts with a stamp, "PM2", "error:"/"warn:",
    // "Forever" or, in a journal record, the bare supervisord/pm2 text.
    const char c = t.empty() ? '\0' : t[0];
    if (!((c >= '0' && c <= '9') || c == 'P' || c == 'e' || c == 'w' || c == 'i' || c == 'F' || c == 'A' ||
          c == 's'))
      return;
    if (starts_with(t, "PM2 ") || starts_with(t, "PM2\t")) t = after_pm2_prefix(t);
    std::optional<CivilTime> stamp = leading_stamp(t);
    std::string_view body = t;
    if (stamp) {
      body = t.substr(19);
      while (!body.empty() && (body[0] == ',' || body[0] == ':' || (body[0] >= '0' && body[0] <= '9')))
        body.remove_prefix(1);
      body = trim(body);
    }
    if (auto w = pm2(body)) return emit(std::move(*w), t, e, stamp, out);
    if (auto w = supervisord(body)) return emit(std::move(*w), t, e, stamp, out);
    if (auto w = forever(body)) return emit(std::move(*w), t, e, stamp, out);
  }

  void end_input(const WitnessSink&) override { spawned_.clear(); }

 private:
  // "PM2        | 2022-..." (pm2 logs) -> "2022-...".
  static std::string_view after_pm2_prefix(std::string_view t) {
    const size_t bar = t.find("| ");
    if (bar == std::string_view::npos || bar > 16) return t;
    return trim(t.substr(bar + 2));
  }

  // "PM2 log: App [index:0] exited with code [1] via signal [SIGINT]"
  static std::optional<Witness> pm2(std::string_view body) {
    if (starts_with(body, "PM2 log: ")) body.remove_prefix(9);
    if (!starts_with(body, "App [")) return std::nullopt;
    const size_t close = body.find("] exited with code [");
    if (close == std::string_view::npos) return std::nullopt;
    std::string_view app = body.substr(5, close - 5);
    if (const size_t colon = app.rfind(':'); colon != std::string_view::npos) app = app.substr(0, colon);
    auto code_text = bracketed_after(body, "exited with code [");
    auto sig_text = bracketed_after(body, "via signal [");
    std::int64_t code = 0;
    if (!code_text || !parse_int64(*code_text, code)) return std::nullopt;
    Witness w;
    w.kind = "pm2";
    w.comm = std::string(app);
    const std::string sig = sig_text ? signal_from_text(*sig_text) : std::string();
    if (code != 0 || sig.empty() || sig == "INT") {
      // The child exited with this code; SIGINT is pm2's filler.
      w.exit_kind = "exited";
      w.code = static_cast<int>(code);
    } else {
      w.exit_kind = "killed";
      w.signal = sig;
    }
    return w;
  }

  // "exited: web (exit status 1; not expected)", "exited: web (terminated by SIGSEGV (core
  // dumped); not expected)", "stopped: web (terminated by SIGTERM)"; "spawned: 'web' with pid
  // 3111" only remembers the PID.
  std::optional<Witness> supervisord(std::string_view body) {
    for (std::string_view level : {"INFO ", "WARN ", "CRIT ", "ERRO ", "DEBG ", "TRAC ", "BLAT "})
      if (starts_with(body, level)) body.remove_prefix(level.size());
    if (starts_with(body, "spawned: '")) {
      remember_spawn(body.substr(10));
      return std::nullopt;
    }
    std::string_view rest;
    if (starts_with(body, "exited: ")) rest = body.substr(8);
    else if (starts_with(body, "stopped: ")) rest = body.substr(9);
    else return std::nullopt;
    const size_t open = rest.find(" (");
    if (open == std::string_view::npos || open == 0 || rest.back() != ')') return std::nullopt;
    const std::string_view program = rest.substr(0, open);
    std::string_view how = rest.substr(open + 2, rest.size() - open - 3);
    Witness w;
    w.kind = "supervisord";
    w.comm = std::string(program);
    if (starts_with(how, "exit status ")) {
      std::int64_t code = 0;
      if (!parse_int64(how.substr(12, how.find(';') - 12), code)) return std::nullopt;
      w.exit_kind = "exited";
      w.code = static_cast<int>(code);
    } else if (starts_with(how, "terminated by ")) {
      how.remove_prefix(14);
      w.signal = signal_from_text(how.substr(0, how.find_first_of(" ;")));
      if (w.signal.empty()) return std::nullopt;
      w.exit_kind = contains(how, "(core dumped)") ? "dumped" : "killed";
      // "not expected": supervisord did not send it, so someone else killed the program.
      w.external_kill = contains(how, "not expected");
    } else {
      return std::nullopt;
    }
    if (auto it = spawned_.find(w.comm); it != spawned_.end()) {
      w.pid = it->second;
      spawned_.erase(it);  // the next run is spawned again with its own PID
    }
    return w;
  }

  void remember_spawn(std::string_view s) {
    const size_t quote = s.find("' with pid ");
    std::int64_t pid = 0;
    if (quote == std::string_view::npos || !parse_int64(trim(s.substr(quote + 11)), pid) || pid <= 0) return;
    if (spawned_.size() < 4096) spawned_[std::string(s.substr(0, quote))] = pid;
  }

  // "error: Forever detected script exited with code: 1" / "... was killed by signal: SIGKILL"
  static std::optional<Witness> forever(std::string_view body) {
    for (std::string_view level : {"error:", "warn:", "info:"})
      if (starts_with(body, level)) body = trim(body.substr(level.size()));
    if (!starts_with(body, "Forever detected script ")) return std::nullopt;
    body.remove_prefix(24);
    Witness w;
    w.kind = "forever";
    if (starts_with(body, "exited with code: ")) {
      std::int64_t code = 0;
      if (!parse_int64(trim(body.substr(18)), code)) return std::nullopt;
      w.exit_kind = "exited";
      w.code = static_cast<int>(code);
    } else if (starts_with(body, "was killed by signal: ")) {
      w.signal = signal_from_text(body.substr(22));
      if (w.signal.empty()) return std::nullopt;  // "signal: null"
      w.exit_kind = "killed";
    } else {
      return std::nullopt;
    }
    return w;
  }

  void emit(Witness&& w, std::string_view line, const Event& e, const std::optional<CivilTime>& stamp,
            const WitnessSink& out) {
    if (e.time) {
      // A journal record: its own stamp is exact and zoned.
      w.time = e.time;
      w.time_has_usec = e.time_has_usec;
      w.when = WhenKnown::absolute;
    } else if (stamp) {
      w.time = local_.to_utc(*stamp);
      w.time_has_usec = false;
      w.when = WhenKnown::absolute;
    }
    w.host = e.hostname;
    w.boot_id = e.boot_id;
    w.lines.push_back(Evidence{w.kind, std::string(line.substr(0, 512)), e.origin, w.time});
    out(std::move(w));
  }

  std::map<std::string, std::int64_t, std::less<>> spawned_;  // supervisord program -> PID
  Zone local_;  // --tz, else the local zone (InputContext)
};

}  // namespace

std::unique_ptr<WitnessRecognizer> make_witness_supervisor() { return std::make_unique<Supervisor>(); }

}  // namespace crashsift::classify
