#pragma once
// A growable byte buffer that, unlike std::string, does not zero what it is about to read into
// (a parallel parse reads 1 MiB blocks straight into it: zero-filling each cost a tenth of
// the reading thread's time), and always keeps `padding` readable bytes after its end, so a
// line reader or simdjson may look past the last byte.
#include <algorithm>
#include <cstddef>
#include <cstring>
#include <memory>
#include <string_view>

namespace crashsift {

class ByteBuffer {
 public:
  static constexpr std::size_t padding = 64;

  const char* data() const { return data_.get(); }
  char* data() { return data_.get(); }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  std::string_view view() const { return {data_.get(), size_}; }
  void clear() { size_ = 0; }

  // Room for n more bytes after size(), uninitialized: write them at end(), then grow(n).
  char* make_room(std::size_t n) {
    if (size_ + n > capacity_) {
      const std::size_t capacity = std::max(size_ + n, capacity_ * 2);
      auto bigger = std::make_unique_for_overwrite<char[]>(capacity + padding);
      if (size_ > 0) std::memcpy(bigger.get(), data_.get(), size_);
      std::memset(bigger.get() + capacity, 0, padding);  // what a look past the end sees
      data_ = std::move(bigger);
      capacity_ = capacity;
    }
    return data_.get() + size_;
  }
  void grow(std::size_t n) { size_ += n; }
  void shrink_to(std::size_t n) { size_ = std::min(size_, n); }

  void assign(std::string_view bytes) {
    size_ = 0;
    append(bytes);
  }
  void append(std::string_view bytes) {
    if (bytes.empty()) return;
    std::memcpy(make_room(bytes.size()), bytes.data(), bytes.size());
    size_ += bytes.size();
  }

 private:
  std::unique_ptr<char[]> data_;
  std::size_t size_ = 0, capacity_ = 0;
};

}  // namespace crashsift
