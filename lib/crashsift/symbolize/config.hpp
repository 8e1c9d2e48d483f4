#pragma once
// Build configuration of the symbolize module. CMake defines CRASHSIFT_WITH_LIBDW and
// CRASHSIFT_WITH_LIBUNWIND (0/1) on the target; default them for tools that include headers
// without going through the target (IDEs, single-file checks).
#ifndef CRASHSIFT_WITH_LIBDW
#define CRASHSIFT_WITH_LIBDW 0
#endif
#ifndef CRASHSIFT_WITH_LIBUNWIND
#define CRASHSIFT_WITH_LIBUNWIND 0
#endif
