// `journalctl -o json` / `json-seq` / `json-sse` / `json-pretty` (formats.md §6.3), parsed
// with simdjson On-Demand in place (LineReader keeps SIMDJSON_PADDING bytes after each line).
// Quirks: every number is a string; a value that is not printable UTF-8 is an ARRAY OF BYTE
// NUMBERS; a field present more than once is an array of values; a field >= 4096 bytes is
// null unless `journalctl --all` (coredump stack traces lose their text that way).
#include <simdjson.h>

#include <cstring>
#include <memory>
#include <vector>

#include "crashsift/core/byte_buffer.hpp"
#include "crashsift/core/reading_pool.hpp"
#include "crashsift/core/text.hpp"
#include "crashsift/input/journal_fields.hpp"
#include "crashsift/input/line_blocks.hpp"
#include "crashsift/input/parser.hpp"

namespace crashsift::input {
namespace {

using namespace simdjson;

class JsonParser final : public FormatParser {
 public:
  std::string_view name() const override { return "json"; }

  bool probe(std::string_view head) const override {
    size_t i = 0;
    while (i < head.size() && (head[i] == ' ' || head[i] == '\n' || head[i] == '\r')) ++i;
    std::string_view rest = head.substr(i);
    if (starts_with(rest, "\x1e")) rest.remove_prefix(1);          // json-seq record separator
    if (starts_with(rest, "data: ")) rest.remove_prefix(6);        // json-sse
    if (!starts_with(rest, "{")) return false;
    // A journal entry always has these metadata fields (an app NDJSON log does not).
    const std::string_view window = rest.substr(0, 64 * 1024);
    return contains(window, "\"__REALTIME_TIMESTAMP\"") || contains(window, "\"__CURSOR\"");
  }

  // One object a line is parsed in blocks on worker threads when options.jobs > 1 (the events
  // reach the sink in input order, exactly as in one thread). The input is read straight into
  // each block and cut after its last newline; the worker splits the lines. A block holding a
  // json-pretty object (over many lines) is handed back unparsed and read here, in order.
  void parse(LineReader& reader, const ParseOptions& options, InputReport& report,
             const EventSink& sink) const override {
    Serial serial(options, report, sink);
    if (options.jobs > 1) {
      parse_in_blocks(reader, options, serial);
    } else {
      Line line;
      while (reader.next(line)) serial.line(line);
    }
    serial.finish();
  }

 private:
  static std::string overlong_reason(std::uint64_t size) {
    return "line longer than --max-line (" + std::to_string(size) + " bytes)";
  }

  // The JSON text of a line: json-seq separators, the SSE prefix and a CR removed; empty for a
  // blank line.
  static std::string_view json_text(std::string_view text) {
    while (!text.empty() && (text.front() == '\x1e')) text.remove_prefix(1);
    if (starts_with(text, "data: ")) text.remove_prefix(6);
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    if (trim(text).empty()) return {};
    return text;
  }

  // Line by line in input order: one object a line, or a json-pretty object over many lines.
  class Serial {
   public:
    Serial(const ParseOptions& options, InputReport& report, const EventSink& sink)
        : options_(options), report_(report), sink_(sink) {}

    // base: added to the line's number (a block's lines count from 1).
    void line(const Line& line, std::uint64_t base = 0) {
      const std::uint64_t number = line.number + base;
      if (line.overlong) {
        report_.skip(number, overlong_reason(line.overlong_size));
        return;
      }
      const std::string_view text = json_text(line.text);
      if (text.empty()) return;
      if (!pretty_.empty() || text == "{") {
        if (pretty_.empty()) pretty_start_ = number;
        pretty_.append(text).push_back('\n');
        if (text != "}" && pretty_.size() <= options_.max_line) return;
        pretty_.append(SIMDJSON_PADDING, ' ');
        parse_one(parser_, std::string_view(pretty_.data(), pretty_.size() - SIMDJSON_PADDING), pretty_.capacity(),
                  pretty_start_, options_, report_, sink_, event_, nulls_);
        pretty_.clear();
        return;
      }
      // The reader guarantees SIMDJSON_PADDING readable bytes after the line.
      parse_one(parser_, text, text.size() + SIMDJSON_PADDING, number, options_, report_, sink_, event_, nulls_);
    }

    bool in_pretty_object() const { return !pretty_.empty(); }
    std::uint64_t& nulls() { return nulls_; }
    InputReport& report() { return report_; }
    const EventSink& sink() const { return sink_; }

    void finish() {
      if (!pretty_.empty()) report_.skip(pretty_start_, "JSON object cut short at end of input");
      if (nulls_ > 0)
        report_.note(std::to_string(nulls_) +
                     " field values were null: journalctl -o json prints values of 4096 bytes or more as null "
                     "unless --all is given");
    }

   private:
    const ParseOptions& options_;
    InputReport& report_;
    const EventSink& sink_;
    ondemand::parser parser_;
    Event event_;
    std::string pretty_;
    std::uint64_t pretty_start_ = 0;
    std::uint64_t nulls_ = 0;
  };

