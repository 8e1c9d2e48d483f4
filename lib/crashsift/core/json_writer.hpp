#pragma once
// A small streaming JSON writer for the output contracts (crashsift/exit/1, crashsift/core/1,
// ...). It writes compact or pretty JSON, escapes strings (invalid UTF-8 becomes U+FFFD so the
// output always parses), and writes null for absent optionals: the contract says absent facts
// are null, never omitted.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace crashsift {

class JsonWriter {
 public:
  explicit JsonWriter(bool pretty = false) : pretty_(pretty) {}
  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(std::string_view k);
  JsonWriter& value(std::string_view s);
  JsonWriter& value(const char* s) { return value(std::string_view(s)); }
  JsonWriter& value(const std::string& s) { return value(std::string_view(s)); }
  JsonWriter& value(std::int64_t v);
  JsonWriter& value(std::uint64_t v);
  JsonWriter& value(int v) { return value(static_cast<std::int64_t>(v)); }
  JsonWriter& value(unsigned v) { return value(static_cast<std::uint64_t>(v)); }
  JsonWriter& value(long long v) { return value(static_cast<std::int64_t>(v)); }
  JsonWriter& value(unsigned long long v) { return value(static_cast<std::uint64_t>(v)); }
  JsonWriter& value(double v);   // non-finite -> null
  JsonWriter& value(bool v);
  JsonWriter& null();
  // Optional helpers: null when empty.
  template <typename T>
  JsonWriter& value(const std::optional<T>& v) {
    return v ? value(*v) : null();
  }
  JsonWriter& string_or_null(std::string_view s) { return s.empty() ? null() : value(s); }
  // Convenience: key + value.
  template <typename T>
  JsonWriter& field(std::string_view k, const T& v) {
    key(k);
    return value(v);
  }
  JsonWriter& field_or_null(std::string_view k, std::string_view s) {
    key(k);
    return string_or_null(s);
  }
  const std::string& str() const { return out_; }
  std::string take() { return std::move(out_); }
  // Returns what was written so far and forgets it (the nesting state is kept), for streaming.
  std::string flush() {
    std::string s = std::move(out_);
    out_.clear();
    return s;
  }
  void clear() { out_.clear(); stack_.clear(); }
  // Elements of the open array written elsewhere by a writer at the same depth (a spill file
  // read back in pieces): appended as they are; `any` says the array now has an element.
  JsonWriter& raw_elements(std::string_view text, bool any) {
    out_.append(text);
    if (any && !stack_.empty()) stack_.back().first = false;
    return *this;
  }

 private:
  void before_value();
  void newline();
  std::string out_;
  struct Level {
    bool object;
    bool first;
  };
  std::vector<Level> stack_;
  bool pretty_;
  bool after_key_ = false;
};

// Appends s as a JSON string literal (with quotes) to out.
void append_json_string(std::string& out, std::string_view s);

}  // namespace crashsift
