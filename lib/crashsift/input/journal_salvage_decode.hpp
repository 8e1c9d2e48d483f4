#pragma once
// Bounded reading for the journal salvage reader: a few pread windows over the file (never the
// whole file in memory, no mmap), and a streaming decoder for DATA payloads as systemd's
// src/basic/compress.c writes them (XZ: one .xz stream; LZ4: le64 uncompressed size + one LZ4
// block; ZSTD: one frame with its content size). Output comes in caller-sized chunks, so a
// payload is cut or hashed without ever allocating the size its header announces.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include <lzma.h>

struct ZSTD_DCtx_s;

namespace crashsift::input::salvage {

class FileWindows {
 public:
  static constexpr std::size_t window_size = 256 * 1024;
  static constexpr std::size_t max_view = 64 * 1024;

  FileWindows(int fd, std::uint64_t file_size);
  std::uint64_t size() const { return size_; }
  // len (<= max_view) bytes at off, valid until the next call; nullptr when [off, off+len) is not
  // inside the file or cannot be read.
  const std::uint8_t* view(std::uint64_t off, std::size_t len);
  bool read_error() const { return read_error_; }

 private:
  struct Window {
    std::uint64_t start = 0, len = 0, used = 0;
    std::vector<std::uint8_t> bytes;
  };
  int fd_;
  std::uint64_t size_;
  std::array<Window, 4> windows_;
  std::size_t last_ = 0;
  std::uint64_t tick_ = 0;
  bool read_error_ = false;
};

enum class Codec : std::uint8_t { none, xz, lz4, zstd };

class PayloadDecoder {
 public:
  // LZ4 blocks cannot be decoded in pieces with liblz4: a block announcing at most this many
  // bytes is decoded whole (two buffers of this order); a larger one gives only its prefix.
  static constexpr std::size_t lz4_whole_max = 16u << 20;

  PayloadDecoder();
  ~PayloadDecoder();
  PayloadDecoder(const PayloadDecoder&) = delete;
  PayloadDecoder& operator=(const PayloadDecoder&) = delete;

  // Begins the payload at [off, off + size) of the file. prefix_hint: the bytes the caller
  // delivers (what an over-large LZ4 block is decoded to). whole_limit: an LZ4 block announcing
  // more than this (or than lz4_whole_max) is decoded only to prefix_hint bytes (prefix_only()).
  void start(FileWindows& io, Codec codec, std::uint64_t off, std::uint64_t size, std::size_t prefix_hint,
             std::uint64_t whole_limit = lz4_whole_max);
  // Up to cap decompressed bytes into out; 0 at the end, on damage (error()) or when only a
  // prefix could be decoded (prefix_only()).
  std::size_t read(std::uint8_t* out, std::size_t cap);
  // Reads until cap bytes or the end.
  std::size_t fill(std::uint8_t* out, std::size_t cap);
  bool finished() const { return finished_; }          // clean end, every input byte used
  const char* error() const { return error_; }          // why the payload is damaged
  bool prefix_only() const { return prefix_only_; }     // LZ4 over the whole limit: no full decode
  // The decompressed size the payload announces (the payload size when not compressed), before
  // it is decoded; none for XZ.
  std::optional<std::uint64_t> announced_size() const { return announced_; }

 private:
  std::size_t read_plain(std::uint8_t* out, std::size_t cap);
  std::size_t read_zstd(std::uint8_t* out, std::size_t cap);
  std::size_t read_xz(std::uint8_t* out, std::size_t cap);
  std::size_t read_buffered(std::uint8_t* out, std::size_t cap);
  void start_lz4(std::size_t prefix_hint, std::uint64_t whole_limit);
  bool refill();  // next compressed chunk into in_; false when none is left or unreadable
  void fail(const char* why) {
    if (!error_) error_ = why;
  }

  FileWindows* io_ = nullptr;
  Codec codec_ = Codec::none;
  std::uint64_t off_ = 0, size_ = 0, taken_ = 0;  // taken_: payload bytes moved to in_ (or out)
  std::vector<std::uint8_t> in_;
  std::size_t in_pos_ = 0, in_len_ = 0;
  std::vector<std::uint8_t> out_;  // LZ4: the decoded block (or its prefix)
  std::size_t out_pos_ = 0, out_len_ = 0;
  ZSTD_DCtx_s* zstd_ = nullptr;
  lzma_stream xz_ = LZMA_STREAM_INIT;
  bool xz_live_ = false;
  bool finished_ = false, prefix_only_ = false;
  const char* error_ = nullptr;
  std::optional<std::uint64_t> announced_;
};

}  // namespace crashsift::input::salvage
