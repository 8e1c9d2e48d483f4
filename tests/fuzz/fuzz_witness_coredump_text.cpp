// libFuzzer target for the coredump_text witness recognizer (body shared in witness_fuzz_support.hpp).
#include "fuzz/witness_fuzz_support.hpp"

namespace crashsift::classify {
std::unique_ptr<WitnessRecognizer> make_witness_coredump_text();
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return crashsift::fuzz::fuzz_witness(crashsift::classify::make_witness_coredump_text, data, size);
}
