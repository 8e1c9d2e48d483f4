// libFuzzer target for the container witness recognizer (body shared in witness_fuzz_support.hpp).
#include "fuzz/witness_fuzz_support.hpp"

namespace crashsift::classify {
std::unique_ptr<WitnessRecognizer> make_witness_container();
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return crashsift::fuzz::fuzz_witness(crashsift::classify::make_witness_container, data, size);
}
