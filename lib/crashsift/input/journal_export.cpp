// `journalctl -o export` (formats.md §6.4): NAME=value lines, or for values that are not
// printable single-line text, NAME + LF + 64-bit little-endian length + raw bytes + LF.
// An empty line ends an entry. Never split entries on "\n\n": a binary value may contain it.
#include <cstring>

#include "crashsift/core/text.hpp"
#include "crashsift/input/journal_fields.hpp"
#include "crashsift/input/parser.hpp"

namespace crashsift::input {
namespace {

bool valid_field_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name)
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return true;
}

class ExportParser final : public FormatParser {
 public:
  std::string_view name() const override { return "export"; }

  // Export output starts with __CURSOR= (journalctl) or, for hand-fed streams accepted by
  // systemd-journal-remote, with any FIELD=value line; require a known metadata field early.
  bool probe(std::string_view head) const override {
    if (starts_with(head, "__CURSOR=") || starts_with(head, "__REALTIME_TIMESTAMP=")) return true;
    const size_t nl = head.find('\n');
    const std::string_view first = head.substr(0, nl);
    const size_t eq = first.find('=');
    return eq != std::string_view::npos && valid_field_name(first.substr(0, eq)) &&
           contains(head.substr(0, 4096), "\n__REALTIME_TIMESTAMP=");
  }

  void parse(LineReader& reader, const ParseOptions& options, InputReport& report,
             const EventSink& sink) const override {
    Event event;
    bool in_entry = false;
    Line line;
    while (reader.next(line)) {
      if (line.overlong) {
        report.skip(line.number, "field longer than --max-line (" + std::to_string(line.overlong_size) + " bytes)");
        continue;
      }
      if (line.text.empty()) {
        if (in_entry) emit(event, report, sink);
        in_entry = false;
        continue;
      }
      if (!in_entry) {
        event.clear();
        event.origin.input = options.input_index;
        event.origin.line = line.number;
        in_entry = true;
      }
      const size_t eq = line.text.find('=');
      if (eq != std::string_view::npos) {
        apply_journal_field(event, line.text.substr(0, eq), line.text.substr(eq + 1));
        continue;
      }
      if (!valid_field_name(line.text)) {
        report.skip(line.number, "not an export field line");
        resync(reader, report);
        in_entry = false;
        continue;
      }
      const std::string field_name(line.text);
      if (!read_binary_field(reader, options, report, event, field_name, line.number)) {
        resync(reader, report);
        in_entry = false;
      }
    }
    if (in_entry) emit(event, report, sink);  // a file cut after the last field
  }

 private:
  static void emit(Event& event, InputReport& report, const EventSink& sink) {
    ++report.entries;
    if (event.time) report.saw_time(*event.time);
    sink(event);
  }

  // Binary form: 8-byte little-endian length, the bytes, then LF.
  static bool read_binary_field(LineReader& reader, const ParseOptions& options, InputReport& report,
                                Event& event, const std::string& name, std::uint64_t line_no) {
    std::string_view raw;
    bool overlong = false;
    if (!reader.read_exact(8, raw, overlong)) {
      report.skip(line_no, "export entry cut short in the length of field " + name);
      return false;
    }
    std::uint64_t len = 0;
    for (int i = 7; i >= 0; --i) len = (len << 8) | static_cast<unsigned char>(raw[static_cast<size_t>(i)]);
    if (len > options.max_line) {
      // A wrong length prefix would swallow the rest of the file: resynchronize instead.
      report.skip(line_no, "export field " + name + " has an implausible length prefix (" + std::to_string(len) + ")");
      return false;
    }
    std::string_view value;
    if (!reader.read_exact(static_cast<size_t>(len), value, overlong)) {
      report.skip(line_no, "export entry cut short inside field " + name);
      return false;
    }
    std::string copy(value);  // the next read may move the buffer
    std::string_view nl;
    if (!reader.read_exact(1, nl, overlong) || nl != "\n") {
      report.skip(line_no, "export field " + name + " has a wrong length prefix (no newline after " +
                               std::to_string(len) + " bytes)");
      return false;
    }
    // Line numbers stay meaningful for the text fields after a binary value.
    for (char c : copy)
      if (c == '\n') reader.count_line();
    reader.count_line();
    apply_journal_field(event, name, copy);
    return true;
  }

  // Skips to the end of the current entry (the next empty line).
  static void resync(LineReader& reader, InputReport& report) {
    Line line;
    std::uint64_t dropped = 0;
    while (reader.next(line)) {
      if (!line.overlong && line.text.empty()) break;
      ++dropped;
    }
    if (dropped > 0) report.note("skipped the rest of damaged export entries to resynchronize");
  }
};

}  // namespace

const FormatParser& export_format() {
  static const ExportParser parser;
  return parser;
}

}  // namespace crashsift::input
