#include "crashsift/core/spill_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "crashsift/core/fd_io.hpp"

namespace crashsift {

namespace {
constexpr size_t buffer_bytes = 1 << 20;
}

SpillFile::SpillFile() { fd_ = open_unnamed_temporary(error_); }

SpillFile::~SpillFile() {
  if (fd_ >= 0) ::close(fd_);
}

void SpillFile::append(std::string_view text) {
  buffer_.append(text);
  if (buffer_.size() >= buffer_bytes) write_buffer();
}

void SpillFile::mark_boundary() {
  const std::uint64_t at = written_ + buffer_.size();
  const std::uint64_t last = boundaries_.empty() ? 0 : boundaries_.back();
  if (at - last >= buffer_bytes) boundaries_.push_back(at);
}

void SpillFile::write_buffer() {
  if (fd_ >= 0 && error_.empty() && !write_all(fd_, buffer_.data(), buffer_.size()))
    error_ = std::string("cannot write the temporary file: ") + std::strerror(errno);
  written_ += buffer_.size();
  buffer_.clear();
}

bool SpillFile::read_back(const std::function<void(std::string_view)>& piece) {
  if (!buffer_.empty()) write_buffer();
  if (!error_.empty()) return false;
  boundaries_.push_back(written_);
  std::string chunk;
  std::uint64_t from = 0;
  for (std::uint64_t to : boundaries_) {
    if (to <= from) continue;
    chunk.resize(to - from);
    size_t got = 0;
    while (got < chunk.size()) {
      const ssize_t n = ::pread(fd_, chunk.data() + got, chunk.size() - got, static_cast<off_t>(from + got));
      if (n <= 0) {
        error_ = std::string("cannot read the temporary file back: ") + (n < 0 ? std::strerror(errno) : "short");
        return false;
      }
      got += static_cast<size_t>(n);
    }
    piece(chunk);
    from = to;
  }
  return true;
}

}  // namespace crashsift
