// `journalctl -o json` / `json-seq` / `json-sse` / `json-pretty` (formats.md §6.3), parsed
// with simdjson On-Demand in place (LineReader keeps SIMDJSON_PADDING bytes after each line).
// Quirks: every number is a string; a value that is not printable UTF-8 is an ARRAY OF BYTE
// NUMBERS; a field present more than once is an array of values; a field >= 4096 bytes is
// null unless `journalctl --all` (coredump stack traces lose their text that way).
#include <simdjson.h>

#include <cstring>
#include <memory>
#include <vector>

#include "crashsift/core/ordered_pool.hpp"
#include "crashsift/core/text.hpp"
#include "crashsift/input/journal_fields.hpp"
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
  // reach the sink in input order, exactly as in one thread); a json-pretty object (over many
  // lines) is parsed here, between blocks.
  void parse(LineReader& reader, const ParseOptions& options, InputReport& report,
             const EventSink& sink) const override {
    ondemand::parser parser;
    Event event;
    Line line;
    std::string pretty;            // json-pretty: one object over many lines
    std::uint64_t pretty_start = 0;
    std::uint64_t nulls = 0;
    std::unique_ptr<OrderedPool<LineBlock>> pool;
    std::unique_ptr<LineBlock> block;
    if (options.jobs > 1) {
      pool = std::make_unique<OrderedPool<LineBlock>>(options.jobs - 1, 2 * options.jobs, parse_block);
      block = pool->take_spare();
    }
    const auto consume = [&](LineBlock& b) { deliver_block(b, options, report, sink, nulls); };
    const auto submit_block = [&] {
      if (!block->lines.empty()) {
        pool->submit(std::move(block), consume);
        block = pool->take_spare();
      }
    };
    while (reader.next(line)) {
      if (line.overlong) {
        if (block && pretty.empty()) block->add_overlong(line.number, line.overlong_size);
        else report.skip(line.number, overlong_reason(line.overlong_size));
        continue;
      }
      std::string_view text = line.text;
      while (!text.empty() && (text.front() == '\x1e')) text.remove_prefix(1);
      if (starts_with(text, "data: ")) text.remove_prefix(6);
      if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
      if (trim(text).empty()) continue;
      if (!pretty.empty() || text == "{") {
        if (block && pretty.empty()) {  // what came before is delivered first
          submit_block();
          pool->drain(consume);
        }
        if (pretty.empty()) pretty_start = line.number;
        pretty.append(text).push_back('\n');
        if (text != "}" && pretty.size() <= options.max_line) continue;
        pretty.append(SIMDJSON_PADDING, ' ');
        parse_one(parser, std::string_view(pretty.data(), pretty.size() - SIMDJSON_PADDING),
                  pretty.capacity(), pretty_start, options, report, sink, event, nulls);
        pretty.clear();
        continue;
      }
      if (block) {
        block->add(text, line.number);
        if (block->bytes.size() >= options.block_bytes) submit_block();
        continue;
      }
      // The reader guarantees SIMDJSON_PADDING readable bytes after the line.
      parse_one(parser, text, text.size() + SIMDJSON_PADDING, line.number, options, report, sink, event, nulls);
    }
    if (block) {
      submit_block();
      pool->drain(consume);
    }
    if (!pretty.empty()) report.skip(pretty_start, "JSON object cut short at end of input");
    if (nulls > 0)
      report.note(std::to_string(nulls) +
                  " field values were null: journalctl -o json prints values of 4096 bytes or more as null "
                  "unless --all is given");
  }

 private:
  static std::string overlong_reason(std::uint64_t size) {
    return "line longer than --max-line (" + std::to_string(size) + " bytes)";
  }

  // Lines copied for a worker (each followed by SIMDJSON_PADDING bytes), and what it made of them.
  struct LineBlock {
    struct LineRef {
      size_t offset = 0, size = 0;
      std::uint64_t number = 0;
      std::uint64_t overlong_size = 0;  // > 0: the line was dropped by the reader
    };
    std::string bytes;
    std::vector<LineRef> lines;
    std::vector<Event> events;                  // one per line, valid where errors has none
    std::vector<std::pair<size_t, error_code>> errors;  // (line index, why), in line order
    std::uint64_t nulls = 0;

    void add(std::string_view text, std::uint64_t number) {
      lines.push_back({bytes.size(), text.size(), number, 0});
      bytes.append(text).append(SIMDJSON_PADDING, ' ');
    }
    void add_overlong(std::uint64_t number, std::uint64_t size) { lines.push_back({bytes.size(), 0, number, size}); }
  };

  static void parse_block(LineBlock& b) {
    thread_local ondemand::parser parser;
    if (b.events.size() < b.lines.size()) b.events.resize(b.lines.size());
    b.errors.clear();
    b.nulls = 0;
    for (size_t i = 0; i < b.lines.size(); ++i) {
      const LineBlock::LineRef& l = b.lines[i];
      if (l.overlong_size) continue;
      Event& event = b.events[i];
      event.clear();
      const std::string_view text(b.bytes.data() + l.offset, l.size);
      if (const error_code err = fill_event(parser, text, l.size + SIMDJSON_PADDING, event, b.nulls))
        b.errors.emplace_back(i, err);
    }
  }

  static void deliver_block(LineBlock& b, const ParseOptions& options, InputReport& report, const EventSink& sink,
                            std::uint64_t& nulls) {
    size_t next_error = 0;
    for (size_t i = 0; i < b.lines.size(); ++i) {
      const LineBlock::LineRef& l = b.lines[i];
      if (l.overlong_size) {
        report.skip(l.number, overlong_reason(l.overlong_size));
        continue;
      }
      if (next_error < b.errors.size() && b.errors[next_error].first == i) {
        report.skip(l.number, std::string("invalid JSON (") + error_message(b.errors[next_error++].second) + ")");
        continue;
      }
      Event& event = b.events[i];
      event.origin.input = options.input_index;
      event.origin.line = l.number;
      ++report.entries;
      if (event.time) report.saw_time(*event.time);
      sink(event);
    }
    nulls += b.nulls;
    b.bytes.clear();
    b.lines.clear();
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
      const char* end = static_cast<const char*>(std::memchr(k, '"', static_cast<size_t>(text.data() + text.size() - k)));
      if (!end) return TAPE_ERROR;
      const std::string_view name(k, static_cast<size_t>(end - k));
      ondemand::value value;
      if (auto e = field.value().get(value)) return e;
      ondemand::json_type type;
      if (auto e = value.type().get(type)) return e;
      switch (type) {
        case ondemand::json_type::string: {
          std::string_view s;
          if (auto e = value.get_string().get(s)) return e;
          apply_journal_field(event, name, s);
          break;
        }
        case ondemand::json_type::array:
          if (auto e = apply_array(value, name, event, bytes)) return e;
          break;
        case ondemand::json_type::null:
          ++nulls;
          break;
        case ondemand::json_type::number:
          apply_journal_field(event, name, trim(value.raw_json_token()));
          break;
        default:
          // Objects and booleans never occur in journal JSON; consume and ignore them.
          (void)value.raw_json_token();
          break;
      }
    }
    return SUCCESS;
  }

  // [98,105,110,...] is one non-printable value; ["a","b"] is a field logged twice (the last
  // value is the one kept, as journalctl shows the last in short output).
  static error_code apply_array(ondemand::value& value, std::string_view name, Event& event, std::string& bytes) {
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
    apply_journal_field(event, name, byte_array ? std::string_view(bytes) : std::string_view(last));
    return SUCCESS;
  }
};

}  // namespace

const FormatParser& json_format() {
  static const JsonParser parser;
  return parser;
}

}  // namespace crashsift::input
