// Python deaths on raw stderr: an uncaught exception ("Traceback (most recent call last):" ...
// "ValueError: ...", chained tracebacks: the LAST exception line is the reason), MemoryError
// (the runtime's heap), and faulthandler's "Fatal Python error: Segmentation fault" dump.
//
// A traceback alone is no death: `logging.exception()` prints the same block and the program
// goes on. An uncaught one is the last thing the process prints, so the block counts only when
// what follows is the shell (a prompt, its signal message, `echo $?`), a fence, or the end.
#include <cctype>

#include "crashsift/classify/witnesses/runtime_block.hpp"
#include "crashsift/core/text.hpp"

namespace crashsift::classify {

namespace {

using runtime::End;

bool is_chain_line(std::string_view t) {
  return starts_with(t, "During handling of the above exception") ||
         starts_with(t, "The above exception was the direct cause");
}

// A source line echoed under a frame, and the carets under it ("^^^^", "~~~^^^").
bool is_marker_line(std::string_view t) { return t.find_first_not_of("^~ ") == std::string_view::npos; }

bool is_ident(std::string_view s) {
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.')) return false;
  return !s.empty();
}

// "ValueError: x", "requests.exceptions.HTTPError: 502", "MemoryError", "KeyError: 'database'",
// "myapp.Boom: x". Not a source line such as "self.run()" or "x = f(a)".
bool is_exception_line(std::string_view t) {
  const size_t colon = t.find(':');
  const std::string_view name = t.substr(0, colon);
  if (name.size() > 120 || !is_ident(name)) return false;
  const bool named = ends_with(name, "Error") || ends_with(name, "Exception") || ends_with(name, "Interrupt") ||
                     ends_with(name, "Exit") || ends_with(name, "Group") || name == "StopIteration";
  return named || (colon != std::string_view::npos && contains(name, "."));
}

class PythonRuntime final : public runtime::BlockRecognizer {
 public:
  std::string_view name() const override { return "python-runtime"; }

 private:
  enum class Shape { traceback, faulthandler };

  bool open(std::string_view t) override {
    if (t.size() < 20 || (t[0] != 'T' && t[0] != 'F')) return false;
    if (starts_with(t, "Traceback (most recent call last):")) shape_ = Shape::traceback;
    else if (starts_with(t, "Fatal Python error: ")) shape_ = Shape::faulthandler;
    else return false;
    reason_.clear();
    fatal_.assign(t.substr(0, 512));
    module_file_.clear();
    after_frame_ = false;
    evidence(shape_ == Shape::faulthandler);
    return true;
  }

  bool belongs(std::string_view t) override {
    if (starts_with(t, "File \"")) {
      note_module(t);
      after_frame_ = true;
      return true;
    }
    if (after_frame_) {  // the one source line under a frame (if the source is there), then carets
      after_frame_ = false;
      if (!is_exception_line(t)) return true;
    }
    if (is_marker_line(t) || starts_with(t, "[Previous line repeated")) return true;
    if (shape_ == Shape::faulthandler)
      return starts_with(t, "Current thread 0x") || starts_with(t, "Thread 0x") || starts_with(t, "Extension modules:") ||
             starts_with(t, "Python runtime state:") || starts_with(t, "Stack (most recent call first):") ||
             starts_with(t, "<no Python frame>");
    if (is_chain_line(t) || starts_with(t, "Traceback (most recent call last):")) {
      reason_.clear();  // the exception that ends the chain is the one that killed it
      return true;
    }
    if (reason_.empty() && is_exception_line(t)) {
      reason_.assign(t.substr(0, 512));
      evidence(true);
      return true;
    }
    return false;
  }

  // faulthandler prints the frames of the script: "File "/usr/bin/tray-indicator", line 212 in
  // <module>". A script run by its shebang has that file's name as its process name.
  void note_module(std::string_view t) {
    if (!ends_with(t, "<module>")) return;
    const std::string_view path = t.substr(6, t.find('"', 6) - 6);
    const std::string_view base = path.substr(path.rfind('/') + 1);
    if (!base.empty() && !contains(base, ".") && !starts_with(path, "<")) module_file_.assign(base.substr(0, 64));
  }

  bool finish(Witness& w, End how) override {
    w.runtime = "Python";
    if (shape_ == Shape::faulthandler) {
      // "Fatal Python error: Segmentation fault": faulthandler names the signal and re-raises
      // it; any other fatal error ends in abort().
      const std::string_view what = std::string_view(fatal_).substr(20);
      w.signal = signal_from_text(what);
      if (w.signal.empty()) w.signal = "ABRT";
      w.reason = fatal_;
      w.reason_kind = "python-fatal-error";
      w.comm = command_is_python() ? command_program() : module_file_;
      return true;
    }
    if (reason_.empty()) return false;
    if (how == End::foreign && status().signal.empty() && !status().code) return false;  // a logged traceback
    w.reason = reason_;
    w.reason_kind = starts_with(reason_, "MemoryError") ? "python-memory-error" : "python-exception";
    w.exit_kind = "exited";  // an uncaught exception ends in exit(1)
    w.comm = module_file_;
    return true;
  }

  bool command_is_python() const { return starts_with(command_program(), "python"); }

  Shape shape_ = Shape::traceback;
  bool after_frame_ = false;
  std::string reason_, fatal_, module_file_;
};

}  // namespace

std::unique_ptr<WitnessRecognizer> make_witness_runtime_python() { return std::make_unique<PythonRuntime>(); }

}  // namespace crashsift::classify
