#pragma once
// A temporary file holding given bytes, removed when it goes: for tests that read inputs the
// way the tool does, from a plain file.
#include <cstdlib>
#include <fstream>
#include <string>
#include <string_view>
#include <unistd.h>

namespace crashsift::test {

class TempFile {
 public:
  // path is empty when the file could not be made.
  explicit TempFile(std::string_view bytes) {
    char tmpl[] = "/tmp/crashsift-test-XXXXXX";
    const int fd = ::mkstemp(tmpl);
    if (fd < 0) return;
    ::close(fd);
    path_ = tmpl;
    std::ofstream(path_, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  ~TempFile() {
    if (!path_.empty()) ::unlink(path_.c_str());
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace crashsift::test
