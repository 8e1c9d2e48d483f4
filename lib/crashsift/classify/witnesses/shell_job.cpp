// A shell's or make's report that a command died (real output in testdata/captures/shell-jobs/):
//
//   Segmentation fault (core dumped)                    bash/dash/busybox, foreground command
//   ./deploy.sh: line 4: 10215 Segmentation fault      (core dumped) crashlab segv
//                                                       bash without job control (pid, command)
//   [1]+  Killed                  crashlab hang         bash job; dash "[1] + Killed ..."
//   zsh: segmentation fault (core dumped)  ./x          zsh; "[1]  + killed     ./x" as a job
//   make: *** [Makefile:3: direct] Segmentation fault (core dumped)
//   make: *** [Makefile:6: viashell] Error 139          128+11: the recipe's shell saw SIGSEGV
//
// None of them carries a time. The dead program comes from the message itself when it names
// the command, else from the prompt line the paste shows before it ("$ ./server --port 80").
// The bare forms are only taken as whole lines: "Killed" also ends the kernel's "Killed process"
// lines and appears in prose.
#include <array>
#include <map>
#include <memory>

#include "crashsift/classify/systemd_lines.hpp"
#include "crashsift/classify/witness.hpp"
#include "crashsift/classify/witnesses/text_lines.hpp"
#include "crashsift/core/text.hpp"

