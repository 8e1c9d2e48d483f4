// The salvage reader against libsystemd on a journal written by real journald (systemd 252,
// compact, keyed hash, one zstd-compressed field): on the intact file both must read the same
// entries field for field; on damaged copies the salvage reader must keep every entry the
// damage did not touch and say where it stopped.
#include "crashsift/input/journal_salvage.hpp"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <lzma.h>
#include <systemd/sd-journal.h>
#include <unistd.h>
#include <zstd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "crashsift/input/journal_salvage_hash.hpp"
#include "support/journal_copy.hpp"

using namespace crashsift::input;
using crashsift::test::JournalCopy;
using crashsift::test::lab_journal;

namespace {

struct Entry {
  std::uint64_t seqnum = 0, realtime = 0;
  std::vector<std::string> fields;  // sorted
};

std::vector<Entry> read_with_libsystemd(const std::string& path) {
  sd_journal* j = nullptr;
  const char* paths[] = {path.c_str(), nullptr};
  REQUIRE(sd_journal_open_files(&j, paths, 0) == 0);
  sd_journal_set_data_threshold(j, 0);
  std::vector<Entry> out;
  while (sd_journal_next(j) > 0) {
    Entry e;
    sd_journal_get_realtime_usec(j, &e.realtime);
    const void* d;
    size_t n;
    SD_JOURNAL_FOREACH_DATA(j, d, n) e.fields.emplace_back(static_cast<const char*>(d), n);
    std::sort(e.fields.begin(), e.fields.end());
    out.push_back(std::move(e));
  }
  sd_journal_close(j);
  return out;
}

struct Salvaged {
  SalvageResult result;
  std::vector<Entry> entries;
};

Salvaged salvage_file(const std::string& path, SalvageOptions options = {}) {
  options.max_field_bytes = 1u << 20;
  Salvaged s;
  const int fd = ::open(path.c_str(), O_RDONLY);
  REQUIRE(fd >= 0);
  s.result = salvage_journal(fd, options, [&](const SalvagedEntry& se) {
    Entry e;
    e.seqnum = se.seqnum;
    e.realtime = se.realtime;
    for (auto f : se.fields) e.fields.emplace_back(f);
    std::sort(e.fields.begin(), e.fields.end());
    s.entries.push_back(std::move(e));
  });
  ::close(fd);
  return s;
}

std::uint64_t le64_at(const std::string& b, std::size_t off) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = v << 8 | static_cast<std::uint8_t>(b[off + i]);
  return v;
}

// Offsets of the objects of one type, walking the intact file.
std::vector<std::size_t> objects_of_type(const std::string& b, std::uint8_t type) {
  std::vector<std::size_t> out;
  std::size_t off = le64_at(b, 88);
  while (off + 16 <= b.size()) {
    const std::uint64_t size = le64_at(b, off + 8);
    if (size == 0) break;
    if (static_cast<std::uint8_t>(b[off]) == type) out.push_back(off);
    off = (off + size + 7) & ~std::size_t{7};
  }
  return out;
}

bool same_entry(const Entry& a, const Entry& b) { return a.realtime == b.realtime && a.fields == b.fields; }

void put_le64(std::string& b, std::size_t off, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) b[off + i] = static_cast<char>(v >> (8 * i));
}

