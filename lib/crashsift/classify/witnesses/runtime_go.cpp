// Go runtime deaths on raw stderr: "panic: ..." or "fatal error: ..." followed by a goroutine
// dump, and the signal dump of a crash the runtime does not turn into a panic ("SIGABRT: abort"
// + "PC=0x... m=0 sigcode=0"). The header opens the block and decides it; the dump below can be
// thousands of lines (every goroutine), so the message is never searched for by distance.
#include <cctype>

#include "crashsift/classify/witnesses/runtime_block.hpp"
#include "crashsift/core/text.hpp"

namespace crashsift::classify {

namespace {

using runtime::End;

bool is_digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }

// "goroutine 1 [running]:", "goroutine 1 gp=0xc000002380 m=0 mp=0x5b5ea0 [running]:" (1.23+).
bool is_goroutine_header(std::string_view t) {
  return starts_with(t, "goroutine ") && t.size() > 11 && is_digit(t[10]) && ends_with(t, ":");
}

// A frame of the dump: "main.main()", "pkg.(*T).M(0x0, {0xc000a1e0c0, 0x11})", "created by x in
// goroutine 1", "/src/pool.go:88 +0x33", "runtime.throw(...)" and the register dump of a signal crash.
bool is_frame(std::string_view t) {
  if (starts_with(t, "created by ") || starts_with(t, "...additional frames elided...") ||
      starts_with(t, "runtime stack:") || is_goroutine_header(t) || starts_with(t, "[signal ") ||
      starts_with(t, "[originating from goroutine") || starts_with(t, "PC=0x") || starts_with(t, "signal arrived during") ||
      starts_with(t, "runtime: ") || starts_with(t, "panic: ") || starts_with(t, "fatal error: ") ||
      starts_with(t, "[recovered") || starts_with(t, "goroutine running on other thread"))
    return true;
  if (contains(t, ".go:") || contains(t, ".s:") || contains(t, "?:0")) return true;  // file:line (+0x..)
  // Register dump: "rax    0x0", "rip    0x46e4a1", "r8     0x7ffd", "eflags 0x246".
  const size_t sp = t.find(' ');
  if (sp != std::string_view::npos && sp <= 7 && contains(t.substr(sp), "0x") &&
      t.find_first_not_of(' ', sp) != std::string_view::npos && starts_with(t.substr(t.find_first_not_of(' ', sp)), "0x"))
    return true;
  // A call: a dotted Go identifier up to "(" and the line ends with ")" or "(...)".
  const size_t open = t.find('(');
  if (open == std::string_view::npos || open == 0 || !ends_with(t, ")")) return false;
  const std::string_view fn = t.substr(0, open);
  return fn.find(' ') == std::string_view::npos && (contains(fn, ".") || ends_with(fn, "."));
}

class GoRuntime final : public runtime::BlockRecognizer {
 public:
  std::string_view name() const override { return "go-runtime"; }

 private:
  enum class Header { none, panic, fatal, signal };

  bool open(std::string_view t) override {
    if (t.size() < 8) return false;
    header_ = Header::none;
    dump_ = false;
    reason_.clear();
    signal_.clear();
    switch (t[0]) {
      case 'p':
        if (!starts_with(t, "panic: ")) return false;
        header_ = Header::panic;
        break;
      case 'f':
        if (!starts_with(t, "fatal error: ")) return false;
        header_ = Header::fatal;
        break;
      case 'r':  // "runtime: out of memory: cannot allocate ..." precedes "fatal error: out of memory"
        if (!starts_with(t, "runtime: out of memory")) return false;
        return true;
      case 'S':  // "SIGABRT: abort", "SIGSEGV: segmentation violation" (signal dump, no panic)
        if (!starts_with(t, "SIG") || !contains(t.substr(0, 12), ": ")) return false;
        header_ = Header::signal;
        signal_ = signal_from_text(t.substr(0, t.find(':')));
        if (signal_.empty()) return false;
        break;
      default: return false;
    }
    reason_.assign(t.substr(0, 512));
    evidence(true);
    return true;
  }

  bool belongs(std::string_view t) override {
    if (header_ == Header::none && starts_with(t, "fatal error: ")) {  // after "runtime: out of memory"
      header_ = Header::fatal;
      reason_.assign(t.substr(0, 512));
      evidence(true);
      return true;
    }
    if (is_goroutine_header(t) || starts_with(t, "runtime stack:") || starts_with(t, "PC=0x")) dump_ = true;
    else if (header_ == Header::panic && starts_with(t, "[signal ")) evidence();
    return is_frame(t);
  }

  bool finish(Witness& w, End) override {
    // Without the goroutine dump a "panic: " line is only a word (Bun's older banner, an app's log).
    if (header_ == Header::none || !dump_) return false;
    w.reason = reason_;
    w.runtime = "Go";
    if (header_ == Header::signal) {
      w.signal = signal_;
      w.reason_kind = "go-signal";
      return true;
    }
    w.exit_kind = "exited";  // panics and fatal errors end in exit(2), never a signal
    if (header_ == Header::panic) w.reason_kind = "go-panic";
    else w.reason_kind = contains(reason_, "out of memory") ? "go-out-of-memory" : "go-fatal-error";
    return true;
  }

  Header header_ = Header::none;
  bool dump_ = false;
  std::string reason_, signal_;
};

}  // namespace

std::unique_ptr<WitnessRecognizer> make_witness_runtime_go() {
  return std::make_unique<GoRuntime>();
}

}  // namespace crashsift::classify
