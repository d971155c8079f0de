# flowctl_module(NAME DEPENDS...): the static library common/NAME built from every .cpp in its
# folder (a new file is picked up on the next configure), linked to the modules it uses.
function(flowctl_module name)
  file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
  add_library(flowctl_${name} STATIC ${sources})
  target_include_directories(flowctl_${name} PUBLIC ${PROJECT_SOURCE_DIR}/common)
  target_link_libraries(flowctl_${name} PUBLIC ${ARGN})
  target_precompile_headers(flowctl_${name} REUSE_FROM flowctl_util)
endfunction()
