#include "crashsift/report/core_format.hpp"

#include "crashsift/core/text.hpp"
#include "crashsift/core/time.hpp"
#include "crashsift/symbolize/core_json.hpp"

namespace crashsift::report {

using namespace crashsift::symbolize;
namespace {

std::string location(const std::string& file, std::optional<std::uint32_t> line, std::optional<std::uint32_t> col) {
  if (file.empty()) return {};
  std::string s = file;
  if (line) s += ":" + std::to_string(*line);
  if (line && col) s += ":" + std::to_string(*col);
  return s;
}

std::string module_part(const Frame& f) {
  if (f.module.empty()) return "?";
  return f.module + (f.module_offset ? "+" + hex_offset(*f.module_offset) : "");
}

std::string number_prefix(std::uint32_t index) {
  std::string n = "#" + std::to_string(index);
  if (n.size() < 4) n.append(4 - n.size(), ' ');
  return n;
}

// "#0  pc mod+off function file:line:col [tag]", leaving out what is unknown.
std::string line_for(std::uint32_t index, const Frame& f, const std::string& function, const std::string& where,
                     const std::string& tag) {
  std::string s = number_prefix(index) + hex_address(f.pc) + " " + module_part(f) + " " +
                  (function.empty() ? "??" : function);
  if (!where.empty()) s += " " + where;
  return s + " [" + tag + "]";
}

std::string size_text(const CoreReport& r) {
  std::string s;
  if (r.file_size) s = format_bytes(*r.file_size);
  if (!r.compression.empty()) s += ", " + r.compression;
  if (r.apparent_size && r.apparent_size != r.file_size) s += ", " + format_bytes(*r.apparent_size) + " decompressed";
  return s;
}

std::string crash_line(const Crash& c) {
  std::string s = c.signal_name.empty() ? "unknown signal" : c.signal_name;
  if (c.signal) s += " (" + std::to_string(*c.signal) + ")";
  if (!c.si_code_name.empty()) s += " " + c.si_code_name;
  if (c.fault_address) s += " at " + hex_address(*c.fault_address);
  if (!c.fault_hint.empty()) s += ": " + c.fault_hint;
  if (c.sender_pid && *c.sender_pid > 0)
    s += c.pid && *c.sender_pid == *c.pid ? " (raised by the process itself)"
                                          : " (sent by pid " + std::to_string(*c.sender_pid) + ")";
  return s;
}

std::string process_line(const Crash& c) {
  std::string s;
  auto add = [&](const std::string& part) { s += (s.empty() ? "" : ", ") + part; };
  if (c.pid) add("pid " + std::to_string(*c.pid));
  if (c.crashing_tid) add("crashing thread " + std::to_string(*c.crashing_tid));
  if (!c.comm.empty()) add("comm " + c.comm);
  if (c.uid) add("uid " + std::to_string(*c.uid));
  if (!c.arch.empty()) add(c.arch);
  return s;
}

void header_text(const CoreReport& r, std::string& out) {
  const Crash& c = r.crash;
  out += (r.source == "journal" ? "Backtrace from the journal" : "Core: " + r.path);
  if (r.source != "journal" && !size_text(r).empty()) out += " (" + size_text(r) + ")";
  out += "\nCrash: " + crash_line(c) + "\n";
  if (!process_line(c).empty()) out += "Process: " + process_line(c) + "\n";
  if (!c.cmdline.empty()) out += "Command line: " + c.cmdline + "\n";
  if (!c.exe.empty()) out += "Executable: " + c.exe + "\n";
  if (c.time_usec) out += "Time: " + format_rfc3339_utc(*c.time_usec) + " (" + c.time_source + ")\n";
  if (c.uptime_sec) out += "Uptime: " + std::to_string(*c.uptime_sec) + " s\n";
  if (r.signature)
    out += "Signature: " + r.signature->hash + "  " + r.signature->text +
           (r.signature->symbolized ? "" : "  (unsymbolized: groups this build only)") + "\n";
  else
    out += "Signature: none (no usable frames in the crashing thread)\n";
  if (!r.complete) out += "Result: PARTIAL (see warnings)\n";
}

void thread_text(const Thread& t, std::string& out) {
  out += "\nThread " + std::to_string(t.tid) + (t.crashing ? " (crashing)" : "") + ":\n";
  for (const auto& f : t.frames) out += format_frame_line(f) + "\n";
  if (t.frames.empty()) out += "    (no frames)\n";
  if (!t.error.empty()) out += "    (unwinding stopped: " + t.error + ")\n";
  if (t.truncated) out += "    ... more frames not shown (--max-frames)\n";
}

std::string module_text(const Module& m) {
  std::string s = "  " + hex_address(m.load_address) + "-" + hex_address(m.end_address) + " " + m.name + "\n";
  s += "      build-id: " + (m.build_id.empty() ? std::string("none") : m.build_id) + "\n";
  s += "      file: " + (m.elf_path.empty() ? std::string(m.found_by == "core-memory" ? "(from core memory)" : "NOT FOUND")
                                          : m.elf_path + " (" + m.found_by + ")") + "\n";
  s += "      symbols: " + (m.symbols.empty() ? std::string("none") : m.symbols) + ", debug info: " + m.debuginfo;
  if (!m.debuginfo_path.empty() && m.debuginfo == "separate")
    s += " " + m.debuginfo_path + " (" + m.debuginfo_found_by + ")";
  return s + "\n";
}

}  // namespace

std::string format_frame_line(const Frame& f) {
  std::string s;
  for (const auto& i : f.inlined)
    s += line_for(f.index, f, i.function, location(i.file, i.line, i.column), "inlined") + "\n";
  return s + line_for(f.index, f, f.function, location(f.file, f.line, f.column), trust_name(f.trust));
}

std::string format_core_text(const CoreReport& r, const CoreFormatOptions& opt) {
  std::string out;
  header_text(r, out);
  for (const auto& t : r.threads)
    if (opt.all_threads || t.crashing) thread_text(t, out);
  if (r.threads.empty()) out += "\nNo threads could be unwound.\n";
  if (opt.modules && !r.modules.empty()) {
    out += "\nModules:\n";
    for (const auto& m : r.modules) out += module_text(m);
  }
  if (!r.warnings.empty()) {
    out += "\nWarnings:\n";
    for (const auto& w : r.warnings) out += "  " + w.code + ": " + w.message + "\n";
  }
  return out;
}

namespace {

std::string md_escape(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (c == '|' || c == '`' || c == '*' || c == '_' || c == '<' || c == '>') o += '\\';
    o += c;
  }
  return o;
}

void md_thread(const Thread& t, std::string& out) {
  out += "\n### Thread " + std::to_string(t.tid) + (t.crashing ? " (crashing)" : "") + "\n\n```\n";
  for (const auto& f : t.frames) out += format_frame_line(f) + "\n";
  if (t.truncated) out += "... more frames not shown\n";
  if (!t.error.empty()) out += "(unwinding stopped: " + t.error + ")\n";
  out += "```\n";
}

}  // namespace

