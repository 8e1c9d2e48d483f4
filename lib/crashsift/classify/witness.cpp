#include "crashsift/classify/witness.hpp"

#include <cctype>

#include "crashsift/classify/systemd_lines.hpp"
#include "crashsift/core/text.hpp"

namespace crashsift::classify {

std::string signal_from_text(std::string_view s) {
  s = trim(s);
  if (starts_with(s, "SIG")) s.remove_prefix(3);
  static constexpr std::pair<std::string_view, std::string_view> words[] = {
      {"Segmentation fault", "SEGV"}, {"segmentation fault", "SEGV"}, {"Aborted", "ABRT"},
      {"abort", "ABRT"},             {"Illegal instruction", "ILL"}, {"illegal hardware instruction", "ILL"},
      {"Bus error", "BUS"},          {"bus error", "BUS"},          {"Floating point exception", "FPE"},
      {"floating point exception", "FPE"}, {"Killed", "KILL"},      {"killed", "KILL"},
      {"Terminated", "TERM"},        {"terminated", "TERM"},        {"Trace/breakpoint trap", "TRAP"},
      {"trace trap", "TRAP"},        {"Bad system call", "SYS"},    {"Hangup", "HUP"},
      {"Interrupt", "INT"},          {"Quit", "QUIT"}};
  for (const auto& [word, sig] : words)
    if (starts_with(s, word)) return std::string(sig);
  std::int64_t n = 0;
  if (parse_int64(s, n) && n > 0 && n < 65) return signal_name(static_cast<int>(n));
  static constexpr std::string_view names[] = {"SEGV", "ABRT", "ILL", "BUS", "FPE", "KILL", "TERM", "TRAP",
                                               "SYS",  "HUP",  "INT", "QUIT", "PIPE", "USR1", "USR2", "IOT"};
  for (auto n2 : names)
    if (starts_with(s, n2) && (s.size() == n2.size() || !std::isalnum(static_cast<unsigned char>(s[n2.size()]))))
      return n2 == "IOT" ? "ABRT" : std::string(n2);
  return {};
}

std::string_view strip_paste_wrapping(std::string_view s) {
  s = trim(s);
  while (!s.empty() && s.front() == '>') s = trim(s.substr(1));
  if (s.size() >= 2 && s.front() == '`' && s.back() == '`') s = trim(s.substr(1, s.size() - 2));
  return s;
}


}  // namespace crashsift::classify
