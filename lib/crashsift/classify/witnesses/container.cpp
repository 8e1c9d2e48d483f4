// Docker's own reports of a container's end, pasted:
//
//   docker events:   2024-08-08T13:22:40.301577912Z container die 3f2a… (exitCode=137, image=…, name=web)
//                    2024-08-08T13:22:40.118331207Z container oom 3f2a… (image=…, name=web)
//   docker inspect:  "State": { … "OOMKilled": true, … "ExitCode": 137, … "FinishedAt": "2023-…" }
//                    (also `{{json .State}}` alone, and the Go-template form `State:{ExitCode:137, …}`)
//   docker ps -a:    3f2a9c1d7e5b  acme/api  "node …"  2 hours ago  Exited (137) 5 minutes ago  api
//   compose:         api-1 exited with code 137
//
// A container's exit code above 128 is 128 + the signal that killed its main process (137 =
// SIGKILL). An "oom" event followed by the "die" of the same container is one death.
#include <map>
#include <memory>
#include <vector>

#include "crashsift/classify/systemd_lines.hpp"
#include "crashsift/classify/witness.hpp"
#include "crashsift/classify/witnesses/text_lines.hpp"
#include "crashsift/core/text.hpp"

namespace crashsift::classify {

namespace {

namespace wt = witness_text;

constexpr size_t max_line = 8192;

// Exit code as Docker reports it -> how the main process ended.
void set_exit(Witness& w, std::int64_t code) {
  w.code = static_cast<int>(code);
  if (code > 128 && code <= 128 + 64) {
    // The runtime only saw the wait status; no "exited"/"killed" kind, so the merger keeps the code.
    w.signal = signal_name(static_cast<int>(code - 128));
  } else {
    w.exit_kind = "exited";
  }
}

// `key=value` inside docker events' "(exitCode=137, image=…, name=web)".
std::string_view event_attr(std::string_view attrs, std::string_view key) {
  size_t at = 0;
  while ((at = attrs.find(key, at)) != std::string_view::npos) {
    const bool starts = at == 0 || attrs[at - 1] == ' ' || attrs[at - 1] == '(';
    if (starts && at + key.size() < attrs.size() && attrs[at + key.size()] == '=') break;
    at += key.size();
  }
  if (at == std::string_view::npos) return {};
  std::string_view v = attrs.substr(at + key.size() + 1);
  return v.substr(0, v.find_first_of(",)"));
}

// A JSON or Go-template key/value line of `docker inspect`: `"ExitCode": 137,`, `ExitCode:137,`.
struct KeyValue {
  std::string_view key, value;
};
std::optional<KeyValue> key_value(std::string_view t) {
  while (!t.empty() && (t[0] == '`' || t[0] == '{')) t.remove_prefix(1);
  bool quoted = !t.empty() && t[0] == '"';
  if (quoted) t.remove_prefix(1);
  size_t end = 0;
  while (end < t.size() && (std::isalnum(static_cast<unsigned char>(t[end])) || t[end] == '_')) ++end;
  if (end == 0 || end > 32) return std::nullopt;
  KeyValue kv{t.substr(0, end), {}};
  t.remove_prefix(end);
  if (quoted) {
    if (t.empty() || t[0] != '"') return std::nullopt;
    t.remove_prefix(1);
  }
  if (t.empty() || t[0] != ':') return std::nullopt;
  t = trim(t.substr(1));
  while (!t.empty() && (t.back() == ',' || t.back() == '`' || t.back() == '}')) t.remove_suffix(1);
  if (t.size() >= 2 && t.front() == '"' && t.back() == '"') t = t.substr(1, t.size() - 2);
  kv.value = t;
  return kv;
}

// Words of a command line, quotes honoured: `docker inspect --format '{{json .State}}' x`.
std::vector<std::string> words_of(std::string_view s) {
  std::vector<std::string> out;
  std::string cur;
  char quote = 0;
  bool any = false;
  for (char c : s) {
    if (quote) {
      if (c == quote) quote = 0;
      else cur.push_back(c);
    } else if (c == '\'' || c == '"') {
      quote = c;
      any = true;
    } else if (c == ' ' || c == '\t') {
      if (any || !cur.empty()) out.push_back(std::move(cur));
      cur.clear();
      any = false;
    } else if (c == '|' || c == ';' || c == '&') {
      break;
    } else {
      cur.push_back(c);
    }
  }
  if (any || !cur.empty()) out.push_back(std::move(cur));
  return out;
}

// The container a pasted "docker inspect …" command names (the last operand).
std::string inspected_name(std::string_view line) {
  const size_t at = line.find("docker ");
  if (at == std::string_view::npos || at > 64) return {};
  auto words = words_of(line.substr(at));
  std::string name;
  for (size_t i = 1; i < words.size(); ++i) {
    const std::string& w = words[i];
    if (w == "inspect" || w == "container") continue;
    if (!w.empty() && w[0] == '-') {
      if (w.find('=') == std::string::npos && (w == "-f" || w == "--format" || w == "--type")) ++i;
      continue;
    }
    name = w;
  }
  return name;
}

class Container final : public WitnessRecognizer {
 public:
  std::string_view name() const override { return "container"; }

