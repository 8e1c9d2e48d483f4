#include "crashsift/input/journal_salvage.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cstring>

#include "crashsift/input/journal_fields.hpp"
#include "crashsift/input/journal_salvage_decode.hpp"
#include "crashsift/input/journal_salvage_hash.hpp"

namespace crashsift::input {
namespace {

using salvage::Codec;
using salvage::FileWindows;
using salvage::PayloadDecoder;

std::uint32_t le32(const std::uint8_t* p) {
  return static_cast<std::uint32_t>(p[0]) | static_cast<std::uint32_t>(p[1]) << 8 |
         static_cast<std::uint32_t>(p[2]) << 16 | static_cast<std::uint32_t>(p[3]) << 24;
}
std::uint64_t le64(const std::uint8_t* p) {
  return static_cast<std::uint64_t>(le32(p)) | static_cast<std::uint64_t>(le32(p + 4)) << 32;
}

// docs/JOURNAL_FILE_FORMAT.md: object types, flags and the fixed parts of each object.
enum ObjectType : std::uint8_t {
  object_unused = 0, object_data, object_field, object_entry, object_data_hash_table,
  object_field_hash_table, object_entry_array, object_tag, object_type_max
};
constexpr std::uint8_t compressed_xz = 1, compressed_lz4 = 2, compressed_zstd = 4;
constexpr std::uint32_t incompatible_xz = 1, incompatible_lz4 = 2, incompatible_zstd = 8;
constexpr std::uint64_t object_header_size = 16;
constexpr std::uint64_t entry_fixed_size = 64;       // header, seqnum, realtime, monotonic, boot_id, xor_hash
constexpr std::uint64_t data_fixed_size = 64;        // + 8 in compact files
constexpr std::uint64_t field_fixed_size = 40;
constexpr std::uint64_t tag_size = 64;
constexpr std::uint64_t min_header_size = 208;       // the header of the first released format
// A field is hashed in full (decompressed, streamed) to verify it when it is at most this large;
// a larger one is delivered cut and counted as unverified.
constexpr std::uint64_t hash_budget = 32u << 20;
// All the payload bytes the reader decompresses and hashes for one file, unless
// SalvageOptions::max_work_bytes says otherwise: this much plus a multiple of the file size. A
// real file stays far below (each DATA object is verified once, then remembered); a hostile one
// (many items or entries pointing at DATA objects that inflate a thousandfold) would otherwise
// cost hours. Past it, fields are delivered cut and unverified.
constexpr std::uint64_t work_budget_base = 256u << 20;
constexpr std::uint64_t work_budget_per_file_byte = 16;
// Verdicts on DATA objects, by offset (direct-mapped): entries share most of their DATA objects,
// so each is decompressed and hashed once. Payloads up to cached_bytes_max are kept too.
constexpr std::size_t data_cache_slots = 4096;
constexpr std::size_t cached_bytes_max = 1024;

std::uint64_t align8(std::uint64_t x) { return (x + 7) & ~std::uint64_t{7}; }

std::uint64_t min_object_size(std::uint8_t type, bool compact) {
  switch (type) {
    case object_data: return data_fixed_size + (compact ? 8 : 0);
    case object_field: return field_fixed_size;
    case object_entry: return entry_fixed_size;
    case object_data_hash_table:
    case object_field_hash_table: return object_header_size;
    case object_entry_array: return object_header_size + 8;
    case object_tag: return tag_size;
    default: return 0;
  }
}

class Salvager {
 public:
  Salvager(int fd, std::uint64_t file_size, const SalvageOptions& options,
           const std::function<void(const SalvagedEntry&)>& on_entry)
      : io_(fd, file_size), options_(options), on_entry_(on_entry), data_cache_(data_cache_slots) {
    result_.file_size = file_size;
    work_left_ = options.max_work_bytes ? options.max_work_bytes
                 : file_size > (UINT64_MAX - work_budget_base) / work_budget_per_file_byte
                     ? UINT64_MAX
                     : work_budget_base + work_budget_per_file_byte * file_size;
  }

