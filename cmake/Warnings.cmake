# One interface target carries warnings and sanitizer flags for every target of ours.
add_library(flowctl_options INTERFACE)
target_compile_options(flowctl_options INTERFACE -Wall -Wextra -Wno-unused-parameter)
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  # GCC 12 reports std::string concatenation inside libstdc++ as overflowing at -O2 (GCC bug 105651).
  target_compile_options(flowctl_options INTERFACE -Wno-stringop-overflow)
endif()
if(FLOWCTL_SANITIZE OR FLOWCTL_FUZZ)
  target_compile_options(flowctl_options INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer
    -fno-sanitize-recover=undefined)
  target_link_options(flowctl_options INTERFACE -fsanitize=address,undefined)
  if(FLOWCTL_FUZZ)
    # Coverage feedback from every library, not only the fuzz target's own file.
    target_compile_options(flowctl_options INTERFACE -fsanitize=fuzzer-no-link)
  endif()
else()
  # No shared libstdc++/libgcc_s to load at start-up.
  target_link_options(flowctl_options INTERFACE -static-libstdc++ -static-libgcc)
endif()
