#pragma once
// Small string helpers shared by every module (no allocation unless a string is returned).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace crashsift {

std::string_view trim(std::string_view s);
std::string_view trim_right(std::string_view s);
inline bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
inline bool ends_with(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}
inline bool contains(std::string_view s, std::string_view p) { return s.find(p) != std::string_view::npos; }
// strerror() of an errno value given either way round (libsystemd returns -errno).
std::string errno_message(int err);

bool parse_int64(std::string_view s, std::int64_t& out);
bool parse_uint64(std::string_view s, std::uint64_t& out);
bool parse_double(std::string_view s, double& out);
std::optional<std::int64_t> to_int64(std::string_view s);

bool is_hex_id(std::string_view s, size_t len = 32);
// Replace invalid UTF-8 sequences and control characters (except TAB) so that the text can be
// printed on a terminal and embedded in JSON safely.
std::string sanitize_utf8(std::string_view s);
bool is_valid_utf8(std::string_view s);

// Shell-style glob with * ? and [...] (fnmatch semantics, no path special-casing).
bool glob_match(std::string_view pattern, std::string_view text);

std::vector<std::string_view> split(std::string_view s, char sep);

// "1.5 MiB", "370 MiB", "2.7 GiB": binary units for people.
std::string format_bytes(std::uint64_t bytes);

// "24G", "512MiB", "1.5 GB", "1073741824" -> bytes. K/M/G/T are binary (systemd's MemoryMax=
// reading); a plain number is bytes. nullopt on anything else.
std::optional<std::uint64_t> parse_size(std::string_view s);

// Newline bytes in s (memchr: std::count is not vectorized at -O2).
std::uint64_t count_newlines(std::string_view s);

}  // namespace crashsift
