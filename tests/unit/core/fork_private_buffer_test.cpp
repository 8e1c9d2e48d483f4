// The buffer the native reader fills ahead: bytes survive growth and erasure, and a forked
// child does not inherit its pages (so the parent's writes after a fork copy nothing).
#include <doctest/doctest.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <string>

#include "crashsift/core/fork_private_buffer.hpp"

using crashsift::ForkPrivateBuffer;

TEST_CASE("a fork-private buffer keeps its bytes through growth, erasure and moves") {
  ForkPrivateBuffer b;
  CHECK(b.empty());
  std::string want;
  for (int i = 0; i < 200000; ++i) {  // 1.3 MB: grows through three remappings
    const std::string piece = std::to_string(i) + ",";
    b.append(piece.data(), piece.size());
    want += piece;
  }
  CHECK(b.view() == want);
  b.erase_front(1000);
  CHECK(b.view() == want.substr(1000));
  char* room = b.make_room(3);
  room[0] = 'x', room[1] = 'y', room[2] = 'z';
  b.grow(3);
  CHECK(b.view() == want.substr(1000) + "xyz");
  ForkPrivateBuffer moved(std::move(b));
  CHECK(b.empty());
  CHECK(moved.view().substr(moved.size() - 3) == "xyz");
  const size_t capacity = moved.capacity();
  moved.clear();
  CHECK(moved.empty());
  CHECK(moved.capacity() == capacity);  // cleared, not unmapped: it is reused
}

TEST_CASE("a forked child does not inherit a fork-private buffer") {
  ForkPrivateBuffer b;
  b.append("abc", 3);
  const long page = ::sysconf(_SC_PAGESIZE);
  char* start = const_cast<char*>(b.data());
  REQUIRE(reinterpret_cast<std::uintptr_t>(start) % static_cast<std::uintptr_t>(page) == 0);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    // mincore fails with ENOMEM on an address range that is not mapped.
    unsigned char resident = 0;
    const int r = ::mincore(start, static_cast<size_t>(page), &resident);
    ::_exit(r == -1 && errno == ENOMEM ? 0 : 1);
  }
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  // The parent still has it.
  unsigned char resident = 0;
  CHECK(::mincore(start, static_cast<size_t>(page), &resident) == 0);
  CHECK(b.view() == "abc");
}
