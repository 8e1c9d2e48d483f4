// Node.js deaths on raw stderr:
//  - V8's heap report: "<--- Last few GCs --->" with "[4242:0x5a1b2c0] ... ms: Mark-Compact"
//    lines (the PID), "FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of
//    memory" (or "Ineffective mark-compacts near heap limit", "CALL_AND_RETRY_LAST"), native frames;
//  - an uncaught exception or rejection: "/app/server.js:41" + source + "^" + "TypeError: ..." +
//    "at ..." frames + "Node.js v20.11.1". Only that last line proves the process died (apps log
//    errors with stacks all day), so the block is found looking back from it.
#include <cctype>

#include "crashsift/classify/crash_message.hpp"
#include "crashsift/classify/witnesses/runtime_block.hpp"
#include "crashsift/core/text.hpp"

namespace crashsift::classify {

namespace {

using runtime::End;

bool is_digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }

// "Node.js v20.11.1" alone on its line: what Node prints last before exiting on an uncaught error.
bool is_node_version_line(std::string_view t) {
  if (!starts_with(t, "Node.js v") || t.size() < 14 || !is_digit(t[9])) return false;
  return t.find(' ', 9) == std::string_view::npos;
}

// The PID in "[22871:0x5a3e6f0]    95182 ms: Mark-Compact ..." (possibly after a few bytes of
// stdout that lost its newline: "em[12819:0x10e32d10]").
std::optional<std::int64_t> gc_line_pid(std::string_view t) {
  const size_t open = t.find('[');
  if (open == std::string_view::npos || open > 16) return std::nullopt;
  const size_t colon = t.find(":0x", open);
  if (colon == std::string_view::npos || colon == open + 1 || colon - open > 11) return std::nullopt;
  for (size_t i = open + 1; i < colon; ++i)
    if (!is_digit(t[i])) return std::nullopt;
  return to_int64(t.substr(open + 1, colon - open - 1));
}

// " 1: 0xb8ced1 node::OOMErrorHandler(...) [node]", "0: ExitFrame [pc: 0x13f0e19]".
bool is_numbered_frame(std::string_view t) {
  size_t i = 0;
  while (i < t.size() && is_digit(t[i])) ++i;
  return i > 0 && i < 6 && i < t.size() && t[i] == ':';
}

// "TypeError: x", "Error: ENOENT: ...", "QueueClosedError: queue closed", "Uncaught TypeError: x",
// "[UnhandledPromiseRejection: ...] {".
bool looks_like_error_header(std::string_view l) {
  if (starts_with(l, "[")) l.remove_prefix(1);
  if (starts_with(l, "Uncaught ")) l.remove_prefix(9);
  const size_t colon = l.find(':');
  const std::string_view name = l.substr(0, colon);
  if (colon == std::string_view::npos || name.empty() || name.size() > 64) return false;
  for (char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '$' && c != '.') return false;
  return ends_with(name, "Error") || ends_with(name, "Exception") || name == "UnhandledPromiseRejection";
}

// "[UnhandledPromiseRejection: ...] {" -> "UnhandledPromiseRejection: ..."; "Error: x {" -> "Error: x".
std::string clean_header(std::string_view h) {
  if (ends_with(h, " {")) h.remove_suffix(2);
  if (starts_with(h, "[") && ends_with(h, "]")) h = h.substr(1, h.size() - 2);
  return std::string(h.substr(0, 512));
}

class NodeRuntime final : public runtime::BlockRecognizer {
 public:
  std::string_view name() const override { return "node-runtime"; }

 private:
  bool wants_history() const override { return true; }

  enum class Shape { heap, uncaught };

  bool open(std::string_view t) override {
    if (t.size() < 14) return false;
    reason_.clear();
    runtime_.clear();
    pid_.reset();
    node_frames_ = false;
    switch (t[0]) {
      case '<':
        if (!starts_with(t, "<--- Last few GCs --->")) return false;
        shape_ = Shape::heap;
        evidence();
        return true;
      case 'F':
        if (!starts_with(t, "FATAL ERROR: ")) return false;
        shape_ = Shape::heap;
        note_fatal(t);
        return true;
      case 'N':
        if (!is_node_version_line(t)) return false;
        shape_ = Shape::uncaught;
        if (!find_uncaught()) return false;
        runtime_ = find_runtime_version(t);
        evidence();
        return true;
      default: return false;
    }
  }

  void note_fatal(std::string_view t) {
    reason_.assign(t.substr(0, 512));
    evidence(true);
  }

  bool belongs(std::string_view t) override {
    if (shape_ == Shape::uncaught) return false;  // "Node.js v" was the last line; only the shell follows
    if (auto pid = gc_line_pid(t)) {
      if (!pid_) pid_ = pid;
      return true;
    }
    if (starts_with(t, "FATAL ERROR: ")) {
      note_fatal(t);
      return true;
    }
    if (is_numbered_frame(t)) {
      node_frames_ = node_frames_ || contains(t, "node::") || contains(t, "[node]") || contains(t, "/node]");
      return true;
    }
    if (is_node_version_line(t)) {
      runtime_ = find_runtime_version(t);
      return true;
    }
    return starts_with(t, "<--- ") || starts_with(t, "==== JS stack trace") || starts_with(t, "----- ") ||
           starts_with(t, "Security context:") || starts_with(t, "Writing Node.js report") ||
           starts_with(t, "Node.js report completed") || starts_with(t, "<--- Last few GCs --->");
  }

  // Looking back from "Node.js v...": the throw site ("/app/x.js:41" or "node:events:497"), its
  // source line and caret, then the error header; without a throw site, the header above the
  // first "at ..." frame.
  bool find_uncaught() {
    const auto& h = history();
    std::optional<size_t> header;
    for (size_t i = 0; i + 1 < h.size(); ++i) {
      const std::string_view l = h[i].text;
      if (!l.empty() && l.find_first_not_of('^') == std::string_view::npos) header = i + 1;
    }
    if (!header) {
      for (size_t i = 0; i + 1 < h.size(); ++i)
        if (looks_like_error_header(h[i].text) && starts_with(h[i + 1].text, "at ")) header = i;
    }
    if (!header) return false;
    evidence(h[*header], true);
    reason_ = clean_header(h[*header].text);
    return true;
  }

  bool finish(Witness& w, End) override {
    if (reason_.empty()) return false;  // a GC report cut before its FATAL ERROR line
    w.reason = reason_;
    w.runtime = runtime_;
    w.pid = pid_;
    if (shape_ == Shape::heap) {
      const bool heap = contains(reason_, "heap out of memory") || contains(reason_, "Allocation failed");
      w.reason_kind = heap ? "v8-heap-limit" : "v8-fatal-error";
      if (node_frames_ || !runtime_.empty()) w.comm = "node";
      return true;
    }
    w.comm = "node";
    w.reason_kind = contains(reason_, "UnhandledPromiseRejection") ? "unhandled-rejection" : "uncaught-exception";
    w.exit_kind = "exited";  // Node exits 1 (7 from a failing handler), never by a signal
    return true;
  }

  Shape shape_ = Shape::heap;
  bool node_frames_ = false;
  std::string reason_, runtime_;
  std::optional<std::int64_t> pid_;
};

}  // namespace

std::unique_ptr<WitnessRecognizer> make_witness_runtime_node() { return std::make_unique<NodeRuntime>(); }

}  // namespace crashsift::classify
