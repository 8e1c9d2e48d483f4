// libFuzzer target for the verbose parser (body shared in fuzz_support.hpp).
#include "fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return crashsift::fuzz::fuzz_stream_parser(crashsift::input::verbose_format(), data, size);
}
