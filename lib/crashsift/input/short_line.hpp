#pragma once
// One line of journalctl short-family output, classified on its own: the timestamp shapes of
// every short variant and the "host ident[pid]: " tag. Used by journal_text.cpp (the reader and
// its probe); see there for the examples of each shape.
#include <cstdint>
#include <optional>
#include <string_view>

#include "crashsift/core/time.hpp"

namespace crashsift::input::short_line {

enum class StampKind {
  absolute,   // carries its own offset or is UTC: short-iso, short-unix, "... UTC"
  local,      // full date, no offset: read in options.zone
  yearless,   // "Nov 23 07:57:41": year inferred
  time_only,  // "14:28:21": date taken from the previous line
  monotonic,  // "[    5.001000]": seconds since boot
};

struct Stamp {
  StampKind kind = StampKind::absolute;
  UsecUtc time = 0;
  CivilTime local;
  std::uint64_t mono = 0;
  bool has_usec = false;
  bool full = false;  // short-full / with-unit layout
  std::string_view zone_abbrev;
  size_t end = 0;     // index just past the stamp
};

struct Tag {
  std::string_view host, ident;
  std::optional<std::int64_t> pid;
  size_t msg = 0;  // offset of the message in the text after the stamp
};

enum class Shape {
  none,         // no journalctl timestamp
  stamp_only,   // a timestamp but no "ident[pid]:" tag
  entry,        // a journal entry
  kernel_line,  // "[10463.883791] text": a dmesg line in a paste
};

// Classifies one (de-indented, unquoted) line; fills stamp and tag. Allocates nothing.
Shape line_shape(std::string_view s, Stamp& st, Tag& tag);

// "app.service", "init.scope", "user@1000.service" (with-unit tags).
bool is_unit_name(std::string_view s);

// "[🡕] Process 797 (swww) ..." -> "Process 797 (swww) ...".
std::string_view strip_link_glyph(std::string_view m);

}  // namespace crashsift::input::short_line
