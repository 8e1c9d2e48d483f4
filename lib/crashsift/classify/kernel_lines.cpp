#include "crashsift/classify/kernel_lines.hpp"

#include "crashsift/core/text.hpp"

namespace crashsift::classify {

namespace {

std::optional<std::uint64_t> kb_field(std::string_view text, std::string_view key) {
  const size_t at = text.find(key);
  if (at == std::string_view::npos) return std::nullopt;
  std::string_view rest = text.substr(at + key.size());
  size_t n = 0;
  while (n < rest.size() && rest[n] >= '0' && rest[n] <= '9') ++n;
  std::uint64_t v = 0;
  if (!parse_uint64(rest.substr(0, n), v)) return std::nullopt;
  return v;
}

// "name[123]" at the start of text -> (name, 123, rest after "]: " or "] ").
bool split_comm_pid(std::string_view text, std::string& comm, std::int64_t& pid, std::string_view& rest) {
  const size_t open = text.find('[');
  if (open == std::string_view::npos || open == 0 || open > 64) return false;
  const size_t close = text.find(']', open);
  if (close == std::string_view::npos) return false;
  if (!parse_int64(text.substr(open + 1, close - open - 1), pid)) return false;
  comm = std::string(text.substr(0, open));
  rest = text.substr(close + 1);
  if (starts_with(rest, ":")) rest.remove_prefix(1);
  rest = trim(rest);
  return true;
}

}  // namespace

std::optional<KernelOomKill> parse_oom_kill_line(std::string_view text) {
  // Match "Killed process (\d+) \((.*?)\)" and treat the rest as optional key:value pairs,
  // which covers 4.19's two-line form, 5.0-5.3 partial forms and the 5.4+ single line.
  const size_t at = text.find("Killed process ");
  if (at == std::string_view::npos) return std::nullopt;
  // "oom_reaper: reaped process" and "Tasks in ... are going to be killed" do not match here.
  std::string_view rest = text.substr(at + 15);
  const size_t sp = rest.find(' ');
  KernelOomKill k;
  if (sp == std::string_view::npos || !parse_int64(rest.substr(0, sp), k.pid)) return std::nullopt;
  const size_t open = rest.find('(', sp);
  const size_t close = open == std::string_view::npos ? open : rest.find(')', open);
  if (open == std::string_view::npos || close == std::string_view::npos) return std::nullopt;
  k.comm = std::string(rest.substr(open + 1, close - open - 1));
  k.memcg = contains(text.substr(0, at), "Memory cgroup");
  k.anon_rss_kb = kb_field(rest, "anon-rss:");
  k.total_vm_kb = kb_field(rest, "total-vm:");
  return k;
}

std::optional<KernelFault> parse_fault_line(std::string_view text) {
  KernelFault f;
  std::string_view rest;
  if (starts_with(text, "traps: ")) text.remove_prefix(7);
  if (!split_comm_pid(text, f.comm, f.tid, rest)) return std::nullopt;
  if (starts_with(rest, "segfault at ")) {
    f.kind = "segfault";
    std::string_view addr = rest.substr(12);
    addr = addr.substr(0, addr.find(' '));
    std::uint64_t a = 0;
    bool ok = !addr.empty();
    for (char c : addr) {
      int d = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
      if (d < 0) { ok = false; break; }
      a = a * 16 + static_cast<std::uint64_t>(d);
    }
    if (ok) f.address = a;
    return f;
  }
  for (std::string_view kind : {"trap ", "general protection", "potentially unexpected fatal signal"}) {
    if (starts_with(rest, kind)) {
      const size_t ip = rest.find(" ip");
      f.kind = std::string(trim(rest.substr(0, ip)));
      return f;
    }
  }
  return std::nullopt;
}

bool is_oom_summary_line(std::string_view text) { return starts_with(text, "oom-kill:constraint="); }

std::optional<OomSummary> parse_oom_summary_line(std::string_view text) {
  if (!is_oom_summary_line(text)) return std::nullopt;
  OomSummary s;
  for (std::string_view part : split(text.substr(9), ',')) {
    if (starts_with(part, "task_memcg=")) s.task_memcg = std::string(part.substr(11));
    else if (starts_with(part, "pid=")) parse_int64(part.substr(4), s.pid);
  }
  if (s.pid == 0) return std::nullopt;
  return s;
}

std::optional<PastedKernelLine> kernel_text_in_paste(std::string_view line) {
  PastedKernelLine out;
  std::string_view t = trim(line);
  while (!t.empty() && (t.front() == '>' || t.front() == '`')) t = trim(t.substr(1));
  while (!t.empty() && t.back() == '`') t = trim(t.substr(0, t.size() - 1));
  // dmesg -x: "kern  :err   : "
  if (starts_with(t, "kern ")) {
    const size_t c2 = t.find(':', t.find(':') + 1);
    if (c2 != std::string_view::npos && c2 < 20) t = trim(t.substr(c2 + 1));
  }
  if (t.size() > 3 && t[0] == '<' && t[2] == '>') t = t.substr(3);  // "<3>" printk level
  if (!t.empty() && t.front() == '[') {
    const size_t close = t.find(']');
    if (close == std::string_view::npos || close > 40) return std::nullopt;
    const std::string_view stamp = trim(t.substr(1, close - 1));
    const size_t dot = stamp.find('.');
    std::uint64_t secs = 0, frac = 0;
    if (dot != std::string_view::npos && parse_uint64(stamp.substr(0, dot), secs) &&
        parse_uint64(stamp.substr(dot + 1), frac)) {
      std::string_view f = stamp.substr(dot + 1);
      std::uint64_t usec = frac;
      for (size_t n = f.size(); n < 6; ++n) usec *= 10;
      for (size_t n = f.size(); n > 6; --n) usec /= 10;
      out.monotonic_usec = secs * 1000000 + usec;
    }
    t = trim(t.substr(close + 1));
  } else if (const size_t k = t.find(" kernel: "); k != std::string_view::npos && k < 64) {
    t = trim(t.substr(k + 9));  // syslog: "Mar  5 10:11:12 host kernel: ..."
    if (!t.empty() && t.front() == '[') {
      const size_t close = t.find(']');
      if (close != std::string_view::npos && close < 20) t = trim(t.substr(close + 1));
    }
  }
  if (!is_oom_summary_line(t) && !parse_oom_kill_line(t) && !parse_fault_line(t)) return std::nullopt;
  out.text = t;
  return out;
}

}  // namespace crashsift::classify