  // A block of whole lines, and what a worker made of them.
  struct LineBlock {
    ByteBuffer bytes;  // read in place: simdjson may look SIMDJSON_PADDING bytes past a line
    static_assert(ByteBuffer::padding >= SIMDJSON_PADDING);
    std::uint64_t newlines = 0;
    std::uint64_t overlong_size = 0;   // > 0: a marker for one line dropped unread
    bool serial = false;               // holds a json-pretty line: read in order instead
    struct Parsed {
      std::uint64_t number = 0;        // within the block, from 1
      std::uint64_t overlong_size = 0; // > 0: too long
      bool error = false;
      error_code why = SUCCESS;
    };
    std::vector<Parsed> lines;         // lines with content, in order
    std::vector<Event> events;         // parallel to lines
    std::uint64_t nulls = 0;
    size_t max_line = 0;
  };

  static void parse_block(LineBlock& b) {
    thread_local ondemand::parser parser;
    b.lines.clear();
    b.nulls = 0;
    b.serial = false;
    b.newlines = count_newlines(b.bytes.view());
    if (b.overlong_size) return;
    LineReader reader(LineReader::InPlace{}, b.bytes.view(), b.max_line);
    Line line;
    while (reader.next(line)) {
      if (line.overlong) {
        b.lines.push_back({line.number, line.overlong_size, false, SUCCESS});
        continue;
      }
      const std::string_view text = json_text(line.text);
      if (text.empty()) continue;
      if (text == "{") {  // json-pretty: this block is read in order by the consumer
        b.serial = true;
        b.lines.clear();
        return;
      }
      const size_t i = b.lines.size();
      b.lines.push_back({line.number, 0, false, SUCCESS});
      if (b.events.size() <= i) b.events.resize(i + 1);
      Event& event = b.events[i];
      event.clear();
      if (const error_code err = fill_event(parser, text, text.size() + SIMDJSON_PADDING, event, b.nulls)) {
        b.lines[i].error = true;
        b.lines[i].why = err;
      }
    }
  }

  static void deliver_block(LineBlock& b, std::uint64_t first_line, const ParseOptions& options, Serial& serial) {
    const std::uint64_t base = first_line - 1;
    InputReport& report = serial.report();
    if (b.overlong_size) {
      report.skip(first_line, overlong_reason(b.overlong_size));
      return;
    }
    if (b.serial || serial.in_pretty_object()) {
      LineReader reader(LineReader::InPlace{}, b.bytes.view(), options.max_line);
      Line line;
      while (reader.next(line)) serial.line(line, base);
      return;
    }
    for (size_t i = 0; i < b.lines.size(); ++i) {
      const LineBlock::Parsed& l = b.lines[i];
      const std::uint64_t number = l.number + base;
      if (l.overlong_size) {
        report.skip(number, overlong_reason(l.overlong_size));
        continue;
      }
      if (l.error) {
        report.skip(number, std::string("invalid JSON (") + error_message(l.why) + ")");
        continue;
      }
      Event& event = b.events[i];
      event.origin.input = options.input_index;
      event.origin.line = number;
      ++report.entries;
      if (event.time) report.saw_time(*event.time);
      serial.sink()(event);
      event.release_long_message(4096);  // memory must not grow with the input (see Event)
    }
    serial.nulls() += b.nulls;
  }

  // Blocks of about options.block_bytes cut after their last newline (line_blocks.hpp). A line
  // longer than --max-line is dropped there without being kept (a marker block says where).
  static void parse_in_blocks(LineReader& reader, const ParseOptions& options, Serial& serial) {
    LineBlockCutter cutter(reader, options.block_bytes, options.max_line);
    ReadingPool<LineBlock> pool(
        options.jobs - 1, 2 * options.jobs,
        [&](LineBlock& b) {
          b.max_line = options.max_line;
          return cutter.next(b);
        },
        parse_block);
    std::uint64_t next_line = 1;
    pool.run([&](LineBlock& b) {
      const std::uint64_t first = next_line;
      next_line += b.overlong_size ? 1 : b.newlines;
      deliver_block(b, first, options, serial);
    });
  }

  static void parse_one(ondemand::parser& parser, std::string_view text, size_t capacity, std::uint64_t line_no,
                        const ParseOptions& options, InputReport& report, const EventSink& sink, Event& event,
                        std::uint64_t& nulls) {
    event.clear();
    event.origin.input = options.input_index;
    event.origin.line = line_no;
    const error_code err = fill_event(parser, text, capacity, event, nulls);
    if (err) {
      report.skip(line_no, std::string("invalid JSON (") + error_message(err) + ")");
      return;
    }
    ++report.entries;
    if (event.time) report.saw_time(*event.time);
    sink(event);
  }