  void on_event(const Event& e, const WitnessSink& out) override {
    // Docker tooling output is pasted text; journal records of other forms are never these.
    if (!wt::is_text_line(e) || e.message.size() < 4 || e.message.size() > max_line) return;
    std::string scratch;
    std::string_view t = e.message;
    if (t.find('\x1b') != std::string_view::npos) t = scratch = wt::strip_ansi(t);  // compose colours
    t = trim(wt::skip_indent(wt::chomp(t)));
    if (t.empty()) return;
    const char c = t[0];
    if (c == '"' || c == '`' || c == '}' || c == '{' || (c >= 'A' && c <= 'Z')) {
      if (inspect_line(t, e, out)) return;
    }
    if (c >= '0' && c <= '9' && docker_event(t, e, out)) return;
    if (ps_row(t, e, out)) return;
    if (compose_line(t, e, out)) return;
    if (contains(t, "docker ") && contains(t, "inspect")) {
      flush_state(out);
      inspected_ = inspected_name(t);
    }
  }

  void end_input(const WitnessSink& out) override {
    flush_state(out);
    for (auto& [id, w] : ooms_) out(std::move(w));  // an oom event whose die is not in the paste
    ooms_.clear();
    inspected_.clear();
  }

 private:
  // "2024-…Z container die <id> (exitCode=137, …, name=web)"; oom events wait for their die.
  bool docker_event(std::string_view t, const Event& e, const WitnessSink& out) {
    const size_t sp = t.find(' ');
    if (sp == std::string_view::npos || sp < 19 || sp > 40) return false;
    std::string_view rest = t.substr(sp + 1);
    if (!starts_with(rest, "container ")) return false;
    rest.remove_prefix(10);
    const bool die = starts_with(rest, "die "), oom = starts_with(rest, "oom ");
    if (!die && !oom) return true;  // start, kill, stop …: no death of their own
    rest.remove_prefix(4);
    const std::string id(rest.substr(0, rest.find(' ')));
    const size_t open = rest.find('(');
    const std::string_view attrs = open == std::string_view::npos ? std::string_view() : rest.substr(open);
    Witness w;
    w.kind = oom ? "docker-event-oom" : "docker-event-die";
    w.comm = std::string(event_attr(attrs, "name"));
    if (auto when = parse_iso8601(t.substr(0, sp), Zone::utc())) {
      w.time = when;
      w.when = WhenKnown::absolute;
      w.time_has_usec = true;
    }
    w.lines.push_back(Evidence{w.kind, std::string(t.substr(0, 512)), e.origin, w.time});
    if (oom) {
      w.oom = OomKind::cgroup;
      w.signal = "KILL";
      if (ooms_.size() < 256) ooms_[id] = std::move(w);
      return true;
    }
    std::int64_t code = 0;
    if (parse_int64(event_attr(attrs, "exitCode"), code)) set_exit(w, code);
    if (auto it = ooms_.find(id); it != ooms_.end()) {
      // The die of an OOM-killed container: one death, told by both.
      w.oom = OomKind::cgroup;
      w.signal = "KILL";
      w.exit_kind.clear();
      w.lines.insert(w.lines.begin(), it->second.lines.front());
      ooms_.erase(it);
    }
    out(std::move(w));
    return true;
  }

