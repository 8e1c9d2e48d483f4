// Rust deaths on raw stderr: a panic of the main thread ("thread 'main' panicked at src/main.rs:
// 10:5:" + the message on the next line since 1.73, "thread 'main' (30341) panicked at ..." since
// 1.92 with the thread id, "thread 'main' panicked at 'msg', src/main.rs:10:5" before 1.73)
// and the allocator's "memory allocation of 8589934592 bytes failed" (then abort()).
//
// A panic in another thread kills only that thread unless the build aborts on panic: such a
// block counts only when the shell says the process died.
#include <cctype>

#include "crashsift/classify/witnesses/runtime_block.hpp"
#include "crashsift/core/text.hpp"

namespace crashsift::classify {

namespace {

using runtime::End;

class RustRuntime final : public runtime::BlockRecognizer {
 public:
  std::string_view name() const override { return "rust-runtime"; }

 private:
  enum class Shape { panic, alloc };

  bool open(std::string_view t) override {
    if (t.size() < 20) return false;
    reason_.clear();
    main_thread_ = false;
    want_message_ = false;
    tid_.reset();
    if (t[0] == 'm' && starts_with(t, "memory allocation of ") && ends_with(t, " failed")) {
      shape_ = Shape::alloc;
      reason_.assign(t.substr(0, 512));
      evidence(true);
      return true;
    }
    if (t[0] != 't' || !starts_with(t, "thread '")) return false;
    const size_t at = t.find(" panicked at ");
    if (at == std::string_view::npos) return false;
    shape_ = Shape::panic;
    const std::string_view who = t.substr(8, at - 8);  // "main'" or "main' (30341)"
    main_thread_ = starts_with(who, "main'");
    note_tid(who);
    reason_.assign(t.substr(0, 512));
    // 1.73+: "panicked at src/main.rs:10:5:" and the message on the next line.
    want_message_ = ends_with(t, ":");
    evidence(true);
    return true;
  }

  // "main' (30341)": the thread id; the main thread's id is the process id.
  void note_tid(std::string_view who) {
    const size_t open = who.find("' (");
    if (open == std::string_view::npos || !main_thread_) return;
    const std::string_view num = who.substr(open + 3, who.find(')') - open - 3);
    tid_ = to_int64(num);
  }

  bool belongs(std::string_view t) override {
    if (want_message_) {
      want_message_ = false;
      if (!starts_with(t, "note: ")) {
        reason_ += " ";
        reason_.append(t.substr(0, 512));
        return true;
      }
    }
    // "note: run with `RUST_BACKTRACE=1` ...", "stack backtrace:", "   0: rust_begin_unwind",
    // "at /rustc/.../panicking.rs:584:5".
    if (starts_with(t, "note: ") || starts_with(t, "stack backtrace:") || starts_with(t, "at ")) return true;
    const size_t colon = t.find(": ");
    return colon != std::string_view::npos && colon > 0 && colon < 6 &&
           std::isdigit(static_cast<unsigned char>(t[colon - 1])) &&
           t.find_first_not_of("0123456789") == colon;
  }

  bool finish(Witness& w, End) override {
    const bool shell_saw_it = !status().signal.empty() || status().code;
    if (shape_ == Shape::panic && !main_thread_ && !shell_saw_it) return false;
    w.reason = reason_;
    w.runtime = "Rust";
    if (shape_ == Shape::alloc) {
      w.reason_kind = "rust-alloc-failed";
      return true;  // abort(): SIGABRT, but only what the shell shows is written
    }
    w.reason_kind = "rust-panic";
    w.exit_kind = "exited";  // exit(101) unless panic=abort, which the shell would show
    w.pid = tid_;
    return true;
  }

  Shape shape_ = Shape::panic;
  bool main_thread_ = false;
  bool want_message_ = false;
  std::optional<std::int64_t> tid_;
  std::string reason_;
};

}  // namespace

std::unique_ptr<WitnessRecognizer> make_witness_runtime_rust() { return std::make_unique<RustRuntime>(); }

}  // namespace crashsift::classify
