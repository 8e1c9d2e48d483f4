// Runtime deaths on raw stderr: the block machinery shared by runtime_*.cpp (runtime_block.hpp)
// and the one shape with no runtime of its own, glibc's fatal heap/stack checks.
#include <cctype>

#include "crashsift/classify/systemd_lines.hpp"
#include "crashsift/classify/witnesses/runtime_block.hpp"
#include "crashsift/classify/witnesses/text_lines.hpp"
#include "crashsift/core/text.hpp"

namespace crashsift::classify {

namespace runtime {

namespace {

bool is_word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.'; }

// "[build] " in front of every line of a CI step. Not "[4242:0x5a1b2c0]" (V8) nor "[1]  + 61877"
// (a zsh job line): the bracket must hold a word and be followed by a space.
std::string_view strip_ci_prefix(std::string_view t) {
  if (t.size() < 4 || t.front() != '[') return t;
  const size_t close = t.find("] ");
  if (close == std::string_view::npos || close < 2 || close > 40) return t;
  for (size_t i = 1; i < close; ++i)
    if (!is_word_char(t[i]) || (i == 1 && std::isdigit(static_cast<unsigned char>(t[i])))) return t;
  return trim(t.substr(close + 2));
}

std::string_view basename(std::string_view path) {
  const size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::string_view first_word(std::string_view s) { return s.substr(0, s.find(' ')); }

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

// The text before "$ " or "# " in "user@host:~/dir$ cmd": no spaces but an optional "(venv) ".
bool is_prompt_prefix(std::string_view p, char mark) {
  if (p.empty()) return mark == '$';
  if (p.front() == '(') {
    const size_t close = p.find(") ");
    if (close == std::string_view::npos) return false;
    p = p.substr(close + 2);
    if (p.empty()) return mark == '$';
  }
  if (p.find(' ') != std::string_view::npos || p.size() > 80) return false;
  // "# " also opens every line of a JVM error report: a root prompt must look like one.
  return mark == '$' || (contains(p, "@") && contains(p, ":"));
}

// The shell's words for a death by signal (bash, dash, zsh), as the whole message: "Aborted",
// "IOT instruction". Returns the length matched, 0 when the text is not one.
size_t shell_message_length(std::string_view s) {
  static constexpr std::string_view words[] = {
      "Segmentation fault", "Aborted",      "Illegal instruction", "Bus error",          "Floating point exception",
      "Trace/breakpoint trap", "Bad system call", "IOT instruction", "abort",            "segmentation fault",
      "illegal hardware instruction", "bus error", "floating point exception", "trace trap", "Killed", "Terminated"};
  for (auto w : words)
    if (starts_with(s, w) && (s.size() == w.size() || s[w.size()] == ' ')) return w.size();
  return 0;
}

// "2|heap-hog | <--- Last few GCs --->" -> ("heap-hog", "<--- Last few GCs --->").
std::optional<std::pair<std::string_view, std::string_view>> pm2_app_prefix(std::string_view t) {
  size_t i = 0;
  while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i]))) ++i;
  if (i == 0 || i > 6 || i >= t.size() || t[i] != '|') return std::nullopt;
  const size_t bar = t.find(" |", i + 1);
  if (bar == std::string_view::npos || bar > i + 1 + 64) return std::nullopt;
  const std::string_view name = trim(t.substr(i + 1, bar - i - 1));
  if (name.empty()) return std::nullopt;
  for (char c : name)
    if (!is_word_char(c)) return std::nullopt;
  std::string_view rest = t.substr(bar + 2);
  if (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  return std::make_pair(name, rest);
}

}  // namespace

std::string_view clean_line(std::string_view message) {
  std::string_view t = strip_paste_wrapping(message);
  if (!t.empty() && t.back() == '\r') t = trim(t.substr(0, t.size() - 1));
  return strip_ci_prefix(t);
}

