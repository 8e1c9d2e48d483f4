#include "crashsift/core/fork_private_buffer.hpp"

#include <sys/mman.h>

#include <algorithm>
#include <cstring>
#include <new>
#include <utility>

namespace crashsift {
namespace {

constexpr std::size_t granule = 64u << 10;

std::size_t rounded(std::size_t n) { return (n + granule - 1) / granule * granule; }

}  // namespace

ForkPrivateBuffer::~ForkPrivateBuffer() {
  if (data_) ::munmap(data_, capacity_);
}

void ForkPrivateBuffer::swap(ForkPrivateBuffer& other) noexcept {
  std::swap(data_, other.data_);
  std::swap(size_, other.size_);
  std::swap(capacity_, other.capacity_);
}

void ForkPrivateBuffer::reserve(std::size_t n) {
  if (n <= capacity_) return;
  const std::size_t capacity = rounded(std::max(n, 4 * granule));
  // mremap moves the pages (and the mapping's flags) without copying the bytes.
  void* p = data_ ? ::mremap(data_, capacity_, capacity, MREMAP_MAYMOVE)
                  : ::mmap(nullptr, capacity, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  if (!data_) (void)::madvise(p, capacity, MADV_DONTFORK);  // best effort: only a cost if refused
  data_ = static_cast<char*>(p);
  capacity_ = capacity;
}

char* ForkPrivateBuffer::make_room(std::size_t n) {
  if (size_ + n > capacity_) reserve(std::max(size_ + n, 2 * capacity_));
  return data_ + size_;
}

void ForkPrivateBuffer::append(const char* bytes, std::size_t n) {
  if (n == 0) return;
  std::memcpy(make_room(n), bytes, n);
  size_ += n;
}

void ForkPrivateBuffer::erase_front(std::size_t n) {
  n = std::min(n, size_);
  if (n == 0) return;
  std::memmove(data_, data_ + n, size_ - n);
  size_ -= n;
}

}  // namespace crashsift
