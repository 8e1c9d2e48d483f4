// `journalctl -o export` (formats.md §6.4): NAME=value lines, or for values that are not
// printable single-line text, NAME + LF + 64-bit little-endian length + raw bytes + LF.
// An empty line ends an entry. Never split entries on "\n\n": a binary value may contain it.
#include <algorithm>
#include <cstring>
#include <memory>
#include <vector>

#include "crashsift/core/byte_buffer.hpp"
#include "crashsift/core/reading_pool.hpp"
#include "crashsift/core/text.hpp"
#include "crashsift/input/byte_source.hpp"
#include "crashsift/input/journal_fields.hpp"
#include "crashsift/input/line_reader.hpp"
#include "crashsift/input/parser.hpp"

namespace crashsift::input {
namespace {

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
    return eq != std::string_view::npos && valid_journal_field_name(first.substr(0, eq)) &&
           contains(head.substr(0, 4096), "\n__REALTIME_TIMESTAMP=");
  }

  void parse(LineReader& reader, const ParseOptions& options, InputReport& report,
             const EventSink& sink) const override {
    if (options.jobs > 1) return parse_in_blocks(reader, options, report, sink);
    ToSink to_sink{report, sink, {}};
    parse_stream(reader, options, report, to_sink);
  }

 private:
  // Where parse_stream puts entries: entry() is the Event to fill for the next one, done()
  // takes it once whole. One thread hands each to the sink; a block keeps them in its vector
  // (filled in place: moving ~20 strings per entry into the block cost a tenth of the parse).
  struct ToSink {
    InputReport& report;
    const EventSink& sink;
    Event event;
    Event& entry() { return event; }
    void done() { emit(event, report, sink); }
  };

  // The whole form, one field line at a time. Returns false when the input ended inside a
  // binary field (a block cut there must be read again together with the next one).
  template <class Target>
  static bool parse_stream(LineReader& reader, const ParseOptions& options, InputReport& report, Target& target) {
    Event* event = nullptr;
    bool in_entry = false;
    bool whole = true;
    Line line;
    while (reader.next(line)) {
      if (line.overlong) {
        report.skip(line.number, "field longer than --max-line (" + std::to_string(line.overlong_size) + " bytes)");
        continue;
      }
      if (line.text.empty()) {
        if (in_entry) target.done();
        in_entry = false;
        continue;
      }
      if (!in_entry) {
        event = &target.entry();
        event->clear();
        event->origin.input = options.input_index;
        event->origin.line = line.number;
        in_entry = true;
      }
      const size_t eq = find_in_line(line.text, '=');
      if (eq != std::string_view::npos) {
        apply_journal_field(*event, line.text.substr(0, eq), line.text.substr(eq + 1));
        continue;
      }
      if (!valid_journal_field_name(line.text)) {
        report.skip(line.number, "not an export field line");
        resync(reader, report);
        in_entry = false;
        continue;
      }
      const std::string field_name(line.text);
      bool cut = false;
      if (!read_binary_field(reader, options, report, *event, field_name, line.number, cut)) {
        whole = whole && !cut;
        resync(reader, report);
        in_entry = false;
      }
    }
    if (in_entry) target.done();  // a file cut after the last field
    return whole;
  }

  // Blocks of about options.block_bytes, each ending in an empty line ("\n\n"), are parsed on
  // worker threads. An empty line is an entry boundary unless it lies inside a binary value: then
  // the block's parse ends inside that value, and the block is read again joined to the next.
  struct Block {
    ByteBuffer bytes;
    std::uint64_t newlines = 0;    // counted by the worker
    std::uint64_t first_line = 1;  // the input's line number of the block's first line (set in order)
    std::vector<Event> events;
    size_t n_events = 0;
    InputReport report;
    bool whole = true;
  };

  static constexpr size_t slot_message_bytes = 4096;

  // A block's entries, each parsed into the block's next slot (the slots' strings keep their
  // capacity from block to block).
  struct ToBlock {
    Block& b;
    Event& entry() {
      if (b.n_events == b.events.size()) b.events.emplace_back();
      return b.events[b.n_events];
    }
    void done() { ++b.n_events; }
  };

  static void parse_block(Block& b, const ParseOptions& options) {
    LineReader reader(LineReader::InPlace{}, b.bytes.view(), options.max_line);
    b.report = InputReport{};
    b.n_events = 0;
    b.newlines = count_newlines(b.bytes.view());
    ToBlock to_block{b};
    b.whole = parse_stream(reader, options, b.report, to_block);
  }

  // Hands a parsed block on with the input's line numbers.
  static void deliver(Block& b, InputReport& report, const EventSink& sink) {
    const std::uint64_t base = b.first_line - 1;
    for (size_t i = 0; i < b.n_events; ++i) {
      Event& e = b.events[i];
      e.origin.line += base;
      ++report.entries;
      if (e.time) report.saw_time(*e.time);
      sink(e);
      e.release_long_message(slot_message_bytes);
    }
    for (const auto& s : b.report.first_skips) report.skip(s.line + base, s.reason);
    report.skipped += b.report.skipped - b.report.first_skips.size();
    for (auto& n : b.report.notes) report.note(std::move(n));
  }

