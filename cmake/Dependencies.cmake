# Every library comes from a Debian 12 package.
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(CLI11 2.1 REQUIRED)

# yaml-cpp and SQLite are linked statically: flowctl is called in shell loops and every
# shared library costs start-up time (see README, "Start-up cost").
find_library(YAML_CPP_STATIC NAMES libyaml-cpp.a REQUIRED)
find_path(YAML_CPP_INCLUDE yaml-cpp/yaml.h REQUIRED)
add_library(flowctl_yaml STATIC IMPORTED GLOBAL)
set_target_properties(flowctl_yaml PROPERTIES IMPORTED_LOCATION ${YAML_CPP_STATIC}
  INTERFACE_INCLUDE_DIRECTORIES ${YAML_CPP_INCLUDE})

find_library(SQLITE3_STATIC NAMES libsqlite3.a REQUIRED)
find_path(SQLITE3_INCLUDE sqlite3.h REQUIRED)
add_library(flowctl_sqlite STATIC IMPORTED GLOBAL)
set_target_properties(flowctl_sqlite PROPERTIES IMPORTED_LOCATION ${SQLITE3_STATIC}
  INTERFACE_INCLUDE_DIRECTORIES ${SQLITE3_INCLUDE}
  INTERFACE_LINK_LIBRARIES "Threads::Threads;${CMAKE_DL_LIBS};m")

# Time zones for cron schedules: cctz reads the system's tz database. Debian ships it only as
# a shared library, which brings the shared C++ runtime along (about 0.8 ms more per process
# start), so only flowd and the flowctl-cron helper link it (common/zoned), never flowctl.
find_library(CCTZ_LIBRARY NAMES cctz REQUIRED)
find_path(CCTZ_INCLUDE cctz/time_zone.h REQUIRED)
add_library(flowctl_cctz UNKNOWN IMPORTED GLOBAL)
set_target_properties(flowctl_cctz PROPERTIES IMPORTED_LOCATION ${CCTZ_LIBRARY}
  INTERFACE_INCLUDE_DIRECTORIES ${CCTZ_INCLUDE})

# libcurl and libjq are loaded with dlopen() on first use (http and transform steps):
# linking them costs ~4 ms per process for their ~30 dependent libraries.
# Only their headers are needed at build time.
pkg_check_modules(CURL REQUIRED IMPORTED_TARGET libcurl)
find_path(JQ_INCLUDE jq.h REQUIRED)
add_library(flowctl_lazy_headers INTERFACE)
target_include_directories(flowctl_lazy_headers INTERFACE ${CURL_INCLUDE_DIRS} ${JQ_INCLUDE})
target_link_libraries(flowctl_lazy_headers INTERFACE ${CMAKE_DL_LIBS})

# The daemon serves HTTP with cpp-httplib; its shared library is built with these macros
# (OpenSSL, zlib, brotli), so the same ones must be set: class layouts differ otherwise.
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
# The daemon logs with spdlog (the compiled library, not header-only: faster builds).
find_package(spdlog REQUIRED)

if(FLOWCTL_TESTS)
  find_package(GTest REQUIRED)
endif()
