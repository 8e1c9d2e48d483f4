// JVM deaths on raw stderr: an uncaught exception of the main thread ('Exception in thread
// "main" java.lang.IllegalStateException: ...', the JVM exits 1 when no other thread keeps it
// alive), its heap exhaustion ("java.lang.OutOfMemoryError: Java heap space") and HotSpot's
// fatal error report ("# A fatal error has been detected by the Java Runtime Environment:" with
// "#  SIGSEGV (0xb) at pc=..., pid=4242, tid=4243").
#include "crashsift/classify/witnesses/runtime_block.hpp"
#include "crashsift/core/text.hpp"

namespace crashsift::classify {

namespace {

using runtime::End;

constexpr std::string_view exception_in_main = "Exception in thread \"main\" ";

bool is_heap_oom(std::string_view reason) {
  return contains(reason, "java.lang.OutOfMemoryError: Java heap space") ||
         contains(reason, "java.lang.OutOfMemoryError: GC overhead limit exceeded") ||
         contains(reason, "java.lang.OutOfMemoryError: Requested array size exceeds VM limit");
}

class JvmRuntime final : public runtime::BlockRecognizer {
 public:
  std::string_view name() const override { return "jvm-runtime"; }

 private:
  enum class Shape { exception, hs_err };

  bool open(std::string_view t) override {
    if (t.empty() || (t[0] != 'E' && t[0] != '#')) return false;
    reason_.clear();
    runtime_.clear();
    pid_.reset();
    signal_.clear();
    if (starts_with(t, exception_in_main)) {
      shape_ = Shape::exception;
      reason_.assign(t.substr(exception_in_main.size(), 512));
      evidence(true);
      return true;
    }
    if (starts_with(t, "# A fatal error has been detected by the Java Runtime Environment")) {
      shape_ = Shape::hs_err;
      evidence();
      return true;
    }
    return false;
  }

  bool belongs(std::string_view t) override {
    if (shape_ == Shape::exception)  // frames, "Caused by: ...", "... 12 more"
      return starts_with(t, "at ") || starts_with(t, "Caused by: ") || starts_with(t, "Suppressed: ") ||
             (starts_with(t, "... ") && ends_with(t, " more"));
    if (t.empty() || t[0] != '#') return false;
    const std::string_view body = trim(t.substr(1));
    // "#  SIGSEGV (0xb) at pc=0x00007f7bfaa351c9, pid=13060, tid=13080"
    if (starts_with(body, "SIG") && contains(body, " at pc=")) {
      signal_ = signal_from_text(body.substr(0, body.find(' ')));
      reason_.assign(body.substr(0, 512));
      if (const size_t p = body.find("pid="); p != std::string_view::npos)
        pid_ = to_int64(body.substr(p + 4, body.find(',', p) - p - 4));
      evidence(true);
    } else if (starts_with(body, "Internal Error") || starts_with(body, "Out of Memory Error")) {
      reason_.assign(body.substr(0, 512));  // a VM assertion or native OOM: abort()
      signal_ = "ABRT";
      evidence(true);
    } else if (starts_with(body, "JRE version: ")) {
      runtime_.assign(body.substr(13, 200));
      evidence();
    }
    return true;
  }

  bool finish(Witness& w, End) override {
    if (reason_.empty()) return false;
    w.reason = reason_;
    w.comm = "java";
    w.runtime = runtime_.empty() ? "JVM" : runtime_;
    if (shape_ == Shape::hs_err) {
      w.signal = signal_;
      w.pid = pid_;
      w.reason_kind = "jvm-fatal-error";
      return true;
    }
    if (is_heap_oom(reason_)) {
      w.reason_kind = "jvm-out-of-memory";
      return true;
    }
    w.reason_kind = "uncaught-exception";
    w.exit_kind = "exited";  // the JVM exits 1 once main dies of an uncaught exception
    return true;
  }

  Shape shape_ = Shape::exception;
  std::string reason_, runtime_, signal_;
  std::optional<std::int64_t> pid_;
};

}  // namespace

std::unique_ptr<WitnessRecognizer> make_witness_runtime_jvm() { return std::make_unique<JvmRuntime>(); }

}  // namespace crashsift::classify
