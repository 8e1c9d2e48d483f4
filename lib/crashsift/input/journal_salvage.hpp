#pragma once
// Salvage reader for native journal files that libsystemd refuses or stops reading early (a
// cut file, flipped bytes, a torn write after an unclean shutdown). It reads the documented
// file format (systemd's docs/JOURNAL_FILE_FORMAT.md) directly: the header, then every object
// in the object area in file order, and recovers each ENTRY object whose DATA objects check
// out. No size or offset read from the file is trusted: each is checked against the file size
// and the object it points into before it is followed. Memory is bounded by one entry.
#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace crashsift::input {

// The fields of the journal file header the readers need (all little-endian on disk).
struct JournalHeader {
  std::uint32_t compatible_flags = 0;
  std::uint32_t incompatible_flags = 0;
  std::uint8_t state = 0;                        // 0 offline, 1 online, 2 archived
  std::array<std::uint8_t, 16> file_id{};
  std::array<std::uint8_t, 16> machine_id{};
  std::array<std::uint8_t, 16> seqnum_id{};
  std::uint64_t header_size = 0;
  std::uint64_t arena_size = 0;
  std::uint64_t tail_object_offset = 0;          // the last object written; zeros follow it
  std::uint64_t n_objects = 0;
  std::uint64_t n_entries = 0;
  std::uint64_t head_entry_seqnum = 0;
  std::uint64_t tail_entry_seqnum = 0;
  std::uint64_t head_entry_realtime = 0;
  std::uint64_t tail_entry_realtime = 0;
  bool compact() const { return incompatible_flags & 16u; }      // HEADER_INCOMPATIBLE_COMPACT
  bool keyed_hash() const { return incompatible_flags & 4u; }    // HEADER_INCOMPATIBLE_KEYED_HASH
};

// Parses the header from the file's first bytes. nullopt (with the reason in *why) when the
// signature is wrong or the header is too short to hold the fields above.
std::optional<JournalHeader> parse_journal_header(std::string_view first_bytes, std::string* why = nullptr);

// One recovered entry. The views are valid only during the callback.
struct SalvagedEntry {
  std::uint64_t offset = 0;                      // file offset of the ENTRY object
  std::uint64_t seqnum = 0;
  std::uint64_t realtime = 0;                    // µs since the epoch
  std::uint64_t monotonic = 0;                   // µs since boot
  std::array<std::uint8_t, 16> boot_id{};
  std::vector<std::string_view> fields;          // "NAME=value" payloads, decompressed
};

struct SalvageOptions {
  // Deliver only entries with a greater seqnum: those libsystemd did not already give.
  std::uint64_t after_seqnum = 0;
  // Longer payloads are cut to this many bytes (like sd_journal_set_data_threshold).
  std::size_t max_field_bytes = 64 * 1024;
  // The fields of one entry together: what a hostile entry (thousands of items pointing at
  // highly compressed DATA objects) may make the reader hold at once. Fields past it are dropped.
  std::size_t max_entry_bytes = 64u << 20;
  // Payload bytes the reader may decompress and hash for the whole file, so that DATA objects
  // that inflate a thousandfold cannot make it run for hours; past it, fields are delivered cut
  // and unverified. 0: 256 MiB plus 16 times the file size (a real file stays far below).
  std::uint64_t max_work_bytes = 0;
};

struct SalvageResult {
  bool header_valid = false;
  std::uint64_t file_size = 0;
  std::uint64_t entries = 0;                     // delivered through the callback
  std::uint64_t entries_skipped = 0;             // seqnum <= after_seqnum
  std::uint64_t entries_damaged = 0;             // ENTRY objects found but not deliverable
  std::uint64_t fields_dropped = 0;              // DATA objects that failed a check (entry kept)
  // Delivered fields whose hash could not be checked: cut by max_field_bytes and too large to
  // decompress in full within the reader's work budget, or the hash mode of the file unknown.
  std::uint64_t fields_unverified = 0;
  // Span of the delivered entries' ENTRY objects: the first one's offset and the last byte of
  // the last one (inclusive); both 0 when nothing was delivered.
  std::uint64_t first_byte = 0, last_byte = 0;
  std::uint64_t problem_count = 0;
  std::vector<std::string> problems;             // the first few, each with its byte offset
  static constexpr std::size_t max_listed_problems = 8;
};

// Reads the journal file open on fd (pread only; the file offset is not used) and calls
// on_entry for every recovered entry, in file order (seqnum order for an intact file).
SalvageResult salvage_journal(int fd, const SalvageOptions& options,
                              const std::function<void(const SalvagedEntry&)>& on_entry);

}  // namespace crashsift::input