  SalvageResult run() {
    if (!read_header()) return result_;
    walk_objects();
    return result_;
  }

 private:
  struct ObjectHead {
    std::uint8_t type = 0, flags = 0;
    std::uint64_t size = 0;
  };

  void problem(std::uint64_t offset, const std::string& what) {
    ++result_.problem_count;
    if (result_.problems.size() < SalvageResult::max_listed_problems)
      result_.problems.push_back("at byte " + std::to_string(offset) + ": " + what);
  }

  bool read_header() {
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(io_.size(), 272));
    const std::uint8_t* p = io_.view(0, n);
    std::string why;
    std::optional<JournalHeader> h;
    if (p) h = parse_journal_header(std::string_view(reinterpret_cast<const char*>(p), n), &why);
    if (!h) {
      problem(0, why.empty() ? "unreadable header" : why);
      return false;
    }
    header_ = *h;
    // The object area starts at header_size: a damaged one falls back to the smallest header
    // (objects are then found by resynchronising).
    begin_ = header_.header_size;
    if (begin_ < min_header_size || begin_ % 8 != 0 || begin_ > io_.size()) {
      problem(0, "implausible header_size " + std::to_string(header_.header_size));
      begin_ = min_header_size;
    } else {
      result_.header_valid = true;
    }
    // Past header_size + arena_size lies preallocated space; a cut file ends earlier.
    end_ = io_.size();
    if (header_.arena_size <= io_.size() && begin_ + header_.arena_size <= io_.size())
      end_ = begin_ + header_.arena_size;
    compact_ = header_.compact();
    return true;
  }

  std::optional<ObjectHead> object_head(std::uint64_t offset) {
    const std::uint8_t* p = io_.view(offset, object_header_size);
    if (!p) return std::nullopt;
    return ObjectHead{p[0], p[1], le64(p + 8)};
  }

  // A header that could begin a real object: known type, flags only on DATA and only one
  // compression, zero reserved bytes, a size its type allows that fits the file.
  bool plausible(std::uint64_t offset, const ObjectHead& o) {
    if (o.type == object_unused || o.type >= object_type_max) return false;
    if (o.type == object_data ? (o.flags & ~7u) || (o.flags & (o.flags - 1)) : o.flags != 0) return false;
    const std::uint8_t* p = io_.view(offset, object_header_size);
    if (!p || std::any_of(p + 2, p + 8, [](std::uint8_t b) { return b != 0; })) return false;
    if (o.size < min_object_size(o.type, compact_)) return false;
    if (o.type == object_tag && o.size != tag_size) return false;
    return o.size <= end_ - offset;
  }

  // Next offset (8-aligned, after `from`) where a plausible object starts, or end_. Scans a
  // window at a time: an object starts with a known type byte, so zeros go by quickly.
  std::uint64_t resync(std::uint64_t from) {
    std::uint64_t off = align8(from + 1);
    while (off + object_header_size <= end_) {
      const std::size_t span = static_cast<std::size_t>(std::min<std::uint64_t>(end_ - off, FileWindows::max_view));
      const std::uint8_t* p = io_.view(off, span);
      if (!p) break;
      std::size_t i = 0;
      for (; i + object_header_size <= span; i += 8) {
        if (p[i] == object_unused || p[i] >= object_type_max) continue;
        const auto o = object_head(off + i);  // may move the window: p is not used after this
        if (o && plausible(off + i, *o)) return off + i;
        p = io_.view(off, span);
        if (!p) return end_;
      }
      off += i;
    }
    return end_;
  }

