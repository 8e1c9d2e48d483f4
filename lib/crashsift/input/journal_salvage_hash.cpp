#include "crashsift/input/journal_salvage_hash.hpp"

#include <algorithm>
#include <cstring>

namespace crashsift::input::salvage {
namespace {

std::uint32_t le32(const std::uint8_t* p) {
  return static_cast<std::uint32_t>(p[0]) | static_cast<std::uint32_t>(p[1]) << 8 |
         static_cast<std::uint32_t>(p[2]) << 16 | static_cast<std::uint32_t>(p[3]) << 24;
}

std::uint64_t le64(const std::uint8_t* p) {
  return static_cast<std::uint64_t>(le32(p)) | static_cast<std::uint64_t>(le32(p + 4)) << 32;
}

constexpr std::uint32_t rot32(std::uint32_t x, int k) { return (x << k) | (x >> (32 - k)); }
constexpr std::uint64_t rot64(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

// lookup3.c mix() and final(), verbatim in meaning.
void mix(std::uint32_t& a, std::uint32_t& b, std::uint32_t& c) {
  a -= c; a ^= rot32(c, 4);  c += b;
  b -= a; b ^= rot32(a, 6);  a += c;
  c -= b; c ^= rot32(b, 8);  b += a;
  a -= c; a ^= rot32(c, 16); c += b;
  b -= a; b ^= rot32(a, 19); a += c;
  c -= b; c ^= rot32(b, 4);  b += a;
}

void final_mix(std::uint32_t& a, std::uint32_t& b, std::uint32_t& c) {
  c ^= b; c -= rot32(b, 14);
  a ^= c; a -= rot32(c, 11);
  b ^= a; b -= rot32(a, 25);
  c ^= b; c -= rot32(b, 16);
  a ^= c; a -= rot32(c, 4);
  b ^= a; b -= rot32(a, 14);
  c ^= b; c -= rot32(b, 24);
}

}  // namespace

Jenkins64::Jenkins64(std::uint64_t total_length) : total_(total_length) {
  // jenkins_hash64 starts hashlittle2 with *pc = *pb = 0; the length enters as a uint32_t.
  a_ = b_ = c_ = 0xdeadbeefu + static_cast<std::uint32_t>(total_length);
}

void Jenkins64::block(const std::uint8_t* p) {
  a_ += le32(p);
  b_ += le32(p + 4);
  c_ += le32(p + 8);
  mix(a_, b_, c_);
}

void Jenkins64::update(const std::uint8_t* p, std::size_t n) {
  if (overrun_) return;
  if (n > total_ - seen_) {  // more than announced: the hash cannot match
    overrun_ = true;
    return;
  }
  while (n > 0) {
    if (buffered_ == 0) {
      // A 12-byte block is mixed unless it is the last one (the last 1..12 bytes go to final).
      while (n >= 12 && seen_ + 12 < total_) {
        block(p);
        p += 12;
        n -= 12;
        seen_ += 12;
      }
      if (n == 0) break;
    }
    const std::size_t k = std::min<std::size_t>(12 - buffered_, n);
    std::memcpy(buf_.data() + buffered_, p, k);
    buffered_ += k;
    p += k;
    n -= k;
    seen_ += k;
    if (buffered_ == 12 && seen_ < total_) {
      block(buf_.data());
      buffered_ = 0;
    }
  }
}

std::uint64_t Jenkins64::finish(bool* complete) {
  if (complete) *complete = !overrun_ && seen_ == total_;
  std::uint32_t a = a_, b = b_, c = c_;
  if (total_ > 0) {
    std::array<std::uint8_t, 12> last{};
    std::memcpy(last.data(), buf_.data(), buffered_);
    a += le32(last.data());
    b += le32(last.data() + 4);
    c += le32(last.data() + 8);
    final_mix(a, b, c);
  }
  return static_cast<std::uint64_t>(c) << 32 | b;
}

SipHash24::SipHash24(const std::array<std::uint8_t, 16>& key) {
  const std::uint64_t k0 = le64(key.data()), k1 = le64(key.data() + 8);
  v0_ = k0 ^ 0x736f6d6570736575ull;
  v1_ = k1 ^ 0x646f72616e646f6dull;
  v2_ = k0 ^ 0x6c7967656e657261ull;
  v3_ = k1 ^ 0x7465646279746573ull;
}

namespace {
void sipround(std::uint64_t& v0, std::uint64_t& v1, std::uint64_t& v2, std::uint64_t& v3) {
  v0 += v1; v1 = rot64(v1, 13); v1 ^= v0; v0 = rot64(v0, 32);
  v2 += v3; v3 = rot64(v3, 16); v3 ^= v2;
  v0 += v3; v3 = rot64(v3, 21); v3 ^= v0;
  v2 += v1; v1 = rot64(v1, 17); v1 ^= v2; v2 = rot64(v2, 32);
}
}  // namespace

void SipHash24::compress(std::uint64_t m) {
  v3_ ^= m;
  sipround(v0_, v1_, v2_, v3_);
  sipround(v0_, v1_, v2_, v3_);
  v0_ ^= m;
}

void SipHash24::update(const std::uint8_t* p, std::size_t n) {
  length_ += n;
  if (buffered_ > 0) {
    const std::size_t k = std::min<std::size_t>(8 - buffered_, n);
    std::memcpy(buf_.data() + buffered_, p, k);
    buffered_ += k;
    p += k;
    n -= k;
    if (buffered_ < 8) return;
    compress(le64(buf_.data()));
    buffered_ = 0;
  }
  for (; n >= 8; p += 8, n -= 8) compress(le64(p));
  std::memcpy(buf_.data(), p, n);
  buffered_ = n;
}

std::uint64_t SipHash24::finish() {
  std::uint64_t b = length_ << 56;
  for (std::size_t i = 0; i < buffered_; ++i) b |= static_cast<std::uint64_t>(buf_[i]) << (8 * i);
  compress(b);
  v2_ ^= 0xff;
  for (int i = 0; i < 4; ++i) sipround(v0_, v1_, v2_, v3_);
  return v0_ ^ v1_ ^ v2_ ^ v3_;
}

std::uint64_t jenkins_hash64(const void* data, std::size_t n) {
  Jenkins64 h(n);
  h.update(static_cast<const std::uint8_t*>(data), n);
  return h.finish();
}

std::uint64_t siphash24(const void* data, std::size_t n, const std::array<std::uint8_t, 16>& key) {
  SipHash24 h(key);
  h.update(static_cast<const std::uint8_t*>(data), n);
  return h.finish();
}

}  // namespace crashsift::input::salvage
