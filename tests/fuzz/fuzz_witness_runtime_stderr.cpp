// libFuzzer target for the runtime stderr recognizers (runtime_*.cpp: glibc, Go, Python, Rust,
// JVM, Node, Bun; body shared in witness_fuzz_support.hpp): every one of them sees the same bytes.
#include "fuzz/witness_fuzz_support.hpp"

namespace crashsift::classify {
std::unique_ptr<WitnessRecognizer> make_witness_runtime_stderr();
std::unique_ptr<WitnessRecognizer> make_witness_runtime_go();
std::unique_ptr<WitnessRecognizer> make_witness_runtime_python();
std::unique_ptr<WitnessRecognizer> make_witness_runtime_rust();
std::unique_ptr<WitnessRecognizer> make_witness_runtime_jvm();
std::unique_ptr<WitnessRecognizer> make_witness_runtime_node();
std::unique_ptr<WitnessRecognizer> make_witness_runtime_bun();
}  // namespace crashsift::classify

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace crashsift::classify;
  using Make = std::unique_ptr<WitnessRecognizer> (*)();
  static constexpr Make makers[] = {make_witness_runtime_stderr, make_witness_runtime_go,  make_witness_runtime_python,
                                    make_witness_runtime_rust,   make_witness_runtime_jvm, make_witness_runtime_node,
                                    make_witness_runtime_bun};
  for (Make make : makers) crashsift::fuzz::fuzz_witness(make, data, size);
  return 0;
}