// A regular (not compact), Jenkins-hashed journal laid out by hand: header, DATA objects,
// ENTRY objects; no hash tables or entry arrays (libsystemd will not read it, salvage must).
struct HandMadeJournal {
  std::string bytes = std::string(272, '\0');
  HandMadeJournal() {
    bytes.replace(0, 8, "LPKSHHRH");
    put_le64(bytes, 8, std::uint64_t{8} << 32);  // incompatible flags: zstd
    put_le64(bytes, 88, 272);
  }
  std::size_t put(const std::string& object) {
    const std::size_t off = bytes.size();
    bytes += object;
    bytes.resize((bytes.size() + 7) & ~std::size_t{7}, '\0');
    put_le64(bytes, 96, bytes.size() - 272);
    put_le64(bytes, 136, off);
    return off;
  }
  static std::string head(std::uint8_t type, std::uint8_t flags, std::size_t size) {
    std::string h(16, '\0');
    h[0] = static_cast<char>(type);
    h[1] = static_cast<char>(flags);
    put_le64(h, 8, size);
    return h;
  }
  // A zstd-compressed DATA object holding `payload`, with its true hash.
  std::size_t zstd_data(const std::string& payload, std::uint64_t& hash) {
    std::string z(ZSTD_compressBound(payload.size()), '\0');
    z.resize(ZSTD_compress(z.data(), z.size(), payload.data(), payload.size(), 1));
    hash = crashsift::input::salvage::jenkins_hash64(payload.data(), payload.size());
    std::string fixed(48, '\0');
    put_le64(fixed, 0, hash);
    put_le64(fixed, 40, 1);
    return put(head(1, 4, 16 + 48 + z.size()) + fixed + z);
  }
  void entry(std::uint64_t seqnum, const std::vector<std::pair<std::size_t, std::uint64_t>>& items) {
    std::string e(48, '\0');
    put_le64(e, 0, seqnum);
    put_le64(e, 8, 1795420661617199 + seqnum);
    put_le64(e, 16, 1000 + seqnum);
    for (const auto& [off, hash] : items) {
      std::string item(16, '\0');
      put_le64(item, 0, off);
      put_le64(item, 8, hash);
      e += item;
    }
    put(head(3, 0, 16 + e.size()) + e);
  }
};

// 32 MiB that zstd packs into a few KiB.
std::string inflating_payload(char fill) { return "MESSAGE=" + std::string((32u << 20) - 8, fill); }

}  // namespace

TEST_CASE("salvage: an intact journald file reads exactly as libsystemd reads it") {
  JournalCopy copy(lab_journal());
  const auto expected = read_with_libsystemd(copy.path);
  const auto got = salvage_file(copy.path);
  REQUIRE(expected.size() == 436);
  CHECK(got.result.header_valid);
  CHECK(got.result.problem_count == 0);
  CHECK(got.result.entries_damaged == 0);
  CHECK(got.result.fields_dropped == 0);
  REQUIRE(got.entries.size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    INFO("entry " << i);
    CHECK(same_entry(got.entries[i], expected[i]));
  }
  // every seqnum ascending: the file order of one journal file
  CHECK(std::is_sorted(got.entries.begin(), got.entries.end(),
                       [](const Entry& a, const Entry& b) { return a.seqnum < b.seqnum; }));
}

TEST_CASE("salvage: the zstd-compressed field is decompressed and verified") {
  JournalCopy copy(lab_journal());
  const auto got = salvage_file(copy.path);
  std::size_t longest = 0;
  for (const auto& e : got.entries)
    for (const auto& f : e.fields) longest = std::max(longest, f.size());
  // journald compresses payloads above 512 bytes; the lab file holds one such field
  CHECK(longest > 512);
  CHECK(got.result.fields_unverified == 0);
}

TEST_CASE("salvage: after_seqnum skips what libsystemd already delivered") {
  JournalCopy copy(lab_journal());
  const auto all = salvage_file(copy.path);
  REQUIRE(all.entries.size() > 100);
  SalvageOptions options;
  options.after_seqnum = all.entries[99].seqnum;
  const auto rest = salvage_file(copy.path, options);
  CHECK(rest.result.entries_skipped == 100);
  REQUIRE(rest.entries.size() == all.entries.size() - 100);
  CHECK(rest.entries.front().seqnum == all.entries[100].seqnum);
}

TEST_CASE("salvage: a file cut mid-object keeps every entry before the cut and names the cut") {
  const std::string& intact = lab_journal();
  const auto entries = objects_of_type(intact, 3);
  REQUIRE(entries.size() == 436);
  const std::size_t cut = entries[300] + 20;  // inside ENTRY 300
  JournalCopy copy(intact.substr(0, cut));
  JournalCopy whole(intact);
  const auto expected = read_with_libsystemd(whole.path);
  const auto got = salvage_file(copy.path);
  REQUIRE(got.entries.size() == 300);
  for (std::size_t i = 0; i < 300; ++i) CHECK(same_entry(got.entries[i], expected[i]));
  CHECK(got.result.problem_count >= 1);
  REQUIRE(!got.result.problems.empty());
  CHECK(got.result.problems.back().find("cut short") != std::string::npos);
  CHECK(got.result.first_byte == entries[0]);
  CHECK(got.result.last_byte < cut);
}

