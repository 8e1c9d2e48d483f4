// Bun deaths on raw stderr:
//  - the crash banner (crash_handler.zig): "=====...", "Bun v1.3.2 (b131639c) Linux x64", "Args:
//    "relay-cli" ...", "panic(main thread): Segmentation fault at address 0x0", "oh no: Bun has
//    crashed. This indicates a bug in Bun, not your code.", the bun.report link; out of memory
//    prints "oh no: Bun has ran out of memory." instead of a panic line;
//  - an uncaught error: "12 | source" lines, "^", "error: upstream 503" (or "TypeError: ..."),
//    "at ..." frames, then "Bun v1.1.38 (Linux x64)": only that last line proves the death.
// A panic ends in SIGILL (1.3.x trap), SEGV or the signal that was caught; only the signal the
// shell shows is written.
#include <cctype>

#include "crashsift/classify/crash_message.hpp"
#include "crashsift/classify/witnesses/runtime_block.hpp"
#include "crashsift/core/text.hpp"

namespace crashsift::classify {

namespace {

using runtime::End;

// "Bun v1.1.38 (Linux x64)": the last line of an uncaught error. The banner's version line has
// the commit in the parentheses and the platform after them.
bool is_uncaught_version_line(std::string_view t) {
  return starts_with(t, "Bun v") && t.size() > 6 && std::isdigit(static_cast<unsigned char>(t[5])) &&
         ends_with(t, ")") && t.find(')') == t.size() - 1 && contains(t, " (");
}

bool is_banner_rule(std::string_view t) {
  return t.size() >= 20 && t.find_first_not_of('=') == std::string_view::npos;
}

// "panic(main thread): ...", "panic(thread 1234): ..."; not Go's "panic({0x8d1f20?, ...})" frame.
bool is_panic_line(std::string_view t) {
  return starts_with(t, "panic(") && t.size() > 7 && t[6] != '{' && contains(t.substr(0, 40), "): ");
}

// The first quoted word of "Args: "relay-cli" "serve"": the program (a standalone executable
// has its own name; "bun" or a path to it otherwise).
std::string program_of_args(std::string_view t) {
  const size_t q = t.find('"');
  if (q == std::string_view::npos) return {};
  const size_t end = t.find('"', q + 1);
  if (end == std::string_view::npos) return {};
  std::string_view prog = t.substr(q + 1, end - q - 1);
  prog = prog.substr(prog.rfind('/') + 1);
  return std::string(prog.substr(0, 64));
}

class BunRuntime final : public runtime::BlockRecognizer {
 public:
  std::string_view name() const override { return "bun-runtime"; }

 private:
  bool wants_history() const override { return true; }

  enum class Shape { banner, uncaught };

  bool open(std::string_view t) override {
    if (t.size() < 12) return false;
    reason_.clear();
    runtime_.clear();
    program_.clear();
    crashed_ = out_of_memory_ = false;
    if (is_uncaught_version_line(t)) {
      if (!find_uncaught()) return false;
      shape_ = Shape::uncaught;
      runtime_ = find_runtime_version(t);
      evidence();
      return true;
    }
    if (!is_banner_rule(t) && !starts_with(t, "Bun v") && !is_panic_line(t) && !starts_with(t, "oh no: Bun has") &&
        !starts_with(t, "panic: "))
      return false;
    shape_ = Shape::banner;
    return belongs(t);
  }

  bool belongs(std::string_view t) override {
    if (shape_ == Shape::uncaught) return false;
    if (starts_with(t, "Bun v")) {
      if (runtime_.empty()) runtime_ = find_runtime_version(t);
      return true;
    }
    if (starts_with(t, "Args: ")) {
      program_ = program_of_args(t);
      return true;
    }
    if (is_panic_line(t) || starts_with(t, "panic: ")) {
      if (reason_.empty() || !crashed_) reason_.assign(t.substr(0, 512));
      evidence(true);
      return true;
    }
    if (starts_with(t, "oh no: Bun has")) {
      crashed_ = true;
      out_of_memory_ = contains(t, "out of memory");
      if (reason_.empty() || out_of_memory_) reason_.assign(t.substr(0, 512));
      evidence(out_of_memory_);
      return true;
    }
    static constexpr std::string_view banner[] = {
        "Linux Kernel v", "macOS v", "Windows v", "CPU: ", "Features: ", "Builtins: ", "Elapsed: ", "RSS: ",
        "To send a redacted crash report", "please file a GitHub issue", "Search GitHub issues", "Crashed while ",
        "https://bun.report/", "WARNING: ", "Illegal instruction at address"};
    if (is_banner_rule(t)) return true;
    for (auto p : banner)
      if (starts_with(t, p)) return true;
    return false;
  }

  // Looking back from "Bun v... (Linux x64)": the error header above the first "at ..." frame.
  bool find_uncaught() {
    const auto& h = history();
    for (size_t i = h.size(); i-- > 0;) {
      if (!starts_with(h[i].text, "at ") || i == 0 || starts_with(h[i - 1].text, "at ")) continue;
      evidence(h[i - 1], true);
      reason_ = h[i - 1].text;
      return true;
    }
    return false;
  }

  bool finish(Witness& w, End) override {
    if (reason_.empty() || (shape_ == Shape::banner && !crashed_)) return false;
    w.reason = reason_;
    w.runtime = runtime_.empty() ? "Bun" : runtime_;
    w.comm = !program_.empty() ? program_ : "bun";
    if (shape_ == Shape::uncaught) {
      w.reason_kind = reason_ == "RangeError: Out of memory" ? "jsc-out-of-memory" : "uncaught-exception";
      w.exit_kind = "exited";  // Bun exits 1 on an uncaught error
      return true;
    }
    w.reason_kind = out_of_memory_ ? "bun-out-of-memory" : "bun-panic";
    return true;
  }

  Shape shape_ = Shape::banner;
  bool crashed_ = false, out_of_memory_ = false;
  std::string reason_, runtime_, program_;
};

}  // namespace

std::unique_ptr<WitnessRecognizer> make_witness_runtime_bun() { return std::make_unique<BunRuntime>(); }

}  // namespace crashsift::classify
