#include "crashsift/classify/crash_message.hpp"

#include <cctype>

#include "crashsift/core/text.hpp"

namespace crashsift::classify {

namespace {

using Lines = std::vector<std::string_view>;

std::optional<size_t> find_last(const Lines& lines, bool (*pred)(std::string_view)) {
  for (size_t i = lines.size(); i-- > 0;)
    if (pred(lines[i])) return i;
  return std::nullopt;
}

// --- Bun (crash_handler.zig): "panic(main thread): Segmentation fault at address 0x0" then
// "oh no: Bun has crashed."; out of memory prints only "oh no: Bun has ran out of memory."
std::optional<CrashMessage> bun_crash(const Lines& lines) {
  auto oom = find_last(lines, [](std::string_view l) { return starts_with(trim(l), "oh no: Bun has ran out of memory"); });
  if (oom) return CrashMessage{std::string(trim(lines[*oom])), "bun-out-of-memory", *oom};
  auto crashed = find_last(lines, [](std::string_view l) { return starts_with(trim(l), "oh no: Bun has crashed"); });
  if (!crashed) return std::nullopt;
  for (size_t i = *crashed + 1; i-- > 0;) {
    const std::string_view l = trim(lines[i]);
    if (starts_with(l, "panic(") || starts_with(l, "panic: ")) return CrashMessage{std::string(l), "bun-panic", i};
  }
  return CrashMessage{std::string(trim(lines[*crashed])), "bun-panic", *crashed};
}

// --- V8: "FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory"
std::optional<CrashMessage> v8_fatal(const Lines& lines) {
  auto i = find_last(lines, [](std::string_view l) { return starts_with(trim(l), "FATAL ERROR: "); });
  if (!i) return std::nullopt;
  const std::string_view l = trim(lines[*i]);
  const bool heap = contains(l, "heap out of memory") || contains(l, "Allocation failed");
  return CrashMessage{std::string(l), heap ? "v8-heap-limit" : "v8-fatal-error", *i};
}

// --- Go: "panic: ..." or "fatal error: ..." followed by "goroutine N [running]:".
std::optional<CrashMessage> go_crash(const Lines& lines) {
  auto g = find_last(lines, [](std::string_view l) { return starts_with(l, "goroutine ") && ends_with(trim(l), ":"); });
  // A long dump pushes "goroutine N [running]:" out of the kept tail: its frame lines
  // ("\t/src/main.go:42 +0x1d") still say it is Go's.
  if (!g) g = find_last(lines, [](std::string_view l) { return starts_with(l, "\t") && contains(l, ".go:"); });
  if (!g) return std::nullopt;
  for (size_t i = *g; i-- > 0;) {
    const std::string_view l = trim(lines[i]);
    if (starts_with(l, "fatal error: ")) {
      const bool oom = contains(l, "out of memory");
      return CrashMessage{std::string(l), oom ? "go-out-of-memory" : "go-fatal-error", i};
    }
    if (starts_with(l, "panic: ")) return CrashMessage{std::string(l), "go-panic", i};
  }
  return std::nullopt;
}

// --- Rust: "thread 'main' (15709) panicked at m.rs:1:48:" + message on the next line (1.73+),
// or "thread 'main' panicked at '<msg>', src/main.rs:2:5" (<= 1.72).
std::optional<CrashMessage> rust_panic(const Lines& lines) {
  auto i = find_last(lines, [](std::string_view l) { return starts_with(l, "thread '") && contains(l, "' panicked at ") ; });
  if (!i) {
    i = find_last(lines, [](std::string_view l) { return starts_with(l, "thread '") && contains(l, ") panicked at "); });
    if (!i) return std::nullopt;
  }
  std::string text(trim(lines[*i]));
  if (ends_with(text, ":") && *i + 1 < lines.size() && !starts_with(lines[*i + 1], "note: "))
    text += " " + std::string(trim(lines[*i + 1]));
  return CrashMessage{text, "rust-panic", *i};
}

// --- Python: "Traceback (most recent call last):" ... final "ExcType: message" line.
std::optional<CrashMessage> python_traceback(const Lines& lines) {
  auto tb = find_last(lines, [](std::string_view l) { return starts_with(l, "Traceback (most recent call last):"); });
  if (!tb) return std::nullopt;
  for (size_t i = lines.size(); i-- > *tb + 1;) {
    const std::string_view l = lines[i];
    if (l.empty() || l.front() == ' ' || l.front() == '\t') continue;
    const std::string_view t = trim(l);
    const bool mem = starts_with(t, "MemoryError");
    return CrashMessage{std::string(t), mem ? "python-memory-error" : "python-exception", i};
  }
  return std::nullopt;
}

// --- JVM: "java.lang.OutOfMemoryError: Java heap space" (also after "Terminating due to"), and
// hs_err's "# A fatal error has been detected by the Java Runtime Environment:" + "#  SIGSEGV (0xb) ...".
std::optional<CrashMessage> jvm_crash(const Lines& lines) {
  auto oom = find_last(lines, [](std::string_view l) { return contains(l, "java.lang.OutOfMemoryError"); });
  if (oom) return CrashMessage{std::string(trim(lines[*oom])), "jvm-out-of-memory", *oom};
  auto fatal = find_last(lines, [](std::string_view l) {
    return contains(l, "A fatal error has been detected by the Java Runtime Environment");
  });
  if (!fatal) return std::nullopt;
  for (size_t i = *fatal + 1; i < lines.size() && i < *fatal + 6; ++i) {
    const std::string_view t = trim(lines[i]);
    if (starts_with(t, "#  SIG")) return CrashMessage{std::string(trim(t.substr(1))), "jvm-fatal-error", i};
  }
  return CrashMessage{std::string(trim(lines[*fatal])), "jvm-fatal-error", *fatal};
}

// --- Rust's allocation failure: "memory allocation of 8589934592 bytes failed" (then abort).
std::optional<CrashMessage> rust_alloc(const Lines& lines) {
  auto i = find_last(lines, [](std::string_view l) {
    const std::string_view t = trim(l);
    return starts_with(t, "memory allocation of ") && ends_with(t, " bytes failed");
  });
  if (!i) return std::nullopt;
  return CrashMessage{std::string(trim(lines[*i])), "rust-alloc-failed", *i};
}

// --- glibc's own aborts: heap corruption and the stack protector.
std::optional<CrashMessage> glibc_abort(const Lines& lines) {
  auto i = find_last(lines, [](std::string_view l) {
    const std::string_view t = trim(l);
    return starts_with(t, "free(): ") || starts_with(t, "malloc(): ") || starts_with(t, "realloc(): ") ||
           starts_with(t, "double free or corruption") || starts_with(t, "corrupted size vs. prev_size") ||
           starts_with(t, "malloc_consolidate(): ") || starts_with(t, "munmap_chunk(): ") ||
           starts_with(t, "*** stack smashing detected ***") || starts_with(t, "*** buffer overflow detected ***");
  });
  if (!i) return std::nullopt;
  return CrashMessage{std::string(trim(lines[*i])), "glibc-abort", *i};
}

// --- Go's signal dump without a panic: "SIGABRT: abort" / "SIGSEGV: segmentation violation"
// followed by "PC=0x... m=0 sigcode=...".
std::optional<CrashMessage> go_signal(const Lines& lines) {
  auto i = find_last(lines, [](std::string_view l) {
    return starts_with(l, "SIG") && l.find(": ") != std::string_view::npos && l.find(": ") < 10;
  });
  if (!i || *i + 1 >= lines.size() || !starts_with(trim(lines[*i + 1]), "PC=")) return std::nullopt;
  return CrashMessage{std::string(trim(lines[*i])), "go-signal", *i};
}

// --- The application's own last fatal record: a pino/bunyan level 60 or a "fatal" level.
std::optional<CrashMessage> app_fatal_record(const Lines& lines) {
  auto i = find_last(lines, [](std::string_view l) {
    const std::string_view t = trim(l);
    return starts_with(t, "{") && (contains(t, "\"level\":60") || contains(t, "\"level\":\"fatal\"") ||
                                   contains(t, "\"severity\":\"FATAL\"") || contains(t, "\"level\":\"FATAL\""));
  });
  if (!i) return std::nullopt;
  const std::string_view t = trim(lines[*i]);
  for (std::string_view key : {"\"msg\":\"", "\"message\":\""}) {
    const size_t at = t.find(key);
    if (at == std::string_view::npos) continue;
    // The JSON string up to its closing quote, with \" and \\ unescaped.
    std::string text;
    const std::string_view rest = t.substr(at + key.size());
    for (size_t k = 0; k < rest.size() && rest[k] != '"'; ++k) {
      if (rest[k] == '\\' && k + 1 < rest.size()) ++k;
      text.push_back(rest[k]);
    }
    return CrashMessage{std::move(text), "app-fatal", *i};
  }
  return CrashMessage{std::string(t.substr(0, 200)), "app-fatal", *i};
}

bool is_js_frame(std::string_view l) {
  const std::string_view t = trim(l);
  return starts_with(t, "at ") && l.size() > t.size();  // indented "at ..." (4 spaces Node, 6 Bun)
}

// "TypeError: x", "error: boom", "Error: upstream returned 503", "Uncaught TypeError: x".
bool looks_like_error_header(std::string_view l) {
  l = trim(l);
  if (starts_with(l, "Uncaught ")) l.remove_prefix(9);
  if (starts_with(l, "error: ") || l == "error") return true;
  const size_t colon = l.find(':');
  const std::string_view name = l.substr(0, colon);
  if (name.empty() || name.size() > 64) return false;
  for (char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '$' && c != '.') return false;
  return ends_with(name, "Error") || ends_with(name, "Exception") || name == "UnhandledPromiseRejection";
}

// --- JS uncaught error: the header line just above the last block of "at ..." frames.
// Node prints "Emitted 'error' event at:" before a second frame block: skip past it.
std::optional<CrashMessage> js_uncaught(const Lines& lines) {
  auto last_frame = find_last(lines, is_js_frame);
  if (!last_frame) return std::nullopt;
  for (size_t i = *last_frame + 1; i-- > 0;) {
    const std::string_view l = lines[i];
    if (is_js_frame(l) || starts_with(trim(l), "Emitted 'error' event")) continue;
    if (!looks_like_error_header(l)) {
      // Inspected properties ("    code: 'ENOENT',") sit between frames and header in Node.
      if (!l.empty() && l.front() == ' ') continue;
      return std::nullopt;
    }
    std::string_view t = trim(l);
    if (starts_with(t, "UnhandledPromiseRejection"))
      return CrashMessage{std::string(t), "unhandled-rejection", i};
    if (t == "RangeError: Out of memory") return CrashMessage{std::string(t), "jsc-out-of-memory", i};
    return CrashMessage{std::string(t), "uncaught-exception", i};
  }
  return std::nullopt;
}

// Node's non-Error rejection has no frames: match the line itself.
std::optional<CrashMessage> node_rejection(const Lines& lines) {
  auto i = find_last(lines, [](std::string_view l) { return starts_with(trim(l), "UnhandledPromiseRejection: "); });
  if (!i) return std::nullopt;
  return CrashMessage{std::string(trim(lines[*i])), "unhandled-rejection", *i};
}

// Plain programs: "fatal: cannot open /etc/crashlab.conf: No such file or directory".
std::optional<CrashMessage> fatal_line(const Lines& lines) {
  auto i = find_last(lines, [](std::string_view l) {
    const std::string_view t = trim(l);
    return starts_with(t, "fatal: ") || starts_with(t, "FATAL: ") || starts_with(t, "Fatal: ") ||
           starts_with(t, "Fatal error: ") || starts_with(t, "Fatal Python error: ") ||
           starts_with(t, "error: ") || starts_with(t, "ERROR: ") || starts_with(t, "panic: ") ||
           starts_with(t, "Segmentation fault") || starts_with(t, "Aborted");
  });
  if (!i) return std::nullopt;
  return CrashMessage{std::string(trim(lines[*i])), "fatal-message", *i};
}

}  // namespace

std::optional<CrashMessage> find_crash_message(const std::vector<std::string_view>& lines) {
  // Most specific first: a Bun panic banner also contains "panic:", a V8 OOM has frames, etc.
  using Finder = std::optional<CrashMessage> (*)(const Lines&);
  static constexpr Finder finders[] = {bun_crash,   v8_fatal,      go_crash,     go_signal,   rust_alloc,
                                       rust_panic,  jvm_crash,     glibc_abort,  python_traceback,
                                       node_rejection, js_uncaught, app_fatal_record, fatal_line};
  for (Finder f : finders)
    if (auto m = f(lines)) return m;
  return std::nullopt;
}

bool is_crash_header(std::string_view line) {
  const std::string_view t = trim(line);
  return starts_with(t, "panic: ") || starts_with(t, "fatal error: ") || starts_with(t, "FATAL ERROR: ") ||
         starts_with(t, "Traceback (most recent call last):") || (starts_with(t, "thread '") && contains(t, "panicked at")) ||
         starts_with(t, "panic(") || contains(t, "java.lang.OutOfMemoryError") ||
         (starts_with(t, "SIG") && t.find(": ") != std::string_view::npos && t.find(": ") < 10);
}

std::string find_runtime_version(std::string_view line) {
  auto version_after = [&](std::string_view marker, std::string_view label) -> std::string {
    const size_t at = line.find(marker);
    if (at == std::string_view::npos) return {};
    size_t i = at + marker.size(), j = i;
    while (j < line.size() && (std::isalnum(static_cast<unsigned char>(line[j])) || line[j] == '.' ||
                               line[j] == '-' || line[j] == '+'))
      ++j;
    if (j == i || !std::isdigit(static_cast<unsigned char>(line[i]))) return {};
    return std::string(label) + std::string(line.substr(i, j - i));
  };
  if (auto v = version_after("Bun v", "Bun v"); !v.empty()) return v;
  if (auto v = version_after("Node.js v", "Node.js v"); !v.empty()) return v;
  return {};
}

bool is_runtime_heap_oom(std::string_view kind) {
  return kind == "v8-heap-limit" || kind == "bun-out-of-memory" || kind == "jsc-out-of-memory" ||
         kind == "go-out-of-memory" || kind == "python-memory-error" || kind == "rust-alloc-failed" ||
         kind == "jvm-out-of-memory";
}

}  // namespace crashsift::classify
