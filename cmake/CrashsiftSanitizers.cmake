add_library(crashsift_sanitizers INTERFACE)
if(CRASHSIFT_SANITIZE)
  target_compile_options(crashsift_sanitizers INTERFACE
    -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  target_link_options(crashsift_sanitizers INTERFACE -fsanitize=address,undefined)
endif()
