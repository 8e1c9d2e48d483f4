#pragma once
// Shared machinery of the runtime_*.cpp recognizers: a runtime's own death printed on RAW stderr
// (pasted text or `-o cat` lines) as a multi-line block — a V8 heap report, a goroutine dump, a
// Python traceback. Journal lines that carry an identifier or a PID are never read here: the
// tracker already attaches their crash message to the exit record through the process's output
// tail, and reading them again would make a second death.
//
// The base class keeps what every runtime needs around its dump: the shell prompt above it (the
// command names the program), the shell's verdict below it ("Aborted (core dumped)", a job line,
// `echo $?`, `exit status 2`), a short history of lines before the block (a Node uncaught error
// is only known to be fatal at its last line), and when the block ends. A runtime subclass says
// which line opens its dump, which lines belong to it, and what the dump tells.
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

#include "crashsift/classify/witness.hpp"

namespace crashsift::classify::runtime {

// Lines of raw text only: a pasted line, or a cat-form line (no identifier, no PID).
inline bool is_raw(const Event& e) { return !e.kernel && (e.pasted || (e.identifier.empty() && !e.pid)); }

// The line without paste decorations: quotes, backticks, trailing CR, a CI step prefix
// ("[build] "). Leading indentation is dropped too: the short-form reader drops it already,
// so no grammar here may depend on it.
std::string_view clean_line(std::string_view message);

// "$ node server.js" -> "node server.js"; also "user@host:~/dir$ cmd", "(venv) $ cmd",
// "root@host:/# cmd", oh-my-zsh "➜  dir git:(main) ✗ cmd", bash -x "+ cmd".
std::optional<std::string_view> prompt_command(std::string_view t);

// The program a command line runs: "./target/release/csvsplit --rows 3" -> "csvsplit",
// "go run ./cmd/fetcher" -> "fetcher", "sudo -E python3 x.py" -> "python3". "" when unclear.
std::string program_of_command(std::string_view cmd);

// What a line printed after the dump says about how the process ended: a shell's signal
// message or job line, `go run`'s "exit status 2", yarn's "Command failed with exit code 134.",
// `bun run`'s "terminated by signal SIGILL".
struct Status {
  std::string signal;
  std::optional<int> code;
  std::optional<std::int64_t> pid;
  std::string program;
};
std::optional<Status> shell_status(std::string_view t);

// Why a block ended.
enum class End { foreign, prompt, fence, journal, input };

class BlockRecognizer : public WitnessRecognizer {
 public:
  void on_event(const Event& e, const WitnessSink& out) final;
  void end_input(const WitnessSink& out) final;

 protected:
  static constexpr size_t max_history = 64;   // lines kept before a block (lookbehind)
  static constexpr size_t max_evidence = 12;  // evidence lines kept per block

  // No block is open: does this line start this runtime's dump? Reset your own state here.
  virtual bool open(std::string_view t) = 0;
  // A block is open: does this line belong to the dump?
  virtual bool belongs(std::string_view t) = 0;
  // The block ended: fill w with what the dump told; false when it was no death after all.
  virtual bool finish(Witness& w, End how) = 0;

  // A raw line seen before the block opened, with where it came from.
  struct Seen {
    std::string text;
    Origin origin;
  };

  // Whether open() reads history(): only runtimes whose last line proves the death keep one, so
  // the other recognizers copy nothing for the many lines of a big `-o cat` journal.
  virtual bool wants_history() const { return false; }

  // Keep the current line (or an earlier one) as evidence; the deciding line goes first.
  void evidence(bool deciding = false);
  void evidence(const Seen& line, bool deciding = false);
  // The program the prompt above the block ran ("" when none was seen).
  const std::string& command_program() const { return command_program_; }
  // Raw lines seen before the block opened, oldest first, since the last prompt or block.
  const std::deque<Seen>& history() const { return history_; }
  // The shell's verdict gathered after the dump.
  const Status& status() const { return status_; }

 private:
  void handle(std::string_view t, const WitnessSink& out);
  void close(const WitnessSink& out, End how);
  bool take_status(std::string_view t);
  void remember(std::string_view t);

  bool open_ = false;
  bool after_dump_ = false;       // a shell verdict was seen: only more verdicts may follow
  bool awaiting_echo_ = false;    // "$ echo $?" seen: the next line is the status
  Status status_;
  std::string command_program_;
  std::deque<Seen> history_;
  std::vector<Evidence> lines_;
  const Event* current_ = nullptr;
};

}  // namespace crashsift::classify::runtime
