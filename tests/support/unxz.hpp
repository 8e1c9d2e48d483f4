#pragma once
// A committed .xz test file, decompressed whole (they are small: a real journal of a few MiB).
#include <doctest/doctest.h>
#include <lzma.h>

#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>

namespace crashsift::test {

inline std::string unxz(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  const std::string packed((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::string out(16u << 20, '\0');
  std::uint64_t memlimit = UINT64_MAX;
  std::size_t in_pos = 0, out_pos = 0;
  const lzma_ret r = lzma_stream_buffer_decode(&memlimit, 0, nullptr, reinterpret_cast<const std::uint8_t*>(packed.data()),
                                               &in_pos, packed.size(), reinterpret_cast<std::uint8_t*>(out.data()),
                                               &out_pos, out.size());
  REQUIRE(r == LZMA_OK);
  out.resize(out_pos);
  return out;
}

}  // namespace crashsift::test
