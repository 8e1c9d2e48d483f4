#include "crashsift/input/app_prefilter.hpp"

#include <cstring>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define CRASHSIFT_TEDDY 1
#else
#define CRASHSIFT_TEDDY 0
#endif

namespace crashsift::input {

// pino and bunyan-as-pino write `{"level":50,` first: an error or fatal line by level alone.
static bool numeric_error_level_first(std::string_view t) {
  return t.size() > 10 && std::memcmp(t.data(), "{\"level\":", 9) == 0 && (t[9] == '5' || t[9] == '6');
}


void AppPrefilter::add(unsigned bucket, std::string_view needle) {
  if (bucket >= buckets_.size() || needle.size() < 3 || needle.size() > 8) return;
  Needle n;
  std::memcpy(&n.value, needle.data(), needle.size());
  n.mask = needle.size() == 8 ? ~std::uint64_t{0} : (std::uint64_t{1} << (8 * needle.size())) - 1;
  n.len = static_cast<std::uint8_t>(needle.size());
  buckets_[bucket].push_back(n);
  all_.emplace_back(needle);
  const auto bit = static_cast<std::uint8_t>(1u << bucket);
  for (size_t k = 0; k < 3; ++k) {
    const auto c = static_cast<unsigned char>(needle[k]);
    lo_[k][c & 0xF] |= bit;
    hi_[k][c >> 4] |= bit;
  }
}

// Buckets are chosen so that each bucket's needles share nibbles: the nibble tables of a bucket
// OR its needles together, and a bucket mixing unrelated words ("fatal" with "panic" and
// "emerg") fires on common text ("sat", "equ") several times per line.
AppPrefilter AppPrefilter::for_app_logs() {
  AppPrefilter f;
  // Memory fields: rss, rss_bytes, rssMB, memory.rss, heapUsed, heap_used.
  for (auto n : {"rss", "RSS"}) f.add(0, n);
  for (auto n : {"heap", "Heap"}) f.add(1, n);
  // Error words in levels, event names and error objects. pino's numeric levels 50/60 are
  // checked at the line start (matches()): a "level\":5" needle would fire on every line.
  for (auto n : {"rror", "RROR", "crit", "CRIT"}) f.add(2, n);
  for (auto n : {"fatal", "Fatal", "FATAL"}) f.add(3, n);
  for (auto n : {"ncaught", "nhandled", "panic"}) f.add(4, n);   // uncaught*, unhandled*, zap panic
  for (auto n : {"rejected", "Rejected", "isten"}) f.add(5, n);  // rejections; "listening"
  // Start markers: cold_start, coldStart, boot, startup, started.
  for (auto n : {"cold", "Cold", "COLD", "boot", "Boot", "BOOT"}) f.add(6, n);
  for (auto n : {"tart", "TART"}) f.add(7, n);
  return f;
}

// One unaligned 8-byte load per candidate: reading past `end` is covered by the caller's
// padding, and the length check keeps bytes past the line from completing a match.
bool AppPrefilter::verify(const char* at, const char* end, unsigned mask) const {
  std::uint64_t word;
  std::memcpy(&word, at, 8);
  const auto room = static_cast<size_t>(end - at);
  for (unsigned b = 0; b < buckets_.size(); ++b) {
    if (!(mask & (1u << b))) continue;
    for (const Needle& n : buckets_[b])
      if ((word & n.mask) == n.value && n.len <= room) return true;
  }
  return false;
}

bool AppPrefilter::matches_scalar(std::string_view text) const {
  if (numeric_error_level_first(text)) return true;
  for (const auto& n : all_)
    if (memmem(text.data(), text.size(), n.data(), n.size())) return true;
  return false;
}

#if CRASHSIFT_TEDDY
namespace {

// Buckets whose k-th fingerprint byte matches each byte of v (one bit per bucket).
__attribute__((target("ssse3"))) inline __m128i lookup(__m128i v, const std::uint8_t* lo,
                                                       const std::uint8_t* hi) {
  const __m128i nib = _mm_set1_epi8(0x0F);
  const __m128i l = _mm_shuffle_epi8(_mm_load_si128(reinterpret_cast<const __m128i*>(lo)),
                                     _mm_and_si128(v, nib));
  const __m128i h = _mm_shuffle_epi8(_mm_load_si128(reinterpret_cast<const __m128i*>(hi)),
                                     _mm_and_si128(_mm_srli_epi16(v, 4), nib));
  return _mm_and_si128(l, h);
}

__attribute__((target("ssse3"))) bool teddy(const char* p, size_t n,
                                            const std::array<std::array<std::uint8_t, 16>, 3>& lo,
                                            const std::array<std::array<std::uint8_t, 16>, 3>& hi,
                                            const AppPrefilter& self,
                                            bool (*check)(const AppPrefilter&, const char*,
                                                          const char*, unsigned)) {
  const char* end = p + n;
  const __m128i zero = _mm_setzero_si128();
  for (size_t i = 0; i < n; i += 16) {
    const char* q = p + i;
    __m128i m = lookup(_mm_loadu_si128(reinterpret_cast<const __m128i*>(q)), lo[0].data(), hi[0].data());
    m = _mm_and_si128(m, lookup(_mm_loadu_si128(reinterpret_cast<const __m128i*>(q + 1)), lo[1].data(), hi[1].data()));
    m = _mm_and_si128(m, lookup(_mm_loadu_si128(reinterpret_cast<const __m128i*>(q + 2)), lo[2].data(), hi[2].data()));
    unsigned nonzero = ~static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(m, zero))) & 0xFFFFu;
    if (!nonzero) continue;
    alignas(16) std::uint8_t bits[16];
    _mm_store_si128(reinterpret_cast<__m128i*>(bits), m);
    while (nonzero) {
      const int j = __builtin_ctz(nonzero);
      nonzero &= nonzero - 1;
      if (q + j >= end) return false;  // fingerprints in the padding do not count
      if (check(self, q + j, end, bits[j])) return true;
    }
  }
  return false;
}