TEST_CASE("salvage: a flipped DATA payload drops that field, keeps the entry and the rest of the file") {
  std::string damaged = lab_journal();
  const auto data = objects_of_type(damaged, 1);
  REQUIRE(data.size() > 600);
  const std::size_t victim = data[600];
  // the payload's last byte (compact DATA: payload at +72), in the value, after the '='
  damaged[victim + le64_at(damaged, victim + 8) - 1] ^= 0x01;
  JournalCopy copy(damaged);
  const auto got = salvage_file(copy.path);
  CHECK(got.result.fields_dropped >= 1);
  CHECK(got.result.entries_damaged == 0);
  CHECK(got.entries.size() == 436);
  bool named = false;
  for (const auto& p : got.result.problems)
    named |= p.find("at byte " + std::to_string(victim)) != std::string::npos && p.find("hash") != std::string::npos;
  CHECK(named);
}

TEST_CASE("salvage: a smashed object header is skipped by resynchronising on the next object") {
  std::string damaged = lab_journal();
  const auto arrays = objects_of_type(damaged, 6);
  REQUIRE(arrays.size() > 300);
  const std::size_t victim = arrays[300];
  for (std::size_t i = 0; i < 16; ++i) damaged[victim + i] = static_cast<char>(0xA5);
  JournalCopy copy(damaged);
  const auto got = salvage_file(copy.path);
  CHECK(got.entries.size() == 436);  // an ENTRY_ARRAY holds no entry data
  REQUIRE(!got.result.problems.empty());
  CHECK(got.result.problems.front().find("at byte " + std::to_string(victim)) != std::string::npos);
}

TEST_CASE("salvage: not a journal, or a header cut short, recovers nothing and says why") {
  JournalCopy text(std::string("hello, not a journal\n"));
  auto got = salvage_file(text.path);
  CHECK_FALSE(got.result.header_valid);
  CHECK(got.entries.empty());
  REQUIRE(!got.result.problems.empty());
  CHECK(got.result.problems[0].find("LPKSHHRH") != std::string::npos);

  JournalCopy stub(lab_journal().substr(0, 100));
  got = salvage_file(stub.path);
  CHECK(got.entries.empty());
  REQUIRE(!got.result.problems.empty());
  CHECK(got.result.problems[0].find("cut short") != std::string::npos);
}

TEST_CASE("salvage hashes: lookup3 and SipHash-2-4 known answers, streaming equals one-shot") {
  using namespace crashsift::input::salvage;
  // lookup3.c's driver: hashlittle2("Four score and seven years ago", 30, 0, 0) -> c=17770551, b=ce7226e6
  const char* text = "Four score and seven years ago";
  CHECK(jenkins_hash64(text, 30) == 0x17770551ce7226e6ull);
  // SipHash-2-4 reference vector: key 00..0f, message 00..0e -> a129ca6149be45e5
  std::array<std::uint8_t, 16> key{};
  std::uint8_t msg[15];
  for (int i = 0; i < 16; ++i) key[i] = static_cast<std::uint8_t>(i);
  for (int i = 0; i < 15; ++i) msg[i] = static_cast<std::uint8_t>(i);
  CHECK(siphash24(msg, 15, key) == 0xa129ca6149be45e5ull);
  std::string long_text(1000, 'x');
  for (std::size_t i = 0; i < long_text.size(); ++i) long_text[i] = static_cast<char>('a' + i % 26);
  for (std::size_t step : {1u, 5u, 12u, 13u, 64u}) {
    Jenkins64 j(long_text.size());
    SipHash24 s(key);
    for (std::size_t i = 0; i < long_text.size(); i += step) {
      const std::size_t n = std::min(step, long_text.size() - i);
      j.update(reinterpret_cast<const std::uint8_t*>(long_text.data() + i), n);
      s.update(reinterpret_cast<const std::uint8_t*>(long_text.data() + i), n);
    }
    bool complete = false;
    CHECK(j.finish(&complete) == jenkins_hash64(long_text.data(), long_text.size()));
    CHECK(complete);
    CHECK(s.finish() == siphash24(long_text.data(), long_text.size(), key));
  }
}