  static error_code fill_event(ondemand::parser& parser, std::string_view text, size_t capacity, Event& event,
                               std::uint64_t& nulls) {
    ondemand::document doc;
    if (auto e = parser.iterate(padded_string_view(text.data(), text.size(), capacity)).get(doc)) return e;
    ondemand::object obj;
    if (auto e = doc.get_object().get(obj)) return e;
    std::string bytes;
    for (auto field : obj) {
      // Journal field names are [A-Z0-9_] and never escaped: take the raw key in place instead
      // of unescaping (and copying) it.
      ondemand::raw_json_string raw_key;
      if (auto e = field.key().get(raw_key)) return e;
      const char* k = raw_key.raw();
      ondemand::value value;
      if (auto e = field.value().get(value)) return e;
      // The value's raw text, found from the structural index (not consumed: an unkept value is
      // skipped by the loop).
      const std::string_view token = value.raw_json_token();
      const std::string_view name = key_before(k, token.data(), text);
      if (name.data() == nullptr) return TAPE_ERROR;
      ondemand::json_type type;
      if (auto e = value.type().get(type)) return e;  // a peek at the value's first byte
      // A field crashsift does not keep is left undecoded: iterating on skips its value.
      const JournalFieldSetter setter = journal_field_setter(name);
      if (!setter && type != ondemand::json_type::null) continue;
      switch (type) {
        case ondemand::json_type::string: {
          // Most values hold no escape: taken as they are in the line, not unescaped into
          // simdjson's buffer first.
          std::string_view s = unescaped_in_place(token);
          if (s.data() == nullptr) {
            if (auto e = value.get_string().get(s)) return e;
          }
          apply_journal_field(event, setter, s);
          break;
        }
        case ondemand::json_type::array:
          if (auto e = apply_array(value, setter, event, bytes)) return e;
          break;
        case ondemand::json_type::null:
          ++nulls;
          break;
        case ondemand::json_type::number:
          apply_journal_field(event, setter, trim(token));
          break;
        default:
          // Objects and booleans never occur in journal JSON; consume and ignore them.
          (void)value.raw_json_token();
          break;
      }
    }
    return SUCCESS;
  }

  // The key whose text starts at k and whose value starts at value: journalctl writes
  // `"KEY":value`, so the key ends two bytes before its value; with spaces around the colon
  // (json-pretty) its closing quote is looked for. A null data() when there is none.
  static std::string_view key_before(const char* k, const char* value, std::string_view text) {
    if (value >= k + 2 && value[-1] == ':' && value[-2] == '"') return {k, static_cast<size_t>(value - 2 - k)};
    // The line is padded (SIMDJSON_PADDING): find_in_line may read past its end.
    const size_t len = find_in_line(std::string_view(k, static_cast<size_t>(text.data() + text.size() - k)), '"');
    if (len == std::string_view::npos) return {};
    return {k, len};
  }

  // A JSON string token's text when it holds no escape (then it is its value), else a null
  // data(). The token runs to the next structural character: whitespace may follow the quote.
  static std::string_view unescaped_in_place(std::string_view token) {
    while (!token.empty() && (token.back() == ' ' || token.back() == '\n' || token.back() == '\r' ||
                              token.back() == '\t'))
      token.remove_suffix(1);
    if (token.size() < 2 || token.front() != '"' || token.back() != '"') return {};
    const std::string_view inner = token.substr(1, token.size() - 2);
    if (std::memchr(inner.data(), '\\', inner.size())) return {};
    return inner;  // never a null data(), even when empty: it points into the token
  }

  // [98,105,110,...] is one non-printable value; ["a","b"] is a field logged twice (the last
  // value is the one kept, as journalctl shows the last in short output).
  static error_code apply_array(ondemand::value& value, JournalFieldSetter setter, Event& event, std::string& bytes) {
    ondemand::array arr;
    if (auto e = value.get_array().get(arr)) return e;
    bytes.clear();
    bool byte_array = false;
    std::string last;
    for (auto element : arr) {
      ondemand::value v;
      if (auto e = element.get(v)) return e;
      ondemand::json_type t;
      if (auto e = v.type().get(t)) return e;
      if (t == ondemand::json_type::number) {
        std::uint64_t b = 0;
        if (auto e = v.get_uint64().get(b)) return e;
        bytes.push_back(static_cast<char>(b & 0xff));
        byte_array = true;
      } else if (t == ondemand::json_type::string) {
        std::string_view s;
        if (auto e = v.get_string().get(s)) return e;
        last.assign(s);
      } else if (t == ondemand::json_type::array) {
        // Repeated binary values: [[1,2],[3,4]] — keep the last.
        ondemand::array inner;
        if (auto e = v.get_array().get(inner)) return e;
        std::string one;
        for (auto b : inner) {
          std::uint64_t n = 0;
          if (auto e = b.get_uint64().get(n)) return e;
          one.push_back(static_cast<char>(n & 0xff));
        }
        last = std::move(one);
      }
    }
    apply_journal_field(event, setter, byte_array ? std::string_view(bytes) : std::string_view(last));
    return SUCCESS;
  }
};

}  // namespace

const FormatParser& json_format() {
  static const JsonParser parser;
  return parser;
}

}  // namespace crashsift::input
