#pragma once
// Core dumps for crash exits, in this order: the file systemd-coredump's journal entry names
// (when it is still there), a core of --cores matched by PID (or command name and time), and
// systemd-coredump's own backtrace text from the journal.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "crashsift/classify/exit.hpp"
#include "crashsift/core/diag.hpp"
#include "crashsift/report/core_attachment.hpp"
#include "crashsift/symbolize/symbolize.hpp"

namespace crashsift::pipeline {

class ExitCores {
 public:
  ExitCores(std::vector<std::string> core_dirs, symbolize::CoreRequest settings)
      : core_dirs_(std::move(core_dirs)), settings_(std::move(settings)) {}

  // out: (index into exits, attachment) for the crash exits that have a core or backtrace.
  // The --cores directories are read at the first call; exits take them in time order (batch
  // by batch when they are streamed), each core going to one exit.
  void attach(const std::vector<classify::Exit>& exits, std::vector<std::pair<size_t, report::CoreAttachment>>& out);

  // A --cores directory that could not be read.
  std::vector<Warning>& warnings() { return warnings_; }

 private:
  std::vector<symbolize::CoreIdentity> scan_core_dirs();
  std::optional<report::CoreAttachment> symbolize_for(const std::string& path, const std::string& how,
                                                      const classify::Exit& x) const;

  std::vector<std::string> core_dirs_;
  symbolize::CoreRequest settings_;
  std::optional<std::vector<symbolize::CoreIdentity>> core_files_;
  std::vector<bool> used_;
  std::vector<Warning> warnings_;
};

}  // namespace crashsift::pipeline
