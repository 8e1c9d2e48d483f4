#include "crashsift/symbolize/journal_backtrace.hpp"

#include <string>

#include "crashsift/core/text.hpp"
#include "crashsift/symbolize/core_notes.hpp"
#include "crashsift/symbolize/core_reader.hpp"
#include "crashsift/symbolize/signature.hpp"

namespace crashsift::symbolize {
namespace {

std::vector<std::string_view> message_lines(std::string_view msg, std::string& storage) {
  // rsyslog and some forwarders encode embedded newlines as "#012".
  if (msg.find('\n') == std::string_view::npos && msg.find("#012") != std::string_view::npos) {
    storage.assign(msg);
    for (size_t p = 0; (p = storage.find("#012", p)) != std::string::npos;) storage.replace(p, 4, "\n");
    msg = storage;
  }
  return split(msg, '\n');
}

std::optional<std::uint64_t> parse_hex(std::string_view s) {
  if (s.substr(0, 2) == "0x") s.remove_prefix(2);
  if (s.empty() || s.size() > 16) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : s) {
    int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    if (d < 0) return std::nullopt;
    v = v * 16 + static_cast<std::uint64_t>(d);
  }
  return v;
}

// "(crashlab + 0x1235)" or "(crashlab)" at the end of a frame line.
void parse_module_part(std::string_view paren, Frame& f) {
  paren = paren.substr(1, paren.size() - 2);
  const size_t plus = paren.rfind(" + ");
  if (plus == std::string_view::npos) {
    f.module = std::string(paren);
    return;
  }
  f.module = std::string(paren.substr(0, plus));
  f.module_offset = parse_hex(paren.substr(plus + 3));
}

// "#0  0x000055f946c08235 write_through (crashlab + 0x1235)"
std::optional<Frame> parse_frame(std::string_view line) {
  if (line.empty() || line[0] != '#') return std::nullopt;
  size_t i = 1;
  std::uint32_t index = 0;
  while (i < line.size() && line[i] >= '0' && line[i] <= '9') index = index * 10 + static_cast<std::uint32_t>(line[i++] - '0');
  if (i == 1) return std::nullopt;
  std::string_view rest = trim(line.substr(i));
  const size_t sp = rest.find(' ');
  auto pc = parse_hex(rest.substr(0, sp));
  if (!pc || rest.substr(0, 2) != "0x") return std::nullopt;
  Frame f;
  f.index = index;
  f.pc = *pc;
  f.trust = Trust::journal;
  f.activation = index == 0;
  std::string_view fn = sp == std::string_view::npos ? std::string_view() : trim(rest.substr(sp + 1));
  const size_t open = fn.rfind(" (");
  if (!fn.empty() && fn.back() == ')' && open != std::string_view::npos) {
    parse_module_part(fn.substr(open + 1), f);
    fn = fn.substr(0, open);
  }
  if (fn != "n/a") f.function = demangle(std::string(fn));
  return f;
}

// The module line forms of systemd v249..v256 (formats.md section 3).
std::optional<Module> parse_module(std::string_view line) {
  Module m;
  if (starts_with(line, "Found module ")) line.remove_prefix(13);
  else if (starts_with(line, "Module ")) line.remove_prefix(7);
  else return std::nullopt;
  for (std::string_view marker : {std::string_view(" with build-id: "), std::string_view(" with build-id "),
                                  std::string_view(", build-id=")}) {
    const size_t p = line.find(marker);
    if (p != std::string_view::npos) m.build_id = std::string(trim(line.substr(p + marker.size())));
  }
  const size_t end = line.find_first_of(" ,");
  m.name = std::string(line.substr(0, end));
  if (!m.build_id.empty() && m.build_id.back() == '.') m.build_id.pop_back();
  m.symbols = m.debuginfo = "unknown";
  return m;
}

// "Process 10164 (crashlab) of user 0 dumped core."
void parse_process_line(std::string_view line, Crash& c) {
  if (!starts_with(line, "Process ")) return;
  line.remove_prefix(8);
  const size_t sp = line.find(' ');
  if (auto pid = to_int64(line.substr(0, sp))) c.pid = *pid;
  const size_t open = line.find('('), close = line.rfind(") of user ");
  if (open != std::string_view::npos && close != std::string_view::npos && close > open) {
    c.comm = std::string(line.substr(open + 1, close - open - 1));
    std::string_view uid = line.substr(close + 10);
    if (auto u = to_int64(uid.substr(0, uid.find(' ')))) c.uid = *u;
  }
}

}  // namespace

CoreReport parse_journal_backtrace(std::string_view message, std::optional<int> signal) {
  CoreReport r;
  r.source = "journal";
  r.backend = "journal";
  std::string storage;
  Thread* current = nullptr;
  for (std::string_view raw : message_lines(message, storage)) {
    const std::string_view line = trim(raw);
    if (starts_with(line, "Stack trace of thread ")) {
      Thread t;
      if (auto tid = to_int64(trim(line.substr(22, line.size() - 23)))) t.tid = *tid;
      t.crashing = r.threads.empty();
      r.threads.push_back(std::move(t));
      current = &r.threads.back();
    } else if (auto f = parse_frame(line); f && current) {
      current->frames.push_back(std::move(*f));
    } else if (auto m = parse_module(line)) {
      r.modules.push_back(std::move(*m));
    } else if (starts_with(line, "ELF object binary architecture: ")) {
      r.crash.arch = std::string(line.substr(32));
    } else {
      parse_process_line(line, r.crash);
    }
  }
  if (!r.threads.empty()) r.crash.crashing_tid = r.threads.front().tid;
  r.limits.threads_total = static_cast<std::uint32_t>(r.threads.size());
  if (signal) r.crash.signal = signal, r.crash.signal_name = signal_name(*signal);
  r.signature = compute_signature(r);
  r.warnings.push_back({"from-journal", "backtrace copied from the systemd-coredump journal entry (no core file): "
                                        "no inlined frames, source lines or arguments"});
  return r;
}

}  // namespace crashsift::symbolize
