// Kubernetes' reports of a container's end, pasted from kubectl:
//
//   kubectl describe pod:              kubectl get events:
//     Containers:                        LAST SEEN  TYPE     REASON      OBJECT         MESSAGE
//       checkout:                        12m        Warning  OOMKilling  node/pool-a-3  Memory cgroup
//         Container ID:   containerd://…   out of memory: Killed process 28311 (java) total-vm:…
//         State:          Waiting
//           Reason:       CrashLoopBackOff
//         Last State:     Terminated
//           Reason:       OOMKilled
//           Exit Code:    137
//           Finished:     Fri, 15 Sep 2023 09:56:17 +0200
//
// Each "State: Terminated" / "Last State: Terminated" block is one death (only the last of
// several restarts is described). "Waiting / CrashLoopBackOff" is no death of its own. The
// container is the valueless "name:" line just before its "Container ID:" / "Image:" field;
// pastes often lose the indentation, so it is not relied on.
#include <memory>

#include "crashsift/classify/systemd_lines.hpp"
#include "crashsift/classify/witness.hpp"
#include "crashsift/classify/witnesses/text_lines.hpp"
#include "crashsift/core/text.hpp"

namespace crashsift::classify {

namespace {

namespace wt = witness_text;

constexpr size_t max_line = 8192;

// "Fri, 15 Sep 2023 09:56:17 +0200" (RFC 1123 with a numeric zone, as kubectl prints it).
std::optional<UsecUtc> rfc1123(std::string_view s) {
  static constexpr std::string_view months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  if (const size_t comma = s.find(", "); comma != std::string_view::npos && comma < 10) s = s.substr(comma + 2);
  auto parts = split(s, ' ');
  std::vector<std::string_view> p;
  for (auto x : parts)
    if (!x.empty()) p.push_back(x);
  if (p.size() < 5 || p[3].size() != 8 || p[3][2] != ':' || p[3][5] != ':') return std::nullopt;
  CivilTime c;
  c.month = 0;
  for (int m = 0; m < 12; ++m)
    if (p[1] == months[m]) c.month = m + 1;
  std::int64_t day = 0, year = 0, h = 0, mi = 0, sec = 0;
  if (c.month == 0 || !parse_int64(p[0], day) || !parse_int64(p[2], year) || !parse_int64(p[3].substr(0, 2), h) ||
      !parse_int64(p[3].substr(3, 2), mi) || !parse_int64(p[3].substr(6, 2), sec))
    return std::nullopt;
  if (day < 1 || day > 31 || h > 23 || mi > 59 || sec > 60 || year < 1970 || year > 9999) return std::nullopt;
  auto off = wt::zone_offset(p[4]);
  if (!off) return std::nullopt;
  c.year = static_cast<int>(year);
  c.day = static_cast<int>(day);
  c.hour = static_cast<int>(h);
  c.minute = static_cast<int>(mi);
  c.second = static_cast<int>(sec);
  return usec_from_civil_utc(c) - static_cast<UsecUtc>(*off) * usec_per_sec;
}

// "Exit Code:    137" -> {"Exit Code", "137"}: labels are words and spaces.
std::optional<std::pair<std::string_view, std::string_view>> label(std::string_view t) {
  const size_t colon = t.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon > 24) return std::nullopt;
  for (char c : t.substr(0, colon))
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != ' ' && c != '-' && c != '_' && c != '.') return std::nullopt;
  return std::pair{t.substr(0, colon), trim(t.substr(colon + 1))};
}

class Kubectl final : public WitnessRecognizer {
 public:
  std::string_view name() const override { return "kubectl"; }

  void on_event(const Event& e, const WitnessSink& out) override {
    if (!wt::is_text_line(e) || e.message.size() < 4 || e.message.size() > max_line) return;
    const std::string_view t = trim(wt::skip_indent(wt::chomp(e.message)));
    if (t.empty()) return;
    // Cheap gate: describe fields start with an upper-case label or a container name; event
    // rows hold "OOMKilling".
    if (t.find("OOMKilling") != std::string_view::npos) return oom_event(t, e, out);
    auto l = label(t);
    if (!l) return close(out);
    on_label(l->first, l->second, t, e, out);
  }

