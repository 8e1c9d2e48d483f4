#include "crashsift/input/byte_source.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <lz4frame.h>
#include <lzma.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>
#include <zlib.h>
#include <zstd.h>

namespace crashsift::input {
namespace {

// Raw bytes: a file descriptor or a memory buffer, with the first bytes peekable so the
// compression magic can be checked without a seekable input (stdin, pipes).
class RawSource {
 public:
  virtual ~RawSource() = default;
  virtual ssize_t read(char* buf, size_t n) = 0;
  std::uint64_t consumed = 0;
};

class FdSource final : public RawSource {
 public:
  FdSource(int fd, bool owned, IdleHook idle = {}) : fd_(fd), owned_(owned), idle_(std::move(idle)) {}
  ~FdSource() override {
    if (owned_) ::close(fd_);
  }
  ssize_t read(char* buf, size_t n) override {
    while (idle_.on_idle) {
      if (idle_.stop && idle_.stop()) return 0;
      struct pollfd p = {fd_, POLLIN, 0};
      const int r = ::poll(&p, 1, idle_.after_ms);
      if (r > 0 || (r < 0 && errno != EINTR)) break;  // readable, at its end, or poll failed: read says
      if (r == 0) idle_.on_idle();
    }
    for (;;) {
      const ssize_t r = ::read(fd_, buf, n);
      if (r < 0 && errno == EINTR) {
        if (idle_.stop && idle_.stop()) return 0;
        continue;
      }
      if (r > 0) consumed += static_cast<std::uint64_t>(r);
      return r;
    }
  }

 private:
  int fd_;
  bool owned_;
  IdleHook idle_;
};

class MemRaw final : public RawSource {
 public:
  explicit MemRaw(std::string_view b) : b_(b) {}
  ssize_t read(char* buf, size_t n) override {
    const size_t k = std::min(n, b_.size() - pos_);
    if (k > 0) std::memcpy(buf, b_.data() + pos_, k);  // an empty input has a null data()
    pos_ += k;
    consumed += k;
    return static_cast<ssize_t>(k);
  }

 private:
  std::string_view b_;
  size_t pos_ = 0;
};

// Buffered compressed input shared by the decoders: the prefix that was peeked is replayed
// first, then the raw source continues.
struct InBuffer {
  std::unique_ptr<RawSource> raw;
  std::vector<char> buf = std::vector<char>(256 * 1024);
  size_t pos = 0, len = 0;
  bool eof = false, failed = false;
  std::string err;

  bool fill() {
    if (pos < len) return true;
    if (eof) return false;
    const ssize_t r = raw->read(buf.data(), buf.size());
    if (r < 0) {
      failed = true, eof = true;
      err = std::string("read failed: ") + std::strerror(errno);
      return false;
    }
    pos = 0, len = static_cast<size_t>(r);
    if (r == 0) eof = true;
    return r > 0;
  }
};

class PlainSource final : public ByteSource {
 public:
  explicit PlainSource(InBuffer in) : in_(std::move(in)) {}
  size_t read(char* out, size_t n) override {
    size_t done = 0;
    while (done < n) {
      if (in_.pos < in_.len) {
        const size_t k = std::min(n - done, in_.len - in_.pos);
        std::memcpy(out + done, in_.buf.data() + in_.pos, k);
        in_.pos += k, done += k;
        continue;
      }
      if (done > 0) break;  // return what we have; do not block for more
      if (in_.eof) break;
      const ssize_t r = in_.raw->read(out, n);
      if (r < 0) {
        error_ = std::string("read failed: ") + std::strerror(errno);
        in_.eof = true;
        break;
      }
      if (r == 0) in_.eof = true;
      done += static_cast<size_t>(r);
      break;
    }
    produced_ += done;
    return done;
  }
  std::uint64_t position() const override { return in_.raw->consumed; }

