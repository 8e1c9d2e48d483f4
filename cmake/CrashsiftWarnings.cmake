add_library(crashsift_warnings INTERFACE)
target_compile_options(crashsift_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Werror=return-type -Wundef -Wno-missing-field-initializers
  $<$<BOOL:${CRASHSIFT_WERROR}>:-Werror>)