namespace crashsift::classify {

namespace {

namespace wt = witness_text;

constexpr size_t max_line = 4096;  // a shell message is short; longer lines are something else

struct Word {
  std::string_view text, sig;
};

// strsignal() of glibc/musl, as bash, dash and busybox print it.
constexpr std::array<Word, 20> strsignal_words{{
    {"Segmentation fault", "SEGV"}, {"Killed", "KILL"}, {"Aborted", "ABRT"}, {"Illegal instruction", "ILL"},
    {"Bus error", "BUS"}, {"Floating point exception", "FPE"}, {"Trace/breakpoint trap", "TRAP"},
    {"Terminated", "TERM"}, {"Hangup", "HUP"}, {"Quit", "QUIT"}, {"Bad system call", "SYS"},
    {"Alarm clock", "ALRM"}, {"CPU time limit exceeded", "XCPU"}, {"File size limit exceeded", "XFSZ"},
    {"User defined signal 1", "USR1"}, {"User defined signal 2", "USR2"}, {"Profiling timer expired", "PROF"},
    {"Virtual timer expired", "VTALRM"}, {"Stack fault", "STKFLT"}, {"Power failure", "PWR"}}};

// zsh's own table (Src/signames: lower case; SIGABRT shows as its Linux alias IOT).
constexpr std::array<Word, 16> zsh_words{{
    {"segmentation fault", "SEGV"}, {"killed", "KILL"}, {"IOT instruction", "ABRT"}, {"abort", "ABRT"},
    {"illegal hardware instruction", "ILL"}, {"bus error", "BUS"}, {"floating point exception", "FPE"},
    {"trace trap", "TRAP"}, {"terminated", "TERM"}, {"hangup", "HUP"}, {"quit", "QUIT"},
    {"invalid system call", "SYS"}, {"alarm", "ALRM"}, {"cpu limit exceeded", "XCPU"},
    {"user-defined signal 1", "USR1"}, {"user-defined signal 2", "USR2"}}};

constexpr std::string_view core_dumped = "(core dumped)";

// How the command ended, read from the status text of one message.
struct Status {
  std::string signal;
  bool core = false;
  std::optional<int> code;     // "Exit 3" / "Done" of a job
  std::string_view command;    // what follows the status, when the message names the command
};

bool boundary(std::string_view rest) { return rest.empty() || rest[0] == ' ' || rest[0] == '('; }

// "Segmentation fault      (core dumped) crashlab segv" -> SEGV, core, "crashlab segv".
// Words from `table` only, followed by a word boundary; bash pads the status to 24 columns, so
// "Floating point exception(core dumped)" has no space at all.
template <size_t N>
std::optional<Status> read_status(std::string_view s, const std::array<Word, N>& table) {
  for (const Word& w : table) {
    if (!starts_with(s, w.text) || !boundary(s.substr(w.text.size()))) continue;
    Status st;
    st.signal = std::string(w.sig);
    std::string_view rest = trim(s.substr(w.text.size()));
    if (starts_with(rest, core_dumped)) {
      st.core = true;
      rest = trim(rest.substr(core_dumped.size()));
    }
    st.command = rest;
    return st;
  }
  return std::nullopt;
}

// Job statuses that are no signal: "Exit 3" / "exit 3" and "Done" / "done" (exit 0).
std::optional<Status> read_exit_status(std::string_view s) {
  Status st;
  if (starts_with(s, "Done") || starts_with(s, "done")) {
    if (!boundary(s.substr(4))) return std::nullopt;
    st.code = 0;
    st.command = trim(s.substr(4));
    return st;
  }
  if (!starts_with(s, "Exit ") && !starts_with(s, "exit ")) return std::nullopt;
  s.remove_prefix(5);
  const size_t end = s.find(' ');
  std::int64_t n = 0;
  if (!parse_int64(s.substr(0, end), n) || n < 0 || n > 255) return std::nullopt;
  st.code = static_cast<int>(n);
  st.command = end == std::string_view::npos ? std::string_view() : trim(s.substr(end));
  return st;
}

std::optional<Status> read_any_status(std::string_view s) {
  if (auto st = read_status(s, strsignal_words)) return st;
  if (auto st = read_status(s, zsh_words)) return st;
  return read_exit_status(s);
}

// Leading digits of s as a PID; s is advanced past them.
std::optional<std::int64_t> take_pid(std::string_view& s) {
  size_t n = 0;
  while (n < s.size() && n < 10 && s[n] >= '0' && s[n] <= '9') ++n;
  std::int64_t pid = 0;
  if (n == 0 || !parse_int64(s.substr(0, n), pid) || pid <= 0) return std::nullopt;
  s.remove_prefix(n);
  return pid;
}

// The program a command line runs: its first word after wrappers and VAR=value assignments,
// without the directory ("sudo ./bin/indexer --rebuild" -> "indexer").
std::string program_of(std::string_view cmd) {
  static constexpr std::string_view wrappers[] = {"sudo", "env", "time", "nohup", "exec", "nice", "command"};
  while (!cmd.empty()) {
    cmd = trim(cmd);
    const size_t sp = cmd.find(' ');
    std::string_view word = cmd.substr(0, sp);
    cmd = sp == std::string_view::npos ? std::string_view() : cmd.substr(sp);
    if (word.empty()) break;
    bool skip = word[0] == '-' || word.find('=') != std::string_view::npos;
    for (auto w : wrappers) skip = skip || word == w;
    if (skip) continue;
    while (!word.empty() && (word.front() == '"' || word.front() == '\'')) word.remove_prefix(1);
    while (!word.empty() && (word.back() == '"' || word.back() == '\'' || word.back() == ';' || word.back() == ':')) word.remove_suffix(1);
    const size_t slash = word.rfind('/');
    if (slash != std::string_view::npos) word = word.substr(slash + 1);
    return std::string(word);
  }
  return {};
}

// The command of a prompt line, "" when the line is no prompt. "$ cmd", "# cmd", "% cmd",
// "❯ cmd", "+ cmd" (set -x), "user@host:~/dir$ cmd", "[user@host dir]$ cmd", "/app # cmd".
std::optional<std::string_view> prompt_command(std::string_view t) {
  static constexpr std::string_view marks[] = {"$ ", "# ", "% ", "+ ", "\xe2\x9d\xaf "};
  for (auto m : marks) {
    if (!starts_with(t, m)) continue;
    std::string_view rest = trim(t.substr(m.size()));
    // Empty prompts repeated on stderr ("$ $ Killed"): no command was typed on them.
    while (starts_with(rest, "$ ") || starts_with(rest, "# ") || rest == "$" || rest == "#") rest = trim(rest.substr(1));
    return rest;
  }
  const size_t sp = t.find(' ');
  if (sp == std::string_view::npos || sp == 0 || sp > 120) return std::nullopt;
  const std::string_view first = t.substr(0, sp);
  const char last = first.back();
  if ((last == '$' || last == '#') && (first.find('@') != std::string_view::npos || first[0] == '['))
    return trim(t.substr(sp + 1));
  // busybox ash: "/app # ./server"
  if ((first[0] == '/' || first[0] == '~') && t.size() > sp + 2 && (t[sp + 1] == '#' || t[sp + 1] == '$') &&
      t[sp + 2] == ' ')
    return trim(t.substr(sp + 3));
  return std::nullopt;
}

// The line as the terminal showed it: without colours and bracketed-paste switches, and only
// what follows the last carriage return.
std::string_view visible(std::string_view raw, std::string& scratch) {
  std::string_view t = raw;
  if (t.find('\x1b') != std::string_view::npos) {
    scratch = wt::strip_ansi(t);
    t = scratch;
  }
  t = wt::chomp(t);
  if (const size_t cr = t.rfind('\r'); cr != std::string_view::npos) t = t.substr(cr + 1);
  return strip_paste_wrapping(t);
}

class ShellJob final : public WitnessRecognizer {
 public:
  std::string_view name() const override { return "shell-job"; }