  void walk_objects() {
    std::uint64_t off = begin_;
    while (off + object_header_size <= end_) {
      const auto o = object_head(off);
      if (!o) {
        problem(off, "unreadable object header");
        return;
      }
      if (!plausible(off, *o)) {
        const bool zeros = o->type == object_unused && o->size == 0;
        const std::uint64_t next = resync(off);
        // journald preallocates the arena: zeros after the tail object are its unused space,
        // unless objects follow them (written, but the header's tail was not: a crash).
        if (zeros && off > header_.tail_object_offset && header_.tail_object_offset >= begin_) {
          if (next >= end_) return;
          problem(off, "objects after the tail object the header names, past " + std::to_string(next - off) +
                           " zero bytes (the header was not updated)");
          off = next;
          continue;
        }
        if (next >= end_ && zeros)
          problem(off, "the object area ends in " + std::to_string(end_ - off) +
                           " zero bytes (a write that never completed)");
        else if (o->size > end_ - off && o->type > object_unused && o->type < object_type_max)
          problem(off, "object of " + std::to_string(o->size) + " bytes runs past the end of the file (cut short)");
        else
          problem(off, "damaged object header; skipped " + std::to_string(next - off) + " bytes");
        if (next >= end_) return;  // the problem above says how the file ends
        off = next;
        continue;
      }
      if (o->type == object_entry) read_entry(off, *o);
      off = align8(off + o->size);
    }
    // The walk stops when less than an object header is left. If the header names a last
    // object at or past that point, the file was cut inside an object header or its padding.
    if (header_.tail_object_offset >= begin_ && header_.tail_object_offset >= off)
      problem(off, "file cut short: it ends at byte " + std::to_string(io_.size()) +
                       ", before the last object the header names (at byte " +
                       std::to_string(header_.tail_object_offset) + ")");
  }

  void read_entry(std::uint64_t offset, const ObjectHead& o) {
    const std::uint8_t* p = io_.view(offset, entry_fixed_size);
    if (!p) return;
    SalvagedEntry entry;
    entry.offset = offset;
    entry.seqnum = le64(p + 16);
    entry.realtime = le64(p + 24);
    entry.monotonic = le64(p + 32);
    std::memcpy(entry.boot_id.data(), p + 40, 16);
    const std::uint64_t xor_hash = le64(p + 56);
    const std::uint64_t item_size = compact_ ? 4 : 16;
    const std::uint64_t items_bytes = o.size - entry_fixed_size;
    if (items_bytes == 0 || items_bytes % item_size != 0 || entry.seqnum == 0 || entry.realtime == 0) {
      ++result_.entries_damaged;
      problem(offset, "damaged entry (seqnum " + std::to_string(entry.seqnum) + ")");
      return;
    }
    if (entry.seqnum <= options_.after_seqnum) {
      ++result_.entries_skipped;
      return;
    }
    storage_.clear();
    xor_verifiable_ = true;
    std::size_t held = 0;
    std::uint64_t xor_seen = 0;
    bool all_fields_read = true;
    std::uint64_t zero_items = 0;
    const std::uint64_t n_items = items_bytes / item_size;
    for (std::uint64_t i = 0; i < n_items; ++i) {
      const std::uint8_t* item = io_.view(offset + entry_fixed_size + i * item_size, item_size);
      if (!item) {
        all_fields_read = false;
        break;
      }
      const std::uint64_t data_offset = compact_ ? le32(item) : le64(item);
      // Regular items repeat their DATA object's hash; compact ones leave it out.
      const std::uint64_t item_hash = compact_ ? 0 : le64(item + 8);
      if (data_offset == 0) {  // never written: journald was writing this entry
        ++zero_items;
        all_fields_read = false;
        ++result_.fields_dropped;
        continue;
      }
      Field f;
      // A field is "N=" at least: once the entry is full, the rest are dropped unread.
      if (held + 2 > options_.max_entry_bytes || !read_data(offset, data_offset, !compact_, item_hash, f) ||
          held + f.bytes.size() > options_.max_entry_bytes) {
        all_fields_read = false;
        ++result_.fields_dropped;
        continue;
      }
      held += f.bytes.size();
      xor_seen ^= f.xor_part;
      storage_.push_back(std::move(f.bytes));
    }
    const std::string unwritten =
        zero_items ? " (" + std::to_string(zero_items) + " items never written: the entry was being written)" : "";
    if (storage_.empty()) {
      ++result_.entries_damaged;
      problem(offset, "entry seqnum " + std::to_string(entry.seqnum) + " has no readable field" + unwritten);
      return;
    }
    if (!all_fields_read)
      problem(offset, "entry seqnum " + std::to_string(entry.seqnum) + " lost " +
                          std::to_string(n_items - storage_.size()) + " of " + std::to_string(n_items) + " fields" +
                          unwritten);
    else if (xor_verifiable_ && xor_seen != xor_hash)
      problem(offset, "entry seqnum " + std::to_string(entry.seqnum) + " fields do not match its xor_hash");
    entry.fields.reserve(storage_.size());
    for (const auto& s : storage_) entry.fields.emplace_back(s);
    if (!result_.entries) result_.first_byte = offset;
    result_.last_byte = offset + o.size - 1;
    ++result_.entries;
    on_entry_(entry);
  }