std::string format_core_markdown(const CoreReport& r, const CoreFormatOptions& opt) {
  const Crash& c = r.crash;
  std::string out = "## Crash: " + md_escape(crash_line(c)) + "\n\n";
  out += "| | |\n|---|---|\n";
  auto row = [&](const std::string& k, const std::string& v) {
    if (!v.empty()) out += "| " + k + " | " + md_escape(v) + " |\n";
  };
  row("Core", r.source == "journal" ? "(journal backtrace)" : r.path);
  row("Process", process_line(c));
  row("Command line", c.cmdline);
  row("Executable", c.exe);
  if (c.time_usec) row("Time", format_rfc3339_utc(*c.time_usec) + " (" + c.time_source + ")");
  row("Signature", r.signature ? r.signature->hash + " " + r.signature->text : "none");
  if (!r.complete) row("Result", "partial (see warnings)");
  for (const auto& t : r.threads)
    if (opt.all_threads || t.crashing) md_thread(t, out);
  if (opt.modules && !r.modules.empty()) {
    out += "\n### Modules\n\n| Module | Build-id | Load address | File | Symbols | Debug info |\n|---|---|---|---|---|---|\n";
    for (const auto& m : r.modules)
      out += "| " + md_escape(m.name) + " | " + (m.build_id.empty() ? "-" : m.build_id) + " | " + hex_address(m.load_address) +
             " | " + (m.elf_path.empty() ? "not found" : md_escape(m.elf_path)) + " | " + m.symbols + " | " +
             m.debuginfo + (m.debuginfo == "separate" ? " " + md_escape(m.debuginfo_path) : "") + " |\n";
  }
  if (!r.warnings.empty()) {
    out += "\n### Warnings\n\n";
    for (const auto& w : r.warnings) out += "- **" + w.code + "**: " + md_escape(w.message) + "\n";
  }
  return out;
}

}  // namespace crashsift::report
