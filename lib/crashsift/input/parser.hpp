#pragma once
// The contract every input format implements: a cheap "not mine" probe over the first bytes,
// and a streaming parse that turns records into Events and counts what it had to skip.
// One format per file (journal_export.cpp, journal_json.cpp, journal_text.cpp, ...); the
// registry in sniff.cpp lists them in probe order.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crashsift/core/diag.hpp"
#include "crashsift/core/event.hpp"
#include "crashsift/core/time.hpp"
#include "crashsift/input/line_reader.hpp"

namespace crashsift::input {

struct ParseOptions {
  size_t max_line = default_max_line;
  std::uint32_t input_index = 0;
  Zone zone;                               // for text timestamps without an offset
  std::optional<int> year;                 // --year for yearless `short` timestamps
  std::optional<UsecUtc> reference_time;   // file mtime: yearless timestamps end before it
  std::optional<UsecUtc> kernel_boot_time; // realtime of boot, to place dmesg [seconds] stamps
  // Native journals: after libsystemd read a file without error, check every object against the
  // format and every payload against its hash (--verify), which libsystemd does not do.
  bool verify_journals = false;
  // Native journals: find the exits through the files' field index (sd-journal matches) and
  // read only the output lines around them; false reads every entry (--native-read scan).
  bool native_by_index = true;
  // Threads for line-oriented formats that parse blocks in parallel (journal json): 1 = this
  // thread only. block_bytes: how much input each parallel job parses. A block's events are
  // read on the other core: 256 KiB blocks (about 300 entries) stay in the caches between the
  // two (1 GiB export at -j2: 0.75 s against 0.79 s with 1 MiB and 1.20 s with 4 MiB).
  unsigned jobs = 1;
  size_t block_bytes = 256u << 10;
};

class FormatParser {
 public:
  virtual ~FormatParser() = default;
  virtual std::string_view name() const = 0;
  // True when `head` (the first bytes of the decompressed input) looks like this format.
  virtual bool probe(std::string_view head) const = 0;
  // Streams the whole input. Never throws; records that cannot be used are counted in report.
  virtual void parse(LineReader& reader, const ParseOptions& options, InputReport& report,
                     const EventSink& sink) const = 0;
};

// All text-stream formats in probe order (most specific first).
const std::vector<const FormatParser*>& stream_formats();
const FormatParser* find_format(std::string_view name);
// Picks the first parser whose probe accepts head; nullptr when none does.
const FormatParser* detect_format(std::string_view head);
// Names accepted by --input-format (including "journal" for native files).
std::vector<std::string> format_names();

// The parsers, each defined in its own file.
const FormatParser& export_format();
const FormatParser& json_format();        // -o json and -o json-seq (and json-sse)
const FormatParser& verbose_format();
const FormatParser& short_format();       // the whole short family, with-unit, pasted excerpts
const FormatParser& kernel_format();      // dmesg, dmesg -T, dmesg -x, /dev/kmsg records
const FormatParser& cat_format();         // -o cat: messages only, nothing else is knowable

}  // namespace crashsift::input
