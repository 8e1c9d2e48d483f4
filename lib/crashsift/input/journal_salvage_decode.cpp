#include "crashsift/input/journal_salvage_decode.hpp"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <lz4.h>
#include <unistd.h>
#include <zstd.h>
#include <zstd_errors.h>

namespace crashsift::input::salvage {
namespace {
// ZSTD_FRAMEHEADERSIZE_MAX, which zstd.h exposes only to static linking.
constexpr std::size_t zstd_frame_header_max = 18;
}  // namespace

FileWindows::FileWindows(int fd, std::uint64_t file_size) : fd_(fd), size_(file_size) {}

const std::uint8_t* FileWindows::view(std::uint64_t off, std::size_t len) {
  if (len > max_view || off > size_ || len > size_ - off) return nullptr;
  auto inside = [&](const Window& w) { return w.len > 0 && off >= w.start && off + len <= w.start + w.len; };
  if (inside(windows_[last_])) {
    windows_[last_].used = ++tick_;
    return windows_[last_].bytes.data() + (off - windows_[last_].start);
  }
  std::size_t pick = 0;
  for (std::size_t i = 0; i < windows_.size(); ++i) {
    if (inside(windows_[i])) {
      windows_[i].used = ++tick_;
      last_ = i;
      return windows_[i].bytes.data() + (off - windows_[i].start);
    }
    if (windows_[i].used < windows_[pick].used) pick = i;
  }
  // Load the least recently used window, page-aligned: it holds [off, off + len) since
  // len <= max_view < window_size - 4096.
  Window& w = windows_[pick];
  w.start = off & ~std::uint64_t{4095};
  const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(window_size, size_ - w.start));
  w.bytes.resize(window_size);
  std::size_t got = 0;
  while (got < want) {
    const ssize_t r = ::pread(fd_, w.bytes.data() + got, want - got, static_cast<off_t>(w.start + got));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;  // an I/O error, or the file shrank under us
    got += static_cast<std::size_t>(r);
  }
  w.len = got;
  w.used = ++tick_;
  last_ = pick;
  if (off + len > w.start + w.len) {
    read_error_ = true;
    return nullptr;
  }
  return w.bytes.data() + (off - w.start);
}

PayloadDecoder::PayloadDecoder() {
  zstd_ = ZSTD_createDCtx();
  // A frame may ask for a window as large as it likes; systemd's level-3 frames use at most
  // 2^21 bytes. 2^23 keeps a hostile frame from making the decoder allocate more.
  if (zstd_) ZSTD_DCtx_setParameter(zstd_, ZSTD_d_windowLogMax, 23);
}

PayloadDecoder::~PayloadDecoder() {
  ZSTD_freeDCtx(zstd_);
  if (xz_live_) lzma_end(&xz_);
}

void PayloadDecoder::start(FileWindows& io, Codec codec, std::uint64_t off, std::uint64_t size,
                           std::size_t prefix_hint, std::uint64_t whole_limit) {
  io_ = &io;
  codec_ = codec;
  off_ = off;
  size_ = size;
  taken_ = 0;
  in_pos_ = in_len_ = 0;
  out_pos_ = out_len_ = 0;
  finished_ = prefix_only_ = false;
  error_ = nullptr;
  announced_.reset();
  if (size == 0) {
    fail("empty payload");
    return;
  }
  switch (codec) {
    case Codec::none:
      announced_ = size;
      return;
    case Codec::zstd: {
      if (!zstd_) return fail("out of memory for the zstd decoder");
      const std::size_t head = static_cast<std::size_t>(std::min<std::uint64_t>(size, zstd_frame_header_max));
      const std::uint8_t* p = io.view(off, head);
      if (!p) return fail("unreadable payload");
      const unsigned long long n = ZSTD_getFrameContentSize(p, head);
      // compress.c's decompress_blob_zstd refuses frames without a content size too.
      if (n == ZSTD_CONTENTSIZE_ERROR) return fail("not a zstd frame");
      if (n == ZSTD_CONTENTSIZE_UNKNOWN) return fail("zstd frame without a content size");
      announced_ = n;
      ZSTD_DCtx_reset(zstd_, ZSTD_reset_session_only);
      return;
    }
    case Codec::xz: {
      if (xz_live_) lzma_end(&xz_);
      xz_ = LZMA_STREAM_INIT;
      xz_live_ = true;
      if (lzma_stream_decoder(&xz_, 64u << 20, 0) != LZMA_OK) fail("cannot start the xz decoder");
      return;
    }
    case Codec::lz4:
      start_lz4(prefix_hint, whole_limit);
      return;
  }
}