 private:
  InBuffer in_;
  std::uint64_t produced_ = 0;
};

class GzipSource final : public ByteSource {
 public:
  explicit GzipSource(InBuffer in) : in_(std::move(in)) {
    compression_ = "gzip";
    if (inflateInit2(&z_, 15 + 32) != Z_OK) error_ = "gzip: cannot initialize zlib", done_ = true;
  }
  ~GzipSource() override { inflateEnd(&z_); }
  size_t read(char* out, size_t n) override {
    if (done_) return 0;
    z_.next_out = reinterpret_cast<Bytef*>(out);
    z_.avail_out = static_cast<uInt>(n);
    while (z_.avail_out == n) {
      if (in_.pos >= in_.len && !in_.fill()) {
        if (!stream_end_) error_ = in_.failed ? in_.err : "gzip: truncated input";
        done_ = true;
        break;
      }
      z_.next_in = reinterpret_cast<Bytef*>(in_.buf.data() + in_.pos);
      z_.avail_in = static_cast<uInt>(in_.len - in_.pos);
      const int r = inflate(&z_, Z_NO_FLUSH);
      in_.pos = in_.len - z_.avail_in;
      if (r == Z_STREAM_END) {
        stream_end_ = true;
        // Concatenated gzip members (logrotate + cat) continue after a reset.
        if (in_.pos < in_.len || in_.fill()) {
          inflateReset(&z_);
          stream_end_ = false;
          continue;
        }
        done_ = true;
        break;
      }
      if (r != Z_OK && r != Z_BUF_ERROR) {
        error_ = std::string("gzip: corrupt data (") + (z_.msg ? z_.msg : "inflate error") + ")";
        done_ = true;
        break;
      }
    }
    return n - z_.avail_out;
  }
  std::uint64_t position() const override { return in_.raw->consumed; }

 private:
  InBuffer in_;
  z_stream z_{};
  bool done_ = false, stream_end_ = false;
};

class ZstdSource final : public ByteSource {
 public:
  explicit ZstdSource(InBuffer in) : in_(std::move(in)), d_(ZSTD_createDStream()) {
    compression_ = "zstd";
    ZSTD_initDStream(d_);
  }
  ~ZstdSource() override { ZSTD_freeDStream(d_); }
  size_t read(char* out, size_t n) override {
    if (done_) return 0;
    ZSTD_outBuffer ob{out, n, 0};
    while (ob.pos == 0) {
      if (in_.pos >= in_.len && !in_.fill()) {
        if (!frame_done_) error_ = in_.failed ? in_.err : "zstd: truncated input";
        done_ = true;
        break;
      }
      ZSTD_inBuffer ib{in_.buf.data() + in_.pos, in_.len - in_.pos, 0};
      const size_t r = ZSTD_decompressStream(d_, &ob, &ib);
      in_.pos += ib.pos;
      if (ZSTD_isError(r)) {
        error_ = std::string("zstd: corrupt data (") + ZSTD_getErrorName(r) + ")";
        done_ = true;
        break;
      }
      frame_done_ = (r == 0);
    }
    return ob.pos;
  }
  std::uint64_t position() const override { return in_.raw->consumed; }

 private:
  InBuffer in_;
  ZSTD_DStream* d_;
  bool done_ = false, frame_done_ = false;
};

class XzSource final : public ByteSource {
 public:
  explicit XzSource(InBuffer in) : in_(std::move(in)) {
    compression_ = "xz";
    if (lzma_stream_decoder(&s_, UINT64_MAX, LZMA_CONCATENATED) != LZMA_OK)
      error_ = "xz: cannot initialize liblzma", done_ = true;
  }
  ~XzSource() override { lzma_end(&s_); }
  size_t read(char* out, size_t n) override {
    if (done_) return 0;
    s_.next_out = reinterpret_cast<uint8_t*>(out);
    s_.avail_out = n;
    while (s_.avail_out == n) {
      lzma_action action = LZMA_RUN;
      if (in_.pos >= in_.len && !in_.fill()) action = LZMA_FINISH;
      s_.next_in = reinterpret_cast<const uint8_t*>(in_.buf.data() + in_.pos);
      s_.avail_in = in_.len - in_.pos;
      const lzma_ret r = lzma_code(&s_, action);
      in_.pos = in_.len - s_.avail_in;
      if (r == LZMA_STREAM_END) {
        done_ = true;
        break;
      }
      if (r != LZMA_OK) {
        error_ = r == LZMA_BUF_ERROR ? "xz: truncated input" : "xz: corrupt data";
        done_ = true;
        break;
      }
    }
    return n - s_.avail_out;
  }
  std::uint64_t position() const override { return in_.raw->consumed; }