std::optional<std::string_view> prompt_command(std::string_view t) {
  if (t.size() < 3) return std::nullopt;
  if (starts_with(t, "+ ")) return trim(t.substr(2));  // bash -x: the command about to run
  if (starts_with(t, "\xe2\x9e\x9c ")) {               // oh-my-zsh "➜  dir git:(main) ✗ cmd"
    std::string_view rest = trim(t.substr(4));
    rest = trim(rest.substr(std::min(rest.size(), rest.find(' '))));  // the directory
    if (starts_with(rest, "git:(")) rest = trim(rest.substr(std::min(rest.size(), rest.find(' '))));
    if (starts_with(rest, "\xe2\x9c\x97")) rest = trim(rest.substr(3));  // "✗" (dirty tree)
    return rest.empty() ? std::nullopt : std::optional(rest);
  }
  for (char mark : {'$', '#'}) {
    const char sep[] = {mark, ' ', '\0'};
    const size_t at = t.substr(0, 102).find(sep);  // a prompt is short: bounded work per line
    if (at == std::string_view::npos || at > 100) continue;
    if (!is_prompt_prefix(t.substr(0, at), mark)) continue;
    const std::string_view cmd = trim(t.substr(at + 2));
    if (!cmd.empty()) return cmd;
  }
  return std::nullopt;
}

std::string program_of_command(std::string_view cmd) {
  std::vector<std::string_view> words;
  for (auto w : split(cmd, ' '))
    if (!w.empty()) words.push_back(w);
  size_t i = 0;
  // Wrappers and VAR=value assignments run the next word.
  while (i < words.size() && (words[i] == "sudo" || words[i] == "exec" || words[i] == "time" || words[i] == "nohup" ||
                              words[i] == "env" || words[i] == "nice" || words[i] == "-E" || contains(words[i], "=")))
    ++i;
  if (i >= words.size()) return {};
  const std::string_view prog = basename(words[i]);
  if (prog == "go" && i + 2 < words.size() && words[i + 1] == "run") {
    // `go run ./cmd/fetcher` builds a binary named after the package directory; `go run x.go`
    // after the first file.
    std::string_view pkg = words[i + 2];
    while (!pkg.empty() && pkg.back() == '/') pkg.remove_suffix(1);
    if (pkg == "." || pkg.empty() || pkg.front() == '-') return {};
    if (ends_with(pkg, ".go")) pkg.remove_suffix(3);
    return std::string(basename(pkg));
  }
  if (prog == "cargo" || prog == "make" || prog == "npm" || prog == "yarn" || prog == "pnpm" || prog == "npx")
    return {};  // they run another program whose name the command does not tell
  return std::string(prog);
}

std::optional<Status> shell_status(std::string_view t) {
  Status s;
  // `go run` and friends: "exit status 2".
  if (starts_with(t, "exit status ")) {
    std::int64_t n = 0;
    if (!parse_int64(t.substr(12), n) || n < 0 || n > 255) return std::nullopt;
    s.code = static_cast<int>(n);
    return s;
  }
  // yarn: "error Command failed with exit code 134."
  if (starts_with(t, "error Command failed with exit code ")) {
    std::int64_t n = 0;
    std::string_view num = t.substr(36);
    if (!num.empty() && num.back() == '.') num.remove_suffix(1);
    if (!parse_int64(num, n) || n < 0 || n > 255) return std::nullopt;
    s.code = static_cast<int>(n);
    return s;
  }
  // bun run: "error: script "test" was terminated by signal SIGILL (Illegal instruction)"
  if (starts_with(t, "error: script ") && contains(t, " terminated by signal ")) {
    s.signal = signal_from_text(t.substr(t.find(" terminated by signal ") + 22));
    return s.signal.empty() ? std::nullopt : std::optional(s);
  }
  // zsh job line: "[1]    61877 IOT instruction (core dumped)  ./target/debug/tiler -z 18"
  std::string_view rest = t;
  if (starts_with(rest, "[") && rest.find("] ") != std::string_view::npos && rest.find("] ") < 6) {
    rest = trim(rest.substr(rest.find("] ") + 2));
    if (starts_with(rest, "+ ") || starts_with(rest, "- ")) rest = trim(rest.substr(2));
  } else if (const size_t at = rest.find(": line "); at != std::string_view::npos && at < 200) {
    // bash job line: "./test.sh: line 7: 23677 Aborted   (core dumped) ../../build/genie_gxg -g x"
    rest = rest.substr(at + 7);
    const size_t colon = rest.find(": ");
    if (colon == std::string_view::npos || !all_digits(rest.substr(0, colon))) return std::nullopt;
    rest = trim(rest.substr(colon + 2));
  } else if (starts_with(rest, "zsh: ") || starts_with(rest, "bash: ")) {
    rest = trim(rest.substr(rest.find(' ') + 1));  // "zsh: abort (core dumped)  ./x"
  }
  const bool job = rest.size() != t.size();
  if (const std::string_view pid = first_word(rest); all_digits(pid) && pid.size() < 10) {
    s.pid = to_int64(pid);
    rest = trim(rest.substr(pid.size()));
  }
  const size_t len = shell_message_length(rest);
  if (len == 0) return std::nullopt;
  s.signal = signal_from_text(rest.substr(0, len));
  if (s.signal.empty() || s.signal == "KILL" || s.signal == "TERM") return std::nullopt;  // not a runtime's end
  std::string_view after = trim(rest.substr(len));
  if (starts_with(after, "(core dumped)")) after = trim(after.substr(13));
  // A bare shell message is the whole line; a job line goes on with the command.
  if (!after.empty() && !job && !s.pid) return std::nullopt;
  if (!after.empty()) s.program = program_of_command(after);
  return s;
}

