// `journalctl -o cat`: the MESSAGE bytes and nothing else, one line each (formats.md §6.1).
// There is no time, PID, identifier, unit or boot to recover, so each line becomes an event
// with only a message and its line number; a multi-line MESSAGE cannot be told from several
// entries. This is the last resort of detection: any text is valid cat output.
#include "crashsift/input/parser.hpp"
#include "crashsift/input/text_forms.hpp"

namespace crashsift::input {
namespace {

// NUL and other C0 controls (but tab, ESC for colours, CR) do not occur in text logs.
bool has_control_bytes(std::string_view s) {
  for (unsigned char c : s)
    if (c < 0x20 && c != '\t' && c != 0x1b && c != '\r') return true;
  return false;
}

class CatFormat final : public FormatParser {
 public:
  std::string_view name() const override { return "cat"; }
  bool probe(std::string_view head) const override { return !text::looks_binary(head); }
  void parse(LineReader& reader, const ParseOptions& options, InputReport& report,
             const EventSink& sink) const override {
    text::guarded(report, name(), [&] {
      text::Emitter out(options, report, sink);
      report.note("cat: -o cat carries no timestamps, PIDs or units, so exits can only be listed "
                  "in order, not timed or matched to other inputs");
      Event ev;
      Line line;
      std::uint64_t no_entries = 0, binary_lines = 0, lines = 0;
      while (reader.next(line)) {
        if (std::string why = text::overlong_check(line, options.max_line); !why.empty()) {
          report.skip(line.number, std::move(why));
          continue;
        }
        const std::string_view s = text::chomp_cr(line.text);
        // Empty lines: journald drops empty stdout lines, so these are blank MESSAGEs or
        // spacing added by whoever saved the file; neither tells anything.
        if (text::is_blank(s)) continue;
        ++lines;
        // journalctl's own answer that the query matched nothing: not a message of the log.
        if (s == "-- No entries --") {
          ++no_entries;
          continue;
        }
        if (has_control_bytes(s)) ++binary_lines;
        ev.clear();
        ev.origin.line = line.number;
        ev.time_has_usec = false;
        // "systemd[1]: app.service: Main process exited, ..." pasted without timestamps: the
        // tag still says who wrote the line.
        std::string_view ident, message;
        std::int64_t pid = 0;
        if (text::split_untimed_tag(text::strip_backticks(s), ident, pid, message)) {
          ev.identifier.assign(ident);
          ev.pid = pid;
          ev.message.assign(message);
        } else {
          ev.message.assign(s);
        }
        out.emit(ev);
      }
      if (no_entries) {
        report.note("journalctl printed \"-- No entries --\": the query that made this file matched nothing");
        if (report.entries == 0) report.empty_but_valid = true;
      }
      if (binary_lines * 4 > lines)
        report.note("cat: " + std::to_string(binary_lines) + " of " + std::to_string(lines) +
                    " lines hold control bytes: this may be binary data or a damaged file, not a log");
    });
  }
};

}  // namespace

const FormatParser& cat_format() {
  static const CatFormat f;
  return f;
}

}  // namespace crashsift::input
