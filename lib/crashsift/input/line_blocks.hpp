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
#include "crashsift/core/ordered_pool.hpp"
#include "crashsift/input/line_reader.hpp"

namespace crashsift::input {

// Block must have `ByteBuffer bytes` and `std::uint64_t overlong_size`; submit(block) hands
// each block on in input order (an OrderedPool's submit, say).
template <class Block, class Submit>
void cut_line_blocks(LineReader& reader, size_t target, size_t max_line, OrderedPool<Block>& pool, Submit&& submit) {
  target = target < 1 ? 1 : target;
  std::string tail;
  bool at_end = false;
  while (!at_end) {
    std::unique_ptr<Block> block = pool.take_spare();
    block->overlong_size = 0;
    ByteBuffer& bytes = block->bytes;
    bytes.assign(tail);
    tail.clear();
    size_t cut = std::string::npos, searched = 0;
    bool overlong = false;
    while (!at_end) {
      if (bytes.size() >= target) {
        const void* nl = memrchr(bytes.data() + searched, '\n', bytes.size() - searched);
        if (nl) {
          cut = static_cast<size_t>(static_cast<const char*>(nl) - bytes.data()) + 1;
          break;
        }
        searched = bytes.size();
        if (bytes.size() > max_line) {  // no newline in more than max_line: the line is overlong
          overlong = true;
          break;
        }
      }
      const size_t got = reader.read_some(bytes.make_room(target), target);
      bytes.grow(got);
      at_end = got == 0;
    }
    if (overlong) {
      std::uint64_t dropped = bytes.size();
      bytes.clear();
      char buf[1 << 16];
      for (;;) {  // through the line's newline, keeping nothing
        const size_t got = reader.read_some(buf, sizeof buf);
        if (got == 0) {
          at_end = true;
          break;
        }
        const void* nl = std::memchr(buf, '\n', got);
        if (nl) {
          const size_t k = static_cast<size_t>(static_cast<const char*>(nl) - buf);
          dropped += k;
          tail.assign(buf + k + 1, got - k - 1);
          break;
        }
        dropped += got;
      }
      block->overlong_size = dropped > 0 ? dropped : 1;
      submit(std::move(block));
      continue;
    }
    if (cut != std::string::npos) {
      tail.assign(bytes.view().substr(cut));
      bytes.shrink_to(cut);
    }
    if (!bytes.empty()) submit(std::move(block));
  }
}

}  // namespace crashsift::input