void BlockRecognizer::on_event(const Event& e, const WitnessSink& out) {
  if (!is_raw(e)) {
    // A journal record between raw lines ends the dump (it is another process's line).
    if (open_) close(out, End::journal);
    return;
  }
  current_ = &e;
  // Terminal colours (`pm2 logs` on a tty) are not part of the text.
  std::string plain;
  std::string_view t = e.message;
  if (t.find('\x1b') != std::string_view::npos) t = plain = witness_text::strip_ansi(t);
  t = clean_line(t);
  // `pm2 logs` puts "ID|name | " before every line of an app's output: the name is the program.
  if (auto app = pm2_app_prefix(t)) {
    if (command_program_ != app->first) {
      if (open_) close(out, End::foreign);
      command_program_ = std::string(app->first);
    }
    t = app->second;
  }
  handle(t, out);
  current_ = nullptr;
}

void BlockRecognizer::end_input(const WitnessSink& out) {
  close(out, End::input);
  command_program_.clear();
  history_.clear();
  awaiting_echo_ = false;
}

void BlockRecognizer::handle(std::string_view t, const WitnessSink& out) {
  if (t.empty()) return;
  if (awaiting_echo_) {
    awaiting_echo_ = false;
    std::int64_t n = 0;
    if (open_ && all_digits(t) && parse_int64(t, n) && n <= 255) {
      // A shell's $? above 128 is 128 + the signal that killed the child.
      if (n > 128 && n < 160) status_.signal = signal_name(static_cast<int>(n - 128));
      else status_.code = static_cast<int>(n);
      evidence();
      return close(out, End::prompt);
    }
    if (open_) close(out, End::prompt);
  }
  if (starts_with(t, "```")) {  // a Markdown fence closes the paste of one run
    if (open_) close(out, End::fence);
    return;
  }
  if (const auto cmd = prompt_command(t)) {
    if (open_ && (*cmd == "echo $?" || *cmd == "echo \"$?\"")) {
      awaiting_echo_ = true;
      return;
    }
    if (open_) close(out, End::prompt);
    command_program_ = program_of_command(*cmd);
    history_.clear();
    return;
  }
  if (open_) {
    if (take_status(t)) return;
    if (!after_dump_ && belongs(t)) return;
    close(out, End::foreign);
  }
  if (open(t)) {
    open_ = true;
    return;
  }
  remember(t);
}

bool BlockRecognizer::take_status(std::string_view t) {
  auto s = shell_status(t);
  if (!s) return false;
  if (!s->signal.empty()) status_.signal = s->signal;
  if (s->code) status_.code = s->code;
  if (s->pid) status_.pid = s->pid;
  if (!s->program.empty()) status_.program = s->program;
  after_dump_ = true;
  evidence();
  return true;
}

void BlockRecognizer::remember(std::string_view t) {
  if (!wants_history()) return;
  if (history_.size() >= max_history) history_.pop_front();
  history_.push_back(Seen{std::string(t.substr(0, 512)), current_ ? current_->origin : Origin{}});
}