TEST_CASE("salvage: a DATA object that many items point at is decompressed and verified once") {
  HandMadeJournal j;
  std::uint64_t hash = 0;
  const std::size_t data = j.zstd_data(inflating_payload('A'), hash);
  REQUIRE(j.bytes.size() < 64 * 1024);
  j.entry(1, std::vector<std::pair<std::size_t, std::uint64_t>>(3000, {data, hash}));
  JournalCopy copy(j.bytes);
  SalvageOptions options;
  // Room for one full decompression: verifying each item again would run out and say so.
  options.max_work_bytes = 40u << 20;
  options.max_entry_bytes = 8u << 20;
  const auto got = salvage_file(copy.path, options);
  REQUIRE(got.entries.size() == 1);
  CHECK(got.entries[0].fields.size() == 8);  // 1 MiB delivered of each, 8 MiB per entry
  CHECK(got.result.fields_dropped == 3000 - 8);
  CHECK(got.result.fields_unverified == 0);
  for (const auto& p : got.result.problems) CHECK(p.find("work limit") == std::string::npos);
}

TEST_CASE("salvage: DATA objects that inflate past the work limit are delivered cut and unverified") {
  HandMadeJournal j;
  std::vector<std::pair<std::size_t, std::uint64_t>> items;
  for (char c : {'A', 'B', 'C', 'D'}) {
    std::uint64_t hash = 0;
    const std::size_t off = j.zstd_data(inflating_payload(c), hash);
    items.emplace_back(off, hash);
  }
  j.entry(1, items);
  JournalCopy copy(j.bytes);
  SalvageOptions options;
  options.max_work_bytes = 40u << 20;  // one of the four
  const auto got = salvage_file(copy.path, options);
  REQUIRE(got.entries.size() == 1);
  CHECK(got.entries[0].fields.size() == 4);
  CHECK(got.result.fields_unverified == 3);
  CHECK(got.result.fields_dropped == 0);
  CHECK(got.result.problem_count == 1);
  REQUIRE(!got.result.problems.empty());
  CHECK(got.result.problems[0].find("work limit") != std::string::npos);
}

TEST_CASE("salvage: objects past zeros after a stale tail_object_offset are still read") {
  // journald updates the header's tail in the same mapping as the objects: after a crash the
  // header may lag behind objects that did reach the disk, with a torn page of zeros between.
  std::string damaged = lab_journal();
  const auto arrays = objects_of_type(damaged, 6);
  REQUIRE(arrays.size() > 300);
  const std::size_t victim = arrays[300];
  std::fill(damaged.begin() + victim, damaged.begin() + victim + 16, '\0');
  put_le64(damaged, 136, arrays[299]);
  JournalCopy copy(damaged);
  const auto got = salvage_file(copy.path);
  CHECK(got.entries.size() == 436);
  REQUIRE(!got.result.problems.empty());
  CHECK(got.result.problems[0].find("at byte " + std::to_string(victim)) != std::string::npos);
  CHECK(got.result.problems[0].find("tail") != std::string::npos);
}

TEST_CASE("salvage: an entry torn while journald wrote it keeps the items that were written") {
  // Seen in systemd's test journals (an online user journal): the last entry's final items are
  // zero, one of them with its offset written and its hash still zero.
  HandMadeJournal j;
  std::uint64_t h1 = 0, h2 = 0, h3 = 0;
  const std::size_t d1 = j.zstd_data("MESSAGE=torn", h1);
  const std::size_t d2 = j.zstd_data("PRIORITY=3", h2);
  const std::size_t d3 = j.zstd_data("UNIT=x.service", h3);
  j.entry(1, {{d1, h1}, {d3, h3 ^ 1}, {d2, 0}, {0, 0}, {0, 0}});
  JournalCopy copy(j.bytes);
  const auto got = salvage_file(copy.path);
  REQUIRE(got.entries.size() == 1);
  CHECK(got.entries[0].fields == std::vector<std::string>{"MESSAGE=torn", "PRIORITY=3"});
  CHECK(got.result.fields_dropped == 3);  // the two zero items and the one whose hash differs
  bool named = false;
  for (const auto& p : got.result.problems) named |= p.find("lost 3 of 5 fields (2 items never written") != std::string::npos;
  CHECK(named);
}