  void end_input(const WitnessSink& out) override {
    close(out);
    container_.clear();
    candidate_.clear();
  }

 private:
  void on_label(std::string_view key, std::string_view value, std::string_view t, const Event& e,
                const WitnessSink& out) {
    if (open_) {
      if (key == "Reason") {
        reason_ = std::string(value);
        return note(t, e);
      }
      if (key == "Exit Code") {
        std::int64_t n = 0;
        if (parse_int64(value, n) && n >= 0 && n < 256) code_ = static_cast<int>(n);
        return note(t, e);
      }
      if (key == "Signal") {
        signal_ = signal_from_text(value);
        return;
      }
      if (key == "Finished") {
        finished_ = rfc1123(value);
        return;
      }
      if (key == "Started" || key == "Message") return;
      close(out);
    }
    if ((key == "State" || key == "Last State") && starts_with(value, "Terminated")) {
      open_ = true;
      lines_.push_back(Evidence{"kubectl-describe", std::string(t.substr(0, 512)), e.origin, std::nullopt});
      return;
    }
    if (value.empty() && key.find(' ') == std::string_view::npos) {
      candidate_ = std::string(key);  // maybe a container's name
      return;
    }
    if ((key == "Container ID" || key == "Image") && !candidate_.empty()) {
      container_ = candidate_;
      candidate_.clear();
    }
  }

  void note(std::string_view t, const Event& e) {
    if (lines_.size() < 4)
      lines_.push_back(Evidence{"kubectl-describe", std::string(t.substr(0, 512)), e.origin, std::nullopt});
  }

  // The Terminated block ended: its reason and code say how.
  void close(const WitnessSink& out) {
    if (open_ && (code_ || reason_ == "OOMKilled") && !lines_.empty()) {
      Witness w;
      w.kind = "kubectl-describe";
      w.comm = container_;
      if (reason_ == "OOMKilled") {
        w.oom = OomKind::cgroup;
        w.signal = "KILL";
        w.code = code_;
      } else if (!signal_.empty()) {
        w.signal = signal_;
        w.code = code_;
      } else if (*code_ > 128 && *code_ <= 128 + 64) {
        w.signal = signal_name(*code_ - 128);  // 128 + the signal that killed the main process
        w.code = code_;
      } else {
        w.exit_kind = "exited";
        w.code = code_;
      }
      if (finished_) {
        w.time = finished_;
        w.when = WhenKnown::absolute;
        for (auto& l : lines_) l.time = finished_;
      }
      w.lines = std::move(lines_);
      out(std::move(w));
    }
    open_ = false;
    reason_.clear();
    signal_.clear();
    code_.reset();
    finished_.reset();
    lines_.clear();
  }

  // "Warning  OOMKilling  node/x  Memory cgroup out of memory: Killed process 28311 (java) …"
  void oom_event(std::string_view t, const Event& e, const WitnessSink& out) {
    close(out);
    const size_t at = t.find("Killed process ");
    if (at == std::string_view::npos) return;
    std::string_view rest = t.substr(at + 15);
    std::int64_t pid = 0;
    if (!parse_int64(rest.substr(0, rest.find(' ')), pid) || pid <= 0) return;
    Witness w;
    w.kind = "kubectl-event-oom";
    w.pid = pid;
    const size_t open = rest.find('('), close_p = rest.find(')');
    if (open != std::string_view::npos && close_p != std::string_view::npos && close_p > open)
      w.comm = std::string(rest.substr(open + 1, close_p - open - 1));
    w.oom = contains(t, "Memory cgroup") ? OomKind::cgroup : OomKind::kernel;
    w.signal = "KILL";
    w.exit_kind = "killed";
    w.lines.push_back(Evidence{w.kind, std::string(t.substr(0, 512)), e.origin, std::nullopt});
    out(std::move(w));
  }

  std::string container_, candidate_;
  bool open_ = false;
  std::string reason_, signal_;
  std::optional<int> code_;
  std::optional<UsecUtc> finished_;
  std::vector<Evidence> lines_;
};

}  // namespace

std::unique_ptr<WitnessRecognizer> make_witness_kubectl() { return std::make_unique<Kubectl>(); }

}  // namespace crashsift::classify