 private:
  InBuffer in_;
  lzma_stream s_ = LZMA_STREAM_INIT;
  bool done_ = false;
};

class Lz4Source final : public ByteSource {
 public:
  explicit Lz4Source(InBuffer in) : in_(std::move(in)) {
    compression_ = "lz4";
    if (LZ4F_isError(LZ4F_createDecompressionContext(&ctx_, LZ4F_VERSION)))
      error_ = "lz4: cannot initialize liblz4", done_ = true;
  }
  ~Lz4Source() override { LZ4F_freeDecompressionContext(ctx_); }
  size_t read(char* out, size_t n) override {
    if (done_) return 0;
    size_t produced = 0;
    while (produced == 0) {
      if (in_.pos >= in_.len && !in_.fill()) {
        if (!frame_done_) error_ = in_.failed ? in_.err : "lz4: truncated input";
        done_ = true;
        break;
      }
      size_t dst = n, src = in_.len - in_.pos;
      const size_t r = LZ4F_decompress(ctx_, out, &dst, in_.buf.data() + in_.pos, &src, nullptr);
      in_.pos += src;
      produced += dst;
      if (LZ4F_isError(r)) {
        error_ = std::string("lz4: corrupt data (") + LZ4F_getErrorName(r) + ")";
        done_ = true;
        break;
      }
      frame_done_ = (r == 0);
    }
    return produced;
  }
  std::uint64_t position() const override { return in_.raw->consumed; }

 private:
  InBuffer in_;
  LZ4F_dctx* ctx_ = nullptr;
  bool done_ = false, frame_done_ = false;
};

std::unique_ptr<ByteSource> wrap(std::unique_ptr<RawSource> raw) {
  InBuffer in;
  in.raw = std::move(raw);
  // Peek at least 6 bytes (xz magic) without assuming one read returns them all.
  while (in.len < 6 && !in.eof) {
    const ssize_t r = in.raw->read(in.buf.data() + in.len, in.buf.size() - in.len);
    if (r <= 0) {
      in.eof = true;
      if (r < 0) in.failed = true, in.err = std::string("read failed: ") + std::strerror(errno);
      break;
    }
    in.len += static_cast<size_t>(r);
  }
  const auto* m = reinterpret_cast<const unsigned char*>(in.buf.data());
  const size_t n = in.len;
  if (n >= 2 && m[0] == 0x1f && m[1] == 0x8b) return std::make_unique<GzipSource>(std::move(in));
  if (n >= 4 && m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd)
    return std::make_unique<ZstdSource>(std::move(in));
  if (n >= 6 && std::memcmp(m, "\xfd" "7zXZ\0", 6) == 0) return std::make_unique<XzSource>(std::move(in));
  if (n >= 4 && m[0] == 0x04 && m[1] == 0x22 && m[2] == 0x4d && m[3] == 0x18)
    return std::make_unique<Lz4Source>(std::move(in));
  return std::make_unique<PlainSource>(std::move(in));
}

}  // namespace

Result<std::unique_ptr<ByteSource>> open_source(const std::string& path, const IdleHook& idle) {
  if (path == "-") return wrap(std::make_unique<FdSource>(0, false, idle));
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return make_error("cannot open " + path + ": " + std::strerror(errno));
  struct stat st {};
  if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    ::close(fd);
    return make_error(path + " is a directory (journal directories are read with sd-journal)");
  }
  posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  return wrap(std::make_unique<FdSource>(fd, true, idle));
}

std::unique_ptr<ByteSource> memory_source(std::string_view bytes) {
  return wrap(std::make_unique<MemRaw>(bytes));
}

std::uint64_t file_size(const std::string& path) {
  struct stat st {};
  if (path == "-" || ::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return 0;
  return static_cast<std::uint64_t>(st.st_size);
}

}  // namespace crashsift::input