  void on_event(const Event& e, const WitnessSink& out) override {
    if (e.kernel || e.message.empty() || e.message.size() > max_line) return flush(out);
    const bool text = wt::is_text_line(e);
    // Journal records: only the self-describing "name: line N: PID status command" form,
    // which is cheap to reject ("line " must be in the message).
    if (!text && e.message.find(": line ") == std::string::npos) return flush(out);
    const std::string_view t = visible(e.message, scratch_);
    if (t.empty()) return flush(out);
    line_ = t;
    if (starts_with(t, "make") && on_make(t, e, out)) return;
    flush(out);
    if (!text) {
      if (auto w = bash_prefixed(t, e)) hold(std::move(*w));
      return;
    }
    if (auto w = recognize(t, e)) return hold(std::move(*w));
    note_context(t);
  }

  void end_input(const WitnessSink& out) override {
    flush(out);
    command_.clear();
    recipe_.clear();
    jobs_.clear();
  }

 private:
  std::optional<Witness> recognize(std::string_view t, const Event& e) {
    // dash and sh print their prompt on stderr too: "$ $ $ [1] + Killed  crashlab hang".
    while (starts_with(t, "$ ") || starts_with(t, "# ")) t = t.substr(2);
    if (t.empty()) return std::nullopt;
    switch (t[0]) {
      case '[':
        return job_line(t, e);
      case 'z':
        if (starts_with(t, "zsh: ")) return zsh_line(t.substr(5), e);
        break;
      default:
        break;
    }
    if (auto w = bare_line(t, e)) return w;
    return bash_prefixed(t, e);
  }

  // "Segmentation fault (core dumped)", also after dash's prompts on stderr ("$ $ Killed").
  std::optional<Witness> bare_line(std::string_view t, const Event& e) {
    while (starts_with(t, "$ ") || starts_with(t, "# ")) t = t.substr(2);
    if (t.empty() || t[0] < 'A' || t[0] > 'Z') return std::nullopt;
    auto st = read_status(t, strsignal_words);
    if (!st || !st->command.empty()) return std::nullopt;
    return make_witness(*st, e, std::nullopt, command_);
  }

  // "./deploy.sh: line 4: 10215 Segmentation fault      (core dumped) crashlab segv"
  std::optional<Witness> bash_prefixed(std::string_view t, const Event& e) {
    const size_t at = t.find(": line ");
    if (at == std::string_view::npos || at == 0 || at > 512) return std::nullopt;
    std::string_view rest = t.substr(at + 7);
    if (!take_pid(rest) || !starts_with(rest, ": ")) return std::nullopt;  // the line number
    rest = trim(rest.substr(2));
    auto pid = take_pid(rest);
    if (!pid || !starts_with(rest, " ")) return std::nullopt;
    auto st = read_status(trim(rest), strsignal_words);
    if (!st) return std::nullopt;
    return make_witness(*st, e, pid, program_of(st->command));
  }

  // "[1]+  Killed   cmd" (bash), "[1] + Killed   cmd" (dash), "[1]  + killed  cmd" (zsh),
  // "[1]  + 9041 killed  cmd" (zsh longlistjobs); "[1] 40112" starts job 1 as PID 40112.
  std::optional<Witness> job_line(std::string_view t, const Event& e) {
    const size_t close = t.find(']');
    if (close == std::string_view::npos || close < 2 || close > 6) return std::nullopt;
    std::int64_t job = 0;
    if (!parse_int64(t.substr(1, close - 1), job)) return std::nullopt;
    std::string_view rest = trim(t.substr(close + 1));
    if (!rest.empty() && (rest[0] == '+' || rest[0] == '-')) rest = trim(rest.substr(1));
    std::string_view probe = rest;
    std::optional<std::int64_t> pid = take_pid(probe);
    if (pid && probe.empty()) {  // "[1] 40112"
      if (jobs_.size() < 64) jobs_[job] = *pid;
      return std::nullopt;
    }
    if (pid) rest = trim(probe);
    auto st = read_any_status(rest);
    if (!st) return std::nullopt;
    if (!pid) {
      if (auto it = jobs_.find(job); it != jobs_.end()) pid = it->second;
    }
    jobs_.erase(job);
    return make_witness(*st, e, pid, st->command.empty() ? command_ : program_of(st->command));
  }

