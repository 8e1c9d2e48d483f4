#include "crashsift/pipeline/exit_cores.hpp"

#include <cstdlib>
#include <filesystem>

#include "crashsift/classify/rules.hpp"
#include "crashsift/pipeline/core_attachment.hpp"
#include "crashsift/symbolize/journal_backtrace.hpp"

namespace crashsift::pipeline {

namespace fs = std::filesystem;

namespace {

// A core belongs to an exit by PID (and boot, when both are known) near the exit time; else by
// command name and time (a container's PID namespace differs from the host's).
const symbolize::CoreIdentity* match_core(const classify::Exit& x, const std::vector<symbolize::CoreIdentity>& cores,
                                          std::vector<bool>& used, std::string& how) {
  constexpr std::int64_t hour = 3600 * usec_per_sec, minutes = 2 * 60 * usec_per_sec;
  // A file's mtime says when it was written or copied, not when the process crashed: only a
  // time from systemd-coredump's file name constrains the match.
  auto near = [&](const symbolize::CoreIdentity& c, std::int64_t tolerance) {
    if (c.time_source != "file-name") return true;
    return !c.time_usec || !x.exited_at || std::llabs(*c.time_usec - *x.exited_at) <= tolerance;
  };
  for (size_t i = 0; i < cores.size(); ++i) {
    const auto& c = cores[i];
    if (used[i] || !c.pid || !x.pid || *c.pid != *x.pid || !near(c, hour)) continue;
    if (!c.boot_id.empty() && !x.boot_id.empty() && c.boot_id != x.boot_id) continue;
    used[i] = true;
    how = "pid";
    return &c;
  }
  for (size_t i = 0; i < cores.size(); ++i) {
    const auto& c = cores[i];
    const std::string exe_base = c.exe.substr(c.exe.rfind('/') + 1);
    const bool same_name = classify::same_command(c.comm, x.process_name) || (!exe_base.empty() && exe_base == x.process_name);
    if (used[i] || !same_name || c.time_source != "file-name" || !near(c, minutes)) continue;
    used[i] = true;
    how = "command name and time";
    return &c;
  }
  return nullptr;
}

// When the core file is gone, systemd-coredump's own backtrace text is the next best thing.
std::optional<report::CoreAttachment> journal_backtrace(const classify::Exit& x) {
  if (x.coredump_message.find("Stack trace of thread") == std::string::npos) return std::nullopt;
  auto parsed = symbolize::parse_journal_backtrace(x.coredump_message, x.signal_number);
  if (parsed.threads.empty()) return std::nullopt;
  return make_core_attachment(parsed, "journal", "coredump journal entry");
}

}  // namespace

std::vector<symbolize::CoreIdentity> ExitCores::scan_core_dirs() {
  std::vector<symbolize::CoreIdentity> found;
  for (const auto& dir : core_dirs_) {
    std::error_code ec;
    fs::directory_iterator it(dir, ec), end;
    if (ec) {
      warnings_.push_back({"cores-unreadable", "--cores " + dir + ": " + ec.message()});
      continue;
    }
    for (; it != end; it.increment(ec)) {
      if (ec || !it->is_regular_file(ec)) continue;
      auto id = symbolize::read_core_identity(it->path().string());
      if (id.error.empty()) found.push_back(std::move(id));
    }
  }
  return found;
}

std::optional<report::CoreAttachment> ExitCores::symbolize_for(const std::string& path, const std::string& how,
                                                               const classify::Exit& x) const {
  symbolize::CoreRequest req = settings_;
  req.core_path = path;
  auto core = symbolize::symbolize_core(req);
  if (core) return make_core_attachment(*core, "core-file", how);
  auto fallback = journal_backtrace(x);
  if (fallback) fallback->error = core.error();
  else {
    report::CoreAttachment a;
    a.source = "core-file";
    a.path = path;
    a.matched_by = how;
    a.error = core.error();
    fallback = a;
  }
  return fallback;
}

void ExitCores::attach(const std::vector<classify::Exit>& exits, std::vector<std::pair<size_t, report::CoreAttachment>>& out) {
  if (!core_files_) {
    core_files_ = scan_core_dirs();
    used_.assign(core_files_->size(), false);
  }
  const auto& cores = *core_files_;
  auto& used = used_;
  out.clear();
  for (size_t i = 0; i < exits.size(); ++i) {
    const auto& x = exits[i];
    if (!classify::is_crash_signal(x.signal)) continue;
    std::string how;
    std::error_code ec;
    std::optional<report::CoreAttachment> attached;
    if (!x.coredump_filename.empty() && fs::exists(x.coredump_filename, ec)) {
      attached = symbolize_for(x.coredump_filename, "coredump journal entry", x);
    } else if (const auto* c = match_core(x, cores, used, how)) {
      attached = symbolize_for(c->path, how, x);
    } else {
      attached = journal_backtrace(x);
    }
    if (attached) out.emplace_back(i, std::move(*attached));
  }
}

}  // namespace crashsift::pipeline
