#include "crashsift/symbolize/decompress.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "crashsift/core/fd_io.hpp"
#include "crashsift/input/byte_source.hpp"

namespace crashsift::symbolize {
namespace {

constexpr size_t block_size = 4096;
constexpr size_t chunk_size = 1 << 20;

std::string errno_text() { return std::strerror(errno); }

bool all_zero(const char* p, size_t n) {
  // memcmp against a shifted copy of itself: zero iff the first byte is zero and every byte
  // equals its neighbour.
  return n == 0 || (p[0] == 0 && std::memcmp(p, p + 1, n - 1) == 0);
}

// Writes one decompressed chunk, seeking over all-zero blocks so they stay holes.
bool write_sparse(int fd, const char* p, size_t n, std::uint64_t& data_bytes) {
  for (size_t off = 0; off < n; off += block_size) {
    const size_t len = std::min(block_size, n - off);
    if (all_zero(p + off, len)) {
      if (::lseek(fd, static_cast<off_t>(len), SEEK_CUR) < 0) return false;
    } else {
      if (!write_all(fd, p + off, len)) return false;
      data_bytes += len;
    }
  }
  return true;
}

Result<int> make_temp_file(const std::string& dir_hint) {
  std::string dir = dir_hint;
  if (dir.empty()) {
    const char* t = std::getenv("TMPDIR");
    dir = t && *t ? t : "/var/tmp";
  }
  std::string name = dir + "/crashsift-core-XXXXXX";
  const int fd = ::mkstemp(name.data());
  if (fd < 0) return make_error("failed to create a temporary file in " + dir + ": " + errno_text());
  ::unlink(name.c_str());  // nothing to clean up, even if we are killed
  return fd;
}

Result<OpenedCore> expand(const std::string& path, OpenedCore core, const OpenLimits& limits) {
  auto src = input::open_source(path);
  if (!src) return make_error(src.error());
  auto tmp = make_temp_file(limits.tmpdir);
  if (!tmp) return make_error(tmp.error());
  core.fd = *tmp;
  std::vector<char> buf(chunk_size);
  for (;;) {
    const size_t got = (*src)->read(buf.data(), buf.size());
    if (got == 0) break;
    if (!write_sparse(core.fd, buf.data(), got, core.data_bytes)) {
      ::close(core.fd);
      return make_error("failed to write the decompressed core: " + errno_text());
    }
    core.apparent_size += got;
    if (core.apparent_size > limits.max_apparent) {
      ::close(core.fd);
      return make_error("decompressed core exceeds " + std::to_string(limits.max_apparent) + " bytes");
    }
  }
  // Trailing holes need an explicit size; ftruncate keeps them holes.
  if (::ftruncate(core.fd, static_cast<off_t>(core.apparent_size)) != 0) {
    ::close(core.fd);
    return make_error("failed to size the decompressed core: " + errno_text());
  }
  core.stream_problem = stream_problem(core.compression, (*src)->error(), core.stored_size);
  if (!core.stream_problem.empty())
    core.warning = core.stream_problem + ": only the first " + std::to_string(core.apparent_size) +
                   " bytes of the core were recovered";
  return core;
}

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

}  // namespace

// input::ByteSource reports an end without the end mark as "<name>: truncated input" (and a
// failed read as "read failed: ..."); it has no error kind to test, so its words are matched here.
std::string stream_problem(const std::string& compression, const std::string& error, std::uint64_t stored_size) {
  if (error.empty()) return {};
  const std::string stream = "the " + (compression.empty() ? std::string("compressed") : compression) + " stream";
  const std::string after = " after " + std::to_string(stored_size) + " bytes";
  if (ends_with(error, "truncated input")) return stream + " is cut short" + after + " (a truncated core file)";
  if (error.rfind("read failed", 0) == 0) return "reading " + stream + " failed (" + error + ")";
  return stream + " is damaged (" + error + ")";
}

std::string unreadable_core_error(const std::string& stream_problem, std::uint64_t recovered,
                                  const std::string& parse_error) {
  if (stream_problem.empty()) return parse_error;
  if (recovered == 0) return stream_problem + ": no byte of the core could be recovered";
  return stream_problem + ": the " + std::to_string(recovered) + " bytes recovered are not a readable core (" +
         parse_error + ")";
}

std::string sniff_compression(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  unsigned char m[6] = {};
  const ssize_t n = ::read(fd, m, sizeof m);
  ::close(fd);
  if (n >= 4 && m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd) return "zstd";
  if (n >= 6 && std::memcmp(m, "\xfd" "7zXZ\0", 6) == 0) return "xz";
  if (n >= 4 && m[0] == 0x04 && m[1] == 0x22 && m[2] == 0x4d && m[3] == 0x18) return "lz4";
  if (n >= 2 && m[0] == 0x1f && m[1] == 0x8b) return "gzip";
  return {};
}

Result<OpenedCore> open_core(const std::string& path, const OpenLimits& limits) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return make_error("cannot open " + path + ": " + errno_text());
  if (S_ISDIR(st.st_mode)) return make_error(path + " is a directory");
  OpenedCore core;
  core.stored_size = static_cast<std::uint64_t>(st.st_size);
  core.compression = sniff_compression(path);
  if (!core.compression.empty()) return expand(path, std::move(core), limits);
  core.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (core.fd < 0) return make_error("cannot open " + path + ": " + errno_text());
  core.apparent_size = core.data_bytes = core.stored_size;
  return core;
}

}  // namespace crashsift::symbolize