  // "zsh: segmentation fault (core dumped)  ./x", "zsh: killed     ./x"
  std::optional<Witness> zsh_line(std::string_view t, const Event& e) {
    auto st = read_status(t, zsh_words);
    if (!st) return std::nullopt;
    std::string_view cmd = st->command;
    std::optional<std::int64_t> pid;
    if (std::string_view probe = cmd; (pid = take_pid(probe)) && starts_with(probe, " ")) cmd = trim(probe);
    else pid.reset();
    return make_witness(*st, e, pid, cmd.empty() ? command_ : program_of(cmd));
  }

  // make: "make: *** [Makefile:3: direct] Segmentation fault (core dumped)", "make[2]: *** [x]
  // Error 139" (only codes above 128: lower ones are the recipe's own failure, most often a
  // nested make passing its child's failure up). An "Error 128+N" right after the shell's own
  // message of signal N is the same death: it adds the code to it.
  bool on_make(std::string_view t, const Event& e, const WitnessSink& out) {
    const size_t stars = t.find(": *** [");
    if (stars == std::string_view::npos || stars > 16) return false;
    const size_t close = t.find("] ", stars);
    if (close == std::string_view::npos) return false;
    std::string_view status = trim(t.substr(close + 2));
    if (ends_with(status, " (ignored)")) status.remove_suffix(10);
    Status st;
    if (starts_with(status, "Error ")) {
      std::int64_t code = 0;
      if (!parse_int64(status.substr(6), code) || code <= 128 || code > 128 + 64) return false;
      st.signal = signal_name(static_cast<int>(code - 128));
      st.code = static_cast<int>(code);
    } else if (auto s = read_status(status, strsignal_words); s && s->command.empty()) {
      st = *s;
    } else {
      return false;
    }
    if (pending_ && !pending_->code && pending_->signal == st.signal) {
      pending_->code = st.code;
      if (st.code) pending_->exit_kind.clear();  // the merger keeps a code only without a wait kind
      pending_->lines.push_back(evidence(t, e, "make-recipe"));
      if (pending_->comm == "make" || pending_->comm.empty()) pending_->comm = recipe_;
      flush(out);
      return true;
    }
    flush(out);
    Witness w = make_witness(st, e, std::nullopt, recipe_);
    w.kind = "make-recipe";
    w.lines.front().role = w.kind;
    hold(std::move(w));
    return true;
  }

  // Lines that name the command a later message is about: prompts, and recipe lines make
  // echoes ("./demo") before running them.
  void note_context(std::string_view t) {
    if (auto cmd = prompt_command(t)) {
      if (cmd->empty()) return;
      command_ = program_of(*cmd);
      if (command_ == "make" || command_ == "gmake") command_.clear();  // a recipe dies, not make
      recipe_.clear();
      return;
    }
    if (starts_with(t, "./") || starts_with(t, "../")) recipe_ = program_of(t);
  }

  Evidence evidence(std::string_view t, const Event& e, std::string role) const {
    return Evidence{std::move(role), std::string(t.substr(0, 512)), e.origin, e.time};
  }

  Witness make_witness(const Status& st, const Event& e, std::optional<std::int64_t> pid, std::string comm) const {
    Witness w;
    w.kind = "shell-job";
    w.pid = pid;
    w.comm = std::move(comm);
    w.signal = st.signal;
    w.code = st.code;
    if (!st.signal.empty()) w.exit_kind = st.core ? "dumped" : "killed";
    else w.exit_kind = "exited";
    // The shell saw its job die of a TERM/HUP/INT someone sent ("kill %1"): a kill, not a stop.
    w.external_kill = w.signal == "TERM" || w.signal == "HUP" || w.signal == "INT";
    // A journal record of a script's output is stamped when the shell wrote the message.
    if (e.time) {
      w.time = e.time;
      w.when = WhenKnown::absolute;
      w.time_has_usec = e.time_has_usec;
    }
    w.host = e.hostname;
    w.boot_id = e.boot_id;
    w.lines.push_back(evidence(line_, e, w.kind));
    return w;
  }

  // A message is held for one more line: make's "Error 139" may follow and add the code.
  void hold(Witness&& w) { pending_ = std::move(w); }
  void flush(const WitnessSink& out) {
    if (!pending_) return;
    out(std::move(*pending_));
    pending_.reset();
  }

  std::optional<Witness> pending_;
  std::string command_;   // program of the last prompt line
  std::string recipe_;    // program of the last "./prog" line after it (make's echo)
  std::map<std::int64_t, std::int64_t> jobs_;  // job number -> PID from "[1] 40112"
  std::string scratch_;
  std::string_view line_;  // the current line as shown, for evidence
};

}  // namespace

std::unique_ptr<WitnessRecognizer> make_witness_shell_job() { return std::make_unique<ShellJob>(); }

}  // namespace crashsift::classify
