#pragma once
// A stream of bytes from a file or stdin, decompressed on the fly when the content starts with a
// gzip, zstd, xz or lz4 frame magic (the file name is not trusted: rotated logs are often
// renamed). Reads go through fixed buffers, so memory does not grow with the input size.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "crashsift/core/result.hpp"

namespace crashsift::input {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads up to n bytes; returns 0 at end of input. Decompression errors are reported through
  // error() after a short read, never thrown.
  virtual size_t read(char* buf, size_t n) = 0;
  virtual const std::string& error() const { return error_; }
  // Compressed size consumed so far when known (for progress), else bytes produced.
  virtual std::uint64_t position() const = 0;
  const std::string& compression() const { return compression_; }

 protected:
  std::string error_;
  std::string compression_;
};

// A follower's wake-up while its input is quiet (`crashsift watch`): `on_idle` runs each time
// no byte arrived for `after_ms`, on the reading thread, between two reads.
struct IdleHook {
  int after_ms = 0;
  std::function<void()> on_idle;
  // Checked whenever a wait ends (a signal interrupts it): true ends the input there, as if the
  // stream had ended (`watch` stopped by SIGTERM still writes what it holds).
  std::function<bool()> stop;
};

// Opens `path` ("-" = stdin). Detects compression by magic bytes. With an idle hook, reads
// wait in poll() and call it while nothing comes.
Result<std::unique_ptr<ByteSource>> open_source(const std::string& path, const IdleHook& idle = {});
// Wraps an in-memory buffer (tests, fuzzers); also detects compression.
std::unique_ptr<ByteSource> memory_source(std::string_view bytes);

// Total size of a regular file, 0 when unknown (pipes, stdin).
std::uint64_t file_size(const std::string& path);

}  // namespace crashsift::input