void PayloadDecoder::start_lz4(std::size_t prefix_hint, std::uint64_t whole_limit) {
  // compress_blob_lz4: le64 uncompressed size, then one block from LZ4_compress_default.
  if (size_ <= 8) return fail("lz4 payload shorter than its size prefix");
  const std::uint8_t* p = io_->view(off_, 8);
  if (!p) return fail("unreadable payload");
  std::uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = n << 8 | p[i];
  const std::uint64_t block = size_ - 8;
  // An LZ4 block expands at most ~255 times, and a block is at most LZ4_compressBound of its
  // output: a size outside both is damage (a hostile size is never allocated).
  if (n == 0 || n > INT_MAX || n / 256 > block || block > static_cast<std::uint64_t>(LZ4_compressBound(static_cast<int>(n))))
    return fail("lz4 size prefix does not fit the payload");
  announced_ = n;
  std::size_t src_len = static_cast<std::size_t>(block);
  std::size_t target = static_cast<std::size_t>(n);
  if (n > lz4_whole_max || n > whole_limit) {  // only the prefix the caller delivers
    prefix_only_ = true;
    target = std::min<std::size_t>(target, std::max<std::size_t>(prefix_hint, 1));
    // target output bytes never need more than ~1.75 * target input bytes (plus a sequence)
    src_len = static_cast<std::size_t>(std::min<std::uint64_t>(block, 2 * std::uint64_t{target} + 65536));
  }
  in_.resize(src_len);
  for (std::size_t done = 0; done < src_len;) {
    const std::size_t k = std::min(src_len - done, FileWindows::max_view);
    const std::uint8_t* q = io_->view(off_ + 8 + done, k);
    if (!q) return fail("unreadable payload");
    std::memcpy(in_.data() + done, q, k);
    done += k;
  }
  out_.resize(target);
  const auto* src = reinterpret_cast<const char*>(in_.data());
  auto* dst = reinterpret_cast<char*>(out_.data());
  int r;
  if (prefix_only_)
    r = LZ4_decompress_safe_partial(src, dst, static_cast<int>(src_len), static_cast<int>(target),
                                    static_cast<int>(target));
  else
    r = LZ4_decompress_safe(src, dst, static_cast<int>(src_len), static_cast<int>(target));
  if (r < 0 || static_cast<std::size_t>(r) != target) return fail("lz4 block does not decode to its size prefix");
  out_len_ = target;
  taken_ = size_;
}

bool PayloadDecoder::refill() {
  if (taken_ >= size_) return false;
  const std::size_t k = static_cast<std::size_t>(std::min<std::uint64_t>(size_ - taken_, FileWindows::max_view));
  const std::uint8_t* p = io_->view(off_ + taken_, k);
  if (!p) {
    fail("unreadable payload");
    return false;
  }
  in_.resize(FileWindows::max_view);
  std::memcpy(in_.data(), p, k);
  in_pos_ = 0;
  in_len_ = k;
  taken_ += k;
  return true;
}

std::size_t PayloadDecoder::read(std::uint8_t* out, std::size_t cap) {
  if (error_ || finished_ || cap == 0) return 0;
  switch (codec_) {
    case Codec::none: return read_plain(out, cap);
    case Codec::zstd: return read_zstd(out, cap);
    case Codec::xz: return read_xz(out, cap);
    case Codec::lz4: return read_buffered(out, cap);
  }
  return 0;
}