  struct Field {
    std::string bytes;          // what is delivered (at most max_field_bytes)
    std::uint64_t xor_part = 0; // this field's contribution to the entry's xor_hash
    bool verified = false;      // hashed in full and matching
  };

  Codec codec_of(std::uint8_t flags, std::uint64_t offset) {
    if (!flags) return Codec::none;
    const std::uint32_t needs = flags == compressed_xz ? incompatible_xz
                                : flags == compressed_lz4 ? incompatible_lz4 : incompatible_zstd;
    // A file may hold DATA compressed only with what its header declares; anything else is a
    // flipped flag byte, but the payload may still decode: try it and let the hash decide.
    if (!(header_.incompatible_flags & needs)) problem(offset, "compression the header does not declare");
    return flags == compressed_xz ? Codec::xz : flags == compressed_lz4 ? Codec::lz4 : Codec::zstd;
  }

  bool read_data(std::uint64_t entry_offset, std::uint64_t offset, bool check_item_hash, std::uint64_t item_hash,
                 Field& f) {
    if (offset < begin_ || offset % 8 != 0 || offset + object_header_size > end_) {
      problem(entry_offset, "entry item points outside the object area (to byte " + std::to_string(offset) + ")");
      return false;
    }
    const auto o = object_head(offset);
    if (!o || o->type != object_data || !plausible(offset, *o)) {
      problem(entry_offset, "entry item does not point at a DATA object (but at byte " + std::to_string(offset) + ")");
      return false;
    }
    const std::uint8_t* p = io_.view(offset, data_fixed_size);
    if (!p) return false;
    const std::uint64_t stored_hash = le64(p + 16);
    // A zero hash beside a written offset is an item torn while journald wrote it (seen in an
    // online file): the DATA object's own hash still has to match its payload.
    if (check_item_hash && item_hash != 0 && item_hash != stored_hash) {
      problem(offset, "DATA object hash differs from the entry item's");
      return false;
    }
    const std::uint64_t payload_offset = offset + data_fixed_size + (compact_ ? 8 : 0);
    const std::uint64_t payload_size = o->size - (payload_offset - offset);
    CachedData& slot = data_cache_[cache_index(offset)];
    if (slot.offset == offset) return from_cache(slot, o->flags, payload_offset, payload_size, f);
    const Codec codec = codec_of(o->flags, offset);
    const bool ok = decode_field(offset, codec, payload_offset, payload_size, stored_hash, f);
    slot.offset = offset;
    slot.verdict = !ok ? Verdict::bad : f.verified ? Verdict::verified : Verdict::unverified;
    slot.xor_part = f.xor_part;
    slot.has_bytes = ok && f.bytes.size() <= cached_bytes_max;
    if (slot.has_bytes) slot.bytes.assign(f.bytes);
    else slot.bytes.clear();
    return ok;
  }

  enum class Verdict : std::uint8_t { bad, verified, unverified };
  struct CachedData {
    std::uint64_t offset = 0;  // 0: empty (no object starts at 0)
    Verdict verdict = Verdict::bad;
    bool has_bytes = false;
    std::uint64_t xor_part = 0;
    std::string bytes;
  };

  static std::size_t cache_index(std::uint64_t offset) {
    return static_cast<std::size_t>(((offset >> 3) * 0x9E3779B97F4A7C15ull) >> 52) % data_cache_slots;
  }

