// libFuzzer target for the export parser (body shared in fuzz_support.hpp).
#include "fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return crashsift::fuzz::fuzz_stream_parser(crashsift::input::export_format(), data, size);
}