std::size_t PayloadDecoder::fill(std::uint8_t* out, std::size_t cap) {
  std::size_t got = 0;
  while (got < cap) {
    const std::size_t k = read(out + got, cap - got);
    if (k == 0) break;
    got += k;
  }
  return got;
}

std::size_t PayloadDecoder::read_plain(std::uint8_t* out, std::size_t cap) {
  const std::size_t k = static_cast<std::size_t>(std::min<std::uint64_t>({size_ - taken_, cap, FileWindows::max_view}));
  const std::uint8_t* p = io_->view(off_ + taken_, k);
  if (!p) {
    fail("unreadable payload");
    return 0;
  }
  std::memcpy(out, p, k);
  taken_ += k;
  if (taken_ == size_) finished_ = true;
  return k;
}

std::size_t PayloadDecoder::read_buffered(std::uint8_t* out, std::size_t cap) {
  const std::size_t k = std::min(cap, out_len_ - out_pos_);
  std::memcpy(out, out_.data() + out_pos_, k);
  out_pos_ += k;
  if (out_pos_ == out_len_ && !prefix_only_) finished_ = true;
  return k;
}

std::size_t PayloadDecoder::read_zstd(std::uint8_t* out, std::size_t cap) {
  ZSTD_outBuffer ob{out, cap, 0};
  for (;;) {
    if (in_pos_ == in_len_) refill();
    if (error_) return 0;
    ZSTD_inBuffer ib{in_.data(), in_len_, in_pos_};
    const std::size_t before_in = in_pos_, before_out = ob.pos;
    const std::size_t ret = ZSTD_decompressStream(zstd_, &ob, &ib);
    in_pos_ = ib.pos;
    if (ZSTD_isError(ret)) {
      fail(ZSTD_getErrorCode(ret) == ZSTD_error_frameParameter_windowTooLarge ? "zstd frame needs too large a window"
                                                                              : "zstd frame damaged");
      return 0;
    }
    if (ret == 0) {  // the frame is complete: it must be the whole payload
      if (in_pos_ != in_len_ || taken_ != size_) fail("bytes after the end of the zstd frame");
      else finished_ = true;
      return error_ ? 0 : ob.pos;
    }
    if (ob.pos == ob.size) return ob.pos;
    if (in_pos_ == before_in && ob.pos == before_out) {
      // no progress: the input is used up and the frame is unfinished
      fail("zstd frame cut short");
      return 0;
    }
  }
}

std::size_t PayloadDecoder::read_xz(std::uint8_t* out, std::size_t cap) {
  if (error_) return 0;
  xz_.next_out = out;
  xz_.avail_out = cap;
  for (;;) {
    if (xz_.avail_in == 0) {
      if (refill()) {
        xz_.next_in = in_.data();
        xz_.avail_in = in_len_;
      }
      if (error_) return 0;
    }
    const lzma_action action = taken_ == size_ ? LZMA_FINISH : LZMA_RUN;
    const std::size_t before_out = xz_.avail_out, before_in = xz_.avail_in;
    const lzma_ret ret = lzma_code(&xz_, action);
    const std::size_t produced = cap - xz_.avail_out;
    if (ret == LZMA_STREAM_END) {
      if (xz_.avail_in != 0 || taken_ != size_) fail("bytes after the end of the xz stream");
      else finished_ = true;
      return error_ ? 0 : produced;
    }
    if (ret != LZMA_OK) {
      fail(ret == LZMA_BUF_ERROR ? "xz stream cut short"
                                 : ret == LZMA_MEMLIMIT_ERROR ? "xz stream needs too much memory"
                                                              : "xz stream damaged");
      return 0;
    }
    if (xz_.avail_out == 0) return produced;
    if (xz_.avail_out == before_out && xz_.avail_in == before_in && taken_ == size_) {
      fail("xz stream cut short");
      return 0;
    }
  }
}

}  // namespace crashsift::input::salvage
