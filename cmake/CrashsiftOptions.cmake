# Every crashsift build option, in one place.
option(CRASHSIFT_WERROR "Treat compiler warnings as errors" OFF)
option(CRASHSIFT_SANITIZE "Build with AddressSanitizer + UndefinedBehaviorSanitizer" OFF)
option(CRASHSIFT_BUILD_TESTS "Build the doctest unit tests, golden tests and fuzz replays" ON)
option(CRASHSIFT_BUILD_FUZZERS "Build libFuzzer targets (needs clang)" OFF)
option(CRASHSIFT_WITH_LIBDW "Symbolize core dumps with elfutils libdw/libdwfl" ON)
# libunwind-coredump was measured against libdwfl and lost on every test core (lib/crashsift/symbolize/README.md);
# the option stays so the comparison can be rebuilt, off by default.
option(CRASHSIFT_WITH_LIBUNWIND "Also link libunwind-coredump (measured, not used by default)" OFF)
