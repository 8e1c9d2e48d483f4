#pragma once
// What this CPU runs beyond the x86-64 baseline the binary is built for. A few hot loops
// (newline searches and counts) have AVX2 forms, taken where the CPU has AVX2; tests turn them
// off to run the baseline forms on the same machine.
namespace crashsift::cpu {

extern bool avx2_enabled;  // set once at start-up; read through avx2()

// True where the CPU has AVX2 (and the OS saves its registers) and it is not turned off.
inline bool avx2() { return avx2_enabled; }

// Off: the baseline forms everywhere. On: AVX2 again where the CPU has it. Set it before any
// reading starts (it is not synchronized with the threads that read it).
void allow_avx2(bool allow);

}  // namespace crashsift::cpu