  // A DATA object seen before: its verdict stands (its problem was reported the first time);
  // a payload too large to keep is decoded again, only as far as it is delivered.
  bool from_cache(const CachedData& slot, std::uint8_t flags, std::uint64_t payload_offset, std::uint64_t payload_size,
                  Field& f) {
    if (slot.verdict == Verdict::bad) return false;
    if (slot.verdict == Verdict::unverified) {
      ++result_.fields_unverified;
      xor_verifiable_ = false;
    }
    f.xor_part = slot.xor_part;
    f.verified = slot.verdict == Verdict::verified;
    if (slot.has_bytes) {
      f.bytes.assign(slot.bytes);
      return true;
    }
    const Codec codec = !flags ? Codec::none
                        : flags == compressed_xz ? Codec::xz : flags == compressed_lz4 ? Codec::lz4 : Codec::zstd;
    const std::size_t keep = options_.max_field_bytes;
    decoder_.start(io_, codec, payload_offset, payload_size, keep, 0);
    f.bytes.resize(keep);
    const std::size_t n = decoder_.fill(reinterpret_cast<std::uint8_t*>(f.bytes.data()), keep);
    f.bytes.resize(n);
    return !decoder_.error() && n > 0;
  }

  // Decompresses the payload in chunks: keeps the first max_field_bytes and hashes all of it
  // (within hash_budget) to compare with the DATA object's stored hash.
  bool decode_field(std::uint64_t offset, Codec codec, std::uint64_t payload_offset, std::uint64_t payload_size,
                    std::uint64_t stored_hash, Field& f) {
    const std::size_t keep = options_.max_field_bytes;
    const std::uint64_t limit = std::min(hash_budget, work_left_);
    decoder_.start(io_, codec, payload_offset, payload_size, keep, limit);
    std::optional<std::uint64_t> total = decoder_.announced_size();
    const bool keyed = header_.keyed_hash();
    // Jenkins needs the length first; an xz payload announces none: measure it in a first pass.
    bool over_budget = false;
    if (!total && !decoder_.error()) total = measure(codec, payload_offset, payload_size, keep, limit, over_budget);
    if (decoder_.error()) {
      problem(offset, std::string("DATA payload: ") + decoder_.error());
      return false;
    }
    if (total && *total <= hash_budget && *total > limit) over_budget = true;  // limit < hash_budget
    if (over_budget) budget_spent(offset);
    const bool hashable = total && *total <= limit && !decoder_.prefix_only();
    salvage::Jenkins64 jenkins(hashable ? *total : 0);
    salvage::SipHash24 sip(header_.file_id);
    f.bytes.clear();
    std::uint64_t produced = 0;
    chunk_.resize(64 * 1024);
    for (;;) {
      if (!hashable && produced >= keep) break;
      const std::size_t n = decoder_.read(chunk_.data(), chunk_.size());
      if (n == 0) break;
      if (f.bytes.size() < keep) f.bytes.append(reinterpret_cast<const char*>(chunk_.data()), std::min(n, keep - f.bytes.size()));
      if (hashable) {
        jenkins.update(chunk_.data(), n);
        if (keyed) sip.update(chunk_.data(), n);
      }
      produced += n;
      if (produced > hash_budget && hashable) break;
    }
    spend(produced);
    if (decoder_.error()) {
      problem(offset, std::string("DATA payload: ") + decoder_.error());
      return false;
    }
    const std::size_t eq = f.bytes.find('=');
    if (eq == std::string::npos || !valid_journal_field_name(std::string_view(f.bytes).substr(0, eq))) {
      problem(offset, "DATA payload is not a NAME=value field");
      return false;
    }
    if (!hashable) {
      ++result_.fields_unverified;
      xor_verifiable_ = false;
      return true;
    }
    bool complete = false;
    const std::uint64_t jh = jenkins.finish(&complete);
    if (!complete || !decoder_.finished()) {
      problem(offset, "DATA payload shorter or longer than it announces");
      return false;
    }
    const std::uint64_t h = keyed ? sip.finish() : jh;
    if (h != stored_hash) {
      problem(offset, "DATA payload does not match its hash");
      return false;
    }
    // xor_hash: Jenkins of every field even in keyed-hash files (journal_file_append_entry).
    f.xor_part = jh;
    f.verified = true;
    return true;
  }

