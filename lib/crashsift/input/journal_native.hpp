#pragma once
// Native journal files (*.journal, *.journal~), journal directories and the local system
// journal, read through libsystemd's sd-journal API. Not a FormatParser: sd-journal needs
// files (it maps them), not a byte stream.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crashsift/core/diag.hpp"
#include "crashsift/core/event.hpp"
#include "crashsift/input/parser.hpp"

namespace crashsift::input {

struct NativeSource {
  enum class Kind { local, directory, files } kind = Kind::local;
  std::string directory;
  std::vector<std::string> files;
  // Exact unit names: read only their entries through indexed matches (fast on big journals).
  // Empty = every entry.
  std::vector<std::string> units;
  std::optional<UsecUtc> since;
};

// "LPKSHHRH": the journal file header signature.
bool looks_like_native_journal(std::string_view head);

void read_native_journal(const NativeSource& source, const ParseOptions& options, InputReport& report,
                         const EventSink& sink);

}  // namespace crashsift::input
