#pragma once
// The rest of a line-oriented input cut into blocks of whole lines for a parallel parse
// (journal JSON, app NDJSON): each block is read straight into its buffer (no copy on the
// reading thread, no zero fill) and ends after its last newline; what follows starts the next
// block. A line longer than max_line is not kept: it becomes a block of its own with no bytes
// and overlong_size set (the bytes dropped), so memory stays bounded whatever the line.
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>

#include "crashsift/core/byte_buffer.hpp"
#include "crashsift/input/line_reader.hpp"

namespace crashsift::input {

// Cuts the input into blocks, one per next() call. Block must have `ByteBuffer bytes` and
// `std::uint64_t overlong_size`. Not thread-safe: a ReadingPool calls it under its read lock.
class LineBlockCutter {
 public:
  LineBlockCutter(LineReader& reader, size_t target, size_t max_line)
      : reader_(reader), target_(target < 1 ? 1 : target), max_line_(max_line) {}

  // Fills block with the next lines; false when the input has no more.
  template <class Block>
  bool next(Block& block) {
    while (!at_end_) {
      block.overlong_size = 0;
      ByteBuffer& bytes = block.bytes;
      bytes.assign(tail_);
      tail_.clear();
      size_t cut = std::string::npos, searched = 0;
      bool overlong = false;
      while (!at_end_) {
        if (bytes.size() >= target_) {
          const void* nl = memrchr(bytes.data() + searched, '\n', bytes.size() - searched);
          if (nl) {
            cut = static_cast<size_t>(static_cast<const char*>(nl) - bytes.data()) + 1;
            break;
          }
          searched = bytes.size();
          if (bytes.size() > max_line_) {  // no newline in more than max_line: the line is overlong
            overlong = true;
            break;
          }
        }
        const size_t got = reader_.read_some(bytes.make_room(target_), target_);
        bytes.grow(got);
        at_end_ = got == 0;
      }
      if (overlong) {
        block.overlong_size = drop_overlong(bytes.size());
        bytes.clear();
        return true;
      }
      if (cut != std::string::npos) {
        tail_.assign(bytes.view().substr(cut));
        bytes.shrink_to(cut);
      }
      if (!bytes.empty()) return true;
    }
    return false;
  }

 private:
  // Reads through the overlong line's newline, keeping nothing; the bytes dropped (at least 1).
  std::uint64_t drop_overlong(std::uint64_t dropped) {
    char buf[1 << 16];
    for (;;) {
      const size_t got = reader_.read_some(buf, sizeof buf);
      if (got == 0) {
        at_end_ = true;
        break;
      }
      const void* nl = std::memchr(buf, '\n', got);
      if (nl) {
        const size_t k = static_cast<size_t>(static_cast<const char*>(nl) - buf);
        dropped += k;
        tail_.assign(buf + k + 1, got - k - 1);
        break;
      }
      dropped += got;
    }
    return dropped > 0 ? dropped : 1;
  }

  LineReader& reader_;
  const size_t target_, max_line_;
  std::string tail_;
  bool at_end_ = false;
};

}  // namespace crashsift::input
