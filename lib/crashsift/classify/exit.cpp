#include "crashsift/classify/exit.hpp"

namespace crashsift::classify {

std::string exit_id(const Exit& x) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  auto mix = [&h](std::string_view part) {
    for (const char c : part) {
      h ^= static_cast<unsigned char>(c);
      h *= 0x100000001b3ull;
    }
    h ^= 0x1f;  // a separator, so ("ab", "c") and ("a", "bc") differ
    h *= 0x100000001b3ull;
  };
  mix(x.hostname);
  mix(x.boot_id);
  mix(x.unit);
  // A PID learnt from the coredump entry can come after the exit was written (watch): it would
  // change the id of the same death.
  const bool pid_recorded = x.pid && x.pid_source != "coredump";
  mix(pid_recorded ? std::to_string(*x.pid) : std::string());
  mix(x.exited_at ? std::to_string(*x.exited_at) : std::string());
  static const char digits[] = "0123456789abcdef";
  std::string id(16, '0');
  for (int i = 15; i >= 0; --i, h >>= 4) id[static_cast<size_t>(i)] = digits[h & 15];
  return id;
}

std::string_view to_string(ExitClass c) {
  switch (c) {
    case ExitClass::clean: return "clean";
    case ExitClass::self_exit: return "self-exit";
    case ExitClass::segfault: return "segfault";
    case ExitClass::oom: return "oom";
    case ExitClass::watchdog: return "watchdog";
    case ExitClass::timeout: return "timeout";
    case ExitClass::killed: return "killed";
    case ExitClass::unknown: return "unknown";
  }
  return "unknown";
}

std::string_view to_string(OomKind k) {
  switch (k) {
    case OomKind::none: return "";
    case OomKind::kernel: return "kernel";
    case OomKind::cgroup: return "cgroup";
    case OomKind::oomd: return "oomd";
    case OomKind::runtime_heap: return "runtime-heap";
  }
  return "";
}

std::string_view to_string(Confidence c) {
  return c == Confidence::confirmed ? "confirmed" : "inferred";
}

const std::vector<ExitClass>& all_exit_classes() {
  static const std::vector<ExitClass> all = {ExitClass::clean,    ExitClass::self_exit,
                                             ExitClass::segfault, ExitClass::oom,
                                             ExitClass::watchdog, ExitClass::timeout,
                                             ExitClass::killed,   ExitClass::unknown};
  return all;
}

std::optional<ExitClass> exit_class_from_string(std::string_view s) {
  for (ExitClass c : all_exit_classes())
    if (to_string(c) == s) return c;
  return std::nullopt;
}

std::optional<double> Exit::uptime_s() const {
  if (!started_at || !exited_at || *exited_at < *started_at) return std::nullopt;
  return static_cast<double>(*exited_at - *started_at) / 1e6;
}

bool is_crash_signal(std::string_view signal) {
  for (std::string_view s : {"SEGV", "BUS", "ILL", "FPE", "TRAP", "SYS", "ABRT"})
    if (signal == s) return true;
  return false;
}

}  // namespace crashsift::classify
