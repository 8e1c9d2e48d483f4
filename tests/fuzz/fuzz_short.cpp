// libFuzzer target for the short parser (body shared in fuzz_support.hpp).
#include "fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // The cat parser shares the text helpers and must take any bytes too.
  crashsift::fuzz::fuzz_stream_parser(crashsift::input::cat_format(), data, size);
  return crashsift::fuzz::fuzz_stream_parser(crashsift::input::short_format(), data, size);
}
