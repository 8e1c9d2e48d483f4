#pragma once
// Native journal bytes as a private file with the .journal suffix libsystemd wants; removed
// when the test ends. lab_journal(): the real systemd 252 lab journal (testdata), decompressed.
#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "support/unxz.hpp"

namespace crashsift::test {

struct JournalCopy {
  std::string path;
  explicit JournalCopy(const std::string& bytes) {
    char tmpl[] = "/tmp/crashsift-journal-XXXXXX.journal";
    const int fd = ::mkstemps(tmpl, 8);
    REQUIRE(fd >= 0);
    REQUIRE(::write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()));
    ::close(fd);
    path = tmpl;
  }
  ~JournalCopy() { ::unlink(path.c_str()); }
  JournalCopy(const JournalCopy&) = delete;
  JournalCopy& operator=(const JournalCopy&) = delete;
};

inline const std::string& lab_journal() {
  static const std::string bytes = unxz(CRASHSIFT_TESTDATA "/journals/systemd-lab/system.journal.xz");
  return bytes;
}

}  // namespace crashsift::test
