#include "journal_sender.hpp"

#include <sys/uio.h>
#include <unistd.h>
// The entries are ours, not a place in our source: no CODE_FILE= with the build's paths.
#define SD_JOURNAL_SUPPRESS_LOCATION
#include <systemd/sd-journal.h>

#include <cstring>

namespace crashsift::tool {

std::string journal_unavailable() {
  // sd_journal_sendv() reports success when the socket is missing (no journald: a container,
  // a chroot), so entries would vanish; look first.
  if (access("/run/systemd/journal/socket", F_OK) == 0) return {};
  return std::string("no journald socket at /run/systemd/journal/socket: ") + std::strerror(errno);
}

std::string send_journal_entry(const std::vector<std::string>& fields) {
  std::vector<iovec> parts;
  parts.reserve(fields.size());
  for (const auto& f : fields) parts.push_back({const_cast<char*>(f.data()), f.size()});
  const int r = sd_journal_sendv(parts.data(), static_cast<int>(parts.size()));
  if (r >= 0) return {};
  return std::strerror(-r);
}

}  // namespace crashsift::tool
