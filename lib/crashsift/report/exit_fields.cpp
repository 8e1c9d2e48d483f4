#include "crashsift/report/exit_fields.hpp"

#include "crashsift/core/time.hpp"

namespace crashsift::report {

namespace {

std::string_view without_trailing_newlines(std::string_view s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> exit_fields(const classify::Exit& x) {
  auto number = [](const auto& v) { return v ? std::to_string(*v) : std::string(); };
  return {{"CRASHSIFT_EXIT_ID", classify::exit_id(x)},
          {"CRASHSIFT_UNIT", x.unit},
          {"CRASHSIFT_CLASS", std::string(classify::to_string(x.cls))},
          {"CRASHSIFT_CAUSE", x.cause},
          {"CRASHSIFT_REASON", x.reason},
          {"CRASHSIFT_PID", number(x.pid)},
          {"CRASHSIFT_PROCESS", x.process_name},
          {"CRASHSIFT_CODE", number(x.code)},
          {"CRASHSIFT_SIGNAL", x.signal},
          {"CRASHSIFT_HOST", x.hostname},
          {"CRASHSIFT_BOOT_ID", x.boot_id},
          {"CRASHSIFT_EXITED_AT", x.exited_at ? format_rfc3339_utc(*x.exited_at) : std::string()}};
}

std::vector<std::string> exit_journal_entry(const classify::Exit& x, std::string_view message, std::string_view json) {
  std::vector<std::string> entry;
  entry.push_back("MESSAGE=" + std::string(without_trailing_newlines(message)));
  entry.push_back("MESSAGE_ID=" + std::string(exit_message_id));
  // A failure is worth a warning, as systemd's own "Failed with result" line is.
  entry.push_back(std::string("PRIORITY=") + (x.cls == classify::ExitClass::clean ? "6" : "4"));
  entry.push_back("SYSLOG_IDENTIFIER=crashsift");
  for (auto& [name, value] : exit_fields(x))
    if (!value.empty()) entry.push_back(name + "=" + value);
  entry.push_back("CRASHSIFT_JSON=" + std::string(without_trailing_newlines(json)));
  return entry;
}

}  // namespace crashsift::report