void BlockRecognizer::evidence(bool deciding) {
  if (!current_ || lines_.size() >= max_evidence) return;
  Evidence ev{std::string(name()), std::string(clean_line(current_->message).substr(0, 512)), current_->origin,
              current_->time};
  if (deciding) lines_.insert(lines_.begin(), std::move(ev));
  else lines_.push_back(std::move(ev));
}

void BlockRecognizer::evidence(const Seen& line, bool deciding) {
  if (lines_.size() >= max_evidence) return;
  Evidence ev{std::string(name()), line.text, line.origin, std::nullopt};
  if (deciding) lines_.insert(lines_.begin(), std::move(ev));
  else lines_.push_back(std::move(ev));
}

void BlockRecognizer::close(const WitnessSink& out, End how) {
  if (!open_) return;
  Witness w;
  w.kind = std::string(name());
  w.states_cause = false;  // the message implies the death; no exit record confirms it
  w.when = WhenKnown::none;
  // A witness points at the line that decided it; garbage in a PID field ("pid=0") is no PID.
  if (finish(w, how) && !lines_.empty()) {
    if (!status_.signal.empty()) w.signal = status_.signal;
    if (status_.code) {
      w.code = status_.code;
      w.exit_kind = "exited";
    }
    if (!status_.signal.empty()) w.exit_kind.clear();  // died by a signal: not an exit()
    if (!w.pid && status_.pid) w.pid = status_.pid;
    if (w.pid && *w.pid <= 0) w.pid.reset();
    if (w.comm.empty()) w.comm = !status_.program.empty() ? status_.program : command_program_;
    // The shell's message makes it stated: it saw the process end.
    if (!status_.signal.empty() || status_.code) w.states_cause = true;
    w.lines = std::move(lines_);
    out(std::move(w));
    command_program_.clear();  // one command, one death
  }
  open_ = after_dump_ = false;
  status_ = Status{};
  lines_.clear();
  history_.clear();
}

}  // namespace runtime

namespace {

// glibc's heap and stack checks abort the process after one line: "free(): double free detected
// in tcache 2", "malloc(): corrupted top size", "*** stack smashing detected ***: terminated",
// "corrupted size vs. prev_size". The shell's "Aborted (core dumped)" below is the shell's own
// witness of the same death; the merger joins the two.
class GlibcAbort final : public runtime::BlockRecognizer {
 public:
  std::string_view name() const override { return "glibc-abort"; }

 private:
  static bool is_glibc_fatal(std::string_view t) {
    if (t.size() < 12) return false;
    switch (t[0]) {
      case '*':
        return starts_with(t, "*** stack smashing detected ***") || starts_with(t, "*** buffer overflow detected ***") ||
               starts_with(t, "*** longjmp causes uninitialized stack frame ***");
      case 'f': return starts_with(t, "free(): ") || starts_with(t, "fastbin");
      case 'm': return starts_with(t, "malloc(): ") || starts_with(t, "malloc_consolidate(): ") ||
                       starts_with(t, "munmap_chunk(): ");
      case 'r': return starts_with(t, "realloc(): ");
      case 'c': return starts_with(t, "corrupted size vs. prev_size") || starts_with(t, "corrupted double-linked list");
      case 'd': return starts_with(t, "double free or corruption");
      case 't': return starts_with(t, "tcache_thread_shutdown(): ");
      default: return false;
    }
  }

  bool open(std::string_view t) override {
    if (!is_glibc_fatal(t)) return false;
    reason_.assign(t.substr(0, 512));
    evidence(true);
    return true;
  }
  bool belongs(std::string_view) override { return false; }  // one line; then the shell speaks
  bool finish(Witness& w, runtime::End) override {
    w.reason = reason_;
    w.reason_kind = "glibc-abort";
    w.signal = "ABRT";  // glibc calls abort() after printing
    return true;
  }

  std::string reason_;
};

}  // namespace

std::unique_ptr<WitnessRecognizer> make_witness_runtime_stderr() { return std::make_unique<GlibcAbort>(); }

}  // namespace crashsift::classify
