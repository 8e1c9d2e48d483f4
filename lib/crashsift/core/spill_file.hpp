#pragma once
// Text written once and read back once, kept in an unlinked temporary file instead of memory:
// the "exits" array of a report over hundreds of thousands of exits. Pieces are read back cut
// only where the writer marked a boundary (between whole JSON elements), so a reader that
// rewrites tokens (--redact) never sees one cut in two.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace crashsift {

class SpillFile {
 public:
  SpillFile();   // in $TMPDIR (or /tmp); error() says why it could not be made
  ~SpillFile();
  SpillFile(const SpillFile&) = delete;
  SpillFile& operator=(const SpillFile&) = delete;

  const std::string& error() const { return error_; }
  void append(std::string_view text);
  void mark_boundary();   // the text so far may be handed on as one piece
  bool empty() const { return written_ == 0 && buffer_.empty(); }
  // Reads everything back in pieces cut at marked boundaries; false (error()) on a read error.
  bool read_back(const std::function<void(std::string_view)>& piece);

 private:
  void write_buffer();
  int fd_ = -1;
  std::string buffer_;
  std::uint64_t written_ = 0;
  std::vector<std::uint64_t> boundaries_;  // offsets, at most one per ~1 MiB
  std::string error_;
};

}  // namespace crashsift
