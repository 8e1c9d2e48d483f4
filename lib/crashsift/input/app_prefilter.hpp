#pragma once
// A multi-needle substring prefilter for app log lines: "can this line be a sample, an error
// or a lifecycle event?". Most lines of a busy app log are neither, and deciding that without
// a JSON parse is what makes reading 1 GiB cost about as much as memchr over it.
//
// Implementation: the "Teddy" idea from Hyperscan. Each needle's first three bytes are split
// into nibbles; three pshufb lookups per 32-byte (AVX2) or 16-byte (SSSE3) block give, for every position, the set
// of needle buckets whose 3-byte fingerprint starts there. Only those positions are verified
// with memcmp. Without SSSE3 the same question is answered with memmem per needle.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace crashsift::input {

class AppPrefilter {
 public:
  // Needles are grouped in up to 8 buckets; each needle must be 3 to 8 bytes long (so that a
  // candidate is verified with one 8-byte load and compare).
  void add(unsigned bucket, std::string_view needle);
  // True when some needle occurs in `text`. Reads up to 34 bytes past text.end(): the caller
  // guarantees that padding (LineReader keeps 64 bytes after each line).
  bool matches(std::string_view text) const;
  // Same, via memmem only (no padding needed): the reference the SIMD path is tested against.
  bool matches_scalar(std::string_view text) const;
  // The default needle set for app logs (memory fields, error words, start markers).
  static AppPrefilter for_app_logs();

 private:
  struct Needle {
    std::uint64_t value = 0, mask = 0;
    std::uint8_t len = 0;
  };
  bool verify(const char* at, const char* end, unsigned bucket_mask) const;
  std::array<std::vector<Needle>, 8> buckets_;
  std::vector<std::string> all_;   // for matches_scalar
  alignas(16) std::array<std::array<std::uint8_t, 16>, 3> lo_{}, hi_{};
};

}  // namespace crashsift::input