// The six nibble tables, broadcast to both 128-bit lanes once per call (not per block: the
// candidate callback in the loop would otherwise force a reload after every call).
struct Tables32 {
  __m256i lo[3], hi[3];
};

__attribute__((target("avx2"))) inline __m256i lookup32(__m256i v, __m256i lt, __m256i ht) {
  const __m256i nib = _mm256_set1_epi8(0x0F);
  const __m256i l = _mm256_shuffle_epi8(lt, _mm256_and_si256(v, nib));
  const __m256i h = _mm256_shuffle_epi8(ht, _mm256_and_si256(_mm256_srli_epi16(v, 4), nib));
  return _mm256_and_si256(l, h);
}

// Same as teddy() with 32-byte blocks (reads up to 34 bytes past the end: within the padding).
__attribute__((target("avx2"))) bool teddy32(const char* p, size_t n,
                                             const std::array<std::array<std::uint8_t, 16>, 3>& lo,
                                             const std::array<std::array<std::uint8_t, 16>, 3>& hi,
                                             const AppPrefilter& self,
                                             bool (*check)(const AppPrefilter&, const char*,
                                                           const char*, unsigned)) {
  Tables32 t;
  for (int k = 0; k < 3; ++k) {
    t.lo[k] = _mm256_broadcastsi128_si256(_mm_load_si128(reinterpret_cast<const __m128i*>(lo[k].data())));
    t.hi[k] = _mm256_broadcastsi128_si256(_mm_load_si128(reinterpret_cast<const __m128i*>(hi[k].data())));
  }
  const char* end = p + n;
  const __m256i zero = _mm256_setzero_si256();
  for (size_t i = 0; i < n; i += 32) {
    const char* q = p + i;
    __m256i m = lookup32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(q)), t.lo[0], t.hi[0]);
    m = _mm256_and_si256(m, lookup32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(q + 1)), t.lo[1], t.hi[1]));
    m = _mm256_and_si256(m, lookup32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(q + 2)), t.lo[2], t.hi[2]));
    auto nonzero = ~static_cast<std::uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(m, zero)));
    if (!nonzero) continue;
    alignas(32) std::uint8_t bits[32];
    _mm256_store_si256(reinterpret_cast<__m256i*>(bits), m);
    while (nonzero) {
      const int j = __builtin_ctz(nonzero);
      nonzero &= nonzero - 1;
      if (q + j >= end) return false;
      if (check(self, q + j, end, bits[j])) return true;
    }
  }
  return false;
}

bool have_avx2() {
  static const bool yes = __builtin_cpu_supports("avx2");
  return yes;
}

bool have_ssse3() {
  static const bool yes = __builtin_cpu_supports("ssse3");
  return yes;
}

}  // namespace
#endif

bool AppPrefilter::matches(std::string_view text) const {
  if (numeric_error_level_first(text)) return true;
#if CRASHSIFT_TEDDY
  auto check = [](const AppPrefilter& s, const char* at, const char* end, unsigned mask) {
    return s.verify(at, end, mask);
  };
  if (have_avx2()) return teddy32(text.data(), text.size(), lo_, hi_, *this, check);
  if (have_ssse3())
    return teddy(text.data(), text.size(), lo_, hi_, *this,
                 [](const AppPrefilter& s, const char* at, const char* end, unsigned mask) {
                   return s.verify(at, end, mask);
                 });
#endif
  return matches_scalar(text);
}

}  // namespace crashsift::input
