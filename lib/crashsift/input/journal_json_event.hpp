#pragma once
// One `journalctl -o json` object into an Event, two ways (used by journal_json.cpp; both
// exposed so a test and a fuzz target can hold them to the same answer).
//
// The lean reader takes the object journalctl writes: flat, string or null values, ASCII, the
// common escapes. It finds each field's end with a 16-byte scan, leaves the values of fields
// crashsift does not keep untouched, and hands the others over in place unless they hold an
// escape. Anything else (a byte above 0x7f, a control byte, an array, a number, a \u
// surrogate, any structure it does not expect) makes it give up, and simdjson reads the line:
// simdjson is the reference, the lean reader only a faster path to the same Event.
#include <cstdint>
#include <string>
#include <string_view>

#include "crashsift/core/event.hpp"

namespace crashsift::input {

// The lean reader. text: the object; at least 16 readable bytes must follow it (the line
// reader's padding). False: not a line it reads, and `e` is to be cleared and read again.
// nulls: counted only on success. scratch: reused for unescaped values.
bool lean_fill_event(std::string_view text, Event& e, std::uint64_t& nulls, std::string& scratch);

// The reference: simdjson On-Demand (a parser per thread). capacity: the bytes readable from
// text.data() (at least text.size() + SIMDJSON_PADDING). Empty on success, else why the line
// is not JSON ("invalid JSON (...)").
std::string simdjson_fill_event(std::string_view text, size_t capacity, Event& e, std::uint64_t& nulls);

}  // namespace crashsift::input
