#pragma once
// Whole writes to a file descriptor (pipes to and from isolated children, spilled files).
#include <cstddef>
#include <string>
#include <string_view>

namespace crashsift {

// Writes all n bytes, retrying short writes and EINTR; false on any other error (errno set).
bool write_all(int fd, const void* data, std::size_t n);
inline bool write_all(int fd, std::string_view s) { return write_all(fd, s.data(), s.size()); }

// A temporary file in $TMPDIR (or /tmp) with no name (O_TMPFILE, else made and unlinked at once):
// nothing outlives the run. -1 with error set when none can be made.
int open_unnamed_temporary(std::string& error);

}  // namespace crashsift
