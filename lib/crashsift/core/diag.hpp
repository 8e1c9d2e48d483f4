#pragma once
// Input accounting: what each input was, how much of it was read and what was skipped where.
// Bad input never disappears silently: every skipped line is counted, and the first few are
// kept with their location so that stderr and the JSON "inputs" block can name them.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "crashsift/core/time.hpp"

namespace crashsift {

struct SkippedLine {
  std::uint64_t line = 0;   // 1-based line or entry number (0 = whole input)
  std::string reason;
};

// A problem found in a damaged input (a native journal libsystemd could not read whole).
struct Damage {
  std::string file;          // the journal file (a directory input holds many)
  std::uint64_t entry = 0;   // entries read from that file before the problem; 0 = at open
  std::string what;          // "libsystemd aborted after 812 entries: Assertion '...' failed at ..."
};

// Entries the salvage reader recovered from one file, and from which bytes of it.
struct Salvage {
  std::string file;
  std::uint64_t entries = 0;
  std::uint64_t first_byte = 0, last_byte = 0;
};

struct InputReport {
  std::string path;                      // as given ("-" for stdin, "(local journal)")
  std::string format;                    // detected or forced format name
  std::string compression;               // "", "gzip", "zstd", "xz", "lz4"
  std::uint64_t entries = 0;             // records turned into events
  std::uint64_t skipped = 0;             // records/lines that could not be used
  std::uint64_t bytes = 0;               // bytes read (after decompression)
  std::vector<SkippedLine> first_skips;  // the first few, for messages
  std::optional<UsecUtc> first_time, last_time;
  std::vector<std::string> notes;        // facts about the form ("short: year taken from mtime")
  std::string fatal;                     // non-empty when the input could not be read at all
  // Read fine and held nothing (a valid journal with no entries): usable, unlike an unreadable one.
  bool empty_but_valid = false;
  std::vector<Damage> damage;            // the first few problems, with where they were found
  std::uint64_t damage_count = 0;
  std::vector<Salvage> salvaged;         // per file the salvage reader recovered entries from
  std::uint64_t salvaged_entries = 0;

  static constexpr size_t max_listed_skips = 5;
  static constexpr size_t max_listed_damage = 20;
  void skip(std::uint64_t line, std::string reason);
  void damaged(std::string file, std::uint64_t entry, std::string what);
  void saw_time(UsecUtc t);
  void note(std::string text);
};

// A warning for the whole run (not tied to one input line).
struct Warning {
  std::string code;      // kebab-case, stable: "kernel-time-unanchored", ...
  std::string message;
};

}  // namespace crashsift
