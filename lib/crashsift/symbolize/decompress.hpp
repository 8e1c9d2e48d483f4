#pragma once
// Opens a core for reading, decompressing systemd-coredump's .zst/.lz4/.xz (and gzip) cores to
// an unlinked temporary file first. The temporary file is sparse: runs of zero blocks are
// skipped with lseek instead of written, so a Bun core of ~6 GB apparent size costs ~3 MB of
// disk, and the decompressor's fixed buffers are all the memory it takes. Compression is
// detected by magic bytes (the file name is not trusted), through input::open_source().
#include <cstdint>
#include <string>

#include "crashsift/core/result.hpp"

namespace crashsift::symbolize {

struct OpenedCore {
  int fd = -1;                       // readable, seekable; owned by the caller (close it)
  std::string compression;           // "" for a plain core
  std::uint64_t apparent_size = 0;   // logical size of the (decompressed) core
  std::uint64_t stored_size = 0;     // bytes of the file as given
  std::uint64_t data_bytes = 0;      // non-zero bytes written to the temporary file
  std::string stream_problem;        // the compressed stream ended early or is damaged: stream_problem()
  std::string warning;               // the same, with how much of the core was recovered
};

struct OpenLimits {
  std::string tmpdir;                           // "" = $TMPDIR or /var/tmp
  std::uint64_t max_apparent = 1ull << 40;      // refuse to expand beyond 1 TiB
};

// "zstd", "xz", "lz4", "gzip" or "" from the first bytes of the file.
std::string sniff_compression(const std::string& path);

Result<OpenedCore> open_core(const std::string& path, const OpenLimits& limits = {});

// Why a compressed stream stopped before its end, in words, from the decompressor's error
// (input::ByteSource::error()) and the compressed file's size: "the zstd stream is cut short
// after 3000 bytes (a truncated core file)", "the xz stream is damaged (xz: corrupt data)", or
// "reading the lz4 stream failed (read failed: ...)". Empty when error is empty.
std::string stream_problem(const std::string& compression, const std::string& error, std::uint64_t stored_size);

// The error for a core that does not parse (parse_error from parse_core_notes): when the
// compressed stream was cut short or damaged that is the cause, so it is said first; the ELF
// check's own words ("not an ELF file") would only describe the few bytes that came out of it.
std::string unreadable_core_error(const std::string& stream_problem, std::uint64_t recovered,
                                  const std::string& parse_error);

}  // namespace crashsift::symbolize
