#pragma once
// One mapping from journal field names to Event members, shared by every parser that sees
// NAME=value pairs (export, json, verbose, native). Keeping it in one place is what makes the
// forms agree: the same entry read from `-o export`, `-o json` or `-o verbose` gives the same
// Event.
//
// Precedence rules are order-independent (export prints fields in the entry's storage order,
// json in hash order), so a "strong" field always assigns and a "weak" fallback only fills an
// empty member:
//   time        _SOURCE_REALTIME_TIMESTAMP (strong)  > __REALTIME_TIMESTAMP (weak)
//   pid         _PID (strong)                        > SYSLOG_PID (weak)
//   identifier  SYSLOG_IDENTIFIER (strong)           > _COMM (weak)
//   unit        UNIT, USER_UNIT (strong; never both)
//   invocation  INVOCATION_ID, USER_INVOCATION_ID    > _SYSTEMD_INVOCATION_ID (weak)
//   coredump    COREDUMP_UNIT (strong)               > COREDUMP_USER_UNIT (weak)
// The caller must clear() the Event before the first field of an entry.
#include <string_view>

#include "crashsift/core/event.hpp"

namespace crashsift::input {

// A field name as journald accepts one (journal_field_valid): upper-case letters, digits and
// '_', not starting with a digit, at most 64 bytes. Anything else in a native file is a
// damaged DATA object; in export text, a line that is no field.
bool valid_journal_field_name(std::string_view name) noexcept;

// Applies one field. Returns true when the field was used, false when it is not one crashsift
// keeps (or its value did not parse, e.g. EXIT_STATUS=abc). Never throws and never stores
// COREDUMP_ENVIRON (it holds the crashed process's secrets).
bool apply_journal_field(Event& event, std::string_view name, std::string_view value) noexcept;

// How one kept field is stored; found by name alone, so a parser can leave the values of all
// other fields undecoded (most of a journal entry's bytes: _CMDLINE, _CAP_EFFECTIVE, ...).
using JournalFieldSetter = bool (*)(Event&, std::string_view);

// The setter of a field crashsift keeps, or nullptr for any other name.
JournalFieldSetter journal_field_setter(std::string_view name) noexcept;

// apply_journal_field() with the setter already found (nullptr: not kept, returns false).
bool apply_journal_field(Event& event, JournalFieldSetter setter, std::string_view value) noexcept;

}  // namespace crashsift::input
