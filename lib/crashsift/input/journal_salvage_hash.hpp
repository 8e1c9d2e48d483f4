#pragma once
// The two hash functions of the journal file format (systemd's docs/JOURNAL_FILE_FORMAT.md,
// "Basics"), computed incrementally so a payload can be hashed while it is decompressed in
// chunks: Jenkins lookup3 `jenkins_hashlittle2` (first result word as the high half, as
// systemd's jenkins_hash64 does) for files without HEADER_INCOMPATIBLE_KEYED_HASH and for every
// ENTRY's xor_hash, and SipHash-2-4 keyed with the header's file_id for keyed-hash files.
#include <array>
#include <cstddef>
#include <cstdint>

namespace crashsift::input::salvage {

// lookup3 mixes 12-byte blocks and treats the last 1..12 bytes specially, and the length is
// part of the initial state: the total length must be known before the first byte.
class Jenkins64 {
 public:
  explicit Jenkins64(std::uint64_t total_length);
  void update(const std::uint8_t* p, std::size_t n);
  // The hash; *complete is false when fewer or more bytes than announced were given.
  std::uint64_t finish(bool* complete = nullptr);

 private:
  void block(const std::uint8_t* p);
  std::uint32_t a_, b_, c_;
  std::uint64_t total_, seen_ = 0;  // seen_: bytes mixed or buffered
  std::array<std::uint8_t, 12> buf_{};
  std::size_t buffered_ = 0;
  bool overrun_ = false;
};

class SipHash24 {
 public:
  explicit SipHash24(const std::array<std::uint8_t, 16>& key);
  void update(const std::uint8_t* p, std::size_t n);
  std::uint64_t finish();

 private:
  void compress(std::uint64_t m);
  std::uint64_t v0_, v1_, v2_, v3_;
  std::array<std::uint8_t, 8> buf_{};
  std::size_t buffered_ = 0;
  std::uint64_t length_ = 0;
};

std::uint64_t jenkins_hash64(const void* data, std::size_t n);
std::uint64_t siphash24(const void* data, std::size_t n, const std::array<std::uint8_t, 16>& key);

}  // namespace crashsift::input::salvage
