#pragma once
// Whole writes to a file descriptor (pipes to and from isolated children, spilled files).
#include <cstddef>
#include <string_view>

namespace crashsift {

// Writes all n bytes, retrying short writes and EINTR; false on any other error (errno set).
bool write_all(int fd, const void* data, std::size_t n);
inline bool write_all(int fd, std::string_view s) { return write_all(fd, s.data(), s.size()); }

}  // namespace crashsift