  // Cuts the input into blocks ending after an empty line (one per next() call); what follows
  // the block's last empty line starts the next. Called under the pool's read lock.
  struct BlockCutter {
    LineReader& reader;
    size_t target;
    std::string tail;
    bool at_end = false;

    bool next(Block& block) {
      while (!at_end) {
        ByteBuffer& bytes = block.bytes;
        bytes.assign(tail);
        tail.clear();
        size_t searched = 0, cut = std::string::npos;
        while (!at_end) {
          if (bytes.size() >= target) {
            cut = last_blank_line(bytes.view(), searched);
            if (cut != std::string::npos) break;
            searched = bytes.size() - 1;
          }
          const size_t got = reader.read_some(bytes.make_room(target), target);
          bytes.grow(got);
          at_end = got == 0;
        }
        if (cut != std::string::npos) {
          tail.assign(bytes.view().substr(cut));
          bytes.shrink_to(cut);
        }
        if (!bytes.empty()) return true;
      }
      return false;
    }
  };

  static void parse_in_blocks(LineReader& reader, const ParseOptions& options, InputReport& report,
                              const EventSink& sink) {
    // The input is read straight into each block's buffer (no copy), on whichever thread is free.
    BlockCutter cutter{reader, std::max<size_t>(options.block_bytes, 1), {}};
    ReadingPool<Block> pool(
        options.jobs - 1, 2 * options.jobs, [&cutter](Block& b) { return cutter.next(b); },
        [&options](Block& b) { parse_block(b, options); });
    Block carry;  // blocks whose parse ended inside a binary value, joined, waiting for the next
    bool carrying = false;
    std::uint64_t next_line = 1;
    pool.run([&](Block& b) {
      b.first_line = next_line;  // blocks come back in input order
      next_line += b.newlines;
      if (!carrying && b.whole) return deliver(b, report, sink);
      if (!carrying) {
        carry.bytes.clear();
        carry.first_line = b.first_line;
        carrying = true;
      }
      carry.bytes.append(b.bytes.view());
      parse_block(carry, options);
      if (!carry.whole) return;  // still inside the value: wait for more
      deliver(carry, report, sink);
      carrying = false;
    });
    if (carrying) {  // the input ends inside a binary value: say so, as one thread would
      carry.whole = true;
      deliver(carry, report, sink);
    }
  }

  // The end of the last "\n\n" in bytes at or after `from` (a position in an earlier search), or npos.
  static size_t last_blank_line(std::string_view bytes, size_t from) {
    const char* base = bytes.data();
    size_t end = bytes.size();
    while (end > from + 1) {
      const void* nl = memrchr(base + from, '\n', end - from);
      if (!nl) return std::string::npos;
      const size_t at = static_cast<size_t>(static_cast<const char*>(nl) - base);
      if (at > from && base[at - 1] == '\n') return at + 1;
      end = at;
    }
    return std::string::npos;
  }

  static void emit(Event& event, InputReport& report, const EventSink& sink) {
    ++report.entries;
    if (event.time) report.saw_time(*event.time);
    sink(event);
  }

  // Binary form: 8-byte little-endian length, the bytes, then LF.
  // cut: the input ended inside the field.
  static bool read_binary_field(LineReader& reader, const ParseOptions& options, InputReport& report,
                                Event& event, const std::string& name, std::uint64_t line_no, bool& cut) {
    std::string_view raw;
    bool overlong = false;
    if (!reader.read_exact(8, raw, overlong)) {
      report.skip(line_no, "export entry cut short in the length of field " + name);
      cut = true;
      return false;
    }
    std::uint64_t len = 0;
    for (int i = 7; i >= 0; --i) len = (len << 8) | static_cast<unsigned char>(raw[static_cast<size_t>(i)]);
    // Line numbers count every newline byte, those of the length prefix too.
    for (char c : raw)
      if (c == '\n') reader.count_line();
    if (len > options.max_line) {
      // A wrong length prefix would swallow the rest of the file: resynchronize instead.
      report.skip(line_no, "export field " + name + " has an implausible length prefix (" + std::to_string(len) + ")");
      return false;
    }
    std::string_view value;
    if (!reader.read_exact(static_cast<size_t>(len), value, overlong)) {
      report.skip(line_no, "export entry cut short inside field " + name);
      cut = true;
      return false;
    }
    std::string copy(value);  // the next read may move the buffer
    std::string_view nl;
    const bool ended = !reader.read_exact(1, nl, overlong);
    if (ended || nl != "\n") {
      cut = ended;
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
