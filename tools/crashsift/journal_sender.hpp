#pragma once
// Writes structured entries to the local journal (sd_journal_sendv): `watch --format journal`.
#include <string>
#include <vector>

namespace crashsift::tool {

// "" when journald listens on this host, else why it cannot take entries.
std::string journal_unavailable();

// KEY=value strings, one entry. "" when journald took it, else why not.
std::string send_journal_entry(const std::vector<std::string>& fields);

}  // namespace crashsift::tool