  // Decodes the payload once to learn its size (at most limit bytes), then starts it again.
  std::optional<std::uint64_t> measure(Codec codec, std::uint64_t payload_offset, std::uint64_t payload_size,
                                       std::size_t keep, std::uint64_t limit, bool& over_budget) {
    std::uint64_t total = 0;
    chunk_.resize(64 * 1024);
    for (;;) {
      const std::size_t n = decoder_.read(chunk_.data(), chunk_.size());
      if (n == 0) break;
      total += n;
      if (total > limit) break;
    }
    spend(total);
    if (decoder_.error()) return std::nullopt;
    const bool whole = decoder_.finished();
    if (!whole && total > limit && limit < hash_budget) over_budget = true;
    decoder_.start(io_, codec, payload_offset, payload_size, keep, limit);
    if (!whole) return std::nullopt;
    return total;
  }

  void spend(std::uint64_t bytes) { work_left_ -= std::min(work_left_, bytes); }

  void budget_spent(std::uint64_t offset) {
    if (budget_reported_) return;
    budget_reported_ = true;
    problem(offset, "decompression work limit reached (DATA objects that inflate far beyond the file's size): "
                    "later fields are delivered cut and unverified");
  }

  FileWindows io_;
  const SalvageOptions& options_;
  const std::function<void(const SalvagedEntry&)>& on_entry_;
  SalvageResult result_;
  JournalHeader header_;
  std::uint64_t begin_ = 0, end_ = 0;
  bool compact_ = false;
  // The xor_hash is compared only when every field of the entry could be hashed.
  bool xor_verifiable_ = true;
  PayloadDecoder decoder_;
  std::uint64_t work_left_ = 0;  // payload bytes the reader may still decompress and hash
  bool budget_reported_ = false;
  std::vector<CachedData> data_cache_;
  std::vector<std::string> storage_;
  std::vector<std::uint8_t> chunk_;
};

}  // namespace

std::optional<JournalHeader> parse_journal_header(std::string_view b, std::string* why) {
  auto fail = [&](const char* reason) -> std::optional<JournalHeader> {
    if (why) *why = reason;
    return std::nullopt;
  };
  if (b.size() < 8 || b.substr(0, 8) != "LPKSHHRH") return fail("not a journal file (no LPKSHHRH signature)");
  if (b.size() < min_header_size) return fail("journal header cut short");
  const auto* p = reinterpret_cast<const std::uint8_t*>(b.data());
  JournalHeader h;
  h.compatible_flags = le32(p + 8);
  h.incompatible_flags = le32(p + 12);
  h.state = p[16];
  std::memcpy(h.file_id.data(), p + 24, 16);
  std::memcpy(h.machine_id.data(), p + 40, 16);
  std::memcpy(h.seqnum_id.data(), p + 72, 16);
  h.header_size = le64(p + 88);
  h.arena_size = le64(p + 96);
  h.tail_object_offset = le64(p + 136);
  h.n_objects = le64(p + 144);
  h.n_entries = le64(p + 152);
  h.tail_entry_seqnum = le64(p + 160);
  h.head_entry_seqnum = le64(p + 168);
  h.head_entry_realtime = le64(p + 184);
  h.tail_entry_realtime = le64(p + 192);
  return h;
}

SalvageResult salvage_journal(int fd, const SalvageOptions& options,
                              const std::function<void(const SalvagedEntry&)>& on_entry) {
  struct stat st {};
  if (::fstat(fd, &st) != 0 || st.st_size < 0) {
    SalvageResult r;
    r.problem_count = 1;
    r.problems.push_back("cannot stat the file");
    return r;
  }
  Salvager salvager(fd, static_cast<std::uint64_t>(st.st_size), options, on_entry);
  return salvager.run();
}

}  // namespace crashsift::input
