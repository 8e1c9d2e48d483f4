// libFuzzer target for the core reader's bounded parts: ELF header, program headers, PT_NOTE
// walking (NT_PRSTATUS, NT_PRPSINFO, NT_SIGINFO, NT_FILE, NT_AUXV), the executable's build-id
// lookup, the crash header and the JSON round trip. libdwfl is not fuzzed here (it runs
// isolated in a child process for exactly that reason).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "crashsift/symbolize/core_json.hpp"
#include "crashsift/symbolize/core_notes.hpp"
#include "crashsift/symbolize/core_reader.hpp"
#include "crashsift/symbolize/journal_backtrace.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace sym = crashsift::symbolize;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  sym::MemoryCoreBytes mem(bytes);
  auto notes = sym::parse_core_notes(mem);
  if (notes) {
    sym::CoreReport r;
    sym::fill_header(*notes, r);
    for (const auto& f : notes->files) (void)sym::build_id_at(mem, *notes, f.start);
    (void)sym::core_report_from_json(sym::to_json_string(r));
  }
  (void)sym::parse_journal_backtrace(bytes.substr(0, 1 << 16));
  return 0;
}
