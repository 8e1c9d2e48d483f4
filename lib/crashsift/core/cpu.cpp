#include "crashsift/core/cpu.hpp"

namespace crashsift::cpu {
namespace {

bool cpu_has_avx2() {
#if defined(__x86_64__) && defined(__GNUC__)
  __builtin_cpu_init();  // this may run before libgcc's own constructor
  return __builtin_cpu_supports("avx2");
#else
  return false;
#endif
}

const bool has_avx2 = cpu_has_avx2();

}  // namespace

// Before this is initialized (another file's static constructors) it reads false: the
// baseline forms, which are always right.
bool avx2_enabled = has_avx2;

void allow_avx2(bool allow) { avx2_enabled = allow && has_avx2; }

}  // namespace crashsift::cpu
