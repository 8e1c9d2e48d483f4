#pragma once
// A byte buffer in a mapping of its own that forked children do not inherit (MADV_DONTFORK).
// The native reader keeps what a reader child sent ahead in one while it forks the next
// children. In the heap, each fork would make every page of it shared with the child, and the
// next write to the page would copy it: a fault each, and on a VM a fault costs more than the
// bytes on the page are worth. Reused from file to file, its pages are touched once.
#include <cstddef>
#include <string_view>

namespace crashsift {

class ForkPrivateBuffer {
 public:
  ForkPrivateBuffer() = default;
  ~ForkPrivateBuffer();
  ForkPrivateBuffer(ForkPrivateBuffer&& other) noexcept { swap(other); }
  ForkPrivateBuffer& operator=(ForkPrivateBuffer&& other) noexcept {
    swap(other);
    return *this;
  }
  ForkPrivateBuffer(const ForkPrivateBuffer&) = delete;
  ForkPrivateBuffer& operator=(const ForkPrivateBuffer&) = delete;

  const char* data() const { return data_; }
  std::size_t size() const { return size_; }
  std::size_t capacity() const { return capacity_; }
  bool empty() const { return size_ == 0; }
  std::string_view view() const { return {data_, size_}; }
  void clear() { size_ = 0; }

  // Room for n more bytes after size() (throws std::bad_alloc when none can be mapped): write
  // them there, then grow() by what was written.
  char* make_room(std::size_t n);
  void grow(std::size_t n) { size_ += n; }
  void append(const char* bytes, std::size_t n);
  // Drops the first n bytes (the rest moves to the front).
  void erase_front(std::size_t n);
  void reserve(std::size_t n);

  void swap(ForkPrivateBuffer& other) noexcept;

 private:
  char* data_ = nullptr;
  std::size_t size_ = 0, capacity_ = 0;
};

}  // namespace crashsift