  // `docker inspect` State fields, gathered until the State object closes.
  bool inspect_line(std::string_view t, const Event& e, const WitnessSink& out) {
    std::string_view probe = t;
    while (!probe.empty() && probe[0] == '`') probe.remove_prefix(1);
    if (starts_with(probe, "\"State\": {") || starts_with(probe, "State:{")) {
      flush_state(out);
      state_open_ = true;
      return true;
    }
    if (starts_with(probe, "}")) {
      if (state_open_ && state_.code) finish_state();
      state_open_ = false;
      return false;
    }
    auto kv = key_value(probe);
    if (!kv) return false;
    if (kv->key == "Name" && starts_with(kv->value, "/")) {  // after the State object
      if (state_ready_) state_.comm = std::string(kv->value.substr(1));
      flush_state(out);
      return true;
    }
    if (kv->key == "Id") {
      flush_state(out);
      return true;
    }
    // `{{json .State}}` has no "State" key around it: its own keys open it.
    if (kv->key == "Status" && (kv->value == "exited" || kv->value == "dead")) {
      state_open_ = true;
      exited_ = true;
    }
    if (kv->key == "ExitCode" || kv->key == "OOMKilled") state_open_ = true;
    if (!state_open_) return false;
    std::int64_t n = 0;
    if (kv->key == "ExitCode" && parse_int64(kv->value, n)) state_.code = static_cast<int>(n);
    else if (kv->key == "OOMKilled") oom_killed_ = kv->value == "true";
    else if (kv->key == "FinishedAt" && !starts_with(kv->value, "0001-")) finished_ = parse_iso8601(kv->value, Zone::utc());
    else if (kv->key == "Running" && kv->value == "true") running_ = true;
    if (kv->key == "ExitCode" || kv->key == "OOMKilled")
      state_.lines.push_back(Evidence{"docker-inspect", std::string(t.substr(0, 512)), e.origin, std::nullopt});
    return true;
  }

  // The State object closed: a container that ran and stopped is a death.
  void finish_state() {
    if (running_ || (!exited_ && !finished_) || !state_.code) return reset_state();
    Witness w = std::move(state_);
    const std::int64_t code = *w.code;
    w.code.reset();
    set_exit(w, code);
    w.kind = "docker-inspect";
    if (oom_killed_) {
      w.oom = OomKind::cgroup;
      w.signal = "KILL";
      w.exit_kind.clear();
    }
    if (finished_) {
      w.time = finished_;
      w.when = WhenKnown::absolute;
      w.time_has_usec = true;
      for (auto& l : w.lines) l.time = finished_;
    }
    w.comm = inspected_;
    reset_state();
    state_ = std::move(w);
    state_ready_ = true;
  }

  void flush_state(const WitnessSink& out) {
    if (state_open_ && state_.code && !state_ready_) finish_state();
    if (state_ready_) out(std::move(state_));
    reset_state();
  }

  void reset_state() {
    state_ = Witness{};
    state_open_ = state_ready_ = oom_killed_ = running_ = exited_ = false;
    finished_.reset();
  }

  // "3f2a9c1d7e5b  acme/api:4  "node …"  2 hours ago  Exited (137) 5 minutes ago  api"
  bool ps_row(std::string_view t, const Event& e, const WitnessSink& out) {
    if (t.size() < 14 || !is_hex_id(t.substr(0, 12), 12) || t[12] != ' ') return false;
    const size_t at = t.find("  Exited (");
    if (at == std::string_view::npos) return false;
    std::string_view rest = t.substr(at + 10);
    std::int64_t code = 0;
    if (!parse_int64(rest.substr(0, rest.find(')')), code)) return false;
    Witness w;
    w.kind = "docker-ps";
    set_exit(w, code);
    const size_t last = trim_right(t).rfind(' ');
    if (last != std::string_view::npos) w.comm = std::string(trim(t.substr(last)));
    w.lines.push_back(Evidence{w.kind, std::string(t.substr(0, 512)), e.origin, std::nullopt});
    out(std::move(w));
    return true;
  }

  // "api-1 exited with code 137" (compose v2; v1 wrote "api_1").
  bool compose_line(std::string_view t, const Event& e, const WitnessSink& out) {
    const size_t at = t.find(" exited with code ");
    if (at == std::string_view::npos || at == 0 || t.substr(0, at).find(' ') != std::string_view::npos)
      return false;
    std::int64_t code = 0;
    if (!parse_int64(trim(t.substr(at + 18)), code) || code < 0 || code > 255) return false;
    Witness w;
    w.kind = "compose";
    w.comm = std::string(t.substr(0, at));
    set_exit(w, code);
    w.lines.push_back(Evidence{w.kind, std::string(t.substr(0, 512)), e.origin, std::nullopt});
    out(std::move(w));
    return true;
  }

  std::map<std::string, Witness> ooms_;  // container id -> its oom event, until its die
  Witness state_;
  bool state_open_ = false, state_ready_ = false, oom_killed_ = false, running_ = false, exited_ = false;
  std::optional<UsecUtc> finished_;
  std::string inspected_;  // the container a pasted `docker inspect` command named
};

}  // namespace

std::unique_ptr<WitnessRecognizer> make_witness_container() { return std::make_unique<Container>(); }

}  // namespace crashsift::classify
